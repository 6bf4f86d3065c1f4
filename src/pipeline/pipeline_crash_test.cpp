// A process killed (SIGKILL) while composing leaves no ghost in the library, and the resumed job
// finishes with exactly one item: the built-in engines, real ffmpeg, SQLite and the filesystem
// store, with the kill made by a child process inside the compose stage.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>

#include "engines/captions.hpp"
#include "engines/flite_voice.hpp"
#include "engines/planner.hpp"
#include "engines/storyboard.hpp"
#include "pipeline/pipeline.hpp"
#include "pipeline/test_driver.hpp"
#include "storage/database.hpp"

namespace beacon::pipeline {
namespace {

namespace fs = std::filesystem;

/// Entity extraction runs in compose after the library row exists and the media is packaged,
/// before anything is published: the worst moment to die.
class DieWhileComposing final : public engines::EntityExtractor {
public:
    core::Result<std::vector<std::string>> Extract(const std::string&, std::stop_token) override {
        ::raise(SIGKILL);
        return std::vector<std::string>{};
    }
    engines::Provenance Describe() const override { return {"die", "", {}, true}; }
};

struct Studio {
    explicit Studio(const fs::path& root, engines::EntityExtractor* entities = nullptr) {
        auto opened = storage::OpenSqlite((root / "beacon.db").string());
        if (!opened.ok()) throw std::runtime_error(opened.error().message);
        db = std::move(opened).value();
        auto st = storage::OpenFilesystemStore(root / "media");
        if (!st.ok()) throw std::runtime_error(st.error().message);
        store = std::move(st).value();
        engines::EngineSet set;
        set.script = &planner;
        set.voice = &voice;
        set.pictures = &painter;
        set.captions = &captions;
        set.entities = entities;
        pipeline = std::make_unique<GenerationPipeline>(set, *db, *store, media::MediaOptions{},
                                                        root / "tmp");
    }
    engines::BuiltinPlanner planner;
    engines::FliteVoiceEngine voice;
    engines::StoryboardPainter painter;
    engines::ExactCaptionEngine captions;
    std::unique_ptr<storage::Database> db;
    std::unique_ptr<storage::ObjectStore> store;
    std::unique_ptr<GenerationPipeline> pipeline;
};

/// Every content row, pending ones included (what no API call can show).
std::int64_t RowsInContentTable(const fs::path& db_file) {
    sqlite3* db = nullptr;
    sqlite3_open_v2(db_file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM content", -1, &st, nullptr);
    std::int64_t n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

class PipelineCrashTest : public ::testing::Test {
protected:
    void SetUp() override {
        root_ = fs::temp_directory_path() /
                ("beacon-crash-" + std::to_string(::getpid()) + "-" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(root_);
        fs::create_directories(root_);
    }
    void TearDown() override { fs::remove_all(root_); }

    /// Runs a new job in a child process that is killed inside compose; returns the job id.
    std::int64_t JobKilledWhileComposing() {
        pid_t pid = ::fork();
        if (pid == 0) {
            // The child opens everything itself (no SQLite handle crosses the fork).
            DieWhileComposing die;
            Studio s(root_, &die);
            auto user = s.db->GetOrCreateUser("admin");
            core::GenerateRequest req;
            req.prompt = "A lighthouse keeper watches a storm roll in. 2 scenes.";
            req.duration_target = 3.0;
            req.output_preset = "480p";
            auto job = s.db->CreateJob(user->id, req);
            (void)testing::Drive(*s.pipeline, *s.db, job->id);
            ::_exit(3);  // compose never reached the kill
        }
        int status = 0;
        ::waitpid(pid, &status, 0);
        EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
            << "the child was meant to die inside compose (status " << status << ")";
        return 1;  // the first job of a fresh database
    }
    fs::path root_;
};

TEST_F(PipelineCrashTest, KillDuringComposeLeavesNoGhostAndTheResumedJobMakesOneItem) {
    const std::int64_t job_id = JobKilledWhileComposing();
    Studio s(root_);
    auto job = s.db->GetJob(job_id);
    ASSERT_TRUE(job.ok()) << job.error().message;
    ASSERT_TRUE(job->stages.contains(kFinalStage)) << "killed before compose";
    ASSERT_FALSE(job->stages.contains(kComposeStage));
    ASSERT_TRUE(job->content_id.has_value()) << "the half-made row is recorded on its job";
    const std::int64_t pending_id = *job->content_id;

    // Nobody sees the half-made item: not the list, not search, not a lookup by id.
    auto all = s.db->ListContent({});
    ASSERT_TRUE(all.ok());
    EXPECT_EQ(all->total, 0);
    EXPECT_TRUE(all->items.empty());
    storage::ContentQuery search;
    search.search = "lighthouse";
    auto found = s.db->ListContent(search);
    ASSERT_TRUE(found.ok());
    EXPECT_EQ(found->total, 0) << "search found a ghost";
    auto direct = s.db->GetContent(pending_id);
    ASSERT_FALSE(direct.ok());
    EXPECT_EQ(direct.error().code, core::ErrorCode::kNotFound);

    // The resumed job composes into its own row: one item, whole.
    auto r = testing::Drive(*s.pipeline, *s.db, job_id);
    ASSERT_TRUE(r.status.ok()) << r.status.error().message;
    EXPECT_EQ(r.ran, std::vector<std::string>{kComposeStage});
    EXPECT_EQ(r.last_outputs["content_id"].get<std::int64_t>(), pending_id);
    found = s.db->ListContent(search);
    ASSERT_TRUE(found.ok());
    ASSERT_EQ(found->total, 1);
    EXPECT_EQ(found->items[0].id, pending_id);
    EXPECT_FALSE(found->items[0].mp4_key.empty());
    EXPECT_GT(found->items[0].duration, 0.0);
    EXPECT_TRUE(s.store->Exists("library/" + std::to_string(pending_id) + "/video.mp4"));
    EXPECT_EQ(RowsInContentTable(root_ / "beacon.db"), 1);
}

TEST_F(PipelineCrashTest, CancelingTheInterruptedJobRemovesItsHalfMadeItem) {
    const std::int64_t job_id = JobKilledWhileComposing();
    Studio s(root_);
    auto job = s.db->GetJob(job_id);
    ASSERT_TRUE(job.ok());
    ASSERT_TRUE(job->content_id.has_value());
    const std::string prefix = "library/" + std::to_string(*job->content_id) + "/";
    ASSERT_EQ(RowsInContentTable(root_ / "beacon.db"), 1);

    auto canceled = s.db->RequestCancel(job_id);
    ASSERT_TRUE(canceled.ok()) << canceled.error().message;
    EXPECT_EQ(canceled->status, core::JobState::kCanceled);
    EXPECT_FALSE(canceled->content_id.has_value());
    EXPECT_EQ(RowsInContentTable(root_ / "beacon.db"), 0);
    auto due = s.db->TakeDueObjectDeletes(core::NowMillis());
    ASSERT_TRUE(due.ok());
    EXPECT_EQ(*due, std::vector<std::string>{prefix}) << "its files are scheduled for deletion";
}

}  // namespace
}  // namespace beacon::pipeline
