#include "engines/http_client.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "tests/doubles/double_process.hpp"

namespace beacon::engines {
namespace {

using testing::DoubleProcess;

TEST(HttpClientTest, RetriesFiveHundredThenSucceeds) {
    DoubleProcess d("ollama_double.py", {"--fail", "500", "--fail-times", "2"});
    HttpClient http;
    HttpRequest req;
    req.method = "POST";
    req.url = d.url() + "/api/chat";
    req.body = R"({"model":"llama3.2","messages":[],"stream":false})";
    RetryPolicy p;
    p.base_delay = std::chrono::milliseconds(10);
    auto r = CallWithRetry(http, {"Ollama", nullptr}, req, p, {});
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->status, 200);
}

TEST(HttpClientTest, HonoursRetryAfterAndGivesUp) {
    DoubleProcess d("ollama_double.py", {"--busy", "--retry-after", "1"});
    HttpClient http;
    HttpRequest req;
    req.method = "POST";
    req.url = d.url() + "/api/chat";
    req.body = R"({"model":"llama3.2","messages":[]})";
    RetryPolicy p;
    p.max_attempts = 2;
    p.base_delay = std::chrono::milliseconds(1);
    auto t0 = std::chrono::steady_clock::now();
    auto r = CallWithRetry(http, {"Ollama", nullptr}, req, p, {});
    auto took = std::chrono::steady_clock::now() - t0;
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, core::ErrorCode::kUnavailable);
    EXPECT_TRUE(r.error().retryable);
    EXPECT_NE(r.error().message.find("Ollama"), std::string::npos);
    EXPECT_NE(r.error().message.find(req.url), std::string::npos);
    EXPECT_NE(r.error().message.find("503"), std::string::npos);
    EXPECT_GE(took, std::chrono::milliseconds(900));  // waited the advised second
}

TEST(HttpClientTest, NotFoundIsNotRetried) {
    DoubleProcess d("ollama_double.py");
    HttpClient http;
    HttpRequest req;
    req.method = "POST";
    req.url = d.url() + "/api/chat";
    req.body = R"({"model":"nope","messages":[]})";
    auto r = CallWithRetry(http, {"Ollama", nullptr}, req, {}, {});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, core::ErrorCode::kNotFound);
    EXPECT_FALSE(r.error().retryable);
}

TEST(HttpClientTest, UnreachableNamesTheUrl) {
    HttpClient http;
    HttpRequest req;
    req.url = "http://127.0.0.1:1/api/tags";
    RetryPolicy p;
    p.max_attempts = 1;
    auto r = CallWithRetry(http, {"Ollama", nullptr}, req, p, {});
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("http://127.0.0.1:1/api/tags"), std::string::npos);
    EXPECT_NE(r.error().message.find("unreachable"), std::string::npos);
}

TEST(HttpClientTest, CancellationStopsASlowRequestPromptly) {
    DoubleProcess d("ollama_double.py", {"--delay", "120"});
    HttpClient http;
    HttpRequest req;
    req.method = "POST";
    req.url = d.url() + "/api/chat";
    req.body = R"({"model":"llama3.2","messages":[],"stream":false})";
    std::stop_source stop;
    std::jthread canceller([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        stop.request_stop();
    });
    auto t0 = std::chrono::steady_clock::now();
    auto r = http.Send(req, stop.get_token());
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, core::ErrorCode::kCanceled);
    // Hang guard only: the double answers after 120 s, so returning at all before that means
    // the cancellation ended the request.
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(60));
}

TEST(HttpClientTest, Helpers) {
    EXPECT_EQ(ParseRetryAfter("3"), std::chrono::seconds(3));
    EXPECT_EQ(ParseRetryAfter("soon"), std::chrono::milliseconds(0));
    EXPECT_EQ(JoinUrl("http://h:1/", "/api"), "http://h:1/api");
    EXPECT_EQ(UrlEncode("a b/c"), "a%20b%2Fc");
    EXPECT_EQ(*Base64Decode(Base64Encode("hello!")), "hello!");
    EXPECT_FALSE(Base64Decode("@@@").ok());
}

}  // namespace
}  // namespace beacon::engines
