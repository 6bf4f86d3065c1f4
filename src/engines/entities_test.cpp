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

TEST(EntitiesTest, NameShapes) {
    // Connectors of other languages, title abbreviations, numbered names, possessives.
    EXPECT_EQ(ExtractEntitiesHeuristic("We walked in Frankfurt am Main with Dr. Reyes."),
              (std::vector<std::string>{"Frankfurt am Main", "Dr. Reyes"}));
    EXPECT_EQ(ExtractEntitiesHeuristic("The crew of Apollo 11 saw the Moon's far side."),
              (std::vector<std::string>{"Apollo 11", "Moon"}));
    // "and" joins two names, it does not make one.
    EXPECT_EQ(ExtractEntitiesHeuristic("Yesterday Leo and Sam met Captain Mara."),
              (std::vector<std::string>{"Leo", "Sam", "Captain Mara"}));
}

TEST(EntitiesTest, CalendarDemonymsAndFunctionWordsAlone) {
    EXPECT_EQ(ExtractEntitiesHeuristic(
                  "In April the Spanish sailors left Cadiz on a Monday. I'm sure Wow was said."),
              (std::vector<std::string>{"Cadiz"}));
    // Inside a longer name they stay.
    EXPECT_EQ(ExtractEntitiesHeuristic("We read about the French Revolution."),
              (std::vector<std::string>{"French Revolution"}));
}

TEST(EntitiesTest, SentenceInitialWordsNeedEvidence) {
    // The text's own evidence: lower case elsewhere means a common word; capitalised inside a
    // sentence means a name. Works without the system word list.
    EXPECT_EQ(ExtractEntitiesHeuristic("Harbour lights glow. The harbour sleeps near Tallinn."),
              (std::vector<std::string>{"Tallinn"}));
    EXPECT_EQ(ExtractEntitiesHeuristic("Zorblat waves. Everyone loves Zorblat."),
              (std::vector<std::string>{"Zorblat"}));
    // Morphology: adverbs and participles at the start of a sentence.
    EXPECT_EQ(ExtractEntitiesHeuristic("Slowly the cart rolls. Orbiting the Sun, Mercury spins."),
              (std::vector<std::string>{"Sun", "Mercury"}));
    // A name heads its run even at the start of a sentence.
    EXPECT_EQ(ExtractEntitiesHeuristic("Mount Everest rises. Grandpa Joe smiles."),
              (std::vector<std::string>{"Mount Everest", "Grandpa Joe"}));
}

TEST(EntitiesTest, SentenceInitialCommonWordsFromTheWordList) {
    if (!EntityLexiconAvailable()) GTEST_SKIP() << "no /usr/share/dict/words (Debian wamerican)";
    EXPECT_EQ(ExtractEntitiesHeuristic("Penguins huddle in Antarctica. Rain falls on Lisbon. "
                                       "Liquid Mercury beads. Paris sleeps."),
              (std::vector<std::string>{"Antarctica", "Lisbon", "Mercury", "Paris"}));
}

}  // namespace
}  // namespace beacon::engines
