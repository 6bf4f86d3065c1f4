#pragma once
/// The worker's side of `beacon worker --server URL --token T`: the Database and ObjectStore
/// operations a job needs, spoken over HTTP(S) to the studio's /api/v1/remote routes. The
/// worker has no database and no bucket of its own; the pipeline runs unchanged on these.
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "storage/database.hpp"
#include "storage/object_store.hpp"

namespace beacon::remote {

/// One HTTP answer.
struct HttpAnswer {
    long status = 0;
    std::string body;
};

/// A connection to the studio (libcurl). Thread-safe: each call uses its own handle.
class StudioClient {
public:
    explicit StudioClient(std::string base_url);
    const std::string& base_url() const { return base_url_; }
    /// The worker secret sent after registration (X-Beacon-Token).
    void SetWorkerToken(std::string token);
    /// Called once, with a sentence, the first time the studio answers 401 (wrong or revoked
    /// token): the worker then stops.
    void OnUnauthorized(std::function<void(const std::string&)> f);

    /// A request with a JSON (or empty) body and the given token. Network failures and 502/503
    /// are retried a few times with backoff; then Unavailable naming the studio's address.
    /// Any status >= 400 becomes the Error the studio sent (401: Unauthorized, and the callback).
    core::Result<HttpAnswer> Call(const std::string& method, const std::string& path,
                                  const std::string& token, const std::string& body = {},
                                  const std::string& range = {});
    /// PUT of a file's bytes, read from disk as they are sent (never whole in memory), with
    /// their SHA-256 in X-Beacon-Sha256 (the studio refuses a body that does not match).
    core::Result<HttpAnswer> PutFile(const std::string& path, const std::string& token,
                                     const std::filesystem::path& file);
    std::string worker_token() const;

private:
    core::Result<HttpAnswer> Once(const std::string& method, const std::string& path,
                                  const std::string& token, const std::string& body,
                                  const std::string& range, const std::filesystem::path* file,
                                  const std::string& file_sha256 = {});
    core::Result<HttpAnswer> WithRetries(const std::function<core::Result<HttpAnswer>()>& once);
    core::Error ErrorOf(const HttpAnswer& a);

    std::string base_url_;
    mutable std::mutex mu_;
    std::string worker_token_;
    std::function<void(const std::string&)> on_unauthorized_;
    std::atomic<bool> told_unauthorized_{false};
};

/// The job tokens this worker holds (from its claims), shared by RemoteDatabase and
/// RemoteStore: which token reaches which job, library item and media key.
class JobTokens {
public:
    void Add(std::int64_t job_id, std::string token, std::optional<std::int64_t> content_id);
    void Ended(std::int64_t job_id);
    void LinkContent(std::int64_t content_id, std::int64_t job_id);
    /// The token of a job this worker claimed (NotFound otherwise).
    core::Result<std::pair<std::int64_t, std::string>> ForJob(std::int64_t job_id) const;
    core::Result<std::pair<std::int64_t, std::string>> ForContent(std::int64_t content_id) const;
    /// The job a media key belongs to ("jobs/N/...", "library/C/..."), else any running job.
    core::Result<std::pair<std::int64_t, std::string>> ForKey(std::string_view key) const;
    core::Result<std::pair<std::int64_t, std::string>> Any() const;

private:
    mutable std::mutex mu_;
    std::map<std::int64_t, std::string> tokens_;
    std::set<std::int64_t> running_;
    std::map<std::int64_t, std::int64_t> content_job_;
};

/// Registers with a registration token: {worker id, worker secret, lease seconds}.
struct Registration {
    std::int64_t worker_id = 0;
    std::string worker_token;
    int lease_seconds = 30;
};
core::Result<Registration> RegisterWorker(StudioClient& client,
                                          const std::string& registration_token,
                                          const std::string& name, const std::string& host);

/// storage::Database over HTTP for a remote worker: the job, stage, log, library-row and asset
/// calls of a claimed job; everything else answers Unavailable.
std::unique_ptr<storage::Database> MakeRemoteDatabase(StudioClient& client, JobTokens& tokens);
/// storage::ObjectStore over HTTP (wrap it in storage::OpenCachedStore for local paths).
std::unique_ptr<storage::ObjectStore> MakeRemoteStore(StudioClient& client, JobTokens& tokens);

}  // namespace beacon::remote
