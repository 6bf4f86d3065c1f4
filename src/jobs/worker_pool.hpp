#pragma once
/// Workers claim jobs from the database with a lease, run their stages, renew the lease, retry
/// retryable errors with capped exponential backoff and stop promptly on cancel.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "core/job_machine.hpp"
#include "jobs/disk_space.hpp"
#include "jobs/event_bus.hpp"
#include "jobs/stage.hpp"
#include "storage/job_store.hpp"

namespace beacon::jobs {

struct WorkerPoolOptions {
    int workers = 2;                                    // concurrent jobs
    std::chrono::milliseconds lease{30'000};            // a lease not renewed for this long expires
    std::chrono::milliseconds poll{500};                // idle poll interval (also woken by Notify)
    int max_attempts = 5;                               // runs before a retryable error is final
    std::chrono::milliseconds backoff_base{1'000};      // first retry delay, doubled each time
    std::chrono::milliseconds backoff_cap{60'000};      // delay never exceeds this
    /// Lease owner prefix. Default host:pid. A process that owns its data folder (beacon serve)
    /// passes a stable id so that after a crash it frees its old leases at start.
    std::string worker_id;
    /// Folders jobs write (database, media, scratch): a failure on a full one says
    /// "disk full: N MB free in DIR".
    std::vector<std::filesystem::path> disk_dirs;
    std::int64_t min_free_mb = 0;  // MiB; below it AdmitNewJob refuses new jobs (0: never)
    std::chrono::milliseconds error_backoff_cap{30'000};  // database errors: retry delay cap
};

/// Publishes a job.updated event with the job's current row.
void PublishJob(EventBus& bus, const core::Job& job);

class WorkerPool {
public:
    WorkerPool(storage::JobStore& db, EventBus& events, JobDefinition& definition,
               WorkerPoolOptions options);
    ~WorkerPool();  // stops and joins
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    void Start();
    /// Asks running jobs to stop (they stay claimed and resume after restart) and joins.
    void Stop();
    /// Wakes idle workers (call after enqueuing).
    void Notify();
    /// Cancels a job: flags it in the database and stops it at once if it runs here.
    core::Result<core::Job> Cancel(std::int64_t job_id);
    /// Free space in the job folders and the reserve (AdmitNewJob before enqueuing).
    const DiskGuard& disk() const { return disk_; }

private:
    void Loop(std::stop_token stop, int index);
    void RunJob(const core::Job& job, const std::string& worker, std::stop_token pool_stop);
    /// Records a job's end, retrying with capped backoff while the database refuses the write
    /// (e.g. a full disk) so the job never stays shown as running. False when `stop` ended the
    /// tries before the database took it (said on stderr; the lease then runs out and the job
    /// is claimed again).
    /// The end is `event` from `from` (core/job_machine.hpp gives the state written).
    bool FinishUntilRecorded(std::int64_t id, const core::JobPosition& from, core::JobEvent event,
                             const std::optional<core::Error>& error,
                             std::optional<std::int64_t> content_id, std::stop_token stop);

    storage::JobStore& db_;
    EventBus& events_;
    JobDefinition& definition_;
    WorkerPoolOptions options_;
    DiskGuard disk_;
    std::mutex mu_;
    std::condition_variable_any wake_;
    std::map<std::int64_t, std::stop_source> running_;
    std::atomic<bool> started_{false};
    std::vector<std::jthread> threads_;  // last: stops first
};

}  // namespace beacon::jobs
