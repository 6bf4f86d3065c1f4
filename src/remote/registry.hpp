#pragma once
/// Remote workers' records, in their own SQLite file beside the studio's data (remote.db) or in
/// the studio's PostgreSQL database (so that every studio process on it knows every worker):
/// registration tokens made by the admin, registered workers (each with its own secret), and
/// assignments (one per job claimed by a remote worker, each with a job token scoped to that
/// job). Tokens are stored as sha256 only. Thread-safe (one connection behind a mutex).
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/model.hpp"
#include "core/result.hpp"

namespace beacon::remote {

struct RegistrationToken {
    std::int64_t id = 0;
    std::string name;
    core::UnixMillis created_at = 0;
    core::UnixMillis revoked_at = 0;  // 0: valid
    int workers = 0;                  // workers registered with it
};

struct WorkerRecord {
    std::int64_t id = 0;
    std::string name;
    std::string host;
    std::int64_t registration_id = 0;
    core::UnixMillis created_at = 0;
    core::UnixMillis last_seen = 0;
    std::string state;  // idle | busy | stopped | silent | revoked
    std::optional<std::int64_t> current_job;
    int jobs_done = 0;
    bool revoked = false;  // its registration token was revoked
};

struct Assignment {
    std::int64_t id = 0;
    std::int64_t worker_id = 0;
    std::int64_t job_id = 0;
    std::string owner;  // the job's lease owner in the database
    std::string state;  // running | finished | released | lost
    core::UnixMillis claimed_at = 0;
    core::UnixMillis last_seen = 0;
};

class Registry {
public:
    /// Opens (creating and migrating) the tables: `where` is a SQLite file or a postgresql:// URL.
    static core::Result<std::unique_ptr<Registry>> Open(const std::string& where);
    ~Registry();
    Registry(const Registry&) = delete;
    Registry& operator=(const Registry&) = delete;

    core::Result<RegistrationToken> CreateRegistrationToken(const std::string& name,
                                                            const std::string& token_hash);
    core::Result<std::vector<RegistrationToken>> ListRegistrationTokens();
    /// Revokes the token and every worker registered with it (their next call gets 401).
    core::Status RevokeRegistrationToken(std::int64_t id);
    /// The valid (not revoked) registration token with this hash; NotFound otherwise.
    core::Result<RegistrationToken> FindRegistrationToken(const std::string& token_hash);

    core::Result<WorkerRecord> AddWorker(const std::string& name, const std::string& host,
                                         std::int64_t registration_id,
                                         const std::string& token_hash);
    /// The worker with this secret; NotFound when unknown or revoked.
    core::Result<WorkerRecord> FindWorker(const std::string& token_hash);
    core::Result<std::vector<WorkerRecord>> ListWorkers();
    core::Status SetWorkerState(std::int64_t worker_id, const std::string& state,
                                std::optional<std::int64_t> current_job, core::UnixMillis now);
    core::Status TouchWorker(std::int64_t worker_id, core::UnixMillis now);
    core::Status CountJobDone(std::int64_t worker_id);

    core::Result<Assignment> AddAssignment(std::int64_t worker_id, std::int64_t job_id,
                                           const std::string& owner, const std::string& token_hash,
                                           core::UnixMillis now);
    /// The assignment of this job token (any state); NotFound when unknown.
    core::Result<Assignment> FindAssignment(const std::string& token_hash);
    core::Status TouchAssignment(std::int64_t id, core::UnixMillis now);
    core::Status SetAssignmentState(std::int64_t id, const std::string& state);
    /// Running assignments whose last heartbeat is older than `before`.
    core::Result<std::vector<Assignment>> SilentAssignments(core::UnixMillis before);

private:
    struct Impl;
    explicit Registry(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace beacon::remote
