// Remote GPU figures in the ops service: the poller keeps each host's last answer (a host that
// fails is down with its reason, never an error), /metrics carries them as gauges that pass
// `promtool check metrics`, and the history keeps one series per device and per Ollama host.
#include "ops/gpu_hosts.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <thread>

#include "jobs/event_bus.hpp"
#include "ops/service.hpp"
#include "ops/test_support.hpp"
#include "storage/database.hpp"

namespace beacon::ops {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

/// A ComfyUI host with two GPUs whose free memory the test changes, an Ollama host with one
/// model, and a host that never answers.
struct Hosts {
    std::mutex mu;
    double free0 = 20 * kGiB;
    bool comfy_down = false;

    std::vector<GpuHostPoller::Target> Targets() {
        return {
            {"comfyui", "gpu1:8188",
             [this](std::stop_token) -> core::Result<GpuHostFigures> {
                 std::lock_guard lock(mu);
                 if (comfy_down) return core::Error::Unavailable("ComfyUI unreachable");
                 GpuHostFigures f;
                 f.devices.push_back({"cuda:0", "cuda:0 NVIDIA RTX 4090", 24 * kGiB, free0});
                 f.devices.push_back({"cuda:1", "cuda:1 NVIDIA RTX 4090", 24 * kGiB, 23 * kGiB});
                 return f;
             }},
            {"ollama", "gpu2:11434",
             [](std::stop_token) -> core::Result<GpuHostFigures> {
                 GpuHostFigures f;
                 f.models.push_back({"llama3.2:latest", 4e9, 3e9, "2026-12-01T10:00:00Z"});
                 return f;
             }},
            {"ollama", "gpu3:11434",
             [](std::stop_token) -> core::Result<GpuHostFigures> {
                 return core::Error::Unavailable("Ollama (http://gpu3:11434/api/ps) unreachable");
             }},
        };
    }
};

struct Studio {
    fs::path dir;
    std::unique_ptr<storage::Database> db;
    jobs::EventBus events;
    std::unique_ptr<OpsService> ops;

    explicit Studio(const std::string& name) : dir(testing::TempDir(name)) {
        auto opened = storage::OpenSqlite((dir / "beacon.db").string());
        EXPECT_TRUE(opened.ok());
        db = std::move(*opened);
        OpsOptions o;
        o.data_dir = dir;
        o.nvidia_smi = "";
        o.history_db = (dir / "ops_history.db").string();
        auto s = OpsService::Open(o, events);
        EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
        ops = std::move(*s);
    }
};

/// Waits (hang guard only) until every host has been asked once.
void WaitPolled(const GpuHostPoller& p) {
    for (int i = 0; i < 500; ++i) {
        bool all = true;
        for (const auto& r : p.Reports()) all = all && r.polled;
        if (all) return;
        std::this_thread::sleep_for(10ms);
    }
    FAIL() << "the poller never asked every host";
}

std::string Promtool(const std::string& text, const fs::path& dir) {
    const fs::path file = dir / "metrics.txt";
    std::ofstream(file) << text;
    std::string cmd = "promtool check metrics < '" + file.string() + "' 2>&1; echo \"exit=$?\"";
    std::string out;
    if (FILE* p = ::popen(cmd.c_str(), "r")) {
        char buf[512];
        while (std::fgets(buf, sizeof buf, p)) out += buf;
        ::pclose(p);
    }
    return out;
}

TEST(GpuHosts, HostLabelsAreHostAndPortOnly) {
    EXPECT_EQ(HostLabel("http://gpu1:8188"), "gpu1:8188");
    EXPECT_EQ(HostLabel("http://gpu1:8188/"), "gpu1:8188");
    EXPECT_EQ(HostLabel("https://user:secret@gpu1:8443/comfy"), "gpu1:8443");
    EXPECT_EQ(HostLabel("127.0.0.1:11434"), "127.0.0.1:11434");
}

TEST(GpuHosts, RepeatedHostLabelsAreKeptApart) {
    auto none = [](std::stop_token) -> core::Result<GpuHostFigures> { return GpuHostFigures{}; };
    GpuHostPoller poller({{"comfyui", "proxy:443", none},
                          {"comfyui", "proxy:443", none},
                          {"ollama", "proxy:443", none}},
                         1h);
    auto r = poller.Reports();
    EXPECT_EQ(r[0].host, "proxy:443");
    EXPECT_EQ(r[1].host, "proxy:443#2");
    EXPECT_EQ(r[2].host, "proxy:443");  // another service: its own series already
}

TEST(GpuHosts, EachHostKeepsItsLastAnswerAndADeadHostIsDownNotAnError) {
    Hosts hosts;
    GpuHostPoller poller(hosts.Targets(), 1h);
    auto before = poller.Reports();
    ASSERT_EQ(before.size(), 3u);
    EXPECT_FALSE(before[0].polled);  // unknown until asked
    poller.PollOnce();
    auto r = poller.Reports();
    EXPECT_TRUE(r[0].up);
    ASSERT_EQ(r[0].figures.devices.size(), 2u);
    EXPECT_DOUBLE_EQ(r[0].figures.devices[0].free_bytes, 20 * kGiB);
    EXPECT_TRUE(r[1].up);
    ASSERT_EQ(r[1].figures.models.size(), 1u);
    EXPECT_TRUE(r[2].polled);
    EXPECT_FALSE(r[2].up);
    EXPECT_NE(r[2].error.find("unreachable"), std::string::npos);
    EXPECT_TRUE(r[2].figures.models.empty());
    {
        std::lock_guard lock(hosts.mu);
        hosts.comfy_down = true;
    }
    poller.PollOnce();
    r = poller.Reports();
    EXPECT_FALSE(r[0].up);
    EXPECT_TRUE(r[0].figures.devices.empty());  // no stale figures for a host that went away
}

TEST(GpuHosts, ManyModelsAreBoundedWithTheRestAsOther) {
    GpuHostPoller poller({{"ollama", "h:1",
                           [](std::stop_token) -> core::Result<GpuHostFigures> {
                               GpuHostFigures f;
                               for (int i = 0; i < 40; ++i) {
                                   f.models.push_back({"m" + std::to_string(i), 1, 1, ""});
                               }
                               return f;
                           }}},
                         1h);
    poller.PollOnce();
    const auto& models = poller.Reports()[0].figures.models;
    ASSERT_EQ(models.size(), kMaxGpuSeriesPerHost);
    EXPECT_EQ(models.back().model, "other");
    EXPECT_DOUBLE_EQ(models.back().bytes, 40.0 - (kMaxGpuSeriesPerHost - 1));
}

TEST(GpuHosts, MetricsCarryTheFiguresAndPassPromtool) {
    Studio s("gpu-metrics");
    Hosts hosts;
    auto poller = std::make_unique<GpuHostPoller>(hosts.Targets(), 1h);
    auto* p = poller.get();
    s.ops->WatchGpuHosts(std::move(poller));
    WaitPolled(*p);
    const std::string text = s.ops->RenderMetrics();
    EXPECT_NE(text.find("beacon_gpu_memory_total_bytes{service=\"comfyui\",host=\"gpu1:8188\","
                        "device=\"cuda:0\"} 25769803776\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("beacon_gpu_memory_free_bytes{service=\"comfyui\",host=\"gpu1:8188\","
                        "device=\"cuda:0\"} 21474836480\n"),
              std::string::npos);
    EXPECT_NE(text.find("beacon_gpu_memory_free_bytes{service=\"comfyui\",host=\"gpu1:8188\","
                        "device=\"cuda:1\"} "),
              std::string::npos);
    EXPECT_NE(text.find("beacon_ollama_loaded_model_bytes{host=\"gpu2:11434\","
                        "model=\"llama3.2:latest\"} 4000000000\n"),
              std::string::npos);
    EXPECT_NE(text.find("beacon_ollama_loaded_model_vram_bytes{host=\"gpu2:11434\","
                        "model=\"llama3.2:latest\"} 3000000000\n"),
              std::string::npos);
    EXPECT_NE(text.find("beacon_ollama_loaded_models{host=\"gpu2:11434\"} 1\n"), std::string::npos);
    EXPECT_NE(text.find("beacon_gpu_host_up{service=\"ollama\",host=\"gpu3:11434\"} 0\n"),
              std::string::npos);
    EXPECT_NE(text.find("beacon_gpu_host_up{service=\"comfyui\",host=\"gpu1:8188\"} 1\n"),
              std::string::npos);
    EXPECT_EQ(text.find("gpu3:11434\",model"), std::string::npos);  // a down host has no models
    EXPECT_EQ(Promtool(text, s.dir), "exit=0\n");

    // The summary names every host's state and figures.
    auto summary = s.ops->Summary();
    ASSERT_EQ(summary["gpu_hosts"].size(), 3u);
    EXPECT_EQ(summary["gpu_hosts"][0]["state"], "up");
    EXPECT_DOUBLE_EQ(summary["gpu_hosts"][0]["devices"][0]["used_bytes"].get<double>(), 4 * kGiB);
    EXPECT_EQ(summary["gpu_hosts"][2]["state"], "down");
    EXPECT_NE(summary["gpu_hosts"][2]["error"].get<std::string>().find("unreachable"),
              std::string::npos);
}

TEST(GpuHosts, HistoryKeepsUsedMemoryPerDeviceAndOllamaVramPerHost) {
    Studio s("gpu-history");
    Hosts hosts;
    auto poller = std::make_unique<GpuHostPoller>(hosts.Targets(), 1h);
    auto* p = poller.get();
    s.ops->WatchGpuHosts(std::move(poller));
    WaitPolled(*p);
    s.ops->SampleNow();
    auto h = s.ops->History("", "1h");
    ASSERT_TRUE(h.ok()) << h.error().message;
    const auto& series = (*h)["series"];
    const std::string used0 = "gpu_device_memory_used_bytes|comfyui|gpu1:8188|cuda:0";
    ASSERT_TRUE(series.contains(used0)) << series.dump();
    ASSERT_EQ(series[used0].size(), 1u);
    EXPECT_DOUBLE_EQ(series[used0][0][1].get<double>(), 4 * kGiB);
    EXPECT_TRUE(series.contains("gpu_device_memory_used_bytes|comfyui|gpu1:8188|cuda:1"));
    EXPECT_TRUE(series.contains("gpu_device_memory_size_bytes|comfyui|gpu1:8188|cuda:0"));
    ASSERT_TRUE(series.contains("ollama_vram_bytes|gpu2:11434"));
    EXPECT_DOUBLE_EQ(series["ollama_vram_bytes|gpu2:11434"][0][1].get<double>(), 3e9);
    EXPECT_FALSE(series.contains("ollama_vram_bytes|gpu3:11434"));  // down: no sample, no zero

    // Asking for a labelled base name gives all its series; an unknown one is refused.
    auto only = s.ops->History("ollama_vram_bytes", "24h");
    ASSERT_TRUE(only.ok());
    EXPECT_EQ((*only)["series"].size(), 1u);
    EXPECT_TRUE((*only)["series"].contains("ollama_vram_bytes|gpu2:11434"));
    EXPECT_FALSE(s.ops->History("gpu_fan_speed|x", "24h").ok());
    EXPECT_FALSE(s.ops->History("ollama_vram_bytes|", "24h").ok());
}

TEST(GpuHosts, LabelledSeriesNamesAreCheckedAndStored) {
    auto dir = testing::TempDir("gpu-history-store");
    auto h = HistoryStore::Open((dir / "h.db").string());
    ASSERT_TRUE(h.ok());
    EXPECT_EQ(LabelledSeries("ollama_vram_bytes", {"a|b"}), "ollama_vram_bytes|a/b");
    EXPECT_TRUE(HistoryAggregate("ollama_vram_bytes|gpu:1").has_value());
    EXPECT_FALSE(HistoryAggregate("ollama_vram_bytes").has_value());
    EXPECT_FALSE(HistoryAggregate("nope|gpu:1").has_value());
    EXPECT_FALSE(HistoryAggregate("ollama_vram_bytes||x").has_value());
    const std::int64_t t = 1'796'083'200'000;
    ASSERT_TRUE((*h)->Record(t, {{"ollama_vram_bytes|a:1", 2}, {"ollama_vram_bytes|b:1", 4}}).ok());
    ASSERT_TRUE((*h)->Record(t + 1000, {{"ollama_vram_bytes|a:1", 4}}).ok());
    EXPECT_FALSE((*h)->Record(t, {{"nope|a:1", 1}}).ok());
    auto names = (*h)->LabelledNames("ollama_vram_bytes", t - 3'600'000);
    ASSERT_TRUE(names.ok());
    EXPECT_EQ(*names, (std::vector<std::string>{"ollama_vram_bytes|a:1", "ollama_vram_bytes|b:1"}));
    EXPECT_TRUE((*h)->LabelledNames("ollama_loaded_bytes", t - 3'600'000)->empty());
    auto a = (*h)->Read("ollama_vram_bytes|a:1", t - 60'000, t + 60'000);
    ASSERT_TRUE(a.ok());
    ASSERT_EQ(a->size(), 1u);
    EXPECT_DOUBLE_EQ((*a)[0].value, 3);  // the mean of the minute
}

}  // namespace
}  // namespace beacon::ops
