#include "jobs/worker_pool.hpp"

#include "jobs/run_end.hpp"

#include <algorithm>
#include <cstdio>
#include <iostream>

#include <unistd.h>

namespace beacon::jobs {

using core::Error;
using core::Json;
using core::JobState;
using namespace std::chrono;

void PublishJob(EventBus& bus, const core::Job& job) { bus.Publish(EventType::kJobUpdated, core::ToJson(job)); }

namespace {

std::string DefaultWorkerId() {
    char host[256] = {0};
    gethostname(host, sizeof host - 1);
    return std::string(host) + ":" + std::to_string(getpid());
}

/// The StageContext a running job sees.
class RunContext final : public StageContext {
public:
    RunContext(storage::JobStore& db, EventBus& events, core::Job job, std::stop_token stop)
        : db_(db), events_(events), job_(std::move(job)), stop_(std::move(stop)) {}

    const core::Job& job() const override { return job_; }
    std::stop_token stop_token() const override { return stop_; }

    void SetProgress(int progress) override {
        std::lock_guard lock(mu_);
        progress = std::clamp(progress, 0, 100);
        if (progress <= progress_) return;
        progress_ = progress;
        RecordProgressLocked();
        PublishLocked();
    }
    void Log(const std::string& message, core::LogLevel level) override {
        std::string stage;
        {
            std::lock_guard lock(mu_);
            stage = stage_;
        }
        auto line = db_.AppendJobLog(job_.id, stage, level, message);
        if (line.ok()) events_.Publish(EventType::kJobLog, core::ToJson(*line));
    }
    Json StageOutputs(const std::string& stage) const override {
        std::lock_guard lock(mu_);
        auto it = job_.stages.find(stage);
        return it == job_.stages.end() ? Json() : *it;
    }
    void SetUrls(const Json& urls) override {
        std::lock_guard lock(mu_);
        if (auto st = db_.SetJobUrls(job_.id, urls); !st.ok()) {
            std::cerr << "beacon: worker: job " << job_.id << ": URLs not recorded ("
                      << st.error().message << ")\n";
        }
        PublishLocked();
    }

    void EnterStage(const Stage& s) {
        std::lock_guard lock(mu_);
        stage_ = s.name;
        state_ = s.state;
        progress_ = std::max(progress_, s.progress_start);
        RecordProgressLocked();
        PublishLocked();
    }
    void Recorded(const std::string& stage, const Json& outputs) {
        std::lock_guard lock(mu_);
        job_.stages[stage] = outputs;
    }
    bool Done(const std::string& stage) const {
        std::lock_guard lock(mu_);
        return job_.stages.contains(stage);
    }
    /// Where the job stands for the state machine: held by this run, in its current stage.
    core::JobPosition Position() const {
        std::lock_guard lock(mu_);
        return {state_, true, false};
    }

private:
    /// The store's refusal or failure is said, not dropped (the job goes on: a progress line
    /// lost is shown again by the next one).
    void RecordProgressLocked() {
        if (auto st = db_.UpdateJobProgress(job_.id, state_, progress_); !st.ok()) {
            std::cerr << "beacon: worker: job " << job_.id << ": progress not recorded ("
                      << st.error().message << ")\n";
        }
    }
    void PublishLocked() {
        auto fresh = db_.GetJob(job_.id);
        if (fresh.ok()) PublishJob(events_, *fresh);
    }

    storage::JobStore& db_;
    EventBus& events_;
    mutable std::mutex mu_;
    core::Job job_;
    std::stop_token stop_;
    std::string stage_;
    JobState state_ = JobState::kQueued;
    int progress_ = 0;
};

}  // namespace

WorkerPool::WorkerPool(storage::JobStore& db, EventBus& events, JobDefinition& definition,
                       WorkerPoolOptions options)
    : db_(db), events_(events), definition_(definition), options_(std::move(options)) {
    if (options_.worker_id.empty()) options_.worker_id = DefaultWorkerId();
    options_.workers = std::max(1, options_.workers);
    disk_ = DiskGuard(options_.disk_dirs, options_.min_free_mb);
}

WorkerPool::~WorkerPool() { Stop(); }

void WorkerPool::Start() {
    if (started_.exchange(true)) return;
    // Leases held under this pool's id belong to an earlier life of this process: free them so
    // those jobs resume now instead of after the lease expires.
    auto released = db_.ReleaseLeases(options_.worker_id + "#");
    if (released.ok() && *released > 0) {
        std::cerr << "beacon: resuming " << *released << " interrupted job(s)\n";
    }
    for (int i = 0; i < options_.workers; ++i) {
        threads_.emplace_back([this, i](std::stop_token stop) { Loop(stop, i); });
    }
}

void WorkerPool::Stop() {
    for (auto& t : threads_) t.request_stop();
    {
        std::lock_guard lock(mu_);
        for (auto& [_, src] : running_) src.request_stop();
    }
    wake_.notify_all();
    threads_.clear();  // joins
    started_ = false;
}

void WorkerPool::Notify() { wake_.notify_all(); }

core::Result<core::Job> WorkerPool::Cancel(std::int64_t job_id) {
    auto job = db_.RequestCancel(job_id);
    if (!job.ok()) return job;
    // Published before the stop: once stopped, the worker may publish "canceled" at once, and
    // this older snapshot must not arrive after it.
    PublishJob(events_, *job);
    {
        std::lock_guard lock(mu_);
        if (auto it = running_.find(job_id); it != running_.end()) it->second.request_stop();
    }
    return job;
}

void WorkerPool::Loop(std::stop_token stop, int index) {
    const std::string worker = options_.worker_id + "#" + std::to_string(index);
    int errors = 0;  // consecutive failed claims
    while (!stop.stop_requested()) {
        auto now = core::NowMillis();
        auto claimed = db_.ClaimJob(worker, now, now + options_.lease.count());
        if (claimed.ok() && claimed->has_value()) {
            errors = 0;
            RunJob(**claimed, worker, stop);
            continue;
        }
        auto wait = options_.poll;
        if (claimed.ok()) {
            errors = 0;
        } else {
            // A database that refuses work (e.g. on a full disk) is retried with doubling
            // delays, not several times a second.
            wait = std::min<milliseconds>(options_.poll * (1LL << std::min(errors, 16)),
                                          std::max(options_.poll, options_.error_backoff_cap));
            ++errors;
            std::cerr << "beacon: worker: " << disk_.ExplainFailure(claimed.error()).message
                      << " (next try in " << wait.count() << " ms)\n";
        }
        std::unique_lock lock(mu_);
        wake_.wait_for(lock, stop, wait, [] { return false; });
    }
}

void WorkerPool::RunJob(const core::Job& job, const std::string& worker, std::stop_token pool_stop) {
    const std::int64_t id = job.id;
    std::stop_source source;
    {
        std::lock_guard lock(mu_);
        running_[id] = source;
    }
    std::stop_callback forward(pool_stop, [&source] { source.request_stop(); });
    RunContext ctx(db_, events_, job, source.get_token());

    // Renews the lease and watches for a cancel flagged by another process.
    std::jthread renewer([&, id](std::stop_token st) {
        std::mutex m;
        std::condition_variable_any cv;
        auto period = std::max(milliseconds(50), options_.lease / 3);
        while (!st.stop_requested()) {
            std::unique_lock lk(m);
            if (cv.wait_for(lk, st, period, [] { return false; })) break;
            if (st.stop_requested()) break;
            auto now = core::NowMillis();
            auto renewed = db_.RenewLease(id, worker, now + options_.lease.count());
            if (renewed.ok() && !*renewed) {
                std::cerr << "beacon: worker " << worker << " lost the lease on job " << id << "\n";
                source.request_stop();
            }
            auto fresh = db_.GetJob(id);
            if (fresh.ok() && fresh->cancel_requested) source.request_stop();
        }
    });

    auto cancel_requested = [&] {
        auto fresh = db_.GetJob(id);
        return fresh.ok() && fresh->cancel_requested;
    };
    auto finish_running = [&] {
        renewer.request_stop();
        renewer.join();
        std::lock_guard lock(mu_);
        running_.erase(id);
    };

    ctx.Log("attempt " + std::to_string(job.attempts) + " started on " + worker, core::LogLevel::kInfo);
    std::optional<std::int64_t> content_id = job.content_id;
    auto stages = definition_.StagesFor(job);
    for (const auto& stage : stages) {
        if (ctx.Done(stage.name)) {
            const auto& out = ctx.StageOutputs(stage.name);
            if (out.is_object() && out.contains("content_id") && out["content_id"].is_number_integer())
                content_id = out["content_id"].get<std::int64_t>();
            continue;  // finished in an earlier run: resume after it
        }
        if (source.stop_requested()) break;
        ctx.EnterStage(stage);
        ctx.Log("stage " + stage.name + " started", core::LogLevel::kInfo);
        auto started = steady_clock::now();
        core::Result<Json> result = Error::Internal("stage " + stage.name + " did not run");
        try {
            result = stage.run(ctx);
        } catch (const std::exception& e) {
            result = Error::Internal("stage " + stage.name + " crashed: " + e.what());
        }
        auto ms = duration_cast<milliseconds>(steady_clock::now() - started).count();
        if (!result.ok()) {
            // A write that found no room says so: "disk full: N MB free in DIR (...)".
            const Error err = disk_.ExplainFailure(result.error());
            if (source.stop_requested()) break;  // handled below
            ctx.Log("stage " + stage.name + " failed after " + std::to_string(ms) + " ms: " +
                        err.message,
                    core::LogLevel::kError);
            finish_running();
            definition_.Release(job);
            // Failed at once on a full disk (the failure is recorded even if the database
            // cannot write for a while), retried with backoff while attempts are left.
            const core::JobEvent end = EventForRunEnd(
                {.error = err, .attempts = job.attempts, .max_attempts = options_.max_attempts});
            if (IsNoSpaceError(err)) {
                FinishUntilRecorded(id, ctx.Position(), end, err, std::nullopt, pool_stop);
                if (auto fresh = db_.GetJob(id); fresh.ok()) PublishJob(events_, *fresh);
                Notify();
                return;
            }
            if (end == core::JobEvent::kRequeue) {
                auto delay = options_.backoff_base * (1LL << std::min(job.attempts - 1, 20));
                delay = std::min<milliseconds>(delay, options_.backoff_cap);
                delay = std::max<milliseconds>(delay, err.retry_after);
                if (auto st = db_.RequeueJob(id, core::NowMillis() + delay.count(),
                                             err.message + " (retrying in " +
                                                 std::to_string(delay.count()) + " ms)");
                    !st.ok()) {
                    std::cerr << "beacon: worker: cannot requeue job " << id << " for a retry: "
                              << disk_.ExplainFailure(st.error()).message
                              << " (its lease runs out and it is claimed again)\n";
                }
                ctx.Log("will retry in " + std::to_string(delay.count()) + " ms (attempt " +
                            std::to_string(job.attempts) + " of " +
                            std::to_string(options_.max_attempts) + ")",
                        core::LogLevel::kWarn);
            } else {
                Error final_err = err;
                if (job.attempts > 1) {  // each job attempt sent its own requests: count the attempts too
                    final_err.message += " (gave up after " + std::to_string(job.attempts) + " job attempts)";
                }
                FinishUntilRecorded(id, ctx.Position(), end, final_err, std::nullopt, pool_stop);
            }
            if (auto fresh = db_.GetJob(id); fresh.ok()) PublishJob(events_, *fresh);
            Notify();
            return;
        }
        Json outputs = result.value().is_null() ? Json::object() : std::move(result).value();
        outputs["elapsed_ms"] = ms;
        if (outputs.contains("content_id") && outputs["content_id"].is_number_integer())
            content_id = outputs["content_id"].get<std::int64_t>();
        if (auto st = db_.RecordStage(id, stage.name, outputs); !st.ok()) {
            // The job goes on with the outputs in memory; only a resume would run it again.
            std::cerr << "beacon: worker: job " << id << ": the outputs of stage " << stage.name
                      << " were not recorded (" << disk_.ExplainFailure(st.error()).message
                      << "); a resumed job runs this stage again\n";
        }
        ctx.Recorded(stage.name, outputs);
        ctx.Log("stage " + stage.name + " finished in " + std::to_string(ms) + " ms", core::LogLevel::kInfo);
        ctx.SetProgress(stage.progress_end);
    }

    finish_running();
    const bool stopped = source.stop_requested();
    const core::JobEvent end =
        EventForRunEnd({.stopped = stopped, .cancel_requested = stopped && cancel_requested()});
    if (stopped) {
        if (end == core::JobEvent::kStop) {
            bool recorded = FinishUntilRecorded(id, ctx.Position(), end,
                                                Error::Canceled("canceled by the user"),
                                                std::nullopt, pool_stop);
            definition_.Release(job);
            if (recorded) ctx.Log("canceled", core::LogLevel::kWarn);
        } else {
            // Shutting down: the job stays claimed-then-released and resumes on the next start.
            if (auto st = db_.RequeueJob(id, 0, ""); !st.ok()) {
                std::cerr << "beacon: worker: cannot release job " << id << " at shutdown: "
                          << st.error().message << " (its lease runs out and it resumes then)\n";
            } else {
                ctx.Log("interrupted by shutdown; will resume after the last finished stage", core::LogLevel::kWarn);
            }
        }
    } else {
        // "completed" is said only once the database holds it.
        if (FinishUntilRecorded(id, ctx.Position(), end, std::nullopt, content_id, pool_stop)) {
            ctx.Log("completed", core::LogLevel::kInfo);
        }
    }
    if (auto fresh = db_.GetJob(id); fresh.ok()) PublishJob(events_, *fresh);
}

bool WorkerPool::FinishUntilRecorded(std::int64_t id, const core::JobPosition& from,
                                     core::JobEvent event,
                                     const std::optional<core::Error>& error,
                                     std::optional<std::int64_t> content_id,
                                     std::stop_token stop) {
    // The state the machine says this end leads to (the store checks it again against the
    // job's recorded state, which another process may have moved).
    auto next = core::NextJobPosition(from, event, JobState::kQueued, id);
    if (!next.ok()) {
        std::cerr << "beacon: worker: job " << id << " not ended (" << core::ToString(event)
                  << "): " << next.error().message << "\n";
        return false;
    }
    const JobState state = next->state;
    auto wait = std::max(milliseconds(100), options_.poll);
    for (;;) {
        auto st = db_.FinishJob(id, state, error, content_id);
        if (st.ok()) return true;
        if (st.error().code == core::ErrorCode::kConflict ||
            st.error().code == core::ErrorCode::kNotFound) {
            // Refused, not failed (the job was deleted, or a guard refused the move): a retry
            // would only be refused again.
            std::cerr << "beacon: worker: job " << id << " not moved to " << core::ToString(state)
                      << ": " << st.error().message << "\n";
            return false;
        }
        if (stop.stop_requested()) {
            std::cerr << "beacon: worker: cannot record the end of job " << id << " before "
                      << "shutting down: " << disk_.ExplainFailure(st.error()).message
                      << " (its lease runs out and it is claimed again)\n";
            return false;
        }
        std::cerr << "beacon: worker: cannot record the end of job " << id << ": "
                  << disk_.ExplainFailure(st.error()).message << " (next try in " << wait.count()
                  << " ms)\n";
        std::mutex m;
        std::condition_variable_any cv;
        std::unique_lock lock(m);
        cv.wait_for(lock, stop, wait, [] { return false; });
        wait = std::min<milliseconds>(wait * 2, std::max(options_.poll, options_.error_backoff_cap));
    }
}

}  // namespace beacon::jobs
