#include "server/http_util.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace beacon::server {
namespace {

TEST(HttpUtilTest, EveryErrorCodeMapsToAStatus) {
    using core::ErrorCode;
    EXPECT_EQ(HttpStatusFor(ErrorCode::kInvalidArgument), 400u);
    EXPECT_EQ(HttpStatusFor(ErrorCode::kUnauthorized), 401u);
    EXPECT_EQ(HttpStatusFor(ErrorCode::kForbidden), 403u);
    EXPECT_EQ(HttpStatusFor(ErrorCode::kNotFound), 404u);
    EXPECT_EQ(HttpStatusFor(ErrorCode::kConflict), 409u);
    EXPECT_EQ(HttpStatusFor(ErrorCode::kTooLarge), 413u);
    EXPECT_EQ(HttpStatusFor(ErrorCode::kRateLimited), 429u);
    EXPECT_EQ(HttpStatusFor(ErrorCode::kTimeout), 504u);
    EXPECT_EQ(HttpStatusFor(ErrorCode::kUnavailable), 503u);
    EXPECT_EQ(HttpStatusFor(ErrorCode::kExternal), 502u);
    EXPECT_EQ(HttpStatusFor(ErrorCode::kInternal), 500u);
}

TEST(HttpUtilTest, ErrorJsonHasCodeAndMessage) {
    auto j = nlohmann::json::parse(ErrorJson("not_found", "no job 7"));
    EXPECT_EQ(j["error"]["code"], "not_found");
    EXPECT_EQ(j["error"]["message"], "no job 7");
}

TEST(HttpUtilTest, PercentDecoding) {
    EXPECT_EQ(PercentDecode("a%20b+c"), "a b+c");
    EXPECT_EQ(QueryDecode("a%20b+c"), "a b c");
    EXPECT_EQ(PercentDecode("%2e%2E"), "..");
    EXPECT_FALSE(PercentDecode("%2"));
    EXPECT_FALSE(PercentDecode("%zz"));
    EXPECT_FALSE(PercentDecode("a%00b"));
}

TEST(HttpUtilTest, PathSegmentsRejectTraversal) {
    EXPECT_EQ(*DecodePathSegments("/media/library/1/video.mp4"),
              (std::vector<std::string>{"media", "library", "1", "video.mp4"}));
    EXPECT_FALSE(DecodePathSegments("/media/../x"));
    EXPECT_FALSE(DecodePathSegments("/media/%2e%2e/x"));
    EXPECT_FALSE(DecodePathSegments("/media/library/..%2f..%2f"));
    EXPECT_FALSE(DecodePathSegments("/media/a%5cb"));
    EXPECT_FALSE(DecodePathSegments("/media/./x"));
    EXPECT_FALSE(DecodePathSegments("relative"));
}

TEST(HttpUtilTest, QueryParsing) {
    auto q = ParseQuery("q=hello%20world&limit=5&flag&q=second");
    ASSERT_TRUE(q);
    EXPECT_EQ(q->at("q"), "hello world");
    EXPECT_EQ(q->at("limit"), "5");
    EXPECT_EQ(q->at("flag"), "");
    EXPECT_FALSE(ParseQuery("a=%G1"));
}

TEST(HttpUtilTest, RangeHeader) {
    auto r = ParseRange("bytes=0-99", 1000);
    EXPECT_EQ(r.kind, RangeKind::kSatisfiable);
    EXPECT_EQ(r.range.first, 0u);
    EXPECT_EQ(r.range.length, 100u);
    r = ParseRange("bytes=900-", 1000);
    EXPECT_EQ(r.range.first, 900u);
    EXPECT_EQ(r.range.length, 100u);
    r = ParseRange("bytes=-10", 1000);
    EXPECT_EQ(r.range.first, 990u);
    EXPECT_EQ(r.range.length, 10u);
    r = ParseRange("bytes=990-5000", 1000);
    EXPECT_EQ(r.range.length, 10u);
    EXPECT_EQ(ParseRange("bytes=1000-", 1000).kind, RangeKind::kUnsatisfiable);
    EXPECT_EQ(ParseRange("bytes=0-", 0).kind, RangeKind::kUnsatisfiable);
    EXPECT_EQ(ParseRange("bytes=5-1", 1000).kind, RangeKind::kNone);
    EXPECT_EQ(ParseRange("bytes=0-1,5-6", 1000).kind, RangeKind::kNone);
    EXPECT_EQ(ParseRange("items=0-1", 1000).kind, RangeKind::kNone);
    EXPECT_EQ(ParseRange("bytes=x-1", 1000).kind, RangeKind::kNone);
}

TEST(HttpUtilTest, ContentTypes) {
    EXPECT_EQ(ContentTypeFor("library/1/video.mp4"), "video/mp4");
    EXPECT_EQ(ContentTypeFor("a/master.m3u8"), "application/vnd.apple.mpegurl");
    EXPECT_EQ(ContentTypeFor("seg_00001.ts"), "video/mp2t");
    EXPECT_EQ(ContentTypeFor("x.m4s"), "video/iso.segment");
    EXPECT_EQ(ContentTypeFor("c.vtt"), "text/vtt; charset=utf-8");
    EXPECT_EQ(ContentTypeFor("t.JPG"), "image/jpeg");
    EXPECT_EQ(ContentTypeFor("p.png"), "image/png");
    EXPECT_EQ(ContentTypeFor("s.json"), "application/json");
    EXPECT_EQ(ContentTypeFor("v.wav"), "audio/wav");
    EXPECT_EQ(ContentTypeFor("v.mp3"), "audio/mpeg");
    EXPECT_EQ(ContentTypeFor("noext"), "application/octet-stream");
}

TEST(HttpUtilTest, HttpDatesRoundTrip) {
    EXPECT_EQ(HttpDate(784111777), "Sun, 06 Nov 1994 08:49:37 GMT");
    EXPECT_EQ(ParseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777);
    EXPECT_FALSE(ParseHttpDate("yesterday"));
}

TEST(HttpUtilTest, CookiesLoopbackIdsSecrets) {
    EXPECT_EQ(CookieValue("a=1; beacon_session=xyz; b=2", "beacon_session"), "xyz");
    EXPECT_EQ(CookieValue("a=1", "beacon_session"), "");
    EXPECT_TRUE(IsLoopbackHost("127.0.0.1"));
    EXPECT_TRUE(IsLoopbackHost("::1"));
    EXPECT_FALSE(IsLoopbackHost("0.0.0.0"));
    EXPECT_EQ(ParsePositiveId("42"), 42);
    EXPECT_FALSE(ParsePositiveId("0"));
    EXPECT_FALSE(ParsePositiveId("-1"));
    EXPECT_FALSE(ParsePositiveId("1x"));
    EXPECT_FALSE(ParsePositiveId("99999999999999999999999"));
    EXPECT_TRUE(SecretEquals("abc", "abc"));
    EXPECT_FALSE(SecretEquals("abc", "abd"));
    EXPECT_FALSE(SecretEquals("abc", "abcd"));
}

}  // namespace
}  // namespace beacon::server
