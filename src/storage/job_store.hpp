#pragma once
/// The job queue: the job table, its leases, recorded stages and log lines. Every method is
/// thread-safe.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/model.hpp"
#include "storage/store_types.hpp"

namespace beacon::storage {

struct JobQuery {
    std::optional<core::JobState> state;
    int limit = 50;  // 1..200
    std::int64_t offset = 0;
};

class JobStore {
public:
    virtual ~JobStore() = default;

    virtual Result<core::Job> CreateJob(std::int64_t user_id, const core::GenerateRequest& req) = 0;
    /// A job of another kind than "generate" ("localize", "import"): `params` is that kind's
    /// request; `req` carries what job lists show (prompt line, title, language).
    virtual Result<core::Job> CreateJobOfKind(std::int64_t user_id, core::JobKind kind,
                                              const core::Json& params,
                                              const core::GenerateRequest& req) = 0;
    virtual Result<core::Job> GetJob(std::int64_t id) = 0;
    virtual Result<Page<core::Job>> ListJobs(const JobQuery& q) = 0;
    /// A cheap fingerprint of everything GET /jobs/{id} shows (row, log lines, assets): equal
    /// fingerprints mean an unchanged job. NotFound for an unknown job.
    virtual Result<std::string> JobFingerprint(std::int64_t id) = 0;
    /// Atomically claims the oldest runnable job (queued, or non-terminal with an expired lease,
    /// run_after <= now, not cancel_requested) for `worker_id` until `lease_until`; increments
    /// attempts. nullopt when there is nothing to do.
    virtual Result<std::optional<core::Job>> ClaimJob(const std::string& worker_id,
                                                      core::UnixMillis now,
                                                      core::UnixMillis lease_until) = 0;
    /// Extends the lease if `worker_id` still holds it; false when the lease was lost.
    virtual Result<bool> RenewLease(std::int64_t job_id, const std::string& worker_id,
                                    core::UnixMillis lease_until) = 0;
    /// Releases every lease whose owner starts with `owner_prefix` (a restarted process frees
    /// the leases its previous life held, so its jobs resume at once). Returns how many.
    virtual Result<int> ReleaseLeases(const std::string& owner_prefix) = 0;
    /// Records the state and progress of a job the worker holds.
    virtual Status UpdateJobProgress(std::int64_t job_id, core::JobState state, int progress) = 0;
    /// Records a finished stage's outputs (JSON) so a restarted job resumes after it.
    virtual Status RecordStage(std::int64_t job_id, const std::string& stage,
                               const core::Json& outputs) = 0;
    /// Forgets recorded stages (used when a scene is regenerated): names listed are removed.
    virtual Status ForgetStages(std::int64_t job_id, const std::vector<std::string>& stages) = 0;
    /// Sets any of the URL columns (preview_url, final_url, thumbnail_url, vtt_url).
    virtual Status SetJobUrls(std::int64_t job_id, const core::Json& urls) = 0;
    /// Ends a job: completed (with content id), failed (with error) or canceled. Clears the lease.
    virtual Status FinishJob(std::int64_t job_id, core::JobState final_state,
                             const std::optional<core::Error>& error,
                             std::optional<std::int64_t> content_id) = 0;
    /// Puts a job back in the queue after a retryable error; it is not claimed before run_after.
    virtual Status RequeueJob(std::int64_t job_id, core::UnixMillis run_after,
                              const std::string& reason) = 0;
    /// Flags a job for cancellation; a queued job becomes canceled at once. Returns the job.
    virtual Result<core::Job> RequestCancel(std::int64_t job_id) = 0;
    /// failed/canceled → queued with attempts reset; Conflict for any other state.
    virtual Result<core::Job> RetryJob(std::int64_t job_id) = 0;
    /// Re-opens a completed job (scene regeneration): queued again, keeping recorded stages.
    virtual Result<core::Job> ReopenJob(std::int64_t job_id) = 0;
    virtual Result<core::JobLogLine> AppendJobLog(std::int64_t job_id, const std::string& stage,
                                                  core::LogLevel level,
                                                  const std::string& message) = 0;
    /// Log lines with id > after_id, oldest first, at most limit.
    virtual Result<std::vector<core::JobLogLine>> GetJobLogs(std::int64_t job_id,
                                                             std::int64_t after_id, int limit) = 0;
    /// Log lines, newest `limit` of them, oldest first.
    virtual Result<std::vector<core::JobLogLine>> GetRecentJobLogs(std::int64_t job_id,
                                                                   int limit) = 0;
};

}  // namespace beacon::storage
