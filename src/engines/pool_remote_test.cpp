// A pool of three ComfyUI stand-ins: one lacks the checkpoint, one is killed mid-run. Every
// scene is painted once, on a host that has the checkpoint; the dead host's work moves on.
#include <atomic>
#include <memory>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "engines/comfyui.hpp"
#include "engines/factory.hpp"
#include "engines/http_client.hpp"
#include "engines/pool.hpp"
#include "tests/doubles/double_process.hpp"

namespace beacon::engines {
namespace {

using testing::DoubleProcess;

ComfyOptions OptsFor(const std::string& url) {
    ComfyOptions o;
    o.host = url;
    o.checkpoint = "v1-5-pruned-emaonly.safetensors";
    o.steps = 4;
    o.timeout = std::chrono::seconds(30);
    o.poll_interval = std::chrono::milliseconds(50);
    o.retry.max_attempts = 2;
    o.retry.base_delay = std::chrono::milliseconds(10);
    return o;
}

TEST(HostPoolRemoteTest, ScenesLandOnHostsWithTheCheckpointAndSurviveAHostDying) {
    DoubleProcess good("comfyui_double.py", {"--step-delay", "0.02"});
    DoubleProcess lacking("comfyui_double.py", {"--checkpoints", "other.safetensors"});
    auto dying = std::make_unique<DoubleProcess>("comfyui_double.py",
                                                 std::vector<std::string>{"--step-delay", "0.05"});
    const std::string dying_url = dying->url();
    HttpClient http;
    ComfyPictureEngine a(OptsFor(good.url()), http), b(OptsFor(lacking.url()), http),
        c(OptsFor(dying_url), http);
    HostPool pool({{good.url(), 1}, {lacking.url(), 1}, {dying_url, 1}});
    PooledPictureEngine painter({&a, &b, &c}, pool, "ComfyUI");

    const auto dir = testing::ScratchDir("beacon_pool_remote");
    std::mutex mu;
    std::vector<std::string> hosts;
    std::atomic<int> failures{0};
    std::atomic<int> painted{0};
    auto paint = [&](int i) {
        PictureRequest r;
        r.scene.description = "scene " + std::to_string(i);
        r.width = 64;
        r.height = 48;
        r.seed = i;
        r.scene_index = i;
        auto out = painter.Paint(r, dir / std::to_string(i), {}, {});
        if (!out.ok()) {
            ++failures;
            ADD_FAILURE() << "scene " << i << ": " << out.error().message;
            return;
        }
        ++painted;
        std::lock_guard lock(mu);
        hosts.push_back(out->provenance.parameters.value("host", ""));
    };
    std::vector<std::thread> threads;
    for (int i = 0; i < 3; ++i) threads.emplace_back(paint, i);
    for (auto& t : threads) t.join();
    threads.clear();
    dying.reset();  // the third host goes away between batches of scenes
    for (int i = 3; i < 9; ++i) threads.emplace_back(paint, i);
    for (auto& t : threads) t.join();

    EXPECT_EQ(failures, 0);
    EXPECT_EQ(painted, 9);
    for (const auto& h : hosts) {
        EXPECT_NE(h, lacking.url()) << "a scene was painted by the host without the checkpoint";
    }
    // no picture was ever queued on the host that lacks the checkpoint
    for (const auto& req : lacking.RequestsTo("/prompt", "POST")) {
        EXPECT_NE(req.value("status", 0), 200) << req.dump();
    }
    auto st = pool.Status();
    EXPECT_TRUE(st[0].up);
    EXPECT_FALSE(st[2].up) << "the dead host stays out of rotation";
    EXPECT_GE(st[0].done, 6);
}

TEST(HostPoolRemoteTest, DoctorSaysThePoolWorksWhileOneHostAnswersAndNamesTheDeadOne) {
    DoubleProcess good("comfyui_double.py");
    EngineOptions o;
    o.select.pictures = "comfyui";
    o.comfyui = OptsFor(good.url());
    o.comfyui.hosts = {good.url(), "http://127.0.0.1:9"};  // port 9 (discard): nothing answers
    auto e = Engines::Create(o);
    ASSERT_TRUE(e.ok()) << e.error().message;
    int lines = 0;
    for (const auto& h : (*e)->Check()) {
        if (h.capability != "pictures") continue;
        ++lines;
        EXPECT_TRUE(h.ok) << h.detail;
        EXPECT_NE(h.detail.find("1 of 2 hosts answer"), std::string::npos) << h.detail;
        EXPECT_NE(h.detail.find("DOWN: "), std::string::npos) << h.detail;
        EXPECT_NE(h.detail.find("127.0.0.1:9"), std::string::npos) << h.detail;
        EXPECT_NE(h.detail.find("0 pictures, 0.0/min, 0 of 1 slots busy"), std::string::npos) << h.detail;
    }
    EXPECT_EQ(lines, 1) << "one line for the pool (the engines panel keys lines by capability)";
    o.comfyui.hosts = {"http://127.0.0.1:9", "http://127.0.0.1:7"};
    auto dead = Engines::Create(o);
    ASSERT_TRUE(dead.ok());
    for (const auto& h : (*dead)->Check()) {
        if (h.capability == "pictures") {
            EXPECT_FALSE(h.ok) << h.detail;
            EXPECT_NE(h.detail.find("0 of 2 hosts answer"), std::string::npos) << h.detail;
        }
    }
}

}  // namespace
}  // namespace beacon::engines
