#pragma once
/// The PostgreSQL backend's class and row readers, shared by its files by area
/// (postgres_accounts.cpp, postgres_jobs.cpp, postgres_library.cpp, postgres_channels.cpp;
/// postgres_database.cpp connects and migrates). Internal to src/storage: callers use
/// storage::OpenPostgres and the area interfaces.
#include <algorithm>
#include <atomic>
#include <cctype>
#include <mutex>
#include <vector>

#include "storage/column_enums.hpp"
#include "storage/migrations.hpp"
#include "storage/postgres.hpp"
#include "storage/postgres_database.hpp"

namespace beacon::storage {

using core::Error;
using core::JobState;
using core::Json;
using pg::Params;
using pg::Rows;

namespace postgres_backend {

inline constexpr const char* kJobColumns =
    "id, user_id, prompt_text, title, style, voice, language, duration_target, output_preset, "
    "produce_preview, status, progress, created_at, updated_at, preview_url, final_url, "
    "thumbnail_url, vtt_url, error_log, error_code, attempts, run_after, cancel_requested, "
    "content_id, stages, kind, params, batch_id, priority";

inline Json ParseOr(const std::string& text, const Json& fallback) {
    Json j = Json::parse(text, nullptr, false);
    return j.is_discarded() ? fallback : j;
}

inline core::Job ReadJob(const Rows& s, int r) {
    core::Job j;
    j.id = s.Int(r, 0);
    j.user_id = s.Int(r, 1);
    j.request.prompt = s.Text(r, 2);
    j.request.title = s.Text(r, 3);
    j.request.style = s.Text(r, 4);
    j.request.voice = s.Text(r, 5);
    j.request.language = s.Text(r, 6);
    j.request.duration_target = s.Double(r, 7);
    j.request.output_preset = s.Text(r, 8);
    j.request.produce_preview = s.Bool(r, 9);
    j.status = core::ParseJobState(s.Text(r, 10)).value_or(JobState::kFailed);
    j.progress = static_cast<int>(s.Int(r, 11));
    j.created_at = s.Int(r, 12);
    j.updated_at = s.Int(r, 13);
    j.preview_url = s.Text(r, 14);
    j.final_url = s.Text(r, 15);
    j.thumbnail_url = s.Text(r, 16);
    j.vtt_url = s.Text(r, 17);
    j.error_log = s.Text(r, 18);
    j.error_code = s.Text(r, 19);
    j.attempts = static_cast<int>(s.Int(r, 20));
    j.run_after = s.Int(r, 21);
    j.cancel_requested = s.Bool(r, 22);
    j.content_id = s.OptInt(r, 23);
    j.stages = ParseOr(s.Text(r, 24), Json::object());
    if (!j.stages.is_object()) j.stages = Json::object();
    j.kind = JobKindOr(s.Text(r, 25));
    j.params = ParseOr(s.Text(r, 26), Json::object());
    if (!j.params.is_object()) j.params = Json::object();
    j.batch_id = s.OptInt(r, 27);
    j.priority = static_cast<int>(s.Int(r, 28));
    return j;
}

inline constexpr const char* kContentColumns =
    "id, owner_id, job_id, title, description, prompt, mp4_key, hls_key, thumbnail_key, "
    "poster_key, preview_key, vtt_key, chapters_key, duration, languages, published, visibility, "
    "transcript, script, entities, created_at, updated_at, pending";

inline core::Content ReadContent(const Rows& s, int r) {
    core::Content c;
    c.id = s.Int(r, 0);
    c.owner_id = s.Int(r, 1);
    c.job_id = s.OptInt(r, 2);
    c.title = s.Text(r, 3);
    c.description = s.Text(r, 4);
    c.prompt = s.Text(r, 5);
    c.mp4_key = s.Text(r, 6);
    c.hls_key = s.Text(r, 7);
    c.thumbnail_key = s.Text(r, 8);
    c.poster_key = s.Text(r, 9);
    c.preview_key = s.Text(r, 10);
    c.vtt_key = s.Text(r, 11);
    c.chapters_key = s.Text(r, 12);
    c.duration = s.Double(r, 13);
    Json langs = ParseOr(s.Text(r, 14), Json::array());
    if (langs.is_array()) {
        for (const auto& l : langs) {
            if (l.is_string()) c.languages.push_back(l.get<std::string>());
        }
    }
    c.published = s.Bool(r, 15);
    c.visibility = VisibilityOr(s.Text(r, 16));
    c.transcript = s.Text(r, 17);
    c.script = ParseOr(s.Text(r, 18), Json::object());
    c.entities = ParseOr(s.Text(r, 19), Json::array());
    c.created_at = s.Int(r, 20);
    c.updated_at = s.Int(r, 21);
    c.pending = s.Bool(r, 22);
    return c;
}

inline constexpr const char* kPlaylistColumns =
    "id, slug, title, items, loop_mode, active, hls_endpoint, scheduled_slots, inserts, "
    "created_at, updated_at";

inline core::Playlist ReadPlaylist(const Rows& s, int r) {
    core::Playlist p;
    p.id = s.Int(r, 0);
    p.slug = s.Text(r, 1);
    p.title = s.Text(r, 2);
    Json items = ParseOr(s.Text(r, 3), Json::array());
    if (items.is_array()) {
        for (const auto& i : items) {
            if (i.is_number_integer()) p.items.push_back(i.get<std::int64_t>());
        }
    }
    p.loop_mode = LoopModeOr(s.Text(r, 4));
    p.active = s.Bool(r, 5);
    p.hls_endpoint = s.Text(r, 6);
    p.scheduled_slots = ParseOr(s.Text(r, 7), Json::array());
    p.inserts = ParseOr(s.Text(r, 8), Json::array());
    p.created_at = s.Int(r, 9);
    p.updated_at = s.Int(r, 10);
    return p;
}

inline constexpr const char* kAssetColumns =
    "id, job_id, content_id, kind, hash, key, mime, size, engine, model, parameters, created_at";

inline core::Asset ReadAsset(const Rows& s, int r) {
    core::Asset a;
    a.id = s.Int(r, 0);
    a.job_id = s.OptInt(r, 1);
    a.content_id = s.OptInt(r, 2);
    a.kind = AssetKindOr(s.Text(r, 3));
    a.hash = s.Text(r, 4);
    a.key = s.Text(r, 5);
    a.mime = s.Text(r, 6);
    a.size = s.Int(r, 7);
    a.engine = s.Text(r, 8);
    a.model = s.Text(r, 9);
    a.parameters = ParseOr(s.Text(r, 10), Json::object());
    a.created_at = s.Int(r, 11);
    return a;
}

inline std::vector<core::JobLogLine> ReadLogs(const Rows& s) {
    std::vector<core::JobLogLine> out;
    for (int r = 0; r < s.size(); ++r) {
        out.push_back(core::JobLogLine{s.Int(r, 0), s.Int(r, 1), s.Int(r, 2), s.Text(r, 3),
                                       LogLevelOr(s.Text(r, 4)), s.Text(r, 5)});
    }
    return out;
}

/// Turns free text into a safe tsquery: each word becomes a quoted prefix lexeme, AND-ed (the
/// same reading as the SQLite store's FTS5 query). Words are letters and digits only, so no
/// tsquery syntax from user input reaches the parser.
inline std::string TsQuery(const std::string& text) {
    std::string out;
    std::string word;
    auto flush = [&] {
        if (word.empty()) return;
        if (!out.empty()) out += " & ";
        out += "'" + word + "':*";
        word.clear();
    };
    for (char c : text) {
        unsigned char u = static_cast<unsigned char>(c);
        if (std::isalnum(u) || u >= 0x80) {
            word += c;
        } else {
            flush();
        }
    }
    flush();
    return out;
}

/// Pending rows that no live job will finish.
inline constexpr const char* kAbandonedContent =
    "pending AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.content_id = content.id AND "
    "j.status NOT IN ('failed','canceled'))";

inline constexpr const char* kNotTerminal = "status NOT IN ('completed','failed','canceled')";

/// Lock key for migrations (any constant shared by every Beacon process).
inline constexpr std::int64_t kMigrationLock = 0x426561636f6e;  // "Beacon"

class PostgresDatabase final : public Database {
public:
    core::Status Connect(const std::string& url, int count);

    core::Status Migrate();

    // ---- users ------------------------------------------------------------------------------
    Result<core::User> GetOrCreateUser(const std::string& name) override;
    Result<core::User> GetUserById(std::int64_t id) override;
    Result<core::User> GetUserByName(const std::string& name) override;
    Result<core::User> GetUserByStreamKey(const std::string& key) override;
    Status SetPasswordHash(std::int64_t user_id, const std::string& hash) override;
    Status SetStreamKey(std::int64_t user_id, const std::string& key) override;
    Result<std::int64_t> CountUsersWithPassword() override;
    Status CreateSession(const std::string& id_hash, std::int64_t user_id,
                         const std::string& csrf_token, core::UnixMillis expires_at) override;
    Result<Session> GetSession(const std::string& id_hash, core::UnixMillis now) override;
    Status DeleteSession(const std::string& id_hash) override;
    Result<Token> CreateToken(std::int64_t user_id, const std::string& name,
                              const std::string& token_hash) override;
    Result<Token> GetTokenByHash(const std::string& token_hash) override;
    Result<std::vector<Token>> ListTokens(std::int64_t user_id) override;
    Status DeleteToken(std::int64_t user_id, std::int64_t token_id) override;

    // ---- jobs -------------------------------------------------------------------------------
    Result<core::Job> CreateJob(std::int64_t user_id, const core::GenerateRequest& r) override;
    Result<core::Job> CreateJobOfKind(std::int64_t user_id, core::JobKind kind,
                                      const core::Json& params,
                                      const core::GenerateRequest& r) override;
    Result<Batch> CreateBatch(std::int64_t user_id, const std::string& name, int max_parallel,
                              const std::vector<core::GenerateRequest>& items) override;
    Result<Batch> GetBatch(std::int64_t id) override;
    Result<std::vector<Batch>> ListBatches(std::int64_t user_id, int limit) override;
    Result<Batch> BatchById(pg::Connection& conn, std::int64_t id);
    Result<core::Job> GetJob(std::int64_t id) override;
    Result<std::string> JobFingerprint(std::int64_t id) override;
    Result<Page<core::Job>> ListJobs(const JobQuery& q) override;
    Result<std::optional<core::Job>> ClaimJob(const std::string& worker_id, core::UnixMillis now,
                                              core::UnixMillis lease_until) override;
    Result<bool> RenewLease(std::int64_t job_id, const std::string& worker_id,
                            core::UnixMillis lease_until) override;
    Result<int> ReleaseLeases(const std::string& owner_prefix) override;
    Status UpdateJobProgress(std::int64_t job_id, JobState state, int progress) override;
    Status RecordStage(std::int64_t job_id, const std::string& stage, const Json& outputs) override;
    Status ForgetStages(std::int64_t job_id, const std::vector<std::string>& stages) override;
    Status SetJobUrls(std::int64_t job_id, const Json& urls) override;
    Status FinishJob(std::int64_t job_id, JobState final_state,
                     const std::optional<core::Error>& error,
                     std::optional<std::int64_t> content_id) override;
    Status RequeueJob(std::int64_t job_id, core::UnixMillis run_after,
                      const std::string& reason) override;
    Result<core::Job> RequestCancel(std::int64_t job_id) override;
    Result<core::Job> RetryJob(std::int64_t job_id) override;
    Result<core::Job> ReopenJob(std::int64_t job_id) override;
    Result<core::JobLogLine> AppendJobLog(std::int64_t job_id, const std::string& stage,
                                          core::LogLevel level,
                                          const std::string& message) override;
    Result<std::vector<core::JobLogLine>> GetJobLogs(std::int64_t job_id, std::int64_t after_id,
                                                     int limit) override;
    Result<std::vector<core::JobLogLine>> GetRecentJobLogs(std::int64_t job_id, int limit) override;

    // ---- content ----------------------------------------------------------------------------
    Result<core::Content> CreateContent(const core::Content& c) override;
    Status UpdateContent(const core::Content& c) override;
    Result<core::Content> BeginJobContent(std::int64_t job_id, const core::Content& c) override;
    Status CompleteJobContent(std::int64_t job_id, const core::Content& c) override;
    Result<core::Content> GetContent(std::int64_t id) override;
    Result<Page<core::Content>> ListContent(const ContentQuery& q) override;
    Result<core::Content> PatchContent(std::int64_t id, const ContentPatch& p) override;
    Status DeleteContent(std::int64_t id) override;
    Result<int> SweepAbandonedContent() override;

    Status ScheduleObjectDelete(const std::string& prefix, core::UnixMillis due_at) override;
    Result<std::vector<std::string>> TakeDueObjectDeletes(core::UnixMillis now) override;

    // ---- assets -----------------------------------------------------------------------------
    Result<core::Asset> AddAsset(const core::Asset& a) override;
    Result<std::vector<core::Asset>> ListAssetsForJob(std::int64_t job_id) override;
    Result<std::vector<core::Asset>> ListAssetsForContent(std::int64_t content_id) override;
    Result<std::optional<core::Asset>> FindAssetByHash(const std::string& hash) override;
    Status LinkJobAssetsToContent(std::int64_t job_id, std::int64_t content_id) override;

    // ---- playlists --------------------------------------------------------------------------
    Result<core::Playlist> CreatePlaylist(const core::Playlist& p) override;
    Result<core::Playlist> GetPlaylist(std::int64_t id) override;
    Result<core::Playlist> GetPlaylistBySlug(const std::string& slug) override;
    Result<std::vector<core::Playlist>> ListPlaylists() override;
    Status UpdatePlaylist(const core::Playlist& p) override;
    Status DeletePlaylist(std::int64_t id) override;
    Result<core::Playlist> DefaultPlaylist() override;
    Result<std::string> GetChannelState(std::int64_t playlist_id) override;
    Status PutChannelState(std::int64_t playlist_id, const std::string& state) override;

private:
    /// INSERT with $1..$19 = ContentParams, $20 = now; the caller appends ", pending)".
    static constexpr const char* kInsertContent =
        "INSERT INTO content(owner_id, job_id, title, description, prompt, mp4_key, hls_key, "
        "thumbnail_key, poster_key, preview_key, vtt_key, chapters_key, duration, languages, "
        "published, visibility, transcript, script, entities, created_at, updated_at, pending) "
        "VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$20";
    /// UPDATE with $1..$19 = ContentParams, $20 = now; the caller appends the WHERE ($21 = id).
    static constexpr const char* kUpdateContent =
        "UPDATE content SET owner_id=$1, job_id=$2, title=$3, description=$4, prompt=$5, "
        "mp4_key=$6, hls_key=$7, thumbnail_key=$8, poster_key=$9, preview_key=$10, vtt_key=$11, "
        "chapters_key=$12, duration=$13, languages=$14, published=$15, visibility=$16, "
        "transcript=$17, script=$18, entities=$19, updated_at=$20";

    static Params ContentParams(const core::Content& c);
    /// A PostgreSQL text[] literal.
    static std::string TextArray(const std::vector<std::string>& items);

    Result<core::User> UserWhere(pg::Connection& conn, const char* cond, const std::string& value);
    Result<core::Job> JobById(pg::Connection& conn, std::int64_t id);
    Result<core::Content> ContentById(pg::Connection& conn, std::int64_t id,
                                      bool include_pending = false);
    /// After content rows are deleted: their assets and jobs forget them.
    Status UnlinkContent(pg::Connection& conn, const std::vector<std::int64_t>& ids);
    /// Call inside a transaction. One DELETE ... RETURNING: two processes sweeping at once each
    /// delete (and schedule the files of) a row at most once.
    Result<int> SweepAbandonedLocked(pg::Connection& conn);
    Result<std::vector<core::Asset>> AssetsWhere(pg::Connection& conn, const char* cond,
                                                 std::int64_t v);
    Result<core::Playlist> PlaylistWhere(pg::Connection& conn, const char* cond,
                                         const std::string& v);
    Result<core::Playlist> InsertPlaylist(pg::Connection& conn, const core::Playlist& p,
                                          bool if_absent);

    /// A pooled connection held for one call: a free one when there is one, otherwise waits
    /// for one (round robin).
    struct Lease {
        explicit Lease(PostgresDatabase& self)
            : conn(self.Pick()), lock(conn.mu, std::adopt_lock) {}
        pg::Connection& conn;
        std::unique_lock<std::mutex> lock;
    };
    pg::Connection& Pick();

    std::vector<std::unique_ptr<pg::Connection>> pool_;
    std::atomic<std::size_t> next_{0};
};

}  // namespace postgres_backend
}  // namespace beacon::storage
