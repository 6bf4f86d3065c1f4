#include "media/hls.hpp"

#include <gtest/gtest.h>

#include "media/captions.hpp"
#include "media/golden.hpp"

namespace beacon::media {
namespace {

using testing::ExpectGolden;

TEST(MediaPlaylistTest, RoundTripsSegments) {
    std::vector<Segment> segs = {{"seg_00000.ts", 4.0}, {"seg_00001.ts", 3.0}};
    std::string text = WriteMediaPlaylist(segs, 4);
    ExpectGolden("media_playlist.m3u8", text);
    auto parsed = ParseMediaPlaylist(text);
    ASSERT_TRUE(parsed.ok());
    ASSERT_EQ(parsed->size(), 2u);
    EXPECT_EQ((*parsed)[1].uri, "seg_00001.ts");
    EXPECT_DOUBLE_EQ((*parsed)[1].duration, 3.0);
}

TEST(MediaPlaylistTest, TargetDurationCoversEveryRoundedExtinf) {
    std::string text = WriteMediaPlaylist({{"a.ts", 4.6}}, 4);
    EXPECT_NE(text.find("#EXT-X-TARGETDURATION:5\n"), std::string::npos);
}

TEST(MediaPlaylistTest, RejectsHostileInput) {
    EXPECT_FALSE(ParseMediaPlaylist("").ok());
    EXPECT_FALSE(ParseMediaPlaylist("hello\n").ok());
    EXPECT_FALSE(ParseMediaPlaylist("#EXTM3U\nseg.ts\n").ok());  // no EXTINF
    EXPECT_FALSE(ParseMediaPlaylist("#EXTM3U\n#EXTINF:abc,\nseg.ts\n").ok());
    EXPECT_FALSE(ParseMediaPlaylist("#EXTM3U\n#EXTINF:-3,\nseg.ts\n").ok());
    auto crlf = ParseMediaPlaylist("#EXTM3U\r\n#EXTINF:4.0,\r\nseg.ts\r\n");
    ASSERT_TRUE(crlf.ok());
    EXPECT_EQ((*crlf)[0].uri, "seg.ts");
}

TEST(MasterPlaylistTest, Golden) {
    MasterSpec m;
    m.bandwidth = 1234567;
    m.average_bandwidth = 900000;
    m.codecs = AvcCodecString("High", 40) + ",mp4a.40.2";
    m.width = 1280;
    m.height = 720;
    m.fps = 25;
    m.audio = {{"en", "English", true, "audio_en/index.m3u8"},
               {"es", "Español", false, "audio_es/index.m3u8"}};
    m.subtitles = {{"en", "English", "subs_en/index.m3u8"}};
    std::string text = WriteMasterPlaylist(m);
    ExpectGolden("master.m3u8", text);
    EXPECT_NE(text.find("CODECS=\"avc1.640028,mp4a.40.2\""), std::string::npos);
    // Only the original is DEFAULT=YES.
    EXPECT_EQ(text.find("DEFAULT=YES"), text.rfind("DEFAULT=YES"));
}

TEST(MasterPlaylistTest, QuotesCannotBreakAttributes) {
    MasterSpec m;
    m.codecs = "avc1.640028";
    m.audio = {{"en", "Eng\"lish\nX", true, "a.m3u8"}};
    std::string text = WriteMasterPlaylist(m);
    EXPECT_NE(text.find("NAME=\"EnglishX\""), std::string::npos);
}

TEST(AvcCodecTest, FromProfileAndLevel) {
    EXPECT_EQ(AvcCodecString("High", 40), "avc1.640028");
    EXPECT_EQ(AvcCodecString("High", 31), "avc1.64001f");
    EXPECT_EQ(AvcCodecString("Main", 30), "avc1.4d001e");
}

TEST(SubtitleSegmentsTest, CuesGoToEverySegmentTheyOverlapWithTheMap) {
    std::vector<Cue> cues = {{0.5, 1.5, "One"}, {3.5, 4.5, "Two & <three>"}, {5.0, 6.0, "Four"}};
    auto segs = SubtitleSegments(cues, {{"s0", 4.0}, {"s1", 4.0}, {"s2", 1.0}}, 1.4);
    ASSERT_EQ(segs.size(), 3u);
    ExpectGolden("subs_seg0.vtt", segs[0]);
    EXPECT_NE(segs[0].find("X-TIMESTAMP-MAP=LOCAL:00:00:00.000,MPEGTS:126000"), std::string::npos);
    EXPECT_NE(segs[0].find("Two &amp; &lt;three&gt;"), std::string::npos);
    EXPECT_NE(segs[1].find("Two"), std::string::npos);  // spans the boundary: in both
    EXPECT_NE(segs[1].find("Four"), std::string::npos);
    EXPECT_EQ(segs[2].find("-->"), std::string::npos);  // an empty segment is still valid
    EXPECT_EQ(segs[2].rfind("WEBVTT", 0), 0u);
}

TEST(CaptionsTest, VttAndChaptersAndMetadata) {
    EXPECT_EQ(VttTime(3661.2345), "01:01:01.235");
    EXPECT_EQ(VttTime(-2), "00:00:00.000");
    EXPECT_EQ(VttText("a --> b\n\n\nc"), "a --&gt; b\nc");
    std::vector<Chapter> ch = {{0, 3.5, "The lighthouse"}, {3.5, 7, "Storm; = #wild"}};
    ExpectGolden("chapters.vtt", ChaptersToWebVtt(ch));
    ExpectGolden("chapters.ffmeta", ChaptersToFfmetadata("Storm\nKeeper", ch));
}

TEST(CaptionsTest, GroupWordsSplitsOnSentencesPausesAndLength) {
    std::vector<Word> w = {{"The", 0, 0.2},      {"lamp", 0.2, 0.5}, {"turns.", 0.5, 0.9},
                           {"Storms", 1.0, 1.4}, {"obey", 1.4, 1.8}, {"it", 3.0, 3.2}};
    auto cues = GroupWords(w, 7, 0.6);
    ASSERT_EQ(cues.size(), 3u);
    EXPECT_EQ(cues[0].text, "The lamp turns.");
    EXPECT_EQ(cues[1].text, "Storms obey");
    EXPECT_EQ(cues[2].text, "it");
    auto small = GroupWords(w, 2, 10);
    EXPECT_EQ(small[0].text, "The lamp");
    for (std::size_t i = 0; i + 1 < small.size(); ++i) EXPECT_LE(small[i].end, small[i + 1].start);
}

}  // namespace
}  // namespace beacon::media
