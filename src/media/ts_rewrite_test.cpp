#include "media/ts_rewrite.hpp"

#include <fstream>
#include <random>
#include <sstream>
#include <vector>

#include <gtest/gtest.h>

namespace beacon::media {
namespace {

/// Two consecutive segments of one real item (libx264 64x36 25 fps + AAC 48 kHz, muxed by
/// ffmpeg's hls muxer): PAT, PMT, SDT, video PID 0x100 with PCR, audio PID 0x101.
std::string Segment(int i) {
    std::ifstream in(std::string(BEACON_SOURCE_DIR) + "/src/media/testdata/ts_item_seg" +
                         std::to_string(i) + ".ts",
                     std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

struct Stamp {
    int pid;
    std::int64_t pts, dts, pcr;  // -1 when absent
};

/// An independent reading of every timestamp in a segment (written from ISO/IEC 13818-1
/// 2.4.3.4-2.4.3.7, not from the code under test).
std::vector<Stamp> Stamps(const std::string& ts) {
    std::vector<Stamp> out;
    for (std::size_t i = 0; i + 188 <= ts.size(); i += 188) {
        const auto* p = reinterpret_cast<const unsigned char*>(ts.data() + i);
        const int pid = ((p[1] & 0x1f) << 8) | p[2];
        const int afc = (p[3] >> 4) & 3;
        std::size_t at = 4;
        std::int64_t pcr = -1;
        if (afc & 2) {
            if (p[4] > 0 && (p[5] & 0x10)) {
                pcr = (std::int64_t{p[6]} << 25) | (p[7] << 17) | (p[8] << 9) | (p[9] << 1) |
                      (p[10] >> 7);
            }
            at = 5 + p[4];
        }
        std::int64_t pts = -1, dts = -1;
        auto read = [](const unsigned char* b) {
            return (std::int64_t{(b[0] >> 1) & 7} << 30) | (std::int64_t{b[1]} << 22) |
                   (std::int64_t{b[2] >> 1} << 15) | (std::int64_t{b[3]} << 7) | (b[4] >> 1);
        };
        if ((afc & 1) && (p[1] & 0x40) && at + 9 <= 188 && p[at] == 0 && p[at + 1] == 0 &&
            p[at + 2] == 1) {
            const int flags = p[at + 7] >> 6;
            if (flags & 2) pts = read(p + at + 9);
            if (flags == 3) dts = read(p + at + 14);
        }
        if (pts >= 0 || pcr >= 0) out.push_back({pid, pts, dts, pcr});
    }
    return out;
}

std::int64_t Mod(std::int64_t v) { return ((v % kTsClockWrap) + kTsClockWrap) % kTsClockWrap; }

TEST(TsRewrite, MovesEveryPtsDtsAndPcrByTheOffsetAndNothingElse) {
    const std::string original = Segment(0);
    ASSERT_GT(original.size(), 188u * 20);
    const auto before = Stamps(original);
    std::string ts = original;
    TsShift shift;
    shift.clock_offset = 123456789;
    auto st = ShiftTs(ts, shift);
    ASSERT_TRUE(st.ok()) << st.error().message;
    const auto after = Stamps(ts);
    ASSERT_EQ(before.size(), after.size());
    int pes = 0, pcrs = 0;
    for (std::size_t i = 0; i < before.size(); ++i) {
        EXPECT_EQ(after[i].pid, before[i].pid);
        if (before[i].pts >= 0) {
            ++pes;
            EXPECT_EQ(after[i].pts, Mod(before[i].pts + shift.clock_offset));
        }
        if (before[i].dts >= 0) {
            EXPECT_EQ(after[i].dts, Mod(before[i].dts + shift.clock_offset));
        }
        if (before[i].pcr >= 0) {
            ++pcrs;
            EXPECT_EQ(after[i].pcr, Mod(before[i].pcr + shift.clock_offset));
        }
    }
    EXPECT_GT(pes, 20);
    EXPECT_GT(pcrs, 0);
    EXPECT_EQ(st->pes_headers, pes);
    EXPECT_EQ(st->pcrs, pcrs);
    // Only timestamp bytes changed: same size, and shifting back restores every byte.
    ASSERT_EQ(ts.size(), original.size());
    shift.clock_offset = -shift.clock_offset;
    ASSERT_TRUE(ShiftTs(ts, shift).ok());
    EXPECT_EQ(ts, original);
}

TEST(TsRewrite, WrapsAt33Bits) {
    const std::string original = Segment(0);
    const std::int64_t first = FirstPts(original, 0x100);
    ASSERT_GE(first, 0);
    std::string ts = original;
    TsShift shift;
    shift.clock_offset = kTsClockWrap - first - 1000;  // the first frame lands 1000 ticks before
    ASSERT_TRUE(ShiftTs(ts, shift).ok());
    bool wrapped = false;
    for (const auto& s : Stamps(ts)) {
        if (s.pts >= 0) {
            EXPECT_LT(s.pts, kTsClockWrap);
            if (s.pts < 100000) wrapped = true;
        }
    }
    EXPECT_TRUE(wrapped) << "later frames must wrap to small values";
    EXPECT_EQ(FirstPts(ts, 0x100), kTsClockWrap - 1000);
}

TEST(TsRewrite, ChainedContinuityCountersRunOnAcrossARepeatOfTheSameItem) {
    const std::string seg0 = Segment(0), seg1 = Segment(1);
    auto end = ScanContinuity(seg1);
    auto start = ScanContinuity(seg0);
    ASSERT_TRUE(end.ok());
    ASSERT_TRUE(start.ok());
    std::array<std::uint8_t, 8192> none{};
    TsShift shift;
    shift.cc_add = ChainContinuity(*end, none, *start);
    shift.clear_discontinuity = true;
    std::string again = seg0;
    ASSERT_TRUE(ShiftTs(again, shift).ok());
    // seg0 seg1 | seg0' : every PID's CC continues by one per payload packet.
    const std::string stream = seg0 + seg1 + again;
    std::array<int, 8192> last;
    last.fill(-1);
    int checked = 0;
    for (std::size_t i = 0; i < stream.size(); i += 188) {
        const auto* p = reinterpret_cast<const unsigned char*>(stream.data() + i);
        const int pid = ((p[1] & 0x1f) << 8) | p[2];
        if (!((p[3] >> 4) & 1)) continue;
        const int cc = p[3] & 0x0f;
        if (last[static_cast<std::size_t>(pid)] >= 0) {
            ASSERT_EQ(cc, (last[static_cast<std::size_t>(pid)] + 1) & 15)
                << "pid " << pid << " at byte " << i;
            ++checked;
        }
        last[static_cast<std::size_t>(pid)] = cc;
    }
    EXPECT_GT(checked, 40);
    // Without the chain the same concatenation jumps somewhere (the check above can fail).
    const std::string naive = seg0 + seg1 + seg0;
    last.fill(-1);
    int jumps = 0;
    for (std::size_t i = 0; i < naive.size(); i += 188) {
        const auto* p = reinterpret_cast<const unsigned char*>(naive.data() + i);
        const int pid = ((p[1] & 0x1f) << 8) | p[2];
        if (!((p[3] >> 4) & 1)) continue;
        const int cc = p[3] & 0x0f;
        if (last[static_cast<std::size_t>(pid)] >= 0 &&
            cc != ((last[static_cast<std::size_t>(pid)] + 1) & 15)) {
            ++jumps;
        }
        last[static_cast<std::size_t>(pid)] = cc;
    }
    EXPECT_GT(jumps, 0);
}

TEST(TsRewrite, ClearsTheDiscontinuityIndicatorOnlyWhenAsked) {
    std::string ts = Segment(0);
    auto* p = reinterpret_cast<unsigned char*>(ts.data());
    // Find a packet with an adaptation field and set the indicator on it.
    std::size_t at = std::string::npos;
    for (std::size_t i = 0; i < ts.size(); i += 188) {
        if (((p[i + 3] >> 4) & 2) && p[i + 4] > 0) {
            at = i;
            break;
        }
    }
    ASSERT_NE(at, std::string::npos);
    p[at + 5] |= 0x80;
    TsShift keep;
    ASSERT_TRUE(ShiftTs(ts, keep).ok());
    EXPECT_TRUE(p[at + 5] & 0x80);
    TsShift clear;
    clear.clear_discontinuity = true;
    auto st = ShiftTs(ts, clear);
    ASSERT_TRUE(st.ok());
    EXPECT_FALSE(p[at + 5] & 0x80);
    EXPECT_EQ(st->cleared, 1);
}

TEST(TsRewrite, RejectsMisalignedOrTruncatedInputAndLeavesItUnchanged) {
    std::string ts = Segment(0);
    std::string cut = ts.substr(0, ts.size() - 7);
    const std::string cut_copy = cut;
    TsShift shift;
    shift.clock_offset = 90000;
    EXPECT_FALSE(ShiftTs(cut, shift).ok());
    EXPECT_EQ(cut, cut_copy);
    std::string nosync = ts;
    nosync[188 * 3] = 0x00;
    const std::string nosync_copy = nosync;
    EXPECT_FALSE(ShiftTs(nosync, shift).ok());
    EXPECT_EQ(nosync, nosync_copy);
    EXPECT_FALSE(ScanContinuity(nosync).ok());
    // A PES header that claims timestamps it has no room for.
    std::string bad = ts;
    for (std::size_t i = 0; i < bad.size(); i += 188) {
        auto* q = reinterpret_cast<unsigned char*>(bad.data() + i);
        if (!(q[1] & 0x40)) continue;
        std::size_t a = ((q[3] >> 4) & 2) ? 5 + q[4] : 4;
        if (a + 9 <= 188 && q[a] == 0 && q[a + 1] == 0 && q[a + 2] == 1) {
            q[a + 8] = 0;  // header_data_length 0 with PTS flags set
            break;
        }
    }
    const std::string bad_copy = bad;
    EXPECT_FALSE(ShiftTs(bad, shift).ok());
    EXPECT_EQ(bad, bad_copy);
    std::string empty;
    EXPECT_TRUE(ShiftTs(empty, shift).ok());
}

TEST(TsRewrite, WebVttTimestampMapMovesWithTheMedia) {
    const std::string vtt =
        "WEBVTT\nX-TIMESTAMP-MAP=LOCAL:00:00:00.000,MPEGTS:133200\n\n00:00:01.000 --> "
        "00:00:02.000\nMPEGTS:1 stays\n";
    EXPECT_EQ(ShiftWebVtt(vtt, 1000),
              "WEBVTT\nX-TIMESTAMP-MAP=LOCAL:00:00:00.000,MPEGTS:134200\n\n00:00:01.000 --> "
              "00:00:02.000\nMPEGTS:1 stays\n");
    EXPECT_EQ(ShiftWebVtt(vtt, kTsClockWrap - 133200),
              "WEBVTT\nX-TIMESTAMP-MAP=LOCAL:00:00:00.000,MPEGTS:0\n\n00:00:01.000 --> "
              "00:00:02.000\nMPEGTS:1 stays\n");
    EXPECT_EQ(ShiftWebVtt("WEBVTT\n\nno map\n", 5), "WEBVTT\n\nno map\n");
}

TEST(TsRewrite, DropsTheAacPrimingFrameBeforeTheFirstVideoFrameKeepingPacketsAndCcs) {
    const std::string original = Segment(0);
    const std::int64_t video = FirstPts(original, 0x100);
    const std::int64_t audio = FirstPts(original, 0x101);
    ASSERT_GE(video, 0);
    ASSERT_GE(audio, 0);
    ASSERT_LT(audio, video) << "the fixture's AAC starts with its priming frame";
    std::string ts = original;
    auto dropped = DropLeadingAudio(ts, video);
    ASSERT_TRUE(dropped.ok()) << dropped.error().message;
    EXPECT_GE(*dropped, 1);
    EXPECT_EQ(FirstPts(ts, 0x101), audio + *dropped * 1920);  // 1024 samples at 48 kHz
    EXPECT_GE(FirstPts(ts, 0x101) + 45, video);
    EXPECT_EQ(FirstPts(ts, 0x100), video);
    ASSERT_EQ(ts.size(), original.size());
    auto before = ScanContinuity(original), after = ScanContinuity(ts);
    ASSERT_TRUE(before.ok() && after.ok());
    EXPECT_EQ(before->first, after->first);
    EXPECT_EQ(before->last, after->last);
    // The rebuilt PES still starts with an ADTS frame right after its header.
    for (std::size_t i = 0; i < ts.size(); i += 188) {
        const auto* p = reinterpret_cast<const unsigned char*>(ts.data() + i);
        if ((((p[1] & 0x1f) << 8) | p[2]) != 0x101 || !(p[1] & 0x40)) continue;
        const std::size_t at = ((p[3] >> 4) & 2) ? 5 + p[4] : 4;
        const std::size_t es = at + 9 + p[at + 8];
        ASSERT_LT(es + 1, 188u);
        EXPECT_EQ(p[es], 0xff);
        EXPECT_EQ(p[es + 1] & 0xf0, 0xf0);
        break;
    }
    // Nothing to drop when the audio already starts with the video; a second pass is a no-op.
    std::string again = ts;
    auto none = DropLeadingAudio(again, video);
    ASSERT_TRUE(none.ok());
    EXPECT_EQ(*none, 0);
    EXPECT_EQ(again, ts);
}

/// Property: any schedule of back-to-back plays of the item, each shifted by (its start on the
/// channel clock - the item's first PTS), gives frame-continuous video timestamps across every
/// boundary, wrapping correctly at 2^33.
TEST(TsRewrite, BackToBackPlaysAreContinuousWithinOneFrameForAnyStart) {
    const std::string seg0 = Segment(0), seg1 = Segment(1);
    const std::int64_t first = FirstPts(seg0, 0x100);
    ASSERT_GE(first, 0);
    // The item's duration: last video PTS + one frame - first PTS.
    std::int64_t last_pts = 0;
    for (const auto& s : Stamps(seg0 + seg1)) {
        if (s.pid == 0x100 && s.pts >= 0) last_pts = std::max(last_pts, s.pts);
    }
    const std::int64_t frame = 90000 / 25;
    const std::int64_t duration = last_pts + frame - first;
    std::mt19937_64 rng(7);
    for (int trial = 0; trial < 200; ++trial) {
        // Channel clock of the first play: anywhere, often just before the wrap.
        std::int64_t start = trial % 3 == 0
                                 ? kTsClockWrap - static_cast<std::int64_t>(rng() % (3 * duration))
                                 : static_cast<std::int64_t>(rng() % kTsClockWrap);
        std::int64_t prev_end = -1;
        for (int play = 0; play < 4; ++play) {
            TsShift shift;
            shift.clock_offset = start - first;
            std::string a = seg0, b = seg1;
            ASSERT_TRUE(ShiftTs(a, shift).ok());
            ASSERT_TRUE(ShiftTs(b, shift).ok());
            std::int64_t lo = -1, hi = -1;  // unwrapped relative to `start`
            for (const auto& s : Stamps(a + b)) {
                if (s.pid != 0x100 || s.pts < 0) continue;
                const std::int64_t rel = Mod(s.pts - Mod(start));
                if (lo < 0 || rel < lo) lo = rel;
                if (rel > hi) hi = rel;
            }
            EXPECT_EQ(lo, 0) << "trial " << trial << " play " << play;
            if (prev_end >= 0) {
                const std::int64_t gap = Mod(Mod(start) - prev_end);
                EXPECT_LE(std::min(gap, kTsClockWrap - gap), frame / 2);
            }
            prev_end = Mod(start + hi + frame);
            start = Mod(start + duration);
        }
    }
}

}  // namespace
}  // namespace beacon::media
