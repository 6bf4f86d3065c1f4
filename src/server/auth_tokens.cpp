#include "server/auth_tokens.hpp"

#include <sodium.h>

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "server/auth.hpp"

namespace beacon::server {

using core::Error;
using core::Json;

namespace {

constexpr std::string_view kHeader = "v4.public.";
constexpr std::string_view kImplicit = "beacon-access";
constexpr std::string_view kRefreshPrefix = "bcr_";
constexpr std::size_t kMaxTokenChars = 4096;

bool SodiumReady() {
    static const bool ok = sodium_init() >= 0;
    return ok;
}

std::string B64(const unsigned char* data, std::size_t n) {
    std::string out(sodium_base64_encoded_len(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
    sodium_bin2base64(out.data(), out.size(), data, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    out.resize(std::char_traits<char>::length(out.c_str()));
    return out;
}
std::string B64(std::string_view s) {
    return B64(reinterpret_cast<const unsigned char*>(s.data()), s.size());
}

/// Strict unpadded base64url (libsodium refuses stray characters and non-zero padding bits).
std::optional<std::string> UnB64(std::string_view s) {
    std::string out(s.size(), '\0');
    std::size_t len = 0;
    const char* end = nullptr;
    if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), s.data(),
                          s.size(), nullptr, &len, &end,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        end != s.data() + s.size()) {
        return std::nullopt;
    }
    out.resize(len);
    return out;
}

void Le64(std::string& out, std::uint64_t n) {
    n &= ~(std::uint64_t{1} << 63);  // PASETO clears the top bit
    for (int i = 0; i < 8; ++i) {
        out.push_back(static_cast<char>(n & 0xff));
        n >>= 8;
    }
}

/// "2026-11-30T21:00:00.000Z" (core::FormatTimestamp's form) → ms; nullopt otherwise.
std::optional<std::int64_t> ParseStamp(const std::string& s) {
    int y, mo, d, h, mi, sec, ms;
    char z = 0;
    if (s.size() != 24 ||
        std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3d%c", &y, &mo, &d, &h, &mi, &sec, &ms,
                    &z) != 8 ||
        z != 'Z') {
        return std::nullopt;
    }
    std::tm tm{};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    return static_cast<std::int64_t>(timegm(&tm)) * 1000 + ms;
}

Error Refused(std::string message) {
    return Error{core::ErrorCode::kUnauthorized, std::move(message)};
}

}  // namespace

// ---- PASETO v4.public -----------------------------------------------------------------------

std::string PasetoPae(const std::vector<std::string_view>& pieces) {
    std::string out;
    Le64(out, pieces.size());
    for (auto p : pieces) {
        Le64(out, p.size());
        out.append(p);
    }
    return out;
}

std::string PasetoSignV4Public(std::string_view message, std::string_view footer,
                               std::string_view implicit_assertion,
                               const std::array<unsigned char, 64>& secret_key) {
    (void)SodiumReady();
    std::string m2 = PasetoPae({kHeader, message, footer, implicit_assertion});
    unsigned char sig[crypto_sign_BYTES];
    crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(m2.data()), m2.size(),
                         secret_key.data());
    std::string body(message);
    body.append(reinterpret_cast<const char*>(sig), sizeof sig);
    std::string token = std::string(kHeader) + B64(body);
    if (!footer.empty()) token += "." + B64(footer);
    return token;
}

namespace {

struct Split {
    std::string_view payload;  // base64url
    std::string_view footer;   // base64url, may be empty
};

core::Result<Split> SplitToken(std::string_view token) {
    if (token.size() > kMaxTokenChars || !token.starts_with(kHeader)) {
        return Refused("not a v4.public token");
    }
    token.remove_prefix(kHeader.size());
    Split s;
    auto dot = token.find('.');
    s.payload = token.substr(0, dot);
    if (dot != std::string_view::npos) {
        s.footer = token.substr(dot + 1);
        if (s.footer.empty() || s.footer.find('.') != std::string_view::npos) {
            return Refused("malformed token");
        }
    }
    return s;
}

}  // namespace

core::Result<std::string> PasetoFooter(std::string_view token) {
    BEACON_TRY(s, SplitToken(token));
    if (s.footer.empty()) return std::string();
    auto f = UnB64(s.footer);
    if (!f) return Refused("malformed token footer");
    return *f;
}

core::Result<std::string> PasetoVerifyV4Public(std::string_view token,
                                               std::string_view implicit_assertion,
                                               const std::array<unsigned char, 32>& public_key) {
    (void)SodiumReady();
    BEACON_TRY(s, SplitToken(token));
    auto body = UnB64(s.payload);
    if (!body || body->size() < crypto_sign_BYTES) return Refused("malformed token");
    std::string footer;
    if (!s.footer.empty()) {
        auto f = UnB64(s.footer);
        if (!f) return Refused("malformed token footer");
        footer = std::move(*f);
    }
    std::string_view message(body->data(), body->size() - crypto_sign_BYTES);
    const auto* sig = reinterpret_cast<const unsigned char*>(body->data() + message.size());
    std::string m2 = PasetoPae({kHeader, message, footer, implicit_assertion});
    if (crypto_sign_verify_detached(sig, reinterpret_cast<const unsigned char*>(m2.data()),
                                    m2.size(), public_key.data()) != 0) {
        return Refused("the token's signature does not verify");
    }
    return std::string(message);
}

// ---- signing keys ---------------------------------------------------------------------------

namespace {

SigningKeyRing::Key NewKey(std::int64_t now_ms) {
    (void)SodiumReady();
    SigningKeyRing::Key k;
    crypto_sign_keypair(k.pub.data(), k.secret.data());
    unsigned char id[9];
    randombytes_buf(id, sizeof id);
    k.kid = "bk_" + B64(id, sizeof id);
    k.created_ms = now_ms;
    return k;
}

}  // namespace

SigningKeyRing SigningKeyRing::Generate(std::int64_t now_ms) {
    SigningKeyRing r;
    r.keys_.push_back(NewKey(now_ms));
    return r;
}

core::Result<SigningKeyRing> SigningKeyRing::FromJson(const Json& j) {
    (void)SodiumReady();
    SigningKeyRing r;
    if (!j.is_object() || !j.contains("keys") || !j["keys"].is_array() || j["keys"].empty()) {
        return Error::Invalid("signing keys: expected {\"keys\": [...]}");
    }
    for (const auto& e : j["keys"]) {
        Key k;
        if (!e.is_object() || !e.value("kid", Json()).is_string() ||
            !e.value("seed", Json()).is_string()) {
            return Error::Invalid("signing keys: each key needs kid and seed");
        }
        k.kid = e["kid"].get<std::string>();
        auto seed = UnB64(e["seed"].get<std::string>());
        if (!seed || seed->size() != crypto_sign_SEEDBYTES) {
            return Error::Invalid("signing keys: a seed is not 32 bytes of base64url");
        }
        crypto_sign_seed_keypair(k.pub.data(), k.secret.data(),
                                 reinterpret_cast<const unsigned char*>(seed->data()));
        sodium_memzero(seed->data(), seed->size());
        k.created_ms = e.value("created_ms", std::int64_t{0});
        k.retired_ms = e.value("retired_ms", std::int64_t{0});
        r.keys_.push_back(std::move(k));
    }
    if (r.keys_.front().retired_ms != 0)
        return Error::Invalid("signing keys: the first is retired");
    return r;
}

Json SigningKeyRing::ToJson() const {
    Json keys = Json::array();
    for (const auto& k : keys_) {
        // libsodium's secret key is seed || public key: the seed is enough to rebuild both.
        keys.push_back({{"kid", k.kid},
                        {"seed", B64(k.secret.data(), crypto_sign_SEEDBYTES)},
                        {"created_ms", k.created_ms},
                        {"retired_ms", k.retired_ms}});
    }
    return Json{{"keys", keys}};
}

void SigningKeyRing::Rotate(std::int64_t now_ms, std::chrono::milliseconds keep_for) {
    std::erase_if(keys_, [&](const Key& k) {
        return k.retired_ms != 0 && k.retired_ms + keep_for.count() <= now_ms;
    });
    if (!keys_.empty()) keys_.front().retired_ms = now_ms;
    keys_.insert(keys_.begin(), NewKey(now_ms));
}

Json SigningKeyRing::PublicJson(std::int64_t now_ms, std::chrono::milliseconds keep_for) const {
    Json keys = Json::array();
    for (const auto& k : keys_) {
        if (k.retired_ms != 0 && k.retired_ms + keep_for.count() <= now_ms) continue;
        keys.push_back({{"kid", k.kid},
                        {"public_key", B64(k.pub.data(), k.pub.size())},
                        {"current", k.retired_ms == 0}});
    }
    return Json{{"keys", keys}};
}

const SigningKeyRing::Key* SigningKeyRing::Find(std::string_view kid, std::int64_t now_ms,
                                                std::chrono::milliseconds keep_for) const {
    for (const auto& k : keys_) {
        if (k.kid != kid) continue;
        if (k.retired_ms != 0 && k.retired_ms + keep_for.count() <= now_ms) return nullptr;
        return &k;
    }
    return nullptr;
}

// ---- the service ----------------------------------------------------------------------------

AccessTokens::AccessTokens(SigningKeyRing keys, std::unique_ptr<RefreshStore> store,
                           std::function<core::Status(const SigningKeyRing&)> save_keys,
                           AccessTokenOptions options)
    : options_(options),
      store_(std::move(store)),
      save_keys_(std::move(save_keys)),
      keys_(std::move(keys)) {}

AccessTokens::~AccessTokens() {
    {
        std::lock_guard lock(sync_mu_);
        stopping_ = true;
    }
    sync_cv_.notify_all();
    if (sync_thread_.joinable()) sync_thread_.join();
}

core::Status AccessTokens::PublishOwnKeys(const SigningKeyRing& ring, std::int64_t now_ms) {
    const auto keep_ms = std::chrono::milliseconds(options_.access_ttl).count();
    std::vector<RefreshStore::PublishedKey> keys;
    const Json pub = ring.PublicJson(now_ms, options_.access_ttl);
    for (const auto& k : pub["keys"]) {
        const auto* key = ring.Find(k["kid"].get<std::string>(), now_ms, options_.access_ttl);
        if (!key) continue;
        keys.push_back(
            {key->kid, k["public_key"].get<std::string>(), key->created_ms, key->retired_ms});
    }
    // Keys retired longer ago than an access token lives verify nothing any more.
    return store_->PublishKeys(keys, now_ms - keep_ms - 60'000);
}

core::Status AccessTokens::Load(std::int64_t now_ms) {
    SigningKeyRing ring;
    {
        std::lock_guard lock(mu_);
        ring = keys_;
    }
    BEACON_CHECK(PublishOwnKeys(ring, now_ms));
    return Sync(now_ms);
}

core::Status AccessTokens::Sync(std::int64_t now_ms) {
    BEACON_TRY(epochs, store_->Epochs());
    const auto ttl_ms = std::chrono::milliseconds(options_.access_ttl).count();
    // Families revoked within an access token's lifetime (plus a minute for clocks that differ
    // between machines): older ones' access tokens have expired anyway.
    BEACON_TRY(revoked, store_->RevokedSince(now_ms - ttl_ms - 60'000));
    BEACON_TRY(published, store_->PublishedKeys());
    std::unordered_map<std::string, PeerKey> peers;
    for (const auto& k : published) {
        auto raw = UnB64(k.public_key);
        if (!raw || raw->size() != 32) continue;
        PeerKey p;
        std::copy(raw->begin(), raw->end(), p.pub.begin());
        p.retired_ms = k.retired_ms;
        peers[k.kid] = p;
    }
    std::lock_guard lock(mu_);
    for (auto [user, nb] : epochs) epochs_[user] = std::max(epochs_[user], nb);
    std::erase_if(revoked_, [&](const auto& kv) { return kv.second + ttl_ms + 60'000 < now_ms; });
    for (auto& f : revoked) revoked_.emplace(f, now_ms);
    peer_keys_ = std::move(peers);
    return {};
}

void AccessTokens::StartSync() {
    if (sync_thread_.joinable()) return;
    sync_thread_ = std::thread([this] {
        std::unique_lock lock(sync_mu_);
        while (!sync_cv_.wait_for(lock, options_.sync_every, [this] { return stopping_; })) {
            lock.unlock();
            // A failed read (the database restarting) keeps the lists as they were; the next
            // round tries again.
            (void)Sync(core::NowMillis());
            lock.lock();
        }
    });
}

void AccessTokens::RememberRevoked(const std::vector<std::string>& families, std::int64_t now_ms) {
    std::lock_guard lock(mu_);
    const auto ttl_ms = std::chrono::milliseconds(options_.access_ttl).count();
    // Access tokens of a family revoked longer ago than their lifetime have expired anyway.
    std::erase_if(revoked_, [&](const auto& kv) { return kv.second + ttl_ms + 60'000 < now_ms; });
    for (const auto& f : families) revoked_[f] = now_ms;
}

core::Result<IssuedTokens> AccessTokens::Mint(std::int64_t user_id, const std::string& family,
                                              std::int64_t family_expires_ms, std::int64_t now_ms) {
    const auto ttl_ms = std::chrono::milliseconds(options_.access_ttl).count();
    IssuedTokens out;
    out.family = family;
    out.refresh_token = std::string(kRefreshPrefix) + RandomToken(32);
    out.refresh_expires_ms = std::min<std::int64_t>(
        family_expires_ms,
        now_ms + std::chrono::duration_cast<std::chrono::milliseconds>(options_.refresh_idle_ttl)
                     .count());
    BEACON_CHECK(store_->AddToken(HashToken(out.refresh_token),
                                  RefreshStore::Token{family, out.refresh_expires_ms, 0}));
    Json claims{{"sub", std::to_string(user_id)},
                {"iat", core::FormatTimestamp(now_ms)},
                {"exp", core::FormatTimestamp(now_ms + ttl_ms)},
                {"jti", RandomToken(12)},
                {"fam", family}};
    std::lock_guard lock(mu_);
    const auto& key = keys_.current();
    out.access_token =
        PasetoSignV4Public(claims.dump(), Json{{"kid", key.kid}}.dump(), kImplicit, key.secret);
    out.expires_in_s = ttl_ms / 1000;
    return out;
}

core::Result<IssuedTokens> AccessTokens::Issue(std::int64_t user_id, const FamilySource& source,
                                               std::string name, std::int64_t now_ms,
                                               std::string user_agent) {
    std::lock_guard write(write_mu_);
    RefreshStore::Family f;
    f.id = "fam_" + RandomToken(12);
    f.user_id = user_id;
    f.source = source;
    f.name = std::move(name);
    if (user_agent.size() > 200) user_agent.resize(200);
    f.user_agent = std::move(user_agent);
    f.created_ms = now_ms;
    f.expires_ms =
        now_ms + std::chrono::duration_cast<std::chrono::milliseconds>(options_.family_ttl).count();
    // Rows of families that ended a day ago are no longer needed for anything.
    BEACON_CHECK(store_->Prune(now_ms - 24 * 3600 * 1000));
    BEACON_CHECK(store_->AddFamily(f));
    return Mint(user_id, f.id, f.expires_ms, now_ms);
}

core::Result<IssuedTokens> AccessTokens::Refresh(std::string_view refresh_token,
                                                 std::int64_t now_ms) {
    const Error bad = Refused("the refresh token is not valid (expired, revoked or unknown)");
    if (!refresh_token.starts_with(kRefreshPrefix) || refresh_token.size() > 200) return bad;
    std::lock_guard write(write_mu_);
    const std::string digest = HashToken(refresh_token);
    auto t = store_->GetToken(digest);
    if (!t.ok()) return t.error().code == core::ErrorCode::kNotFound ? bad : t.error();
    BEACON_TRY(f, store_->GetFamily(t->family));
    if (f.revoked_ms != 0 || f.expires_ms <= now_ms || t->expires_ms <= now_ms) return bad;
    {
        std::lock_guard lock(mu_);
        auto ep = epochs_.find(f.user_id);
        if (ep != epochs_.end() && f.created_ms < ep->second) return bad;
    }
    BEACON_TRY(fresh, store_->SpendToken(digest, now_ms));
    if (t->used_ms != 0 || !fresh) {
        // A spent token came back: it was copied. Whoever holds the family now is not known,
        // so all of it goes.
        BEACON_TRY(ids, store_->RevokeFamilies(f.user_id, f.id, nullptr, now_ms));
        RememberRevoked(ids, now_ms);
        return Refused(
            "this refresh token was already used; every token of its sign-in was "
            "revoked (sign in again)");
    }
    return Mint(f.user_id, f.id, f.expires_ms, now_ms);
}

core::Result<AccessClaims> AccessTokens::Verify(std::string_view token, std::int64_t now_ms) const {
    const Error bad = Refused("the access token is not valid (expired, revoked or not ours)");
    auto footer = PasetoFooter(token);
    if (!footer.ok()) return bad;
    auto fj = Json::parse(*footer, nullptr, false);
    if (!fj.is_object() || !fj.value("kid", Json()).is_string()) return bad;
    std::array<unsigned char, 32> pub{};
    {
        std::lock_guard lock(mu_);
        const auto kid = fj["kid"].get<std::string>();
        if (const auto* key = keys_.Find(kid, now_ms, options_.access_ttl)) {
            pub = key->pub;
        } else {  // signed by another studio process on the same database
            auto peer = peer_keys_.find(kid);
            if (peer == peer_keys_.end()) return bad;
            const auto keep_ms = std::chrono::milliseconds(options_.access_ttl).count();
            if (peer->second.retired_ms != 0 && peer->second.retired_ms + keep_ms <= now_ms) {
                return bad;
            }
            pub = peer->second.pub;
        }
    }
    auto message = PasetoVerifyV4Public(token, kImplicit, pub);
    if (!message.ok()) return bad;
    auto c = Json::parse(*message, nullptr, false);
    if (!c.is_object()) return bad;
    AccessClaims out;
    auto text = [&](const char* k) {
        auto it = c.find(k);
        return it != c.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    auto iat = ParseStamp(text("iat"));
    auto exp = ParseStamp(text("exp"));
    out.family = text("fam");
    out.jti = text("jti");
    const std::string sub = text("sub");
    if (!iat || !exp || out.family.empty() || sub.empty() ||
        sub.find_first_not_of("0123456789") != std::string::npos || sub.size() > 18) {
        return bad;
    }
    out.user_id = std::stoll(sub);
    out.issued_ms = *iat;
    out.expires_ms = *exp;
    if (out.expires_ms <= now_ms) return bad;
    std::lock_guard lock(mu_);
    auto ep = epochs_.find(out.user_id);
    if (ep != epochs_.end() && out.issued_ms < ep->second) return bad;
    if (revoked_.count(out.family) > 0) return bad;
    return out;
}

core::Result<std::string> AccessTokens::RevokeByRefreshToken(std::string_view refresh_token,
                                                             std::int64_t now_ms) {
    const Error bad = Refused("the refresh token is not valid");
    if (!refresh_token.starts_with(kRefreshPrefix) || refresh_token.size() > 200) return bad;
    std::lock_guard write(write_mu_);
    auto t = store_->GetToken(HashToken(refresh_token));
    if (!t.ok()) return t.error().code == core::ErrorCode::kNotFound ? bad : t.error();
    BEACON_TRY(f, store_->GetFamily(t->family));
    BEACON_TRY(ids, store_->RevokeFamilies(f.user_id, f.id, nullptr, now_ms));
    ids.push_back(f.id);  // already revoked ones stay revoked in memory too
    RememberRevoked(ids, now_ms);
    return f.id;
}

core::Status AccessTokens::RevokeFamily(std::int64_t user_id, const std::string& family,
                                        std::int64_t now_ms) {
    std::lock_guard write(write_mu_);
    auto f = store_->GetFamily(family);
    if (!f.ok() || f->user_id != user_id) {
        if (!f.ok() && f.error().code != core::ErrorCode::kNotFound) return f.error();
        return Error::NotFound("no token family " + family.substr(0, 40));
    }
    BEACON_TRY(ids, store_->RevokeFamilies(user_id, family, nullptr, now_ms));
    ids.push_back(family);
    RememberRevoked(ids, now_ms);
    return {};
}

core::Status AccessTokens::RevokeFromSource(std::int64_t user_id, const FamilySource& source,
                                            std::int64_t now_ms) {
    std::lock_guard write(write_mu_);
    BEACON_TRY(ids, store_->RevokeFamilies(user_id, "", &source, now_ms));
    RememberRevoked(ids, now_ms);
    return {};
}

core::Status AccessTokens::RevokeAll(std::int64_t user_id, std::int64_t now_ms) {
    std::lock_guard write(write_mu_);
    // Tokens carry millisecond times: one issued in this same millisecond is void too.
    BEACON_CHECK(store_->SetEpoch(user_id, now_ms + 1));
    BEACON_TRY(ids, store_->RevokeFamilies(user_id, "", nullptr, now_ms));
    RememberRevoked(ids, now_ms);
    std::lock_guard lock(mu_);
    epochs_[user_id] = now_ms + 1;
    return {};
}

core::Result<std::vector<RefreshStore::Family>> AccessTokens::Families(std::int64_t user_id,
                                                                       std::int64_t now_ms) {
    return store_->ListFamilies(user_id, now_ms);
}

core::Status AccessTokens::RotateKey(std::int64_t now_ms) {
    std::lock_guard write(write_mu_);
    SigningKeyRing next;
    {
        std::lock_guard lock(mu_);
        next = keys_;
    }
    next.Rotate(now_ms, options_.access_ttl);
    if (save_keys_) BEACON_CHECK(save_keys_(next));  // stored before it signs anything
    // Published before it signs anything, so other processes verify its tokens.
    BEACON_CHECK(PublishOwnKeys(next, now_ms));
    std::lock_guard lock(mu_);
    keys_ = std::move(next);
    return {};
}

Json AccessTokens::PublicKeys(std::int64_t now_ms) const {
    std::lock_guard lock(mu_);
    Json out = keys_.PublicJson(now_ms, options_.access_ttl);
    const auto keep_ms = std::chrono::milliseconds(options_.access_ttl).count();
    // Keys of other studio processes on the same database verify too (not "current" here).
    std::vector<std::string> kids;
    for (const auto& [kid, peer] : peer_keys_) {
        if (keys_.Find(kid, now_ms, options_.access_ttl)) continue;
        if (peer.retired_ms != 0 && peer.retired_ms + keep_ms <= now_ms) continue;
        kids.push_back(kid);
    }
    std::sort(kids.begin(), kids.end());
    for (const auto& kid : kids) {
        const auto& pub = peer_keys_.at(kid).pub;
        out["keys"].push_back(
            {{"kid", kid}, {"public_key", B64(pub.data(), pub.size())}, {"current", false}});
    }
    return out;
}

core::Result<std::vector<std::string>> AccessTokens::RevokeOthers(
    std::int64_t user_id, const std::optional<FamilySource>& keep, const std::string& keep_family,
    std::int64_t now_ms) {
    std::lock_guard write(write_mu_);
    BEACON_TRY(live, store_->ListFamilies(user_id, now_ms));
    std::vector<std::string> revoked;
    for (const auto& f : live) {
        if (f.id == keep_family) continue;
        if (keep && f.source.kind == keep->kind && f.source.ref == keep->ref) continue;
        BEACON_TRY(ids, store_->RevokeFamilies(user_id, f.id, nullptr, now_ms));
        revoked.insert(revoked.end(), ids.begin(), ids.end());
    }
    RememberRevoked(revoked, now_ms);
    return revoked;
}

}  // namespace beacon::server
