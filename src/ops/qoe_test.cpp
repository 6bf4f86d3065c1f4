#include "ops/qoe.hpp"

#include <gtest/gtest.h>

#include "core/model.hpp"

namespace beacon::ops {
namespace {

using core::Json;
using Clock = std::chrono::steady_clock;

server::Request Post(const std::string& body, bool signed_in = true) {
    server::Request r;
    r.method = "POST";
    r.raw_path = "/api/v1/qoe";
    r.msg.body() = body;
    if (signed_in) {
        r.who.via = server::Identity::Via::kSession;
        r.who.user_id = 7;
    }
    return r;
}

std::string ErrorCode(const server::Reply& r) {
    return Json::parse(r.body, nullptr, false).value("error", Json::object()).value("code", "");
}

TEST(Qoe, AReportBecomesPlayerSeriesWithoutContentLabels) {
    Registry reg;
    QoeMetrics qoe(reg);
    auto route = QoeRoute(qoe);
    EXPECT_EQ(route.method, "POST");
    EXPECT_EQ(route.pattern, "/api/v1/qoe");
    EXPECT_EQ(route.max_body_bytes, kQoeMaxBody);  // the server answers 413 before the handler
    auto req = Post(R"({"v":1,"startup_seconds":[0.5,2.5],"stalls":3,"stall_seconds":4.5,)"
                    R"("errors":{"network":2,"decode":0}})");
    auto reply = route.handle(req);
    ASSERT_EQ(reply.status, 204u) << reply.body;

    std::string text = reg.Render();
    EXPECT_NE(text.find("# TYPE beacon_player_startup_seconds histogram"), std::string::npos);
    EXPECT_NE(text.find("beacon_player_startup_seconds_count 2\n"), std::string::npos) << text;
    EXPECT_NE(text.find("beacon_player_startup_seconds_sum 3\n"), std::string::npos) << text;
    EXPECT_NE(text.find("beacon_player_startup_seconds_bucket{le=\"0.5\"} 1\n"), std::string::npos);
    EXPECT_NE(text.find("beacon_player_stalls_total 3\n"), std::string::npos) << text;
    EXPECT_NE(text.find("beacon_player_stall_seconds_total 4.5\n"), std::string::npos) << text;
    EXPECT_NE(text.find("beacon_player_errors_total{class=\"network\"} 2\n"), std::string::npos);
    EXPECT_NE(text.find("beacon_player_errors_total{class=\"decode\"} 0\n"), std::string::npos);
    // Only the class label exists on player series: no user, item or path.
    for (std::size_t at = text.find("beacon_player_"); at != std::string::npos;
         at = text.find("beacon_player_", at + 1)) {
        std::string line = text.substr(at, text.find('\n', at) - at);
        auto brace = line.find('{');
        if (brace == std::string::npos) continue;
        std::string labels = line.substr(brace, line.find('}') - brace);
        EXPECT_TRUE(labels.starts_with("{class=") || labels.starts_with("{le=")) << line;
    }

    // A second report adds to the first.
    auto again = Post(R"({"stalls":1,"errors":{"network":1}})");
    ASSERT_EQ(route.handle(again).status, 204u);
    text = reg.Render();
    EXPECT_NE(text.find("beacon_player_stalls_total 4\n"), std::string::npos) << text;
    EXPECT_NE(text.find("beacon_player_errors_total{class=\"network\"} 3\n"), std::string::npos);
}

TEST(Qoe, BadBodiesAre400AndCountNothing) {
    Registry reg;
    QoeMetrics qoe(reg);
    auto route = QoeRoute(qoe);
    const std::vector<std::pair<std::string, std::string>> bad = {
        {"", "body"},
        {"not json", "body"},
        {"[1,2]", "body"},
        {R"({"v":2})", "v"},
        {R"({"stalls":-1})", "stalls"},
        {R"({"stalls":1.5})", "stalls"},
        {R"({"stalls":"3"})", "stalls"},
        {R"({"stalls":10001})", "stalls"},
        {R"({"stall_seconds":-0.1})", "stall_seconds"},
        {R"({"stall_seconds":1e9})", "stall_seconds"},
        {R"({"startup_seconds":1.2})", "startup_seconds"},
        {R"({"startup_seconds":[0.5,601]})", "startup_seconds[1]"},
        {R"({"startup_seconds":[null]})", "startup_seconds[0]"},
        {R"({"startup_seconds":[)" + std::string(20 * 2, ' ') +
             "0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]}",
         "startup_seconds"},
        {R"({"errors":["network"]})", "errors"},
        {R"({"errors":{"item/17":1}})", "errors.item/17"},
        {R"({"errors":{"network":1001}})", "errors.network"},
        {R"({"content_id":17})", "content_id"},
    };
    for (const auto& [body, field] : bad) {
        auto req = Post(body);
        auto reply = route.handle(req);
        EXPECT_EQ(reply.status, 400u) << body;
        EXPECT_EQ(ErrorCode(reply), "invalid_argument") << body << " → " << reply.body;
        EXPECT_NE(reply.body.find(field), std::string::npos) << body << " → " << reply.body;
    }
    std::string text = reg.Render();
    EXPECT_EQ(text.find("beacon_player_startup_seconds_count"), std::string::npos) << text;
    EXPECT_NE(text.find("beacon_player_stalls_total 0\n"), std::string::npos) << text;
    EXPECT_EQ(text.find("item/17"), std::string::npos);
}

TEST(Qoe, OversizeIs413AndStrangersAre401) {
    Registry reg;
    QoeMetrics qoe(reg);
    auto route = QoeRoute(qoe);
    std::string big = R"({"stalls":1,"stall_seconds":1)" + std::string(kQoeMaxBody, ' ') + "}";
    auto req = Post(big);
    EXPECT_EQ(route.handle(req).status, 413u);
    auto just_fits = Post(R"({"stalls":1)" + std::string(kQoeMaxBody - 12, ' ') + "}");
    ASSERT_EQ(just_fits.msg.body().size(), kQoeMaxBody);
    EXPECT_EQ(route.handle(just_fits).status, 204u);

    auto stranger = Post(R"({"stalls":5})", false);
    EXPECT_EQ(route.handle(stranger).status, 401u);
    EXPECT_NE(reg.Render().find("beacon_player_stalls_total 1\n"), std::string::npos);
}

TEST(Qoe, EachClientIsRateLimitedAndRecovers) {
    Registry reg;
    QoeMetrics qoe(reg, QoeOptions{6, 3});  // 6 a minute, 3 at once
    QoeReport one;
    one.stalls = 1;
    auto t0 = Clock::now();
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(qoe.Record("user:1", one, t0).ok()) << i;
    auto st = qoe.Record("user:1", one, t0);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().code, core::ErrorCode::kRateLimited);
    EXPECT_GT(st.error().retry_after.count(), 0);
    EXPECT_LE(st.error().retry_after.count(), 10000);
    EXPECT_TRUE(qoe.Record("user:2", one, t0).ok());  // another player is not held
    EXPECT_TRUE(qoe.Record("user:1", one, t0 + std::chrono::seconds(10)).ok());  // refilled
    EXPECT_NE(reg.Render().find("beacon_player_stalls_total 5\n"), std::string::npos);

    // Through the route: 429 with Retry-After.
    Registry reg2;
    QoeMetrics limited(reg2, QoeOptions{1, 1});
    auto route = QoeRoute(limited);
    auto a = Post(R"({"stalls":1})");
    EXPECT_EQ(route.handle(a).status, 204u);
    auto b = Post(R"({"stalls":1})");
    auto reply = route.handle(b);
    EXPECT_EQ(reply.status, 429u);
    bool retry_after = false;
    for (const auto& [k, v] : reply.headers) retry_after = retry_after || k == "Retry-After";
    EXPECT_TRUE(retry_after);
}

}  // namespace
}  // namespace beacon::ops
