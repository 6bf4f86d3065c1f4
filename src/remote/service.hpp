#pragma once
/// The studio's side of remote workers (`beacon worker --server URL --token T`), modelled on
/// PeerTube's remote runners: the admin makes a registration token; a worker registers with it
/// and gets its own secret; every job it claims comes with a job token valid for that job only;
/// its progress writes are its heartbeat; a watchdog re-queues the job of a worker that went
/// silent (no heartbeat for `silent_after`), and from then on that job token is refused (409),
/// so a job completes exactly once even when the silent worker wakes up and tries to finish it.
#include <chrono>
#include <filesystem>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "jobs/event_bus.hpp"
#include "remote/registry.hpp"
#include "storage/object_store.hpp"
#include "storage/work_stores.hpp"

namespace beacon::remote {

struct RemoteOptions {
    /// A job whose worker sent nothing for this long is re-queued (also the lease it holds).
    std::chrono::milliseconds silent_after{30'000};
    /// How often the watchdog looks.
    std::chrono::milliseconds watchdog_period{1'000};
    /// An existing folder for uploads being received (empty: the system's temporary folder).
    /// On the media cache's file system, a checked upload is moved into place, not copied.
    std::filesystem::path upload_dir;
};

/// What a job token proves: this worker holds this job right now.
struct JobGrant {
    Assignment assignment;
    WorkerRecord worker;
};

class RemoteService {
public:
    RemoteService(storage::WorkStores stores, storage::ObjectStore& store, jobs::EventBus& events,
                  Registry& registry, RemoteOptions options);
    ~RemoteService();  // stops the watchdog
    RemoteService(const RemoteService&) = delete;
    RemoteService& operator=(const RemoteService&) = delete;

    void StartWatchdog();
    /// One watchdog pass (the thread runs it every watchdog_period). Returns jobs re-queued.
    int RunWatchdogOnce();

    // ---- admin -----------------------------------------------------------------------------
    /// A new registration token: its row and the token itself (shown once).
    core::Result<std::pair<RegistrationToken, std::string>> CreateRegistrationToken(
        const std::string& name);

    // ---- worker side ------------------------------------------------------------------------
    /// Registers a worker with a registration token: its record and its own secret.
    core::Result<std::pair<WorkerRecord, std::string>> Register(
        const std::string& registration_token, const std::string& name, const std::string& host);
    /// Unauthorized when the worker secret is unknown or its registration token was revoked.
    core::Result<WorkerRecord> AuthenticateWorker(const std::string& worker_token);
    /// Claims the next job for the worker: the job and its job token; nullopt when none.
    core::Result<std::optional<std::pair<core::Job, std::string>>> Claim(const WorkerRecord& w);
    /// Checks a job token for `job_id`: Unauthorized (unknown token, revoked worker, another
    /// job) or Conflict (the job was taken back from this worker, or it has ended).
    core::Result<JobGrant> Authorize(const std::string& job_token, std::int64_t job_id);
    /// A sign of life: renews the job's lease; false when the lease is no longer this worker's.
    core::Result<bool> Heartbeat(const JobGrant& g);
    /// Progress (also a heartbeat).
    core::Status Progress(const JobGrant& g, core::JobState state, int progress);
    /// Ends the job exactly once: Conflict when the grant is no longer current.
    core::Status Finish(const JobGrant& g, core::JobState state,
                        const std::optional<core::Error>& error,
                        std::optional<std::int64_t> content_id);
    /// Hands the job back to the queue (a retry later, or the worker is shutting down).
    core::Status Requeue(const JobGrant& g, core::UnixMillis run_after, const std::string& reason);
    /// The worker stopped cleanly (SIGTERM): marks it stopped.
    core::Status SignOff(const WorkerRecord& w);
    /// Keys a job token may write: its job's folder, its library item's folder, the asset cache.
    bool MayWrite(const JobGrant& g, std::string_view key);
    /// Library rows a job may read or change: the one it composes, or the one it localizes.
    bool MayTouchContent(const JobGrant& g, std::int64_t content_id);

    /// The queue, library and asset areas a job token reaches.
    storage::WorkStores& stores() { return stores_; }
    storage::ObjectStore& store() { return store_; }
    jobs::EventBus& events() { return events_; }
    Registry& registry() { return registry_; }
    const RemoteOptions& options() const { return options_; }

private:
    void Publish(std::int64_t job_id);
    core::Result<bool> HeartbeatLocked(const JobGrant& g);  // mu_ held

    storage::WorkStores stores_;
    storage::ObjectStore& store_;
    jobs::EventBus& events_;
    Registry& registry_;
    RemoteOptions options_;
    std::mutex mu_;  // orders claims, finishes and the watchdog's take-backs
    std::jthread watchdog_;
};

}  // namespace beacon::remote
