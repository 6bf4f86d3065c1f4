// The generation pipeline's unit tier: the metadata stores are the in-memory fake
// (tests/support/memory_database.hpp, held to SQLite's semantics by the storage contract suite),
// media is real ffmpeg into the filesystem store, engines are the test-only lavfi fakes
// (testing_engines.hpp). SQLite runs under the pipeline in pipeline_builtin_test,
// pipeline_crash_test, pipeline_pools_test and the localize/import integration tests.
#include "pipeline/pipeline.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "media/probe.hpp"
#include "pipeline/cache_stats.hpp"
#include "pipeline/test_driver.hpp"
#include "pipeline/testing_engines.hpp"
#include "support/memory_database.hpp"

namespace beacon::pipeline {
namespace {

namespace fs = std::filesystem;
using core::Json;

class PipelineTest : public ::testing::Test {
protected:
    void SetUp() override {
        root_ = fs::temp_directory_path() /
                ("beacon-pipeline-" + std::to_string(::getpid()) + "-" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(root_);
        fs::create_directories(root_);
        db_ = std::make_unique<beacon::testing::MemoryDatabase>();
        auto store = storage::OpenFilesystemStore(root_ / "store");
        ASSERT_TRUE(store.ok());
        store_ = std::move(*store);
        media_.timeout = std::chrono::seconds(60);
        engines_.script = &script_;
        engines_.voice = &voice_;
        engines_.pictures = &pictures_;
        engines_.captions = &captions_;
        pipeline_ = std::make_unique<GenerationPipeline>(engines_, *db_, *store_, media_,
                                                         root_ / "scratch");
    }
    void TearDown() override { fs::remove_all(root_); }

    std::int64_t NewJob(double seconds = 3.0) {
        auto user = db_->GetOrCreateUser("tester");
        core::GenerateRequest req;
        req.prompt = "A lighthouse that controls storms. Emerald palette, 2 scenes.";
        req.duration_target = seconds;
        req.output_preset = "480p";
        auto job = db_->CreateJob(user->id, req);
        return job->id;
    }
    std::string Text(const std::string& key) {
        auto t = store_->Get(key);
        return t.ok() ? *t : "";
    }
    std::vector<std::string> LibraryFiles(std::int64_t cid) {
        std::vector<std::string> out;
        fs::path dir = root_ / "store" / "library" / std::to_string(cid);
        if (!fs::exists(dir)) return out;
        for (auto& e : fs::recursive_directory_iterator(dir)) {
            if (e.is_regular_file()) out.push_back(e.path().string());
        }
        return out;
    }

    fs::path root_;
    std::unique_ptr<beacon::testing::MemoryDatabase> db_;
    std::unique_ptr<storage::ObjectStore> store_;
    media::MediaOptions media_;
    testing::FakeScriptWriter script_;
    testing::FakeVoice voice_;
    testing::FakePictures pictures_;
    testing::FakeCaptions captions_;
    engines::EngineSet engines_;
    std::unique_ptr<GenerationPipeline> pipeline_;
};

TEST_F(PipelineTest, MakesALibraryItemPreviewFirst) {
    pictures_.later_scene_delay = std::chrono::milliseconds(1500);  // scene 2's picture is late
    const auto id = NewJob(3.0);
    auto r = testing::Drive(*pipeline_, *db_, id);
    ASSERT_TRUE(r.status.ok()) << r.status.error().message;
    EXPECT_EQ(r.ran, (std::vector<std::string>{"script", "scenes", "preview", "final", "compose"}));

    // The first URL the job published was the preview, made before every picture existed.
    ASSERT_FALSE(r.url_events.empty());
    EXPECT_TRUE(r.url_events.front().contains("preview_url"));
    EXPECT_TRUE(db_->GetJob(id)->stages["scenes"]["early_preview"].get<bool>());

    const std::int64_t cid = r.last_outputs["content_id"];
    auto content = db_->GetContent(cid);
    ASSERT_TRUE(content.ok());
    const std::string lib = "library/" + std::to_string(cid) + "/";
    EXPECT_EQ(content->mp4_key, lib + "video.mp4");
    EXPECT_EQ(content->hls_key, lib + "hls/master.m3u8");
    EXPECT_EQ(content->thumbnail_key, lib + "thumb.jpg");
    EXPECT_EQ(content->languages, std::vector<std::string>{"en"});
    EXPECT_EQ(content->transcript, "Words of scene 1.\nWords of scene 2.");
    EXPECT_NEAR(content->duration, 3.0, 0.04);
    EXPECT_EQ(content->script["scenes"].size(), 2u);
    for (const char* f : {"video.mp4", "poster.jpg", "thumb.jpg", "captions_en.vtt", "chapters.vtt",
                          "hls/master.m3u8", "hls/segments.json", "hls/video/index.m3u8",
                          "hls/audio_en/index.m3u8", "hls/subs_en/index.m3u8"}) {
        EXPECT_TRUE(store_->Exists(lib + f)) << f;
    }
    // House format, exact length.
    auto info = media::Probe(media_, store_->LocalPath(lib + "video.mp4").string());
    ASSERT_TRUE(info.ok());
    EXPECT_EQ(info->First("video")->height, 480);
    EXPECT_EQ(info->First("audio")->sample_rate, 48000);
    EXPECT_NEAR(info->First("video")->duration, 3.0, 0.04);
    EXPECT_EQ(info->chapters, 2);
    ASSERT_NE(info->First("subtitle"), nullptr);

    // Caption cues carry the narration's words in order.
    std::string vtt = Text(lib + "captions_en.vtt");
    std::string words;
    std::istringstream in(vtt);
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line == "WEBVTT" || line.find("-->") != std::string::npos) continue;
        words += (words.empty() ? "" : " ") + line;
    }
    EXPECT_EQ(words, "Words of scene 1. Words of scene 2.");
    EXPECT_NE(Text(lib + "chapters.vtt").find("Scene number 2"), std::string::npos);

    // The log has every ffmpeg command and each stage's time.
    int cmds = 0;
    bool timed = false;
    for (const auto& [level, msg] : r.logs) {
        if (level == core::LogLevel::kCmd) {
            ++cmds;
            EXPECT_TRUE(msg.rfind("ffmpeg ", 0) == 0 || msg.rfind("ffprobe ", 0) == 0) << msg;
        }
        if (msg.rfind("compose stage: ", 0) == 0) timed = true;
    }
    EXPECT_GE(cmds, 8);
    EXPECT_TRUE(timed);
    auto job = db_->GetJob(id);
    EXPECT_EQ(job->final_url, "/media/" + content->mp4_key) << "job rows keep URLs";
    EXPECT_FALSE(job->preview_url.empty());
    EXPECT_TRUE(store_->Exists("jobs/" + std::to_string(id) + "/scenes/1/picture.png"));
    EXPECT_TRUE(store_->Exists("jobs/" + std::to_string(id) + "/scenes/2/voice.wav"));
    auto assets = db_->ListAssetsForContent(cid);
    ASSERT_TRUE(assets.ok());
    EXPECT_GE(assets->size(), 6u);
}

TEST_F(PipelineTest, APreviewFromDraftsComesBeforeAnyFullPicture) {
    // An engine that paints drafts: the preview is made from them while every full picture is
    // still being painted (each waits until the job has a preview URL), then the full preview
    // and the final use the full pictures.
    pictures_.drafts = true;
    const auto id = NewJob(3.0);
    pictures_.hold_full = [&] {
        auto job = db_->GetJob(id);
        return job.ok() && !job->preview_url.empty();
    };
    auto r = testing::Drive(*pipeline_, *db_, id);
    ASSERT_TRUE(r.status.ok()) << r.status.error().message;
    EXPECT_EQ(pictures_.draft_calls.load(), 2);
    EXPECT_EQ(pictures_.calls.load(), 2);
    EXPECT_EQ(pictures_.held_until_go.load(), 2);  // both full pictures waited for the preview
    ASSERT_FALSE(r.url_events.empty());
    EXPECT_TRUE(r.url_events.front().contains("preview_url"));
    EXPECT_TRUE(db_->GetJob(id)->stages["scenes"]["early_preview"].get<bool>());
    bool logged = false;
    for (const auto& [level, msg] : r.logs) logged |= msg.find("preview (draft pictures)") == 0;
    EXPECT_TRUE(logged);
    // Drafts are never stored: the scene records name the full pictures.
    auto job = db_->GetJob(id);
    for (int n = 1; n <= 2; ++n) {
        const auto rec = job->stages[SceneRecordName(n)];
        EXPECT_NE(rec.value("picture_key", std::string()).find("/picture"), std::string::npos)
            << rec.dump();
    }
}

TEST_F(PipelineTest, NoDraftsWhenNoPreviewIsWanted) {
    pictures_.drafts = true;
    auto user = db_->GetOrCreateUser("tester");
    core::GenerateRequest req;
    req.prompt = "A lighthouse, 2 scenes.";
    req.duration_target = 3.0;
    req.output_preset = "480p";
    req.produce_preview = false;
    auto job = db_->CreateJob(user->id, req);
    auto r = testing::Drive(*pipeline_, *db_, job->id);
    ASSERT_TRUE(r.status.ok()) << r.status.error().message;
    EXPECT_EQ(pictures_.draft_calls.load(), 0);
    EXPECT_EQ(pictures_.calls.load(), 2);
}

TEST_F(PipelineTest, RegenerateSceneRedoesOnlyThatSceneAndReusesUnchangedEncodes) {
    const auto id = NewJob(3.0);
    auto first = testing::Drive(*pipeline_, *db_, id);
    ASSERT_TRUE(first.status.ok()) << first.status.error().message;
    const std::int64_t cid = first.last_outputs["content_id"];
    EXPECT_EQ(voice_.calls, 2);
    EXPECT_EQ(pictures_.calls, 2);
    const std::string scene1_picture = db_->GetJob(id)->stages["scene:1"]["picture_key"];

    // A stage-level rerun with nothing changed reuses the encode.
    ASSERT_TRUE(db_->ForgetStages(id, {"final", "compose"}).ok());
    auto again = testing::Drive(*pipeline_, *db_, id);
    ASSERT_TRUE(again.status.ok()) << again.status.error().message;
    EXPECT_EQ(again.ran, (std::vector<std::string>{"final", "compose"}));
    EXPECT_TRUE(db_->GetJob(id)->stages["final"]["reused"].get<bool>());
    EXPECT_EQ(again.last_outputs["content_id"], cid);

    // Regenerate scene 2 with a new description: only its picture is painted again; the voice
    // (same lines) comes from the cache; the library row is updated in place.
    auto reopened = RegenerateScene(*db_, id, 2, {{"description", "A calmer sea at dawn"}});
    ASSERT_TRUE(reopened.ok()) << reopened.error().message;
    EXPECT_EQ(reopened->status, core::JobState::kQueued);
    EXPECT_FALSE(reopened->stages.contains("scene:2"));
    EXPECT_TRUE(reopened->stages.contains("scene:1"));
    auto third = testing::Drive(*pipeline_, *db_, id);
    ASSERT_TRUE(third.status.ok()) << third.status.error().message;
    EXPECT_EQ(third.ran, (std::vector<std::string>{"scenes", "preview", "final", "compose"}));
    EXPECT_EQ(pictures_.calls, 3);
    EXPECT_EQ(voice_.calls, 2);
    auto job = db_->GetJob(id);
    EXPECT_EQ(job->stages["scene:1"]["picture_key"], scene1_picture);
    EXPECT_FALSE(job->stages["final"]["reused"].get<bool>());
    EXPECT_EQ(third.last_outputs["content_id"], cid);
    auto content = db_->GetContent(cid);
    ASSERT_TRUE(content.ok());
    EXPECT_EQ(content->script["scenes"][1]["description"], "A calmer sea at dawn");
    EXPECT_NE(Text("library/" + std::to_string(cid) + "/chapters.vtt").find("A calmer sea"),
              std::string::npos);

    // Editing the lines makes a new voice.
    ASSERT_TRUE(
        RegenerateScene(*db_, id, 1, {{"lines", {"Brand new words here."}}, {"seed", 7}}).ok());
    auto fourth = testing::Drive(*pipeline_, *db_, id);
    ASSERT_TRUE(fourth.status.ok()) << fourth.status.error().message;
    EXPECT_EQ(voice_.calls, 3);
    EXPECT_EQ(db_->GetContent(cid)->transcript, "Brand new words here.\nWords of scene 2.");
}

TEST_F(PipelineTest, AnIdenticalRequestComesFromTheCache) {
    const auto before = AssetCacheStats();
    auto first = testing::Drive(*pipeline_, *db_, NewJob(3.0));
    ASSERT_TRUE(first.status.ok()) << first.status.error().message;
    const auto between = AssetCacheStats();
    const auto id2 = NewJob(3.0);
    auto second = testing::Drive(*pipeline_, *db_, id2);
    ASSERT_TRUE(second.status.ok()) << second.status.error().message;
    // The cache's counters (beacon_asset_cache_lookups_total): the first job only missed,
    // the second only hit.
    const auto after = AssetCacheStats();
    EXPECT_GT(between.misses, before.misses);
    EXPECT_EQ(between.hits, before.hits);
    EXPECT_GT(after.hits, between.hits);
    EXPECT_EQ(after.misses, between.misses);
    EXPECT_EQ(voice_.calls, 2);  // no new engine calls
    EXPECT_EQ(pictures_.calls, 2);
    auto job = db_->GetJob(id2);
    EXPECT_TRUE(job->stages["final"]["reused"].get<bool>());
    EXPECT_TRUE(job->stages["scene:1"]["cached"].get<bool>());
    EXPECT_NE(first.last_outputs["content_id"], second.last_outputs["content_id"]);
    // The second item still lists the provenance of the voices and pictures it uses.
    auto assets = db_->ListAssetsForContent(second.last_outputs["content_id"].get<std::int64_t>());
    ASSERT_TRUE(assets.ok());
    int voices = 0, pictures = 0;
    for (const auto& a : *assets) {
        voices += a.kind == core::AssetKind::kVoice;
        pictures += a.kind == core::AssetKind::kPicture;
        if (a.kind == core::AssetKind::kVoice) {
            EXPECT_EQ(a.engine, "fake-voice");
        }
    }
    EXPECT_EQ(voices, 2);
    EXPECT_EQ(pictures, 2);
}

TEST_F(PipelineTest, RegenerateSceneRejectsBadRequests) {
    const auto id = NewJob(3.0);
    // Not stopped yet (queued).
    auto busy = RegenerateScene(*db_, id, 1, Json::object());
    ASSERT_FALSE(busy.ok());
    EXPECT_EQ(busy.error().code, core::ErrorCode::kConflict);
    ASSERT_TRUE(testing::Drive(*pipeline_, *db_, id).status.ok());
    auto code = [&](int n, const Json& e) {
        auto r = RegenerateScene(*db_, id, n, e);
        return r.ok() ? std::string("ok") : std::string(core::ToString(r.error().code));
    };
    EXPECT_EQ(code(0, Json::object()), "invalid_argument");
    EXPECT_EQ(code(3, Json::object()), "invalid_argument");
    EXPECT_EQ(code(1, Json::array()), "invalid_argument");
    EXPECT_EQ(code(1, {{"prompt", "x"}}), "invalid_argument");
    EXPECT_EQ(code(1, {{"description", 5}}), "invalid_argument");
    EXPECT_EQ(code(1, {{"description", ""}}), "invalid_argument");
    EXPECT_EQ(code(1, {{"description", std::string(5000, 'x')}}), "invalid_argument");
    EXPECT_EQ(code(1, {{"lines", "not an array"}}), "invalid_argument");
    EXPECT_EQ(code(1, {{"lines", {1, 2}}}), "invalid_argument");
    EXPECT_EQ(code(1, {{"seed", "abc"}}), "invalid_argument");
    auto missing = RegenerateScene(*db_, 999999, 1, Json::object());
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().code, core::ErrorCode::kNotFound);
}

TEST_F(PipelineTest, CancelWhileComposingLeavesNothingInTheLibrary) {
    const auto id = NewJob(3.0);
    std::stop_source stop;
    captions_.on_caption = [&] { stop.request_stop(); };
    auto r = testing::Drive(*pipeline_, *db_, id, stop.get_token());
    ASSERT_FALSE(r.status.ok());
    EXPECT_EQ(r.status.error().code, core::ErrorCode::kCanceled);
    EXPECT_EQ(r.ran.back(), "compose");
    auto page = db_->ListContent({});
    ASSERT_TRUE(page.ok());
    EXPECT_EQ(page->total, 0);
    fs::path lib = root_ / "store" / "library";
    std::size_t files = 0;
    if (fs::exists(lib)) {
        for (auto& e : fs::recursive_directory_iterator(lib)) files += e.is_regular_file();
    }
    EXPECT_EQ(files, 0u);
}

TEST_F(PipelineTest, EngineAndToolFailuresNameTheCulprit) {
    pictures_.fail = true;
    auto r = testing::Drive(*pipeline_, *db_, NewJob(3.0));
    ASSERT_FALSE(r.status.ok());
    EXPECT_NE(r.status.error().message.find("picture engine fake-painter"), std::string::npos)
        << r.status.error().message;
    EXPECT_NE(r.status.error().message.find("canvas on fire"), std::string::npos);

    pictures_.fail = false;
    media::MediaOptions broken = media_;
    broken.ffmpeg = "/nonexistent/ffmpeg";
    GenerationPipeline p(engines_, *db_, *store_, broken, root_ / "scratch2");
    auto r2 = testing::Drive(p, *db_, NewJob(3.0));
    ASSERT_FALSE(r2.status.ok());
    EXPECT_EQ(r2.ran.back(), "preview");
    EXPECT_NE(r2.status.error().message.find("preview (ffmpeg)"), std::string::npos)
        << r2.status.error().message;
    EXPECT_NE(r2.status.error().message.find("/nonexistent/ffmpeg"), std::string::npos);
}

TEST_F(PipelineTest, ParallaxLayersAndNoPreview) {
    pictures_.layers = true;
    auto user = db_->GetOrCreateUser("tester");
    core::GenerateRequest req;
    req.prompt = "Layers";
    req.duration_target = 2.0;
    req.output_preset = "480p";
    req.produce_preview = false;
    auto job = db_->CreateJob(user->id, req);
    auto r = testing::Drive(*pipeline_, *db_, job->id);
    ASSERT_TRUE(r.status.ok()) << r.status.error().message;
    EXPECT_EQ(r.ran, (std::vector<std::string>{"script", "scenes", "final", "compose"}));
    EXPECT_EQ(db_->GetJob(job->id)->stages["scene:1"]["layer_keys"].size(), 2u);
}

}  // namespace
}  // namespace beacon::pipeline
