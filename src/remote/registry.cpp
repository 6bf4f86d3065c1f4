#include "remote/registry.hpp"

#include <mutex>

#include "storage/sqlite.hpp"

namespace beacon::remote {

using core::Error;
using storage::sqlite::Statement;

struct Registry::Impl {
    storage::sqlite::Connection conn;
};

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS registration_tokens (
  id INTEGER PRIMARY KEY, name TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL, revoked_at INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS workers (
  id INTEGER PRIMARY KEY, name TEXT NOT NULL, host TEXT NOT NULL,
  registration_id INTEGER NOT NULL REFERENCES registration_tokens(id),
  token_hash TEXT NOT NULL UNIQUE, created_at INTEGER NOT NULL, last_seen INTEGER NOT NULL,
  state TEXT NOT NULL DEFAULT 'idle', current_job INTEGER, jobs_done INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS assignments (
  id INTEGER PRIMARY KEY, worker_id INTEGER NOT NULL REFERENCES workers(id),
  job_id INTEGER NOT NULL, owner TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE,
  state TEXT NOT NULL DEFAULT 'running', claimed_at INTEGER NOT NULL,
  last_seen INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS assignments_running ON assignments(state, last_seen);
)sql";

constexpr const char* kWorkerCols =
    "w.id, w.name, w.host, w.registration_id, w.created_at, w.last_seen, w.state, "
    "w.current_job, w.jobs_done, r.revoked_at FROM workers w JOIN registration_tokens r ON "
    "r.id = w.registration_id";

WorkerRecord ReadWorker(const Statement& s) {
    WorkerRecord w;
    w.id = s.Int(0);
    w.name = s.Text(1);
    w.host = s.Text(2);
    w.registration_id = s.Int(3);
    w.created_at = s.Int(4);
    w.last_seen = s.Int(5);
    w.state = s.Text(6);
    w.current_job = s.OptInt(7);
    w.jobs_done = static_cast<int>(s.Int(8));
    w.revoked = s.Int(9) != 0;
    if (w.revoked) w.state = "revoked";
    return w;
}

constexpr const char* kAssignmentCols =
    "id, worker_id, job_id, owner, state, claimed_at, last_seen FROM assignments";

Assignment ReadAssignment(const Statement& s) {
    Assignment a;
    a.id = s.Int(0);
    a.worker_id = s.Int(1);
    a.job_id = s.Int(2);
    a.owner = s.Text(3);
    a.state = s.Text(4);
    a.claimed_at = s.Int(5);
    a.last_seen = s.Int(6);
    return a;
}

}  // namespace

Registry::Registry(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Registry::~Registry() = default;

core::Result<std::unique_ptr<Registry>> Registry::Open(const std::filesystem::path& file) {
    auto impl = std::make_unique<Impl>();
    if (sqlite3_open_v2(file.c_str(), &impl->conn.db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        nullptr) != SQLITE_OK) {
        return Error::Unavailable("cannot open " + file.string() + ": " +
                                      (impl->conn.db ? sqlite3_errmsg(impl->conn.db) : "no memory"),
                                  false);
    }
    sqlite3_busy_timeout(impl->conn.db, 5000);
    BEACON_CHECK(storage::sqlite::Exec(impl->conn.db, "PRAGMA journal_mode=WAL"));
    BEACON_CHECK(storage::sqlite::Exec(impl->conn.db, "PRAGMA foreign_keys=ON"));
    BEACON_CHECK(storage::sqlite::Exec(impl->conn.db, kSchema));
    return std::unique_ptr<Registry>(new Registry(std::move(impl)));
}

core::Result<RegistrationToken> Registry::CreateRegistrationToken(const std::string& name,
                                                                  const std::string& token_hash) {
    std::lock_guard lock(impl_->conn.mu);
    RegistrationToken t;
    t.name = name;
    t.created_at = core::NowMillis();
    Statement s(impl_->conn,
                "INSERT INTO registration_tokens (name, token_hash, created_at) VALUES (?, ?, ?)");
    s.Bind(1, name).Bind(2, token_hash).Bind(3, t.created_at);
    BEACON_CHECK(s.Run());
    t.id = sqlite3_last_insert_rowid(impl_->conn.db);
    return t;
}

core::Result<std::vector<RegistrationToken>> Registry::ListRegistrationTokens() {
    std::lock_guard lock(impl_->conn.mu);
    Statement s(impl_->conn,
                "SELECT r.id, r.name, r.created_at, r.revoked_at, "
                "(SELECT count(*) FROM workers w WHERE w.registration_id = r.id) "
                "FROM registration_tokens r ORDER BY r.id");
    std::vector<RegistrationToken> out;
    for (;;) {
        BEACON_TRY(row, s.Step());
        if (!row) break;
        RegistrationToken t;
        t.id = s.Int(0);
        t.name = s.Text(1);
        t.created_at = s.Int(2);
        t.revoked_at = s.Int(3);
        t.workers = static_cast<int>(s.Int(4));
        out.push_back(std::move(t));
    }
    return out;
}

core::Status Registry::RevokeRegistrationToken(std::int64_t id) {
    std::lock_guard lock(impl_->conn.mu);
    Statement s(impl_->conn,
                "UPDATE registration_tokens SET revoked_at = ? WHERE id = ? AND revoked_at = 0");
    s.Bind(1, core::NowMillis()).Bind(2, id);
    BEACON_CHECK(s.Run());
    if (sqlite3_changes(impl_->conn.db) == 0) {
        return Error::NotFound("no valid registration token " + std::to_string(id));
    }
    return {};
}

core::Result<RegistrationToken> Registry::FindRegistrationToken(const std::string& token_hash) {
    std::lock_guard lock(impl_->conn.mu);
    Statement s(impl_->conn,
                "SELECT id, name, created_at FROM registration_tokens WHERE token_hash = ? AND "
                "revoked_at = 0");
    s.Bind(1, token_hash);
    BEACON_TRY(row, s.Step());
    if (!row) return Error::NotFound("unknown or revoked registration token");
    RegistrationToken t;
    t.id = s.Int(0);
    t.name = s.Text(1);
    t.created_at = s.Int(2);
    return t;
}

core::Result<WorkerRecord> Registry::AddWorker(const std::string& name, const std::string& host,
                                               std::int64_t registration_id,
                                               const std::string& token_hash) {
    std::lock_guard lock(impl_->conn.mu);
    const auto now = core::NowMillis();
    Statement s(impl_->conn,
                "INSERT INTO workers (name, host, registration_id, token_hash, created_at, "
                "last_seen) VALUES (?, ?, ?, ?, ?, ?)");
    s.Bind(1, name)
        .Bind(2, host)
        .Bind(3, registration_id)
        .Bind(4, token_hash)
        .Bind(5, now)
        .Bind(6, now);
    BEACON_CHECK(s.Run());
    WorkerRecord w;
    w.id = sqlite3_last_insert_rowid(impl_->conn.db);
    w.name = name;
    w.host = host;
    w.registration_id = registration_id;
    w.created_at = w.last_seen = now;
    w.state = "idle";
    return w;
}

core::Result<WorkerRecord> Registry::FindWorker(const std::string& token_hash) {
    std::lock_guard lock(impl_->conn.mu);
    Statement s(impl_->conn, std::string("SELECT ") + kWorkerCols + " WHERE w.token_hash = ?");
    s.Bind(1, token_hash);
    BEACON_TRY(row, s.Step());
    if (!row) return Error::NotFound("unknown worker token");
    WorkerRecord w = ReadWorker(s);
    if (w.revoked) return Error::NotFound("this worker's registration token was revoked");
    return w;
}

core::Result<std::vector<WorkerRecord>> Registry::ListWorkers() {
    std::lock_guard lock(impl_->conn.mu);
    Statement s(impl_->conn, std::string("SELECT ") + kWorkerCols + " ORDER BY w.id");
    std::vector<WorkerRecord> out;
    for (;;) {
        BEACON_TRY(row, s.Step());
        if (!row) break;
        out.push_back(ReadWorker(s));
    }
    return out;
}

core::Status Registry::SetWorkerState(std::int64_t worker_id, const std::string& state,
                                      std::optional<std::int64_t> current_job,
                                      core::UnixMillis now) {
    std::lock_guard lock(impl_->conn.mu);
    Statement s(impl_->conn,
                "UPDATE workers SET state = ?, current_job = ?, last_seen = MAX(last_seen, ?) "
                "WHERE id = ?");
    s.Bind(1, state).Bind(2, current_job).Bind(3, now).Bind(4, worker_id);
    return s.Run();
}

core::Status Registry::TouchWorker(std::int64_t worker_id, core::UnixMillis now) {
    std::lock_guard lock(impl_->conn.mu);
    Statement s(impl_->conn,
                "UPDATE workers SET last_seen = ?, state = CASE WHEN state IN ('silent','stopped') "
                "THEN CASE WHEN current_job IS NULL THEN 'idle' ELSE 'busy' END ELSE state END "
                "WHERE id = ?");
    s.Bind(1, now).Bind(2, worker_id);
    return s.Run();
}

core::Status Registry::CountJobDone(std::int64_t worker_id) {
    std::lock_guard lock(impl_->conn.mu);
    Statement s(impl_->conn, "UPDATE workers SET jobs_done = jobs_done + 1 WHERE id = ?");
    s.Bind(1, worker_id);
    return s.Run();
}

core::Result<Assignment> Registry::AddAssignment(std::int64_t worker_id, std::int64_t job_id,
                                                 const std::string& owner,
                                                 const std::string& token_hash,
                                                 core::UnixMillis now) {
    std::lock_guard lock(impl_->conn.mu);
    Statement s(impl_->conn,
                "INSERT INTO assignments (worker_id, job_id, owner, token_hash, claimed_at, "
                "last_seen) VALUES (?, ?, ?, ?, ?, ?)");
    s.Bind(1, worker_id)
        .Bind(2, job_id)
        .Bind(3, owner)
        .Bind(4, token_hash)
        .Bind(5, now)
        .Bind(6, now);
    BEACON_CHECK(s.Run());
    Assignment a;
    a.id = sqlite3_last_insert_rowid(impl_->conn.db);
    a.worker_id = worker_id;
    a.job_id = job_id;
    a.owner = owner;
    a.state = "running";
    a.claimed_at = a.last_seen = now;
    return a;
}

core::Result<Assignment> Registry::FindAssignment(const std::string& token_hash) {
    std::lock_guard lock(impl_->conn.mu);
    Statement s(impl_->conn, std::string("SELECT ") + kAssignmentCols + " WHERE token_hash = ?");
    s.Bind(1, token_hash);
    BEACON_TRY(row, s.Step());
    if (!row) return Error::NotFound("unknown job token");
    return ReadAssignment(s);
}

core::Status Registry::TouchAssignment(std::int64_t id, core::UnixMillis now) {
    std::lock_guard lock(impl_->conn.mu);
    Statement s(impl_->conn, "UPDATE assignments SET last_seen = ? WHERE id = ?");
    s.Bind(1, now).Bind(2, id);
    return s.Run();
}

core::Status Registry::SetAssignmentState(std::int64_t id, const std::string& state) {
    std::lock_guard lock(impl_->conn.mu);
    Statement s(impl_->conn, "UPDATE assignments SET state = ? WHERE id = ?");
    s.Bind(1, state).Bind(2, id);
    return s.Run();
}

core::Result<std::vector<Assignment>> Registry::SilentAssignments(core::UnixMillis before) {
    std::lock_guard lock(impl_->conn.mu);
    Statement s(impl_->conn, std::string("SELECT ") + kAssignmentCols +
                                 " WHERE state = 'running' AND last_seen < ? ORDER BY id");
    s.Bind(1, before);
    std::vector<Assignment> out;
    for (;;) {
        BEACON_TRY(row, s.Step());
        if (!row) break;
        out.push_back(ReadAssignment(s));
    }
    return out;
}

}  // namespace beacon::remote
