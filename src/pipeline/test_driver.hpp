#pragma once
// TEST-ONLY: runs a JobDefinition's stages in order like the worker does (skip recorded stages,
// record outputs), with a StageContext over the job queue (any JobStore: SQLite, the fake).
#include <chrono>
#include <mutex>
#include <stop_token>
#include <string>
#include <vector>

#include "jobs/stage.hpp"
#include "storage/job_store.hpp"

namespace beacon::pipeline::testing {

class TestContext final : public jobs::StageContext {
public:
    TestContext(storage::JobStore& db, core::Job job, std::stop_token stop)
        : db_(db), job_(std::move(job)), stop_(stop) {}
    const core::Job& job() const override { return job_; }
    std::stop_token stop_token() const override { return stop_; }
    void SetProgress(int p) override {
        std::lock_guard lock(mu_);
        progress.push_back(p);
    }
    void Log(const std::string& message, core::LogLevel level) override {
        std::lock_guard lock(mu_);
        logs.push_back({level, message});
        (void)db_.AppendJobLog(job_.id, stage, level, message);
    }
    core::Json StageOutputs(const std::string& name) const override {
        std::lock_guard lock(mu_);
        auto it = job_.stages.find(name);
        return it == job_.stages.end() ? core::Json() : *it;
    }
    void SetUrls(const core::Json& urls) override {
        std::lock_guard lock(mu_);
        url_events.push_back(urls);
        url_event_ms.push_back(
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started_)
                .count());
        (void)db_.SetJobUrls(job_.id, urls);
    }
    void Record(const std::string& name, const core::Json& out) {
        std::lock_guard lock(mu_);
        job_.stages[name] = out;
    }

    std::string stage;
    std::vector<std::pair<core::LogLevel, std::string>> logs;  // level, message
    std::vector<core::Json> url_events;
    std::vector<double> url_event_ms;  // since the context was made
    std::vector<int> progress;

private:
    storage::JobStore& db_;
    core::Job job_;
    std::stop_token stop_;
    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
    mutable std::mutex mu_;
};

struct DriveResult {
    core::Status status;
    std::vector<std::string> ran;  // stages that ran this time
    std::vector<std::pair<core::LogLevel, std::string>> logs;
    std::vector<core::Json> url_events;
    std::vector<double> url_event_ms;
    core::Json last_outputs;
};

inline DriveResult Drive(jobs::JobDefinition& def, storage::JobStore& db, std::int64_t job_id,
                         std::stop_token stop = {}) {
    DriveResult r;
    auto job = db.GetJob(job_id);
    if (!job.ok()) {
        r.status = job.error();
        return r;
    }
    TestContext ctx(db, *job, stop);
    for (auto& stage : def.StagesFor(*job)) {
        if (job->stages.contains(stage.name)) continue;
        ctx.stage = stage.name;
        r.ran.push_back(stage.name);
        (void)db.UpdateJobProgress(job_id, stage.state, stage.progress_start);
        auto out = stage.run(ctx);
        if (!out.ok()) {
            r.status = out.error();
            break;
        }
        (void)db.RecordStage(job_id, stage.name, *out);
        ctx.Record(stage.name, *out);
        r.last_outputs = *out;
    }
    r.logs = ctx.logs;
    r.url_events = ctx.url_events;
    r.url_event_ms = ctx.url_event_ms;
    if (r.status.ok() && r.last_outputs.contains("content_id")) {
        (void)db.FinishJob(job_id, core::JobState::kCompleted, std::nullopt,
                           r.last_outputs["content_id"].get<std::int64_t>());
    } else if (!r.status.ok()) {
        (void)db.FinishJob(job_id,
                           r.status.error().code == core::ErrorCode::kCanceled
                               ? core::JobState::kCanceled
                               : core::JobState::kFailed,
                           r.status.error(), std::nullopt);
    }
    return r;
}

}  // namespace beacon::pipeline::testing
