#pragma once
/// The metadata store in memory, for unit tests that need a store but not its files: every area
/// (accounts, jobs, batches, library, assets, channels) with the same semantics as SQLite and
/// PostgreSQL, held to them by the storage contract suite, which runs on all three. Thread-safe:
/// one mutex guards all rows. Handles made by Reopen() share the rows, as two processes sharing
/// one database do. Search matches each word of the query as a case-insensitive prefix of a word
/// of the title, description, prompt or transcript (what the FTS indexes do for ASCII text).
#include <memory>

#include "storage/database.hpp"

namespace beacon::testing {

class MemoryDatabase final : public storage::Database {
public:
    MemoryDatabase();
    ~MemoryDatabase() override;
    /// A second handle on the same rows.
    std::unique_ptr<MemoryDatabase> Reopen() const;

    // ---- accounts ---------------------------------------------------------------------------
    core::Result<core::User> GetOrCreateUser(const std::string& name) override;
    core::Result<core::User> GetUserById(std::int64_t id) override;
    core::Result<core::User> GetUserByName(const std::string& name) override;
    core::Result<core::User> GetUserByStreamKey(const std::string& key) override;
    core::Status SetPasswordHash(std::int64_t user_id, const std::string& hash) override;
    core::Status SetStreamKey(std::int64_t user_id, const std::string& key) override;
    core::Result<std::int64_t> CountUsersWithPassword() override;
    core::Status CreateSession(const std::string& id_hash, std::int64_t user_id,
                               const std::string& csrf_token, core::UnixMillis expires_at) override;
    core::Result<Session> GetSession(const std::string& id_hash, core::UnixMillis now) override;
    core::Status DeleteSession(const std::string& id_hash) override;
    core::Result<Token> CreateToken(std::int64_t user_id, const std::string& name,
                                    const std::string& token_hash) override;
    core::Result<Token> GetTokenByHash(const std::string& token_hash) override;
    core::Result<std::vector<Token>> ListTokens(std::int64_t user_id) override;
    core::Status DeleteToken(std::int64_t user_id, std::int64_t token_id) override;

    // ---- jobs and batches -------------------------------------------------------------------
    core::Result<core::Job> CreateJob(std::int64_t user_id,
                                      const core::GenerateRequest& req) override;
    core::Result<core::Job> CreateJobOfKind(std::int64_t user_id, core::JobKind kind,
                                            const core::Json& params,
                                            const core::GenerateRequest& req) override;
    core::Result<core::Job> GetJob(std::int64_t id) override;
    core::Result<storage::Page<core::Job>> ListJobs(const storage::JobQuery& q) override;
    core::Result<std::string> JobFingerprint(std::int64_t id) override;
    core::Result<std::optional<core::Job>> ClaimJob(const std::string& worker_id,
                                                    core::UnixMillis now,
                                                    core::UnixMillis lease_until) override;
    core::Result<bool> RenewLease(std::int64_t job_id, const std::string& worker_id,
                                  core::UnixMillis lease_until) override;
    core::Result<int> ReleaseLeases(const std::string& owner_prefix) override;
    core::Status UpdateJobProgress(std::int64_t job_id, core::JobState state,
                                   int progress) override;
    core::Status RecordStage(std::int64_t job_id, const std::string& stage,
                             const core::Json& outputs) override;
    core::Status ForgetStages(std::int64_t job_id, const std::vector<std::string>& stages) override;
    core::Status SetJobUrls(std::int64_t job_id, const core::Json& urls) override;
    core::Status FinishJob(std::int64_t job_id, core::JobState final_state,
                           const std::optional<core::Error>& error,
                           std::optional<std::int64_t> content_id) override;
    core::Status RequeueJob(std::int64_t job_id, core::UnixMillis run_after,
                            const std::string& reason) override;
    core::Result<core::Job> RequestCancel(std::int64_t job_id) override;
    core::Result<core::Job> RetryJob(std::int64_t job_id) override;
    core::Result<core::Job> ReopenJob(std::int64_t job_id) override;
    core::Result<core::JobLogLine> AppendJobLog(std::int64_t job_id, const std::string& stage,
                                                core::LogLevel level,
                                                const std::string& message) override;
    core::Result<std::vector<core::JobLogLine>> GetJobLogs(std::int64_t job_id,
                                                           std::int64_t after_id,
                                                           int limit) override;
    core::Result<std::vector<core::JobLogLine>> GetRecentJobLogs(std::int64_t job_id,
                                                                 int limit) override;
    core::Result<storage::Batch> CreateBatch(
        std::int64_t user_id, const std::string& name, int max_parallel,
        const std::vector<core::GenerateRequest>& items) override;
    core::Result<storage::Batch> GetBatch(std::int64_t id) override;
    core::Result<std::vector<storage::Batch>> ListBatches(std::int64_t user_id, int limit) override;

    // ---- library and assets -----------------------------------------------------------------
    core::Result<core::Content> CreateContent(const core::Content& c) override;
    core::Status UpdateContent(const core::Content& c) override;
    core::Result<core::Content> BeginJobContent(std::int64_t job_id,
                                                const core::Content& c) override;
    core::Status CompleteJobContent(std::int64_t job_id, const core::Content& c) override;
    core::Result<core::Content> GetContent(std::int64_t id) override;
    core::Result<storage::Page<core::Content>> ListContent(const storage::ContentQuery& q) override;
    core::Result<core::Content> PatchContent(std::int64_t id,
                                             const storage::ContentPatch& p) override;
    core::Status DeleteContent(std::int64_t id) override;
    core::Status ScheduleObjectDelete(const std::string& prefix, core::UnixMillis due_at) override;
    core::Result<std::vector<std::string>> TakeDueObjectDeletes(core::UnixMillis now) override;
    core::Result<int> SweepAbandonedContent() override;
    core::Result<core::Asset> AddAsset(const core::Asset& a) override;
    core::Result<std::vector<core::Asset>> ListAssetsForJob(std::int64_t job_id) override;
    core::Result<std::vector<core::Asset>> ListAssetsForContent(std::int64_t content_id) override;
    core::Result<std::optional<core::Asset>> FindAssetByHash(const std::string& hash) override;
    core::Status LinkJobAssetsToContent(std::int64_t job_id, std::int64_t content_id) override;

    // ---- channels ---------------------------------------------------------------------------
    core::Result<core::Playlist> CreatePlaylist(const core::Playlist& p) override;
    core::Result<core::Playlist> GetPlaylist(std::int64_t id) override;
    core::Result<core::Playlist> GetPlaylistBySlug(const std::string& slug) override;
    core::Result<std::vector<core::Playlist>> ListPlaylists() override;
    core::Status UpdatePlaylist(const core::Playlist& p) override;
    core::Status DeletePlaylist(std::int64_t id) override;
    core::Result<core::Playlist> DefaultPlaylist() override;
    core::Result<std::string> GetChannelState(std::int64_t playlist_id) override;
    core::Status PutChannelState(std::int64_t playlist_id, const std::string& state) override;

private:
    struct State;
    explicit MemoryDatabase(std::shared_ptr<State> state);
    std::shared_ptr<State> state_;  // shared by every handle Reopen() made
};

}  // namespace beacon::testing
