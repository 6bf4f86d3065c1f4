#include "engines/comfyui.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "tests/doubles/double_process.hpp"

namespace beacon::engines {
namespace {

using testing::DoubleProcess;

ComfyOptions Opts(const DoubleProcess& d) {
    ComfyOptions o;
    o.host = d.url();
    o.steps = 8;
    o.timeout = std::chrono::seconds(30);
    o.poll_interval = std::chrono::milliseconds(50);
    o.retry.base_delay = std::chrono::milliseconds(10);
    return o;
}

PictureRequest Req(int w = 64, int h = 48) {
    PictureRequest r;
    r.scene.description = "a lighthouse at dusk";
    r.style = "cinematic";
    r.width = w;
    r.height = h;
    r.seed = 42;
    return r;
}

std::filesystem::path Dir() { return testing::ScratchDir("beacon_comfy"); }

std::pair<int, int> PngSize(const std::filesystem::path& p) {
    std::ifstream f(p, std::ios::binary);
    unsigned char b[24];
    f.read(reinterpret_cast<char*>(b), 24);
    auto be = [&](int o) { return (b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]; };
    return {be(16), be(20)};
}

TEST(ComfyTest, PaintsWithProgressFromTheSocket) {
    DoubleProcess d("comfyui_double.py");
    HttpClient http;
    ComfyPictureEngine e(Opts(d), http);
    std::vector<std::string> log;
    auto r = e.Paint(Req(), Dir(), [&](const std::string& l) { log.push_back(l); }, {});
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(PngSize(r->image), std::make_pair(64, 48));
    bool progress = false;
    for (auto& l : log) progress |= l.find("step 8/8") != std::string::npos;
    EXPECT_TRUE(progress);
    EXPECT_EQ(r->provenance.engine, "comfyui");
    EXPECT_EQ(r->provenance.parameters["seed"], 42);
    EXPECT_TRUE(CheckComfy(Opts(d), http).ok);
}

TEST(ComfyTest, FullSizeFrameByPolling) {
    DoubleProcess d("comfyui_double.py", {"--no-ws"});
    HttpClient http;
    ComfyPictureEngine e(Opts(d), http);
    auto r = e.Paint(Req(1280, 720), Dir(), {}, {});
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(PngSize(r->image), std::make_pair(1280, 720));
}

TEST(ComfyTest, MissingCheckpointAndNodeErrors) {
    DoubleProcess d("comfyui_double.py", {"--checkpoints", "other.safetensors"});
    HttpClient http;
    ComfyPictureEngine e(Opts(d), http);
    auto r = e.Paint(Req(), Dir(), {}, {});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, core::ErrorCode::kNotFound);
    EXPECT_NE(r.error().message.find("v1-5-pruned-emaonly.safetensors"), std::string::npos);
    EXPECT_NE(r.error().message.find("other.safetensors"), std::string::npos);
    EXPECT_FALSE(CheckComfy(Opts(d), http).ok);
    // A template with an unknown node: the server's missing_node_type comes back clearly.
    auto wf = Dir() / "bad.json";
    std::ofstream(wf) << R"({"1":{"class_type":"NoSuchNode","inputs":{}},
        "2":{"class_type":"CheckpointLoaderSimple","inputs":{"ckpt_name":"{{checkpoint}}"}}})";
    auto o = Opts(d);
    o.checkpoint = "other.safetensors";
    o.workflow = wf;
    ComfyPictureEngine bad(o, http);
    auto rb = bad.Paint(Req(), Dir(), {}, {});
    ASSERT_FALSE(rb.ok());
    EXPECT_NE(rb.error().message.find("missing_node_type"), std::string::npos);
}

TEST(ComfyTest, ExecutionErrorAndGarbage) {
    HttpClient http;
    {
        DoubleProcess d("comfyui_double.py", {"--exec-error"});
        ComfyPictureEngine e(Opts(d), http);
        auto r = e.Paint(Req(), Dir(), {}, {});
        ASSERT_FALSE(r.ok());
        EXPECT_NE(r.error().message.find("CUDA out of memory"), std::string::npos);
    }
    {
        DoubleProcess d("comfyui_double.py", {"--view-garbage"});
        ComfyPictureEngine e(Opts(d), http);
        auto r = e.Paint(Req(), Dir(), {}, {});
        ASSERT_FALSE(r.ok());
        EXPECT_NE(r.error().message.find("PNG"), std::string::npos);
    }
    {
        DoubleProcess d("comfyui_double.py", {"--garbage"});
        ComfyPictureEngine e(Opts(d), http);
        EXPECT_EQ(e.Paint(Req(), Dir(), {}, {}).error().code, core::ErrorCode::kExternal);
    }
}

TEST(ComfyTest, CancelInterruptsPromptly) {
    DoubleProcess d("comfyui_double.py", {"--step-delay", "1"});
    HttpClient http;
    ComfyPictureEngine e(Opts(d), http);
    std::stop_source stop;
    auto t0 = std::chrono::steady_clock::now();
    auto r = e.Paint(Req(), Dir(), [&](const std::string& l) {
        if (l.find("queued") != std::string::npos) stop.request_stop();
    }, stop.get_token());
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, core::ErrorCode::kCanceled);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(60));  // hang guard
}

TEST(ComfyTest, FillWorkflow) {
    Json wf = {{"a", "{{seed}}"}, {"b", "x {{prompt}} y"}, {"c", {1, "{{width}}"}}};
    auto r = FillWorkflow(wf, {{"seed", 5}, {"prompt", "hi"}, {"width", 640}});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ((*r)["a"], 5);
    EXPECT_EQ((*r)["b"], "x hi y");
    EXPECT_EQ((*r)["c"][1], 640);
    EXPECT_FALSE(FillWorkflow({{"a", "{{nope}}"}}, {}).ok());
}

}  // namespace
}  // namespace beacon::engines
