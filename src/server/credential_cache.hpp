#pragma once
/// Internal: who a credential (API token, session id, stream key) belongs to, remembered in
/// memory so that a request is authenticated without the database. Keys are the credentials'
/// sha256 digests (what the database stores for tokens and sessions), never the secrets.
///
/// Revocation is immediate for changes made through this server: deleting a token, logging
/// out, changing the password and rotating the stream key call the Revoke* methods, and an
/// answer read from the database before a revocation is never stored after it (Put takes the
/// generation read before the lookup). Changes made by another process (e.g. `beacon user
/// set-password`) are seen when an entry is checked against the database again: each entry is
/// trusted for `ttl` after its last check. Thread-safe.
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/model.hpp"

namespace beacon::server {

class CredentialCache {
public:
    using Clock = std::chrono::steady_clock;
    enum class Kind : char { kBearer = 'b', kSession = 's', kStreamKey = 'k' };

    struct Entry {
        std::int64_t user_id = 0;
        std::int64_t token_id = 0;        // bearer tokens
        std::string csrf_token;           // sessions
        core::UnixMillis expires_at = 0;  // sessions (0: no expiry)
        Clock::time_point checked{};      // when the database last confirmed it
        bool refreshing = false;          // a caller was sent to the database for it
    };

    explicit CredentialCache(std::chrono::milliseconds ttl = std::chrono::seconds(1),
                             std::size_t max_entries = 10000);

    /// The entry for a credential digest when it was confirmed less than ttl ago and (for
    /// sessions) has not expired at `wall`. Past the ttl, one caller is sent to the database
    /// (nullopt) while the others keep the entry for up to another ttl, so that many
    /// connections of one client do not all ask the database at the same moment.
    std::optional<Entry> Find(Kind kind, std::string_view digest, Clock::time_point now,
                              core::UnixMillis wall) const;
    /// The current revocation generation: read it before asking the database, hand it to Put.
    std::uint64_t Generation() const;
    /// Remembers what the database said, unless a revocation happened since `generation`.
    void Put(Kind kind, std::string_view digest, Entry entry, std::uint64_t generation);

    /// The database no longer knows this credential (checked again and refused).
    void Forget(Kind kind, std::string_view digest);
    void RevokeToken(std::int64_t user_id, std::int64_t token_id);
    void RevokeUserTokens(std::int64_t user_id);
    void RevokeSession(std::string_view digest);
    void RevokeUserSessions(std::int64_t user_id);
    void RevokeUserStreamKeys(std::int64_t user_id);
    /// Forgets everything (e.g. a change whose reach is unknown).
    void RevokeAll();

private:
    template <class Pred>
    void EraseIf(Pred pred);

    std::chrono::milliseconds ttl_;
    std::size_t max_entries_;
    mutable std::mutex mu_;
    std::uint64_t generation_ = 0;
    mutable std::unordered_map<std::string, Entry> entries_;  // kind character + digest
};

}  // namespace beacon::server
