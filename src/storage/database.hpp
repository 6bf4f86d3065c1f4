#pragma once
/// The metadata store. One interface so that PostgreSQL can be added beside SQLite without
/// touching callers. Every method is thread-safe (implementations serialise or pool connections).
#include <cstdint>
#include <memory>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/model.hpp"
#include "core/result.hpp"

namespace beacon::storage {

using core::Result;
using core::Status;

struct JobQuery {
    std::optional<core::JobState> state;
    int limit = 50;  // 1..200
    std::int64_t offset = 0;
};

struct ContentQuery {
    std::string search;          // FTS5 query over title/description/prompt/transcript; empty = all
    std::string sort = "newest";  // newest | oldest | title | duration
    std::optional<bool> published;
    std::optional<std::string> visibility;
    std::optional<std::string> language;  // items that have this language (original or added)
    int limit = 50;
    std::int64_t offset = 0;
};

template <class T>
struct Page {
    std::vector<T> items;
    std::int64_t total = 0;
};

/// Fields a caller may change on a content row (PATCH). Unset = unchanged.
struct ContentPatch {
    std::optional<std::string> title;
    std::optional<std::string> description;
    std::optional<std::string> visibility;
    std::optional<bool> published;
};

/// Many prompts submitted together (POST /api/v1/generate/batch). Its jobs have priority 1:
/// any interactive job (priority 0) is claimed before the batch's remaining ones.
struct Batch {
    std::int64_t id = 0;
    std::int64_t user_id = 0;
    std::string name;
    int max_parallel = 0;  // jobs of this batch running at once; 0 = no cap
    core::UnixMillis created_at = 0;
    std::vector<std::int64_t> job_ids;  // in submission order
    std::map<std::string, int> counts;  // job status → number of jobs
    int progress = 0;  // mean progress of the jobs, 0..100
};

/// How long after a prefix was first handed out for deletion it is handed out once more.
inline constexpr core::UnixMillis kObjectDeleteRetakeMs = 10 * 60 * 1000;

class Database {
public:
    virtual ~Database() = default;

    // ---- users, sessions, API tokens -------------------------------------------------------
    virtual Result<core::User> GetOrCreateUser(const std::string& name) = 0;
    virtual Result<core::User> GetUserById(std::int64_t id) = 0;
    virtual Result<core::User> GetUserByName(const std::string& name) = 0;
    /// The user whose read-only stream key this is (for IPTV clients); NotFound otherwise.
    virtual Result<core::User> GetUserByStreamKey(const std::string& key) = 0;
    virtual Status SetPasswordHash(std::int64_t user_id, const std::string& hash) = 0;
    virtual Status SetStreamKey(std::int64_t user_id, const std::string& key) = 0;
    virtual Result<std::int64_t> CountUsersWithPassword() = 0;
    /// Stores the sha256 of a session id with its expiry; the plain id lives only in the cookie.
    virtual Status CreateSession(const std::string& id_hash, std::int64_t user_id,
                                 const std::string& csrf_token, core::UnixMillis expires_at) = 0;
    struct Session {
        std::int64_t user_id = 0;
        std::string csrf_token;
        core::UnixMillis expires_at = 0;
    };
    virtual Result<Session> GetSession(const std::string& id_hash, core::UnixMillis now) = 0;
    virtual Status DeleteSession(const std::string& id_hash) = 0;
    struct Token {
        std::int64_t id = 0;
        std::int64_t user_id = 0;
        std::string name;
        core::UnixMillis created_at = 0;
        core::UnixMillis last_used_at = 0;
    };
    /// Stores the sha256 of an API token.
    virtual Result<Token> CreateToken(std::int64_t user_id, const std::string& name,
                                      const std::string& token_hash) = 0;
    virtual Result<Token> GetTokenByHash(const std::string& token_hash) = 0;
    virtual Result<std::vector<Token>> ListTokens(std::int64_t user_id) = 0;
    virtual Status DeleteToken(std::int64_t user_id, std::int64_t token_id) = 0;

    // ---- jobs (the job table is the queue) --------------------------------------------------
    virtual Result<core::Job> CreateJob(std::int64_t user_id, const core::GenerateRequest& req) = 0;
    /// A job of another kind than "generate" ("localize", "import"): `params` is that kind's
    /// request; `req` carries what job lists show (prompt line, title, language).
    virtual Result<core::Job> CreateJobOfKind(std::int64_t user_id, const std::string& kind,
                                              const core::Json& params,
                                              const core::GenerateRequest& req) = 0;
    virtual Result<core::Job> GetJob(std::int64_t id) = 0;
    virtual Result<Page<core::Job>> ListJobs(const JobQuery& q) = 0;
    /// Creates a batch and one queued "generate" job per item (priority 1), all or nothing.
    virtual Result<Batch> CreateBatch(std::int64_t user_id, const std::string& name,
                                      int max_parallel,
                                      const std::vector<core::GenerateRequest>& items) = 0;
    /// NotFound for an unknown batch.
    virtual Result<Batch> GetBatch(std::int64_t id) = 0;
    /// The user's batches, newest first.
    virtual Result<std::vector<Batch>> ListBatches(std::int64_t user_id, int limit) = 0;
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
                                                  const std::string& level,
                                                  const std::string& message) = 0;
    /// Log lines with id > after_id, oldest first, at most limit.
    virtual Result<std::vector<core::JobLogLine>> GetJobLogs(std::int64_t job_id,
                                                             std::int64_t after_id,
                                                             int limit) = 0;
    /// Log lines, newest `limit` of them, oldest first.
    virtual Result<std::vector<core::JobLogLine>> GetRecentJobLogs(std::int64_t job_id,
                                                                   int limit) = 0;

    // ---- content (the library) --------------------------------------------------------------
    /// Inserts a finished (not pending) row.
    virtual Result<core::Content> CreateContent(const core::Content& c) = 0;
    /// Replaces every column of an existing row (used by the pipeline on re-assembly).
    virtual Status UpdateContent(const core::Content& c) = 0;
    /// The library row a job composes into, in one transaction: the row recorded on the job
    /// (jobs.content_id) when it still exists, pending or not, so that a resumed compose reuses
    /// it; otherwise `c` inserted as a pending row and recorded on the job. NotFound: no job.
    virtual Result<core::Content> BeginJobContent(std::int64_t job_id, const core::Content& c) = 0;
    /// In one transaction: replaces every column of `c`, clears pending (the row appears in
    /// lists and search) and links the job's assets to it.
    virtual Status CompleteJobContent(std::int64_t job_id, const core::Content& c) = 0;
    /// NotFound for a pending row: nobody but its job sees it.
    virtual Result<core::Content> GetContent(std::int64_t id) = 0;
    /// Never lists pending rows.
    virtual Result<Page<core::Content>> ListContent(const ContentQuery& q) = 0;
    virtual Result<core::Content> PatchContent(std::int64_t id, const ContentPatch& p) = 0;
    /// Deletes the row (pending or not), unlinks its assets and clears it from its job, in one
    /// transaction.
    virtual Status DeleteContent(std::int64_t id) = 0;

    /// Remembers that an object-store prefix is to be deleted at `due_at` (files a LiveLoop
    /// channel may still serve for a while after their library item was deleted).
    virtual Status ScheduleObjectDelete(const std::string& prefix, core::UnixMillis due_at) = 0;
    /// Hands out the prefixes whose time has come, at least once: each is handed out again
    /// kObjectDeleteRetakeMs later and only then forgotten, so a process that dies between
    /// taking and deleting loses nothing (deleting a prefix twice is harmless).
    virtual Result<std::vector<std::string>> TakeDueObjectDeletes(core::UnixMillis now) = 0;
    /// Deletes pending rows no live job will finish (their job failed, was canceled, or
    /// records another row) and schedules their "library/<id>/" files for deletion now, in one
    /// transaction. Also runs on open and whenever a job fails or is canceled. Returns how many.
    virtual Result<int> SweepAbandonedContent() = 0;

    // ---- assets (content-addressed, with provenance) ----------------------------------------
    virtual Result<core::Asset> AddAsset(const core::Asset& a) = 0;
    virtual Result<std::vector<core::Asset>> ListAssetsForJob(std::int64_t job_id) = 0;
    virtual Result<std::vector<core::Asset>> ListAssetsForContent(std::int64_t content_id) = 0;
    /// Any asset already made with this hash (the engine/encode cache).
    virtual Result<std::optional<core::Asset>> FindAssetByHash(const std::string& hash) = 0;
    virtual Status LinkJobAssetsToContent(std::int64_t job_id, std::int64_t content_id) = 0;

    // ---- playlists (LiveLoop channels) ------------------------------------------------------
    virtual Result<core::Playlist> CreatePlaylist(const core::Playlist& p) = 0;
    virtual Result<core::Playlist> GetPlaylist(std::int64_t id) = 0;
    virtual Result<core::Playlist> GetPlaylistBySlug(const std::string& slug) = 0;
    virtual Result<std::vector<core::Playlist>> ListPlaylists() = 0;
    /// Replaces title, items, loop_mode, active, scheduled_slots and inserts.
    virtual Status UpdatePlaylist(const core::Playlist& p) = 0;
    virtual Status DeletePlaylist(std::int64_t id) = 0;
    /// The default channel ("main"), created on first use.
    virtual Result<core::Playlist> DefaultPlaylist() = 0;
    /// Free-form per-channel state for LiveLoop (committed history), JSON text.
    virtual Result<std::string> GetChannelState(std::int64_t playlist_id) = 0;
    virtual Status PutChannelState(std::int64_t playlist_id, const std::string& state) = 0;
};

/// Opens (creating if needed) the SQLite database at `path` in WAL mode and applies migrations.
Result<std::unique_ptr<Database>> OpenSqlite(const std::string& path);

}  // namespace beacon::storage
