#include "server/auth.hpp"

#include <algorithm>
#include <vector>

#include <argon2.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "core/hash.hpp"

namespace beacon::server {

core::Status ValidateNewPassword(std::string_view password) {
    std::size_t chars = 0;
    for (unsigned char c : password) chars += (c & 0xC0) != 0x80;
    if (chars < kMinPasswordChars) {
        return core::Error::Invalid("the password must have at least 8 characters");
    }
    if (password.size() > kMaxPasswordBytes) {
        return core::Error::Invalid("the password must not be longer than 1024 bytes");
    }
    return {};
}

namespace {

void RandomBytes(unsigned char* out, std::size_t n) {
    if (RAND_bytes(out, static_cast<int>(n)) != 1) {
        // The OS CSPRNG failing is not an expected condition; continuing would be unsafe.
        std::abort();
    }
}

std::string Base64Url(const unsigned char* data, std::size_t n) {
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    out.reserve((n * 4 + 2) / 3);
    std::size_t i = 0;
    for (; i + 2 < n; i += 3) {
        std::uint32_t v = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
        out += kAlphabet[(v >> 6) & 63];
        out += kAlphabet[v & 63];
    }
    if (n - i == 1) {
        std::uint32_t v = data[i] << 16;
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
    } else if (n - i == 2) {
        std::uint32_t v = (data[i] << 16) | (data[i + 1] << 8);
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
        out += kAlphabet[(v >> 6) & 63];
    }
    return out;
}

}  // namespace

core::Result<std::string> HashPassword(std::string_view password, const PasswordParams& params) {
    if (password.size() > kMaxPasswordBytes) {
        return core::Error::Invalid("the password must not be longer than 1024 bytes");
    }
    unsigned char salt[16];
    RandomBytes(salt, sizeof salt);
    constexpr std::size_t kHashLen = 32;
    std::size_t len = argon2_encodedlen(params.time_cost, params.memory_kib, params.parallelism,
                                        sizeof salt, kHashLen, Argon2_id);
    std::vector<char> encoded(len + 1, '\0');
    int rc = argon2id_hash_encoded(params.time_cost, params.memory_kib, params.parallelism,
                                   password.data(), password.size(), salt, sizeof salt, kHashLen,
                                   encoded.data(), encoded.size());
    if (rc != ARGON2_OK) {
        return core::Error::Internal(std::string("argon2id hashing failed: ") +
                                     argon2_error_message(rc));
    }
    return std::string(encoded.data());
}

bool VerifyPassword(std::string_view password, std::string_view encoded_hash) {
    if (encoded_hash.empty() || password.size() > kMaxPasswordBytes) return false;
    std::string encoded(encoded_hash);  // argon2 wants a NUL-terminated string
    return argon2id_verify(encoded.c_str(), password.data(), password.size()) == ARGON2_OK;
}

std::string RandomToken(std::size_t bytes) {
    std::vector<unsigned char> buf(bytes);
    RandomBytes(buf.data(), buf.size());
    return Base64Url(buf.data(), buf.size());
}

std::string NewApiToken() { return "bcn_" + RandomToken(32); }

// The program's one SHA-256 (digest fetched once; every stream-key request hashes its key).
std::string Sha256Hex(std::string_view data) { return core::Sha256Hex(data); }

LoginThrottle::LoginThrottle(int free_failures, std::chrono::milliseconds base,
                             std::chrono::milliseconds cap, int global_per_minute)
    : free_failures_(free_failures),
      base_(base),
      cap_(cap),
      global_per_minute_(static_cast<std::size_t>(std::max(0, global_per_minute))) {}

std::chrono::milliseconds LoginThrottle::RetryAfter(const std::string& client,
                                                    Clock::time_point now) {
    std::lock_guard lock(mu_);
    Clock::time_point until = now;
    if (global_per_minute_ > 0 && recent_failures_.size() >= global_per_minute_) {
        until = std::max(until, recent_failures_.front() + std::chrono::minutes(1));
    }
    auto it = entries_.find(client);
    if (it != entries_.end()) until = std::max(until, it->second.locked_until);
    if (until <= now) return std::chrono::milliseconds(0);
    return std::chrono::ceil<std::chrono::milliseconds>(until - now);
}

void LoginThrottle::RecordFailure(const std::string& client, Clock::time_point now) {
    std::lock_guard lock(mu_);
    if (entries_.size() > 10'000) {  // forget clients quiet for an hour
        std::erase_if(entries_, [&](const auto& kv) {
            return kv.second.locked_until <= now && now - kv.second.last > std::chrono::hours(1);
        });
    }
    if (global_per_minute_ > 0) {
        recent_failures_.push_back(now);
        while (recent_failures_.size() > global_per_minute_) recent_failures_.pop_front();
    }
    Entry& e = entries_[client];
    ++e.failures;
    e.last = now;
    int over = e.failures - free_failures_;
    if (over >= 0) {
        auto delay = base_ * (std::int64_t{1} << std::min(over, 30));
        e.locked_until = now + std::min<std::chrono::milliseconds>(delay, cap_);
    }
}

void LoginThrottle::RecordSuccess(const std::string& client) {
    std::lock_guard lock(mu_);
    entries_.erase(client);
}

AccountThrottle::AccountThrottle(int free_failures, std::chrono::milliseconds base,
                                 std::chrono::milliseconds cap, std::chrono::hours trusted_for,
                                 std::size_t max_accounts)
    : free_failures_(free_failures),
      base_(base),
      cap_(cap),
      trusted_for_(trusted_for),
      max_accounts_(std::max<std::size_t>(1, max_accounts)) {}

bool AccountThrottle::Trusted(const Entry& e, const std::string& client,
                              Clock::time_point now) const {
    auto it = e.trusted.find(client);
    return it != e.trusted.end() && now - it->second < trusted_for_;
}

std::chrono::milliseconds AccountThrottle::RetryAfter(const std::string& account,
                                                      const std::string& client,
                                                      Clock::time_point now) {
    std::lock_guard lock(mu_);
    auto it = entries_.find(account);
    if (it == entries_.end() || it->second.locked_until <= now) return std::chrono::milliseconds(0);
    if (Trusted(it->second, client, now)) return std::chrono::milliseconds(0);
    return std::chrono::ceil<std::chrono::milliseconds>(it->second.locked_until - now);
}

void AccountThrottle::Prune(Clock::time_point now) {
    if (entries_.size() < max_accounts_) return;
    // Names quiet for an hour with nothing to remember go first.
    std::erase_if(entries_, [&](const auto& kv) {
        return kv.second.locked_until <= now && kv.second.trusted.empty() &&
               now - kv.second.last > std::chrono::hours(1);
    });
    while (entries_.size() >= max_accounts_) {  // still full: drop the longest-quiet name
        auto oldest = entries_.begin();
        for (auto it = entries_.begin(); it != entries_.end(); ++it) {
            if (it->second.last < oldest->second.last) oldest = it;
        }
        entries_.erase(oldest);
    }
}

void AccountThrottle::RecordFailure(const std::string& account, const std::string& client,
                                    Clock::time_point now) {
    std::lock_guard lock(mu_);
    auto it = entries_.find(account);
    if (it == entries_.end()) {
        Prune(now);
        it = entries_.emplace(account, Entry{}).first;
    }
    Entry& e = it->second;
    e.last = now;
    if (Trusted(e, client, now)) return;  // the owner's typos lock nobody out
    ++e.failures;
    int over = e.failures - free_failures_;
    if (over >= 0) {
        auto delay = base_ * (std::int64_t{1} << std::min(over, 30));
        e.locked_until = now + std::min<std::chrono::milliseconds>(delay, cap_);
    }
}

void AccountThrottle::RecordSuccess(const std::string& account, const std::string& client,
                                    Clock::time_point now) {
    std::lock_guard lock(mu_);
    auto it = entries_.find(account);
    if (it == entries_.end()) {
        Prune(now);
        it = entries_.emplace(account, Entry{}).first;
    }
    Entry& e = it->second;
    e.failures = 0;
    e.locked_until = {};
    e.last = now;
    e.trusted[client] = now;
    while (e.trusted.size() > 16) {
        auto oldest = e.trusted.begin();
        for (auto t = e.trusted.begin(); t != e.trusted.end(); ++t) {
            if (t->second < oldest->second) oldest = t;
        }
        e.trusted.erase(oldest);
    }
}

void SpendPasswordCheck(std::string_view password, const PasswordParams& params) {
    (void)HashPassword(password, params);
}

}  // namespace beacon::server
