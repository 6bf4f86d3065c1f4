#pragma once
/// Short-lived signed access tokens for API clients, beside the opaque API tokens.
///
/// * Access tokens are PASETO v4.public (Ed25519, libsodium): payload {"sub","iat","exp","jti",
///   "fam"} signed with the current key of a key ring, footer {"kid"}, implicit assertion
///   "beacon-access". Checked without the database: signature, expiry, the account's revocation
///   epoch and the revoked refresh families, both held in memory.
/// * Refresh tokens are opaque ("bcr_" + 256 random bits), stored as sha256 digests, single use:
///   each refresh answers a new pair and spends the old one. Presenting a spent one again revokes
///   its whole family (every refresh and access token of that grant).
/// * A family never outlives the credential it was made from: deleting that API token, logging
///   out of that session or changing the password revokes it.
#include <array>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/model.hpp"
#include "core/result.hpp"

namespace beacon::server {

// ---- PASETO v4.public -----------------------------------------------------------------------

/// PASETO's pre-authentication encoding: LE64(count) then LE64(length) || piece for each.
std::string PasetoPae(const std::vector<std::string_view>& pieces);
/// "v4.public." token of `message` signed with a libsodium Ed25519 secret key (64 bytes).
std::string PasetoSignV4Public(std::string_view message, std::string_view footer,
                               std::string_view implicit_assertion,
                               const std::array<unsigned char, 64>& secret_key);
/// The footer of a v4.public token, unverified (to choose the key); an error when malformed.
core::Result<std::string> PasetoFooter(std::string_view token);
/// The message of a v4.public token when its signature (over message, footer and implicit
/// assertion) verifies with `public_key`; Unauthorized otherwise.
core::Result<std::string> PasetoVerifyV4Public(std::string_view token,
                                               std::string_view implicit_assertion,
                                               const std::array<unsigned char, 32>& public_key);

// ---- signing keys ---------------------------------------------------------------------------

/// Ed25519 keys: one signs, the ones it replaced still verify until their tokens expired.
/// ToJson holds secret key material: only ever stored sealed (SecretStore), never logged.
class SigningKeyRing {
public:
    struct Key {
        std::string kid;
        std::array<unsigned char, 64> secret{};
        std::array<unsigned char, 32> pub{};
        std::int64_t created_ms = 0;
        std::int64_t retired_ms = 0;  // 0: current
    };
    static SigningKeyRing Generate(std::int64_t now_ms);
    static core::Result<SigningKeyRing> FromJson(const core::Json& j);
    core::Json ToJson() const;
    /// A new current key; the old one verifies until now + keep_for, older retired ones go.
    void Rotate(std::int64_t now_ms, std::chrono::milliseconds keep_for);
    const Key& current() const { return keys_.front(); }
    /// {"keys":[{"kid","public_key" (base64url),"current"}]}: the keys that still verify.
    core::Json PublicJson(std::int64_t now_ms, std::chrono::milliseconds keep_for) const;
    const Key* Find(std::string_view kid, std::int64_t now_ms,
                    std::chrono::milliseconds keep_for) const;
    std::size_t size() const { return keys_.size(); }

private:
    std::vector<Key> keys_;  // current first
};

// ---- refresh families (persistent) ----------------------------------------------------------

/// Where a family came from: a browser session (its digest) or an opaque API token (its id).
struct FamilySource {
    enum class Kind { kSession, kApiToken };
    Kind kind = Kind::kApiToken;
    std::string ref;  // session digest, or API token id as text ("" in a revocation: all)
};

/// The persistent half: refresh families and tokens (digests only) and per-account epochs.
/// Implemented on SQLite (`beacon.db`) by OpenRefreshStore; tests may use the same on a temp file.
class RefreshStore {
public:
    struct Family {
        std::string id;
        std::int64_t user_id = 0;
        FamilySource source;
        std::int64_t created_ms = 0;
        std::int64_t expires_ms = 0;
        std::int64_t revoked_ms = 0;  // 0: live
        std::string name;
        std::int64_t last_used_ms = 0;  // the last refresh (created_ms until then)
        std::string user_agent;         // the User-Agent that asked for it (at most 200 chars)
    };
    /// A verifying key as every process on the database sees it (no secret).
    struct PublishedKey {
        std::string kid;
        std::string public_key;  // base64url
        std::int64_t created_ms = 0;
        std::int64_t retired_ms = 0;
    };
    struct Token {
        std::string family;
        std::int64_t expires_ms = 0;
        std::int64_t used_ms = 0;  // 0: not spent
    };
    virtual ~RefreshStore() = default;
    virtual core::Status AddFamily(const Family& f) = 0;
    virtual core::Result<Family> GetFamily(const std::string& id) = 0;
    virtual core::Status AddToken(const std::string& digest, const Token& t) = 0;
    virtual core::Result<Token> GetToken(const std::string& digest) = 0;
    /// Marks a token spent; false when it already was (another refresh won the race).
    virtual core::Result<bool> SpendToken(const std::string& digest, std::int64_t now_ms) = 0;
    /// Revokes the matching live families; answers the ids revoked.
    virtual core::Result<std::vector<std::string>> RevokeFamilies(std::int64_t user_id,
                                                                  const std::string& family,
                                                                  const FamilySource* source,
                                                                  std::int64_t now_ms) = 0;
    /// Live families of `user_id` (every account's when 0), oldest first.
    virtual core::Result<std::vector<Family>> ListFamilies(std::int64_t user_id,
                                                           std::int64_t now_ms) = 0;
    /// Families revoked at or after `since_ms` (to rebuild the in-memory list after a restart).
    virtual core::Result<std::vector<std::string>> RevokedSince(std::int64_t since_ms) = 0;
    virtual core::Status SetEpoch(std::int64_t user_id, std::int64_t not_before_ms) = 0;
    virtual core::Result<std::map<std::int64_t, std::int64_t>> Epochs() = 0;
    /// Drops rows of families expired or revoked before `before_ms`.
    virtual core::Status Prune(std::int64_t before_ms) = 0;
    /// Upserts this process's verifying keys (another studio on the same database checks its
    /// tokens with them) and drops keys retired before `drop_retired_before_ms`.
    virtual core::Status PublishKeys(const std::vector<PublishedKey>& keys,
                                     std::int64_t drop_retired_before_ms) = 0;
    virtual core::Result<std::vector<PublishedKey>> PublishedKeys() = 0;
};

/// RefreshStore on storage::ModuleDb (src/server/auth_token_store.cpp): `where` is the studio's
/// SQLite file (beacon.db) or its PostgreSQL URL. Tables auth_token_families,
/// auth_refresh_tokens, auth_token_epochs and auth_public_keys, created when missing.
core::Result<std::unique_ptr<RefreshStore>> OpenRefreshStore(const std::string& where);

// ---- the service ----------------------------------------------------------------------------

struct AccessTokenOptions {
    std::chrono::seconds access_ttl{15 * 60};      // an access token's lifetime
    std::chrono::hours family_ttl{24 * 30};        // a refresh family's absolute lifetime
    std::chrono::hours refresh_idle_ttl{24 * 14};  // a refresh token unused this long expires
    /// How often revocations, epochs and verifying keys are read back from the database (what
    /// another process on the same database did reaches this one within this time).
    std::chrono::milliseconds sync_every{2000};
};

/// What POST /auth/token and /auth/refresh answer. Secrets: never log them.
struct IssuedTokens {
    std::string access_token;
    std::string refresh_token;
    std::int64_t expires_in_s = 0;
    std::string family;
    std::int64_t refresh_expires_ms = 0;
};

struct AccessClaims {
    std::int64_t user_id = 0;
    std::string family;
    std::string jti;
    std::int64_t issued_ms = 0;
    std::int64_t expires_ms = 0;
};

/// Issues, refreshes, verifies and revokes. Verify reads memory only; the rest write the store.
/// `save_keys` stores the key ring sealed (called after a rotation). Thread-safe.
class AccessTokens {
public:
    AccessTokens(SigningKeyRing keys, std::unique_ptr<RefreshStore> store,
                 std::function<core::Status(const SigningKeyRing&)> save_keys,
                 AccessTokenOptions options = {});
    ~AccessTokens();
    AccessTokens(const AccessTokens&) = delete;
    AccessTokens& operator=(const AccessTokens&) = delete;
    /// Publishes this process's verifying keys and loads the epochs, recently revoked families
    /// and every published key (call once before serving).
    core::Status Load(std::int64_t now_ms);
    /// Reads revocations, epochs and published keys from the store again (what other processes
    /// on the same database did). Load does it once; StartSync does it every `sync_every`.
    core::Status Sync(std::int64_t now_ms);
    /// A thread calling Sync every options().sync_every until destruction.
    void StartSync();

    core::Result<IssuedTokens> Issue(std::int64_t user_id, const FamilySource& source,
                                     std::string name, std::int64_t now_ms,
                                     std::string user_agent = {});
    /// Spends `refresh_token` and answers a new pair. A spent token revokes its family.
    core::Result<IssuedTokens> Refresh(std::string_view refresh_token, std::int64_t now_ms);
    /// Who a signed access token names, without the database; Unauthorized when it is not
    /// one of ours, is tampered with, expired or revoked.
    core::Result<AccessClaims> Verify(std::string_view token, std::int64_t now_ms) const;

    /// Revokes the family a refresh token belongs to (any state). Unauthorized when unknown.
    core::Result<std::string> RevokeByRefreshToken(std::string_view refresh_token,
                                                   std::int64_t now_ms);
    /// Revokes one family of `user_id` (NotFound when it is not theirs).
    core::Status RevokeFamily(std::int64_t user_id, const std::string& family, std::int64_t now_ms);
    /// Every family made from this session or API token.
    core::Status RevokeFromSource(std::int64_t user_id, const FamilySource& source,
                                  std::int64_t now_ms);
    /// Every signed token of the account issued until now (access and refresh).
    core::Status RevokeAll(std::int64_t user_id, std::int64_t now_ms);
    /// Live families of `user_id` (every account's when 0).
    core::Result<std::vector<RefreshStore::Family>> Families(std::int64_t user_id,
                                                             std::int64_t now_ms);
    /// Revokes every live family of `user_id` except those made from `keep` (the session or API
    /// token asking) and `keep_family` (the family of a signed token asking); answers the ids
    /// revoked.
    core::Result<std::vector<std::string>> RevokeOthers(std::int64_t user_id,
                                                        const std::optional<FamilySource>& keep,
                                                        const std::string& keep_family,
                                                        std::int64_t now_ms);
    /// A new signing key; tokens signed with the old one stay valid until they expire.
    core::Status RotateKey(std::int64_t now_ms);
    /// The verifying keys, {"keys":[{"kid","public_key"(base64url),"current"}]} (no secrets).
    core::Json PublicKeys(std::int64_t now_ms) const;
    const AccessTokenOptions& options() const { return options_; }

    static bool LooksLikeAccessToken(std::string_view token) {
        return token.starts_with("v4.public.");
    }

private:
    core::Result<IssuedTokens> Mint(std::int64_t user_id, const std::string& family,
                                    std::int64_t family_expires_ms, std::int64_t now_ms);
    void RememberRevoked(const std::vector<std::string>& families, std::int64_t now_ms);
    core::Status PublishOwnKeys(const SigningKeyRing& ring, std::int64_t now_ms);

    AccessTokenOptions options_;
    std::unique_ptr<RefreshStore> store_;
    std::function<core::Status(const SigningKeyRing&)> save_keys_;
    mutable std::mutex mu_;  // keys_, epochs_, revoked_
    SigningKeyRing keys_;
    std::unordered_map<std::int64_t, std::int64_t>
        epochs_;  // user -> tokens issued before are void
    std::unordered_map<std::string, std::int64_t> revoked_;  // family -> when revoked
    struct PeerKey {
        std::array<unsigned char, 32> pub{};
        std::int64_t retired_ms = 0;
    };
    std::unordered_map<std::string, PeerKey> peer_keys_;  // published by any process, by kid
    std::mutex write_mu_;  // one refresh/revocation at a time (spend + mint is one step)
    std::mutex sync_mu_;   // the sync thread's stop flag
    std::condition_variable sync_cv_;
    bool stopping_ = false;
    std::thread sync_thread_;
};

}  // namespace beacon::server
