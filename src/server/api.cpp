#include "server/api.hpp"
/// Plumbing: the route table, dispatch, authentication, Host and CSRF checks. The handlers live
/// in api_<resource>.cpp, request validation in api_validation.cpp.

#include <arpa/inet.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <exception>

#include "jobs/event_bus.hpp"
#include "server/api_validation.hpp"
#include "server/auth_tokens.hpp"
#include "server/http_util.hpp"
#include "storage/database.hpp"

namespace beacon::server {

using core::Json;

FileDescriptor& FileDescriptor::operator=(FileDescriptor&& o) noexcept {
    if (this != &o) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
}

FileDescriptor::~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
}

using namespace api_detail;

// ---- plumbing ------------------------------------------------------------------------------

Api::Api(ServerDeps& deps, const ServerOptions& options)
    : deps_(deps),
      options_(options),
      throttle_(options.login_free_failures, options.login_lockout_base, options.login_lockout_cap,
                options.login_global_failures_per_minute),
      account_throttle_(options.login_account_free_failures, options.login_account_lockout_base,
                        options.login_account_lockout_cap, options.login_trusted_address_for) {
    // Any event (a job moved or logged, content changed) makes cached bodies stale.
    bus_subscription_ = deps_.events.Subscribe(
        [this](const jobs::Event&) { generation_.fetch_add(1, std::memory_order_acq_rel); });
    const auto P = Access::kPublic;
    const auto U = Access::kUser;
    const auto K = Access::kUserOrStreamKey;
    max_body_limit_ = options.max_body_bytes;
    for (const auto& ext : deps_.routes) {
        Access access = ext.access == RouteAccess::kPublic   ? P
                        : ext.access == RouteAccess::kUser ? U
                                                           : K;
        if (!ext.handle || !router_.Add(ext.method, ext.pattern, Route{access, nullptr, &ext})) {
            std::fprintf(stderr, "beacon: internal error: bad module route %s %s\n",
                         ext.method.c_str(), ext.pattern.c_str());
            std::abort();
        }
        max_body_limit_ = std::max(max_body_limit_, ext.max_body_bytes);
    }
    for (const auto& sock : deps_.sockets) {
        if (!sock.open || !socket_router_.Add("GET", sock.pattern, &sock)) {
            std::fprintf(stderr, "beacon: internal error: bad module socket %s\n",
                         sock.pattern.c_str());
            std::abort();
        }
    }
    if (!options.core_routes) return;
    Add("GET", "/healthz", P, &Api::Health, &Api::HealthFast);
    Add("GET", "/api/v1/auth/status", P, &Api::AuthStatus);
    Add("POST", "/api/v1/auth/setup", P, &Api::AuthSetup);
    Add("POST", "/api/v1/auth/login", P, &Api::AuthLogin);
    Add("POST", "/api/v1/auth/logout", U, &Api::AuthLogout);
    Add("GET", "/api/v1/auth/me", U, &Api::AuthMe);
    Add("POST", "/api/v1/auth/password", U, &Api::AuthPassword);
    Add("POST", "/api/v1/auth/token", U, &Api::AuthToken);
    Add("POST", "/api/v1/auth/refresh", P, &Api::AuthRefresh);
    Add("POST", "/api/v1/auth/revoke", P, &Api::AuthRevoke);  // checks credentials itself
    Add("GET", "/api/v1/auth/families", U, &Api::AuthTokenFamilies);
    Add("GET", "/api/v1/auth/keys", P, &Api::AuthKeys);
    Add("POST", "/api/v1/auth/keys/rotate", U, &Api::AuthRotateKey);
    Add("GET", "/api/v1/tokens", U, &Api::ListTokens);
    Add("POST", "/api/v1/tokens", U, &Api::CreateToken);
    Add("DELETE", "/api/v1/tokens/{id}", U, &Api::DeleteToken);
    Add("GET", "/api/v1/stream-key", U, &Api::GetStreamKey);
    Add("POST", "/api/v1/stream-key/rotate", U, &Api::RotateStreamKey);
    Add("POST", "/api/v1/generate", U, &Api::Generate);
    Add("GET", "/api/v1/jobs", U, &Api::ListJobs);
    Add("GET", "/api/v1/jobs/{id}", U, &Api::GetJob, &Api::GetJobFast);
    Add("GET", "/api/v1/jobs/{id}/logs", U, &Api::GetJobLogs);
    Add("POST", "/api/v1/jobs/{id}/cancel", U, &Api::CancelJob);
    Add("POST", "/api/v1/jobs/{id}/retry", U, &Api::RetryJob);
    Add("POST", "/api/v1/jobs/{id}/scenes/{n}/regenerate", U, &Api::RegenerateScene);
    Add("GET", "/api/v1/content", U, &Api::ListContent, &Api::ListContentFast);
    Add("GET", "/api/v1/content/{id}", U, &Api::GetContent);
    Add("PATCH", "/api/v1/content/{id}", U, &Api::PatchContent);
    Add("DELETE", "/api/v1/content/{id}", U, &Api::DeleteContent);
    Add("POST", "/api/v1/content/{id}/publish", U, &Api::PublishContent);
    Add("DELETE", "/api/v1/content/{id}/publish", U, &Api::UnpublishContent);
    Add("GET", "/api/v1/content/{id}/assets", U, &Api::ContentAssets);
    Add("GET", "/api/v1/engines", U, &Api::Engines);
    Add("GET", "/api/v1/voices", U, &Api::Voices);
    Add("GET", "/api/v1/system", U, &Api::System);
    Add("GET", "/api/v1/playlists", U, &Api::ListPlaylists);
    Add("POST", "/api/v1/playlists", U, &Api::CreatePlaylist);
    Add("GET", "/api/v1/playlists/{id}", U, &Api::GetPlaylist);
    Add("PATCH", "/api/v1/playlists/{id}", U, &Api::PatchPlaylist);
    Add("DELETE", "/api/v1/playlists/{id}", U, &Api::DeletePlaylist);
    Add("POST", "/api/v1/playlists/{id}/insert", U, &Api::InsertIntoPlaylist);
    Add("GET", "/api/v1/playlists/{id}/now", U, &Api::PlaylistNow);
    Add("GET", "/api/v1/events", U, &Api::EventsWithoutUpgrade);
    Add("GET", "/media/{key+}", K, &Api::Media, &Api::MediaFast);
    Add("GET", "/live/channels.m3u", K, &Api::Live);
    Add("GET", "/live/guide.xml", K, &Api::Live);
    Add("GET", "/live/{slug}/index.m3u8", K, &Api::Live);
    Add("GET", "/live/{slug}/video.m3u8", K, &Api::Live);
    Add("GET", "/live/{slug}/audio_{lang}.m3u8", K, &Api::Live);
    Add("GET", "/live/{slug}/subs_{lang}.m3u8", K, &Api::Live);
    Add("GET", "/live/logo.svg", P, &Api::Live);  // public: guide.xml names it without a key
    // HDHomeRun tuner emulation (Plex and Jellyfin send no credentials); 404 unless switched on.
    Add("GET", "/discover.json", P, &Api::Tuner);
    Add("GET", "/lineup_status.json", P, &Api::Tuner);
    Add("GET", "/lineup.json", P, &Api::Tuner);
    Add("GET", "/device.xml", P, &Api::Tuner);
    Add("POST", "/lineup.post", P, &Api::Tuner);
    Add("GET", "/live/{slug}/empty/{mpegts}/{msn}.vtt", K, &Api::Live);
    Add("GET", "/live/{slug}/muxed_{lang}.m3u8", K, &Api::Live);
    Add("GET", "/live/{slug}/tv.m3u8", K, &Api::Live);
    Add("GET", "/live/{slug}/stream.ts", K, &Api::Live);
    Add("GET", "/live/{slug}/v/{file}", K, &Api::Live, &Api::LiveFast);
    Add("GET", "/live/{slug}/a/{lang}/{file}", K, &Api::Live, &Api::LiveFast);
    Add("GET", "/live/{slug}/m/{lang}/{file}", K, &Api::Live, &Api::LiveFast);
    Add("GET", "/live/{slug}/s/{lang}/{file}", K, &Api::Live, &Api::LiveFast);
}

Api::~Api() { deps_.events.Unsubscribe(bus_subscription_); }

void Api::Add(const char* method, const char* pattern, Access access, Method fn, FastMethod fast) {
    bool added = router_.Add(method, pattern, Route{access, fn, nullptr, fast});
    if (!added) {
        std::fprintf(stderr, "beacon: internal error: bad route %s %s\n", method, pattern);
        std::abort();
    }
}

std::vector<RouteInfo> Api::Routes() const {
    std::vector<RouteInfo> out;
    for (const auto& r : router_.routes()) out.push_back({r.method, r.pattern});
    return out;
}

bool Api::IsEventsPath(std::string_view raw_path) const {
    return options_.core_routes && raw_path == "/api/v1/events";
}

const ExtensionSocket* Api::FindSocket(const std::vector<std::string>& segments,
                                       PathParams& params) const {
    auto match = socket_router_.Find("GET", segments);
    if (!match.route) return nullptr;
    params = std::move(match.params);
    return match.route->handler;
}

std::optional<Reply> Api::PrepareSocket(Request& req) {
    try {
        if (auto bad = CheckHost(req)) return std::move(*bad);
        auto who = AuthenticateWebSocket(req);
        if (!who.ok()) return Error(who.error());
        req.who = std::move(*who);
        return std::nullopt;
    } catch (const std::exception& e) {
        return Error(500, "internal", std::string("internal error: ") + e.what());
    }
}

std::size_t Api::BodyLimitFor(std::string_view method, std::string_view target) const {
    if (deps_.routes.empty()) return options_.max_body_bytes;
    std::string_view path = target.substr(0, target.find('?'));
    auto segments = DecodePathSegments(path);
    if (!segments) return options_.max_body_bytes;
    auto match = router_.Find(method, *segments);
    if (match.route && match.route->handler.extension &&
        match.route->handler.extension->max_body_bytes > 0) {
        return match.route->handler.extension->max_body_bytes;
    }
    return options_.max_body_bytes;
}

const ExtensionRoute* Api::SpoolingRouteFor(std::string_view method, std::string_view target) const {
    if (deps_.routes.empty()) return nullptr;
    auto segments = DecodePathSegments(target.substr(0, target.find('?')));
    if (!segments) return nullptr;
    auto match = router_.Find(method, *segments);
    if (!match.route || !match.route->handler.extension) return nullptr;
    return match.route->handler.extension->spool_body_to_file ? match.route->handler.extension
                                                               : nullptr;
}

Reply Api::Error(unsigned status, std::string_view code, std::string_view message) {
    Reply r;
    r.status = status;
    r.body = ErrorJson(code, message);
    r.AddHeader("Cache-Control", "no-store");
    return r;
}

Reply Api::Error(const core::Error& e) {
    Reply r = Error(HttpStatusFor(e.code), core::ToString(e.code), e.message);
    if (e.code == core::ErrorCode::kRateLimited) {
        auto secs = std::max<std::int64_t>(
            1, std::chrono::ceil<std::chrono::seconds>(e.retry_after).count());
        r.AddHeader("Retry-After", std::to_string(secs));
    }
    if (e.code == core::ErrorCode::kUnauthorized) r.AddHeader("WWW-Authenticate", "Bearer");
    return r;
}

Reply Api::Json(unsigned status, const core::Json& body) {
    Reply r;
    r.status = status;
    r.body = Dump(body);
    r.AddHeader("Cache-Control", "no-store");
    return r;
}

Reply Api::Handle(Request& req) {
    const bool live = req.raw_path.starts_with("/live/");
    Reply r;
    try {
        r = live && req.method == "OPTIONS" ? Reply{204, ""} : Dispatch(req);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "beacon: %s %s: unexpected exception: %s\n", req.method.c_str(),
                     req.raw_path.c_str(), e.what());
        r = Error(500, "internal", std::string("internal error: ") + e.what());
    }
    // Whatever it changed, bodies cached before it are stale now.
    if (IsStateChanging(req.method)) generation_.fetch_add(1, std::memory_order_acq_rel);
    if (live) AddLiveCors(req, r);
    return r;
}

std::optional<Reply> Api::HandleFast(Request& req) {
    if (req.method != "GET" && req.method != "HEAD") return std::nullopt;
    try {
        auto r = DispatchFast(req);
        if (r && req.raw_path.starts_with("/live/")) AddLiveCors(req, *r);
        return r;
    } catch (const std::exception&) {
        return std::nullopt;  // Handle answers (and reports) it
    }
}

std::optional<Reply> Api::DispatchFast(Request& req) {
    bool by_key = req.raw_path.starts_with("/live/") || req.raw_path.starts_with("/media/") ||
                  req.raw_path == "/healthz";
    auto match = router_.Find(req.method, req.segments);
    if (match.route) req.route = match.route->pattern;  // the metrics hook's route class
    if (match.route && match.route->handler.extension) return std::nullopt;  // may block
    if (!by_key) {
        if (auto bad = CheckHost(req)) return std::move(*bad);
    }
    if (!match.route) {
        bool api_like = req.raw_path == "/api" || req.raw_path.starts_with("/api/") ||
                        req.raw_path.starts_with("/media/") || req.raw_path.starts_with("/live/");
        if (!match.path_matched && !api_like && options_.core_routes) return Static(req);
        return std::nullopt;
    }
    const Route& route = match.route->handler;
    if (!route.fast) return std::nullopt;
    req.params = std::move(match.params);
    if (route.access != Access::kPublic) {
        auto who = AuthenticateFromCache(req, route.access == Access::kUserOrStreamKey);
        if (!who) return std::nullopt;
        req.who = std::move(*who);
        if (!req.who.authenticated()) {
            return Error(core::Error{core::ErrorCode::kUnauthorized,
                                     "sign in first (session cookie or Authorization: Bearer "
                                     "<token>)"});
        }
    }
    return (this->*route.fast)(req);
}

void Api::AddLiveCors(const Request& req, Reply& r) const {
    // Web players on another origin read channels with ?key= (never cookies: no credentials).
    const std::string origin = req.Header(http::field::origin);
    const auto& allowed = options_.live_cors_origins;
    const bool any = std::find(allowed.begin(), allowed.end(), "*") != allowed.end();
    const bool listed = !origin.empty() &&
                        std::find(allowed.begin(), allowed.end(), origin) != allowed.end();
    if (req.method == "OPTIONS") {
        r.AddHeader("Allow", "GET, HEAD, OPTIONS");
        if (!any && !listed) return;
        r.AddHeader("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS");
        r.AddHeader("Access-Control-Allow-Headers", "Range");
        r.AddHeader("Access-Control-Max-Age", "86400");
    }
    if (any) {
        r.AddHeader("Access-Control-Allow-Origin", "*");
    } else if (listed) {
        r.AddHeader("Access-Control-Allow-Origin", origin);
        r.AddHeader("Vary", "Origin");
    } else {
        return;
    }
    r.AddHeader("Access-Control-Expose-Headers", "Content-Length, Content-Range");
}

namespace {

/// "Wrong credentials" (the caller is simply not signed in) as opposed to storage failing.
bool IsNoSuchCredential(const core::Error& e) {
    return e.code == core::ErrorCode::kUnauthorized || e.code == core::ErrorCode::kNotFound;
}

/// A storage failure while checking credentials: 503 saying so, never "sign in first".
core::Error CredentialCheckFailed(const core::Error& e) {
    return core::Error{core::ErrorCode::kUnavailable,
                       "cannot check your credentials right now (storage failed: " + e.message +
                           "); try again later",
                       true};
}

/// "host" of a Host header value (port and IPv6 brackets removed, lowercase).
std::string HostName(std::string_view host) {
    std::string name;
    if (!host.empty() && host.front() == '[') {
        auto close = host.find(']');
        name = std::string(host.substr(1, close == std::string_view::npos ? host.size() : close - 1));
    } else {
        auto colon = host.find(':');
        name = std::string(host.substr(0, colon));
    }
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return name;
}

bool IsIpLiteral(const std::string& name, bool* loopback) {
    in_addr v4{};
    in6_addr v6{};
    if (::inet_pton(AF_INET, name.c_str(), &v4) == 1) {
        *loopback = (ntohl(v4.s_addr) >> 24) == 127;
        return true;
    }
    if (::inet_pton(AF_INET6, name.c_str(), &v6) == 1) {
        *loopback = IN6_IS_ADDR_LOOPBACK(&v6);
        return true;
    }
    return false;
}

/// The host of an origin or URL ("http://a.b:8080/x" → "a.b:8080"), as sent in Host.
std::string_view UrlAuthority(std::string_view url) {
    auto scheme = url.find("://");
    if (scheme == std::string_view::npos) return {};
    url.remove_prefix(scheme + 3);
    return url.substr(0, url.find('/'));
}

}  // namespace

core::Result<Identity> Api::Authenticate(const Request& req, bool allow_query_token,
                                         bool allow_stream_key) {
    Identity who;
    using Kind = CredentialCache::Kind;
    const auto now = CredentialCache::Clock::now();
    const core::UnixMillis wall = core::NowMillis();
    // Reads only: a database that cannot be written (disk full) still lets callers in.
    auto token_identity = [&](const std::string& token) -> core::Status {
        if (AccessTokens::LooksLikeAccessToken(token)) {  // signed: checked in memory
            who = AccessTokenIdentity(token);
            return {};
        }
        const std::string digest = HashToken(token);
        if (auto hit = credentials_.Find(Kind::kBearer, digest, now, wall)) {
            who.via = Identity::Via::kBearer;
            who.user_id = hit->user_id;
            who.token_id = hit->token_id;
            return {};
        }
        const auto generation = credentials_.Generation();
        auto t = deps_.db.GetTokenByHash(digest);
        if (t.ok()) {
            who.via = Identity::Via::kBearer;
            who.user_id = t->user_id;
            who.token_id = t->id;
            CredentialCache::Entry e;
            e.user_id = t->user_id;
            e.token_id = t->id;
            e.checked = now;
            credentials_.Put(Kind::kBearer, digest, std::move(e), generation);
        } else if (IsNoSuchCredential(t.error())) {
            credentials_.Forget(Kind::kBearer, digest);
        } else {
            return CredentialCheckFailed(t.error());
        }
        return {};
    };
    std::string authz = req.Header(http::field::authorization);
    if (!authz.empty()) {
        if (authz.size() > 7 && (authz.starts_with("Bearer ") || authz.starts_with("bearer "))) {
            BEACON_CHECK(token_identity(authz.substr(7)));
        }
        return who;  // a wrong Authorization header never falls back to other credentials
    }
    std::string cookie = CookieValue(req.Header(http::field::cookie), kSessionCookie);
    if (!cookie.empty()) {
        std::string hash = HashToken(cookie);
        if (auto hit = credentials_.Find(Kind::kSession, hash, now, wall)) {
            who.via = Identity::Via::kSession;
            who.user_id = hit->user_id;
            who.csrf_token = hit->csrf_token;
            who.session_hash = hash;
            return who;
        }
        const auto generation = credentials_.Generation();
        auto s = deps_.db.GetSession(hash, wall);
        if (s.ok()) {
            who.via = Identity::Via::kSession;
            who.user_id = s->user_id;
            who.csrf_token = s->csrf_token;
            who.session_hash = hash;
            CredentialCache::Entry e;
            e.user_id = s->user_id;
            e.csrf_token = s->csrf_token;
            e.expires_at = s->expires_at;
            e.checked = now;
            credentials_.Put(Kind::kSession, hash, std::move(e), generation);
            return who;
        }
        if (!IsNoSuchCredential(s.error())) return CredentialCheckFailed(s.error());
        credentials_.Forget(Kind::kSession, hash);
    }
    if (allow_query_token && req.HasQuery("token")) {
        BEACON_CHECK(token_identity(req.Query("token")));
        if (who.authenticated()) return who;
    }
    if (allow_stream_key && req.HasQuery("key")) {
        std::string key = req.Query("key");
        if (!key.empty()) {
            const std::string digest = Sha256Hex(key);
            if (auto hit = credentials_.Find(Kind::kStreamKey, digest, now, wall)) {
                who.via = Identity::Via::kStreamKey;
                who.user_id = hit->user_id;
                who.stream_key = key;
                return who;
            }
            const auto generation = credentials_.Generation();
            auto u = deps_.db.GetUserByStreamKey(key);
            if (u.ok()) {
                who.via = Identity::Via::kStreamKey;
                who.user_id = u->id;
                who.stream_key = key;
                CredentialCache::Entry e;
                e.user_id = u->id;
                e.checked = now;
                credentials_.Put(Kind::kStreamKey, digest, std::move(e), generation);
            } else if (IsNoSuchCredential(u.error())) {
                credentials_.Forget(Kind::kStreamKey, digest);
            } else {
                return CredentialCheckFailed(u.error());
            }
        }
    }
    return who;
}

std::optional<Identity> Api::AuthenticateFromCache(const Request& req, bool allow_stream_key) {
    using Kind = CredentialCache::Kind;
    const auto now = CredentialCache::Clock::now();
    const core::UnixMillis wall = core::NowMillis();
    Identity who;
    std::string authz = req.Header(http::field::authorization);
    if (!authz.empty()) {
        if (authz.size() > 7 && (authz.starts_with("Bearer ") || authz.starts_with("bearer "))) {
            std::string token = authz.substr(7);
            if (AccessTokens::LooksLikeAccessToken(token)) return AccessTokenIdentity(token);
            auto hit = credentials_.Find(Kind::kBearer, HashToken(token), now, wall);
            if (!hit) return std::nullopt;
            who.via = Identity::Via::kBearer;
            who.user_id = hit->user_id;
            who.token_id = hit->token_id;
        }
        return who;  // as Authenticate: a wrong Authorization header is final
    }
    std::string cookie = CookieValue(req.Header(http::field::cookie), kSessionCookie);
    if (!cookie.empty()) {
        std::string hash = HashToken(cookie);
        auto hit = credentials_.Find(Kind::kSession, hash, now, wall);
        if (!hit) return std::nullopt;
        who.via = Identity::Via::kSession;
        who.user_id = hit->user_id;
        who.csrf_token = hit->csrf_token;
        who.session_hash = std::move(hash);
        return who;
    }
    if (allow_stream_key && req.HasQuery("key")) {
        std::string key = req.Query("key");
        if (!key.empty()) {
            auto hit = credentials_.Find(Kind::kStreamKey, Sha256Hex(key), now, wall);
            if (!hit) return std::nullopt;
            who.via = Identity::Via::kStreamKey;
            who.user_id = hit->user_id;
            who.stream_key = std::move(key);
        }
    }
    return who;
}

core::Result<Identity> Api::AuthenticateWebSocket(const Request& req) {
    try {
        if (auto bad = HostProblem(req)) return core::Error::Invalid(*bad);
        BEACON_TRY(who, Authenticate(req, true, false));
        // Browsers send cookies on cross-site WebSocket handshakes too: a cookie-authenticated
        // upgrade must come from a page of this server (Origin host == Host).
        std::string origin = req.Header(http::field::origin);
        if (who.via == Identity::Via::kSession && !origin.empty()) {
            auto scheme = origin.find("://");
            std::string origin_host = scheme == std::string::npos ? origin : origin.substr(scheme + 3);
            if (origin_host != req.Header(http::field::host)) return Identity{};
        }
        return who;
    } catch (const std::exception& e) {
        return core::Error::Internal(std::string("internal error: ") + e.what());
    }
}

std::optional<Reply> Api::CheckHost(const Request& req) const {
    if (auto bad = HostProblem(req)) return Error(400, "invalid_argument", *bad);
    return std::nullopt;
}

std::optional<std::string> Api::HostProblem(const Request& req) const {
    std::string host = req.Header(http::field::host);
    std::string name = HostName(host);
    auto allowed = [&] {
        bool loopback = false;
        bool ip = IsIpLiteral(name, &loopback);
        if (name == "localhost" || loopback) return true;
        std::string listen = HostName(options_.listen.host);
        if (name == listen) return true;
        // On a wildcard address any of the machine's addresses may be used; an IP address
        // cannot be rebound to another site's name.
        if (ip && (listen == "0.0.0.0" || listen == "::" || listen.empty())) return true;
        if (!options_.public_url.empty() && name == HostName(UrlAuthority(options_.public_url))) {
            return true;
        }
        for (const auto& h : options_.allowed_hosts) {
            if (h == "*" || HostName(h) == name) return true;
        }
        return false;
    };
    if (!name.empty() && allowed()) return std::nullopt;
    return "the Host header '" + host.substr(0, 100) +
           "' is not a name of this server; add it to server.allowed_hosts";
}

std::optional<Reply> Api::CheckCredentialPost(const Request& req) const {
    std::string type = req.Header(http::field::content_type);
    std::string media = HostName(type.substr(0, type.find(';')));  // lowercase, trimmed of ';...'
    while (!media.empty() && media.back() == ' ') media.pop_back();
    if (media != "application/json") {
        return Error(415, "unsupported_media_type",
                     "send the credentials as JSON (Content-Type: application/json)");
    }
    // A browser names the page that sent the request: only this server's own pages may sign in
    // or set the first password (a cross-site form or fetch could otherwise take the server
    // over before its owner sets a password).
    std::string site = req.Header("Sec-Fetch-Site");
    std::string origin = req.Header(http::field::origin);
    bool same_origin = origin.empty() || UrlAuthority(origin) == req.Header(http::field::host) ||
                       (!options_.public_url.empty() &&
                        UrlAuthority(origin) == UrlAuthority(options_.public_url));
    if (!same_origin || site == "cross-site" || site == "same-site") {
        return Error(403, "forbidden",
                     "credentials may only be sent from this server's own pages (Origin '" +
                         origin.substr(0, 100) + "')");
    }
    return std::nullopt;
}

Reply Api::Dispatch(Request& req) {
    // Players reach /live and /media by address with a key of their own; everything else
    // answers only to this server's names (a rebound DNS name reaches no page or API).
    bool by_key = req.raw_path.starts_with("/live/") || req.raw_path.starts_with("/media/") ||
                  req.raw_path == "/healthz";
    auto match = router_.Find(req.method, req.segments);
    if (match.route) req.route = match.route->pattern;  // the metrics hook's route class
    if (match.route && match.route->handler.extension &&
        match.route->handler.extension->any_host) {
        by_key = true;
    }
    if (!by_key) {
        if (auto bad = CheckHost(req)) return std::move(*bad);
    }
    if (!match.route) {
        bool api_like = req.raw_path == "/api" || req.raw_path.starts_with("/api/") ||
                        req.raw_path.starts_with("/media/") || req.raw_path.starts_with("/live/");
        if (match.path_matched) {
            Reply r = Error(405, "method_not_allowed",
                            req.method + " is not allowed on " + req.raw_path);
            std::string allow;
            for (const auto& m : match.allowed) allow += (allow.empty() ? "" : ", ") + m;
            if (std::find(match.allowed.begin(), match.allowed.end(), "GET") != match.allowed.end()) {
                allow += ", HEAD";
            }
            r.AddHeader("Allow", allow);
            return r;
        }
        if (!api_like && options_.core_routes && (req.method == "GET" || req.method == "HEAD")) {
            return Static(req);
        }
        return Error(404, "not_found", "no route for " + req.method + " " + req.raw_path);
    }
    req.params = std::move(match.params);
    const Route& route = match.route->handler;
    if (route.access != Access::kPublic) {
        auto who = Authenticate(req, false, route.access == Access::kUserOrStreamKey &&
                                                (req.method == "GET" || req.method == "HEAD"));
        if (!who.ok()) return Error(who.error());
        req.who = std::move(*who);
        if (!req.who.authenticated()) {
            return Error(core::Error{core::ErrorCode::kUnauthorized,
                                     "sign in first (session cookie or Authorization: Bearer "
                                     "<token>)"});
        }
        if (req.who.via == Identity::Via::kSession && IsStateChanging(req.method)) {
            std::string csrf = req.Header("X-CSRF-Token");
            if (csrf.empty() || !SecretEquals(csrf, req.who.csrf_token)) {
                return Error(403, "forbidden",
                             "missing or wrong X-CSRF-Token header for a cookie-authenticated request");
            }
        }
    } else if (route.extension) {
        // A module's public route still learns who is calling when valid credentials came.
        auto who = Authenticate(req, false, false);
        if (who.ok()) req.who = std::move(*who);
    }
    // Every JSON body is checked against api/openapi.yaml before a handler sees it (a public
    // credential post that is not JSON is left to its handler, which answers 415).
    const bool json_or_bare = req.Header(http::field::content_type).empty() ||
                              req.Header(http::field::content_type).find("json") != std::string::npos;
    if (IsStateChanging(req.method) && (json_or_bare || route.access != Access::kPublic) &&
        !(route.extension && route.extension->spool_body_to_file)) {
        if (auto bad = CheckBodyAgainstContract(req, match.route->pattern)) return std::move(*bad);
    }
    if (route.extension) return route.extension->handle(req);
    return (this->*route.method)(req);
}

bool Api::SecureCookies() const {
    return options_.secure_cookies || options_.public_url.starts_with("https://");
}

std::string Api::BaseUrl(const Request& req) const {
    if (!options_.public_url.empty()) {
        std::string u = options_.public_url;
        while (!u.empty() && u.back() == '/') u.pop_back();
        return u;
    }
    std::string host = req.Header(http::field::host);
    bool ok = !host.empty() && host.size() < 256;
    for (char c : host) {
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' ||
              c == '[' || c == ']')) {
            ok = false;
        }
    }
    if (!ok) host = options_.listen.ToString();
    return (options_.tls_cert.empty() ? "http://" : "https://") + host;
}

}  // namespace beacon::server
