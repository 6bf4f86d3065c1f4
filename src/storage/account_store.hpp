#pragma once
/// Accounts: users, login sessions and API tokens. Every method is thread-safe.
#include <cstdint>
#include <string>
#include <vector>

#include "core/model.hpp"
#include "storage/store_types.hpp"

namespace beacon::storage {

class AccountStore {
public:
    virtual ~AccountStore() = default;

    virtual Result<core::User> GetOrCreateUser(const std::string& name) = 0;
    virtual Result<core::User> GetUserById(std::int64_t id) = 0;
    virtual Result<core::User> GetUserByName(const std::string& name) = 0;
    /// The user whose read-only stream key this is (for IPTV clients); NotFound otherwise.
    virtual Result<core::User> GetUserByStreamKey(const std::string& key) = 0;
    /// Also ends every session of the user.
    virtual Status SetPasswordHash(std::int64_t user_id, const std::string& hash) = 0;
    virtual Status SetStreamKey(std::int64_t user_id, const std::string& key) = 0;
    virtual Result<std::int64_t> CountUsersWithPassword() = 0;
    /// Stores the sha256 of a session id with its expiry; the plain id lives only in the cookie.
    virtual Status CreateSession(const std::string& id_hash, std::int64_t user_id,
                                 const std::string& csrf_token, core::UnixMillis expires_at) = 0;
    struct Session {
        std::int64_t user_id = 0;
        std::string csrf_token;
        core::UnixMillis expires_at = 0;
    };
    /// NotFound for an unknown or expired (expires_at <= now) session.
    virtual Result<Session> GetSession(const std::string& id_hash, core::UnixMillis now) = 0;
    virtual Status DeleteSession(const std::string& id_hash) = 0;
    struct Token {
        std::int64_t id = 0;
        std::int64_t user_id = 0;
        std::string name;
        core::UnixMillis created_at = 0;
        core::UnixMillis last_used_at = 0;
    };
    /// Stores the sha256 of an API token; Conflict when that hash exists.
    virtual Result<Token> CreateToken(std::int64_t user_id, const std::string& name,
                                      const std::string& token_hash) = 0;
    virtual Result<Token> GetTokenByHash(const std::string& token_hash) = 0;
    virtual Result<std::vector<Token>> ListTokens(std::int64_t user_id) = 0;
    /// NotFound when the user has no such token.
    virtual Status DeleteToken(std::int64_t user_id, std::int64_t token_id) = 0;
};

}  // namespace beacon::storage
