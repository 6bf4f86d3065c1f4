// PostgreSQL backend: users, login sessions and API tokens (storage::AccountStore).
#include "storage/postgres_backend.hpp"

namespace beacon::storage::postgres_backend {

Result<core::User> PostgresDatabase::GetOrCreateUser(const std::string& name) {
    Lease lease(*this);
    BEACON_CHECK(lease.conn.Query(
        "INSERT INTO users(name, created_at) VALUES($1, $2) ON CONFLICT (name) DO NOTHING",
        Params().Add(name).Add(core::NowMillis())));
    return UserWhere(lease.conn, "name = $1", name);
}

Result<core::User> PostgresDatabase::GetUserById(std::int64_t id) {
    Lease lease(*this);
    return UserWhere(lease.conn, "id = $1::bigint", std::to_string(id));
}

Result<core::User> PostgresDatabase::GetUserByName(const std::string& name) {
    Lease lease(*this);
    return UserWhere(lease.conn, "name = $1", name);
}

Result<core::User> PostgresDatabase::GetUserByStreamKey(const std::string& key) {
    if (key.empty()) return Error::NotFound("no such stream key");
    Lease lease(*this);
    return UserWhere(lease.conn, "stream_key = $1", key);
}

Status PostgresDatabase::SetPasswordHash(std::int64_t user_id, const std::string& hash) {
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

Status PostgresDatabase::SetStreamKey(std::int64_t user_id, const std::string& key) {
    Lease lease(*this);
    BEACON_CHECK(lease.conn.Query("UPDATE users SET stream_key = $1 WHERE id = $2",
                                  Params().Add(key).Add(user_id)));
    return {};
}

Result<std::int64_t> PostgresDatabase::CountUsersWithPassword() {
    Lease lease(*this);
    BEACON_TRY(r, lease.conn.Query("SELECT COUNT(*) FROM users WHERE password_hash <> ''"));
    return r.empty() ? 0 : r.Int(0, 0);
}

Status PostgresDatabase::CreateSession(const std::string& id_hash, std::int64_t user_id,
                                       const std::string& csrf_token, core::UnixMillis expires_at) {
    Lease lease(*this);
    pg::Connection& conn = lease.conn;
    const auto now = core::NowMillis();
    BEACON_CHECK(conn.Query("DELETE FROM sessions WHERE expires_at < $1", Params().Add(now)));
    BEACON_CHECK(
        conn.Query("INSERT INTO sessions(id_hash, user_id, csrf_token, expires_at, created_at) "
                   "VALUES($1, $2, $3, $4, $5)",
                   Params().Add(id_hash).Add(user_id).Add(csrf_token).Add(expires_at).Add(now)));
    return {};
}

Result<AccountStore::Session> PostgresDatabase::GetSession(const std::string& id_hash,
                                                           core::UnixMillis now) {
    Lease lease(*this);
    BEACON_TRY(r, lease.conn.Query("SELECT user_id, csrf_token, expires_at FROM sessions "
                                   "WHERE id_hash = $1 AND expires_at > $2",
                                   Params().Add(id_hash).Add(now)));
    if (r.empty()) return Error{core::ErrorCode::kUnauthorized, "session expired or unknown"};
    return Session{r.Int(0, 0), r.Text(0, 1), r.Int(0, 2)};
}

Status PostgresDatabase::DeleteSession(const std::string& id_hash) {
    Lease lease(*this);
    BEACON_CHECK(
        lease.conn.Query("DELETE FROM sessions WHERE id_hash = $1", Params().Add(id_hash)));
    return {};
}

Result<AccountStore::Token> PostgresDatabase::CreateToken(std::int64_t user_id,
                                                          const std::string& name,
                                                          const std::string& token_hash) {
    Lease lease(*this);
    const auto now = core::NowMillis();
    BEACON_TRY(r, lease.conn.Query("INSERT INTO api_tokens(user_id, name, token_hash, "
                                   "created_at) VALUES($1, $2, $3, $4) RETURNING id",
                                   Params().Add(user_id).Add(name).Add(token_hash).Add(now)));
    return Token{r.Int(0, 0), user_id, name, now, 0};
}

Result<AccountStore::Token> PostgresDatabase::GetTokenByHash(const std::string& token_hash) {
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

Result<std::vector<AccountStore::Token>> PostgresDatabase::ListTokens(std::int64_t user_id) {
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

Status PostgresDatabase::DeleteToken(std::int64_t user_id, std::int64_t token_id) {
    Lease lease(*this);
    BEACON_TRY(r, lease.conn.Query("DELETE FROM api_tokens WHERE id = $1 AND user_id = $2",
                                   Params().Add(token_id).Add(user_id)));
    if (r.affected() == 0) return Error::NotFound("no API token " + std::to_string(token_id));
    return {};
}

Result<core::User> PostgresDatabase::UserWhere(pg::Connection& conn, const char* cond,
                                               const std::string& value) {
    BEACON_TRY(r, conn.Query(std::string("SELECT id, name, password_hash, stream_key, "
                                         "created_at FROM users WHERE ") +
                                 cond,
                             Params().Add(value)));
    if (r.empty()) return Error::NotFound("no such user");
    return core::User{r.Int(0, 0), r.Text(0, 1), r.Text(0, 2), r.Text(0, 3), r.Int(0, 4)};
}

}  // namespace beacon::storage::postgres_backend
