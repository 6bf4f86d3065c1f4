// GPU figures from the stand-ins (tests/doubles): ComfyUI's /system_stats while a picture is
// painted through the real adapter, Ollama's /api/ps after a real script call; a host that is
// down or answers an error gives an Error and no figures.
#include "engines/gpu_stats.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <unistd.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <atomic>
#include <thread>

#include "engines/comfyui.hpp"
#include "engines/ollama.hpp"
#include "tests/doubles/double_process.hpp"

namespace beacon::engines {
namespace {

using testing::DoubleProcess;
using namespace std::chrono_literals;

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

/// A port on 127.0.0.1 nothing listens on (bound, then closed).
int ClosedPort() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t n = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &n);
    ::close(fd);
    return ntohs(a.sin_port);
}

TEST(GpuStats, ComfyDevicesFollowTheWorkOfARealPicture) {
    DoubleProcess d("comfyui_double.py", {"--devices", "2", "--step-delay", "0.05"});
    HttpClient http;
    auto idle = FetchComfySystemStats(http, d.url(), 3s);
    ASSERT_TRUE(idle.ok()) << idle.error().message;
    ASSERT_EQ(idle->size(), 2u);
    EXPECT_EQ((*idle)[0].Label(), "cuda:0");
    EXPECT_EQ((*idle)[1].Label(), "cuda:1");
    EXPECT_NE((*idle)[0].name.find("NVIDIA"), std::string::npos);
    EXPECT_DOUBLE_EQ((*idle)[0].vram_total, 24 * kGiB);
    const double free_idle = (*idle)[0].vram_free;
    EXPECT_LT(free_idle, (*idle)[0].vram_total);

    // Paint one picture (20 steps of 50 ms) and look while it runs.
    ComfyOptions o;
    o.host = d.url();
    o.steps = 20;
    o.timeout = 30s;
    o.poll_interval = 50ms;
    PictureRequest req;
    req.scene.description = "a lighthouse at dusk";
    req.style = "cinematic";
    req.width = 64;
    req.height = 48;
    req.seed = 1;
    ComfyPictureEngine engine(o, http);
    std::atomic<bool> done{false};
    std::thread paint([&] {
        auto r = engine.Paint(req, testing::ScratchDir("beacon_gpu_stats"), {}, {});
        EXPECT_TRUE(r.ok()) << r.error().message;
        done = true;
    });
    double lowest = free_idle;
    while (!done) {
        auto now = FetchComfySystemStats(http, d.url(), 3s);
        ASSERT_TRUE(now.ok()) << now.error().message;
        lowest = std::min(lowest, (*now)[0].vram_free);
        std::this_thread::sleep_for(20ms);
    }
    paint.join();
    auto after = FetchComfySystemStats(http, d.url(), 3s);
    ASSERT_TRUE(after.ok());
    // While sampling: the checkpoint and the prompt's work; after: the checkpoint stays loaded.
    EXPECT_LT(lowest, (*after)[0].vram_free);
    EXPECT_LT((*after)[0].vram_free, free_idle);
    EXPECT_DOUBLE_EQ((*after)[1].vram_free, (*idle)[1].vram_free);  // the other GPU idled
}

TEST(GpuStats, OllamaListsTheModelAScriptLoadedWithItsVram) {
    DoubleProcess d("ollama_double.py", {"--loaded-bytes", "4000000000", "--vram-share", "0.75"});
    HttpClient http;
    auto before = FetchOllamaPs(http, d.url(), 3s);
    ASSERT_TRUE(before.ok()) << before.error().message;
    EXPECT_TRUE(before->empty());

    OllamaOptions o;
    o.host = d.url();
    o.model = "llama3.2";
    o.timeout = 20s;
    OllamaScriptWriter writer(o, http);
    auto script = writer.Write({"A lighthouse at dusk in 2 scenes", "", "noir", "en", 6}, {}, {});
    ASSERT_TRUE(script.ok()) << script.error().message;

    auto loaded = FetchOllamaPs(http, d.url(), 3s);
    ASSERT_TRUE(loaded.ok()) << loaded.error().message;
    ASSERT_EQ(loaded->size(), 1u);
    EXPECT_EQ((*loaded)[0].name, "llama3.2:latest");
    EXPECT_DOUBLE_EQ((*loaded)[0].size, 4e9);
    EXPECT_DOUBLE_EQ((*loaded)[0].size_vram, 3e9);
    EXPECT_EQ((*loaded)[0].expires_at.substr(0, 2), "20");  // an RFC 3339 time

    // keep_alive 0 unloads it (the documented way), and /api/ps says so.
    HttpRequest unload;
    unload.method = "POST";
    unload.url = JoinUrl(d.url(), "/api/generate");
    unload.body = R"({"model":"llama3.2","keep_alive":0})";
    ASSERT_TRUE(http.Send(unload).ok());
    auto gone = FetchOllamaPs(http, d.url(), 3s);
    ASSERT_TRUE(gone.ok());
    EXPECT_TRUE(gone->empty());
}

TEST(GpuStats, AHostDownOrFailingGivesAnErrorAndNoFigures) {
    HttpClient http;
    const std::string nobody = "http://127.0.0.1:" + std::to_string(ClosedPort());
    auto comfy = FetchComfySystemStats(http, nobody, 2s);
    ASSERT_FALSE(comfy.ok());
    EXPECT_NE(comfy.error().message.find("127.0.0.1"), std::string::npos);
    EXPECT_FALSE(FetchOllamaPs(http, nobody, 2s).ok());

    DoubleProcess c("comfyui_double.py", {"--stats-fail", "500"});
    auto failing = FetchComfySystemStats(http, c.url(), 3s);
    ASSERT_FALSE(failing.ok());
    EXPECT_NE(failing.error().message.find("HTTP 500"), std::string::npos);
    DoubleProcess l("ollama_double.py", {"--ps-fail", "503"});
    auto ps = FetchOllamaPs(http, l.url(), 3s);
    ASSERT_FALSE(ps.ok());
    EXPECT_NE(ps.error().message.find("HTTP 503"), std::string::npos);
}

TEST(GpuStats, ParsersKeepWhatIsWellFormed) {
    EXPECT_FALSE(ParseComfySystemStats("<html>").ok());
    EXPECT_FALSE(ParseComfySystemStats(R"({"system":{}})").ok());
    auto d = ParseComfySystemStats(
        R"({"devices":[{"name":"mps","type":"mps","index":0,"vram_total":100,"vram_free":40},)"
        R"({"name":"broken","type":"cuda","index":1}]})");
    ASSERT_TRUE(d.ok());
    ASSERT_EQ(d->size(), 1u);  // the device without figures is skipped
    EXPECT_EQ((*d)[0].Label(), "mps:0");
    EXPECT_DOUBLE_EQ((*d)[0].vram_free, 40);
    EXPECT_FALSE(ParseOllamaPs("[]").ok());
    auto m =
        ParseOllamaPs(R"({"models":[{"model":"qwen3:8b","size":10,"size_vram":0},{"size":1}]})");
    ASSERT_TRUE(m.ok());
    ASSERT_EQ(m->size(), 1u);
    EXPECT_EQ((*m)[0].name, "qwen3:8b");     // "model" when "name" is absent
    EXPECT_DOUBLE_EQ((*m)[0].size_vram, 0);  // loaded on the CPU only
}

}  // namespace
}  // namespace beacon::engines
