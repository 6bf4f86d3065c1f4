#include "storage/postgres_database.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <mutex>
#include <vector>

#include "storage/migrations.hpp"
#include "storage/postgres.hpp"

namespace beacon::storage {

using core::Error;
using core::JobState;
using core::Json;
using pg::Params;
using pg::Rows;

namespace {

constexpr const char* kJobColumns =
    "id, user_id, prompt_text, title, style, voice, language, duration_target, output_preset, "
    "produce_preview, status, progress, created_at, updated_at, preview_url, final_url, "
    "thumbnail_url, vtt_url, error_log, error_code, attempts, run_after, cancel_requested, "
    "content_id, stages, kind, params, batch_id, priority";

Json ParseOr(const std::string& text, Json fallback) {
    Json j = Json::parse(text, nullptr, false);
    return j.is_discarded() ? fallback : j;
}

core::Job ReadJob(const Rows& s, int r) {
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
    j.kind = s.Text(r, 25);
    j.params = ParseOr(s.Text(r, 26), Json::object());
    if (!j.params.is_object()) j.params = Json::object();
    j.batch_id = s.OptInt(r, 27);
    j.priority = static_cast<int>(s.Int(r, 28));
    return j;
}

constexpr const char* kContentColumns =
    "id, owner_id, job_id, title, description, prompt, mp4_url, hls_url, thumbnail, poster, "
    "preview_url, vtt_url, chapters_url, duration, languages, published, visibility, transcript, "
    "script, entities, created_at, updated_at, pending";

core::Content ReadContent(const Rows& s, int r) {
    core::Content c;
    c.id = s.Int(r, 0);
    c.owner_id = s.Int(r, 1);
    c.job_id = s.OptInt(r, 2);
    c.title = s.Text(r, 3);
    c.description = s.Text(r, 4);
    c.prompt = s.Text(r, 5);
    c.mp4_url = s.Text(r, 6);
    c.hls_url = s.Text(r, 7);
    c.thumbnail = s.Text(r, 8);
    c.poster = s.Text(r, 9);
    c.preview_url = s.Text(r, 10);
    c.vtt_url = s.Text(r, 11);
    c.chapters_url = s.Text(r, 12);
    c.duration = s.Double(r, 13);
    Json langs = ParseOr(s.Text(r, 14), Json::array());
    if (langs.is_array()) {
        for (const auto& l : langs) {
            if (l.is_string()) c.languages.push_back(l.get<std::string>());
        }
    }
    c.published = s.Bool(r, 15);
    c.visibility = s.Text(r, 16);
    c.transcript = s.Text(r, 17);
    c.script = ParseOr(s.Text(r, 18), Json::object());
    c.entities = ParseOr(s.Text(r, 19), Json::array());
    c.created_at = s.Int(r, 20);
    c.updated_at = s.Int(r, 21);
    c.pending = s.Bool(r, 22);
    return c;
}

constexpr const char* kPlaylistColumns =
    "id, slug, title, items, loop_mode, active, hls_endpoint, scheduled_slots, inserts, "
    "created_at, updated_at";

core::Playlist ReadPlaylist(const Rows& s, int r) {
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
    p.loop_mode = s.Text(r, 4);
    p.active = s.Bool(r, 5);
    p.hls_endpoint = s.Text(r, 6);
    p.scheduled_slots = ParseOr(s.Text(r, 7), Json::array());
    p.inserts = ParseOr(s.Text(r, 8), Json::array());
    p.created_at = s.Int(r, 9);
    p.updated_at = s.Int(r, 10);
    return p;
}

constexpr const char* kAssetColumns =
    "id, job_id, content_id, kind, hash, key, mime, size, engine, model, parameters, created_at";

core::Asset ReadAsset(const Rows& s, int r) {
    core::Asset a;
    a.id = s.Int(r, 0);
    a.job_id = s.OptInt(r, 1);
    a.content_id = s.OptInt(r, 2);
    a.kind = s.Text(r, 3);
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

std::vector<core::JobLogLine> ReadLogs(const Rows& s) {
    std::vector<core::JobLogLine> out;
    for (int r = 0; r < s.size(); ++r) {
        out.push_back(core::JobLogLine{s.Int(r, 0), s.Int(r, 1), s.Int(r, 2), s.Text(r, 3),
                                       s.Text(r, 4), s.Text(r, 5)});
    }
    return out;
}

/// Turns free text into a safe tsquery: each word becomes a quoted prefix lexeme, AND-ed (the
/// same reading as the SQLite store's FTS5 query). Words are letters and digits only, so no
/// tsquery syntax from user input reaches the parser.
std::string TsQuery(const std::string& text) {
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
constexpr const char* kAbandonedContent =
    "pending AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.content_id = content.id AND "
    "j.status NOT IN ('failed','canceled'))";

constexpr const char* kNotTerminal = "status NOT IN ('completed','failed','canceled')";

/// Lock key for migrations (any constant shared by every Beacon process).
constexpr std::int64_t kMigrationLock = 0x426561636f6e;  // "Beacon"

class PostgresDatabase final : public Database {
public:
    core::Status Connect(const std::string& url, int count) {
        for (int i = 0; i < count; ++i) {
            BEACON_TRY(c, pg::Connection::Open(url));
            pool_.push_back(std::move(c));
        }
        return {};
    }

    core::Status Migrate() {
        Lease lease(*this);
        pg::Connection& conn = lease.conn;
        const auto& migrations = PostgresMigrations();
        BEACON_CHECK(pg::InTransaction(conn, [&]() -> core::Status {
            // Several processes (a server and its workers) may start at once: one migrates,
            // the others wait here and then find the schema current.
            BEACON_CHECK(conn.Query("SELECT pg_advisory_xact_lock($1)", Params().Add(kMigrationLock)));
            BEACON_CHECK(conn.Exec("CREATE TABLE IF NOT EXISTS beacon_schema(version INTEGER NOT NULL)"));
            BEACON_TRY(v, conn.Query("SELECT version FROM beacon_schema"));
            std::int64_t version = 0;
            if (v.empty()) {
                BEACON_CHECK(conn.Exec("INSERT INTO beacon_schema(version) VALUES(0)"));
            } else {
                version = v.Int(0, 0);
            }
            if (version > static_cast<std::int64_t>(migrations.size())) {
                return Error::Internal("database: schema version " + std::to_string(version) +
                                       " is newer than this beacon (" +
                                       std::to_string(migrations.size()) + "); upgrade beacon");
            }
            for (std::size_t i = static_cast<std::size_t>(version); i < migrations.size(); ++i) {
                auto st = conn.Exec(migrations[i]);
                if (!st.ok()) {
                    return Error::Internal("migration " + std::to_string(i + 1) +
                                           " failed: " + st.error().message);
                }
            }
            BEACON_CHECK(conn.Query("UPDATE beacon_schema SET version = $1",
                                    Params().Add(static_cast<std::int64_t>(migrations.size()))));
            return {};
        }));
        BEACON_TRY(swept, pg::InTransaction(conn, [&] { return SweepAbandonedLocked(conn); }));
        (void)swept;
        return {};
    }

    // ---- users ------------------------------------------------------------------------------
    Result<core::User> GetOrCreateUser(const std::string& name) override {
        Lease lease(*this);
        BEACON_CHECK(lease.conn.Query(
            "INSERT INTO users(name, created_at) VALUES($1, $2) ON CONFLICT (name) DO NOTHING",
            Params().Add(name).Add(core::NowMillis())));
        return UserWhere(lease.conn, "name = $1", name);
    }
    Result<core::User> GetUserById(std::int64_t id) override {
        Lease lease(*this);
        return UserWhere(lease.conn, "id = $1::bigint", std::to_string(id));
    }
    Result<core::User> GetUserByName(const std::string& name) override {
        Lease lease(*this);
        return UserWhere(lease.conn, "name = $1", name);
    }
    Result<core::User> GetUserByStreamKey(const std::string& key) override {
        if (key.empty()) return Error::NotFound("no such stream key");
        Lease lease(*this);
        return UserWhere(lease.conn, "stream_key = $1", key);
    }
    Status SetPasswordHash(std::int64_t user_id, const std::string& hash) override {
        Lease lease(*this);
        pg::Connection& conn = lease.conn;
        // A new password ends every existing session: both or neither.
        return pg::InTransaction(conn, [&]() -> Status {
            BEACON_CHECK(conn.Query("UPDATE users SET password_hash = $1 WHERE id = $2",
                                    Params().Add(hash).Add(user_id)));
            BEACON_CHECK(conn.Query("DELETE FROM sessions WHERE user_id = $1", Params().Add(user_id)));
            return {};
        });
    }
    Status SetStreamKey(std::int64_t user_id, const std::string& key) override {
        Lease lease(*this);
        BEACON_CHECK(lease.conn.Query("UPDATE users SET stream_key = $1 WHERE id = $2",
                                      Params().Add(key).Add(user_id)));
        return {};
    }
    Result<std::int64_t> CountUsersWithPassword() override {
        Lease lease(*this);
        BEACON_TRY(r, lease.conn.Query("SELECT COUNT(*) FROM users WHERE password_hash <> ''"));
        return r.empty() ? 0 : r.Int(0, 0);
    }
    Status CreateSession(const std::string& id_hash, std::int64_t user_id,
                         const std::string& csrf_token, core::UnixMillis expires_at) override {
        Lease lease(*this);
        pg::Connection& conn = lease.conn;
        const auto now = core::NowMillis();
        BEACON_CHECK(conn.Query("DELETE FROM sessions WHERE expires_at < $1", Params().Add(now)));
        BEACON_CHECK(conn.Query(
            "INSERT INTO sessions(id_hash, user_id, csrf_token, expires_at, created_at) "
            "VALUES($1, $2, $3, $4, $5)",
            Params().Add(id_hash).Add(user_id).Add(csrf_token).Add(expires_at).Add(now)));
        return {};
    }
    Result<Session> GetSession(const std::string& id_hash, core::UnixMillis now) override {
        Lease lease(*this);
        BEACON_TRY(r, lease.conn.Query("SELECT user_id, csrf_token, expires_at FROM sessions "
                                       "WHERE id_hash = $1 AND expires_at > $2",
                                       Params().Add(id_hash).Add(now)));
        if (r.empty()) return Error{core::ErrorCode::kUnauthorized, "session expired or unknown"};
        return Session{r.Int(0, 0), r.Text(0, 1), r.Int(0, 2)};
    }
    Status DeleteSession(const std::string& id_hash) override {
        Lease lease(*this);
        BEACON_CHECK(lease.conn.Query("DELETE FROM sessions WHERE id_hash = $1", Params().Add(id_hash)));
        return {};
    }
    Result<Token> CreateToken(std::int64_t user_id, const std::string& name,
                              const std::string& token_hash) override {
        Lease lease(*this);
        const auto now = core::NowMillis();
        BEACON_TRY(r, lease.conn.Query("INSERT INTO api_tokens(user_id, name, token_hash, "
                                       "created_at) VALUES($1, $2, $3, $4) RETURNING id",
                                       Params().Add(user_id).Add(name).Add(token_hash).Add(now)));
        return Token{r.Int(0, 0), user_id, name, now, 0};
    }
    Result<Token> GetTokenByHash(const std::string& token_hash) override {
        Lease lease(*this);
        BEACON_TRY(r, lease.conn.Query("SELECT id, user_id, name, created_at, last_used_at FROM "
                                       "api_tokens WHERE token_hash = $1",
                                       Params().Add(token_hash)));
        if (r.empty()) return Error{core::ErrorCode::kUnauthorized, "unknown API token"};
        Token t{r.Int(0, 0), r.Int(0, 1), r.Text(0, 2), r.Int(0, 3), r.Int(0, 4)};
        // last_used_at is kept to the minute; a failed write never makes a valid token invalid.
        const auto now = core::NowMillis();
        if (now - t.last_used_at > 60'000) {
            if (lease.conn
                    .Query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2",
                           Params().Add(now).Add(t.id))
                    .ok()) {
                t.last_used_at = now;
            }
        }
        return t;
    }
    Result<std::vector<Token>> ListTokens(std::int64_t user_id) override {
        Lease lease(*this);
        BEACON_TRY(r, lease.conn.Query("SELECT id, user_id, name, created_at, last_used_at FROM "
                                       "api_tokens WHERE user_id = $1 ORDER BY id",
                                       Params().Add(user_id)));
        std::vector<Token> out;
        for (int i = 0; i < r.size(); ++i) {
            out.push_back(Token{r.Int(i, 0), r.Int(i, 1), r.Text(i, 2), r.Int(i, 3), r.Int(i, 4)});
        }
        return out;
    }
    Status DeleteToken(std::int64_t user_id, std::int64_t token_id) override {
        Lease lease(*this);
        BEACON_TRY(r, lease.conn.Query("DELETE FROM api_tokens WHERE id = $1 AND user_id = $2",
                                       Params().Add(token_id).Add(user_id)));
        if (r.affected() == 0) return Error::NotFound("no API token " + std::to_string(token_id));
        return {};
    }

    // ---- jobs -------------------------------------------------------------------------------
    Result<core::Job> CreateJob(std::int64_t user_id, const core::GenerateRequest& r) override {
        return CreateJobOfKind(user_id, "generate", Json::object(), r);
    }
    Result<core::Job> CreateJobOfKind(std::int64_t user_id, const std::string& kind,
                                      const core::Json& params,
                                      const core::GenerateRequest& r) override {
        Lease lease(*this);
        const auto now = core::NowMillis();
        BEACON_TRY(rows, lease.conn.Query(
                             std::string("INSERT INTO jobs(user_id, prompt_text, title, style, "
                                         "voice, language, duration_target, output_preset, "
                                         "produce_preview, status, created_at, updated_at, kind, "
                                         "params) VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9,'queued',"
                                         "$10,$10,$11,$12) RETURNING ") +
                                 kJobColumns,
                             Params()
                                 .Add(user_id)
                                 .Add(r.prompt)
                                 .Add(r.title)
                                 .Add(r.style)
                                 .Add(r.voice)
                                 .Add(r.language)
                                 .Add(r.duration_target)
                                 .Add(r.output_preset)
                                 .Add(r.produce_preview)
                                 .Add(now)
                                 .Add(kind)
                                 .Add(params.dump())));
        return ReadJob(rows, 0);
    }
    Result<Batch> CreateBatch(std::int64_t user_id, const std::string& name, int max_parallel,
                              const std::vector<core::GenerateRequest>& items) override {
        Lease lease(*this);
        pg::Connection& conn = lease.conn;
        std::int64_t batch_id = 0;
        BEACON_CHECK(pg::InTransaction(conn, [&]() -> Status {
            const auto now = core::NowMillis();
            BEACON_TRY(b, conn.Query("INSERT INTO batches(user_id, name, max_parallel, created_at) "
                                     "VALUES($1,$2,$3,$4) RETURNING id",
                                     Params().Add(user_id).Add(name).Add(max_parallel).Add(now)));
            batch_id = b.Int(0, 0);
            for (const auto& r : items) {
                BEACON_TRY(j, conn.Query("INSERT INTO jobs(user_id, prompt_text, title, style, "
                                         "voice, language, duration_target, output_preset, "
                                         "produce_preview, status, created_at, updated_at, "
                                         "batch_id, priority) VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9,"
                                         "'queued',$10,$10,$11,1)",
                                         Params()
                                             .Add(user_id)
                                             .Add(r.prompt)
                                             .Add(r.title)
                                             .Add(r.style)
                                             .Add(r.voice)
                                             .Add(r.language)
                                             .Add(r.duration_target)
                                             .Add(r.output_preset)
                                             .Add(r.produce_preview)
                                             .Add(now)
                                             .Add(batch_id)));
                (void)j;
            }
            return {};
        }));
        return BatchById(conn, batch_id);
    }
    Result<Batch> GetBatch(std::int64_t id) override {
        Lease lease(*this);
        return BatchById(lease.conn, id);
    }
    Result<std::vector<Batch>> ListBatches(std::int64_t user_id, int limit) override {
        Lease lease(*this);
        BEACON_TRY(r, lease.conn.Query("SELECT id FROM batches WHERE user_id = $1 ORDER BY id "
                                       "DESC LIMIT $2",
                                       Params().Add(user_id).Add(std::clamp(limit, 1, 200))));
        std::vector<Batch> out;
        for (int i = 0; i < r.size(); ++i) {
            BEACON_TRY(b, BatchById(lease.conn, r.Int(i, 0)));
            out.push_back(std::move(b));
        }
        return out;
    }
    Result<Batch> BatchById(pg::Connection& conn, std::int64_t id) {
        BEACON_TRY(r, conn.Query("SELECT id, user_id, name, max_parallel, created_at FROM batches "
                                 "WHERE id = $1",
                                 Params().Add(id)));
        if (r.empty()) return Error::NotFound("no batch " + std::to_string(id));
        Batch b;
        b.id = r.Int(0, 0);
        b.user_id = r.Int(0, 1);
        b.name = r.Text(0, 2);
        b.max_parallel = static_cast<int>(r.Int(0, 3));
        b.created_at = r.Int(0, 4);
        BEACON_TRY(j, conn.Query("SELECT id, status, progress FROM jobs WHERE batch_id = $1 "
                                 "ORDER BY id",
                                 Params().Add(id)));
        std::int64_t progress = 0;
        for (int i = 0; i < j.size(); ++i) {
            b.job_ids.push_back(j.Int(i, 0));
            std::string st = j.Text(i, 1);
            ++b.counts[st];
            progress += st == "completed" || st == "failed" || st == "canceled" ? 100 : j.Int(i, 2);
        }
        if (!b.job_ids.empty()) {
            b.progress = static_cast<int>(progress / static_cast<std::int64_t>(b.job_ids.size()));
        }
        return b;
    }
    Result<core::Job> GetJob(std::int64_t id) override {
        Lease lease(*this);
        return JobById(lease.conn, id);
    }
    Result<std::string> JobFingerprint(std::int64_t id) override {
        Lease lease(*this);
        BEACON_TRY(r, lease.conn.Query(
                          "SELECT updated_at, (SELECT COALESCE(MAX(id), 0) FROM job_logs WHERE "
                          "job_id = $1), (SELECT COALESCE(MAX(id), 0) FROM assets WHERE job_id = "
                          "$1), length(stages::text), status || ':' || progress || ':' || "
                          "attempts || ':' || cancel_requested || ':' || length(preview_url || "
                          "final_url || thumbnail_url || vtt_url || error_log) || ':' || "
                          "COALESCE(content_id, 0) FROM jobs WHERE id = $1",
                          Params().Add(id)));
        if (r.empty()) return Error::NotFound("no job " + std::to_string(id));
        return r.Text(0, 0) + "/" + r.Text(0, 1) + "/" + r.Text(0, 2) + "/" + r.Text(0, 3) + "/" +
               r.Text(0, 4);
    }
    Result<Page<core::Job>> ListJobs(const JobQuery& q) override {
        Lease lease(*this);
        pg::Connection& conn = lease.conn;
        const int limit = std::clamp(q.limit, 1, 200);
        const std::string state = q.state ? std::string(core::ToString(*q.state)) : "";
        // One statement shape for both cases: an empty state means "any".
        const char* where = " WHERE ($1 = '' OR status = $1)";
        Page<core::Job> page;
        BEACON_TRY(c, conn.Query(std::string("SELECT COUNT(*) FROM jobs") + where,
                                 Params().Add(state)));
        page.total = c.empty() ? 0 : c.Int(0, 0);
        BEACON_TRY(r, conn.Query(std::string("SELECT ") + kJobColumns + " FROM jobs" + where +
                                     " ORDER BY id DESC LIMIT $2 OFFSET $3",
                                 Params().Add(state).Add(limit).Add(
                                     std::max<std::int64_t>(0, q.offset))));
        for (int i = 0; i < r.size(); ++i) page.items.push_back(ReadJob(r, i));
        return page;
    }
    Result<std::optional<core::Job>> ClaimJob(const std::string& worker_id, core::UnixMillis now,
                                              core::UnixMillis lease_until) override {
        Lease lease(*this);
        pg::Connection& conn = lease.conn;
        return pg::InTransaction(conn, [&]() -> Result<std::optional<core::Job>> {
            // Jobs flagged for cancel whose worker died are finished as canceled. SKIP LOCKED:
            // a row another claimer is touching is left to it (no waiting, no deadlock).
            BEACON_TRY(dead, conn.Query(
                                 std::string("UPDATE jobs SET status = 'canceled', lease_owner = "
                                             "NULL, updated_at = $1 WHERE id IN (SELECT id FROM "
                                             "jobs WHERE cancel_requested AND ") +
                                     kNotTerminal +
                                     " AND (lease_owner IS NULL OR lease_expires < $1) FOR "
                                     "UPDATE SKIP LOCKED)",
                                 Params().Add(now)));
            if (dead.affected() > 0) {
                BEACON_TRY(swept, SweepAbandonedLocked(conn));
                (void)swept;
            }
            // The oldest runnable job, locked by this transaction; rows locked by concurrent
            // claimers are skipped, so two workers never take the same job.
            BEACON_TRY(r, conn.Query(
                              std::string("UPDATE jobs SET lease_owner = $1, lease_expires = $2, "
                                          "attempts = attempts + 1, updated_at = $3 WHERE id = "
                                          "(SELECT id FROM jobs WHERE ") +
                                  kNotTerminal +
                                  " AND NOT cancel_requested AND run_after <= $3 AND "
                                  "(lease_owner IS NULL OR lease_expires < $3) AND (batch_id IS "
                                  "NULL OR NOT EXISTS (SELECT 1 FROM batches b WHERE b.id = "
                                  "jobs.batch_id AND b.max_parallel > 0 AND (SELECT COUNT(*) FROM "
                                  "jobs r WHERE r.batch_id = b.id AND r.lease_owner IS NOT NULL "
                                  "AND r.lease_expires >= $3 AND r.status NOT IN "
                                  "('completed','failed','canceled')) >= b.max_parallel)) ORDER BY "
                                  "priority, run_after, id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING " +
                                  kJobColumns,
                              Params().Add(worker_id).Add(lease_until).Add(now)));
            if (r.empty()) return std::optional<core::Job>();
            return std::optional<core::Job>(ReadJob(r, 0));
        });
    }
    Result<bool> RenewLease(std::int64_t job_id, const std::string& worker_id,
                            core::UnixMillis lease_until) override {
        Lease lease(*this);
        BEACON_TRY(r, lease.conn.Query(
                          "UPDATE jobs SET lease_expires = $1 WHERE id = $2 AND lease_owner = $3",
                          Params().Add(lease_until).Add(job_id).Add(worker_id)));
        return r.affected() > 0;
    }
    Result<int> ReleaseLeases(const std::string& owner_prefix) override {
        Lease lease(*this);
        BEACON_TRY(r, lease.conn.Query("UPDATE jobs SET lease_owner = NULL, lease_expires = 0 "
                                       "WHERE starts_with(lease_owner, $1)",
                                       Params().Add(owner_prefix)));
        return static_cast<int>(r.affected());
    }
    Status UpdateJobProgress(std::int64_t job_id, JobState state, int progress) override {
        Lease lease(*this);
        BEACON_CHECK(lease.conn.Query(
            std::string("UPDATE jobs SET status = $1, progress = $2, updated_at = $3 WHERE id = "
                        "$4 AND ") +
                kNotTerminal,
            Params()
                .Add(std::string(core::ToString(state)))
                .Add(std::clamp(progress, 0, 100))
                .Add(core::NowMillis())
                .Add(job_id)));
        return {};
    }
    Status RecordStage(std::int64_t job_id, const std::string& stage, const Json& outputs) override {
        Lease lease(*this);
        // One key merged in place: concurrent stage writers never lose each other's outputs.
        BEACON_TRY(r, lease.conn.Query("UPDATE jobs SET stages = stages || jsonb_build_object("
                                       "$1::text, $2::jsonb), updated_at = $3 WHERE id = $4",
                                       Params().Add(stage).Add(outputs.dump()).Add(
                                           core::NowMillis()).Add(job_id)));
        if (r.affected() == 0) return Error::NotFound("no job " + std::to_string(job_id));
        return {};
    }
    Status ForgetStages(std::int64_t job_id, const std::vector<std::string>& stages) override {
        Lease lease(*this);
        BEACON_TRY(r, lease.conn.Query("UPDATE jobs SET stages = stages - $1::text[], updated_at "
                                       "= $2 WHERE id = $3",
                                       Params().Add(TextArray(stages)).Add(core::NowMillis()).Add(
                                           job_id)));
        if (r.affected() == 0) return Error::NotFound("no job " + std::to_string(job_id));
        return {};
    }
    Status SetJobUrls(std::int64_t job_id, const Json& urls) override {
        Lease lease(*this);
        // NULL keeps a column as it is; one statement, so all of them land or none.
        auto opt = [&](const char* col, Params& p) {
            if (urls.contains(col) && urls[col].is_string()) {
                p.Add(urls[col].get<std::string>());
            } else {
                p.AddNull();
            }
        };
        Params p;
        opt("preview_url", p);
        opt("final_url", p);
        opt("thumbnail_url", p);
        opt("vtt_url", p);
        p.Add(core::NowMillis()).Add(job_id);
        BEACON_CHECK(lease.conn.Query(
            "UPDATE jobs SET preview_url = COALESCE($1, preview_url), final_url = COALESCE($2, "
            "final_url), thumbnail_url = COALESCE($3, thumbnail_url), vtt_url = COALESCE($4, "
            "vtt_url), updated_at = $5 WHERE id = $6",
            p));
        return {};
    }
    Status FinishJob(std::int64_t job_id, JobState final_state,
                     const std::optional<core::Error>& error,
                     std::optional<std::int64_t> content_id) override {
        Lease lease(*this);
        pg::Connection& conn = lease.conn;
        const bool completed = final_state == JobState::kCompleted;
        Params p;
        p.Add(std::string(core::ToString(final_state)))
            .Add(completed)
            .Add(error ? error->message : std::string())
            .Add(error ? std::string(core::ToString(error->code)) : std::string())
            .Add(content_id)
            .Add(core::NowMillis())
            .Add(job_id);
        const char* sql =
            "UPDATE jobs SET status = $1, progress = CASE WHEN $2 THEN 100 ELSE progress END, "
            "error_log = $3, error_code = $4, content_id = COALESCE($5, content_id), "
            "lease_owner = NULL, lease_expires = 0, updated_at = $6 WHERE id = $7";
        if (completed) {
            BEACON_CHECK(conn.Query(sql, p));
            return {};
        }
        // A failed or canceled job's half-composed library row goes with it.
        return pg::InTransaction(conn, [&]() -> Status {
            BEACON_CHECK(conn.Query(sql, p));
            BEACON_TRY(swept, SweepAbandonedLocked(conn));
            (void)swept;
            return {};
        });
    }
    Status RequeueJob(std::int64_t job_id, core::UnixMillis run_after,
                      const std::string& reason) override {
        Lease lease(*this);
        BEACON_CHECK(lease.conn.Query(
            "UPDATE jobs SET status = 'queued', run_after = $1, error_log = $2, lease_owner = "
            "NULL, lease_expires = 0, updated_at = $3 WHERE id = $4",
            Params().Add(run_after).Add(reason).Add(core::NowMillis()).Add(job_id)));
        return {};
    }
    Result<core::Job> RequestCancel(std::int64_t job_id) override {
        Lease lease(*this);
        pg::Connection& conn = lease.conn;
        return pg::InTransaction(conn, [&]() -> Result<core::Job> {
            // The row is locked for the check and the change (no claim slips in between).
            BEACON_TRY(r, conn.Query(std::string("SELECT ") + kJobColumns +
                                         " FROM jobs WHERE id = $1 FOR UPDATE",
                                     Params().Add(job_id)));
            if (r.empty()) return Error::NotFound("no job " + std::to_string(job_id));
            core::Job job = ReadJob(r, 0);
            if (core::IsTerminal(job.status)) {
                return Error::Conflict("job " + std::to_string(job_id) + " is already " +
                                       std::string(core::ToString(job.status)));
            }
            const auto now = core::NowMillis();
            // A job nobody holds is canceled at once; a running one is flagged for its worker.
            BEACON_CHECK(conn.Query(
                "UPDATE jobs SET cancel_requested = true, updated_at = $1, status = CASE WHEN "
                "lease_owner IS NULL OR lease_expires < $1 THEN 'canceled' ELSE status END, "
                "lease_owner = CASE WHEN lease_owner IS NULL OR lease_expires < $1 THEN NULL "
                "ELSE lease_owner END WHERE id = $2",
                Params().Add(now).Add(job_id)));
            BEACON_TRY(swept, SweepAbandonedLocked(conn));
            (void)swept;
            return JobById(conn, job_id);
        });
    }
    Result<core::Job> RetryJob(std::int64_t job_id) override {
        Lease lease(*this);
        pg::Connection& conn = lease.conn;
        // The state guard is in the statement: a concurrent change cannot slip in between.
        BEACON_TRY(r, conn.Query(std::string(
                                     "UPDATE jobs SET status = 'queued', progress = 0, attempts "
                                     "= 0, run_after = 0, cancel_requested = false, error_log = "
                                     "'', error_code = '', lease_owner = NULL, lease_expires = 0, "
                                     "updated_at = $1 WHERE id = $2 AND status IN "
                                     "('failed','canceled') RETURNING ") +
                                     kJobColumns,
                                 Params().Add(core::NowMillis()).Add(job_id)));
        if (!r.empty()) return ReadJob(r, 0);
        BEACON_TRY(job, JobById(conn, job_id));
        return Error::Conflict("only failed or canceled jobs can be retried; job " +
                               std::to_string(job_id) + " is " +
                               std::string(core::ToString(job.status)));
    }
    Result<core::Job> ReopenJob(std::int64_t job_id) override {
        Lease lease(*this);
        pg::Connection& conn = lease.conn;
        BEACON_TRY(r, conn.Query(std::string(
                                     "UPDATE jobs SET status = 'queued', attempts = 0, run_after "
                                     "= 0, cancel_requested = false, error_log = '', error_code "
                                     "= '', lease_owner = NULL, lease_expires = 0, updated_at = "
                                     "$1 WHERE id = $2 AND status IN "
                                     "('completed','failed','canceled') RETURNING ") +
                                     kJobColumns,
                                 Params().Add(core::NowMillis()).Add(job_id)));
        if (!r.empty()) return ReadJob(r, 0);
        BEACON_TRY(job, JobById(conn, job_id));
        return Error::Conflict("job " + std::to_string(job_id) + " is still running");
    }
    Result<core::JobLogLine> AppendJobLog(std::int64_t job_id, const std::string& stage,
                                          const std::string& level,
                                          const std::string& message) override {
        Lease lease(*this);
        core::JobLogLine l{0, job_id, core::NowMillis(), stage, level, message};
        BEACON_TRY(r, lease.conn.Query("INSERT INTO job_logs(job_id, at, stage, level, message) "
                                       "VALUES($1, $2, $3, $4, $5) RETURNING id",
                                       Params().Add(job_id).Add(l.at).Add(stage).Add(level).Add(
                                           message)));
        l.id = r.Int(0, 0);
        return l;
    }
    Result<std::vector<core::JobLogLine>> GetJobLogs(std::int64_t job_id, std::int64_t after_id,
                                                     int limit) override {
        Lease lease(*this);
        BEACON_TRY(r, lease.conn.Query("SELECT id, job_id, at, stage, level, message FROM "
                                       "job_logs WHERE job_id = $1 AND id > $2 ORDER BY id LIMIT $3",
                                       Params().Add(job_id).Add(after_id).Add(
                                           std::clamp(limit, 1, 5000))));
        return ReadLogs(r);
    }
    Result<std::vector<core::JobLogLine>> GetRecentJobLogs(std::int64_t job_id, int limit) override {
        Lease lease(*this);
        BEACON_TRY(r, lease.conn.Query("SELECT * FROM (SELECT id, job_id, at, stage, level, "
                                       "message FROM job_logs WHERE job_id = $1 ORDER BY id DESC "
                                       "LIMIT $2) t ORDER BY id",
                                       Params().Add(job_id).Add(std::clamp(limit, 1, 5000))));
        return ReadLogs(r);
    }

    // ---- content ----------------------------------------------------------------------------
    Result<core::Content> CreateContent(const core::Content& c) override {
        Lease lease(*this);
        Params p = ContentParams(c);
        p.Add(core::NowMillis());
        BEACON_TRY(r, lease.conn.Query(std::string(kInsertContent) + ", false) RETURNING " +
                                           kContentColumns,
                                       p));
        return ReadContent(r, 0);
    }
    Status UpdateContent(const core::Content& c) override {
        Lease lease(*this);
        Params p = ContentParams(c);
        p.Add(core::NowMillis()).Add(c.id);
        BEACON_TRY(r, lease.conn.Query(std::string(kUpdateContent) + " WHERE id = $21", p));
        if (r.affected() == 0) return Error::NotFound("no content " + std::to_string(c.id));
        return {};
    }
    Result<core::Content> BeginJobContent(std::int64_t job_id, const core::Content& c) override {
        Lease lease(*this);
        pg::Connection& conn = lease.conn;
        return pg::InTransaction(conn, [&]() -> Result<core::Content> {
            BEACON_TRY(j, conn.Query("SELECT content_id FROM jobs WHERE id = $1 FOR UPDATE",
                                     Params().Add(job_id)));
            if (j.empty()) return Error::NotFound("no job " + std::to_string(job_id));
            if (auto existing = j.OptInt(0, 0)) {
                auto mine = ContentById(conn, *existing, /*include_pending=*/true);
                if (mine.ok() || mine.error().code != core::ErrorCode::kNotFound) return mine;
            }
            Params p = ContentParams(c);
            p.Add(core::NowMillis());
            BEACON_TRY(r, conn.Query(std::string(kInsertContent) + ", true) RETURNING " +
                                         kContentColumns,
                                     p));
            core::Content row = ReadContent(r, 0);
            BEACON_CHECK(conn.Query("UPDATE jobs SET content_id = $1, updated_at = $2 WHERE id = $3",
                                    Params().Add(row.id).Add(core::NowMillis()).Add(job_id)));
            return row;
        });
    }
    Status CompleteJobContent(std::int64_t job_id, const core::Content& c) override {
        Lease lease(*this);
        pg::Connection& conn = lease.conn;
        return pg::InTransaction(conn, [&]() -> Status {
            Params p = ContentParams(c);
            p.Add(core::NowMillis()).Add(c.id);
            BEACON_TRY(r, conn.Query(std::string(kUpdateContent) + ", pending = false WHERE id = $21",
                                     p));
            if (r.affected() == 0) return Error::NotFound("no content " + std::to_string(c.id));
            BEACON_CHECK(conn.Query("UPDATE assets SET content_id = $1 WHERE job_id = $2",
                                    Params().Add(c.id).Add(job_id)));
            return {};
        });
    }
    Result<core::Content> GetContent(std::int64_t id) override {
        Lease lease(*this);
        return ContentById(lease.conn, id);
    }
    Result<Page<core::Content>> ListContent(const ContentQuery& q) override {
        Lease lease(*this);
        pg::Connection& conn = lease.conn;
        const std::string ts = TsQuery(q.search);
        // One statement shape: an empty search / a NULL filter means "any".
        const char* where =
            " WHERE NOT pending AND ($1 = '' OR search @@ to_tsquery('simple', $1)) AND "
            "($2::boolean IS NULL OR published = $2) AND ($3::text IS NULL OR visibility = $3) "
            "AND ($4::text IS NULL OR languages::jsonb ? $4)";
        auto params = [&] {
            Params p;
            p.Add(ts);
            if (q.published) {
                p.Add(*q.published);
            } else {
                p.AddNull();
            }
            if (q.visibility) {
                p.Add(*q.visibility);
            } else {
                p.AddNull();
            }
            if (q.language) {
                p.Add(*q.language);
            } else {
                p.AddNull();
            }
            return p;
        };
        const std::string order = q.sort == "oldest"     ? "created_at ASC, id ASC"
                                  : q.sort == "title"    ? "lower(title) ASC, id DESC"
                                  : q.sort == "duration" ? "duration DESC, id DESC"
                                                         : "created_at DESC, id DESC";
        Page<core::Content> page;
        BEACON_TRY(c, conn.Query(std::string("SELECT COUNT(*) FROM content") + where, params()));
        page.total = c.empty() ? 0 : c.Int(0, 0);
        Params p = params();
        p.Add(std::clamp(q.limit, 1, 500)).Add(std::max<std::int64_t>(0, q.offset));
        BEACON_TRY(r, conn.Query(std::string("SELECT ") + kContentColumns + " FROM content" +
                                     where + " ORDER BY " + order + " LIMIT $5 OFFSET $6",
                                 p));
        for (int i = 0; i < r.size(); ++i) page.items.push_back(ReadContent(r, i));
        return page;
    }
    Result<core::Content> PatchContent(std::int64_t id, const ContentPatch& p) override {
        Lease lease(*this);
        Params params;
        if (p.title) {
            params.Add(*p.title);
        } else {
            params.AddNull();
        }
        if (p.description) {
            params.Add(*p.description);
        } else {
            params.AddNull();
        }
        if (p.visibility) {
            params.Add(*p.visibility);
        } else {
            params.AddNull();
        }
        if (p.published) {
            params.Add(*p.published);
        } else {
            params.AddNull();
        }
        params.Add(core::NowMillis()).Add(id);
        BEACON_TRY(r, lease.conn.Query(std::string(
                                           "UPDATE content SET title = COALESCE($1, title), "
                                           "description = COALESCE($2, description), visibility "
                                           "= COALESCE($3, visibility), published = "
                                           "COALESCE($4::boolean, published), updated_at = $5 "
                                           "WHERE id = $6 AND NOT pending RETURNING ") +
                                           kContentColumns,
                                       params));
        if (r.empty()) return Error::NotFound("no content " + std::to_string(id));
        return ReadContent(r, 0);
    }
    Status DeleteContent(std::int64_t id) override {
        Lease lease(*this);
        pg::Connection& conn = lease.conn;
        return pg::InTransaction(conn, [&]() -> Status {
            BEACON_TRY(r, conn.Query("DELETE FROM content WHERE id = $1", Params().Add(id)));
            if (r.affected() == 0) return Error::NotFound("no content " + std::to_string(id));
            return UnlinkContent(conn, {id});
        });
    }
    Result<int> SweepAbandonedContent() override {
        Lease lease(*this);
        pg::Connection& conn = lease.conn;
        return pg::InTransaction(conn, [&] { return SweepAbandonedLocked(conn); });
    }

    Status ScheduleObjectDelete(const std::string& prefix, core::UnixMillis due_at) override {
        Lease lease(*this);
        BEACON_CHECK(lease.conn.Query("INSERT INTO object_deletes(prefix, due_at) VALUES($1, $2)",
                                      Params().Add(prefix).Add(due_at)));
        return {};
    }
    Result<std::vector<std::string>> TakeDueObjectDeletes(core::UnixMillis now) override {
        Lease lease(*this);
        pg::Connection& conn = lease.conn;
        return pg::InTransaction(conn, [&]() -> Result<std::vector<std::string>> {
            // Rows another process is taking right now are skipped (it hands them out).
            BEACON_TRY(r, conn.Query("SELECT ctid, prefix, taken FROM object_deletes WHERE "
                                     "due_at <= $1 ORDER BY due_at FOR UPDATE SKIP LOCKED",
                                     Params().Add(now)));
            std::vector<std::string> out;
            std::string forget = "{";
            std::string again = "{";
            for (int i = 0; i < r.size(); ++i) {
                out.push_back(r.Text(i, 1));
                std::string& list = r.Bool(i, 2) ? forget : again;
                if (list.size() > 1) list += ',';
                list += '"' + r.Text(i, 0) + '"';
            }
            forget += '}';
            again += '}';
            BEACON_CHECK(conn.Query("DELETE FROM object_deletes WHERE ctid = ANY($1::tid[])",
                                    Params().Add(forget)));
            BEACON_CHECK(conn.Query("UPDATE object_deletes SET taken = true, due_at = $1 WHERE "
                                    "ctid = ANY($2::tid[])",
                                    Params().Add(now + kObjectDeleteRetakeMs).Add(again)));
            return out;
        });
    }

    // ---- assets -----------------------------------------------------------------------------
    Result<core::Asset> AddAsset(const core::Asset& a) override {
        Lease lease(*this);
        BEACON_TRY(r, lease.conn.Query(std::string("INSERT INTO assets(job_id, content_id, kind, "
                                                   "hash, key, mime, size, engine, model, "
                                                   "parameters, created_at) VALUES($1,$2,$3,$4,"
                                                   "$5,$6,$7,$8,$9,$10,$11) RETURNING ") +
                                           kAssetColumns,
                                       Params()
                                           .Add(a.job_id)
                                           .Add(a.content_id)
                                           .Add(a.kind)
                                           .Add(a.hash)
                                           .Add(a.key)
                                           .Add(a.mime)
                                           .Add(a.size)
                                           .Add(a.engine)
                                           .Add(a.model)
                                           .Add(a.parameters.dump())
                                           .Add(core::NowMillis())));
        return ReadAsset(r, 0);
    }
    Result<std::vector<core::Asset>> ListAssetsForJob(std::int64_t job_id) override {
        Lease lease(*this);
        return AssetsWhere(lease.conn, "job_id = $1", job_id);
    }
    Result<std::vector<core::Asset>> ListAssetsForContent(std::int64_t content_id) override {
        Lease lease(*this);
        return AssetsWhere(lease.conn, "content_id = $1", content_id);
    }
    Result<std::optional<core::Asset>> FindAssetByHash(const std::string& hash) override {
        Lease lease(*this);
        BEACON_TRY(r, lease.conn.Query(std::string("SELECT ") + kAssetColumns +
                                           " FROM assets WHERE hash = $1 ORDER BY id DESC LIMIT 1",
                                       Params().Add(hash)));
        if (r.empty()) return std::optional<core::Asset>();
        return std::optional<core::Asset>(ReadAsset(r, 0));
    }
    Status LinkJobAssetsToContent(std::int64_t job_id, std::int64_t content_id) override {
        Lease lease(*this);
        BEACON_CHECK(lease.conn.Query("UPDATE assets SET content_id = $1 WHERE job_id = $2",
                                      Params().Add(content_id).Add(job_id)));
        return {};
    }

    // ---- playlists --------------------------------------------------------------------------
    Result<core::Playlist> CreatePlaylist(const core::Playlist& p) override {
        Lease lease(*this);
        auto r = InsertPlaylist(lease.conn, p, /*if_absent=*/false);
        if (!r.ok() && r.error().code == core::ErrorCode::kConflict) {
            return Error::Conflict("a channel named '" + p.slug + "' already exists");
        }
        return r;
    }
    Result<core::Playlist> GetPlaylist(std::int64_t id) override {
        Lease lease(*this);
        return PlaylistWhere(lease.conn, "id = $1::bigint", std::to_string(id));
    }
    Result<core::Playlist> GetPlaylistBySlug(const std::string& slug) override {
        Lease lease(*this);
        return PlaylistWhere(lease.conn, "slug = $1", slug);
    }
    Result<std::vector<core::Playlist>> ListPlaylists() override {
        Lease lease(*this);
        BEACON_TRY(r, lease.conn.Query(std::string("SELECT ") + kPlaylistColumns +
                                       " FROM playlists ORDER BY id"));
        std::vector<core::Playlist> out;
        for (int i = 0; i < r.size(); ++i) out.push_back(ReadPlaylist(r, i));
        return out;
    }
    Status UpdatePlaylist(const core::Playlist& p) override {
        Lease lease(*this);
        BEACON_TRY(r, lease.conn.Query(
                          "UPDATE playlists SET title = $1, items = $2, loop_mode = $3, active = "
                          "$4, scheduled_slots = $5, inserts = $6, updated_at = $7 WHERE id = $8",
                          Params()
                              .Add(p.title)
                              .Add(Json(p.items).dump())
                              .Add(p.loop_mode)
                              .Add(p.active)
                              .Add(p.scheduled_slots.dump())
                              .Add(p.inserts.dump())
                              .Add(core::NowMillis())
                              .Add(p.id)));
        if (r.affected() == 0) return Error::NotFound("no playlist " + std::to_string(p.id));
        return {};
    }
    Status DeletePlaylist(std::int64_t id) override {
        Lease lease(*this);
        BEACON_TRY(r, lease.conn.Query("DELETE FROM playlists WHERE id = $1", Params().Add(id)));
        if (r.affected() == 0) return Error::NotFound("no playlist " + std::to_string(id));
        return {};
    }
    Result<core::Playlist> DefaultPlaylist() override {
        Lease lease(*this);
        auto existing = PlaylistWhere(lease.conn, "slug = $1", std::string("main"));
        if (existing.ok() || existing.error().code != core::ErrorCode::kNotFound) return existing;
        core::Playlist p;
        p.slug = "main";
        p.title = "LiveLoop";
        // Two processes may ask at once: one inserts, both read the same row.
        BEACON_CHECK(InsertPlaylist(lease.conn, p, /*if_absent=*/true));
        return PlaylistWhere(lease.conn, "slug = $1", std::string("main"));
    }
    Result<std::string> GetChannelState(std::int64_t playlist_id) override {
        Lease lease(*this);
        BEACON_TRY(r, lease.conn.Query("SELECT state FROM playlists WHERE id = $1",
                                       Params().Add(playlist_id)));
        if (r.empty()) return Error::NotFound("no playlist " + std::to_string(playlist_id));
        return r.Text(0, 0);
    }
    Status PutChannelState(std::int64_t playlist_id, const std::string& state) override {
        Lease lease(*this);
        BEACON_TRY(r, lease.conn.Query("UPDATE playlists SET state = $1 WHERE id = $2",
                                       Params().Add(state).Add(playlist_id)));
        if (r.affected() == 0) return Error::NotFound("no playlist " + std::to_string(playlist_id));
        return {};
    }

private:
    /// INSERT with $1..$19 = ContentParams, $20 = now; the caller appends ", pending)".
    static constexpr const char* kInsertContent =
        "INSERT INTO content(owner_id, job_id, title, description, prompt, mp4_url, hls_url, "
        "thumbnail, poster, preview_url, vtt_url, chapters_url, duration, languages, published, "
        "visibility, transcript, script, entities, created_at, updated_at, pending) "
        "VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$20";
    /// UPDATE with $1..$19 = ContentParams, $20 = now; the caller appends the WHERE ($21 = id).
    static constexpr const char* kUpdateContent =
        "UPDATE content SET owner_id=$1, job_id=$2, title=$3, description=$4, prompt=$5, "
        "mp4_url=$6, hls_url=$7, thumbnail=$8, poster=$9, preview_url=$10, vtt_url=$11, "
        "chapters_url=$12, duration=$13, languages=$14, published=$15, visibility=$16, "
        "transcript=$17, script=$18, entities=$19, updated_at=$20";

    static Params ContentParams(const core::Content& c) {
        Params p;
        p.Add(c.owner_id).Add(c.job_id).Add(c.title).Add(c.description).Add(c.prompt);
        p.Add(c.mp4_url).Add(c.hls_url).Add(c.thumbnail).Add(c.poster).Add(c.preview_url);
        p.Add(c.vtt_url).Add(c.chapters_url).Add(c.duration).Add(Json(c.languages).dump());
        p.Add(c.published).Add(c.visibility).Add(c.transcript).Add(c.script.dump());
        p.Add(c.entities.dump());
        return p;
    }
    /// A PostgreSQL text[] literal.
    static std::string TextArray(const std::vector<std::string>& items) {
        std::string out = "{";
        for (const auto& s : items) {
            if (out.size() > 1) out += ',';
            out += '"';
            for (char c : s) {
                if (c == '"' || c == '\\') out += '\\';
                out += c;
            }
            out += '"';
        }
        return out + "}";
    }

    Result<core::User> UserWhere(pg::Connection& conn, const char* cond, const std::string& value) {
        BEACON_TRY(r, conn.Query(std::string("SELECT id, name, password_hash, stream_key, "
                                             "created_at FROM users WHERE ") +
                                     cond,
                                 Params().Add(value)));
        if (r.empty()) return Error::NotFound("no such user");
        return core::User{r.Int(0, 0), r.Text(0, 1), r.Text(0, 2), r.Text(0, 3), r.Int(0, 4)};
    }
    Result<core::Job> JobById(pg::Connection& conn, std::int64_t id) {
        BEACON_TRY(r, conn.Query(std::string("SELECT ") + kJobColumns + " FROM jobs WHERE id = $1",
                                 Params().Add(id)));
        if (r.empty()) return Error::NotFound("no job " + std::to_string(id));
        return ReadJob(r, 0);
    }
    Result<core::Content> ContentById(pg::Connection& conn, std::int64_t id,
                                      bool include_pending = false) {
        BEACON_TRY(r, conn.Query(std::string("SELECT ") + kContentColumns +
                                     " FROM content WHERE id = $1" +
                                     (include_pending ? "" : " AND NOT pending"),
                                 Params().Add(id)));
        if (r.empty()) return Error::NotFound("no content " + std::to_string(id));
        return ReadContent(r, 0);
    }
    /// After content rows are deleted: their assets and jobs forget them.
    Status UnlinkContent(pg::Connection& conn, const std::vector<std::int64_t>& ids) {
        std::string list = "{";
        for (auto id : ids) {
            if (list.size() > 1) list += ',';
            list += std::to_string(id);
        }
        list += '}';
        BEACON_CHECK(conn.Query("UPDATE assets SET content_id = NULL WHERE content_id = ANY($1::bigint[])",
                                Params().Add(list)));
        BEACON_CHECK(conn.Query("UPDATE jobs SET content_id = NULL WHERE content_id = ANY($1::bigint[])",
                                Params().Add(list)));
        return {};
    }
    /// Call inside a transaction. One DELETE ... RETURNING: two processes sweeping at once each
    /// delete (and schedule the files of) a row at most once.
    Result<int> SweepAbandonedLocked(pg::Connection& conn) {
        BEACON_TRY(r, conn.Query(std::string("DELETE FROM content WHERE ") + kAbandonedContent +
                                 " RETURNING id"));
        if (r.empty()) return 0;
        std::vector<std::int64_t> ids;
        const auto now = core::NowMillis();
        for (int i = 0; i < r.size(); ++i) {
            ids.push_back(r.Int(i, 0));
            BEACON_CHECK(conn.Query("INSERT INTO object_deletes(prefix, due_at) VALUES($1, $2)",
                                    Params().Add("library/" + std::to_string(ids.back()) + "/").Add(now)));
        }
        BEACON_CHECK(UnlinkContent(conn, ids));
        return static_cast<int>(ids.size());
    }
    Result<std::vector<core::Asset>> AssetsWhere(pg::Connection& conn, const char* cond,
                                                 std::int64_t v) {
        BEACON_TRY(r, conn.Query(std::string("SELECT ") + kAssetColumns + " FROM assets WHERE " +
                                     cond + " ORDER BY id",
                                 Params().Add(v)));
        std::vector<core::Asset> out;
        for (int i = 0; i < r.size(); ++i) out.push_back(ReadAsset(r, i));
        return out;
    }
    Result<core::Playlist> PlaylistWhere(pg::Connection& conn, const char* cond,
                                         const std::string& v) {
        BEACON_TRY(r, conn.Query(std::string("SELECT ") + kPlaylistColumns +
                                     " FROM playlists WHERE " + cond,
                                 Params().Add(v)));
        if (r.empty()) return Error::NotFound("no such playlist");
        return ReadPlaylist(r, 0);
    }
    Result<core::Playlist> InsertPlaylist(pg::Connection& conn, const core::Playlist& p,
                                          bool if_absent) {
        const auto now = core::NowMillis();
        BEACON_TRY(r, conn.Query(std::string("INSERT INTO playlists(slug, title, items, "
                                             "loop_mode, active, hls_endpoint, scheduled_slots, "
                                             "inserts, created_at, updated_at) VALUES($1,$2,$3,"
                                             "$4,$5,$6,$7,$8,$9,$9)") +
                                     (if_absent ? " ON CONFLICT (slug) DO NOTHING" : "") +
                                     " RETURNING " + kPlaylistColumns,
                                 Params()
                                     .Add(p.slug)
                                     .Add(p.title)
                                     .Add(Json(p.items).dump())
                                     .Add(p.loop_mode)
                                     .Add(p.active)
                                     .Add("/live/" + p.slug + "/index.m3u8")
                                     .Add(p.scheduled_slots.dump())
                                     .Add(p.inserts.dump())
                                     .Add(now)));
        if (r.empty()) return Error::Conflict("a channel named '" + p.slug + "' already exists");
        return ReadPlaylist(r, 0);
    }

    /// A pooled connection held for one call: a free one when there is one, otherwise waits
    /// for one (round robin).
    struct Lease {
        explicit Lease(PostgresDatabase& self) : conn(self.Pick()), lock(conn.mu, std::adopt_lock) {}
        pg::Connection& conn;
        std::unique_lock<std::mutex> lock;
    };
    pg::Connection& Pick() {
        const std::size_t n = pool_.size();
        const std::size_t start = next_.fetch_add(1) % n;
        for (std::size_t i = 0; i < n; ++i) {
            auto& c = *pool_[(start + i) % n];
            if (c.mu.try_lock()) return c;
        }
        auto& c = *pool_[start];
        c.mu.lock();
        return c;
    }

    std::vector<std::unique_ptr<pg::Connection>> pool_;
    std::atomic<std::size_t> next_{0};
};

}  // namespace

bool IsPostgresUrl(const std::string& url) {
    return url.starts_with("postgresql://") || url.starts_with("postgres://");
}

Result<std::unique_ptr<Database>> OpenPostgres(const std::string& url, int connections) {
    if (!IsPostgresUrl(url)) {
        return Error::Invalid("database url must start with postgresql:// (got '" +
                              pg::RedactUrl(url) + "')");
    }
    auto db = std::make_unique<PostgresDatabase>();
    BEACON_CHECK(db->Connect(url, std::max(1, connections)));
    BEACON_CHECK(db->Migrate());
    return std::unique_ptr<Database>(std::move(db));
}

}  // namespace beacon::storage
