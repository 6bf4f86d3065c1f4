// SQLite backend: users, login sessions and API tokens (storage::AccountStore).
#include "storage/sqlite_backend.hpp"

namespace beacon::storage::sqlite_backend {

Result<core::User> SqliteDatabase::GetOrCreateUser(const std::string& name) {
    std::lock_guard lock(writer_.mu);
    sqlite::Connection& conn = writer_;
    Statement ins(conn, "INSERT OR IGNORE INTO users(name, created_at) VALUES(?, ?)");
    ins.Bind(1, name).Bind(2, core::NowMillis());
    BEACON_CHECK(ins.Run());
    return UserWhere(conn, "name = ?", name);
}

Result<core::User> SqliteDatabase::GetUserById(std::int64_t id) {
    ReaderLease lease(*this);
    sqlite::Connection& conn = lease.conn;
    return UserWhere(conn, "id = ?", std::to_string(id));
}

Result<core::User> SqliteDatabase::GetUserByName(const std::string& name) {
    ReaderLease lease(*this);
    sqlite::Connection& conn = lease.conn;
    return UserWhere(conn, "name = ?", name);
}

Result<core::User> SqliteDatabase::GetUserByStreamKey(const std::string& key) {
    if (key.empty()) return Error::NotFound("no such stream key");
    ReaderLease lease(*this);
    sqlite::Connection& conn = lease.conn;
    return UserWhere(conn, "stream_key = ?", key);
}

Status SqliteDatabase::SetPasswordHash(std::int64_t user_id, const std::string& hash) {
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

Status SqliteDatabase::SetStreamKey(std::int64_t user_id, const std::string& key) {
    std::lock_guard lock(writer_.mu);
    sqlite::Connection& conn = writer_;
    Statement s(conn, "UPDATE users SET stream_key = ? WHERE id = ?");
    s.Bind(1, key).Bind(2, user_id);
    return s.Run();
}

Result<std::int64_t> SqliteDatabase::CountUsersWithPassword() {
    ReaderLease lease(*this);
    sqlite::Connection& conn = lease.conn;
    Statement s(conn, "SELECT COUNT(*) FROM users WHERE password_hash != ''");
    BEACON_TRY(row, s.Step());
    return row ? s.Int(0) : 0;
}

Status SqliteDatabase::CreateSession(const std::string& id_hash, std::int64_t user_id,
                                     const std::string& csrf_token, core::UnixMillis expires_at) {
    std::lock_guard lock(writer_.mu);
    sqlite::Connection& conn = writer_;
    Statement del(conn, "DELETE FROM sessions WHERE expires_at < ?");
    del.Bind(1, core::NowMillis());
    BEACON_CHECK(del.Run());
    Statement s(conn,
                "INSERT INTO sessions(id_hash, user_id, csrf_token, expires_at, created_at) "
                "VALUES(?, ?, ?, ?, ?)");
    s.Bind(1, id_hash)
        .Bind(2, user_id)
        .Bind(3, csrf_token)
        .Bind(4, expires_at)
        .Bind(5, core::NowMillis());
    return s.Run();
}

Result<AccountStore::Session> SqliteDatabase::GetSession(const std::string& id_hash,
                                                         core::UnixMillis now) {
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

Status SqliteDatabase::DeleteSession(const std::string& id_hash) {
    std::lock_guard lock(writer_.mu);
    sqlite::Connection& conn = writer_;
    Statement s(conn, "DELETE FROM sessions WHERE id_hash = ?");
    s.Bind(1, id_hash);
    return s.Run();
}

Result<AccountStore::Token> SqliteDatabase::CreateToken(std::int64_t user_id,
                                                        const std::string& name,
                                                        const std::string& token_hash) {
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

Result<AccountStore::Token> SqliteDatabase::GetTokenByHash(const std::string& token_hash) {
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

Result<std::vector<AccountStore::Token>> SqliteDatabase::ListTokens(std::int64_t user_id) {
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

Status SqliteDatabase::DeleteToken(std::int64_t user_id, std::int64_t token_id) {
    std::lock_guard lock(writer_.mu);
    sqlite::Connection& conn = writer_;
    Statement s(conn, "DELETE FROM api_tokens WHERE id = ? AND user_id = ?");
    s.Bind(1, token_id).Bind(2, user_id);
    BEACON_CHECK(s.Run());
    if (sqlite3_changes(conn.db) == 0)
        return Error::NotFound("no API token " + std::to_string(token_id));
    return {};
}

Result<core::User> SqliteDatabase::UserWhere(sqlite::Connection& conn, const char* cond,
                                             const std::string& value) {
    Statement s(conn, std::string("SELECT id, name, password_hash, stream_key, created_at "
                                  "FROM users WHERE ") +
                          cond);
    s.Bind(1, value);
    BEACON_TRY(row, s.Step());
    if (!row) return Error::NotFound("no such user");
    return core::User{s.Int(0), s.Text(1), s.Text(2), s.Text(3), s.Int(4)};
}

}  // namespace beacon::storage::sqlite_backend
