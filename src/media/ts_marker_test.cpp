#include "media/ts_marker.hpp"

#include <gtest/gtest.h>

namespace beacon::media {
namespace {

std::string Packet(int pid, int afc, int cc, std::string body) {
    std::string p(188, '\xff');
    p[0] = 0x47;
    p[1] = static_cast<char>(0x40 | (pid >> 8));
    p[2] = static_cast<char>(pid & 0xff);
    p[3] = static_cast<char>((afc << 4) | cc);
    p.replace(4, body.size(), body);
    return p;
}

TEST(TsMarker, MarksTheFirstPacketOfEveryPid) {
    // PAT (no adaptation field, stuffed), video PES with a PCR adaptation field, a second video
    // packet (untouched), and a full PES packet without room (counted as unmarked).
    std::string pat = Packet(0, 1, 0, std::string("\x00\x00\xb0\x0d", 4));
    std::string video1 = Packet(256, 3, 0, std::string("\x07\x10\x00\x00\x00\x00\x00\x00", 8));
    std::string video2 = Packet(256, 1, 1, std::string(184, 'v'));
    std::string audio = Packet(257, 1, 0, std::string(184, 'a'));
    std::string ts = pat + video1 + video2 + audio;
    auto r = MarkDiscontinuity(ts);
    EXPECT_EQ(r.marked, 2);
    EXPECT_EQ(r.unmarked, 1);
    // PAT: adaptation field of length 1 with the indicator, payload shifted by 2.
    EXPECT_EQ(static_cast<unsigned char>(ts[3]) >> 4, 3);
    EXPECT_EQ(ts[4], 1);
    EXPECT_EQ(static_cast<unsigned char>(ts[5]), 0x80);
    EXPECT_EQ(ts.substr(6, 4), std::string("\x00\x00\xb0\x0d", 4));
    // Video: indicator ORed into the existing flags (the PCR flag 0x10 is kept).
    EXPECT_EQ(static_cast<unsigned char>(ts[188 + 5]), 0x90);
    EXPECT_EQ(ts.substr(376, 188), video2);
    EXPECT_EQ(ts.substr(564, 188), audio);
}

TEST(TsMarker, LeavesNonTsAlone) {
    std::string junk = "not a transport stream";
    auto r = MarkDiscontinuity(junk);
    EXPECT_EQ(r.marked + r.unmarked, 0);
    EXPECT_EQ(junk, "not a transport stream");
    std::string bad(188 * 2, '\x47');
    bad[188] = 0x00;
    const auto copy = bad;
    MarkDiscontinuity(bad);
    EXPECT_EQ(bad, copy);
}

}  // namespace
}  // namespace beacon::media
