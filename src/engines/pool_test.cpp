// Host pools: choice of host, failover to another host, back-off of a host that stopped
// answering, and errors that name every host. Fake engines; no network.
#include "engines/pool.hpp"

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

namespace beacon::engines {
namespace {

/// A painter whose behaviour the test sets: succeed, fail as "down", or fail the request.
class FakePainter final : public PictureEngine {
public:
    enum class Mode { kOk, kDown, kRefuse };
    explicit FakePainter(std::string name) : name_(std::move(name)) {}
    Result<PictureResult> Paint(const PictureRequest&, const std::filesystem::path&,
                                const LogSink&, std::stop_token) override {
        ++calls;
        int now = ++running;
        int seen = max_running.load();
        while (now > seen && !max_running.compare_exchange_weak(seen, now)) {
        }
        if (hold_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(hold_ms));
        --running;
        switch (mode.load()) {
            case Mode::kDown:
                return core::Error{core::ErrorCode::kUnavailable, name_ + " refused the connection", true};
            case Mode::kRefuse:
                return core::Error{core::ErrorCode::kExternal, name_ + " says: bad workflow", false};
            case Mode::kOk:
                break;
        }
        PictureResult r;
        r.image = name_ + ".png";
        r.provenance.engine = "comfyui";
        return r;
    }
    Provenance Describe() const override { return {"comfyui", "m", Json::object(), false}; }
    std::atomic<Mode> mode{Mode::kOk};
    std::atomic<int> calls{0};
    std::atomic<int> running{0};
    std::atomic<int> max_running{0};
    int hold_ms = 0;

private:
    std::string name_;
};

struct FakeClock {
    std::chrono::steady_clock::time_point t{std::chrono::seconds(1000)};
    HostPool::Clock fn() {
        return [this] { return t; };
    }
};

TEST(HostPoolTest, SpreadsCallsOverHostsWithinTheirSlots) {
    FakePainter a("a"), b("b");
    a.hold_ms = b.hold_ms = 30;
    HostPool pool({{"http://a", 2}, {"http://b", 2}});
    PooledPictureEngine e({&a, &b}, pool, "ComfyUI");
    std::vector<std::thread> threads;
    std::atomic<int> ok{0};
    for (int i = 0; i < 12; ++i) {
        threads.emplace_back([&] {
            if (e.Paint({}, "/tmp", {}, {}).ok()) ++ok;
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(ok, 12);
    EXPECT_EQ(a.calls + b.calls, 12);
    EXPECT_GE(a.calls, 3);  // both hosts took a share
    EXPECT_GE(b.calls, 3);
    EXPECT_LE(a.max_running, 2);  // never beyond a host's slots
    EXPECT_LE(b.max_running, 2);
    auto st = pool.Status();
    EXPECT_EQ(st[0].done + st[1].done, 12);
    EXPECT_EQ(st[0].in_flight + st[1].in_flight, 0);
}

TEST(HostPoolTest, ADownHostsCallsRunElsewhereAndItLeavesRotationUntilItsBackoff) {
    FakeClock clock;
    FakePainter a("a"), b("b");
    a.mode = FakePainter::Mode::kDown;
    HostPool pool({{"http://a", 1}, {"http://b", 1}}, clock.fn(), std::chrono::seconds(2),
                  std::chrono::seconds(8));
    PooledPictureEngine e({&a, &b}, pool, "ComfyUI");
    std::vector<std::string> log;
    auto r = e.Paint({}, "/tmp", [&](const std::string& l) { log.push_back(l); }, {});
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->image, "b.png");
    EXPECT_EQ(r->provenance.parameters["host"], "http://b");
    ASSERT_FALSE(log.empty());
    EXPECT_NE(log[0].find("http://a failed"), std::string::npos) << log[0];
    // a is out of rotation: the next calls go straight to b
    int a_calls = a.calls;
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(e.Paint({}, "/tmp", {}, {}).ok());
    EXPECT_EQ(a.calls, a_calls);
    EXPECT_FALSE(pool.Status()[0].up);
    // after the back-off a recovered host is tried again only when it is needed (b busy or
    // down); a success brings it back into rotation
    a.mode = FakePainter::Mode::kOk;
    b.mode = FakePainter::Mode::kDown;
    clock.t += std::chrono::seconds(3);
    auto again = e.Paint({}, "/tmp", {}, {});
    ASSERT_TRUE(again.ok()) << again.error().message;
    EXPECT_EQ(again->image, "a.png");
    EXPECT_TRUE(pool.Status()[0].up);
    EXPECT_FALSE(pool.Status()[1].up);
}

TEST(HostPoolTest, WhenEveryHostFailsTheErrorNamesEach) {
    FakePainter a("a"), b("b");
    a.mode = FakePainter::Mode::kDown;
    b.mode = FakePainter::Mode::kRefuse;
    HostPool pool({{"http://a", 1}, {"http://b", 1}});
    PooledPictureEngine e({&a, &b}, pool, "ComfyUI");
    auto r = e.Paint({}, "/tmp", {}, {});
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("http://a: a refused the connection"), std::string::npos)
        << r.error().message;
    EXPECT_NE(r.error().message.find("http://b: b says: bad workflow"), std::string::npos);
    EXPECT_EQ(a.calls, 1);  // each host tried once for this call
    EXPECT_EQ(b.calls, 1);
    // a refused request does not take a healthy host out of rotation
    EXPECT_TRUE(pool.Status()[1].up);
    EXPECT_FALSE(pool.Status()[0].up);
}

TEST(HostPoolTest, BackoffDoublesUpToItsCap) {
    FakeClock clock;
    HostPool pool({{"h", 1}}, clock.fn(), std::chrono::seconds(2), std::chrono::seconds(5));
    std::vector<std::int64_t> waits;
    for (int i = 0; i < 4; ++i) {
        auto h = pool.Acquire({}, {});
        ASSERT_TRUE(h);
        pool.Release(*h, false, true, "down");
        auto st = pool.Status()[0];
        waits.push_back(st.retry_at_ms -
                        std::chrono::duration_cast<std::chrono::milliseconds>(
                            clock.t.time_since_epoch())
                            .count());
        clock.t += std::chrono::seconds(10);
    }
    EXPECT_EQ(waits, (std::vector<std::int64_t>{2000, 4000, 5000, 5000}));
}

TEST(HostPoolTest, StopEndsAWaitForASlot) {
    HostPool pool({{"h", 1}});
    auto held = pool.Acquire({}, {});
    ASSERT_TRUE(held);
    std::stop_source stop;
    std::thread t([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        stop.request_stop();
    });
    EXPECT_FALSE(pool.Acquire({}, stop.get_token()));
    t.join();
    // every host excluded: no candidate, no wait
    EXPECT_FALSE(pool.Acquire({0}, {}));
}

}  // namespace
}  // namespace beacon::engines
