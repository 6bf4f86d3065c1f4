// Importing the user's own media with real ffmpeg, SQLite and the filesystem store: an MP4, a
// MOV with odd timestamps, an audio-only file and a file that is not media; captions from the
// Whisper stand-in (tests/doubles/whisper_double.py) when configured, its failures failing the
// job with no item left behind.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "engines/http_client.hpp"
#include "engines/whisper.hpp"
#include "media/probe.hpp"
#include "media/runner.hpp"
#include "pipeline/import.hpp"
#include "pipeline/test_driver.hpp"
#include "storage/database.hpp"
#include "../../tests/doubles/double_process.hpp"

namespace beacon::pipeline {
namespace {

namespace fs = std::filesystem;

class ImportIntegration : public ::testing::Test {
protected:
    void SetUp() override {
        root_ = fs::temp_directory_path() / ("beacon-import-" + std::to_string(::getpid()) + "-" +
                                             ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(root_);
        fs::create_directories(root_ / "in");
        auto db = storage::OpenSqlite((root_ / "beacon.db").string());
        ASSERT_TRUE(db.ok()) << db.error().message;
        db_ = std::move(db).value();
        auto store = storage::OpenFilesystemStore(root_ / "store");
        ASSERT_TRUE(store.ok());
        store_ = std::move(store).value();
        user_ = db_->GetOrCreateUser("import")->id;
    }
    void TearDown() override { fs::remove_all(root_); }

    /// Makes an input file with ffmpeg (lavfi sources) and returns its path.
    fs::path Make(const std::string& name, const std::vector<std::string>& args) {
        std::vector<std::string> argv = {"ffmpeg", "-nostdin", "-v", "error", "-y"};
        argv.insert(argv.end(), args.begin(), args.end());
        argv.push_back((root_ / "in" / name).string());
        media::RunOptions run;
        run.timeout = std::chrono::seconds(120);
        auto r = media::RunProcess(argv, run);
        EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
        return root_ / "in" / name;
    }

    /// Probes, enqueues and runs an import; returns the driven result and the job id.
    std::pair<testing::DriveResult, std::int64_t> Import(ImportJob& job, const fs::path& file) {
        auto kind = ProbeUpload(media_, file);
        EXPECT_TRUE(kind.ok()) << (kind.ok() ? "" : kind.error().message);
        const fs::path copy = root_ / ("upload-" + file.filename().string());
        fs::copy_file(file, copy, fs::copy_options::overwrite_existing);
        auto j = job.Enqueue(user_, copy, file.filename().string(), "", "en");
        EXPECT_TRUE(j.ok()) << (j.ok() ? "" : j.error().message);
        EXPECT_EQ(j->kind, core::JobKind::kImport);
        return {testing::Drive(job, *db_, j->id), j->id};
    }

    fs::path root_;
    std::unique_ptr<storage::Database> db_;
    std::unique_ptr<storage::ObjectStore> store_;
    media::MediaOptions media_;
    std::int64_t user_ = 0;
};

TEST_F(ImportIntegration, VideoMovAndAudioOnlyBecomeHouseFormatItems) {
    ImportJob job(nullptr, *db_, *store_, media_, root_ / "scratch");
    const auto mp4 = Make("clip.mp4", {"-f", "lavfi", "-i", "testsrc2=s=640x360:r=30:d=5", "-f",
                                       "lavfi", "-i", "sine=f=440:d=5", "-c:v", "libx264",
                                       "-preset", "ultrafast", "-c:a", "aac", "-shortest"});
    // A MOV whose timestamps start late and whose video runs at an odd rate.
    const auto mov = Make("odd.mov", {"-f", "lavfi", "-i", "testsrc=s=320x240:r=24000/1001:d=4",
                                      "-f", "lavfi", "-i", "sine=f=220:d=4", "-c:v", "mpeg4",
                                      "-c:a", "pcm_s16le", "-output_ts_offset", "3.2"});
    const auto m4a = Make("talk.m4a", {"-f", "lavfi", "-i", "sine=f=330:d=3", "-c:a", "aac"});
    for (const auto& [file, want] : std::vector<std::pair<fs::path, double>>{{mp4, 5}, {mov, 4}, {m4a, 3}}) {
        auto [r, job_id] = Import(job, file);
        ASSERT_TRUE(r.status.ok()) << file << ": " << r.status.error().message;
        const std::int64_t cid = r.last_outputs["content_id"];
        auto c = db_->GetContent(cid);
        ASSERT_TRUE(c.ok());
        EXPECT_EQ(c->title, file.stem().string());
        EXPECT_EQ(c->vtt_key, "");  // no ASR configured: no captions, and the log says so
        bool said = false;
        for (const auto& [stage, line] : r.logs) said |= line.find("captions: none") != std::string::npos;
        EXPECT_TRUE(said);
        auto info = media::Probe(media_, store_->LocalPath("library/" + std::to_string(cid) + "/video.mp4").string());
        ASSERT_TRUE(info.ok());
        ASSERT_NE(info->First("video"), nullptr);
        ASSERT_NE(info->First("audio"), nullptr);
        EXPECT_EQ(info->First("video")->codec, "h264");
        EXPECT_EQ(info->First("video")->pix_fmt, "yuv420p");
        EXPECT_NEAR(info->First("video")->fps, media_.fps, 0.01);
        EXPECT_EQ(info->First("audio")->codec, "aac");
        EXPECT_EQ(info->First("audio")->sample_rate, 48000);
        EXPECT_NEAR(info->duration, want, 0.15) << file;
        // Starts at 0 (the MOV began at 3.2 s) up to the encoder's B-frame delay of 2 frames.
        EXPECT_NEAR(info->First("video")->start_time, 0, 0.1) << file;
        // On the house HLS grid: full segments of segment_seconds but the last.
        auto manifest = core::Json::parse(*store_->Get("library/" + std::to_string(cid) + "/hls/segments.json"));
        const auto& v = manifest["video"];
        ASSERT_GE(v.size(), 1u);
        for (std::size_t i = 0; i + 1 < v.size(); ++i)
            EXPECT_NEAR(v[i]["duration"].get<double>(), media_.segment_seconds, 0.05) << file;
        EXPECT_TRUE(manifest["audio"].contains("en"));
        // The upload is gone once imported.
        EXPECT_FALSE(store_->Exists(db_->GetJob(job_id)->params.value("source_key", "")));
    }
}

TEST_F(ImportIntegration, NotMediaTruncatedAndEmptyAreRefusedInWords) {
    std::ofstream(root_ / "in" / "notes.txt") << "this is not a video\n";
    auto text = ProbeUpload(media_, root_ / "in" / "notes.txt");
    ASSERT_FALSE(text.ok());
    EXPECT_EQ(text.error().code, core::ErrorCode::kInvalidArgument);
    EXPECT_NE(text.error().message.find("not an audio or video file"), std::string::npos);
    const auto mp4 = Make("whole.mp4", {"-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=3",
                                        "-c:v", "libx264", "-preset", "ultrafast"});
    std::string bytes;
    {
        std::ifstream in(mp4, std::ios::binary);
        bytes.assign(std::istreambuf_iterator<char>(in), {});
    }
    std::ofstream(root_ / "in" / "cut.mp4", std::ios::binary) << bytes.substr(0, bytes.size() / 3);
    auto cut = ProbeUpload(media_, root_ / "in" / "cut.mp4");
    EXPECT_FALSE(cut.ok());

    auto parsed = ParseMultipartUpload(
        "multipart/form-data; boundary=XyZ",
        "--XyZ\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nMy clip\r\n"
        "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.mp4\"\r\n"
        "Content-Type: video/mp4\r\n\r\nBYTES\r\n--XyZ--\r\n");
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    EXPECT_EQ(parsed->filename, "a.mp4");
    EXPECT_EQ(parsed->content, "BYTES");
    EXPECT_EQ(parsed->title, "My clip");
    EXPECT_FALSE(ParseMultipartUpload("multipart/form-data; boundary=XyZ",
                                      "--XyZ\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nx\r\n--XyZ--\r\n")
                     .ok());
    EXPECT_FALSE(ParseMultipartUpload("application/json", "{}").ok());
}

TEST_F(ImportIntegration, WhisperCaptionsAndItsFailuresLeaveNoItem) {
    const auto clip = Make("speech.mp4", {"-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=3", "-f",
                                          "lavfi", "-i", "sine=f=300:d=3", "-c:v", "libx264",
                                          "-preset", "ultrafast", "-c:a", "aac", "-shortest"});
    engines::HttpClient http;
    {
        beacon::testing::DoubleProcess d("whisper_double.py", {"--api", "whispercpp"});
        engines::WhisperOptions o;
        o.url = d.url();
        o.timeout = std::chrono::seconds(30);
        engines::WhisperCaptionEngine whisper(o, http);
        ImportJob job(&whisper, *db_, *store_, media_, root_ / "scratch");
        auto [r, job_id] = Import(job, clip);
        ASSERT_TRUE(r.status.ok()) << r.status.error().message;
        auto c = db_->GetContent(r.last_outputs["content_id"].get<std::int64_t>());
        ASSERT_TRUE(c.ok());
        EXPECT_NE(c->transcript.find("Hello world from the stand-in."), std::string::npos);
        ASSERT_FALSE(c->vtt_key.empty());
        auto vtt = store_->Get(c->vtt_key);
        ASSERT_TRUE(vtt.ok());
        EXPECT_NE(vtt->find("Hello world"), std::string::npos);
        // The transcript is in the library's search index.
        storage::ContentQuery q;
        q.search = "stand";
        auto found = db_->ListContent(q);
        ASSERT_TRUE(found.ok());
        EXPECT_EQ(found->total, 1);
        EXPECT_NE(d.Requests().dump().find("inference"), std::string::npos);
    }
    for (std::vector<std::string> args : {std::vector<std::string>{"--segments", "empty"},
                                          std::vector<std::string>{"--fail", "503", "--fail-times", "-1"},
                                          std::vector<std::string>{"--garbage"}}) {
        args.insert(args.begin(), {"--api", "whispercpp"});
        beacon::testing::DoubleProcess d("whisper_double.py", args);
        engines::WhisperOptions o;
        o.url = d.url();
        o.timeout = std::chrono::seconds(30);
        o.retry.max_attempts = 1;
        engines::WhisperCaptionEngine whisper(o, http);
        ImportJob job(&whisper, *db_, *store_, media_, root_ / "scratch");
        const auto before = db_->ListContent({})->total;
        auto [r, job_id] = Import(job, clip);
        ASSERT_FALSE(r.status.ok()) << args[2];
        EXPECT_NE(r.status.error().message.find("caption engine whisper"), std::string::npos)
            << r.status.error().message;
        EXPECT_EQ(db_->ListContent({})->total, before) << args[2];
    }
}

}  // namespace
}  // namespace beacon::pipeline
