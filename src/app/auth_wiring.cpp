#include "app/auth_wiring.hpp"

#include "app/ops_wiring.hpp"
#include "ops/secrets.hpp"

namespace beacon::app {

namespace {

constexpr const char* kSecretName = "access_token_keys";

}  // namespace

core::Result<std::unique_ptr<server::AccessTokens>> OpenAccessTokens(const config::Config& cfg) {
    if (!cfg.database.url.empty()) {
        return core::Error::Invalid(
            "signed access tokens keep their refresh families in "
            "beacon.db, and this server runs on PostgreSQL");
    }
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
    BEACON_TRY(store, server::OpenRefreshStore(cfg.data_dir / "beacon.db"));
    auto save = [secrets](const server::SigningKeyRing& keys) {
        return secrets->Set(kSecretName, keys.ToJson().dump());
    };
    auto tokens = std::make_unique<server::AccessTokens>(std::move(ring), std::move(store), save);
    BEACON_CHECK(tokens->Load(now));
    return tokens;
}

}  // namespace beacon::app
