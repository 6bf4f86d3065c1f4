#pragma once
/// Signed access tokens for `beacon serve` (src/server/auth_tokens.hpp): the Ed25519 key ring
/// sealed in the secret store (`<data>/secrets.json`, name "access_token_keys", created on first
/// start) and the refresh families, revocations and verifying keys in beacon.db or the studio's
/// PostgreSQL database.
#include <memory>

#include "config/config.hpp"
#include "core/result.hpp"
#include "server/auth_tokens.hpp"

namespace beacon::app {

/// The service, loaded and ready, re-reading revocations from the database every
/// `sync_every`. An error when the store or the secret store cannot be read; `beacon serve` then
/// runs with opaque tokens only and says so.
/// The lifetimes of `[auth]` (bounds checked by config::Parse).
server::AccessTokenOptions AccessTokenOptionsFrom(const config::AuthConfig& auth);

core::Result<std::unique_ptr<server::AccessTokens>> OpenAccessTokens(const config::Config& cfg);

}  // namespace beacon::app
