#include "jobs/worker_pool.hpp"

#include <condition_variable>

#include <gtest/gtest.h>

#include "support/memory_database.hpp"

namespace beacon::jobs {
namespace {

using core::Error;
using core::Json;
using core::JobState;
using namespace std::chrono_literals;

/// A job definition whose stages are set per test.
class ScriptedDefinition : public JobDefinition {
public:
    std::vector<Stage> stages;
    std::vector<Stage> StagesFor(const core::Job&) override { return stages; }
};

class WorkerPoolTest : public ::testing::Test {
protected:
    void SetUp() override {
        // The queue in memory: the pool's contract with the store is the storage contract,
        // which the fake passes like SQLite and PostgreSQL.
        db_ = std::make_unique<testing::MemoryDatabase>();
        bus_.Subscribe([this](const Event& e) {
            if (e.type != "job.updated") return;
            std::lock_guard lock(mu_);
            last_[e.data["id"].get<std::int64_t>()] = e.data["status"].get<std::string>();
            cv_.notify_all();
        });
    }
    void TearDown() override {
        pool_.reset();
        db_.reset();
    }
    void StartPool(WorkerPoolOptions o = {}) {
        o.poll = 20ms;
        o.backoff_base = 10ms;
        o.backoff_cap = 40ms;
        if (o.worker_id.empty()) o.worker_id = "test";
        pool_ = std::make_unique<WorkerPool>(*db_, bus_, def_, o);
        pool_->Start();
    }
    std::int64_t Enqueue() {
        core::GenerateRequest r;
        r.prompt = "p";
        auto j = db_->CreateJob(1, r);
        if (pool_) pool_->Notify();
        return j->id;
    }
    /// Waits (on events, with a generous safety limit) until the job reaches `status`.
    bool WaitFor(std::int64_t id, const std::string& status) {
        std::unique_lock lock(mu_);
        return cv_.wait_for(lock, 20s, [&] { return last_[id] == status; });
    }
    static Stage Simple(std::string name, JobState st, std::function<core::Result<Json>(StageContext&)> f) {
        return Stage{std::move(name), st, 0, 100, std::move(f)};
    }

    std::unique_ptr<testing::MemoryDatabase> db_;
    EventBus bus_;
    ScriptedDefinition def_;
    std::unique_ptr<WorkerPool> pool_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::map<std::int64_t, std::string> last_;
};

TEST_F(WorkerPoolTest, RunsStagesInOrderThroughTheBriefsStates) {
    std::vector<std::string> seen_states;
    auto record = [&](StageContext& ctx) -> core::Result<Json> {
        seen_states.push_back(std::string(core::ToString(db_->GetJob(ctx.job().id)->status)));
        ctx.Log("working");
        return Json{{"ok", true}};
    };
    def_.stages = {Simple("script", JobState::kGeneratingScript, record),
                   Simple("preview", JobState::kRenderingPreview, record),
                   Simple("final", JobState::kRenderingFinal, record),
                   Simple("compose", JobState::kComposing, [&](StageContext& ctx) -> core::Result<Json> {
                       (void)record(ctx);
                       return Json{{"content_id", 42}};
                   })};
    StartPool();
    auto id = Enqueue();
    ASSERT_TRUE(WaitFor(id, "completed"));
    EXPECT_EQ(seen_states, (std::vector<std::string>{"generating_script", "rendering_preview",
                                                     "rendering_final", "composing"}));
    auto job = *db_->GetJob(id);
    EXPECT_EQ(job.progress, 100);
    EXPECT_EQ(job.content_id, 42);
    EXPECT_TRUE(job.stages.contains("final"));
    EXPECT_GE(db_->GetJobLogs(id, 0, 100)->size(), 4u);
}

TEST_F(WorkerPoolTest, ResumesAfterTheLastFinishedStage) {
    int script_runs = 0, final_runs = 0;
    def_.stages = {Simple("script", JobState::kGeneratingScript, [&](StageContext&) -> core::Result<Json> {
                       ++script_runs;
                       return Json{{"title", "t"}};
                   }),
                   Simple("final", JobState::kRenderingFinal, [&](StageContext& ctx) -> core::Result<Json> {
                       ++final_runs;
                       EXPECT_EQ(ctx.StageOutputs("script")["title"], "earlier run");
                       return Json::object();
                   })};
    auto id = Enqueue();
    // An earlier life of the process finished "script", then died holding the lease.
    ASSERT_TRUE(db_->RecordStage(id, "script", {{"title", "earlier run"}}).ok());
    auto now = core::NowMillis();
    ASSERT_TRUE(db_->ClaimJob("test#0", now, now + 3'600'000)->has_value());
    StartPool();  // same pool id: frees the stale lease at start
    ASSERT_TRUE(WaitFor(id, "completed"));
    EXPECT_EQ(script_runs, 0);
    EXPECT_EQ(final_runs, 1);
}

TEST_F(WorkerPoolTest, RetriesRetryableErrorsWithBackoffThenSucceeds) {
    int calls = 0;
    def_.stages = {Simple("script", JobState::kGeneratingScript, [&](StageContext&) -> core::Result<Json> {
        if (++calls < 3) return Error::Unavailable("ollama at http://127.0.0.1:1: 503");
        return Json::object();
    })};
    StartPool();
    auto id = Enqueue();
    ASSERT_TRUE(WaitFor(id, "completed"));
    EXPECT_EQ(calls, 3);
    EXPECT_EQ(db_->GetJob(id)->attempts, 3);
}

TEST_F(WorkerPoolTest, FailsAtOnceOnANonRetryableErrorAndStopsAfterMaxAttempts) {
    def_.stages = {Simple("script", JobState::kGeneratingScript, [&](StageContext&) -> core::Result<Json> {
        return Error::External("ollama: model 'llama9' not found");
    })};
    StartPool();
    auto id = Enqueue();
    ASSERT_TRUE(WaitFor(id, "failed"));
    auto job = *db_->GetJob(id);
    EXPECT_EQ(job.attempts, 1);
    EXPECT_NE(job.error_log.find("llama9"), std::string::npos);

    def_.stages[0].run = [](StageContext&) -> core::Result<Json> { return Error::Unavailable("down"); };
    auto id2 = Enqueue();
    ASSERT_TRUE(WaitFor(id2, "failed"));
    EXPECT_EQ(db_->GetJob(id2)->attempts, 5);
}

TEST_F(WorkerPoolTest, CancelStopsARunningStage) {
    std::atomic<bool> entered{false};
    std::atomic<bool> saw_stop{false};
    def_.stages = {Simple("final", JobState::kRenderingFinal, [&](StageContext& ctx) -> core::Result<Json> {
        entered = true;
        std::mutex m;
        std::condition_variable_any cv;
        std::unique_lock lock(m);
        // Only a stop request ends this wait early; the 120 s bound is a hang guard.
        cv.wait_for(lock, ctx.stop_token(), 120s, [] { return false; });
        saw_stop = ctx.stop_token().stop_requested();
        return Error::Canceled();
    })};
    StartPool();
    auto id = Enqueue();
    ASSERT_TRUE(WaitFor(id, "rendering_final"));
    ASSERT_TRUE(pool_->Cancel(id).ok());
    ASSERT_TRUE(WaitFor(id, "canceled"));  // within WaitFor's 20 s, far below the stage's 120 s
    EXPECT_TRUE(entered);
    EXPECT_TRUE(saw_stop) << "the running stage was not told to stop";
    auto job = *db_->GetJob(id);
    EXPECT_EQ(job.status, JobState::kCanceled);
}

TEST_F(WorkerPoolTest, ShutdownLeavesTheJobToResume) {
    def_.stages = {Simple("final", JobState::kRenderingFinal, [&](StageContext& ctx) -> core::Result<Json> {
        std::mutex m;
        std::condition_variable_any cv;
        std::unique_lock lock(m);
        cv.wait_for(lock, ctx.stop_token(), 60s, [] { return false; });
        return Error::Canceled("shutdown");
    })};
    StartPool();
    auto id = Enqueue();
    ASSERT_TRUE(WaitFor(id, "rendering_final"));
    pool_->Stop();
    auto job = *db_->GetJob(id);
    EXPECT_EQ(job.status, JobState::kQueued);
    EXPECT_FALSE(job.cancel_requested);
}

}  // namespace
}  // namespace beacon::jobs
