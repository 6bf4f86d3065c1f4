// Hardening of the HTTP front (issue 10) against a real server: a WebSocket replay is capped and
// tells the client to refetch, handshake errors have the JSON error shape, idle connections make
// room at the connection cap, password hashing has its own bounded pool, and failed logins have
// a budget across all addresses.
#include <sys/socket.h>
#include <sys/time.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <thread>
#include <vector>

#include <boost/asio.hpp>

#include "server/auth.hpp"
#include "server_test_client.hpp"

namespace beacon::server::testing {
namespace {

using core::Json;

class ReplayCapTest : public ServerFixture {
    void Configure(ServerOptions& o, ServerDeps&) override { o.ws_max_replay = 10; }
};

TEST_F(ReplayCapTest, AResumeTooFarBackIsNotReplayedButAsksTheClientToRefetch) {
    auto h = Bearer();
    const std::uint64_t first = events_.Publish("content.updated", Json{{"id", 0}});
    for (int i = 1; i < 50; ++i) events_.Publish("content.updated", Json{{"id", i}});
    for (bool by_message : {false, true}) {
        std::string target = "/api/v1/events";
        if (!by_message) target += "?after=" + std::to_string(first);
        WsClient ws(port_, target, h);
        if (by_message) ws.Send(Json{{"type", "resume"}, {"after", first}}.dump());
        auto r = ws.Next();
        ASSERT_TRUE(r);
        EXPECT_EQ((*r)["type"], "resync");
        EXPECT_NE((*r).value("reason", "").find("refetch"), std::string::npos) << r->dump();
        // Nothing of the 49 missed events follows; the next message is the next live event.
        const std::uint64_t live = events_.Publish("content.updated", Json{{"id", 99}});
        auto n = ws.Next();
        ASSERT_TRUE(n);
        EXPECT_EQ((*n)["seq"], live);
    }
    // A client a few events behind gets them replayed, no resync.
    const std::uint64_t newest = events_.LastSeq();
    WsClient near(port_, "/api/v1/events?after=" + std::to_string(newest - 3), h);
    for (std::uint64_t seq = newest - 2; seq <= newest; ++seq) {
        auto m = near.Next();
        ASSERT_TRUE(m);
        EXPECT_EQ((*m)["seq"], seq);
    }
}

class HardeningTest : public ServerFixture {};

std::string Upgrade(std::uint16_t port, const std::string& extra) {
    return "GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
           "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" + extra + "\r\n";
}

TEST_F(HardeningTest, WebSocketHandshakeErrorsHaveTheJsonErrorShape) {
    auto h = Bearer();
    std::string bearer = "Authorization: Bearer " + token_ + "\r\n";
    std::string key = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
    struct Case {
        std::string extra;
        unsigned status;
    };
    for (const auto& c : {Case{"Sec-WebSocket-Version: 8\r\n" + key + bearer, 426},
                          Case{"Sec-WebSocket-Version: 13\r\n" + bearer, 400},
                          Case{"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: x\r\n" + bearer, 400},
                          Case{"Sec-WebSocket-Version: 13\r\n" + key, 401}}) {
        auto r = SendRaw(port_, Upgrade(port_, c.extra));
        EXPECT_EQ(r.status, c.status) << c.extra;
        EXPECT_EQ(r.Header("content-type"), "application/json") << c.extra;
        EXPECT_FALSE(r.ErrorCode().empty()) << r.body;
    }
    auto r = SendRaw(port_, Upgrade(port_, "Sec-WebSocket-Version: 8\r\n" + key + bearer));
    EXPECT_EQ(r.Header("sec-websocket-version"), "13");
    EXPECT_TRUE(Healthy());
}

class ConnectionCapTest : public ServerFixture {
    void Configure(ServerOptions& o, ServerDeps&) override {
        o.max_connections = 4;
        o.idle_timeout = std::chrono::seconds(600);  // only making room closes them here
    }
};

TEST_F(ConnectionCapTest, AtTheCapTheLongestIdleConnectionMakesRoom) {
    namespace asio = boost::asio;
    asio::io_context ioc;
    std::vector<asio::ip::tcp::socket> idle;
    for (int i = 0; i < 4; ++i) {
        idle.emplace_back(ioc);
        idle.back().connect({asio::ip::make_address("127.0.0.1"), port_});
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // accepted, all idle
    // Four idle connections hold every slot: new requests are still answered, each closing
    // the connection that waited longest.
    for (int i = 0; i < 6; ++i) EXPECT_TRUE(Healthy()) << i;
    // The first idle connection was closed by the server (the read's timeout is a hang guard).
    const int fd = idle.front().native_handle();
    timeval guard{20, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &guard, sizeof guard);
    char byte;
    ssize_t n = ::recv(fd, &byte, 1, 0);
    int err = n < 0 ? errno : 0;
    EXPECT_TRUE(n == 0 || err == ECONNRESET) << "recv: " << n << " " << std::strerror(err);
}

class PasswordPoolTest : public ServerFixture {
    void Configure(ServerOptions& o, ServerDeps&) override {
        o.password_params = PasswordParams{3, 64 * 1024, 1};  // a real, slow argon2id
        o.password_threads = 1;
        o.password_queue = 1;
        o.login_free_failures = 1000;
        o.login_global_failures_per_minute = 1000;
    }
};

TEST_F(PasswordPoolTest, ALoginFloodGets503BeyondTheQueueAndOtherRoutesKeepAnswering) {
    SetUpPassword("correct horse battery");
    constexpr int kClients = 16;
    std::atomic<int> busy{0}, wrong{0}, other{0};
    std::vector<std::thread> flood;
    for (int i = 0; i < kClients; ++i) {
        flood.emplace_back([&] {
            auto r = Call("POST", "/api/v1/auth/login", R"({"password":"wrong password"})");
            if (r.status == 503) {
                ++busy;
                EXPECT_EQ(r.ErrorCode(), "unavailable");
                EXPECT_FALSE(r.Header("retry-after").empty());
            } else if (r.status == 401) {
                ++wrong;
            } else {
                ++other;
            }
        });
    }
    int healthy = 0;
    for (int i = 0; i < 5; ++i) healthy += Healthy() ? 1 : 0;
    for (auto& t : flood) t.join();
    EXPECT_EQ(healthy, 5);
    EXPECT_GT(busy.load(), 0) << "one hashing thread and a queue of one: most are turned away";
    EXPECT_GT(wrong.load(), 0);
    EXPECT_EQ(other.load(), 0);
    EXPECT_EQ(Call("POST", "/api/v1/auth/login", R"({"password":"correct horse battery"})").status,
              200u);
}

class GlobalLoginBudgetTest : public ServerFixture {
    void Configure(ServerOptions& o, ServerDeps&) override {
        o.login_free_failures = 1000;  // the per-address throttle stays out of the way
        o.login_global_failures_per_minute = 3;
    }
};

TEST_F(GlobalLoginBudgetTest, FailedLoginsFromEverywhereShareOneBudget) {
    SetUpPassword("correct horse battery");
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(Call("POST", "/api/v1/auth/login", R"({"password":"wrong password"})").status,
                  401u);
    }
    auto r = Call("POST", "/api/v1/auth/login", R"({"password":"correct horse battery"})");
    EXPECT_EQ(r.status, 429u) << r.body;
    EXPECT_FALSE(r.Header("retry-after").empty());
}

TEST(LoginThrottle, GlobalBudgetCountsFailuresOfAllClientsWithinAMinute) {
    LoginThrottle t(1000, std::chrono::seconds(1), std::chrono::minutes(15), 3);
    auto now = LoginThrottle::Clock::now();
    t.RecordFailure("10.0.0.1", now);
    t.RecordFailure("10.0.0.2", now);
    EXPECT_EQ(t.RetryAfter("10.0.0.3", now).count(), 0);
    t.RecordFailure("10.0.0.3", now + std::chrono::seconds(10));
    EXPECT_EQ(t.RetryAfter("10.0.0.4", now + std::chrono::seconds(10)),
              std::chrono::seconds(50));
    EXPECT_EQ(t.RetryAfter("10.0.0.4", now + std::chrono::seconds(61)).count(), 0);
}

}  // namespace
}  // namespace beacon::server::testing
