// Host pools: choice of host, failover to another host, back-off of a host that stopped
// answering, and errors that name every host. Fake engines; no network.
#include "engines/pool.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

namespace beacon::engines {
namespace {

/// A painter whose behaviour the test sets: succeed, fail as "down", or fail the request.
class FakePainter final : public PictureEngine {
public:
    enum class Mode { kOk, kDown, kRefuse };
    explicit FakePainter(std::string name) : name_(std::move(name)) {}
    Result<PictureResult> Paint(const PictureRequest&, const std::filesystem::path&, const LogSink&,
                                std::stop_token) override {
        ++calls;
        int now = ++running;
        int seen = max_running.load();
        while (now > seen && !max_running.compare_exchange_weak(seen, now)) {
        }
        if (hold_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(hold_ms));
        --running;
        switch (mode.load()) {
            case Mode::kDown:
                return core::Error{core::ErrorCode::kUnavailable, name_ + " refused the connection",
                                   true};
            case Mode::kRefuse:
                return core::Error{core::ErrorCode::kExternal, name_ + " says: bad workflow",
                                   false};
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

TEST(HostPoolTest, AtEqualLoadTheHostThatFreesFirstGetsTheWork) {
    // Two hosts of two slots (one prompt running, one waiting behind it). When both are half
    // busy, the next call goes to the host whose running call was handed out first: it frees
    // its slot sooner. (Before, the first host in the list won every tie, and a batch's last
    // picture waited behind a host that had just started while the other was about to finish.)
    FakeClock clock;
    HostPool pool({{"http://a", 2}, {"http://b", 2}}, clock.fn());
    EXPECT_EQ(pool.Acquire({}, {}), std::optional<std::size_t>(0));  // t=0: tie, list order
    EXPECT_EQ(pool.Acquire({}, {}), std::optional<std::size_t>(1));  // b is idle
    clock.t += std::chrono::seconds(2);
    pool.Release(0, true, false, "", 1);                             // a finishes at t=2
    EXPECT_EQ(pool.Acquire({}, {}), std::optional<std::size_t>(0));  // a is idle
    clock.t += std::chrono::milliseconds(500);
    // Both hold one call: b's since t=0, a's since t=2. b frees first.
    EXPECT_TRUE(pool.Prefers(1, 0));
    EXPECT_FALSE(pool.Prefers(0, 1));
    EXPECT_EQ(pool.Acquire({}, {}), std::optional<std::size_t>(1));
    // The same for a pooled engine's placement (Take): b now takes first, so b ranks first.
    pool.Release(0, true, false, "", 1);
    pool.Release(1, true, false, "", 1);
    pool.Release(1, true, false, "", 1);  // nothing in flight anywhere
    pool.Take(1, 1, "m");                 // b: t=2.5
    clock.t += std::chrono::seconds(1);
    pool.Take(0, 1, "m");  // a: t=3.5
    EXPECT_TRUE(pool.Prefers(1, 0));
    EXPECT_FALSE(pool.Prefers(0, 1));
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
        waits.push_back(st.retry_at_ms - std::chrono::duration_cast<std::chrono::milliseconds>(
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

/// A host that loads a model per call (the style names it) and paints several pictures in one
/// call: it records every call's model and size, and names each picture after its request.
class FakeHost final : public HostPainter {
public:
    explicit FakeHost(int max_batch = 1) : max_batch_(max_batch) {}
    Result<PictureResult> Paint(const PictureRequest& req, const std::filesystem::path& dir,
                                const LogSink& log, std::stop_token stop) override {
        return std::move(PaintBatch({req}, {dir}, log, stop).front());
    }
    Provenance Describe() const override { return {"comfyui", "m", Json::object(), false}; }
    std::string ModelFor(const PictureRequest& req) const override { return req.style; }
    std::string BatchKey(const PictureRequest& req) const override {
        return max_batch_ > 1 ? req.style + "|" + std::to_string(req.width) : "";
    }
    int MaxBatch() const override { return max_batch_; }
    std::vector<Result<PictureResult>> PaintBatch(const std::vector<PictureRequest>& reqs,
                                                  const std::vector<std::filesystem::path>&,
                                                  const LogSink&, std::stop_token stop) override {
        {
            std::lock_guard lock(mu);
            if (models.empty() || models.back() != reqs.front().style) ++switches;
            models.push_back(reqs.front().style);
            sizes.push_back(static_cast<int>(reqs.size()));
            for (const auto& r : reqs) painted.push_back(r.scene.description);
        }
        for (int i = 0; i < hold_ms / 5 && !stop.stop_requested(); ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        if (stop.stop_requested()) ++interrupted;
        std::vector<Result<PictureResult>> out;
        for (const auto& r : reqs) {
            PictureResult p;
            p.image = r.scene.description + ".png";
            out.push_back(p);
        }
        return out;
    }
    std::mutex mu;
    std::vector<std::string> models;
    std::vector<int> sizes;
    std::vector<std::string> painted;
    int switches = 0;
    std::atomic<int> interrupted{0};
    int hold_ms = 20;

private:
    int max_batch_;
};

PictureRequest Picture(const std::string& name, const std::string& model) {
    PictureRequest r;
    r.scene.description = name;
    r.style = model;
    r.width = 64;
    return r;
}

TEST(PictureSchedulerTest, AMixedBatchOfTwoCheckpointsSwitchesEachHostAtMostTwice) {
    FakeHost a, b;
    HostPool pool({{"http://a", 1}, {"http://b", 1}});
    PooledPictureEngine e({&a, &b}, pool, "ComfyUI");
    std::vector<std::thread> threads;
    std::atomic<int> ok{0};
    // 16 pictures, the two checkpoints in turns of two, as a mixed batch's jobs would send
    // them (oldest-first would switch both hosts every round).
    for (int i = 0; i < 16; ++i) {
        threads.emplace_back([&, i] {
            auto r =
                e.Paint(Picture("p" + std::to_string(i), (i / 2) % 2 ? "anime.ckpt" : "photo.ckpt"),
                        "/tmp", {}, {});
            if (r.ok() && r->image == "p" + std::to_string(i) + ".png") ++ok;
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(ok, 16);
    EXPECT_EQ(a.painted.size() + b.painted.size(), 16u) << "each picture painted once";
    EXPECT_LE(a.switches, 2) << ::testing::PrintToString(a.models);
    EXPECT_LE(b.switches, 2) << ::testing::PrintToString(b.models);
    EXPECT_GE(a.painted.size(), 4u);  // both hosts worked
    EXPECT_GE(b.painted.size(), 4u);
    auto st = pool.Status();
    EXPECT_EQ(st[0].model_switches, a.switches);
    EXPECT_EQ(st[1].model_switches, b.switches);
    EXPECT_EQ(st[0].units + st[1].units, 16);
    EXPECT_EQ(st[0].queued_units + st[1].queued_units, 0);
    EXPECT_EQ(pool.Waiting(), 0u);
}

TEST(PictureSchedulerTest, PicturesThatShareAKeyGoInOnePromptAndComeBackToTheirOwnRequests) {
    FakeHost a(4);
    a.hold_ms = 60;
    HostPool pool({{"http://a", 1}});
    PooledPictureEngine e({&a}, pool, "ComfyUI");
    std::vector<std::thread> threads;
    std::atomic<int> ok{0};
    for (int i = 0; i < 9; ++i) {
        threads.emplace_back([&, i] {
            // two sizes: only pictures of the same size share a prompt
            PictureRequest r = Picture("q" + std::to_string(i), "photo.ckpt");
            r.width = i < 6 ? 64 : 128;
            auto out = e.Paint(r, "/tmp", {}, {});
            if (out.ok() && out->image == "q" + std::to_string(i) + ".png") ++ok;
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(ok, 9);
    EXPECT_EQ(a.painted.size(), 9u);
    int most = *std::max_element(a.sizes.begin(), a.sizes.end());
    EXPECT_GT(most, 1) << "pictures waiting together were batched";
    EXPECT_LE(most, 4) << "never beyond MaxBatch";
    EXPECT_LT(a.sizes.size(), 9u) << "fewer prompts than pictures";
    EXPECT_EQ(pool.Status()[0].units, 9);
}

TEST(PictureSchedulerTest, ACanceledPictureLeavesTheQueueAtOnceAndAPromptNobodyWantsIsStopped) {
    FakeHost a;
    a.hold_ms = 20000;
    HostPool pool({{"http://a", 1}});
    PooledPictureEngine e({&a}, pool, "ComfyUI");
    std::stop_source first_stop, second_stop;
    Result<PictureResult> first = core::Error::Invalid("unset"), second = first;
    std::thread t1(
        [&] { first = e.Paint(Picture("first", "m"), "/tmp", {}, first_stop.get_token()); });
    while (pool.Status()[0].in_flight == 0)
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    std::thread t2(
        [&] { second = e.Paint(Picture("second", "m"), "/tmp", {}, second_stop.get_token()); });
    while (pool.Waiting() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    const auto t0 = std::chrono::steady_clock::now();
    second_stop.request_stop();  // waiting behind the running prompt
    t2.join();
    first_stop.request_stop();  // on the host: the prompt is stopped
    t1.join();
    const auto took = std::chrono::steady_clock::now() - t0;
    ASSERT_FALSE(second.ok());
    EXPECT_EQ(second.error().code, core::ErrorCode::kCanceled);
    ASSERT_FALSE(first.ok());
    EXPECT_EQ(first.error().code, core::ErrorCode::kCanceled);
    EXPECT_LT(took, std::chrono::seconds(10)) << "neither waited for the 20 s prompt";
    EXPECT_EQ(pool.Waiting(), 0u);
    // the host is told to stop the prompt and never paints the canceled waiting picture
    for (int i = 0; i < 400 && a.interrupted == 0; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    EXPECT_EQ(a.interrupted, 1);
    std::lock_guard lock(a.mu);
    EXPECT_EQ(a.painted, std::vector<std::string>{"first"});
}

}  // namespace
}  // namespace beacon::engines
