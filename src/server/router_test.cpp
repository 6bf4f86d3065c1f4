#include "server/router.hpp"

#include <gtest/gtest.h>

namespace beacon::server {
namespace {

TEST(RouterTest, MatchesLiteralsAndParams) {
    Router<int> r;
    ASSERT_TRUE(r.Add("GET", "/api/v1/jobs", 1));
    ASSERT_TRUE(r.Add("GET", "/api/v1/jobs/{id}", 2));
    ASSERT_TRUE(r.Add("POST", "/api/v1/jobs/{id}/cancel", 3));
    auto m = r.Find("GET", SplitPath("/api/v1/jobs/42"));
    ASSERT_NE(m.route, nullptr);
    EXPECT_EQ(m.route->handler, 2);
    EXPECT_EQ(m.params.at("id"), "42");
    m = r.Find("GET", SplitPath("/api/v1/jobs"));
    ASSERT_NE(m.route, nullptr);
    EXPECT_EQ(m.route->handler, 1);
}

TEST(RouterTest, WrongMethodReportsAllowedMethods) {
    Router<int> r;
    ASSERT_TRUE(r.Add("GET", "/api/v1/content/{id}", 1));
    ASSERT_TRUE(r.Add("DELETE", "/api/v1/content/{id}", 2));
    auto m = r.Find("PUT", SplitPath("/api/v1/content/3"));
    EXPECT_EQ(m.route, nullptr);
    EXPECT_TRUE(m.path_matched);
    EXPECT_EQ(m.allowed, (std::vector<std::string>{"DELETE", "GET"}));
}

TEST(RouterTest, HeadMatchesGet) {
    Router<int> r;
    ASSERT_TRUE(r.Add("GET", "/healthz", 7));
    auto m = r.Find("HEAD", SplitPath("/healthz"));
    ASSERT_NE(m.route, nullptr);
    EXPECT_EQ(m.route->handler, 7);
}

TEST(RouterTest, UnknownPathMatchesNothing) {
    Router<int> r;
    ASSERT_TRUE(r.Add("GET", "/api/v1/jobs/{id}", 1));
    auto m = r.Find("GET", SplitPath("/api/v1/jobs/1/nope"));
    EXPECT_EQ(m.route, nullptr);
    EXPECT_FALSE(m.path_matched);
    m = r.Find("GET", SplitPath("/api/v1/jobs/"));  // empty segment is not a param
    EXPECT_EQ(m.route, nullptr);
}

TEST(RouterTest, PrefixSuffixParamWithinSegment) {
    Router<int> r;
    ASSERT_TRUE(r.Add("GET", "/live/{slug}/audio_{lang}.m3u8", 1));
    ASSERT_TRUE(r.Add("GET", "/live/{slug}/index.m3u8", 2));
    auto m = r.Find("GET", SplitPath("/live/main/audio_es.m3u8"));
    ASSERT_NE(m.route, nullptr);
    EXPECT_EQ(m.route->handler, 1);
    EXPECT_EQ(m.params.at("slug"), "main");
    EXPECT_EQ(m.params.at("lang"), "es");
    EXPECT_EQ(r.Find("GET", SplitPath("/live/main/audio_.m3u8")).route, nullptr);
    EXPECT_EQ(r.Find("GET", SplitPath("/live/main/index.m3u8")).route->handler, 2);
}

TEST(RouterTest, RestParamTakesTheRemainingSegments) {
    Router<int> r;
    ASSERT_TRUE(r.Add("GET", "/media/{key+}", 1));
    auto m = r.Find("GET", SplitPath("/media/library/12/hls/video/seg_00000.ts"));
    ASSERT_NE(m.route, nullptr);
    EXPECT_EQ(m.params.at("key"), "library/12/hls/video/seg_00000.ts");
    EXPECT_EQ(r.Find("GET", SplitPath("/media")).route, nullptr);
    EXPECT_EQ(r.Find("GET", SplitPath("/media/a//b")).route, nullptr);
}

TEST(RouterTest, LiteralBeatsParam) {
    Router<int> r;
    ASSERT_TRUE(r.Add("GET", "/x/{id}", 1));
    ASSERT_TRUE(r.Add("GET", "/x/special", 2));
    EXPECT_EQ(r.Find("GET", SplitPath("/x/special")).route->handler, 2);
    EXPECT_EQ(r.Find("GET", SplitPath("/x/other")).route->handler, 1);
}

TEST(RouterTest, RejectsMalformedPatternsAndDuplicates) {
    Router<int> r;
    EXPECT_FALSE(r.Add("GET", "no-slash", 1));
    EXPECT_FALSE(r.Add("GET", "/a/{", 1));
    EXPECT_FALSE(r.Add("GET", "/a/{}", 1));
    EXPECT_FALSE(r.Add("GET", "/a/{x+}/b", 1));
    EXPECT_TRUE(r.Add("GET", "/a/{x}", 1));
    EXPECT_FALSE(r.Add("GET", "/a/{x}", 2));
    EXPECT_TRUE(r.Add("POST", "/a/{x}", 2));
}

}  // namespace
}  // namespace beacon::server
