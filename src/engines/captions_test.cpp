#include "engines/captions.hpp"

#include <gtest/gtest.h>

namespace beacon::engines {
namespace {

TEST(CaptionsTest, WebVttEscapesAndFormats) {
    std::vector<Cue> cues = {{0.0, 1.5, "Fish & <chips> -->"}, {61.25, 3723.5, "line one\n\nline two"}};
    std::string vtt = ToWebVtt(cues);
    EXPECT_EQ(vtt,
              "WEBVTT\n\n00:00:00.000 --> 00:00:01.500\nFish &amp; &lt;chips&gt; --&gt;\n\n"
              "00:01:01.250 --> 01:02:03.500\nline one\nline two\n");
    auto back = ParseWebVtt(vtt);
    ASSERT_TRUE(back.ok());
    ASSERT_EQ(back->size(), 2u);
    EXPECT_EQ((*back)[0].text, "Fish & <chips> -->");
    EXPECT_DOUBLE_EQ((*back)[1].start, 61.25);
    EXPECT_FALSE(ParseWebVtt("hello").ok());
}

TEST(CaptionsTest, GroupsWithinLimits) {
    std::vector<WordTiming> words;
    double t = 0;
    for (int i = 0; i < 60; ++i) {
        std::string w = (i % 7 == 6) ? "sentence." : "word" + std::to_string(i);
        words.push_back({w, t, t + 0.3});
        t += 0.35;
    }
    words.push_back({"late", t + 3, t + 3.4});  // after a pause
    auto cues = GroupWordsIntoCues(words);
    ASSERT_GT(cues.size(), 3u);
    double prev_end = 0;
    std::size_t total_words = 0;
    for (const auto& c : cues) {
        EXPECT_GE(c.start, prev_end);
        EXPECT_LE(c.end - c.start, 6.0 + 1e-9);
        int lines = 1;
        std::size_t line_len = 0;
        for (char ch : c.text) {
            if (ch == '\n') {
                ++lines;
                line_len = 0;
            } else {
                ++line_len;
                EXPECT_LE(line_len, 42u);
            }
            if (ch == ' ' || ch == '\n') ++total_words;
        }
        ++total_words;
        EXPECT_LE(lines, 2);
        prev_end = c.end;
    }
    EXPECT_EQ(total_words, words.size());
    EXPECT_EQ(cues.back().text, "late");
}

TEST(CaptionsTest, ExactEngineNeedsWords) {
    ExactCaptionEngine e;
    EXPECT_FALSE(e.Caption({}, {}).ok());
    auto r = e.Caption({"", "en", {{"Hello", 0.1, 0.4}, {"world.", 0.45, 0.9}}}, {});
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->cues.size(), 1u);
    EXPECT_EQ(r->cues[0].text, "Hello world.");
    EXPECT_DOUBLE_EQ(r->cues[0].start, 0.1);
    EXPECT_DOUBLE_EQ(r->cues[0].end, 0.9);
}

}  // namespace
}  // namespace beacon::engines
