#include "server/api.hpp"
/// Health, sign-in, sessions, API tokens and stream keys.


#include <algorithm>

#include "jobs/event_bus.hpp"
#include "server/api_validation.hpp"
#include "server/auth_tokens.hpp"
#include "server/http_util.hpp"
#include "storage/database.hpp"

namespace beacon::server {

using core::Json;
using namespace api_detail;

namespace {

Json UserJson(const core::User& u) { return Json{{"id", u.id}, {"name", u.name}}; }

Json TokenJson(const storage::Database::Token& t) {
    return Json{{"id", t.id},
                {"name", t.name},
                {"created_at", core::FormatTimestamp(t.created_at)},
                {"last_used_at", t.last_used_at ? Json(core::FormatTimestamp(t.last_used_at)) : Json()}};
}

}  // namespace

// ---- health and auth -------------------------------------------------------------------------

Reply Api::Health(Request&) { return Json(200, {{"status", "ok"}}); }

std::optional<Reply> Api::HealthFast(Request&) {
    static const std::string kOk = Dump({{"status", "ok"}});
    Reply r;
    r.body = kOk;
    r.AddHeader("Cache-Control", "no-store");
    return r;
}

Reply Api::AuthStatus(Request& req) {
    auto n = deps_.db.CountUsersWithPassword();
    if (!n.ok()) return Error(n.error());
    // Whether this caller is signed in, so that a page can skip /auth/me (and its 401) when not.
    auto who = Authenticate(req, false, false);
    if (!who.ok()) return Error(who.error());  // storage failing is not "signed out"
    return Json(200, {{"password_set", *n > 0}, {"authenticated", who->authenticated()}});
}

Reply Api::StartSession(const core::User& user, const Request& req) {
    std::string session = RandomToken(32);
    std::string csrf = RandomToken(32);
    auto expires = core::NowMillis() +
                   std::chrono::duration_cast<std::chrono::milliseconds>(options_.session_lifetime).count();
    auto st = deps_.db.CreateSession(HashToken(session), user.id, csrf, expires);
    if (!st.ok()) return Error(st.error());
    (void)req;
    Reply r = Json(200, {{"user", UserJson(user)}, {"csrf_token", csrf}});
    auto max_age = std::chrono::duration_cast<std::chrono::seconds>(options_.session_lifetime).count();
    std::string cookie = std::string(kSessionCookie) + "=" + session +
                         "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age);
    if (SecureCookies()) cookie += "; Secure";
    r.AddHeader("Set-Cookie", cookie);
    return r;
}

Reply Api::AuthSetup(Request& req) {
    if (auto bad = CheckCredentialPost(req)) return std::move(*bad);
    auto body = BodyObject(req);
    if (!body.ok()) return Error(body.error());
    if (auto s = OnlyFields(*body, {"password"}); !s.ok()) return Error(s.error());
    auto it = body->find("password");
    if (it == body->end() || !it->is_string()) {
        return Error(400, "invalid_argument", "field 'password' must be a string");
    }
    std::string password = it->get<std::string>();
    if (auto s = ValidateNewPassword(password); !s.ok()) return Error(s.error());
    auto n = deps_.db.CountUsersWithPassword();
    if (!n.ok()) return Error(n.error());
    if (*n > 0) return Error(409, "conflict", "a password is already set; log in instead");
    auto hash = HashPassword(password, options_.password_params);
    if (!hash.ok()) return Error(hash.error());
    auto user = deps_.db.GetOrCreateUser("admin");
    if (!user.ok()) return Error(user.error());
    if (auto s = deps_.db.SetPasswordHash(user->id, *hash); !s.ok()) return Error(s.error());
    return StartSession(*user, req);
}

Reply Api::AuthLogin(Request& req) {
    if (auto bad = CheckCredentialPost(req)) return std::move(*bad);
    // Cheap refusals before any hashing: a login body is a password and a name.
    constexpr std::size_t kMaxLoginBody = 4 * kMaxPasswordBytes + 1024;
    if (req.msg.body().size() > kMaxLoginBody) {
        return Error(413, "too_large", "a login body is at most " +
                                           std::to_string(kMaxLoginBody) + " bytes");
    }
    auto wait = throttle_.RetryAfter(req.client, LoginThrottle::Clock::now());
    if (wait.count() > 0) {
        core::Error e{core::ErrorCode::kRateLimited,
                      "too many failed logins from this address; try again later"};
        e.retry_after = wait;
        return Error(e);
    }
    auto body = BodyObject(req);
    if (!body.ok()) return Error(body.error());
    if (auto s = OnlyFields(*body, {"password", "username"}); !s.ok()) return Error(s.error());
    auto pw = OptString(*body, "password", 0, kMaxPasswordBytes);
    if (!pw.ok()) return Error(pw.error());
    if (!*pw) return Error(400, "invalid_argument", "field 'password' is required");
    auto name = OptString(*body, "username", 1, 100);
    if (!name.ok()) return Error(name.error());
    std::string username = name->value_or("admin");
    // Per account name, asked the same way whether or not the account exists (no enumeration).
    wait = account_throttle_.RetryAfter(username, req.client, AccountThrottle::Clock::now());
    if (wait.count() > 0) {
        core::Error e{core::ErrorCode::kRateLimited,
                      "too many failed sign-ins for this user name; try again later"};
        e.retry_after = wait;
        return Error(e);
    }
    auto failed = [&] {
        throttle_.RecordFailure(req.client, LoginThrottle::Clock::now());
        account_throttle_.RecordFailure(username, req.client, AccountThrottle::Clock::now());
        return Error(core::Error{core::ErrorCode::kUnauthorized, "wrong user name or password"});
    };
    if ((*pw)->empty()) return failed();
    auto user = deps_.db.GetUserByName(username);
    if (!user.ok() && user.error().code != core::ErrorCode::kNotFound) return Error(user.error());
    bool ok = false;
    if (user.ok() && !user->password_hash.empty()) {
        ok = VerifyPassword(**pw, user->password_hash);
    } else {
        SpendPasswordCheck(**pw, options_.password_params);  // same time as a real check
    }
    if (!ok) return failed();
    throttle_.RecordSuccess(req.client);
    account_throttle_.RecordSuccess(username, req.client, AccountThrottle::Clock::now());
    return StartSession(*user, req);
}

Reply Api::AuthLogout(Request& req) {
    if (req.who.via == Identity::Via::kSession) {
        if (auto s = deps_.db.DeleteSession(req.who.session_hash); !s.ok()) return Error(s.error());
        credentials_.RevokeSession(req.who.session_hash);
        // Signed tokens made from this session end with it.
        if (deps_.access_tokens) {
            FamilySource from{FamilySource::Kind::kSession, req.who.session_hash};
            if (auto s = deps_.access_tokens->RevokeFromSource(req.who.user_id, from,
                                                               core::NowMillis());
                !s.ok()) {
                return Error(s.error());
            }
        }
    }
    Reply r;
    r.status = 204;
    r.content_type.clear();
    std::string cookie = std::string(kSessionCookie) +
                         "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0";
    if (SecureCookies()) cookie += "; Secure";
    r.AddHeader("Set-Cookie", cookie);
    r.AddHeader("Cache-Control", "no-store");
    return r;
}

Reply Api::AuthMe(Request& req) {
    auto user = deps_.db.GetUserById(req.who.user_id);
    if (!user.ok()) return Error(user.error());
    return Json(200, {{"user", UserJson(*user)},
                      {"csrf_token", req.who.via == Identity::Via::kSession
                                         ? core::Json(req.who.csrf_token)
                                         : core::Json()}});
}

Reply Api::AuthPassword(Request& req) {
    auto wait = throttle_.RetryAfter(req.client, LoginThrottle::Clock::now());
    if (wait.count() > 0) {
        core::Error e{core::ErrorCode::kRateLimited,
                      "too many wrong passwords from this address; try again later"};
        e.retry_after = wait;
        return Error(e);
    }
    auto body = BodyObject(req);
    if (!body.ok()) return Error(body.error());
    if (auto s = OnlyFields(*body, {"current_password", "new_password", "revoke_tokens"});
        !s.ok()) {
        return Error(s.error());
    }
    auto revoke = OptBool(*body, "revoke_tokens");
    if (!revoke.ok()) return Error(revoke.error());
    auto cur = OptString(*body, "current_password", 0, kMaxPasswordBytes);
    if (!cur.ok()) return Error(cur.error());
    auto next = OptString(*body, "new_password", 0, 1 << 20);
    if (!next.ok()) return Error(next.error());
    if (!*cur || !*next) {
        return Error(400, "invalid_argument", "fields 'current_password' and 'new_password' are required");
    }
    if (auto s = ValidateNewPassword(**next); !s.ok()) return Error(s.error());
    auto user = deps_.db.GetUserById(req.who.user_id);
    if (!user.ok()) return Error(user.error());
    if (!VerifyPassword(**cur, user->password_hash)) {
        throttle_.RecordFailure(req.client, LoginThrottle::Clock::now());
        return Error(core::Error{core::ErrorCode::kUnauthorized, "the current password is wrong"});
    }
    auto hash = HashPassword(**next, options_.password_params);
    if (!hash.ok()) return Error(hash.error());
    // Every session ends with the old password; the caller's own continues as a new one.
    if (auto s = deps_.db.SetPasswordHash(user->id, *hash); !s.ok()) return Error(s.error());
    credentials_.RevokeUserSessions(user->id);
    // Signed tokens end with the sessions they were made from; with revoke_tokens, all of them.
    if (deps_.access_tokens) {
        const auto now = core::NowMillis();
        FamilySource sessions{FamilySource::Kind::kSession, ""};
        auto s = revoke->value_or(false)
                     ? deps_.access_tokens->RevokeAll(user->id, now)
                     : deps_.access_tokens->RevokeFromSource(user->id, sessions, now);
        if (!s.ok()) return Error(s.error());
    }
    int revoked = 0;
    if (revoke->value_or(false)) {
        auto tokens = deps_.db.ListTokens(user->id);
        if (!tokens.ok()) return Error(tokens.error());
        for (const auto& t : *tokens) {
            if (auto s = deps_.db.DeleteToken(user->id, t.id); !s.ok()) {
                credentials_.RevokeUserTokens(user->id);
                return Error(s.error());
            }
            ++revoked;
        }
        credentials_.RevokeUserTokens(user->id);
    }
    Reply r = req.who.via == Identity::Via::kSession
                  ? StartSession(*user, req)
                  : Json(200, {{"user", UserJson(*user)}, {"csrf_token", nullptr}});
    if (r.status != 200) return r;
    auto out = core::Json::parse(r.body);
    out["revoked_tokens"] = revoked;
    r.body = Dump(out);
    return r;
}

Reply Api::ListTokens(Request& req) {
    auto tokens = deps_.db.ListTokens(req.who.user_id);
    if (!tokens.ok()) return Error(tokens.error());
    core::Json items = core::Json::array();
    for (const auto& t : *tokens) items.push_back(TokenJson(t));
    return Json(200, {{"items", items}});
}

Reply Api::CreateToken(Request& req) {
    auto body = BodyObject(req);
    if (!body.ok()) return Error(body.error());
    if (auto s = OnlyFields(*body, {"name"}); !s.ok()) return Error(s.error());
    auto name = OptString(*body, "name", 1, 100);
    if (!name.ok()) return Error(name.error());
    if (!*name) return Error(400, "invalid_argument", "field 'name' is required");
    std::string token = NewApiToken();
    auto t = deps_.db.CreateToken(req.who.user_id, **name, HashToken(token));
    if (!t.ok()) return Error(t.error());
    return Json(201, {{"id", t->id}, {"name", t->name}, {"token", token}});
}

Reply Api::DeleteToken(Request& req) {
    auto id = PathId(req);
    if (!id.ok()) return Error(id.error());
    if (auto s = deps_.db.DeleteToken(req.who.user_id, *id); !s.ok()) return Error(s.error());
    credentials_.RevokeToken(req.who.user_id, *id);
    if (deps_.access_tokens) {  // signed tokens made from this API token end with it
        FamilySource from{FamilySource::Kind::kApiToken, std::to_string(*id)};
        if (auto s = deps_.access_tokens->RevokeFromSource(req.who.user_id, from, core::NowMillis());
            !s.ok()) {
            return Error(s.error());
        }
    }
    Reply r;
    r.status = 204;
    r.content_type.clear();
    return r;
}

Reply Api::StreamKeyReply(const core::User& user, const Request& req) {
    std::string base = BaseUrl(req);
    return Json(200, {{"key", user.stream_key},
                      {"m3u_url", base + "/live/channels.m3u?key=" + user.stream_key},
                      {"guide_url", base + "/live/guide.xml?key=" + user.stream_key}});
}

Reply Api::GetStreamKey(Request& req) {
    auto user = deps_.db.GetUserById(req.who.user_id);
    if (!user.ok()) return Error(user.error());
    if (user->stream_key.empty()) {
        user->stream_key = RandomToken(24);
        if (auto s = deps_.db.SetStreamKey(user->id, user->stream_key); !s.ok()) return Error(s.error());
    }
    return StreamKeyReply(*user, req);
}

Reply Api::RotateStreamKey(Request& req) {
    auto user = deps_.db.GetUserById(req.who.user_id);
    if (!user.ok()) return Error(user.error());
    user->stream_key = RandomToken(24);
    if (auto s = deps_.db.SetStreamKey(user->id, user->stream_key); !s.ok()) return Error(s.error());
    credentials_.RevokeUserStreamKeys(user->id);
    return StreamKeyReply(*user, req);
}

}  // namespace beacon::server
