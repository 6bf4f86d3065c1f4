#pragma once
/// Credentials: argon2id password hashes, random secrets (session ids, CSRF and API tokens),
/// their sha256 digests as stored in the database, and login throttling. Shared by the server
/// and the CLI (`beacon user set-password`, `beacon token create`).
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace beacon::server {

/// argon2id cost parameters. Defaults: 3 passes over 64 MiB, one lane.
struct PasswordParams {
    std::uint32_t time_cost = 3;
    std::uint32_t memory_kib = 64 * 1024;
    std::uint32_t parallelism = 1;
};

inline constexpr std::size_t kMinPasswordChars = 8;
inline constexpr std::size_t kMaxPasswordBytes = 1024;

/// Checks a new password's length (at least 8 characters, at most 1024 bytes).
core::Status ValidateNewPassword(std::string_view password);

/// argon2id encoded hash ("$argon2id$v=19$m=...,t=...,p=...$salt$hash") with a random salt.
core::Result<std::string> HashPassword(std::string_view password, const PasswordParams& params = {});

/// True when password matches an encoded argon2id hash (parameters are read from the hash).
bool VerifyPassword(std::string_view password, std::string_view encoded_hash);

/// `bytes` random bytes from the OS CSPRNG as unpadded base64url.
std::string RandomToken(std::size_t bytes = 32);

/// A new API token for scripts: "bcn_" + 43 base64url characters (256 random bits).
std::string NewApiToken();

/// Lowercase hex sha256 of the input.
std::string Sha256Hex(std::string_view data);

/// What the database stores for an API token or a session id (sha256 hex).
inline std::string HashToken(std::string_view token) { return Sha256Hex(token); }

/// Failed-login throttle per client address: after `free_failures` failures in a row the client
/// is locked out for `base`, doubling with each further failure up to `cap`; a success resets.
/// Beside it a global budget: after `global_per_minute` failures from all addresses together
/// within a minute, every client waits until the oldest of them is a minute old (0: no global
/// budget). Thread-safe.
class LoginThrottle {
public:
    using Clock = std::chrono::steady_clock;
    explicit LoginThrottle(int free_failures = 5,
                           std::chrono::milliseconds base = std::chrono::seconds(1),
                           std::chrono::milliseconds cap = std::chrono::minutes(15),
                           int global_per_minute = 0);
    /// Zero when the client may try now; otherwise how long it must wait.
    std::chrono::milliseconds RetryAfter(const std::string& client, Clock::time_point now);
    void RecordFailure(const std::string& client, Clock::time_point now);
    void RecordSuccess(const std::string& client);

private:
    struct Entry {
        int failures = 0;
        Clock::time_point locked_until{};
        Clock::time_point last{};
    };
    int free_failures_;
    std::chrono::milliseconds base_;
    std::chrono::milliseconds cap_;
    std::size_t global_per_minute_;
    std::mutex mu_;
    std::deque<Clock::time_point> recent_failures_;  // at most global_per_minute_, oldest first
    std::map<std::string, Entry> entries_;
};

}  // namespace beacon::server
