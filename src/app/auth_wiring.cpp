#include "app/auth_wiring.hpp"

#include "app/ops_wiring.hpp"
#include "ops/secrets.hpp"
#include "storage/module_db.hpp"

namespace beacon::app {

namespace {

constexpr const char* kSecretName = "access_token_keys";

}  // namespace

server::AccessTokenOptions AccessTokenOptionsFrom(const config::AuthConfig& auth) {
    server::AccessTokenOptions o;
    o.access_ttl = std::chrono::minutes(auth.access_token_minutes);
    o.refresh_idle_ttl = std::chrono::hours(24 * auth.refresh_idle_days);
    o.family_ttl = std::chrono::hours(24 * auth.refresh_max_days);
    o.sync_every = std::chrono::seconds(auth.revocation_sync_seconds);
    return o;
}

core::Result<std::unique_ptr<server::AccessTokens>> OpenAccessTokens(const config::Config& cfg) {
    auto secrets =
        std::make_shared<ops::SecretStore>(cfg.data_dir / "secrets.json", SecretKeyFile(cfg));
    const auto now = core::NowMillis();
    BEACON_TRY(stored, secrets->Get(kSecretName));
    server::SigningKeyRing ring;
    if (stored) {
        auto j = core::Json::parse(*stored, nullptr, false);
        BEACON_TRY(parsed, server::SigningKeyRing::FromJson(j));
        ring = std::move(parsed);
    } else {
        ring = server::SigningKeyRing::Generate(now);
        BEACON_CHECK(secrets->Set(kSecretName, ring.ToJson().dump()));
    }
    // Families, revocations and verifying keys: beacon.db, or the studio's PostgreSQL database
    // (shared by every `beacon serve` on it). The signing key itself stays sealed in this data
    // folder's secrets.json; other processes verify with the public half published in the store.
    BEACON_TRY(store, server::OpenRefreshStore(storage::ModuleDbLocation(
                          cfg.database.url, (cfg.data_dir / "beacon.db").string())));
    auto save = [secrets](const server::SigningKeyRing& keys) {
        return secrets->Set(kSecretName, keys.ToJson().dump());
    };
    auto tokens = std::make_unique<server::AccessTokens>(std::move(ring), std::move(store), save,
                                                         AccessTokenOptionsFrom(cfg.auth));
    BEACON_CHECK(tokens->Load(now));
    tokens->StartSync();
    return tokens;
}

}  // namespace beacon::app
