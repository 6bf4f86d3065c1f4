// core::Word / core::Cue: the one JSON form every stage record and engine answer uses.
#include "core/timing.hpp"

#include <gtest/gtest.h>

namespace beacon::core {
namespace {

TEST(Timing, WordsAndCuesRoundTripThroughTheirRecordedForm) {
    const std::vector<Word> words = {{"Hello", 0.1, 0.4}, {"world.", 0.45, 0.9}};
    const nlohmann::json j = words;
    EXPECT_EQ(j[0], (nlohmann::json{{"word", "Hello"}, {"start", 0.1}, {"end", 0.4}}));
    EXPECT_EQ(WordsFromJson(j), words);
    const std::vector<Cue> cues = {{0.0, 1.5, "The light turns."}};
    const nlohmann::json c = cues;
    EXPECT_EQ(c[0], (nlohmann::json{{"start", 0.0}, {"end", 1.5}, {"text", "The light turns."}}));
    EXPECT_EQ(CuesFromJson(c), cues);
}

TEST(Timing, ReadsMissingFieldsAsEmptyAndNonArraysAsNone) {
    auto w = WordsFromJson(nlohmann::json::parse(R"([{"word":"a"},{"start":1},7])"));
    ASSERT_EQ(w.size(), 2u);
    EXPECT_EQ(w[0], (Word{"a", 0, 0}));
    EXPECT_EQ(w[1], (Word{"", 1, 0}));
    EXPECT_TRUE(WordsFromJson(nlohmann::json::object()).empty());
    EXPECT_TRUE(CuesFromJson(nullptr).empty());
}

}  // namespace
}  // namespace beacon::core
