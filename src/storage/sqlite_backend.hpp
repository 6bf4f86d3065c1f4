#pragma once
/// The SQLite backend's class and row readers, shared by its files by area (sqlite_accounts.cpp,
/// sqlite_jobs.cpp, sqlite_library.cpp, sqlite_channels.cpp; sqlite_database.cpp opens it).
/// Internal to src/storage: callers use storage::OpenSqlite and the area interfaces.
#include <algorithm>
#include <atomic>
#include <mutex>
#include <sstream>

#include "storage/column_enums.hpp"
#include "storage/database.hpp"
#include "storage/migrations.hpp"
#include "storage/sqlite.hpp"

namespace beacon::storage {

using core::Error;
using core::JobState;
using core::Json;
using sqlite::Statement;

namespace sqlite_backend {

inline constexpr const char* kJobColumns =
    "id, user_id, prompt_text, title, style, voice, language, duration_target, output_preset, "
    "produce_preview, status, progress, created_at, updated_at, preview_url, final_url, "
    "thumbnail_url, vtt_url, error_log, error_code, attempts, run_after, cancel_requested, "
    "content_id, stages, kind, params, batch_id, priority";

inline core::Job ReadJob(const Statement& s) {
    core::Job j;
    j.id = s.Int(0);
    j.user_id = s.Int(1);
    j.request.prompt = s.Text(2);
    j.request.title = s.Text(3);
    j.request.style = s.Text(4);
    j.request.voice = s.Text(5);
    j.request.language = s.Text(6);
    j.request.duration_target = s.Double(7);
    j.request.output_preset = s.Text(8);
    j.request.produce_preview = s.Int(9) != 0;
    j.status = core::ParseJobState(s.Text(10)).value_or(JobState::kFailed);
    j.progress = static_cast<int>(s.Int(11));
    j.created_at = s.Int(12);
    j.updated_at = s.Int(13);
    j.preview_url = s.Text(14);
    j.final_url = s.Text(15);
    j.thumbnail_url = s.Text(16);
    j.vtt_url = s.Text(17);
    j.error_log = s.Text(18);
    j.error_code = s.Text(19);
    j.attempts = static_cast<int>(s.Int(20));
    j.run_after = s.Int(21);
    j.cancel_requested = s.Int(22) != 0;
    j.content_id = s.OptInt(23);
    j.stages = Json::parse(s.Text(24), nullptr, false);
    if (j.stages.is_discarded() || !j.stages.is_object()) j.stages = Json::object();
    j.kind = JobKindOr(s.Text(25));
    j.params = Json::parse(s.Text(26), nullptr, false);
    if (j.params.is_discarded() || !j.params.is_object()) j.params = Json::object();
    j.batch_id = s.OptInt(27);
    j.priority = static_cast<int>(s.Int(28));
    return j;
}

/// The stages column as a JSON object (a malformed value reads as {}), for json_set/json_remove.
inline constexpr const char* kStagesObject =
    "CASE WHEN json_valid(stages) AND json_type(stages) = 'object' THEN stages ELSE '{}' END";

inline constexpr const char* kContentColumns =
    "id, owner_id, job_id, title, description, prompt, mp4_key, hls_key, thumbnail_key, "
    "poster_key, preview_key, vtt_key, chapters_key, duration, languages, published, visibility, "
    "transcript, script, entities, created_at, updated_at, pending";

inline Json ParseOr(const std::string& text, const Json& fallback) {
    Json j = Json::parse(text, nullptr, false);
    return j.is_discarded() ? fallback : j;
}

inline core::Content ReadContent(const Statement& s) {
    core::Content c;
    c.id = s.Int(0);
    c.owner_id = s.Int(1);
    c.job_id = s.OptInt(2);
    c.title = s.Text(3);
    c.description = s.Text(4);
    c.prompt = s.Text(5);
    c.mp4_key = s.Text(6);
    c.hls_key = s.Text(7);
    c.thumbnail_key = s.Text(8);
    c.poster_key = s.Text(9);
    c.preview_key = s.Text(10);
    c.vtt_key = s.Text(11);
    c.chapters_key = s.Text(12);
    c.duration = s.Double(13);
    Json langs = ParseOr(s.Text(14), Json::array());
    if (langs.is_array()) {
        for (const auto& l : langs) {
            if (l.is_string()) c.languages.push_back(l.get<std::string>());
        }
    }
    c.published = s.Int(15) != 0;
    c.visibility = VisibilityOr(s.Text(16));
    c.transcript = s.Text(17);
    c.script = ParseOr(s.Text(18), Json::object());
    c.entities = ParseOr(s.Text(19), Json::array());
    c.created_at = s.Int(20);
    c.updated_at = s.Int(21);
    c.pending = s.Int(22) != 0;
    return c;
}

inline constexpr const char* kPlaylistColumns =
    "id, slug, title, items, loop_mode, active, hls_endpoint, scheduled_slots, inserts, "
    "created_at, updated_at";

inline core::Playlist ReadPlaylist(const Statement& s) {
    core::Playlist p;
    p.id = s.Int(0);
    p.slug = s.Text(1);
    p.title = s.Text(2);
    Json items = ParseOr(s.Text(3), Json::array());
    if (items.is_array()) {
        for (const auto& i : items) {
            if (i.is_number_integer()) p.items.push_back(i.get<std::int64_t>());
        }
    }
    p.loop_mode = LoopModeOr(s.Text(4));
    p.active = s.Int(5) != 0;
    p.hls_endpoint = s.Text(6);
    p.scheduled_slots = ParseOr(s.Text(7), Json::array());
    p.inserts = ParseOr(s.Text(8), Json::array());
    p.created_at = s.Int(9);
    p.updated_at = s.Int(10);
    return p;
}

inline constexpr const char* kAssetColumns =
    "id, job_id, content_id, kind, hash, key, mime, size, engine, model, parameters, created_at";

inline core::Asset ReadAsset(const Statement& s) {
    core::Asset a;
    a.id = s.Int(0);
    a.job_id = s.OptInt(1);
    a.content_id = s.OptInt(2);
    a.kind = AssetKindOr(s.Text(3));
    a.hash = s.Text(4);
    a.key = s.Text(5);
    a.mime = s.Text(6);
    a.size = s.Int(7);
    a.engine = s.Text(8);
    a.model = s.Text(9);
    a.parameters = ParseOr(s.Text(10), Json::object());
    a.created_at = s.Int(11);
    return a;
}

inline core::JobLogLine ReadLog(const Statement& s) {
    core::JobLogLine l;
    l.id = s.Int(0);
    l.job_id = s.Int(1);
    l.at = s.Int(2);
    l.stage = s.Text(3);
    l.level = LogLevelOr(s.Text(4));
    l.message = s.Text(5);
    return l;
}

/// Turns free text into a safe FTS5 query: each word becomes a quoted prefix term, AND-ed.
inline std::string FtsQuery(const std::string& text) {
    std::string out;
    std::string word;
    auto flush = [&] {
        if (word.empty()) return;
        if (!out.empty()) out += ' ';
        out += '"' + word + "\"*";
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

/// Runs `f` (which returns a Status or Result) inside BEGIN IMMEDIATE ... COMMIT: all of its
/// writes land, or none (ROLLBACK on any error, the COMMIT's included).
template <class F>
auto InTransaction(sqlite::Connection& conn, F&& f) -> decltype(f()) {
    BEACON_CHECK(sqlite::Exec(conn.db, "BEGIN IMMEDIATE"));
    auto result = f();
    if (!result.ok()) {
        (void)sqlite::Exec(conn.db, "ROLLBACK");
        return result;
    }
    if (auto committed = sqlite::Exec(conn.db, "COMMIT"); !committed.ok()) {
        (void)sqlite::Exec(conn.db, "ROLLBACK");
        return std::move(committed).error();
    }
    return result;
}

/// Pending rows that no live job will finish.
inline constexpr const char* kAbandonedContent =
    "pending = 1 AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.content_id = content.id AND "
    "j.status NOT IN ('failed','canceled'))";

class SqliteDatabase final : public Database {
public:
    explicit SqliteDatabase(sqlite3* db) { writer_.db = db; }

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
    Result<Batch> BatchById(sqlite::Connection& conn, std::int64_t id);
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
    Result<core::User> UserWhere(sqlite::Connection& conn, const char* cond,
                                 const std::string& value);
    Result<core::Job> JobById(sqlite::Connection& conn, std::int64_t id);
    Result<std::optional<core::Job>> ClaimLocked(sqlite::Connection& conn,
                                                 const std::string& worker_id, core::UnixMillis now,
                                                 core::UnixMillis lease_until);
    Result<std::vector<core::JobLogLine>> Logs(Statement& s);
    static void BindContent(Statement& s, const core::Content& c);
    Status DeleteContentLocked(sqlite::Connection& conn, std::int64_t id);
    /// Call inside a transaction.
    Result<int> SweepAbandonedLocked(sqlite::Connection& conn);
    Result<core::Content> ContentById(sqlite::Connection& conn, std::int64_t id,
                                      bool include_pending = false);
    Result<std::vector<core::Asset>> AssetsWhere(sqlite::Connection& conn, const char* cond,
                                                 std::int64_t v);
    template <class V>
    Result<core::Playlist> PlaylistWhere(sqlite::Connection& conn, const char* cond, const V& v) {
        Statement s(conn,
                    std::string("SELECT ") + kPlaylistColumns + " FROM playlists WHERE " + cond);
        s.Bind(1, v);
        BEACON_TRY(row, s.Step());
        if (!row) return Error::NotFound("no such playlist");
        return ReadPlaylist(s);
    }
    Result<core::Playlist> CreatePlaylistLocked(sqlite::Connection& conn, const core::Playlist& p);

    /// A read connection held for one call (WAL: readers never wait for the writer).
    struct ReaderLease {
        explicit ReaderLease(SqliteDatabase& self) : conn(self.PickReader()), lock(conn.mu) {}
        sqlite::Connection& conn;
        std::lock_guard<std::mutex> lock;
    };
    sqlite::Connection& PickReader();

public:
    /// Opens `count` read connections on `path` (after migrations ran on the writer).
    core::Status OpenReaders(const std::string& path, int count);

private:
    sqlite::Connection writer_;  // every write, serialised (SQLite serialises writers anyway)
    std::vector<std::unique_ptr<sqlite::Connection>> readers_;
    std::atomic<std::size_t> next_reader_{0};
};

}  // namespace sqlite_backend
}  // namespace beacon::storage
