// core::CuesToWebVtt: the one WebVTT writer (MP4 captions, HLS subtitle segments, dubs).
#include "core/webvtt.hpp"

#include <gtest/gtest.h>

namespace beacon::core {
namespace {

TEST(WebVtt, EscapesCollapsesBlankLinesAndSkipsEmptyCues) {
    const std::vector<Cue> cues = {{0.0, 1.5, "Fish & <chips> -->"},
                                   {2.0, 2.5, "  \n"},
                                   {61.25, 3723.5, "line one\n\nline two"},
                                   {5.0, 4.0, "backwards"}};
    EXPECT_EQ(CuesToWebVtt(cues),
              "WEBVTT\n"
              "\n00:00:00.000 --> 00:00:01.500\nFish &amp; &lt;chips&gt; --&gt;\n"
              "\n00:01:01.250 --> 01:02:03.500\nline one\nline two\n"
              "\n00:00:05.000 --> 00:00:05.000\nbackwards\n");
}

TEST(WebVtt, PutsHeaderLinesAfterTheSignature) {
    EXPECT_EQ(CuesToWebVtt({{1, 2, "Hi"}}, "X-TIMESTAMP-MAP=LOCAL:00:00:00.000,MPEGTS:900000"),
              "WEBVTT\nX-TIMESTAMP-MAP=LOCAL:00:00:00.000,MPEGTS:900000\n"
              "\n00:00:01.000 --> 00:00:02.000\nHi\n");
    EXPECT_EQ(VttTime(-3), "00:00:00.000");
}

}  // namespace
}  // namespace beacon::core
