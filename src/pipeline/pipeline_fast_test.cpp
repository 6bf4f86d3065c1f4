// The generation pipeline's fast tier: no ffmpeg and no database server. The stores are the
// in-memory fake (tests/support/memory_database.hpp) and a filesystem object store in a temp
// folder; ffmpeg and ffprobe are tests/support's FakeMediaRunner, which writes small media
// descriptors where ffmpeg would write media and answers probes from them. What these tests
// check is the pipeline's own logic: which commands it runs in which order, what it records
// and publishes, and how it fails or stops. pipeline_test runs the same pipeline on real
// ffmpeg (and checks the media itself).
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "pipeline/pipeline.hpp"
#include "pipeline/test_driver.hpp"
#include "pipeline/testing_engines.hpp"
#include "support/fake_media_runner.hpp"
#include "support/memory_database.hpp"

namespace beacon::pipeline {
namespace {

namespace fs = std::filesystem;
using beacon::testing::ArgvHas;
using Argv = std::vector<std::string>;

class PipelineFastTest : public ::testing::Test {
protected:
    void SetUp() override {
        root_ = fs::temp_directory_path() /
                ("beacon-pipeline-fast-" + std::to_string(::getpid()) + "-" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(root_);
        fs::create_directories(root_);
        db_ = std::make_unique<beacon::testing::MemoryDatabase>();
        auto store = storage::OpenFilesystemStore(root_ / "store");
        ASSERT_TRUE(store.ok());
        store_ = std::move(*store);
        // Any ffmpeg that ran for real would fail: these names are not on PATH.
        media_.ffmpeg = "fake/ffmpeg";
        media_.ffprobe = "fake/ffprobe";
        media_.runner = &runner_;
        runner_.keyframe_seconds = media_.segment_seconds;
        voice_.runner = &runner_;
        pictures_.runner = &runner_;
        engines_.script = &script_;
        engines_.voice = &voice_;
        engines_.pictures = &pictures_;
        engines_.captions = &captions_;
        pipeline_ = std::make_unique<GenerationPipeline>(engines_, *db_, *store_, media_,
                                                         root_ / "scratch");
    }
    void TearDown() override { fs::remove_all(root_); }

    std::int64_t NewJob(double seconds, int scenes = 2) {
        script_.scenes = scenes;
        auto user = db_->GetOrCreateUser("tester");
        core::GenerateRequest req;
        req.prompt = "A lighthouse that controls storms. Emerald palette.";
        req.duration_target = seconds;
        req.output_preset = "720p";
        return db_->CreateJob(user->id, req)->id;
    }
    bool Exists(const std::string& key) { return store_->Exists(key); }

    fs::path root_;
    beacon::testing::FakeMediaRunner runner_;
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

bool IsFfmpeg(const Argv& a) { return a[0] == "fake/ffmpeg"; }
/// One GOP-aligned piece of the final picture (final_pieces.cpp writes "<piece>.part.mp4").
bool IsPieceEncode(const Argv& a) { return IsFfmpeg(a) && a.back().ends_with(".part.mp4"); }
/// The stitch of the pieces (read as an ffmpeg concat list) with the mixed narration.
bool IsStitch(const Argv& a) {
    for (std::size_t i = 0; i + 1 < a.size(); ++i) {
        if (a[i] == "-f" && a[i + 1] == "concat") return IsFfmpeg(a);
    }
    return false;
}

TEST_F(PipelineFastTest, AJobRunsEveryStageAndPublishesTheWholeItem) {
    const auto id = NewJob(12.0, 3);
    auto r = testing::Drive(*pipeline_, *db_, id);
    ASSERT_TRUE(r.status.ok()) << r.status.error().message;
    EXPECT_EQ(r.ran, (std::vector<std::string>{"script", "scenes", "preview", "final", "compose"}));
    const std::int64_t cid = r.last_outputs["content_id"];
    const std::string lib = "library/" + std::to_string(cid) + "/";
    for (const char* f : {"video.mp4", "poster.jpg", "thumb.jpg", "captions_en.vtt", "chapters.vtt",
                          "hls/master.m3u8", "hls/video/index.m3u8"}) {
        EXPECT_TRUE(Exists(lib + f)) << f;
    }
    auto content = db_->GetContent(cid);
    ASSERT_TRUE(content.ok());
    EXPECT_FALSE(content->pending);
    EXPECT_NEAR(content->duration, 12.0, 0.05);

    // Every voice and picture went through the engines; every scene's final piece was encoded
    // once (the 12 s at a 4 s GOP are 3 pieces); the preview, narration, packaged MP4, HLS
    // cut, poster and thumbnail once each.
    EXPECT_EQ(voice_.calls, 3);
    EXPECT_EQ(pictures_.calls, 3);
    const auto cmds = runner_.Commands();
    int pieces = 0, previews = 0, hls = 0, stills = 0;
    for (const auto& a : cmds) {
        if (!IsFfmpeg(a)) continue;
        pieces += IsPieceEncode(a);
        previews += a.back().ends_with("preview.mp4");
        hls += ArgvHas(a, "-hls_segment_filename");
        stills += ArgvHas(a, "-frames:v") && !ArgvHas(a, "lavfi");
    }
    EXPECT_EQ(previews, 1);
    EXPECT_GE(hls, 1);
    EXPECT_GE(stills, 3) << "the preview's thumbnail, the poster and the thumbnail";
    EXPECT_EQ(pieces, 3) << "one encode per 4 s piece of the final";

    // The assets name what they are.
    auto assets = db_->ListAssetsForJob(id);
    ASSERT_TRUE(assets.ok());
    std::set<core::AssetKind> kinds;
    for (const auto& a : *assets) kinds.insert(a.kind);
    using K = core::AssetKind;
    for (K k :
         {K::kScript, K::kVoice, K::kPicture, K::kPreview, K::kPreviewThumbnail, K::kNarration,
          K::kEncode, K::kCaptions, K::kChapters, K::kPoster, K::kThumbnail, K::kHls, K::kMp4}) {
        EXPECT_TRUE(kinds.contains(k)) << core::ToString(k);
    }
}

TEST_F(PipelineFastTest, ThePreviewIsPublishedBeforeTheFinalEncodeStarts) {
    const auto id = NewJob(8.0);
    auto r = testing::Drive(*pipeline_, *db_, id);
    ASSERT_TRUE(r.status.ok()) << r.status.error().message;
    ASSERT_FALSE(r.url_events.empty());
    EXPECT_TRUE(r.url_events.front().contains("preview_url"));
    // In the command log the preview encode comes before the stitched final and the package.
    const auto cmds = runner_.Commands();
    std::ptrdiff_t preview = -1, package = -1;
    for (std::size_t i = 0; i < cmds.size(); ++i) {
        if (!IsFfmpeg(cmds[i])) continue;
        if (preview < 0 && cmds[i].back().ends_with("preview.mp4"))
            preview = static_cast<std::ptrdiff_t>(i);
        if (cmds[i].back().ends_with("video.mp4")) package = static_cast<std::ptrdiff_t>(i);
    }
    ASSERT_GE(preview, 0);
    ASSERT_GE(package, 0);
    EXPECT_LT(preview, package);
}

TEST_F(PipelineFastTest,
       AnFfmpegFailureWhileComposingFailsTheJobWithItsMessageAndPublishesNothing) {
    runner_.FailWhen(
        [](const Argv& a) { return IsFfmpeg(a) && ArgvHas(a, "-hls_segment_filename"); },
        "[hls @ 0x55] Failed to open file: No space left on device");
    const auto id = NewJob(8.0);
    auto r = testing::Drive(*pipeline_, *db_, id);
    ASSERT_FALSE(r.status.ok());
    EXPECT_NE(r.status.error().message.find("No space left on device"), std::string::npos)
        << r.status.error().message;
    EXPECT_EQ(r.ran.back(), "compose");
    // Nothing of the item reached the library: the MP4 (published last) is not there, and the
    // job's library row stays pending, so no listing shows a half item.
    auto job = db_->GetJob(id);
    ASSERT_TRUE(job.ok());
    EXPECT_EQ(job->status, core::JobState::kFailed);
    if (job->content_id) {
        const std::string lib = "library/" + std::to_string(*job->content_id) + "/";
        EXPECT_FALSE(Exists(lib + "video.mp4"));
        EXPECT_TRUE(db_->GetContent(*job->content_id)->pending);
    }
}

TEST_F(PipelineFastTest, AFailedFinalPieceNamesTheToolAndTheRetryReusesEveryVoiceAndPicture) {
    // The first try: the stitched final fails (ffmpeg answers exit status 1).
    std::atomic<bool> failing{true};
    runner_.FailWhen([&failing](const Argv& a) { return failing && IsStitch(a); },
                     "Conversion failed!");
    const auto id = NewJob(8.0);
    auto first = testing::Drive(*pipeline_, *db_, id);
    ASSERT_FALSE(first.status.ok());
    EXPECT_NE(first.status.error().message.find("Conversion failed!"), std::string::npos)
        << first.status.error().message;
    EXPECT_NE(first.status.error().message.find("ffmpeg"), std::string::npos);
    EXPECT_EQ(first.ran.back(), "final");
    const int voices = voice_.calls, pictures = pictures_.calls;

    // The retry resumes after the last finished stage: no voice or picture is made again.
    failing = false;
    ASSERT_TRUE(db_->RetryJob(id).ok());
    auto second = testing::Drive(*pipeline_, *db_, id);
    ASSERT_TRUE(second.status.ok()) << second.status.error().message;
    EXPECT_EQ(second.ran, (std::vector<std::string>{"final", "compose"}));
    EXPECT_EQ(voice_.calls, voices);
    EXPECT_EQ(pictures_.calls, pictures);
}

TEST_F(PipelineFastTest, CancelingDuringAnEncodeStopsItAndTheJobEndsCanceled) {
    // Hold the final's piece encodes; cancel while one waits.
    runner_.HoldWhen(IsPieceEncode);
    const auto id = NewJob(8.0);
    std::stop_source stop;
    testing::DriveResult r;
    std::thread runner([&] { r = testing::Drive(*pipeline_, *db_, id, stop.get_token()); });
    // Wait until a piece encode has started (and is held).
    for (int i = 0; i < 5000 && runner_.Count(".part.mp4") == 0; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ASSERT_GT(runner_.Count(".part.mp4"), 0);
    stop.request_stop();
    runner.join();
    ASSERT_FALSE(r.status.ok());
    EXPECT_EQ(r.status.error().code, core::ErrorCode::kCanceled) << r.status.error().message;
    EXPECT_EQ(db_->GetJob(id)->status, core::JobState::kCanceled);
}

TEST_F(PipelineFastTest, AnUnmodelledCommandFailsLoudlyInsteadOfPassing) {
    core::RunOptions run;
    auto out = runner_.Run({"fake/ffmpeg", "-f", "matroska", "-i", "x.mkv", "y.mp4"}, run);
    ASSERT_FALSE(out.ok());
    EXPECT_NE(out.error().message.find("input format matroska is not modelled"), std::string::npos)
        << out.error().message;
    EXPECT_FALSE(fs::exists("y.mp4"));
}

}  // namespace
}  // namespace beacon::pipeline
