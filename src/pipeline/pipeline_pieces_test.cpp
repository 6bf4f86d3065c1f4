// The final encode overlaps the pictures (issue 20): with pictures from ComfyUI (its stand-in,
// real HTTP), each piece of the final video is encoded as soon as the pictures it shows exist.
// The stand-in holds the last prompt until told: meanwhile every piece that does not show that
// scene is encoded (the job log says so) while the scene itself is not yet recorded. Released,
// the job completes with a final video in the house format, every piece made early.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <regex>
#include <set>
#include <thread>

#include "engines/comfyui.hpp"
#include "engines/http_client.hpp"
#include "media/chunked.hpp"
#include "media/probe.hpp"
#include "pipeline/pipeline.hpp"
#include "pipeline/test_driver.hpp"
#include "pipeline/testing_engines.hpp"
#include "storage/database.hpp"
#include "tests/doubles/double_process.hpp"

namespace beacon::pipeline {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

core::Json Stats(const engines::HttpClient& http, const std::string& url) {
    engines::HttpRequest r;
    r.url = url + "/__double/stats";
    auto resp = http.Send(r);
    if (!resp.ok()) return core::Json::object();
    return core::Json::parse(resp->body, nullptr, false);
}

/// "final piece 3/12 (frames 50-74, scenes 1-2) encoded during the scenes stage ..." → 3.
std::set<int> PiecesEncodedEarly(storage::Database& db, std::int64_t job_id) {
    std::set<int> out;
    static const std::regex kLine(R"(^final piece (\d+)/\d+ .* encoded during the scenes stage)");
    auto logs = db.GetJobLogs(job_id, 0, 10000);
    if (!logs.ok()) return out;
    for (const auto& l : *logs) {
        std::smatch m;
        if (std::regex_search(l.message, m, kLine)) out.insert(std::stoi(m[1]));
    }
    return out;
}

TEST(PipelinePieces, PiecesAreEncodedWhileTheLastPictureIsStillBeingPainted) {
    // Six prompts: the sixth waits on the "GPU" until released.
    beacon::testing::DoubleProcess comfy("comfyui_double.py",
                                         {"--step-delay", "0.002", "--hold-from", "5"});
    const fs::path root =
        fs::temp_directory_path() / ("beacon-pieces-" + std::to_string(::getpid()));
    fs::remove_all(root);
    fs::create_directories(root);
    auto db = storage::OpenSqlite((root / "beacon.db").string());
    ASSERT_TRUE(db.ok()) << db.error().message;
    auto store = storage::OpenFilesystemStore(root / "store");
    ASSERT_TRUE(store.ok());

    testing::FakeScriptWriter script;
    script.scenes = 6;
    testing::FakeVoice voice;
    testing::FakeCaptions captions;
    engines::HttpClient http;
    engines::ComfyOptions co;
    co.host = comfy.url();
    co.steps = 4;
    co.timeout = std::chrono::seconds(300);
    co.poll_interval = std::chrono::milliseconds(50);
    engines::ComfyPictureEngine pictures(co, http);
    engines::EngineSet set;
    set.script = &script;
    set.voice = &voice;
    set.pictures = &pictures;
    set.captions = &captions;
    media::MediaOptions m;
    m.segment_seconds = 1;  // 25-frame pieces: twelve in 12 s
    core::TaskPool io("io", 6);
    core::TaskPool cpu("cpu", 2);
    GenerationPipeline pipeline(set, **db, **store, m, root / "scratch", core::TaskPools{io, cpu});

    auto user = (*db)->GetOrCreateUser("tester");
    ASSERT_TRUE(user.ok());
    core::GenerateRequest req;
    req.prompt = "Six harbours at dawn";
    req.duration_target = 12.0;
    req.output_preset = "480p";
    req.produce_preview = false;
    auto job = (*db)->CreateJob(user->id, req);
    ASSERT_TRUE(job.ok());

    testing::DriveResult result;
    std::thread runner([&] { result = testing::Drive(pipeline, **db, job->id); });
    struct Release {  // whatever happens below, the held prompt is let go and the job ends
        engines::HttpClient& http;
        std::string url;
        std::thread& runner;
        ~Release() {
            engines::HttpRequest r;
            r.method = "POST";
            r.url = url + "/__double/release";
            (void)http.Send(r);
            if (runner.joinable()) runner.join();
        }
    } release{http, comfy.url(), runner};

    // Which scene's prompt is held (prompts are sent from several threads, in any order).
    const auto deadline = Clock::now() + std::chrono::seconds(120);  // hang guard only
    int held_scene = 0;
    while (Clock::now() < deadline && held_scene == 0) {
        const core::Json st = Stats(http, comfy.url());
        if (st.contains("held") && st["held"].size() == 1) {
            std::smatch mm;
            const std::string text = st["held"][0].get<std::string>();
            if (std::regex_search(text, mm, std::regex(R"(Scene number (\d+))")))
                held_scene = std::stoi(mm[1]);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ASSERT_GE(held_scene, 1) << "the stand-in never held a prompt";

    // The pieces that do not show the held scene: all encoded while it is held.
    std::vector<media::SceneMedia> sm(6);
    for (auto& s : sm) s.duration = 2.0;
    const auto t = media::PlanTimeline(sm, 12.0, m.fps).value();
    std::set<int> expected;
    const auto chunks = media::PlanChunks(t, media::GopFrames(m));
    ASSERT_EQ(chunks.size(), 12u);
    for (const auto& c : chunks) {
        bool shows = false;
        for (auto i : c.scenes) shows = shows || static_cast<int>(i) + 1 == held_scene;
        if (!shows) expected.insert(c.index + 1);
    }
    ASSERT_GE(expected.size(), 8u);
    std::set<int> early;
    while (Clock::now() < deadline) {
        early = PiecesEncodedEarly(**db, job->id);
        if (std::includes(early.begin(), early.end(), expected.begin(), expected.end())) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    for (int k : expected) EXPECT_TRUE(early.contains(k)) << "piece " << k << " not encoded early";
    // ...and the held picture still has not arrived: its scene is not recorded.
    const core::Json st = Stats(http, comfy.url());
    EXPECT_EQ(st["held"].size(), 1u);
    auto now = (*db)->GetJob(job->id);
    ASSERT_TRUE(now.ok());
    EXPECT_FALSE(now->stages.contains(SceneRecordName(held_scene)));
    EXPECT_FALSE(now->stages.contains(kScenesStage));

    {
        engines::HttpRequest r;
        r.method = "POST";
        r.url = comfy.url() + "/__double/release";
        ASSERT_TRUE(http.Send(r).ok());
    }
    runner.join();
    ASSERT_TRUE(result.status.ok()) << result.status.error().message;
    // The pieces showing the held scene followed it in the scenes stage: the final stage found
    // every piece made and only joined them.
    bool joined = false;
    for (const auto& [level, msg] : result.logs) {
        joined =
            joined || msg.find("final: 12 pieces, 12 encoded during the scenes stage, 0 now") !=
                          std::string::npos;
    }
    EXPECT_TRUE(joined);
    // The narration was mixed and measured in the scenes stage too (once every voice existed).
    bool narration_early = false;
    for (const auto& [level, msg] : result.logs) {
        narration_early = narration_early ||
                          msg.find("final narration mixed and measured during the scenes stage") !=
                              std::string::npos;
    }
    EXPECT_TRUE(narration_early);
    EXPECT_EQ(PiecesEncodedEarly(**db, job->id).size(), 12u);

    // The library item's video: house format, exact length, a keyframe every second.
    const std::int64_t cid = result.last_outputs["content_id"];
    const std::string video =
        (*store)->LocalPath("library/" + std::to_string(cid) + "/video.mp4").string();
    auto info = media::Probe(m, video);
    ASSERT_TRUE(info.ok()) << info.error().message;
    const media::StreamInfo* v = info->First("video");
    const media::StreamInfo* a = info->First("audio");
    ASSERT_TRUE(v && a);
    EXPECT_EQ(v->codec, "h264");
    EXPECT_EQ(v->profile, "High");
    EXPECT_EQ(v->pix_fmt, "yuv420p");
    EXPECT_DOUBLE_EQ(v->fps, 25.0);
    EXPECT_EQ(v->width, 854);
    EXPECT_EQ(v->height, 480);
    EXPECT_EQ(v->frames, 300);
    EXPECT_EQ(a->codec, "aac");
    EXPECT_EQ(a->sample_rate, 48000);
    EXPECT_NEAR(a->duration, 12.0, 0.04);
    EXPECT_EQ(info->chapters, 6);
    auto loud = media::MeasureLoudness(m, video);  // normalised with the early measure
    ASSERT_TRUE(loud.ok());
    EXPECT_NEAR(loud->integrated_lufs, -16.0, 1.0);
    auto keys = media::KeyframeTimes(m, video);
    ASSERT_TRUE(keys.ok());
    ASSERT_EQ(keys->size(), 12u);
    for (std::size_t i = 0; i < keys->size(); ++i) EXPECT_NEAR((*keys)[i], double(i), 0.001);
    fs::remove_all(root);
}

}  // namespace
}  // namespace beacon::pipeline
