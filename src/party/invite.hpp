#pragma once
/// Party invite tokens: HMAC-SHA256 signed, expiring, scoped to one party. A token is
/// "pi1.<party id>.<expiry unix ms>.<hex signature>"; it grants that party's socket, its
/// description and its media, and nothing else (no other route knows it).
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace beacon::party {

class InviteSigner {
public:
    /// `secret`: at least 32 bytes of key material (Random() makes one per process).
    explicit InviteSigner(std::string secret);
    /// A fresh random secret (parties live in memory, so tokens die with the process).
    static std::string RandomSecret();

    std::string Issue(std::string_view party_id, std::int64_t expires_ms) const;
    /// Ok when `token` was issued for `party_id` and has not expired at `now_ms`;
    /// kUnauthorized otherwise (a token for another party is refused the same way).
    core::Status Check(std::string_view token, std::string_view party_id,
                       std::int64_t now_ms) const;

private:
    std::string Sign(std::string_view party_id, std::int64_t expires_ms) const;
    std::string secret_;
};

}  // namespace beacon::party
