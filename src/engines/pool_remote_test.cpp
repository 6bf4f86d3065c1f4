// A pool of three ComfyUI stand-ins: one lacks the checkpoint, one is killed mid-run. Every
// scene is painted once, on a host that has the checkpoint; the dead host's work moves on.
#include <atomic>
#include <fstream>
#include <memory>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "engines/comfyui.hpp"
#include "engines/factory.hpp"
#include "engines/http_client.hpp"
#include "engines/ollama.hpp"
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
    o.select.pictures = core::Engine::kComfyUi;
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

Json Stats(const HttpClient& http, const std::string& url) {
    HttpRequest r;
    r.url = url + "/__double/stats";
    auto out = http.Send(r, {});
    if (!out.ok()) return Json::object();
    return Json::parse(out->body, nullptr, false);
}

/// A txt2img template that takes a batch: each latent gets its own prompt through FizzNodes'
/// BatchPromptSchedule (understood by the stand-in).
std::filesystem::path BatchTemplate() {
    const auto path = testing::ScratchDir("beacon_pool_batch") / "txt2img_batch.json";
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path) << R"({
  "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "{{checkpoint}}"}},
  "5": {"class_type": "EmptyLatentImage",
        "inputs": {"width": "{{width}}", "height": "{{height}}", "batch_size": "{{batch_size}}"}},
  "6": {"class_type": "BatchPromptSchedule",
        "inputs": {"text": "{{prompt_schedule}}", "clip": ["4", 1], "max_frames": "{{batch_size}}",
                   "print_output": false}},
  "7": {"class_type": "CLIPTextEncode", "inputs": {"text": "{{negative_prompt}}", "clip": ["4", 1]}},
  "3": {"class_type": "KSampler",
        "inputs": {"seed": "{{seed}}", "steps": "{{steps}}", "cfg": 7, "sampler_name": "euler",
                   "scheduler": "normal", "denoise": 1, "model": ["4", 0], "positive": ["6", 0],
                   "negative": ["7", 0], "latent_image": ["5", 0]}},
  "8": {"class_type": "VAEDecode", "inputs": {"samples": ["3", 0], "vae": ["4", 2]}},
  "9": {"class_type": "SaveImage", "inputs": {"filename_prefix": "beacon/scene", "images": ["8", 0]}}
})";
    return path;
}

TEST(HostPoolRemoteTest, AMixedBatchSwitchesCheckpointsAtMostTwicePerHostAndSharesPrompts) {
    // Two checkpoints by style; loading one costs the stand-in 0.3 s and counts a switch.
    DoubleProcess one("comfyui_double.py", {"--step-delay", "0.01", "--switch-delay", "0.3"});
    DoubleProcess two("comfyui_double.py", {"--step-delay", "0.01", "--switch-delay", "0.3"});
    HttpClient http;
    auto opts = [&](const std::string& url) {
        ComfyOptions o = OptsFor(url);
        o.style_checkpoints = {{"anime", "sdxl_base_1.0.safetensors"}};
        o.workflow = BatchTemplate();
        o.max_batch = 3;
        return o;
    };
    ComfyPictureEngine a(opts(one.url()), http), b(opts(two.url()), http);
    ASSERT_EQ(a.MaxBatch(), 3) << "the template takes batches";
    HostPool pool({{one.url(), 1}, {two.url(), 1}});
    PooledPictureEngine painter({&a, &b}, pool, "ComfyUI");

    const auto dir = testing::ScratchDir("beacon_pool_mixed");
    std::mutex mu;
    std::vector<Json> done;  // provenance of every picture
    std::vector<std::thread> threads;
    for (int i = 0; i < 16; ++i) {
        threads.emplace_back([&, i] {
            PictureRequest r;
            r.scene.description = "picture " + std::to_string(i);
            r.style = (i / 2) % 2 ? "anime" : "photo";
            r.width = 64;
            r.height = 48;
            r.seed = i;
            r.scene_index = i;
            auto out = painter.Paint(r, dir / std::to_string(i), {}, {});
            ASSERT_TRUE(out.ok()) << out.error().message;
            EXPECT_TRUE(std::filesystem::exists(out->image));
            std::lock_guard lock(mu);
            done.push_back(out->provenance.parameters);
            done.back()["want_style"] = r.style;
            done.back()["want"] = r.scene.description;
            done.back()["model"] = out->provenance.model;
        });
    }
    for (auto& t : threads) t.join();
    ASSERT_EQ(done.size(), 16u);

    Json stats[2] = {Stats(http, one.url()), Stats(http, two.url())};
    int batched = 0, images = 0;
    for (const auto& st : stats) {
        // counted by the stand-in: every load of a checkpoint other than the loaded one
        EXPECT_LE(st.value("checkpoint_switches", 99), 2) << st["loads"].dump();
        for (const auto& n : st["batch_sizes"]) batched += n.get<int>() > 1 ? 1 : 0;
        images += st.value("images", 0);
    }
    EXPECT_EQ(images, 16) << "each picture painted once";
    EXPECT_GT(batched, 0) << "pictures waiting together shared a prompt";
    // Each picture came back to its own request: the stand-in says which prompt text sampled
    // the file the picture was read from, and the checkpoint follows the style.
    for (const auto& p : done) {
        const Json& st = p["host"] == one.url() ? stats[0] : stats[1];
        const std::string text = st["image_texts"].value(p.value("file", ""), "");
        EXPECT_EQ(text.rfind(p["want"].get<std::string>() + ",", 0), 0u) << p.dump() << " got " << text;
        EXPECT_EQ(p["model"], p["want_style"] == "anime" ? "sdxl_base_1.0.safetensors"
                                                         : "v1-5-pruned-emaonly.safetensors");
    }
    auto st = pool.Status();
    EXPECT_EQ(st[0].units + st[1].units, 16);
    EXPECT_EQ(st[0].model_switches, stats[0].value("checkpoint_switches", -1));
    EXPECT_EQ(st[1].model_switches, stats[1].value("checkpoint_switches", -1));
}

TEST(HostPoolRemoteTest, AHostKilledMidPromptHasItsPicturesPaintedElsewhereOnce) {
    DoubleProcess good("comfyui_double.py", {"--step-delay", "0.02"});
    DoubleProcess lacking("comfyui_double.py", {"--checkpoints", "other.safetensors"});
    auto dying = std::make_unique<DoubleProcess>("comfyui_double.py",
                                                 std::vector<std::string>{"--step-delay", "0.5"});
    const std::string dying_url = dying->url();
    HttpClient http;
    ComfyPictureEngine a(OptsFor(good.url()), http), b(OptsFor(lacking.url()), http),
        c(OptsFor(dying_url), http);
    HostPool pool({{good.url(), 1}, {lacking.url(), 1}, {dying_url, 1}});
    PooledPictureEngine painter({&a, &b, &c}, pool, "ComfyUI");
    const auto dir = testing::ScratchDir("beacon_pool_killed");
    std::atomic<int> ok{0};
    std::mutex mu;
    std::vector<std::string> hosts;
    std::vector<std::thread> threads;
    for (int i = 0; i < 8; ++i) {
        threads.emplace_back([&, i] {
            PictureRequest r;
            r.scene.description = "killed " + std::to_string(i);
            r.width = 64;
            r.height = 48;
            r.seed = 100 + i;
            r.scene_index = i;
            auto out = painter.Paint(r, dir / std::to_string(i), {}, {});
            ASSERT_TRUE(out.ok()) << out.error().message;
            ++ok;
            std::lock_guard lock(mu);
            hosts.push_back(out->provenance.parameters.value("host", ""));
        });
    }
    // Kill the slow host while its prompt runs (2 s of sampling).
    for (int i = 0; i < 1000 && dying->RequestsTo("/prompt", "POST").empty(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    dying.reset();
    for (auto& t : threads) t.join();
    EXPECT_EQ(ok, 8) << "every picture completes";
    EXPECT_EQ(hosts.size(), 8u);
    for (const auto& h : hosts) {
        EXPECT_EQ(h, good.url()) << "only the good host could finish (the other lacks the checkpoint)";
    }
    EXPECT_EQ(Stats(http, good.url()).value("images", 0), 8) << "each painted once on the survivor";
    EXPECT_TRUE(lacking.RequestsTo("/prompt", "POST").empty()) << "nothing queued where the checkpoint is missing";
    EXPECT_FALSE(pool.Status()[2].up);
}

TEST(HostPoolRemoteTest, TwoOllamaHostsOneKilledMidScriptEveryScriptIsWrittenOnce) {
    DoubleProcess steady("ollama_double.py");
    auto dying = std::make_unique<DoubleProcess>("ollama_double.py",
                                                 std::vector<std::string>{"--token-delay", "0.2"});
    HttpClient http;
    auto opts = [](const std::string& url) {
        OllamaOptions o;
        o.host = url;
        o.model = "llama3.2";
        o.timeout = std::chrono::seconds(20);
        o.retry.max_attempts = 1;
        o.retry.base_delay = std::chrono::milliseconds(10);
        return o;
    };
    OllamaScriptWriter w1(opts(steady.url()), http), w2(opts(dying->url()), http);
    HostPool pool({{steady.url(), 2}, {dying->url(), 2}});
    PooledScriptWriter writer({&w1, &w2}, pool, "Ollama");
    std::atomic<int> ok{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 4; ++i) {
        threads.emplace_back([&, i] {
            auto r = writer.Write({"A lighthouse number " + std::to_string(i), "", "noir", "en", 9}, {}, {});
            ASSERT_TRUE(r.ok()) << r.error().message;
            EXPECT_FALSE(r->script.scenes.empty());
            ++ok;
        });
    }
    for (int i = 0; i < 1000 && dying->RequestsTo("/api/chat", "POST").empty(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    dying.reset();  // mid-stream: tokens come every 0.2 s
    for (auto& t : threads) t.join();
    EXPECT_EQ(ok, 4);
    auto st = pool.Status();
    EXPECT_EQ(st[0].done, 4) << "the steady host wrote every script in the end";
    EXPECT_FALSE(st[1].up);
}

}  // namespace
}  // namespace beacon::engines
