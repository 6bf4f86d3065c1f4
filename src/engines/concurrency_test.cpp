#include "engines/concurrency.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <thread>

namespace beacon::engines {
namespace {

using namespace std::chrono_literals;

/// Hang guard for every wait below: generous, only reached when the feature is broken.
constexpr auto kHangGuard = 30s;

/// A picture engine that records how many calls overlap and lets them finish one at a time.
class GatePainter final : public PictureEngine {
public:
    Result<PictureResult> Paint(const PictureRequest&, const std::filesystem::path&, const LogSink&,
                                std::stop_token) override {
        std::unique_lock lock(mu_);
        ++active_;
        max_ = std::max(max_, active_);
        cv_.notify_all();
        cv_.wait(lock, [&] { return permits_ > 0; });
        --permits_;
        --active_;
        ++finished_;
        cv_.notify_all();
        return PictureResult{};
    }
    Provenance Describe() const override { return {"gate", "", Json::object(), false}; }
    /// Lets one waiting call finish.
    void ReleaseOne() {
        std::lock_guard lock(mu_);
        ++permits_;
        cv_.notify_all();
    }
    /// Waits (up to the hang guard) until pred holds; pred sees (active, finished).
    bool WaitUntil(const std::function<bool(int, int)>& pred) {
        std::unique_lock lock(mu_);
        return cv_.wait_for(lock, kHangGuard, [&] { return pred(active_, finished_); });
    }
    int Active() {
        std::lock_guard lock(mu_);
        return active_;
    }
    int Max() {
        std::lock_guard lock(mu_);
        return max_;
    }

private:
    std::mutex mu_;
    std::condition_variable cv_;
    int active_ = 0, max_ = 0, finished_ = 0, permits_ = 0;
};

TEST(ConcurrencyTest, LimitsParallelCalls) {
    constexpr int kCalls = 5;
    GatePainter inner;
    LimitedPictureEngine limited(inner, 2);
    std::atomic<int> started{0};
    std::vector<std::thread> ts;
    for (int i = 0; i < kCalls; ++i) {
        ts.emplace_back([&] {
            ++started;
            (void)limited.Paint({}, "", {}, {});
        });
    }
    // Every call is on its way in and two hold the slots; the others queue behind them.
    EXPECT_TRUE(inner.WaitUntil([](int active, int) { return active == 2; }));
    const auto deadline = std::chrono::steady_clock::now() + kHangGuard;
    while (started.load() < kCalls && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::yield();
    }
    EXPECT_EQ(limited.semaphore().InUse(), 2);
    // Letting one call finish at a time: a queued call takes the freed slot each time, and never
    // more than two run at once.
    int done = 0;
    while (done < kCalls) {
        inner.ReleaseOne();
        ++done;
        const int expect_active = std::min(2, kCalls - done);
        if (!inner.WaitUntil([&](int active, int finished) {
                return finished == done && active == expect_active;
            })) {
            ADD_FAILURE() << "after " << done << " finished, " << inner.Active() << " run";
            break;
        }
        EXPECT_LE(limited.semaphore().InUse(), 2);
    }
    for (; done < kCalls; ++done) inner.ReleaseOne();  // only after a failure: lets all end
    for (auto& t : ts) t.join();
    EXPECT_EQ(inner.Max(), 2);
    EXPECT_EQ(limited.semaphore().MaxInUse(), 2);
    EXPECT_EQ(limited.semaphore().InUse(), 0);
}

TEST(ConcurrencyTest, AnAlreadyStoppedTokenGetsNoSlot) {
    Semaphore s(1);
    ASSERT_TRUE(s.Acquire({}));
    std::stop_source stop;
    stop.request_stop();
    auto call = std::async(std::launch::async, [&] { return s.Acquire(stop.get_token()); });
    if (call.wait_for(kHangGuard) != std::future_status::ready) {
        s.Release();  // lets the stuck call return so the test can end
        FAIL() << "Acquire with a stopped token waited for a slot";
    }
    EXPECT_FALSE(call.get());
    s.Release();
    EXPECT_EQ(s.Available(), 1);
}

TEST(ConcurrencyTest, AWaitingCallIsCanceledByAStopRequest) {
    Semaphore s(1);
    ASSERT_TRUE(s.Acquire({}));
    std::stop_source stop;
    auto waiter = std::async(std::launch::async, [&] { return s.Acquire(stop.get_token()); });
    // The call is blocked waiting for the slot (it has not returned), and the stop is requested
    // while it waits.
    ASSERT_EQ(waiter.wait_for(100ms), std::future_status::timeout);
    EXPECT_FALSE(stop.stop_requested());
    stop.request_stop();
    if (waiter.wait_for(kHangGuard) != std::future_status::ready) {
        s.Release();  // lets the stuck waiter return so the test can end
        FAIL() << "a waiting Acquire ignored the stop request";
    }
    EXPECT_FALSE(waiter.get());
    EXPECT_EQ(s.InUse(), 1);  // the canceled call holds nothing
    s.Release();
    EXPECT_EQ(s.Available(), 1);
}

}  // namespace
}  // namespace beacon::engines
