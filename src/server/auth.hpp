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

/// Failed sign-ins per account name, beside LoginThrottle's per address. Keyed by the name
/// asked for, whether or not such an account exists, so that its answers never tell which names
/// exist. After `free_failures` failures in a row the name is locked for `base`, doubling with
/// each further failure up to `cap`; a success resets it. Lockout DoS: an address that signed in
/// to this account within `trusted_for` is not held by the account's lock (only by its own
/// address throttle), and its failures do not count toward it, so someone guessing from
/// elsewhere cannot keep the owner out of the places they usually sign in from. Memory is
/// bounded (`max_accounts` names, 16 trusted addresses each). Thread-safe.
class AccountThrottle {
public:
    using Clock = std::chrono::steady_clock;
    explicit AccountThrottle(int free_failures = 10,
                             std::chrono::milliseconds base = std::chrono::seconds(1),
                             std::chrono::milliseconds cap = std::chrono::minutes(15),
                             std::chrono::hours trusted_for = std::chrono::hours(24 * 30),
                             std::size_t max_accounts = 10000);
    /// Zero when `client` may try to sign in to `account` now; otherwise how long it must wait.
    std::chrono::milliseconds RetryAfter(const std::string& account, const std::string& client,
                                         Clock::time_point now);
    void RecordFailure(const std::string& account, const std::string& client,
                       Clock::time_point now);
    /// Resets the account's failures and trusts `client` for it.
    void RecordSuccess(const std::string& account, const std::string& client,
                       Clock::time_point now);

private:
    struct Entry {
        int failures = 0;
        Clock::time_point locked_until{};
        Clock::time_point last{};
        std::map<std::string, Clock::time_point> trusted;  // address -> last successful sign-in
    };
    bool Trusted(const Entry& e, const std::string& client, Clock::time_point now) const;
    void Prune(Clock::time_point now);

    int free_failures_;
    std::chrono::milliseconds base_;
    std::chrono::milliseconds cap_;
    std::chrono::hours trusted_for_;
    std::size_t max_accounts_;
    std::mutex mu_;
    std::map<std::string, Entry> entries_;
};

/// Costs what VerifyPassword of a real hash with `params` costs (one argon2id run), for a name
/// that has no account: the answer's timing then does not tell whether the name exists.
void SpendPasswordCheck(std::string_view password, const PasswordParams& params);

}  // namespace beacon::server
