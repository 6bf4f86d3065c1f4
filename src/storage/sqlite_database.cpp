#include <algorithm>
#include <atomic>
#include <mutex>
#include <sstream>

#include "storage/database.hpp"
#include "storage/migrations.hpp"
#include "storage/sqlite.hpp"

namespace beacon::storage {

using core::Error;
using core::Json;
using core::JobState;
using sqlite::Statement;

namespace {

constexpr const char* kJobColumns =
    "id, user_id, prompt_text, title, style, voice, language, duration_target, output_preset, "
    "produce_preview, status, progress, created_at, updated_at, preview_url, final_url, "
    "thumbnail_url, vtt_url, error_log, error_code, attempts, run_after, cancel_requested, "
    "content_id, stages, kind, params, batch_id, priority";

core::Job ReadJob(const Statement& s) {
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
    j.kind = s.Text(25);
    j.params = Json::parse(s.Text(26), nullptr, false);
    if (j.params.is_discarded() || !j.params.is_object()) j.params = Json::object();
    j.batch_id = s.OptInt(27);
    j.priority = static_cast<int>(s.Int(28));
    return j;
}

/// The stages column as a JSON object (a malformed value reads as {}), for json_set/json_remove.
constexpr const char* kStagesObject =
    "CASE WHEN json_valid(stages) AND json_type(stages) = 'object' THEN stages ELSE '{}' END";

constexpr const char* kContentColumns =
    "id, owner_id, job_id, title, description, prompt, mp4_url, hls_url, thumbnail, poster, "
    "preview_url, vtt_url, chapters_url, duration, languages, published, visibility, transcript, "
    "script, entities, created_at, updated_at, pending";

Json ParseOr(const std::string& text, Json fallback) {
    Json j = Json::parse(text, nullptr, false);
    return j.is_discarded() ? fallback : j;
}

core::Content ReadContent(const Statement& s) {
    core::Content c;
    c.id = s.Int(0);
    c.owner_id = s.Int(1);
    c.job_id = s.OptInt(2);
    c.title = s.Text(3);
    c.description = s.Text(4);
    c.prompt = s.Text(5);
    c.mp4_url = s.Text(6);
    c.hls_url = s.Text(7);
    c.thumbnail = s.Text(8);
    c.poster = s.Text(9);
    c.preview_url = s.Text(10);
    c.vtt_url = s.Text(11);
    c.chapters_url = s.Text(12);
    c.duration = s.Double(13);
    Json langs = ParseOr(s.Text(14), Json::array());
    if (langs.is_array()) {
        for (const auto& l : langs) {
            if (l.is_string()) c.languages.push_back(l.get<std::string>());
        }
    }
    c.published = s.Int(15) != 0;
    c.visibility = s.Text(16);
    c.transcript = s.Text(17);
    c.script = ParseOr(s.Text(18), Json::object());
    c.entities = ParseOr(s.Text(19), Json::array());
    c.created_at = s.Int(20);
    c.updated_at = s.Int(21);
    c.pending = s.Int(22) != 0;
    return c;
}

constexpr const char* kPlaylistColumns =
    "id, slug, title, items, loop_mode, active, hls_endpoint, scheduled_slots, inserts, "
    "created_at, updated_at";

core::Playlist ReadPlaylist(const Statement& s) {
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
    p.loop_mode = s.Text(4);
    p.active = s.Int(5) != 0;
    p.hls_endpoint = s.Text(6);
    p.scheduled_slots = ParseOr(s.Text(7), Json::array());
    p.inserts = ParseOr(s.Text(8), Json::array());
    p.created_at = s.Int(9);
    p.updated_at = s.Int(10);
    return p;
}

constexpr const char* kAssetColumns =
    "id, job_id, content_id, kind, hash, key, mime, size, engine, model, parameters, created_at";

core::Asset ReadAsset(const Statement& s) {
    core::Asset a;
    a.id = s.Int(0);
    a.job_id = s.OptInt(1);
    a.content_id = s.OptInt(2);
    a.kind = s.Text(3);
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

core::JobLogLine ReadLog(const Statement& s) {
    core::JobLogLine l;
    l.id = s.Int(0);
    l.job_id = s.Int(1);
    l.at = s.Int(2);
    l.stage = s.Text(3);
    l.level = s.Text(4);
    l.message = s.Text(5);
    return l;
}

/// Turns free text into a safe FTS5 query: each word becomes a quoted prefix term, AND-ed.
std::string FtsQuery(const std::string& text) {
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
constexpr const char* kAbandonedContent =
    "pending = 1 AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.content_id = content.id AND "
    "j.status NOT IN ('failed','canceled'))";

class SqliteDatabase final : public Database {
public:
    explicit SqliteDatabase(sqlite3* db) { writer_.db = db; }

    core::Status Migrate() {
        std::lock_guard lock(writer_.mu);
        sqlite::Connection& conn = writer_;
        std::int64_t version = 0;
        {
            // Finished before any write: a statement left open keeps its read snapshot, and a
            // write from a stale snapshot fails at once with "database is locked" (no busy wait)
            // when another process (a worker, `beacon token create`) wrote in between.
            Statement v(conn, "PRAGMA user_version");
            BEACON_TRY(has, v.Step());
            version = has ? v.Int(0) : 0;
        }
        const auto& migrations = SqliteMigrations();
        if (version > static_cast<std::int64_t>(migrations.size())) {
            return Error::Internal("database: schema version " + std::to_string(version) +
                                   " is newer than this beacon (" +
                                   std::to_string(migrations.size()) + "); upgrade beacon");
        }
        for (std::size_t i = static_cast<std::size_t>(version); i < migrations.size(); ++i) {
            BEACON_CHECK(sqlite::Exec(conn.db, "BEGIN IMMEDIATE"));
            auto st = sqlite::Exec(conn.db, migrations[i]);
            if (st.ok()) st = sqlite::Exec(conn.db, "PRAGMA user_version = " + std::to_string(i + 1));
            if (!st.ok()) {
                (void)sqlite::Exec(conn.db, "ROLLBACK");
                return Error::Internal("migration " + std::to_string(i + 1) + " failed: " +
                                       st.error().message);
            }
            BEACON_CHECK(sqlite::Exec(conn.db, "COMMIT"));
        }
        BEACON_TRY(swept, InTransaction(conn, [&] { return SweepAbandonedLocked(conn); }));
        (void)swept;
        return {};
    }

    // ---- users ------------------------------------------------------------------------------
    Result<core::User> GetOrCreateUser(const std::string& name) override {
        std::lock_guard lock(writer_.mu);
        sqlite::Connection& conn = writer_;
        Statement ins(conn, "INSERT OR IGNORE INTO users(name, created_at) VALUES(?, ?)");
        ins.Bind(1, name).Bind(2, core::NowMillis());
        BEACON_CHECK(ins.Run());
        return UserWhere(conn, "name = ?", name);
    }
    Result<core::User> GetUserById(std::int64_t id) override {
        ReaderLease lease(*this);
        sqlite::Connection& conn = lease.conn;
        return UserWhere(conn, "id = ?", std::to_string(id));
    }
    Result<core::User> GetUserByName(const std::string& name) override {
        ReaderLease lease(*this);
        sqlite::Connection& conn = lease.conn;
        return UserWhere(conn, "name = ?", name);
    }
    Result<core::User> GetUserByStreamKey(const std::string& key) override {
        if (key.empty()) return Error::NotFound("no such stream key");
        ReaderLease lease(*this);
        sqlite::Connection& conn = lease.conn;
        return UserWhere(conn, "stream_key = ?", key);
    }
    Status SetPasswordHash(std::int64_t user_id, const std::string& hash) override {
        std::lock_guard lock(writer_.mu);
        sqlite::Connection& conn = writer_;
        // A new password ends every existing session: both or neither (a crash between them
        // must not leave old sessions valid).
        return InTransaction(conn, [&]() -> Status {
            Statement s(conn, "UPDATE users SET password_hash = ? WHERE id = ?");
            s.Bind(1, hash).Bind(2, user_id);
            BEACON_CHECK(s.Run());
            Statement d(conn, "DELETE FROM sessions WHERE user_id = ?");
            d.Bind(1, user_id);
            return d.Run();
        });
    }
    Status SetStreamKey(std::int64_t user_id, const std::string& key) override {
        std::lock_guard lock(writer_.mu);
        sqlite::Connection& conn = writer_;
        Statement s(conn, "UPDATE users SET stream_key = ? WHERE id = ?");
        s.Bind(1, key).Bind(2, user_id);
        return s.Run();
    }
    Result<std::int64_t> CountUsersWithPassword() override {
        ReaderLease lease(*this);
        sqlite::Connection& conn = lease.conn;
        Statement s(conn, "SELECT COUNT(*) FROM users WHERE password_hash != ''");
        BEACON_TRY(row, s.Step());
        return row ? s.Int(0) : 0;
    }
    Status CreateSession(const std::string& id_hash, std::int64_t user_id,
                         const std::string& csrf_token, core::UnixMillis expires_at) override {
        std::lock_guard lock(writer_.mu);
        sqlite::Connection& conn = writer_;
        Statement del(conn, "DELETE FROM sessions WHERE expires_at < ?");
        del.Bind(1, core::NowMillis());
        BEACON_CHECK(del.Run());
        Statement s(conn,
                    "INSERT INTO sessions(id_hash, user_id, csrf_token, expires_at, created_at) "
                    "VALUES(?, ?, ?, ?, ?)");
        s.Bind(1, id_hash).Bind(2, user_id).Bind(3, csrf_token).Bind(4, expires_at).Bind(
            5, core::NowMillis());
        return s.Run();
    }
    Result<Session> GetSession(const std::string& id_hash, core::UnixMillis now) override {
        ReaderLease lease(*this);
        sqlite::Connection& conn = lease.conn;
        Statement s(conn,
                    "SELECT user_id, csrf_token, expires_at FROM sessions "
                    "WHERE id_hash = ? AND expires_at > ?");
        s.Bind(1, id_hash).Bind(2, now);
        BEACON_TRY(row, s.Step());
        if (!row) return Error{core::ErrorCode::kUnauthorized, "session expired or unknown"};
        return Session{s.Int(0), s.Text(1), s.Int(2)};
    }
    Status DeleteSession(const std::string& id_hash) override {
        std::lock_guard lock(writer_.mu);
        sqlite::Connection& conn = writer_;
        Statement s(conn, "DELETE FROM sessions WHERE id_hash = ?");
        s.Bind(1, id_hash);
        return s.Run();
    }
    Result<Token> CreateToken(std::int64_t user_id, const std::string& name,
                              const std::string& token_hash) override {
        std::lock_guard lock(writer_.mu);
        sqlite::Connection& conn = writer_;
        auto now = core::NowMillis();
        Statement s(conn,
                    "INSERT INTO api_tokens(user_id, name, token_hash, created_at) "
                    "VALUES(?, ?, ?, ?)");
        s.Bind(1, user_id).Bind(2, name).Bind(3, token_hash).Bind(4, now);
        BEACON_CHECK(s.Run());
        return Token{sqlite3_last_insert_rowid(conn.db), user_id, name, now, 0};
    }
    Result<Token> GetTokenByHash(const std::string& token_hash) override {
        Token t;
        {
            ReaderLease lease(*this);
            sqlite::Connection& conn = lease.conn;
            Statement s(conn,
                        "SELECT id, user_id, name, created_at, last_used_at FROM api_tokens "
                        "WHERE token_hash = ?");
            s.Bind(1, token_hash);
            BEACON_TRY(row, s.Step());
            if (!row) return Error{core::ErrorCode::kUnauthorized, "unknown API token"};
            t = Token{s.Int(0), s.Int(1), s.Text(2), s.Int(3), s.Int(4)};
        }
        // last_used_at is kept to the minute: a write on every request would serialise reads.
        auto now = core::NowMillis();
        if (now - t.last_used_at > 60'000) {
            std::lock_guard lock(writer_.mu);
            sqlite::Connection& conn = writer_;
            Statement u(conn, "UPDATE api_tokens SET last_used_at = ? WHERE id = ?");
            u.Bind(1, now).Bind(2, t.id);
            // Bookkeeping only: a failed write (disk full) never makes a valid token invalid.
            if (u.Run().ok()) t.last_used_at = now;
        }
        return t;
    }
    Result<std::vector<Token>> ListTokens(std::int64_t user_id) override {
        ReaderLease lease(*this);
        sqlite::Connection& conn = lease.conn;
        Statement s(conn,
                    "SELECT id, user_id, name, created_at, last_used_at FROM api_tokens "
                    "WHERE user_id = ? ORDER BY id");
        s.Bind(1, user_id);
        std::vector<Token> out;
        for (;;) {
            BEACON_TRY(row, s.Step());
            if (!row) break;
            out.push_back(Token{s.Int(0), s.Int(1), s.Text(2), s.Int(3), s.Int(4)});
        }
        return out;
    }
    Status DeleteToken(std::int64_t user_id, std::int64_t token_id) override {
        std::lock_guard lock(writer_.mu);
        sqlite::Connection& conn = writer_;
        Statement s(conn, "DELETE FROM api_tokens WHERE id = ? AND user_id = ?");
        s.Bind(1, token_id).Bind(2, user_id);
        BEACON_CHECK(s.Run());
        if (sqlite3_changes(conn.db) == 0) return Error::NotFound("no API token " + std::to_string(token_id));
        return {};
    }

    // ---- jobs -------------------------------------------------------------------------------
    Result<core::Job> CreateJob(std::int64_t user_id, const core::GenerateRequest& r) override {
        std::lock_guard lock(writer_.mu);
        sqlite::Connection& conn = writer_;
        auto now = core::NowMillis();
        Statement s(conn,
                    "INSERT INTO jobs(user_id, prompt_text, title, style, voice, language, "
                    "duration_target, output_preset, produce_preview, status, created_at, "
                    "updated_at) VALUES(?,?,?,?,?,?,?,?,?, 'queued', ?, ?)");
        s.Bind(1, user_id).Bind(2, r.prompt).Bind(3, r.title).Bind(4, r.style).Bind(5, r.voice);
        s.Bind(6, r.language).Bind(7, r.duration_target).Bind(8, r.output_preset);
        s.Bind(9, r.produce_preview).Bind(10, now).Bind(11, now);
        BEACON_CHECK(s.Run());
        return JobById(conn, sqlite3_last_insert_rowid(conn.db));
    }
    Result<core::Job> CreateJobOfKind(std::int64_t user_id, const std::string& kind,
                                      const core::Json& params,
                                      const core::GenerateRequest& r) override {
        std::lock_guard lock(writer_.mu);
        sqlite::Connection& conn = writer_;
        auto now = core::NowMillis();
        Statement s(conn,
                    "INSERT INTO jobs(user_id, prompt_text, title, style, voice, language, "
                    "duration_target, output_preset, produce_preview, status, created_at, "
                    "updated_at, kind, params) VALUES(?,?,?,?,?,?,?,?,?, 'queued', ?, ?, ?, ?)");
        s.Bind(1, user_id).Bind(2, r.prompt).Bind(3, r.title).Bind(4, r.style).Bind(5, r.voice);
        s.Bind(6, r.language).Bind(7, r.duration_target).Bind(8, r.output_preset);
        s.Bind(9, r.produce_preview).Bind(10, now).Bind(11, now).Bind(12, kind);
        s.Bind(13, params.dump());
        BEACON_CHECK(s.Run());
        return JobById(conn, sqlite3_last_insert_rowid(conn.db));
    }
    Result<Batch> CreateBatch(std::int64_t user_id, const std::string& name, int max_parallel,
                              const std::vector<core::GenerateRequest>& items) override {
        std::lock_guard lock(writer_.mu);
        sqlite::Connection& conn = writer_;
        std::int64_t batch_id = 0;
        BEACON_CHECK(InTransaction(conn, [&]() -> Status {
            auto now = core::NowMillis();
            Statement b(conn,
                        "INSERT INTO batches(user_id, name, max_parallel, created_at) "
                        "VALUES(?,?,?,?)");
            b.Bind(1, user_id).Bind(2, name).Bind(3, static_cast<std::int64_t>(max_parallel));
            b.Bind(4, now);
            BEACON_CHECK(b.Run());
            batch_id = sqlite3_last_insert_rowid(conn.db);
            for (const auto& r : items) {
                Statement s(conn,
                            "INSERT INTO jobs(user_id, prompt_text, title, style, voice, language, "
                            "duration_target, output_preset, produce_preview, status, created_at, "
                            "updated_at, batch_id, priority) "
                            "VALUES(?,?,?,?,?,?,?,?,?, 'queued', ?, ?, ?, 1)");
                s.Bind(1, user_id).Bind(2, r.prompt).Bind(3, r.title).Bind(4, r.style);
                s.Bind(5, r.voice).Bind(6, r.language).Bind(7, r.duration_target);
                s.Bind(8, r.output_preset).Bind(9, r.produce_preview).Bind(10, now);
                s.Bind(11, now).Bind(12, batch_id);
                BEACON_CHECK(s.Run());
            }
            return {};
        }));
        return BatchById(conn, batch_id);
    }
    Result<Batch> GetBatch(std::int64_t id) override {
        ReaderLease lease(*this);
        return BatchById(lease.conn, id);
    }
    Result<std::vector<Batch>> ListBatches(std::int64_t user_id, int limit) override {
        ReaderLease lease(*this);
        sqlite::Connection& conn = lease.conn;
        Statement s(conn, "SELECT id FROM batches WHERE user_id = ? ORDER BY id DESC LIMIT ?");
        s.Bind(1, user_id).Bind(2, static_cast<std::int64_t>(std::clamp(limit, 1, 200)));
        std::vector<std::int64_t> ids;
        for (;;) {
            BEACON_TRY(row, s.Step());
            if (!row) break;
            ids.push_back(s.Int(0));
        }
        std::vector<Batch> out;
        for (auto id : ids) {
            BEACON_TRY(b, BatchById(conn, id));
            out.push_back(std::move(b));
        }
        return out;
    }
    Result<Batch> BatchById(sqlite::Connection& conn, std::int64_t id) {
        Statement s(conn,
                    "SELECT id, user_id, name, max_parallel, created_at FROM batches WHERE id = ?");
        s.Bind(1, id);
        BEACON_TRY(row, s.Step());
        if (!row) return Error::NotFound("no batch " + std::to_string(id));
        Batch b;
        b.id = s.Int(0);
        b.user_id = s.Int(1);
        b.name = s.Text(2);
        b.max_parallel = static_cast<int>(s.Int(3));
        b.created_at = s.Int(4);
        Statement j(conn, "SELECT id, status, progress FROM jobs WHERE batch_id = ? ORDER BY id");
        j.Bind(1, id);
        std::int64_t progress = 0;
        for (;;) {
            BEACON_TRY(more, j.Step());
            if (!more) break;
            b.job_ids.push_back(j.Int(0));
            ++b.counts[j.Text(1)];
            std::string st = j.Text(1);
            progress += st == "completed" || st == "failed" || st == "canceled" ? 100 : j.Int(2);
        }
        if (!b.job_ids.empty()) {
            b.progress = static_cast<int>(progress / static_cast<std::int64_t>(b.job_ids.size()));
        }
        return b;
    }
    Result<core::Job> GetJob(std::int64_t id) override {
        ReaderLease lease(*this);
        sqlite::Connection& conn = lease.conn;
        return JobById(conn, id);
    }
    Result<std::string> JobFingerprint(std::int64_t id) override {
        ReaderLease lease(*this);
        sqlite::Connection& conn = lease.conn;
        Statement s(conn,
                    "SELECT updated_at, (SELECT COALESCE(MAX(id), 0) FROM job_logs WHERE job_id = "
                    "?1), (SELECT COALESCE(MAX(id), 0) FROM assets WHERE job_id = ?1), "
                    "length(stages), status || ':' || progress || ':' || attempts || ':' || "
                    "cancel_requested || ':' || length(preview_url || final_url || thumbnail_url || "
                    "vtt_url || error_log) || ':' || COALESCE(content_id, 0) FROM jobs WHERE id = ?1");
        s.Bind(1, id);
        BEACON_TRY(row, s.Step());
        if (!row) return Error::NotFound("no job " + std::to_string(id));
        return std::to_string(s.Int(0)) + "/" + std::to_string(s.Int(1)) + "/" +
               std::to_string(s.Int(2)) + "/" + std::to_string(s.Int(3)) + "/" + s.Text(4);
    }
    Result<Page<core::Job>> ListJobs(const JobQuery& q) override {
        ReaderLease lease(*this);
        sqlite::Connection& conn = lease.conn;
        int limit = std::clamp(q.limit, 1, 200);
        std::string where = q.state ? " WHERE status = ?" : "";
        Page<core::Job> page;
        {
            Statement c(conn, "SELECT COUNT(*) FROM jobs" + where);
            if (q.state) c.Bind(1, std::string(core::ToString(*q.state)));
            BEACON_TRY(row, c.Step());
            page.total = row ? c.Int(0) : 0;
        }
        Statement s(conn, std::string("SELECT ") + kJobColumns + " FROM jobs" + where +
                             " ORDER BY id DESC LIMIT ? OFFSET ?");
        int i = 1;
        if (q.state) s.Bind(i++, std::string(core::ToString(*q.state)));
        s.Bind(i, limit);
        s.Bind(i + 1, std::max<std::int64_t>(0, q.offset));
        for (;;) {
            BEACON_TRY(row, s.Step());
            if (!row) break;
            page.items.push_back(ReadJob(s));
        }
        return page;
    }
    Result<std::optional<core::Job>> ClaimJob(const std::string& worker_id, core::UnixMillis now,
                                              core::UnixMillis lease_until) override {
        std::lock_guard lock(writer_.mu);
        sqlite::Connection& conn = writer_;
        BEACON_CHECK(sqlite::Exec(conn.db, "BEGIN IMMEDIATE"));
        auto result = ClaimLocked(conn, worker_id, now, lease_until);
        if (!result.ok()) {
            (void)sqlite::Exec(conn.db, "ROLLBACK");
            return result;
        }
        BEACON_CHECK(sqlite::Exec(conn.db, "COMMIT"));
        return result;
    }
    Result<bool> RenewLease(std::int64_t job_id, const std::string& worker_id,
                            core::UnixMillis lease_until) override {
        std::lock_guard lock(writer_.mu);
        sqlite::Connection& conn = writer_;
        Statement s(conn, "UPDATE jobs SET lease_expires = ? WHERE id = ? AND lease_owner = ?");
        s.Bind(1, lease_until).Bind(2, job_id).Bind(3, worker_id);
        BEACON_CHECK(s.Run());
        return sqlite3_changes(conn.db) > 0;
    }
    Result<int> ReleaseLeases(const std::string& owner_prefix) override {
        std::lock_guard lock(writer_.mu);
        sqlite::Connection& conn = writer_;
        Statement s(conn,
                    "UPDATE jobs SET lease_owner = NULL, lease_expires = 0 WHERE "
                    "substr(lease_owner, 1, ?) = ?");
        s.Bind(1, static_cast<std::int64_t>(owner_prefix.size())).Bind(2, owner_prefix);
        BEACON_CHECK(s.Run());
        return sqlite3_changes(conn.db);
    }
    Status UpdateJobProgress(std::int64_t job_id, JobState state, int progress) override {
        std::lock_guard lock(writer_.mu);
        sqlite::Connection& conn = writer_;
        Statement s(conn,
                    "UPDATE jobs SET status = ?, progress = ?, updated_at = ? WHERE id = ? "
                    "AND status NOT IN ('completed','failed','canceled')");
        s.Bind(1, std::string(core::ToString(state))).Bind(2, std::clamp(progress, 0, 100));
        s.Bind(3, core::NowMillis()).Bind(4, job_id);
        return s.Run();
    }
    Status RecordStage(std::int64_t job_id, const std::string& stage, const Json& outputs) override {
        std::lock_guard lock(writer_.mu);
        sqlite::Connection& conn = writer_;
        // One key set in place (json_set): the other stages are neither read nor rewritten, so
        // recording scene after scene stays linear in the number of scenes.
        Statement s(conn, "UPDATE jobs SET stages = json_set(" + std::string(kStagesObject) +
                              ", '$.' || json_quote(?), json(?)), updated_at = ? WHERE id = ?");
        s.Bind(1, stage).Bind(2, outputs.dump()).Bind(3, core::NowMillis()).Bind(4, job_id);
        BEACON_CHECK(s.Run());
        if (sqlite3_changes(conn.db) == 0) return Error::NotFound("no job " + std::to_string(job_id));
        return {};
    }
    Status ForgetStages(std::int64_t job_id, const std::vector<std::string>& stages) override {
        std::lock_guard lock(writer_.mu);
        sqlite::Connection& conn = writer_;
        std::string sql = "UPDATE jobs SET stages = json_remove(" + std::string(kStagesObject);
        for (std::size_t i = 0; i < stages.size(); ++i) sql += ", '$.' || json_quote(?)";
        sql += "), updated_at = ? WHERE id = ?";
        Statement s(conn, sql);
        int i = 1;
        for (const auto& name : stages) s.Bind(i++, name);
        s.Bind(i, core::NowMillis());
        s.Bind(i + 1, job_id);
        BEACON_CHECK(s.Run());
        if (sqlite3_changes(conn.db) == 0) return Error::NotFound("no job " + std::to_string(job_id));
        return {};
    }
    Status SetJobUrls(std::int64_t job_id, const Json& urls) override {
        std::lock_guard lock(writer_.mu);
        sqlite::Connection& conn = writer_;
        static const char* kCols[] = {"preview_url", "final_url", "thumbnail_url", "vtt_url"};
        return InTransaction(conn, [&]() -> Status {
            for (const char* col : kCols) {
                if (!urls.contains(col) || !urls[col].is_string()) continue;
                Statement s(conn, std::string("UPDATE jobs SET ") + col +
                                      " = ?, updated_at = ? WHERE id = ?");
                s.Bind(1, urls[col].get<std::string>()).Bind(2, core::NowMillis()).Bind(3, job_id);
                BEACON_CHECK(s.Run());
            }
            return {};
        });
    }
    Status FinishJob(std::int64_t job_id, JobState final_state,
                     const std::optional<core::Error>& error,
                     std::optional<std::int64_t> content_id) override {
        std::lock_guard lock(writer_.mu);
        sqlite::Connection& conn = writer_;
        Statement s(conn,
                    "UPDATE jobs SET status = ?, progress = CASE WHEN ? THEN 100 ELSE progress END, "
                    "error_log = ?, error_code = ?, content_id = COALESCE(?, content_id), "
                    "lease_owner = NULL, lease_expires = 0, updated_at = ? WHERE id = ?");
        bool completed = final_state == JobState::kCompleted;
        s.Bind(1, std::string(core::ToString(final_state))).Bind(2, completed);
        s.Bind(3, error ? error->message : std::string());
        s.Bind(4, error ? std::string(core::ToString(error->code)) : std::string());
        s.Bind(5, content_id).Bind(6, core::NowMillis()).Bind(7, job_id);
        if (completed) return s.Run();
        // A failed or canceled job's half-composed library row goes with it.
        return InTransaction(conn, [&]() -> Status {
            BEACON_CHECK(s.Run());
            BEACON_TRY(swept, SweepAbandonedLocked(conn));
            (void)swept;
            return {};
        });
    }
    Status RequeueJob(std::int64_t job_id, core::UnixMillis run_after,
                      const std::string& reason) override {
        std::lock_guard lock(writer_.mu);
        sqlite::Connection& conn = writer_;
        Statement s(conn,
                    "UPDATE jobs SET status = 'queued', run_after = ?, error_log = ?, "
                    "lease_owner = NULL, lease_expires = 0, updated_at = ? WHERE id = ?");
        s.Bind(1, run_after).Bind(2, reason).Bind(3, core::NowMillis()).Bind(4, job_id);
        return s.Run();
    }
    Result<core::Job> RequestCancel(std::int64_t job_id) override {
        std::lock_guard lock(writer_.mu);
        sqlite::Connection& conn = writer_;
        BEACON_TRY(job, JobById(conn, job_id));
        if (core::IsTerminal(job.status)) {
            return Error::Conflict("job " + std::to_string(job_id) + " is already " +
                                   std::string(core::ToString(job.status)));
        }
        auto now = core::NowMillis();
        // A job nobody holds is canceled at once; a running one is flagged for its worker.
        Statement s(conn,
                    "UPDATE jobs SET cancel_requested = 1, updated_at = ?, "
                    "status = CASE WHEN lease_owner IS NULL OR lease_expires < ? THEN 'canceled' "
                    "ELSE status END, "
                    "lease_owner = CASE WHEN lease_owner IS NULL OR lease_expires < ? THEN NULL "
                    "ELSE lease_owner END WHERE id = ?");
        s.Bind(1, now).Bind(2, now).Bind(3, now).Bind(4, job_id);
        return InTransaction(conn, [&]() -> Result<core::Job> {
            BEACON_CHECK(s.Run());
            BEACON_TRY(swept, SweepAbandonedLocked(conn));
            (void)swept;
            return JobById(conn, job_id);
        });
    }
    Result<core::Job> RetryJob(std::int64_t job_id) override {
        std::lock_guard lock(writer_.mu);
        sqlite::Connection& conn = writer_;
        BEACON_TRY(job, JobById(conn, job_id));
        if (job.status != JobState::kFailed && job.status != JobState::kCanceled) {
            return Error::Conflict("only failed or canceled jobs can be retried; job " +
                                   std::to_string(job_id) + " is " +
                                   std::string(core::ToString(job.status)));
        }
        Statement s(conn,
                    "UPDATE jobs SET status = 'queued', progress = 0, attempts = 0, run_after = 0, "
                    "cancel_requested = 0, error_log = '', error_code = '', lease_owner = NULL, "
                    "lease_expires = 0, updated_at = ? WHERE id = ?");
        s.Bind(1, core::NowMillis()).Bind(2, job_id);
        BEACON_CHECK(s.Run());
        return JobById(conn, job_id);
    }
    Result<core::Job> ReopenJob(std::int64_t job_id) override {
        std::lock_guard lock(writer_.mu);
        sqlite::Connection& conn = writer_;
        BEACON_TRY(job, JobById(conn, job_id));
        if (!core::IsTerminal(job.status)) {
            return Error::Conflict("job " + std::to_string(job_id) + " is still running");
        }
        Statement s(conn,
                    "UPDATE jobs SET status = 'queued', attempts = 0, run_after = 0, "
                    "cancel_requested = 0, error_log = '', error_code = '', lease_owner = NULL, "
                    "lease_expires = 0, updated_at = ? WHERE id = ?");
        s.Bind(1, core::NowMillis()).Bind(2, job_id);
        BEACON_CHECK(s.Run());
        return JobById(conn, job_id);
    }
    Result<core::JobLogLine> AppendJobLog(std::int64_t job_id, const std::string& stage,
                                          const std::string& level,
                                          const std::string& message) override {
        std::lock_guard lock(writer_.mu);
        sqlite::Connection& conn = writer_;
        core::JobLogLine l{0, job_id, core::NowMillis(), stage, level, message};
        Statement s(conn,
                    "INSERT INTO job_logs(job_id, at, stage, level, message) VALUES(?,?,?,?,?)");
        s.Bind(1, job_id).Bind(2, l.at).Bind(3, stage).Bind(4, level).Bind(5, message);
        BEACON_CHECK(s.Run());
        l.id = sqlite3_last_insert_rowid(conn.db);
        return l;
    }
    Result<std::vector<core::JobLogLine>> GetJobLogs(std::int64_t job_id, std::int64_t after_id,
                                                     int limit) override {
        ReaderLease lease(*this);
        sqlite::Connection& conn = lease.conn;
        Statement s(conn,
                    "SELECT id, job_id, at, stage, level, message FROM job_logs "
                    "WHERE job_id = ? AND id > ? ORDER BY id LIMIT ?");
        s.Bind(1, job_id).Bind(2, after_id).Bind(3, std::clamp(limit, 1, 5000));
        return Logs(s);
    }
    Result<std::vector<core::JobLogLine>> GetRecentJobLogs(std::int64_t job_id, int limit) override {
        ReaderLease lease(*this);
        sqlite::Connection& conn = lease.conn;
        Statement s(conn,
                    "SELECT * FROM (SELECT id, job_id, at, stage, level, message FROM job_logs "
                    "WHERE job_id = ? ORDER BY id DESC LIMIT ?) ORDER BY id");
        s.Bind(1, job_id).Bind(2, std::clamp(limit, 1, 5000));
        return Logs(s);
    }

    // ---- content ----------------------------------------------------------------------------
    Result<core::Content> CreateContent(const core::Content& c) override {
        std::lock_guard lock(writer_.mu);
        sqlite::Connection& conn = writer_;
        auto now = core::NowMillis();
        Statement s(conn,
                    "INSERT INTO content(owner_id, job_id, title, description, prompt, mp4_url, "
                    "hls_url, thumbnail, poster, preview_url, vtt_url, chapters_url, duration, "
                    "languages, published, visibility, transcript, script, entities, created_at, "
                    "updated_at) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
        BindContent(s, c);
        s.Bind(20, now).Bind(21, now);
        BEACON_CHECK(s.Run());
        return ContentById(conn, sqlite3_last_insert_rowid(conn.db));
    }
    Status UpdateContent(const core::Content& c) override {
        std::lock_guard lock(writer_.mu);
        sqlite::Connection& conn = writer_;
        Statement s(conn,
                    "UPDATE content SET owner_id=?, job_id=?, title=?, description=?, prompt=?, "
                    "mp4_url=?, hls_url=?, thumbnail=?, poster=?, preview_url=?, vtt_url=?, "
                    "chapters_url=?, duration=?, languages=?, published=?, visibility=?, "
                    "transcript=?, script=?, entities=?, updated_at=? WHERE id=?");
        BindContent(s, c);
        s.Bind(20, core::NowMillis()).Bind(21, c.id);
        BEACON_CHECK(s.Run());
        if (sqlite3_changes(conn.db) == 0) return Error::NotFound("no content " + std::to_string(c.id));
        return {};
    }
    Result<core::Content> BeginJobContent(std::int64_t job_id, const core::Content& c) override {
        std::lock_guard lock(writer_.mu);
        sqlite::Connection& conn = writer_;
        return InTransaction(conn, [&]() -> Result<core::Content> {
            BEACON_TRY(job, JobById(conn, job_id));
            if (job.content_id) {
                auto mine = ContentById(conn, *job.content_id, /*include_pending=*/true);
                if (mine.ok() || mine.error().code != core::ErrorCode::kNotFound) return mine;
            }
            auto now = core::NowMillis();
            Statement s(conn,
                        "INSERT INTO content(owner_id, job_id, title, description, prompt, "
                        "mp4_url, hls_url, thumbnail, poster, preview_url, vtt_url, chapters_url, "
                        "duration, languages, published, visibility, transcript, script, entities, "
                        "created_at, updated_at, pending) "
                        "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,1)");
            BindContent(s, c);
            s.Bind(20, now).Bind(21, now);
            BEACON_CHECK(s.Run());
            const std::int64_t id = sqlite3_last_insert_rowid(conn.db);
            Statement j(conn, "UPDATE jobs SET content_id = ?, updated_at = ? WHERE id = ?");
            j.Bind(1, id).Bind(2, now).Bind(3, job_id);
            BEACON_CHECK(j.Run());
            return ContentById(conn, id, /*include_pending=*/true);
        });
    }
    Status CompleteJobContent(std::int64_t job_id, const core::Content& c) override {
        std::lock_guard lock(writer_.mu);
        sqlite::Connection& conn = writer_;
        return InTransaction(conn, [&]() -> Status {
            Statement s(conn,
                        "UPDATE content SET owner_id=?, job_id=?, title=?, description=?, "
                        "prompt=?, mp4_url=?, hls_url=?, thumbnail=?, poster=?, preview_url=?, "
                        "vtt_url=?, chapters_url=?, duration=?, languages=?, published=?, "
                        "visibility=?, transcript=?, script=?, entities=?, updated_at=?, "
                        "pending=0 WHERE id=?");
            BindContent(s, c);
            s.Bind(20, core::NowMillis()).Bind(21, c.id);
            BEACON_CHECK(s.Run());
            if (sqlite3_changes(conn.db) == 0) {
                return Error::NotFound("no content " + std::to_string(c.id));
            }
            Statement a(conn, "UPDATE assets SET content_id = ? WHERE job_id = ?");
            a.Bind(1, c.id).Bind(2, job_id);
            return a.Run();
        });
    }
    Result<core::Content> GetContent(std::int64_t id) override {
        ReaderLease lease(*this);
        sqlite::Connection& conn = lease.conn;
        return ContentById(conn, id);
    }
    Result<Page<core::Content>> ListContent(const ContentQuery& q) override {
        ReaderLease lease(*this);
        sqlite::Connection& conn = lease.conn;
        std::string fts = FtsQuery(q.search);
        std::string where = " WHERE pending = 0";
        if (!fts.empty()) where += " AND id IN (SELECT rowid FROM content_fts WHERE content_fts MATCH ?)";
        if (q.published) where += " AND published = ?";
        if (q.visibility) where += " AND visibility = ?";
        if (q.language)
            where += " AND EXISTS (SELECT 1 FROM json_each(content.languages) WHERE value = ?)";
        std::string order = q.sort == "oldest"     ? "created_at ASC, id ASC"
                            : q.sort == "title"    ? "title COLLATE NOCASE ASC, id DESC"
                            : q.sort == "duration" ? "duration DESC, id DESC"
                                                   : "created_at DESC, id DESC";
        auto bind = [&](Statement& s) {
            int i = 1;
            if (!fts.empty()) s.Bind(i++, fts);
            if (q.published) s.Bind(i++, *q.published);
            if (q.visibility) s.Bind(i++, *q.visibility);
            if (q.language) s.Bind(i++, *q.language);
            return i;
        };
        Page<core::Content> page;
        {
            Statement c(conn, "SELECT COUNT(*) FROM content" + where);
            bind(c);
            BEACON_TRY(row, c.Step());
            page.total = row ? c.Int(0) : 0;
        }
        Statement s(conn, std::string("SELECT ") + kContentColumns + " FROM content" + where +
                             " ORDER BY " + order + " LIMIT ? OFFSET ?");
        int i = bind(s);
        s.Bind(i, std::clamp(q.limit, 1, 500));
        s.Bind(i + 1, std::max<std::int64_t>(0, q.offset));
        for (;;) {
            BEACON_TRY(row, s.Step());
            if (!row) break;
            page.items.push_back(ReadContent(s));
        }
        return page;
    }
    Result<core::Content> PatchContent(std::int64_t id, const ContentPatch& p) override {
        std::lock_guard lock(writer_.mu);
        sqlite::Connection& conn = writer_;
        BEACON_TRY(c, ContentById(conn, id));
        if (p.title) c.title = *p.title;
        if (p.description) c.description = *p.description;
        if (p.visibility) c.visibility = *p.visibility;
        if (p.published) c.published = *p.published;
        Statement s(conn,
                    "UPDATE content SET title=?, description=?, visibility=?, published=?, "
                    "updated_at=? WHERE id=?");
        s.Bind(1, c.title).Bind(2, c.description).Bind(3, c.visibility).Bind(4, c.published);
        s.Bind(5, core::NowMillis()).Bind(6, id);
        BEACON_CHECK(s.Run());
        return ContentById(conn, id);
    }
    Status DeleteContent(std::int64_t id) override {
        std::lock_guard lock(writer_.mu);
        sqlite::Connection& conn = writer_;
        return InTransaction(conn, [&] { return DeleteContentLocked(conn, id); });
    }
    Result<int> SweepAbandonedContent() override {
        std::lock_guard lock(writer_.mu);
        sqlite::Connection& conn = writer_;
        return InTransaction(conn, [&] { return SweepAbandonedLocked(conn); });
    }

    Status ScheduleObjectDelete(const std::string& prefix, core::UnixMillis due_at) override {
        std::lock_guard lock(writer_.mu);
        sqlite::Connection& conn = writer_;
        Statement s(conn, "INSERT INTO object_deletes(prefix, due_at) VALUES(?, ?)");
        s.Bind(1, prefix).Bind(2, due_at);
        return s.Run();
    }
    Result<std::vector<std::string>> TakeDueObjectDeletes(core::UnixMillis now) override {
        std::lock_guard lock(writer_.mu);
        sqlite::Connection& conn = writer_;
        return InTransaction(conn, [&]() -> Result<std::vector<std::string>> {
            std::vector<std::string> out;
            Statement s(conn,
                        "SELECT prefix FROM object_deletes WHERE due_at <= ? ORDER BY due_at");
            s.Bind(1, now);
            for (;;) {
                BEACON_TRY(row, s.Step());
                if (!row) break;
                out.push_back(s.Text(0));
            }
            Statement d(conn, "DELETE FROM object_deletes WHERE due_at <= ? AND taken = 1");
            d.Bind(1, now);
            BEACON_CHECK(d.Run());
            Statement again(conn,
                            "UPDATE object_deletes SET taken = 1, due_at = ? WHERE due_at <= ?");
            again.Bind(1, now + kObjectDeleteRetakeMs).Bind(2, now);
            BEACON_CHECK(again.Run());
            return out;
        });
    }

    // ---- assets -----------------------------------------------------------------------------
    Result<core::Asset> AddAsset(const core::Asset& a) override {
        std::lock_guard lock(writer_.mu);
        sqlite::Connection& conn = writer_;
        Statement s(conn,
                    "INSERT INTO assets(job_id, content_id, kind, hash, key, mime, size, engine, "
                    "model, parameters, created_at) VALUES(?,?,?,?,?,?,?,?,?,?,?)");
        s.Bind(1, a.job_id).Bind(2, a.content_id).Bind(3, a.kind).Bind(4, a.hash).Bind(5, a.key);
        s.Bind(6, a.mime).Bind(7, a.size).Bind(8, a.engine).Bind(9, a.model);
        s.Bind(10, a.parameters.dump()).Bind(11, core::NowMillis());
        BEACON_CHECK(s.Run());
        Statement g(conn, std::string("SELECT ") + kAssetColumns + " FROM assets WHERE id = ?");
        g.Bind(1, static_cast<std::int64_t>(sqlite3_last_insert_rowid(conn.db)));
        BEACON_TRY(row, g.Step());
        if (!row) return Error::Internal("asset vanished after insert");
        return ReadAsset(g);
    }
    Result<std::vector<core::Asset>> ListAssetsForJob(std::int64_t job_id) override {
        ReaderLease lease(*this);
        sqlite::Connection& conn = lease.conn;
        return AssetsWhere(conn, "job_id = ?", job_id);
    }
    Result<std::vector<core::Asset>> ListAssetsForContent(std::int64_t content_id) override {
        ReaderLease lease(*this);
        sqlite::Connection& conn = lease.conn;
        return AssetsWhere(conn, "content_id = ?", content_id);
    }
    Result<std::optional<core::Asset>> FindAssetByHash(const std::string& hash) override {
        ReaderLease lease(*this);
        sqlite::Connection& conn = lease.conn;
        Statement s(conn, std::string("SELECT ") + kAssetColumns +
                             " FROM assets WHERE hash = ? ORDER BY id DESC LIMIT 1");
        s.Bind(1, hash);
        BEACON_TRY(row, s.Step());
        if (!row) return std::optional<core::Asset>();
        return std::optional<core::Asset>(ReadAsset(s));
    }
    Status LinkJobAssetsToContent(std::int64_t job_id, std::int64_t content_id) override {
        std::lock_guard lock(writer_.mu);
        sqlite::Connection& conn = writer_;
        Statement s(conn, "UPDATE assets SET content_id = ? WHERE job_id = ?");
        s.Bind(1, content_id).Bind(2, job_id);
        return s.Run();
    }

    // ---- playlists --------------------------------------------------------------------------
    Result<core::Playlist> CreatePlaylist(const core::Playlist& p) override {
        std::lock_guard lock(writer_.mu);
        sqlite::Connection& conn = writer_;
        return CreatePlaylistLocked(conn, p);
    }
    Result<core::Playlist> GetPlaylist(std::int64_t id) override {
        ReaderLease lease(*this);
        sqlite::Connection& conn = lease.conn;
        return PlaylistWhere(conn, "id = ?", id);
    }
    Result<core::Playlist> GetPlaylistBySlug(const std::string& slug) override {
        ReaderLease lease(*this);
        sqlite::Connection& conn = lease.conn;
        return PlaylistWhere(conn, "slug = ?", slug);
    }
    Result<std::vector<core::Playlist>> ListPlaylists() override {
        ReaderLease lease(*this);
        sqlite::Connection& conn = lease.conn;
        Statement s(conn, std::string("SELECT ") + kPlaylistColumns + " FROM playlists ORDER BY id");
        std::vector<core::Playlist> out;
        for (;;) {
            BEACON_TRY(row, s.Step());
            if (!row) break;
            out.push_back(ReadPlaylist(s));
        }
        return out;
    }
    Status UpdatePlaylist(const core::Playlist& p) override {
        std::lock_guard lock(writer_.mu);
        sqlite::Connection& conn = writer_;
        Statement s(conn,
                    "UPDATE playlists SET title=?, items=?, loop_mode=?, active=?, "
                    "scheduled_slots=?, inserts=?, updated_at=? WHERE id=?");
        s.Bind(1, p.title).Bind(2, Json(p.items).dump()).Bind(3, p.loop_mode).Bind(4, p.active);
        s.Bind(5, p.scheduled_slots.dump()).Bind(6, p.inserts.dump());
        s.Bind(7, core::NowMillis()).Bind(8, p.id);
        BEACON_CHECK(s.Run());
        if (sqlite3_changes(conn.db) == 0) return Error::NotFound("no playlist " + std::to_string(p.id));
        return {};
    }
    Status DeletePlaylist(std::int64_t id) override {
        std::lock_guard lock(writer_.mu);
        sqlite::Connection& conn = writer_;
        Statement s(conn, "DELETE FROM playlists WHERE id = ?");
        s.Bind(1, id);
        BEACON_CHECK(s.Run());
        if (sqlite3_changes(conn.db) == 0) return Error::NotFound("no playlist " + std::to_string(id));
        return {};
    }
    Result<core::Playlist> DefaultPlaylist() override {
        std::lock_guard lock(writer_.mu);
        sqlite::Connection& conn = writer_;
        auto existing = PlaylistWhere(conn, "slug = ?", std::string("main"));
        if (existing.ok()) return existing;
        core::Playlist p;
        p.slug = "main";
        p.title = "LiveLoop";
        return CreatePlaylistLocked(conn, p);
    }
    Result<std::string> GetChannelState(std::int64_t playlist_id) override {
        ReaderLease lease(*this);
        sqlite::Connection& conn = lease.conn;
        Statement s(conn, "SELECT state FROM playlists WHERE id = ?");
        s.Bind(1, playlist_id);
        BEACON_TRY(row, s.Step());
        if (!row) return Error::NotFound("no playlist " + std::to_string(playlist_id));
        return s.Text(0);
    }
    Status PutChannelState(std::int64_t playlist_id, const std::string& state) override {
        std::lock_guard lock(writer_.mu);
        sqlite::Connection& conn = writer_;
        Statement s(conn, "UPDATE playlists SET state = ? WHERE id = ?");
        s.Bind(1, state).Bind(2, playlist_id);
        BEACON_CHECK(s.Run());
        if (sqlite3_changes(conn.db) == 0) {
            return Error::NotFound("no playlist " + std::to_string(playlist_id));
        }
        return {};
    }

private:
    Result<core::User> UserWhere(sqlite::Connection& conn, const char* cond, const std::string& value) {
        Statement s(conn, std::string("SELECT id, name, password_hash, stream_key, created_at "
                                     "FROM users WHERE ") + cond);
        s.Bind(1, value);
        BEACON_TRY(row, s.Step());
        if (!row) return Error::NotFound("no such user");
        return core::User{s.Int(0), s.Text(1), s.Text(2), s.Text(3), s.Int(4)};
    }
    Result<core::Job> JobById(sqlite::Connection& conn, std::int64_t id) {
        Statement s(conn, std::string("SELECT ") + kJobColumns + " FROM jobs WHERE id = ?");
        s.Bind(1, id);
        BEACON_TRY(row, s.Step());
        if (!row) return Error::NotFound("no job " + std::to_string(id));
        return ReadJob(s);
    }
    Result<std::optional<core::Job>> ClaimLocked(sqlite::Connection& conn, const std::string& worker_id,
                                                 core::UnixMillis now,
                                                 core::UnixMillis lease_until) {
        // Jobs flagged for cancel whose worker died are finished as canceled.
        Statement dead(conn,
                       "UPDATE jobs SET status = 'canceled', lease_owner = NULL, updated_at = ? "
                       "WHERE cancel_requested = 1 AND status NOT IN "
                       "('completed','failed','canceled') AND (lease_owner IS NULL OR "
                       "lease_expires < ?)");
        dead.Bind(1, now).Bind(2, now);
        BEACON_CHECK(dead.Run());
        if (sqlite3_changes(conn.db) > 0) {
            BEACON_TRY(swept, SweepAbandonedLocked(conn));
            (void)swept;
        }
        Statement pick(conn,
                       "SELECT id FROM jobs WHERE status NOT IN ('completed','failed','canceled') "
                       "AND cancel_requested = 0 AND run_after <= ? AND (lease_owner IS NULL OR "
                       "lease_expires < ?) AND (batch_id IS NULL OR NOT EXISTS (SELECT 1 FROM "
                       "batches b WHERE b.id = jobs.batch_id AND b.max_parallel > 0 AND "
                       "(SELECT COUNT(*) FROM jobs r WHERE r.batch_id = b.id AND r.lease_owner "
                       "IS NOT NULL AND r.lease_expires >= ?2 AND r.status NOT IN "
                       "('completed','failed','canceled')) >= b.max_parallel)) "
                       "ORDER BY priority, run_after, id LIMIT 1");
        pick.Bind(1, now).Bind(2, now);
        BEACON_TRY(row, pick.Step());
        if (!row) return std::optional<core::Job>();
        std::int64_t id = pick.Int(0);
        Statement claim(conn,
                        "UPDATE jobs SET lease_owner = ?, lease_expires = ?, "
                        "attempts = attempts + 1, updated_at = ? WHERE id = ?");
        claim.Bind(1, worker_id).Bind(2, lease_until).Bind(3, now).Bind(4, id);
        BEACON_CHECK(claim.Run());
        BEACON_TRY(job, JobById(conn, id));
        return std::optional<core::Job>(std::move(job));
    }
    Result<std::vector<core::JobLogLine>> Logs(Statement& s) {
        std::vector<core::JobLogLine> out;
        for (;;) {
            BEACON_TRY(row, s.Step());
            if (!row) break;
            out.push_back(ReadLog(s));
        }
        return out;
    }
    static void BindContent(Statement& s, const core::Content& c) {
        s.Bind(1, c.owner_id).Bind(2, c.job_id).Bind(3, c.title).Bind(4, c.description);
        s.Bind(5, c.prompt).Bind(6, c.mp4_url).Bind(7, c.hls_url).Bind(8, c.thumbnail);
        s.Bind(9, c.poster).Bind(10, c.preview_url).Bind(11, c.vtt_url).Bind(12, c.chapters_url);
        s.Bind(13, c.duration).Bind(14, Json(c.languages).dump()).Bind(15, c.published);
        s.Bind(16, c.visibility).Bind(17, c.transcript).Bind(18, c.script.dump());
        s.Bind(19, c.entities.dump());
    }
    Status DeleteContentLocked(sqlite::Connection& conn, std::int64_t id) {
        Statement s(conn, "DELETE FROM content WHERE id = ?");
        s.Bind(1, id);
        BEACON_CHECK(s.Run());
        if (sqlite3_changes(conn.db) == 0) return Error::NotFound("no content " + std::to_string(id));
        Statement a(conn, "UPDATE assets SET content_id = NULL WHERE content_id = ?");
        a.Bind(1, id);
        BEACON_CHECK(a.Run());
        Statement j(conn, "UPDATE jobs SET content_id = NULL WHERE content_id = ?");
        j.Bind(1, id);
        return j.Run();
    }
    /// Call inside a transaction.
    Result<int> SweepAbandonedLocked(sqlite::Connection& conn) {
        std::vector<std::int64_t> ids;
        {
            Statement s(conn, std::string("SELECT id FROM content WHERE ") + kAbandonedContent);
            for (;;) {
                BEACON_TRY(row, s.Step());
                if (!row) break;
                ids.push_back(s.Int(0));
            }
        }
        const auto now = core::NowMillis();
        for (std::int64_t id : ids) {
            BEACON_CHECK(DeleteContentLocked(conn, id));
            Statement d(conn, "INSERT INTO object_deletes(prefix, due_at) VALUES(?, ?)");
            d.Bind(1, "library/" + std::to_string(id) + "/").Bind(2, now);
            BEACON_CHECK(d.Run());
        }
        return static_cast<int>(ids.size());
    }
    Result<core::Content> ContentById(sqlite::Connection& conn, std::int64_t id,
                                      bool include_pending = false) {
        Statement s(conn, std::string("SELECT ") + kContentColumns + " FROM content WHERE id = ?" +
                             (include_pending ? "" : " AND pending = 0"));
        s.Bind(1, id);
        BEACON_TRY(row, s.Step());
        if (!row) return Error::NotFound("no content " + std::to_string(id));
        return ReadContent(s);
    }
    Result<std::vector<core::Asset>> AssetsWhere(sqlite::Connection& conn, const char* cond, std::int64_t v) {
        Statement s(conn, std::string("SELECT ") + kAssetColumns + " FROM assets WHERE " + cond +
                             " ORDER BY id");
        s.Bind(1, v);
        std::vector<core::Asset> out;
        for (;;) {
            BEACON_TRY(row, s.Step());
            if (!row) break;
            out.push_back(ReadAsset(s));
        }
        return out;
    }
    template <class V>
    Result<core::Playlist> PlaylistWhere(sqlite::Connection& conn, const char* cond, const V& v) {
        Statement s(conn, std::string("SELECT ") + kPlaylistColumns + " FROM playlists WHERE " + cond);
        s.Bind(1, v);
        BEACON_TRY(row, s.Step());
        if (!row) return Error::NotFound("no such playlist");
        return ReadPlaylist(s);
    }
    Result<core::Playlist> CreatePlaylistLocked(sqlite::Connection& conn, const core::Playlist& p) {
        auto now = core::NowMillis();
        Statement s(conn,
                    "INSERT INTO playlists(slug, title, items, loop_mode, active, hls_endpoint, "
                    "scheduled_slots, inserts, created_at, updated_at) VALUES(?,?,?,?,?,?,?,?,?,?)");
        s.Bind(1, p.slug).Bind(2, p.title).Bind(3, Json(p.items).dump()).Bind(4, p.loop_mode);
        s.Bind(5, p.active).Bind(6, "/live/" + p.slug + "/index.m3u8");
        s.Bind(7, p.scheduled_slots.dump()).Bind(8, p.inserts.dump()).Bind(9, now).Bind(10, now);
        auto st = s.Run();
        if (!st.ok()) {
            if (st.error().code == core::ErrorCode::kConflict) {
                return Error::Conflict("a channel named '" + p.slug + "' already exists");
            }
            return std::move(st).error();
        }
        return PlaylistWhere(conn, "id = ?", static_cast<std::int64_t>(sqlite3_last_insert_rowid(conn.db)));
    }

    /// A read connection held for one call (WAL: readers never wait for the writer).
    struct ReaderLease {
        explicit ReaderLease(SqliteDatabase& self) : conn(self.PickReader()), lock(conn.mu) {}
        sqlite::Connection& conn;
        std::lock_guard<std::mutex> lock;
    };
    sqlite::Connection& PickReader() {
        if (readers_.empty()) return writer_;
        std::size_t n = readers_.size();
        std::size_t start = next_reader_.fetch_add(1) % n;
        for (std::size_t i = 0; i < n; ++i) {
            auto& r = *readers_[(start + i) % n];
            if (r.mu.try_lock()) {
                r.mu.unlock();
                return r;
            }
        }
        return *readers_[start];
    }

public:
    /// Opens `count` read connections on `path` (after migrations ran on the writer).
    core::Status OpenReaders(const std::string& path, int count) {
        for (int i = 0; i < count; ++i) {
            auto r = std::make_unique<sqlite::Connection>();
            if (sqlite3_open_v2(path.c_str(), &r->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX,
                                nullptr) != SQLITE_OK) {
                return Error::Unavailable("cannot open a read connection to " + path, false);
            }
            sqlite3_busy_timeout(r->db, 5000);
            readers_.push_back(std::move(r));
        }
        return {};
    }

private:
    sqlite::Connection writer_;  // every write, serialised (SQLite serialises writers anyway)
    std::vector<std::unique_ptr<sqlite::Connection>> readers_;
    std::atomic<std::size_t> next_reader_{0};
};

}  // namespace

Result<std::unique_ptr<Database>> OpenSqlite(const std::string& path) {
    sqlite3* raw = nullptr;
    int rc = sqlite3_open_v2(path.c_str(), &raw,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                             nullptr);
    if (rc != SQLITE_OK) {
        std::string msg = raw ? sqlite3_errmsg(raw) : "out of memory";
        sqlite3_close_v2(raw);
        return Error::Unavailable("cannot open database " + path + ": " + msg, false);
    }
    sqlite3_busy_timeout(raw, 5000);
    auto db = std::make_unique<SqliteDatabase>(raw);
    BEACON_CHECK(sqlite::Exec(raw, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; "
                                   "PRAGMA foreign_keys = ON;"));
    BEACON_CHECK(db->Migrate());
    BEACON_CHECK(db->OpenReaders(path, 4));
    return std::unique_ptr<Database>(std::move(db));
}

}  // namespace beacon::storage
