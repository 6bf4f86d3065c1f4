#include "engines/entities.hpp"

#include <gtest/gtest.h>

namespace beacon::engines {
namespace {

TEST(EntitiesTest, ProperNounPhrases) {
    auto e = ExtractEntitiesHeuristic(
        "The lighthouse at Cape Hatteras was built in 1870. Then the National Park Service moved it. "
        "It stands in North Carolina, near the Bay of Biscay's namesake? NASA watched. The end.");
    std::vector<std::string> want = {"Cape Hatteras", "National Park Service", "North Carolina",
                                     "Bay of Biscay", "NASA"};
    EXPECT_EQ(e, want);
}

TEST(EntitiesTest, StopListAndHostileInput) {
    EXPECT_TRUE(ExtractEntitiesHeuristic("The. Then. It. And so.").empty());
    EXPECT_TRUE(ExtractEntitiesHeuristic("").empty());
    auto e = ExtractEntitiesHeuristic("Paris, Paris and PARIS!! \xff\xfe Paris.");
    ASSERT_FALSE(e.empty());
    EXPECT_EQ(e[0], "Paris");
    HeuristicEntityExtractor x;
    EXPECT_TRUE(x.Describe().builtin);
}

}  // namespace
}  // namespace beacon::engines
