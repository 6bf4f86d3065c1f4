// SQLite backend: opening, migrations and the read connections; each area lives in its own
// file (sqlite_accounts.cpp, sqlite_jobs.cpp, sqlite_library.cpp, sqlite_channels.cpp).
#include "storage/sqlite_backend.hpp"

namespace beacon::storage {
namespace sqlite_backend {

core::Status SqliteDatabase::Migrate() {
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
                               " is newer than this beacon (" + std::to_string(migrations.size()) +
                               "); upgrade beacon");
    }
    for (std::size_t i = static_cast<std::size_t>(version); i < migrations.size(); ++i) {
        BEACON_CHECK(sqlite::Exec(conn.db, "BEGIN IMMEDIATE"));
        auto st = sqlite::Exec(conn.db, migrations[i]);
        if (st.ok()) st = sqlite::Exec(conn.db, "PRAGMA user_version = " + std::to_string(i + 1));
        if (!st.ok()) {
            (void)sqlite::Exec(conn.db, "ROLLBACK");
            return Error::Internal("migration " + std::to_string(i + 1) +
                                   " failed: " + st.error().message);
        }
        BEACON_CHECK(sqlite::Exec(conn.db, "COMMIT"));
    }
    BEACON_TRY(swept, InTransaction(conn, [&] { return SweepAbandonedLocked(conn); }));
    (void)swept;
    return {};
}

sqlite::Connection& SqliteDatabase::PickReader() {
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

core::Status SqliteDatabase::OpenReaders(const std::string& path, int count) {
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

}  // namespace sqlite_backend

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
    auto db = std::make_unique<sqlite_backend::SqliteDatabase>(raw);
    BEACON_CHECK(sqlite::ExecSetUp(raw,
                                   "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; "
                                   "PRAGMA foreign_keys = ON;"));
    BEACON_CHECK(db->Migrate());
    BEACON_CHECK(db->OpenReaders(path, 4));
    return std::unique_ptr<Database>(std::move(db));
}

}  // namespace beacon::storage
