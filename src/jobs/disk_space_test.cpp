#include "jobs/disk_space.hpp"

#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>

#include <gtest/gtest.h>

#include "jobs/worker_pool.hpp"
#include "storage/database.hpp"

namespace beacon::jobs {
namespace {

namespace fs = std::filesystem;
using core::Error;
using core::Json;
using core::JobState;
using namespace std::chrono_literals;

class DiskSpaceTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("beacon-disk-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }
    fs::path dir_;
};

TEST_F(DiskSpaceTest, MeasuresTheFolderItIsGiven) {
    auto d = MeasureDiskSpace(dir_);
    ASSERT_TRUE(d.ok()) << d.error().message;
    EXPECT_EQ(d->dir, dir_.lexically_normal());
    EXPECT_GT(d->total_mb, 0);
    EXPECT_LE(d->free_mb, d->total_mb);
    EXPECT_FALSE(MeasureDiskSpace(dir_ / "missing").ok());
}

TEST_F(DiskSpaceTest, RefusesNewJobsBelowTheReserveNamingFolderAndSpace) {
    auto free_mb = MeasureDiskSpace(dir_)->free_mb;
    DiskGuard tight({dir_}, free_mb + 1'000'000);
    auto refused = tight.AdmitNewJob();
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, core::ErrorCode::kUnavailable);  // HTTP 503
    EXPECT_NE(refused.error().message.find(" MB free in " + dir_.string()), std::string::npos)
        << refused.error().message;
    EXPECT_NE(refused.error().message.find("min_free_mb"), std::string::npos);
    EXPECT_FALSE(tight.ToJson()["accepting_jobs"].get<bool>());

    DiskGuard roomy({dir_}, 1);
    EXPECT_TRUE(roomy.AdmitNewJob().ok());
    Json j = roomy.ToJson();
    EXPECT_TRUE(j["accepting_jobs"].get<bool>());
    ASSERT_EQ(j["folders"].size(), 1u);
    EXPECT_EQ(j["folders"][0]["path"], dir_.string());
    EXPECT_GT(j["folders"][0]["total_mb"].get<std::int64_t>(), 0);
    EXPECT_TRUE(DiskGuard({dir_}, 0).AdmitNewJob().ok()) << "0 turns the reserve off";
}

TEST_F(DiskSpaceTest, ANoSpaceFailureIsRestatedAsDiskFullAndNotRetried) {
    DiskGuard guard({dir_}, 0);
    Error e = guard.ExplainFailure(Error::Unavailable(
        "object store: write failed for library/1/video.mp4: No space left on device", true));
    EXPECT_EQ(e.message.rfind("disk full: ", 0), 0u) << e.message;
    EXPECT_NE(e.message.find(" MB free in " + dir_.string()), std::string::npos) << e.message;
    EXPECT_NE(e.message.find("No space left on device"), std::string::npos) << "cause kept";
    EXPECT_FALSE(e.retryable);
    EXPECT_TRUE(IsNoSpaceError(e));
    EXPECT_TRUE(IsNoSpaceError(Error::Internal("database: step: database or disk is full")));

    Error other = guard.ExplainFailure(Error::External("ollama: HTTP 500", true));
    EXPECT_EQ(other.message, "ollama: HTTP 500");
    EXPECT_TRUE(other.retryable);
}

/// A job definition whose one stage fails as a full disk makes it fail.
class FullDiskDefinition final : public JobDefinition {
public:
    std::vector<Stage> StagesFor(const core::Job&) override {
        return {Stage{"final", JobState::kRenderingFinal, 0, 100, [this](StageContext&) {
                          ++runs;
                          return core::Result<Json>(Error::Unavailable(
                              "final encode (ffmpeg): av_interleaved_write_frame(): No space "
                              "left on device",
                              true));
                      }}};
    }
    void Release(const core::Job&) override { ++released; }
    std::atomic<int> runs{0};
    std::atomic<int> released{0};
};

TEST_F(DiskSpaceTest, AJobThatHitsAFullDiskFailsAtOnceSayingSo) {
    auto db = storage::OpenSqlite((dir_ / "db").string());
    ASSERT_TRUE(db.ok());
    EventBus bus;
    std::mutex mu;
    std::condition_variable cv;
    std::string status;
    auto sub = bus.Subscribe([&](const Event& e) {
        if (e.type != "job.updated") return;
        std::lock_guard lock(mu);
        status = e.data.value("status", "");
        cv.notify_all();
    });
    FullDiskDefinition def;
    WorkerPoolOptions o;
    o.poll = 20ms;
    o.backoff_base = 10ms;
    o.backoff_cap = 20ms;
    o.worker_id = "test";
    o.disk_dirs = {dir_};
    WorkerPool pool(**db, bus, def, o);
    pool.Start();
    core::GenerateRequest r;
    r.prompt = "p";
    auto job = (*db)->CreateJob(1, r);
    pool.Notify();
    {
        std::unique_lock lock(mu);
        ASSERT_TRUE(cv.wait_for(lock, 20s, [&] { return status == "failed"; })) << status;
    }
    pool.Stop();
    bus.Unsubscribe(sub);
    auto done = (*db)->GetJob(job->id);
    ASSERT_TRUE(done.ok());
    EXPECT_EQ(done->error_log.rfind("disk full: ", 0), 0u) << done->error_log;
    EXPECT_NE(done->error_log.find(" MB free in " + dir_.string()), std::string::npos)
        << done->error_log;
    EXPECT_EQ(def.runs, 1) << "a full disk is not retried into";
    EXPECT_EQ(def.released, 1) << "the failed job's working files are given back";
}

}  // namespace
}  // namespace beacon::jobs
