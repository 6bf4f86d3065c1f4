#include "wiki/wikipedia_source.hpp"

#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "tests/doubles/double_process.hpp"
#include "wiki/mentions.hpp"

namespace beacon::wiki {
namespace {

using testing::DoubleProcess;

class WikipediaSourceTest : public ::testing::Test {
protected:
    WikipediaOptions Options(const DoubleProcess& d) {
        WikipediaOptions o;
        o.base_url = d.url();
        o.user_agent = "BeaconTest/1.0 (wiki facts test; https://example.invalid/beacon)";
        return o;
    }
    engines::HttpClient http_;
};

TEST_F(WikipediaSourceTest, ReadsASummaryWithItsImageAndPageLinkAndSendsAUserAgent) {
    DoubleProcess d("wikipedia_double.py");
    WikipediaFactSource src(Options(d), http_);
    auto f = src.Lookup("Lighthouse", {});
    ASSERT_TRUE(f.ok()) << f.error().message;
    EXPECT_TRUE(f->resolved);
    EXPECT_EQ(f->source, "wikipedia");
    EXPECT_EQ(f->title, "Lighthouse");
    // Three sentences at most.
    EXPECT_EQ(f->summary,
              "A lighthouse is a tower, building, or other type of physical structure designed to "
              "emit light from a system of lamps and lenses and to serve as a beacon for "
              "navigational aid for maritime pilots at sea or on inland waterways. Lighthouses mark "
              "dangerous coastlines, hazardous shoals, reefs, rocks, and safe entries to harbors. "
              "They also assist in aerial navigation.");
    EXPECT_EQ(f->image_url,
              "https://upload.wikimedia.org/wikipedia/commons/thumb/a/a1/Lighthouse.jpg/320px-Lighthouse.jpg");
    EXPECT_EQ(f->source_url, "https://en.wikipedia.org/wiki/Lighthouse");
    auto reqs = d.RequestsTo("/api/rest_v1/page/summary/");
    ASSERT_EQ(reqs.size(), 1u);
    EXPECT_EQ(reqs[0]["headers"]["user-agent"],
              "BeaconTest/1.0 (wiki facts test; https://example.invalid/beacon)");
}

TEST_F(WikipediaSourceTest, FollowsRedirectsAndTriesTitleCase) {
    DoubleProcess d("wikipedia_double.py");
    WikipediaFactSource src(Options(d), http_);
    auto pharos = src.Lookup("Pharos", {});
    ASSERT_TRUE(pharos.ok()) << pharos.error().message;
    EXPECT_EQ(pharos->title, "Lighthouse");
    EXPECT_EQ(pharos->entity, "Pharos");
    auto lower = src.Lookup("eddystone lighthouse", {});
    ASSERT_TRUE(lower.ok()) << lower.error().message;
    EXPECT_TRUE(lower->resolved);
    EXPECT_EQ(lower->title, "Eddystone Lighthouse");
}

TEST_F(WikipediaSourceTest, A404IsAnUnresolvedEntityNotAnError) {
    DoubleProcess d("wikipedia_double.py");
    WikipediaFactSource src(Options(d), http_);
    auto f = src.Lookup("Zanzibar Sky Tower", {});
    ASSERT_TRUE(f.ok()) << f.error().message;
    EXPECT_FALSE(f->resolved);
    EXPECT_FALSE(f->ambiguous);
    EXPECT_TRUE(f->summary.empty());
}

TEST_F(WikipediaSourceTest, ADisambiguationAnswerIsNeverAFactButItsListResolvesByContext) {
    DoubleProcess d("wikipedia_double.py");
    WikipediaFactSource src(Options(d), http_);
    auto f = src.Lookup("Mercury", {});
    ASSERT_TRUE(f.ok()) << f.error().message;
    EXPECT_FALSE(f->resolved);
    EXPECT_TRUE(f->ambiguous);
    EXPECT_TRUE(f->summary.empty());
    ASSERT_EQ(f->candidates.size(), 2u);
    EXPECT_EQ(f->candidates[0].title, "Mercury (planet)");
    LookupFn lookup = [&](std::string_view n, std::stop_token s) { return src.Lookup(n, s); };
    auto metal = ResolveFact(lookup, "Mercury", ContextWords("a metallic liquid in the glass"), {});
    ASSERT_TRUE(metal.ok());
    EXPECT_TRUE(metal->resolved);
    EXPECT_EQ(metal->title, "Mercury (element)");
    EXPECT_EQ(metal->source_url, "https://en.wikipedia.org/wiki/Mercury_(element)");
}

TEST_F(WikipediaSourceTest, HonoursRetryAfterOn429) {
    DoubleProcess d("wikipedia_double.py", {"--busy", "1", "--retry-after", "1"});
    WikipediaFactSource src(Options(d), http_);
    const auto t0 = std::chrono::steady_clock::now();
    auto f = src.Lookup("Lighthouse", {});
    const auto waited = std::chrono::steady_clock::now() - t0;
    ASSERT_TRUE(f.ok()) << f.error().message;
    EXPECT_TRUE(f->resolved);
    auto reqs = d.RequestsTo("/api/rest_v1/page/summary/");
    ASSERT_EQ(reqs.size(), 2u);
    EXPECT_EQ(reqs[0]["status"], 429);
    EXPECT_EQ(reqs[1]["status"], 200);
    // The second request came after the announced second (a lower bound, not a speed check).
    EXPECT_GE(waited, std::chrono::milliseconds(950));
}

TEST_F(WikipediaSourceTest, GivesUpWhenStillRateLimitedAndSaysWhy) {
    DoubleProcess d("wikipedia_double.py", {"--busy", "100", "--retry-after", "1"});
    WikipediaOptions o = Options(d);
    o.max_attempts = 2;
    WikipediaFactSource src(o, http_);
    auto f = src.Lookup("Lighthouse", {});
    ASSERT_FALSE(f.ok());
    EXPECT_EQ(f.error().code, core::ErrorCode::kRateLimited) << f.error().message;
    EXPECT_EQ(d.RequestsTo("/api/rest_v1/page/summary/").size(), 2u);
}

TEST_F(WikipediaSourceTest, NeverHasMoreThanThreeRequestsInFlight) {
    DoubleProcess d("wikipedia_double.py", {"--delay", "0.3"});
    WikipediaFactSource src(Options(d), http_);
    std::vector<std::future<core::Result<Fact>>> running;
    for (int i = 0; i < 8; ++i) {
        running.push_back(std::async(std::launch::async, [&src] {
            return src.Lookup("Lighthouse", {});
        }));
    }
    for (auto& r : running) {
        auto f = r.get();
        ASSERT_TRUE(f.ok()) << f.error().message;
        EXPECT_TRUE(f->resolved);
    }
    EXPECT_EQ(d.RequestsTo("/api/rest_v1/page/summary/").size(), 8u);
    // The double counts requests it is answering at once.
    DoubleProcess* dp = &d;
    engines::HttpRequest stats;
    stats.url = dp->url() + "/__double/stats";
    auto s = http_.Send(stats);
    ASSERT_TRUE(s.ok());
    auto j = core::Json::parse(s->body);
    EXPECT_EQ(j["max_in_flight"], 3) << s->body;
}

TEST_F(WikipediaSourceTest, AnUnreachableWikipediaIsAnError) {
    WikipediaOptions o;
    o.base_url = "http://127.0.0.1:1";
    o.user_agent = "BeaconTest/1.0";
    o.max_attempts = 1;
    WikipediaFactSource src(o, http_);
    auto f = src.Lookup("Lighthouse", {});
    ASSERT_FALSE(f.ok());
}

}  // namespace
}  // namespace beacon::wiki
