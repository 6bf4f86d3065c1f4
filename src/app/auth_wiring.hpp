#pragma once
/// Signed access tokens for `beacon serve` (src/server/auth_tokens.hpp): the Ed25519 key ring
/// sealed in the secret store (`<data>/secrets.json`, name "access_token_keys", created on first
/// start) and the refresh families in beacon.db.
#include <memory>

#include "config/config.hpp"
#include "core/result.hpp"
#include "server/auth_tokens.hpp"

namespace beacon::app {

/// The service, loaded and ready. An error on the PostgreSQL backend (no beacon.db) or when the
/// secret store cannot be read; `beacon serve` then runs with opaque tokens only and says so.
core::Result<std::unique_ptr<server::AccessTokens>> OpenAccessTokens(const config::Config& cfg);

}  // namespace beacon::app
