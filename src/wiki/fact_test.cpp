#include "wiki/fact.hpp"

#include <gtest/gtest.h>

#include <map>

#include "wiki/mentions.hpp"

namespace beacon::wiki {
namespace {

/// An in-memory source: titles → facts; counts lookups.
struct Shelf {
    std::map<std::string, Fact> facts;
    std::vector<std::string> asked;
    LookupFn Fn() {
        return [this](std::string_view name, std::stop_token) -> core::Result<Fact> {
            asked.emplace_back(name);
            auto it = facts.find(std::string(name));
            if (it == facts.end()) return Fact{.entity = std::string(name)};
            return it->second;
        };
    }
};

Fact Article(std::string title, std::string summary) {
    Fact f;
    f.title = std::move(title);
    f.summary = std::move(summary);
    f.resolved = true;
    f.source = "kiwix";
    return f;
}

Shelf MercuryShelf() {
    Shelf s;
    Fact dab;
    dab.ambiguous = true;
    dab.candidates = {{"Mercury (planet)", "Mercury (planet), the planet closest to the Sun"},
                      {"Mercury (element)", "Mercury (element), a chemical element"},
                      {"Mercury (mythology)", "Mercury (mythology), a Roman god"}};
    s.facts["Mercury"] = dab;
    s.facts["Mercury (planet)"] = Article("Mercury (planet)", "Mercury is the first planet.");
    s.facts["Mercury (element)"] =
        Article("Mercury (element)", "Mercury is a liquid metal with symbol Hg.");
    s.facts["Mercury (mythology)"] = Article("Mercury (mythology)", "Mercury is a Roman god.");
    return s;
}

TEST(ResolveFact, PicksTheCandidateTheItemsWordsPointAt) {
    Shelf s = MercuryShelf();
    auto f = ResolveFact(s.Fn(), "Mercury", ContextWords("Mercury orbits the Sun fast"), {});
    ASSERT_TRUE(f.ok());
    EXPECT_TRUE(f->resolved);
    EXPECT_FALSE(f->ambiguous);
    EXPECT_EQ(f->title, "Mercury (planet)");
    EXPECT_EQ(f->entity, "Mercury");
}

TEST(ResolveFact, FallsBackToTheCandidatesSummaries) {
    Shelf s = MercuryShelf();
    // "metal" is in no list item, only in the element's summary.
    auto f = ResolveFact(s.Fn(), "Mercury", ContextWords("a thermometer full of liquid metal"), {});
    ASSERT_TRUE(f.ok());
    EXPECT_EQ(f->title, "Mercury (element)");
    EXPECT_TRUE(f->resolved);
}

TEST(ResolveFact, StaysAmbiguousWithoutDecidingContext) {
    Shelf s = MercuryShelf();
    for (const char* context : {"", "a quiet evening by the river", "mercury"}) {
        auto f = ResolveFact(s.Fn(), "Mercury", ContextWords(context), {});
        ASSERT_TRUE(f.ok());
        EXPECT_FALSE(f->resolved) << context;
        EXPECT_TRUE(f->ambiguous) << context;
        EXPECT_TRUE(f->summary.empty()) << context;
        EXPECT_EQ(f->candidates.size(), 3u);
    }
    // A tie between two candidates decides nothing either.
    auto tie = ResolveFact(s.Fn(), "Mercury", ContextWords("sun and chemical"), {});
    ASSERT_TRUE(tie.ok());
    EXPECT_TRUE(tie->ambiguous);
}

TEST(ResolveFact, LeavesPlainArticlesAndMissesAlone) {
    Shelf s = MercuryShelf();
    auto hit = ResolveFact(s.Fn(), "Mercury (planet)", ContextWords("metal"), {});
    ASSERT_TRUE(hit.ok());
    EXPECT_EQ(hit->title, "Mercury (planet)");
    EXPECT_EQ(s.asked.size(), 1u);
    auto miss = ResolveFact(s.Fn(), "Atlantis", ContextWords("sun"), {});
    ASSERT_TRUE(miss.ok());
    EXPECT_FALSE(miss->resolved);
    EXPECT_FALSE(miss->ambiguous);
}

TEST(FactJson, RoundTrips) {
    Fact f = Article("Lighthouse", "A tower.");
    f.entity = "lighthouse";
    f.image_url = "/wiki/I/L.png";
    f.source_url = "/wiki/Lighthouse.html";
    f.candidates = {{"A", "a"}};
    const Fact back = FactFromJson(ToJson(f));
    EXPECT_EQ(ToJson(back), ToJson(f));
}

}  // namespace
}  // namespace beacon::wiki
