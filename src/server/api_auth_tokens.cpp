#include "server/api.hpp"
/// Signed access tokens: issue (from a session or an opaque API token), refresh, revoke, list,
/// and the verifying keys. The tokens themselves are src/server/auth_tokens.cpp.

#include "server/api_validation.hpp"
#include "server/auth_tokens.hpp"
#include "server/http_util.hpp"

namespace beacon::server {

using core::Json;
using namespace api_detail;

namespace {

/// The credential a request came with, as a family source (nullopt for a signed token).
std::optional<FamilySource> SourceOf(const Identity& who) {
    if (who.via == Identity::Via::kSession) {
        return FamilySource{FamilySource::Kind::kSession, who.session_hash};
    }
    if (who.via == Identity::Via::kBearer && who.access_family.empty() && who.token_id > 0) {
        return FamilySource{FamilySource::Kind::kApiToken, std::to_string(who.token_id)};
    }
    return std::nullopt;
}

Reply NotEnabled() {
    return Api::Error(501, "not_implemented",
                      "signed access tokens are not available on this server (their store or "
                      "key could not be opened at start, see its log); use an API token "
                      "(POST /api/v1/tokens)");
}

Json IssuedJson(const IssuedTokens& t) {
    return Json{{"access_token", t.access_token},
                {"token_type", "Bearer"},
                {"expires_in", t.expires_in_s},
                {"refresh_token", t.refresh_token},
                {"refresh_expires_at", core::FormatTimestamp(t.refresh_expires_ms)},
                {"family", t.family}};
}

}  // namespace

Identity Api::AccessTokenIdentity(std::string_view token) const {
    Identity who;
    if (!deps_.access_tokens) return who;
    auto claims = deps_.access_tokens->Verify(token, core::NowMillis());
    if (!claims.ok()) return who;
    who.via = Identity::Via::kBearer;
    who.user_id = claims->user_id;
    who.access_family = claims->family;
    return who;
}

Reply Api::AuthToken(Request& req) {
    if (!deps_.access_tokens) return NotEnabled();
    auto body = BodyObject(req, true);
    if (!body.ok()) return Error(body.error());
    if (auto s = OnlyFields(*body, {"name"}); !s.ok()) return Error(s.error());
    auto name = OptString(*body, "name", 1, 100);
    if (!name.ok()) return Error(name.error());
    // A signed token never makes another grant: only what a person signed in with does.
    const auto source = SourceOf(req.who);
    if (!source) {
        return Error(403, "forbidden",
                     "signed access tokens are made from a session or an API token, not from "
                     "another signed token (use POST /api/v1/auth/refresh)");
    }
    auto issued = deps_.access_tokens->Issue(req.who.user_id, *source, name->value_or(""),
                                             core::NowMillis(), req.Header("User-Agent"));
    if (!issued.ok()) return Error(issued.error());
    return Json(200, IssuedJson(*issued));
}

Reply Api::AuthRefresh(Request& req) {
    if (!deps_.access_tokens) return NotEnabled();
    if (auto bad = CheckCredentialPost(req)) return std::move(*bad);
    auto body = BodyObject(req);
    if (!body.ok()) return Error(body.error());
    if (auto s = OnlyFields(*body, {"refresh_token"}); !s.ok()) return Error(s.error());
    auto token = OptString(*body, "refresh_token", 1, 200);
    if (!token.ok()) return Error(token.error());
    if (!*token) return Error(400, "invalid_argument", "field 'refresh_token' is required");
    auto issued = deps_.access_tokens->Refresh(**token, core::NowMillis());
    if (!issued.ok()) return Error(issued.error());
    return Json(200, IssuedJson(*issued));
}

Reply Api::AuthRevoke(Request& req) {
    if (!deps_.access_tokens) return NotEnabled();
    auto body = BodyObject(req);
    if (!body.ok()) return Error(body.error());
    if (auto s = OnlyFields(*body, {"refresh_token", "family", "all", "others"}); !s.ok()) {
        return Error(s.error());
    }
    auto token = OptString(*body, "refresh_token", 1, 200);
    if (!token.ok()) return Error(token.error());
    auto family = OptString(*body, "family", 1, 64);
    if (!family.ok()) return Error(family.error());
    auto all = OptBool(*body, "all");
    if (!all.ok()) return Error(all.error());
    auto others = OptBool(*body, "others");
    if (!others.ok()) return Error(others.error());
    const int given = (*token ? 1 : 0) + (*family ? 1 : 0) + (all->value_or(false) ? 1 : 0) +
                      (others->value_or(false) ? 1 : 0);
    if (given != 1) {
        return Error(400, "invalid_argument",
                     "give exactly one of 'refresh_token', 'family', 'all': true and "
                     "'others': true");
    }
    const auto now = core::NowMillis();
    if (*token) {  // holding the refresh token is enough to end its family (a client signing out)
        if (auto bad = CheckCredentialPost(req)) return std::move(*bad);
        auto f = deps_.access_tokens->RevokeByRefreshToken(**token, now);
        if (!f.ok()) return Error(f.error());
        return Json(200, {{"revoked", core::Json::array({*f})}});
    }
    auto who = Authenticate(req, false, false);
    if (!who.ok()) return Error(who.error());
    req.who = std::move(*who);
    if (!req.who.authenticated()) {
        return Error(
            core::Error{core::ErrorCode::kUnauthorized,
                        "sign in first (session cookie or Authorization: Bearer <token>)"});
    }
    if (req.who.via == Identity::Via::kSession) {
        std::string csrf = req.Header("X-CSRF-Token");
        if (csrf.empty() || !SecretEquals(csrf, req.who.csrf_token)) {
            return Error(403, "forbidden",
                         "missing or wrong X-CSRF-Token header for a cookie-authenticated request");
        }
    }
    if (*family) {
        if (auto s = deps_.access_tokens->RevokeFamily(req.who.user_id, **family, now); !s.ok()) {
            return Error(s.error());
        }
        return Json(200, {{"revoked", core::Json::array({**family})}});
    }
    if (others->value_or(false)) {  // every sign-in but the ones made from this credential
        auto ids = deps_.access_tokens->RevokeOthers(req.who.user_id, SourceOf(req.who),
                                                     req.who.access_family, now);
        if (!ids.ok()) return Error(ids.error());
        return Json(200, {{"revoked", *ids}});
    }
    if (auto s = deps_.access_tokens->RevokeAll(req.who.user_id, now); !s.ok()) {
        return Error(s.error());
    }
    return Json(200, {{"revoked", "all"}});
}

Reply Api::AuthTokenFamilies(Request& req) {
    if (!deps_.access_tokens) return NotEnabled();
    auto list = deps_.access_tokens->Families(req.who.user_id, core::NowMillis());
    if (!list.ok()) return Error(list.error());
    core::Json items = core::Json::array();
    const auto mine = SourceOf(req.who);
    for (const auto& f : *list) {
        const bool current = f.id == req.who.access_family ||
                             (mine && mine->kind == f.source.kind && mine->ref == f.source.ref);
        items.push_back(
            {{"family", f.id},
             {"name", f.name},
             {"source", f.source.kind == FamilySource::Kind::kSession ? "session" : "api_token"},
             {"current", current},
             {"created_at", core::FormatTimestamp(f.created_ms)},
             {"last_used_at",
              core::FormatTimestamp(f.last_used_ms ? f.last_used_ms : f.created_ms)},
             {"user_agent", f.user_agent},
             {"expires_at", core::FormatTimestamp(f.expires_ms)}});
    }
    return Json(200, {{"items", items}});
}

Reply Api::AuthKeys(Request&) {
    if (!deps_.access_tokens) return NotEnabled();
    core::Json out = deps_.access_tokens->PublicKeys(core::NowMillis());
    out["format"] = "paseto.v4.public";
    out["implicit_assertion"] = "beacon-access";
    return Json(200, out);
}

Reply Api::AuthRotateKey(Request&) {
    if (!deps_.access_tokens) return NotEnabled();
    if (auto s = deps_.access_tokens->RotateKey(core::NowMillis()); !s.ok())
        return Error(s.error());
    return Json(200, deps_.access_tokens->PublicKeys(core::NowMillis()));
}

}  // namespace beacon::server
