#include "engines/concurrency.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace beacon::engines {
namespace {

/// A picture engine that records how many calls overlap and waits for a release signal.
class GatePainter final : public PictureEngine {
public:
    Result<PictureResult> Paint(const PictureRequest&, const std::filesystem::path&, const LogSink&,
                                std::stop_token) override {
        int now = ++active_;
        int prev = max_.load();
        while (now > prev && !max_.compare_exchange_weak(prev, now)) {
        }
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return open_; });
        --active_;
        return PictureResult{};
    }
    Provenance Describe() const override { return {"gate", "", Json::object(), false}; }
    void Open() {
        std::lock_guard lock(mu_);
        open_ = true;
        cv_.notify_all();
    }
    std::atomic<int> active_{0}, max_{0};

private:
    std::mutex mu_;
    std::condition_variable cv_;
    bool open_ = false;
};

TEST(ConcurrencyTest, LimitsParallelCalls) {
    GatePainter inner;
    LimitedPictureEngine limited(inner, 2);
    std::vector<std::thread> ts;
    for (int i = 0; i < 5; ++i) ts.emplace_back([&] { (void)limited.Paint({}, "", {}, {}); });
    while (inner.active_.load() < 2) std::this_thread::yield();
    EXPECT_EQ(limited.semaphore().InUse(), 2);
    inner.Open();
    for (auto& t : ts) t.join();
    EXPECT_EQ(inner.max_.load(), 2);
    EXPECT_EQ(limited.semaphore().MaxInUse(), 2);
}

TEST(ConcurrencyTest, WaitingCallIsCanceled) {
    Semaphore s(1);
    ASSERT_TRUE(s.Acquire({}));
    std::stop_source stop;
    std::thread t([&] { stop.request_stop(); });
    EXPECT_FALSE(s.Acquire(stop.get_token()));
    t.join();
    s.Release();
    EXPECT_EQ(s.Available(), 1);
}

}  // namespace
}  // namespace beacon::engines
