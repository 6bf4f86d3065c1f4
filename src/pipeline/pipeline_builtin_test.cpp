// End to end with the real built-in engines (planner, Flite voice, storyboard painter with
// parallax layers, exact captions), real ffmpeg, SQLite and the filesystem store.
#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <sstream>

#include "engines/captions.hpp"
#include "engines/flite_voice.hpp"
#include "engines/planner.hpp"
#include "engines/storyboard.hpp"
#include "media/probe.hpp"
#include "pipeline/pipeline.hpp"
#include "pipeline/test_driver.hpp"
#include "storage/database.hpp"

namespace beacon::pipeline {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> NormalWords(const std::string& text) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : text + " ") {
        if (std::isalnum(static_cast<unsigned char>(c)) || c == '\'') {
            cur += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        } else if (!cur.empty()) {
            out.push_back(cur);
            cur.clear();
        }
    }
    return out;
}

TEST(PipelineBuiltinTest, LighthousePromptBecomesALibraryItem) {
    const fs::path root = fs::temp_directory_path() / ("beacon-e2e-" + std::to_string(::getpid()));
    fs::remove_all(root);
    fs::create_directories(root);
    auto db = storage::OpenSqlite((root / "beacon.db").string());
    ASSERT_TRUE(db.ok()) << db.error().message;
    auto store = storage::OpenFilesystemStore(root / "store");
    ASSERT_TRUE(store.ok());
    engines::BuiltinPlanner planner;
    engines::FliteVoiceEngine voice;
    engines::StoryboardPainter painter;
    engines::ExactCaptionEngine captions;
    engines::EngineSet set;
    set.script = &planner;
    set.voice = &voice;
    set.pictures = &painter;
    set.captions = &captions;
    media::MediaOptions media;
    GenerationPipeline pipeline(set, **db, **store, media, root / "scratch");

    auto user = (*db)->GetOrCreateUser("e2e");
    core::GenerateRequest req;
    req.prompt =
        "A short sci-fi animation about a lighthouse that controls storms. Emerald "
        "palette, 2 scenes.";
    req.duration_target = 4.0;
    req.output_preset = "480p";
    auto job = (*db)->CreateJob(user->id, req);
    ASSERT_TRUE(job.ok());
    auto r = testing::Drive(pipeline, **db, job->id);
    ASSERT_TRUE(r.status.ok()) << r.status.error().message;
    const std::int64_t cid = r.last_outputs["content_id"];
    auto content = (*db)->GetContent(cid);
    ASSERT_TRUE(content.ok());
    EXPECT_EQ(content->script["scenes"].size(), 2u);
    const std::string lib = "library/" + std::to_string(cid) + "/";

    const std::string video = (*store)->LocalPath(lib + "video.mp4").string();
    auto info = media::Probe(media, video);
    ASSERT_TRUE(info.ok());
    EXPECT_EQ(info->First("video")->profile, "High");
    EXPECT_EQ(info->First("video")->height, 480);
    EXPECT_NEAR(info->First("video")->duration, 4.0, 0.04);
    EXPECT_NEAR(info->First("audio")->duration, 4.0, 0.04);
    EXPECT_EQ(info->chapters, 2);
    auto loud = media::MeasureLoudness(media, video);
    ASSERT_TRUE(loud.ok());
    EXPECT_NEAR(loud->integrated_lufs, -16.0, 1.0);

    // The captions say the narration's words, in order (as far as the target length allows).
    auto vtt = (*store)->Get(lib + "captions_en.vtt");
    ASSERT_TRUE(vtt.ok());
    std::string cue_text;
    std::istringstream in(*vtt);
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line == "WEBVTT" || line.find("-->") != std::string::npos) continue;
        cue_text += line + " ";
    }
    auto said = NormalWords(cue_text);
    auto narration = NormalWords(content->transcript);
    ASSERT_FALSE(said.empty());
    ASSERT_LE(said.size(), narration.size());
    for (std::size_t i = 0; i < said.size(); ++i) EXPECT_EQ(said[i], narration[i]) << i;
    EXPECT_TRUE((*store)->Exists(lib + "hls/master.m3u8"));
    fs::remove_all(root);
}

}  // namespace
}  // namespace beacon::pipeline
