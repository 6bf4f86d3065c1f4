#include "wiki/mentions.hpp"

#include <gtest/gtest.h>

namespace beacon::wiki {
namespace {

const std::vector<TimedText> kCues = {
    {0.0, 2.5, "Storms gather over the sea."},
    {2.5, 5.0, "The EDDYSTONE lighthouse's lamp"},
    {5.0, 7.0, "burns; eddystones are rocks."},
    {7.0, 9.5, "Far away, the Eddystone"},
    {9.5, 12.0, "Lighthouse keeper sleeps."},
    {12.0, 14.0, "Lighthouse: a tower."},
};

TEST(FindMentionSpans, FindsWholeWordsInAnyCaseWithPossessives) {
    // "eddystones" is another word.
    EXPECT_EQ(FindMentionSpans("Eddystone", kCues), (std::vector<Span>{{2.5, 5.0}, {7.0, 9.5}}));
    // "lighthouse's" is a possessive mention; the mention at 12.0 touches the one before it and
    // the two merge.
    EXPECT_EQ(FindMentionSpans("lighthouse", kCues), (std::vector<Span>{{2.5, 5.0}, {9.5, 14.0}}));
}

TEST(FindMentionSpans, FollowsAMentionAcrossACueBreak) {
    EXPECT_EQ(FindMentionSpans("Eddystone Lighthouse", kCues),
              (std::vector<Span>{{2.5, 5.0}, {7.0, 12.0}}));
}

TEST(FindMentionSpans, NothingForAnUnspokenEntityOrAnEmptyName) {
    EXPECT_TRUE(FindMentionSpans("Cornwall", kCues).empty());
    EXPECT_TRUE(FindMentionSpans("  ", kCues).empty());
    EXPECT_TRUE(FindMentionSpans("Storm", kCues).empty());
}

TEST(ContextWords, LowerCasesDropsStopWordsAndPlurals) {
    EXPECT_EQ(ContextWords("The planets orbit the Sun, and the Sun's glass."),
              (std::vector<std::string>{"glass", "orbit", "planet", "sun"}));
}

TEST(FoldName, FoldsCaseUnderscoresAndSpaces) {
    EXPECT_EQ(FoldName("  Frankfurt_am   MAIN "), "frankfurt am main");
}

}  // namespace
}  // namespace beacon::wiki
