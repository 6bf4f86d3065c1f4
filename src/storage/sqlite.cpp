#include "storage/sqlite.hpp"

#include <algorithm>
#include <thread>

namespace beacon::storage::sqlite {

using core::Error;
using core::ErrorCode;

namespace {
/// SQLite result code → Error. Storage that cannot be used right now (full disk, I/O error,
/// read-only file, busy) is kUnavailable, so the API answers 503 saying so; only a bad
/// statement, a broken file or a constraint is anything else.
Error ErrorFor(int code, const std::string& text) {
    switch (code & 0xff) {
        case SQLITE_CONSTRAINT:
            return Error{ErrorCode::kConflict, text, false};
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
            return Error{ErrorCode::kUnavailable, text, true};
        case SQLITE_FULL:
            return Error{ErrorCode::kUnavailable, text + " (disk full)", true};
        case SQLITE_IOERR:
        case SQLITE_READONLY:
        case SQLITE_CANTOPEN:
        case SQLITE_NOMEM:
        case SQLITE_PROTOCOL:
            return Error{ErrorCode::kUnavailable, text, true};
        default:
            return Error{ErrorCode::kInternal, text, false};
    }
}

Error SqliteError(sqlite3* db, const char* what) {
    return ErrorFor(sqlite3_extended_errcode(db),
                    std::string("database: ") + what + ": " + sqlite3_errmsg(db));
}
}  // namespace

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr) !=
        SQLITE_OK) {
        prepare_error_ = sqlite3_errmsg(db);
        stmt_ = nullptr;
    }
}

Connection::~Connection() {
    for (auto& [_, stmt] : statements) sqlite3_finalize(stmt);
    sqlite3_close_v2(db);
}

Statement::Statement(Connection& conn, std::string_view sql) : db_(conn.db), cached_(true) {
    auto it = conn.statements.find(std::string(sql));
    if (it != conn.statements.end()) {
        stmt_ = it->second;
        return;
    }
    if (sqlite3_prepare_v3(conn.db, sql.data(), static_cast<int>(sql.size()),
                           SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr) != SQLITE_OK) {
        prepare_error_ = sqlite3_errmsg(conn.db);
        stmt_ = nullptr;
        return;
    }
    conn.statements.emplace(std::string(sql), stmt_);
}

Statement::~Statement() {
    if (cached_) {
        if (stmt_) {
            sqlite3_reset(stmt_);
            sqlite3_clear_bindings(stmt_);
        }
    } else {
        sqlite3_finalize(stmt_);
    }
}

Statement& Statement::Bind(int i, std::int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
}
Statement& Statement::Bind(int i, double v) {
    sqlite3_bind_double(stmt_, i, v);
    return *this;
}
Statement& Statement::Bind(int i, std::string_view v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
}
Statement& Statement::BindNull(int i) {
    sqlite3_bind_null(stmt_, i);
    return *this;
}

core::Result<bool> Statement::Step() {
    if (!stmt_) return Error::Internal("database: cannot prepare statement: " + prepare_error_);
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return SqliteError(db_, "step");
}

core::Status Statement::Run() {
    for (;;) {
        auto r = Step();
        if (!r.ok()) return std::move(r).error();
        if (!*r) return {};
    }
}

std::int64_t Statement::Int(int col) const { return sqlite3_column_int64(stmt_, col); }
double Statement::Double(int col) const { return sqlite3_column_double(stmt_, col); }
std::string Statement::Text(int col) const {
    const unsigned char* t = sqlite3_column_text(stmt_, col);
    return t ? std::string(reinterpret_cast<const char*>(t),
                           static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)))
             : std::string();
}
bool Statement::IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
std::optional<std::int64_t> Statement::OptInt(int col) const {
    if (IsNull(col)) return std::nullopt;
    return Int(col);
}

core::Status Exec(sqlite3* db, std::string_view sql) {
    char* err = nullptr;
    std::string s(sql);
    if (int rc = sqlite3_exec(db, s.c_str(), nullptr, nullptr, &err); rc != SQLITE_OK) {
        std::string msg = err ? err : sqlite3_errstr(rc);
        sqlite3_free(err);
        return ErrorFor(rc, "database: " + msg);
    }
    return {};
}

core::Status ExecSetUp(sqlite3* db, std::string_view sql, std::chrono::milliseconds patience) {
    const auto give_up = std::chrono::steady_clock::now() + patience;
    std::chrono::milliseconds pause{1};
    for (;;) {
        auto st = Exec(db, sql);
        const int code = sqlite3_errcode(db) & 0xff;
        if (st.ok() || (code != SQLITE_BUSY && code != SQLITE_LOCKED) ||
            std::chrono::steady_clock::now() + pause > give_up) {
            return st;
        }
        std::this_thread::sleep_for(pause);
        pause = std::min(pause * 2, std::chrono::milliseconds(50));
    }
}

}  // namespace beacon::storage::sqlite
