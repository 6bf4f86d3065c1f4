#include "server/api.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <exception>
#include <regex>
#include <set>

#include "jobs/event_bus.hpp"
#include "jobs/worker_pool.hpp"
#include "server/http_util.hpp"
#include "storage/database.hpp"
#include "storage/object_store.hpp"

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

namespace {

constexpr std::string_view kSessionCookie = "beacon_session";
constexpr int kMaxLimit = 200;

std::string Dump(const Json& j) {
    return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

/// Parses the body as a JSON object. An empty body is `{}` when allowed.
core::Result<Json> BodyObject(const Request& req, bool empty_ok = false) {
    const std::string& body = req.msg.body();
    if (body.find_first_not_of(" \t\r\n") == std::string::npos) {
        if (empty_ok) return Json::object();
        return core::Error::Invalid("the request body must be a JSON object");
    }
    Json j;
    std::string last_key;  // the field being parsed, to name it in an error
    Json::parser_callback_t track = [&last_key](int, Json::parse_event_t event, Json& parsed) {
        if (event == Json::parse_event_t::key && parsed.is_string()) {
            last_key = parsed.get<std::string>();
        }
        return true;
    };
    try {
        j = Json::parse(body, track);
    } catch (const Json::parse_error& e) {
        std::string what = e.what();
        auto pos = what.find("] ");
        if (pos != std::string::npos) what = what.substr(pos + 2);
        return core::Error::Invalid("malformed JSON body: " + what);
    } catch (const Json::out_of_range&) {  // e.g. 1e309 or a 400-digit integer
        if (last_key.empty()) return core::Error::Invalid("a number in the body is out of range");
        return core::Error::Invalid("field '" + last_key.substr(0, 100) +
                                    "' holds a number out of range");
    }
    if (!j.is_object()) return core::Error::Invalid("the request body must be a JSON object");
    return j;
}

core::Status OnlyFields(const Json& body, std::initializer_list<std::string_view> known) {
    for (const auto& [k, _] : body.items()) {
        if (std::find(known.begin(), known.end(), k) == known.end()) {
            return core::Error::Invalid("unknown field '" + k + "'");
        }
    }
    return {};
}

std::size_t Utf8Chars(const std::string& s) {
    std::size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
}

/// A string field: absent → nullopt; wrong type or length → error naming it.
core::Result<std::optional<std::string>> OptString(const Json& body, const char* name,
                                                   std::size_t min_chars, std::size_t max_chars) {
    auto it = body.find(name);
    if (it == body.end()) return std::optional<std::string>();
    if (!it->is_string()) return core::Error::Invalid(std::string("field '") + name + "' must be a string");
    std::string v = it->get<std::string>();
    std::size_t n = Utf8Chars(v);
    if (n < min_chars) {
        return core::Error::Invalid(std::string("field '") + name + "' must not be empty");
    }
    if (n > max_chars) {
        return core::Error::Invalid(std::string("field '") + name + "' is longer than " +
                                    std::to_string(max_chars) + " characters");
    }
    return std::optional<std::string>(std::move(v));
}

core::Result<std::optional<bool>> OptBool(const Json& body, const char* name) {
    auto it = body.find(name);
    if (it == body.end()) return std::optional<bool>();
    if (!it->is_boolean()) {
        return core::Error::Invalid(std::string("field '") + name + "' must be true or false");
    }
    return std::optional<bool>(it->get<bool>());
}

core::Result<std::int64_t> IdField(const Json& body, const char* name, bool required) {
    auto it = body.find(name);
    if (it == body.end()) {
        if (required) return core::Error::Invalid(std::string("field '") + name + "' is required");
        return std::int64_t{0};
    }
    if (!it->is_number_integer() || it->get<std::int64_t>() <= 0) {
        return core::Error::Invalid(std::string("field '") + name + "' must be a positive integer id");
    }
    return it->get<std::int64_t>();
}

core::Result<std::int64_t> PathId(const Request& req, const char* name = "id") {
    auto it = req.params.find(name);
    auto v = it == req.params.end() ? std::nullopt : ParsePositiveId(it->second);
    if (!v) return core::Error::Invalid(std::string("path parameter '") + name +
                                        "' must be a positive integer");
    return *v;
}

core::Result<std::int64_t> QueryInt(const Request& req, const char* name, std::int64_t def,
                                    std::int64_t min, std::int64_t max) {
    if (!req.HasQuery(name)) return def;
    auto v = ParseInt64(req.Query(name));
    if (!v || *v < min || *v > max) {
        return core::Error::Invalid(std::string("query parameter '") + name +
                                    "' must be an integer from " + std::to_string(min) + " to " +
                                    std::to_string(max));
    }
    return *v;
}

/// Reads ?limit= (1..kMaxLimit, default 50) and ?offset= (default 0) into a query struct.
template <class Query>
core::Status ReadPaging(const Request& req, Query& q) {
    auto limit = QueryInt(req, "limit", 50, 1, kMaxLimit);
    if (!limit.ok()) return limit.error();
    auto offset = QueryInt(req, "offset", 0, 0, std::numeric_limits<std::int64_t>::max());
    if (!offset.ok()) return offset.error();
    q.limit = static_cast<int>(*limit);
    q.offset = *offset;
    return {};
}

/// {"items":[...],"total","limit","offset"} for a page of rows.
template <class Page, class Query>
core::Json PageJson(const Page& page, const Query& q) {
    core::Json items = core::Json::array();
    for (const auto& row : page.items) items.push_back(core::ToJson(row));
    return {{"items", items}, {"total", page.total}, {"limit", q.limit}, {"offset", q.offset}};
}

core::Result<std::optional<bool>> QueryBool(const Request& req, const char* name) {
    if (!req.HasQuery(name)) return std::optional<bool>();
    std::string v = req.Query(name);
    if (v == "true" || v == "1") return std::optional<bool>(true);
    if (v == "false" || v == "0") return std::optional<bool>(false);
    return core::Error::Invalid(std::string("query parameter '") + name + "' must be true or false");
}

bool ValidSlug(const std::string& s) {
    static const std::regex kSlug("^[a-z0-9-]{1,40}$");
    return std::regex_match(s, kSlug);
}

std::string Slugify(const std::string& title) {
    std::string out;
    for (unsigned char c : title) {
        if (std::isalnum(c) && c < 128) {
            out += static_cast<char>(std::tolower(c));
        } else if (!out.empty() && out.back() != '-') {
            out += '-';
        }
        if (out.size() >= 32) break;
    }
    while (!out.empty() && out.back() == '-') out.pop_back();
    return out.empty() ? "channel" : out;
}

bool ValidMediaKey(std::string_view key) {
    if (key.empty() || key.size() > 1024) return false;
    for (char c : key) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '/' || c == '.' ||
                  c == '_' || c == '-';
        if (!ok) return false;
    }
    for (const auto& seg : SplitPath("/" + std::string(key))) {
        if (seg.empty() || seg == "." || seg == ".." || seg.front() == '.') return false;
    }
    return true;
}

/// RFC 3339 → Unix milliseconds.
std::optional<core::UnixMillis> ParseRfc3339(const std::string& s) {
    static const std::regex kRe(
        R"(^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.(\d{1,9}))?([Zz]|([+-])(\d{2}):(\d{2}))$)");
    std::smatch m;
    if (!std::regex_match(s, m, kRe)) return std::nullopt;
    std::tm tm{};
    tm.tm_year = std::stoi(m[1]) - 1900;
    tm.tm_mon = std::stoi(m[2]) - 1;
    tm.tm_mday = std::stoi(m[3]);
    tm.tm_hour = std::stoi(m[4]);
    tm.tm_min = std::stoi(m[5]);
    tm.tm_sec = std::stoi(m[6]);
    if (tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
        tm.tm_min > 59 || tm.tm_sec > 60) {
        return std::nullopt;
    }
    std::int64_t secs = timegm(&tm);
    std::int64_t ms = 0;
    if (m[8].matched) {
        std::string frac = m[8].str();
        frac.resize(3, '0');
        ms = std::stoi(frac.substr(0, 3));
    }
    if (m[10].matched) {
        int off = std::stoi(m[11]) * 3600 + std::stoi(m[12]) * 60;
        secs -= m[10] == "+" ? off : -off;
    }
    return secs * 1000 + ms;
}

/// Validates scheduled_slots and returns them normalised.
/// Follows playlist slots from `start` through the stored schedules; true when they lead back to
/// `self` (a channel that would play itself forever).
bool SlotsLeadBackTo(storage::Database& db, std::int64_t start, std::int64_t self) {
    std::set<std::int64_t> seen;
    std::vector<std::int64_t> todo{start};
    while (!todo.empty() && seen.size() < 10000) {
        std::int64_t id = todo.back();
        todo.pop_back();
        if (id == self) return true;
        if (!seen.insert(id).second) continue;
        auto p = db.GetPlaylist(id);
        if (!p.ok() || !p->scheduled_slots.is_array()) continue;
        for (const auto& s : p->scheduled_slots) {
            if (s.is_object() && s.contains("playlist_id") && s["playlist_id"].is_number_integer()) {
                todo.push_back(s["playlist_id"].get<std::int64_t>());
            }
        }
    }
    return false;
}

/// `self_id`: the playlist whose slots these are (slots that lead back to it are refused).
core::Result<Json> ValidateSlots(storage::Database& db, const Json& slots, std::int64_t self_id) {
    if (!slots.is_array()) return core::Error::Invalid("field 'scheduled_slots' must be an array");
    if (slots.size() > 500) return core::Error::Invalid("field 'scheduled_slots' holds more than 500 slots");
    static const std::regex kTime("^([01][0-9]|2[0-3]):[0-5][0-9]$");
    Json out = Json::array();
    int n = 0;
    for (const auto& slot : slots) {
        ++n;
        std::string where = "scheduled_slots[" + std::to_string(n - 1) + "]: ";
        if (!slot.is_object()) return core::Error::Invalid(where + "must be an object");
        for (const auto& [k, _] : slot.items()) {
            if (k != "time" && k != "days" && k != "content_id" && k != "playlist_id") {
                return core::Error::Invalid(where + "unknown field '" + k + "'");
            }
        }
        Json norm = Json::object();
        auto time = slot.find("time");
        if (time == slot.end() || !time->is_string() ||
            !std::regex_match(time->get<std::string>(), kTime)) {
            return core::Error::Invalid(where + "'time' must be \"HH:MM\" (24-hour)");
        }
        norm["time"] = *time;
        auto days = slot.find("days");
        if (days == slot.end()) {
            return core::Error::Invalid(where + "'days' is required (\"daily\" or [0-6...])");
        }
        if (days->is_string()) {
            if (*days != "daily") {
                return core::Error::Invalid(where + "'days' must be \"daily\" or an array of 0-6");
            }
            norm["days"] = "daily";
        } else if (days->is_array()) {
            std::set<int> set;
            for (const auto& d : *days) {
                // Compared at full width: 4294967296 must not wrap to 0 (Sunday).
                bool in_range = (d.is_number_unsigned() && d.get<std::uint64_t>() <= 6) ||
                                (d.is_number_integer() && !d.is_number_unsigned() &&
                                 d.get<std::int64_t>() >= 0 && d.get<std::int64_t>() <= 6);
                if (!in_range) {
                    return core::Error::Invalid(where + "'days' entries must be integers 0 (Sunday) to 6");
                }
                set.insert(static_cast<int>(d.get<std::int64_t>()));
            }
            if (set.empty()) return core::Error::Invalid(where + "'days' must not be empty");
            norm["days"] = Json(std::vector<int>(set.begin(), set.end()));
        } else {
            return core::Error::Invalid(where + "'days' must be \"daily\" or an array of 0-6");
        }
        bool has_content = slot.contains("content_id");
        bool has_playlist = slot.contains("playlist_id");
        if (has_content == has_playlist) {
            return core::Error::Invalid(where + "give exactly one of 'content_id' and 'playlist_id'");
        }
        if (has_content) {
            BEACON_TRY(id, IdField(slot, "content_id", true));
            auto c = db.GetContent(id);
            if (!c.ok()) {
                if (c.error().code == core::ErrorCode::kNotFound) {
                    return core::Error::Invalid(where + "content " + std::to_string(id) + " does not exist");
                }
                return c.error();
            }
            norm["content_id"] = id;
        } else {
            BEACON_TRY(id, IdField(slot, "playlist_id", true));
            auto p = db.GetPlaylist(id);
            if (!p.ok()) {
                if (p.error().code == core::ErrorCode::kNotFound) {
                    return core::Error::Invalid(where + "playlist " + std::to_string(id) + " does not exist");
                }
                return p.error();
            }
            if (SlotsLeadBackTo(db, id, self_id)) {
                return core::Error::Invalid(
                    where + "playlist " + std::to_string(id) +
                    (id == self_id ? " is this channel itself"
                                   : "'s schedule leads back to this channel") +
                    ": a channel cannot schedule itself (cycle)");
            }
            norm["playlist_id"] = id;
        }
        out.push_back(std::move(norm));
    }
    return out;
}

Json UserJson(const core::User& u) { return Json{{"id", u.id}, {"name", u.name}}; }

Json TokenJson(const storage::Database::Token& t) {
    return Json{{"id", t.id},
                {"name", t.name},
                {"created_at", core::FormatTimestamp(t.created_at)},
                {"last_used_at", t.last_used_at ? Json(core::FormatTimestamp(t.last_used_at)) : Json()}};
}

bool IsStateChanging(std::string_view method) {
    return method != "GET" && method != "HEAD" && method != "OPTIONS";
}

std::string HexU64(std::uint64_t v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%" PRIx64, v);
    return buf;
}

}  // namespace

// ---- plumbing ------------------------------------------------------------------------------

Api::Api(ServerDeps& deps, const ServerOptions& options)
    : deps_(deps),
      options_(options),
      throttle_(options.login_free_failures, options.login_lockout_base, options.login_lockout_cap,
                options.login_global_failures_per_minute) {
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
        const std::string digest = HashToken(token);
        if (auto hit = credentials_.Find(Kind::kBearer, digest, now, wall)) {
            who.via = Identity::Via::kBearer;
            who.user_id = hit->user_id;
            return {};
        }
        const auto generation = credentials_.Generation();
        auto t = deps_.db.GetTokenByHash(digest);
        if (t.ok()) {
            who.via = Identity::Via::kBearer;
            who.user_id = t->user_id;
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
            auto hit = credentials_.Find(Kind::kBearer, HashToken(authz.substr(7)), now, wall);
            if (!hit) return std::nullopt;
            who.via = Identity::Via::kBearer;
            who.user_id = hit->user_id;
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
        std::string listen = HostName(options_.host);
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
    if (!ok) host = options_.host + ":" + std::to_string(options_.port);
    return "http://" + host;
}

// ---- files -----------------------------------------------------------------------------------

FileDescriptor Api::OpenBeneath(const std::filesystem::path& root, std::string_view relative) {
    int dir = ::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) return FileDescriptor();
    FileDescriptor root_fd(dir);
    return OpenBeneathAt(dir, relative);
}

FileDescriptor Api::OpenBeneathAt(int dir, std::string_view relative) {
    // The kernel resolves the path and refuses any step (a symlink or "..") that leaves root.
    open_how how{};
    how.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
    std::string rel(relative);
    long fd = ::syscall(SYS_openat2, dir, rel.c_str(), &how, sizeof how);
    if (fd >= 0) return FileDescriptor(static_cast<int>(fd));
    if (errno != ENOSYS) return FileDescriptor();
    // Kernels before 5.6: no symlink is followed at all.
    int at = dir;
    FileDescriptor step;
    std::string_view rest = relative;
    while (!rest.empty()) {
        auto slash = rest.find('/');
        std::string part(rest.substr(0, slash));
        rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
        int flags = O_CLOEXEC | O_NOFOLLOW | (rest.empty() ? O_RDONLY : (O_PATH | O_DIRECTORY));
        int next = ::openat(at, part.c_str(), flags);
        if (next < 0) return FileDescriptor();
        step = FileDescriptor(next);
        at = next;
    }
    return step;
}

Reply Api::ServeFile(const std::filesystem::path& path, const Request& req,
                     std::string cache_control, std::string content_type) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Error(404, "not_found", "no such file");
    return ServeOpenFile(FileDescriptor(fd), path, req, std::move(cache_control),
                         std::move(content_type));
}

Reply Api::ServeOpenFile(FileDescriptor file, const std::filesystem::path& path,
                         const Request& req, std::string cache_control, std::string content_type) {
    const int fd = file.get();
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return Error(404, "not_found", "no such file");
    auto size = static_cast<std::uint64_t>(st.st_size);
    auto mtime_ns = static_cast<std::uint64_t>(st.st_mtim.tv_sec) * 1'000'000'000ULL +
                    static_cast<std::uint64_t>(st.st_mtim.tv_nsec);
    std::string etag = "\"" + HexU64(size) + "-" + HexU64(mtime_ns) + "\"";
    std::string last_modified = HttpDate(st.st_mtim.tv_sec);

    Reply r;
    r.content_type = content_type.empty() ? std::string(ContentTypeFor(path.string())) : content_type;
    r.AddHeader("ETag", etag);
    r.AddHeader("Last-Modified", last_modified);
    r.AddHeader("Cache-Control", cache_control);
    r.AddHeader("Accept-Ranges", "bytes");

    std::string inm = req.Header(http::field::if_none_match);
    bool not_modified = false;
    if (!inm.empty()) {
        not_modified = inm == "*" || inm.find(etag) != std::string::npos;
    } else if (auto ims = ParseHttpDate(req.Header(http::field::if_modified_since))) {
        not_modified = st.st_mtim.tv_sec <= *ims;
    }
    if (not_modified) {
        r.status = 304;
        r.content_type.clear();
        return r;
    }

    std::string range_header = req.Header(http::field::range);
    std::string if_range = req.Header(http::field::if_range);
    bool range_applies = !range_header.empty() &&
                         (if_range.empty() || if_range == etag || if_range == last_modified);
    RangeResult range = range_applies ? ParseRange(range_header, size) : RangeResult{};
    if (range.kind == RangeKind::kUnsatisfiable) {
        Reply e = Error(416, "range_not_satisfiable",
                        "the requested range is outside the file (" + std::to_string(size) +
                            " bytes)");
        e.AddHeader("Content-Range", "bytes */" + std::to_string(size));
        return e;
    }
    if (range.kind == RangeKind::kSatisfiable) {
        r.status = 206;
        r.file_offset = range.range.first;
        r.file_length = range.range.length;
        r.AddHeader("Content-Range", "bytes " + std::to_string(range.range.first) + "-" +
                                         std::to_string(range.range.first + range.range.length - 1) +
                                         "/" + std::to_string(size));
    } else {
        r.file_offset = 0;
        r.file_length = size;
    }
    r.file = std::move(file);
    return r;
}

Reply Api::Static(Request& req) {
    if (options_.web_root.empty()) {
        return Error(404, "not_found", "the web UI is not configured (no web root)");
    }
    const auto index = options_.web_root / "index.html";
    std::filesystem::path path = options_.web_root;
    bool root = req.segments.size() == 1 && req.segments[0].empty();
    bool hidden = false;
    for (const auto& seg : req.segments) {
        if (!seg.empty() && seg.front() == '.') hidden = true;
        if (!seg.empty()) path /= seg;
    }
    if (!root && !hidden) {
        struct stat st {};
        if (::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
            bool hashed = !req.segments.empty() && req.segments[0] == "assets";
            return ServeFile(path, req, hashed ? "public, max-age=31536000, immutable" : "no-cache");
        }
        const std::string& last = req.segments.back();
        bool looks_like_file = last.find('.') != std::string::npos;
        if (hidden || looks_like_file || req.segments[0] == "assets") {
            return Error(404, "not_found", "no such file: " + req.raw_path);
        }
    }
    if (hidden) return Error(404, "not_found", "no such file: " + req.raw_path);
    Reply r = ServeFile(index, req, "no-cache");
    if (r.status == 404) {
        return Error(404, "not_found",
                     "the web UI is not built (no index.html in the web root; build web/ first)");
    }
    return r;
}

Reply Api::Media(Request& req) {
    std::string key = req.params["key"];
    if (!ValidMediaKey(key)) {
        return Error(400, "invalid_argument", "invalid media key (lowercase a-z 0-9 / . _ - only)");
    }
    if (req.who.via == Identity::Via::kStreamKey) {
        // The key grants the channels' playlists and segments under /live/ (which serve only
        // what a channel published), never the library's files themselves.
        return Error(403, "forbidden",
                     "the stream key opens /live/ channels only; sign in for library media");
    }
    auto path = deps_.store.LocalPath(key);
    if (path.empty()) return Error(404, "not_found", "media is not stored on this machine: " + key);
    std::filesystem::path root = path;  // LocalPath is root/key
    for (auto n = std::count(key.begin(), key.end(), '/') + 1; n > 0; --n) root = root.parent_path();
    // The media root stays open (one open and close fewer per request); it never moves.
    int root_fd = -1;
    {
        std::lock_guard lock(media_root_mu_);
        if (!media_root_fd_.valid() || media_root_path_ != root) {
            int fd = ::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
            if (fd >= 0) {
                media_root_fd_ = FileDescriptor(fd);
                media_root_path_ = root;
            }
        }
        if (media_root_path_ == root) root_fd = media_root_fd_.get();
    }
    auto opened = root_fd >= 0 ? OpenBeneathAt(root_fd, key) : OpenBeneath(root, key);
    if (!opened.valid()) return Error(404, "not_found", "no media at " + key);
    std::string ext = std::filesystem::path(key).extension().string();
    // Library files are rewritten in place when a scene is regenerated (same key, new bytes),
    // so nothing here may be cached as immutable: browsers revalidate (ETag/Last-Modified,
    // a 304 without a body when unchanged) and get the new bytes after a change.
    std::string cache = ext == ".m3u8" ? "no-cache" : "private, no-cache";
    Reply r = ServeOpenFile(std::move(opened), path, req, cache);
    if (r.status == 404) return Error(404, "not_found", "no media at " + key);
    return r;
}

Reply Api::Live(Request& req) {
    if (!deps_.live_handler) {
        return Error(503, "unavailable", "LiveLoop is not running in this server");
    }
    LiveRequest live;
    for (std::size_t i = 1; i < req.segments.size(); ++i) {
        live.path += (i > 1 ? "/" : "") + req.segments[i];
    }
    live.query = req.query;
    live.authenticated = req.who.authenticated();
    live.user_id = req.who.user_id;
    live.stream_key = req.who.stream_key;
    if (live.stream_key.empty()) {
        auto user = deps_.db.GetUserById(req.who.user_id);
        if (user.ok()) live.stream_key = user->stream_key;
    }
    live.base_url = BaseUrl(req);
    auto res = deps_.live_handler(live);
    if (!res.ok()) return Error(res.error());
    LiveResponse& lr = *res;
    if (!lr.file.empty()) {
        Reply r = ServeFile(lr.file, req, lr.cache_control, lr.content_type);
        return r;
    }
    Reply r;
    r.status = lr.status;
    r.content_type = lr.content_type;
    r.body = std::move(lr.body);
    r.shared_body = std::move(lr.shared_body);
    r.stream = std::move(lr.stream);
    if (!lr.cache_control.empty()) r.AddHeader("Cache-Control", lr.cache_control);
    return r;
}

std::optional<Reply> Api::LiveFast(Request& req) {
    if (!deps_.live_cached) return std::nullopt;
    LiveRequest live;
    for (std::size_t i = 1; i < req.segments.size(); ++i) {
        live.path += (i > 1 ? "/" : "") + req.segments[i];
    }
    live.authenticated = req.who.authenticated();
    live.user_id = req.who.user_id;
    auto lr = deps_.live_cached(live);
    if (!lr) return std::nullopt;
    Reply r;
    r.status = lr->status;
    r.content_type = std::move(lr->content_type);
    r.body = std::move(lr->body);
    r.shared_body = std::move(lr->shared_body);
    if (!lr->cache_control.empty()) r.AddHeader("Cache-Control", lr->cache_control);
    return r;
}

std::optional<Reply> Api::MediaFast(Request& req) { return Media(req); }

Reply Api::Tuner(Request& req) {
    if (!deps_.tuner_handler) {
        return Error(404, "not_found",
                     "the HDHomeRun tuner is off ([liveloop] hdhomerun = true turns it on)");
    }
    LiveRequest tuner;
    tuner.path = req.segments.empty() ? std::string() : req.segments.back();
    tuner.query = req.query;
    tuner.base_url = BaseUrl(req);
    // The lineup's stream URLs carry the owner's stream key (made on first use, as in Settings).
    auto owner = deps_.db.GetUserByName("admin");
    if (owner.ok()) {
        if (owner->stream_key.empty()) {
            owner->stream_key = RandomToken(24);
            if (auto s = deps_.db.SetStreamKey(owner->id, owner->stream_key); !s.ok()) {
                return Error(s.error());
            }
        }
        tuner.user_id = owner->id;
        tuner.stream_key = owner->stream_key;
    }
    auto res = deps_.tuner_handler(tuner);
    if (!res.ok()) return Error(res.error());
    Reply r;
    r.status = res->status;
    r.content_type = res->content_type;
    r.body = std::move(res->body);
    r.AddHeader("Cache-Control", "no-store");
    return r;
}

Reply Api::EventsWithoutUpgrade(Request&) {
    return Error(400, "invalid_argument",
                 "GET /api/v1/events is a WebSocket: send an Upgrade: websocket request");
}

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
    if ((*pw)->empty()) {
        throttle_.RecordFailure(req.client, LoginThrottle::Clock::now());
        return Error(core::Error{core::ErrorCode::kUnauthorized, "wrong user name or password"});
    }
    auto user = deps_.db.GetUserByName(username);
    bool ok = user.ok() && !user->password_hash.empty() &&
              VerifyPassword(**pw, user->password_hash);
    if (!user.ok() && user.error().code != core::ErrorCode::kNotFound) return Error(user.error());
    if (!ok) {
        throttle_.RecordFailure(req.client, LoginThrottle::Clock::now());
        return Error(core::Error{core::ErrorCode::kUnauthorized, "wrong user name or password"});
    }
    throttle_.RecordSuccess(req.client);
    return StartSession(*user, req);
}

Reply Api::AuthLogout(Request& req) {
    if (req.who.via == Identity::Via::kSession) {
        if (auto s = deps_.db.DeleteSession(req.who.session_hash); !s.ok()) return Error(s.error());
        credentials_.RevokeSession(req.who.session_hash);
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

// ---- jobs ------------------------------------------------------------------------------------

Reply Api::Generate(Request& req) {
    auto body = BodyObject(req);
    if (!body.ok()) return Error(body.error());
    auto gen = core::ParseGenerateRequest(*body);
    if (!gen.ok()) return Error(gen.error());
    if (deps_.workers) {
        // Below the disk reserve no new job is taken (503 naming the folder and its space).
        if (auto room = deps_.workers->disk().AdmitNewJob(); !room.ok()) return Error(room.error());
    }
    if (deps_.admit_job) {
        if (auto quota = deps_.admit_job(); !quota.ok()) return Error(quota.error());
    }
    if (deps_.list_voices && (body->contains("voice") || body->contains("language"))) {
        // Refused up front rather than in the voice stage. When the voice list cannot be read,
        // the job goes ahead and its voice stage reports the service's own error.
        if (auto voices = deps_.list_voices(); voices.ok()) {
            if (auto s = core::CheckVoiceAndLanguage(*gen, *voices); !s.ok()) {
                return Error(422, "invalid_argument", s.error().message);
            }
        }
    }
    auto job = deps_.db.CreateJob(req.who.user_id, *gen);
    if (!job.ok()) return Error(job.error());
    jobs::PublishJob(deps_.events, *job);
    if (deps_.workers) deps_.workers->Notify();
    return Json(202, {{"job_id", job->id},
                      {"status", core::ToString(job->status)},
                      {"job", core::ToJson(*job)}});
}

Reply Api::ListJobs(Request& req) {
    storage::JobQuery q;
    if (req.HasQuery("state") && !req.Query("state").empty()) {
        auto st = core::ParseJobState(req.Query("state"));
        if (!st) {
            return Error(400, "invalid_argument",
                         "query parameter 'state' must be one of queued, generating_script, "
                         "rendering_preview, rendering_final, composing, completed, failed, "
                         "canceled");
        }
        q.state = st;
    }
    if (auto paging = ReadPaging(req, q); !paging.ok()) return Error(paging.error());
    auto page = deps_.db.ListJobs(q);
    if (!page.ok()) return Error(page.error());
    return Json(200, PageJson(*page, q));
}

Reply Api::GetJob(Request& req) {
    auto id = PathId(req);
    if (!id.ok()) return Error(id.error());
    // The detail (row, stages, logs, assets) is rebuilt only when the job changed: polling a
    // job, or many viewers of one, costs one small query.
    const auto generation = generation_.load(std::memory_order_acquire);
    const auto now = std::chrono::steady_clock::now();
    auto fingerprint = deps_.db.JobFingerprint(*id);
    if (!fingerprint.ok()) return Error(fingerprint.error());
    {
        std::lock_guard lock(job_cache_mu_);
        auto it = job_cache_.find(*id);
        if (it != job_cache_.end() && it->second.fingerprint == *fingerprint) {
            it->second.generation = generation;
            it->second.checked = now;
            Reply r;
            r.shared_body = it->second.body;
            r.AddHeader("Cache-Control", "no-store");
            return r;
        }
    }
    auto job = deps_.db.GetJob(*id);
    if (!job.ok()) return Error(job.error());
    core::Json out = core::ToJson(*job);
    // The detail stays small: the recent progress lines and a summary; the tool command lines
    // (most of a job's log by size) are read page by page from /jobs/{id}/logs.
    auto logs = deps_.db.GetRecentJobLogs(*id, 200);
    if (!logs.ok()) return Error(logs.error());
    core::Json jl = core::Json::array();
    std::int64_t commands = 0, warnings = 0, errors = 0, last_id = 0;
    for (const auto& l : *logs) {
        last_id = std::max(last_id, l.id);
        if (l.level == "cmd") {
            ++commands;
            continue;
        }
        warnings += l.level == "warn";
        errors += l.level == "error";
        jl.push_back(core::ToJson(l));
    }
    out["logs"] = std::move(jl);
    out["log_summary"] = {{"recent_lines", logs->size()},
                          {"commands", commands},
                          {"warnings", warnings},
                          {"errors", errors},
                          {"last_id", last_id}};
    out["stages"] = job->stages.is_object() ? job->stages : core::Json::object();
    auto assets = deps_.db.ListAssetsForJob(*id);
    if (!assets.ok()) return Error(assets.error());
    core::Json ja = core::Json::array();
    for (const auto& a : *assets) ja.push_back(core::ToJson(a));
    out["assets"] = std::move(ja);
    Reply reply = Json(200, out);
    {
        std::lock_guard lock(job_cache_mu_);
        if (job_cache_.size() >= 256) job_cache_.clear();
        const bool final = job->status == core::JobState::kCompleted ||
                           job->status == core::JobState::kFailed ||
                           job->status == core::JobState::kCanceled;
        job_cache_[*id] = CachedBody{std::make_shared<const std::string>(reply.body),
                                     *fingerprint, final, generation, now};
    }
    return reply;
}

namespace {

/// How long a cached body is answered from memory after the database last confirmed it: bounds
/// how late a change made by another process (a `beacon worker`) shows.
constexpr std::chrono::milliseconds kMemoryAnswerFor{1000};

}  // namespace

bool Api::StillAnswerable(CachedBody& c, std::chrono::steady_clock::time_point now) const {
    if (c.generation != generation_.load(std::memory_order_acquire)) return false;
    const auto age = now - c.checked;
    if (age < kMemoryAnswerFor) return true;
    // Past its time: one request asks the database, the others keep the body meanwhile (for
    // one more period at most) instead of all asking at the same moment.
    if (age >= 2 * kMemoryAnswerFor || !c.refreshing) {
        c.refreshing = true;
        return false;
    }
    return true;
}

std::optional<Reply> Api::GetJobFast(Request& req) {
    // Only a finished job's detail: it changes only through requests and events of this
    // process (retry, regenerate), which move the generation.
    auto id = PathId(req);
    if (!id.ok()) return std::nullopt;
    const auto now = std::chrono::steady_clock::now();
    Reply r;
    {
        std::lock_guard lock(job_cache_mu_);
        auto it = job_cache_.find(*id);
        if (it == job_cache_.end() || !it->second.final || !StillAnswerable(it->second, now)) {
            return std::nullopt;
        }
        r.shared_body = it->second.body;
    }
    r.AddHeader("Cache-Control", "no-store");
    return r;
}

Reply Api::GetJobLogs(Request& req) {
    auto id = PathId(req);
    if (!id.ok()) return Error(id.error());
    auto after = QueryInt(req, "after", 0, 0, std::numeric_limits<std::int64_t>::max());
    if (!after.ok()) return Error(after.error());
    auto job = deps_.db.GetJob(*id);
    if (!job.ok()) return Error(job.error());
    auto logs = deps_.db.GetJobLogs(*id, *after, 1000);
    if (!logs.ok()) return Error(logs.error());
    core::Json items = core::Json::array();
    for (const auto& l : *logs) items.push_back(core::ToJson(l));
    return Json(200, {{"items", items}});
}

Reply Api::CancelJob(Request& req) {
    auto id = PathId(req);
    if (!id.ok()) return Error(id.error());
    auto job = deps_.workers ? deps_.workers->Cancel(*id) : deps_.db.RequestCancel(*id);
    if (!job.ok()) return Error(job.error());
    jobs::PublishJob(deps_.events, *job);
    return Json(200, core::ToJson(*job));
}

Reply Api::RetryJob(Request& req) {
    auto id = PathId(req);
    if (!id.ok()) return Error(id.error());
    auto job = deps_.db.RetryJob(*id);
    if (!job.ok()) return Error(job.error());
    jobs::PublishJob(deps_.events, *job);
    if (deps_.workers) deps_.workers->Notify();
    return Json(202, core::ToJson(*job));
}

Reply Api::RegenerateScene(Request& req) {
    auto id = PathId(req);
    if (!id.ok()) return Error(id.error());
    auto n = PathId(req, "n");
    if (!n.ok() || *n > 10000) return Error(400, "invalid_argument", "scene number must be 1 or more");
    auto body = BodyObject(req, true);
    if (!body.ok()) return Error(body.error());
    if (auto s = OnlyFields(*body, {"description", "lines", "seed"}); !s.ok()) return Error(s.error());
    core::Json edits = core::Json::object();
    auto desc = OptString(*body, "description", 1, core::kMaxPromptChars);
    if (!desc.ok()) return Error(desc.error());
    if (*desc) edits["description"] = **desc;
    if (auto it = body->find("lines"); it != body->end()) {
        if (!it->is_array() || it->empty() || it->size() > 100) {
            return Error(400, "invalid_argument", "field 'lines' must be an array of 1 to 100 strings");
        }
        for (const auto& l : *it) {
            if (!l.is_string() || l.get<std::string>().empty() ||
                Utf8Chars(l.get<std::string>()) > core::kMaxPromptChars) {
                return Error(400, "invalid_argument",
                             "field 'lines' must hold non-empty strings of at most 4000 characters");
            }
        }
        edits["lines"] = *it;
    }
    if (auto it = body->find("seed"); it != body->end()) {
        if (!it->is_number_integer()) return Error(400, "invalid_argument", "field 'seed' must be an integer");
        edits["seed"] = *it;
    }
    auto job = deps_.db.GetJob(*id);
    if (!job.ok()) return Error(job.error());
    if (!deps_.regenerate_scene) {
        return Error(503, "unavailable", "scene regeneration is not available in this server");
    }
    auto res = deps_.regenerate_scene(*id, static_cast<int>(*n), edits);
    if (!res.ok()) return Error(res.error());
    jobs::PublishJob(deps_.events, *res);
    if (deps_.workers) deps_.workers->Notify();
    return Json(202, core::ToJson(*res));
}

// ---- content ---------------------------------------------------------------------------------

Reply Api::ListContent(Request& req) {
    storage::ContentQuery q;
    q.search = req.Query("q");
    if (Utf8Chars(q.search) > 500) {
        return Error(400, "invalid_argument", "query parameter 'q' is longer than 500 characters");
    }
    if (req.HasQuery("sort")) {
        q.sort = req.Query("sort");
        if (q.sort != "newest" && q.sort != "oldest" && q.sort != "title" && q.sort != "duration") {
            return Error(400, "invalid_argument",
                         "query parameter 'sort' must be one of newest, oldest, title, duration");
        }
    }
    auto published = QueryBool(req, "published");
    if (!published.ok()) return Error(published.error());
    q.published = *published;
    if (req.HasQuery("visibility")) {
        std::string v = req.Query("visibility");
        if (v != "private" && v != "public") {
            return Error(400, "invalid_argument", "query parameter 'visibility' must be private or public");
        }
        q.visibility = v;
    }
    if (auto paging = ReadPaging(req, q); !paging.ok()) return Error(paging.error());
    const auto generation = generation_.load(std::memory_order_acquire);
    auto page = deps_.db.ListContent(q);
    if (!page.ok()) return Error(page.error());
    Reply r = Json(200, PageJson(*page, q));
    std::string_view target = req.msg.target();
    std::string query(target.substr(std::min(target.size(), target.find('?'))));
    std::lock_guard lock(content_cache_mu_);
    if (content_cache_.size() >= 64) content_cache_.clear();
    content_cache_[std::move(query)] =
        CachedBody{std::make_shared<const std::string>(r.body), {}, false, generation,
                   std::chrono::steady_clock::now()};
    return r;
}

std::optional<Reply> Api::ListContentFast(Request& req) {
    std::string_view target = req.msg.target();
    std::string_view query = target.substr(std::min(target.size(), target.find('?')));
    const auto now = std::chrono::steady_clock::now();
    Reply r;
    {
        std::lock_guard lock(content_cache_mu_);
        auto it = content_cache_.find(std::string(query));
        if (it == content_cache_.end() || !StillAnswerable(it->second, now)) return std::nullopt;
        r.shared_body = it->second.body;
    }
    r.AddHeader("Cache-Control", "no-store");
    return r;
}

Reply Api::GetContent(Request& req) {
    auto id = PathId(req);
    if (!id.ok()) return Error(id.error());
    auto c = deps_.db.GetContent(*id);
    if (!c.ok()) return Error(c.error());
    core::Json out = core::ToJson(*c);
    // Per language: dub and captions present, which engines made them (the localize job's
    // languages.json; absent for an item with only its original language).
    if (auto tracks = deps_.store.Get("library/" + std::to_string(c->id) + "/languages.json");
        tracks.ok()) {
        core::Json j = core::Json::parse(*tracks, nullptr, false);
        if (j.is_array()) out["language_tracks"] = j;
    }
    return Json(200, out);
}

Reply Api::SetPublished(std::int64_t id, bool published) {
    auto c = deps_.db.GetContent(id);
    if (!c.ok()) return Error(c.error());
    auto pl = deps_.db.DefaultPlaylist();
    if (!pl.ok()) return Error(pl.error());
    auto& items = pl->items;
    bool present = std::find(items.begin(), items.end(), id) != items.end();
    if (published && !present) {
        items.push_back(id);
    } else if (!published && present) {
        std::erase(items, id);
    }
    if (published != present) {
        if (auto s = deps_.db.UpdatePlaylist(*pl); !s.ok()) return Error(s.error());
        PlaylistChanged(*pl);
    }
    storage::ContentPatch patch;
    patch.published = published;
    auto updated = c->published == published ? c : deps_.db.PatchContent(id, patch);
    if (!updated.ok()) return Error(updated.error());
    if (c->published != published) deps_.events.Publish("content.updated", core::ToJson(*updated));
    return Json(200, core::ToJson(*updated));
}

Reply Api::PatchContent(Request& req) {
    auto id = PathId(req);
    if (!id.ok()) return Error(id.error());
    auto body = BodyObject(req);
    if (!body.ok()) return Error(body.error());
    if (auto s = OnlyFields(*body, {"title", "description", "visibility", "published"}); !s.ok()) {
        return Error(s.error());
    }
    storage::ContentPatch patch;
    auto title = OptString(*body, "title", 1, core::kMaxTitleChars);
    if (!title.ok()) return Error(title.error());
    patch.title = *title;
    auto desc = OptString(*body, "description", 0, 5000);
    if (!desc.ok()) return Error(desc.error());
    patch.description = *desc;
    auto vis = OptString(*body, "visibility", 1, 16);
    if (!vis.ok()) return Error(vis.error());
    if (*vis && **vis != "private" && **vis != "public") {
        return Error(400, "invalid_argument", "field 'visibility' must be private or public");
    }
    patch.visibility = *vis;
    auto published = OptBool(*body, "published");
    if (!published.ok()) return Error(published.error());
    auto existing = deps_.db.GetContent(*id);
    if (!existing.ok()) return Error(existing.error());
    if (*published) {
        Reply r = SetPublished(*id, **published);
        if (r.status != 200) return r;
    }
    auto c = deps_.db.PatchContent(*id, patch);
    if (!c.ok()) return Error(c.error());
    deps_.events.Publish("content.updated", core::ToJson(*c));
    return Json(200, core::ToJson(*c));
}

Reply Api::DeleteContent(Request& req) {
    auto id = PathId(req);
    if (!id.ok()) return Error(id.error());
    auto c = deps_.db.GetContent(*id);
    if (!c.ok()) return Error(c.error());
    auto playlists = deps_.db.ListPlaylists();
    if (!playlists.ok()) return Error(playlists.error());
    for (auto& p : *playlists) {
        bool changed = std::erase(p.items, *id) > 0;
        core::Json slots = core::Json::array();
        for (const auto& s : p.scheduled_slots) {
            if (s.is_object() && s.value("content_id", std::int64_t{0}) == *id) {
                changed = true;
            } else {
                slots.push_back(s);
            }
        }
        core::Json inserts = core::Json::array();
        for (const auto& s : p.inserts) {
            if (s.is_object() && s.value("content_id", std::int64_t{0}) == *id) {
                changed = true;
            } else {
                inserts.push_back(s);
            }
        }
        if (!changed) continue;
        p.scheduled_slots = std::move(slots);
        p.inserts = std::move(inserts);
        if (auto s = deps_.db.UpdatePlaylist(p); !s.ok()) return Error(s.error());
        PlaylistChanged(p);
    }
    const std::string prefix = "library/" + std::to_string(*id) + "/";
    if (options_.media_delete_delay.count() > 0) {
        // Channels may still list this item's published segments for a while: its files go
        // when nobody can be playing them any more (the app sweeps due deletions).
        auto due = core::NowMillis() + options_.media_delete_delay.count() * 1000;
        if (auto s = deps_.db.ScheduleObjectDelete(prefix, due); !s.ok()) return Error(s.error());
    } else if (auto s = deps_.store.Delete(prefix); !s.ok()) {
        return Error(s.error());
    }
    if (auto s = deps_.db.DeleteContent(*id); !s.ok()) return Error(s.error());
    deps_.events.Publish("content.deleted", {{"id", *id}});
    Reply r;
    r.status = 204;
    r.content_type.clear();
    return r;
}

Reply Api::PublishContent(Request& req) {
    auto id = PathId(req);
    if (!id.ok()) return Error(id.error());
    return SetPublished(*id, true);
}

Reply Api::UnpublishContent(Request& req) {
    auto id = PathId(req);
    if (!id.ok()) return Error(id.error());
    return SetPublished(*id, false);
}

Reply Api::ContentAssets(Request& req) {
    auto id = PathId(req);
    if (!id.ok()) return Error(id.error());
    auto c = deps_.db.GetContent(*id);
    if (!c.ok()) return Error(c.error());
    auto assets = deps_.db.ListAssetsForContent(*id);
    if (!assets.ok()) return Error(assets.error());
    core::Json items = core::Json::array();
    for (const auto& a : *assets) items.push_back(core::ToJson(a));
    return Json(200, {{"items", items}});
}

// ---- engines ---------------------------------------------------------------------------------

Reply Api::Engines(Request&) {
    if (!deps_.engine_health) return Error(503, "unavailable", "engine status is not available in this server");
    auto items = deps_.engine_health();
    if (!items.ok()) return Error(items.error());
    return Json(200, {{"items", *items}});
}

Reply Api::System(Request&) {
    return Json(200, {{"disk", deps_.workers ? deps_.workers->disk().ToJson() : core::Json()}});
}

Reply Api::Voices(Request&) {
    if (!deps_.list_voices) return Error(503, "unavailable", "the voice list is not available in this server");
    auto items = deps_.list_voices();
    if (!items.ok()) {
        // The voice service failed (a wrong or exhausted key, a 404...): that is a bad gateway,
        // never Beacon's own 401/403/404, which the web client reads as "signed out".
        core::Error e = items.error();
        if (e.code != core::ErrorCode::kTimeout && e.code != core::ErrorCode::kUnavailable) {
            e.code = core::ErrorCode::kExternal;
        }
        return Error(e);
    }
    return Json(200, {{"items", *items}});
}

// ---- playlists -------------------------------------------------------------------------------

void Api::PlaylistChanged(const core::Playlist& p) {
    deps_.events.Publish("playlist.updated", core::ToJson(p));
    if (deps_.playlist_changed) deps_.playlist_changed(p.id);
}

Reply Api::ListPlaylists(Request&) {
    auto list = deps_.db.ListPlaylists();
    if (!list.ok()) return Error(list.error());
    core::Json items = core::Json::array();
    for (const auto& p : *list) items.push_back(core::ToJson(p));
    return Json(200, {{"items", items}});
}

Reply Api::CreatePlaylist(Request& req) {
    auto body = BodyObject(req);
    if (!body.ok()) return Error(body.error());
    if (auto s = OnlyFields(*body, {"title", "slug"}); !s.ok()) return Error(s.error());
    auto title = OptString(*body, "title", 1, core::kMaxTitleChars);
    if (!title.ok()) return Error(title.error());
    if (!*title) return Error(400, "invalid_argument", "field 'title' is required");
    auto slug = OptString(*body, "slug", 0, 64);
    if (!slug.ok()) return Error(slug.error());
    core::Playlist p;
    p.title = **title;
    if (*slug) {
        if (!ValidSlug(**slug)) {
            return Error(400, "invalid_argument", "field 'slug' must match [a-z0-9-]{1,40}");
        }
        p.slug = **slug;
        auto existing = deps_.db.GetPlaylistBySlug(p.slug);
        if (existing.ok()) return Error(409, "conflict", "a channel with slug '" + p.slug + "' exists");
    } else {
        std::string base = Slugify(p.title);
        p.slug = base;
        for (int i = 2; deps_.db.GetPlaylistBySlug(p.slug).ok(); ++i) {
            if (i > 1000) return Error(409, "conflict", "no free slug for this title; give one");
            p.slug = base + "-" + std::to_string(i);
        }
    }
    p.hls_endpoint = "/live/" + p.slug + "/index.m3u8";
    auto created = deps_.db.CreatePlaylist(p);
    if (!created.ok()) return Error(created.error());
    PlaylistChanged(*created);
    return Json(201, core::ToJson(*created));
}

Reply Api::GetPlaylist(Request& req) {
    auto id = PathId(req);
    if (!id.ok()) return Error(id.error());
    auto p = deps_.db.GetPlaylist(*id);
    if (!p.ok()) return Error(p.error());
    return Json(200, core::ToJson(*p));
}

Reply Api::PatchPlaylist(Request& req) {
    auto id = PathId(req);
    if (!id.ok()) return Error(id.error());
    auto body = BodyObject(req);
    if (!body.ok()) return Error(body.error());
    if (auto s = OnlyFields(*body, {"title", "slug", "items", "loop_mode", "active", "scheduled_slots"});
        !s.ok()) {
        return Error(s.error());
    }
    auto p = deps_.db.GetPlaylist(*id);
    if (!p.ok()) return Error(p.error());
    auto title = OptString(*body, "title", 1, core::kMaxTitleChars);
    if (!title.ok()) return Error(title.error());
    if (*title) p->title = **title;
    auto slug = OptString(*body, "slug", 0, 64);
    if (!slug.ok()) return Error(slug.error());
    if (*slug && **slug != p->slug) {
        if (!ValidSlug(**slug)) {
            return Error(400, "invalid_argument", "field 'slug' must match [a-z0-9-]{1,40}");
        }
        if (deps_.db.GetPlaylistBySlug(**slug).ok()) {
            return Error(409, "conflict", "a channel with slug '" + **slug + "' exists");
        }
        p->slug = **slug;
        p->hls_endpoint = "/live/" + p->slug + "/index.m3u8";
    }
    if (auto it = body->find("items"); it != body->end()) {
        if (!it->is_array()) return Error(400, "invalid_argument", "field 'items' must be an array of content ids");
        if (it->size() > 10000) return Error(400, "invalid_argument", "field 'items' holds more than 10000 ids");
        std::vector<std::int64_t> items;
        for (const auto& v : *it) {
            if (!v.is_number_integer() || v.get<std::int64_t>() <= 0) {
                return Error(400, "invalid_argument", "field 'items' must hold positive integer content ids");
            }
            std::int64_t cid = v.get<std::int64_t>();
            auto c = deps_.db.GetContent(cid);
            if (!c.ok()) {
                if (c.error().code == core::ErrorCode::kNotFound) {
                    return Error(400, "invalid_argument",
                                 "field 'items': content " + std::to_string(cid) + " does not exist");
                }
                return Error(c.error());
            }
            items.push_back(cid);
        }
        p->items = std::move(items);
    }
    auto mode = OptString(*body, "loop_mode", 0, 16);
    if (!mode.ok()) return Error(mode.error());
    if (*mode) {
        if (**mode != "in_order" && **mode != "shuffle") {
            return Error(400, "invalid_argument", "field 'loop_mode' must be in_order or shuffle");
        }
        p->loop_mode = **mode;
    }
    auto active = OptBool(*body, "active");
    if (!active.ok()) return Error(active.error());
    if (*active) p->active = **active;
    if (auto it = body->find("scheduled_slots"); it != body->end()) {
        auto slots = ValidateSlots(deps_.db, *it, *id);
        if (!slots.ok()) return Error(slots.error());
        p->scheduled_slots = std::move(*slots);
    }
    if (auto s = deps_.db.UpdatePlaylist(*p); !s.ok()) return Error(s.error());
    auto fresh = deps_.db.GetPlaylist(*id);
    if (!fresh.ok()) return Error(fresh.error());
    PlaylistChanged(*fresh);
    return Json(200, core::ToJson(*fresh));
}

Reply Api::DeletePlaylist(Request& req) {
    auto id = PathId(req);
    if (!id.ok()) return Error(id.error());
    auto p = deps_.db.GetPlaylist(*id);
    if (!p.ok()) return Error(p.error());
    if (auto s = deps_.db.DeletePlaylist(*id); !s.ok()) return Error(s.error());
    deps_.events.Publish("playlist.updated", {{"id", *id}, {"deleted", true}});
    if (deps_.playlist_changed) deps_.playlist_changed(*id);
    Reply r;
    r.status = 204;
    r.content_type.clear();
    return r;
}

Reply Api::InsertIntoPlaylist(Request& req) {
    auto id = PathId(req);
    if (!id.ok()) return Error(id.error());
    auto body = BodyObject(req);
    if (!body.ok()) return Error(body.error());
    if (auto s = OnlyFields(*body, {"content_id", "at"}); !s.ok()) return Error(s.error());
    auto cid = IdField(*body, "content_id", true);
    if (!cid.ok()) return Error(cid.error());
    auto at = OptString(*body, "at", 1, 64);
    if (!at.ok()) return Error(at.error());
    auto p = deps_.db.GetPlaylist(*id);
    if (!p.ok()) return Error(p.error());
    auto c = deps_.db.GetContent(*cid);
    if (!c.ok()) {
        if (c.error().code == core::ErrorCode::kNotFound) {
            return Error(400, "invalid_argument", "content " + std::to_string(*cid) + " does not exist");
        }
        return Error(c.error());
    }
    core::UnixMillis now = core::NowMillis();
    core::Json insert = {{"id", RandomToken(9)},
                         {"content_id", *cid},
                         {"created_at", core::FormatTimestamp(now)}};
    if (!*at || **at == "next") {
        insert["at"] = "next";
    } else {
        auto when = ParseRfc3339(**at);
        if (!when) {
            return Error(400, "invalid_argument",
                         "field 'at' must be \"next\" or an RFC 3339 time such as 2026-11-29T21:00:00Z");
        }
        if (*when < now - 60'000) return Error(400, "invalid_argument", "field 'at' is in the past");
        insert["at"] = core::FormatTimestamp(*when);
        insert["at_ms"] = *when;
    }
    if (!p->inserts.is_array()) p->inserts = core::Json::array();
    if (p->inserts.size() >= 1000) return Error(409, "conflict", "the channel already holds 1000 inserts");
    p->inserts.push_back(std::move(insert));
    if (auto s = deps_.db.UpdatePlaylist(*p); !s.ok()) return Error(s.error());
    auto fresh = deps_.db.GetPlaylist(*id);
    if (!fresh.ok()) return Error(fresh.error());
    PlaylistChanged(*fresh);
    core::Json out = core::ToJson(*fresh);
    // When the insert will air: its first place in the channel's schedule from now on.
    if (deps_.channel_now && fresh->active) {
        auto now_next = deps_.channel_now(*id);
        if (now_next.ok()) {
            for (const auto& n : (*now_next)["next"]) {
                if (n.value("content_id", std::int64_t{0}) == *cid) {
                    out["airs_at"] = n.value("start", std::string());
                    break;
                }
            }
        }
    }
    return Json(200, out);
}

Reply Api::PlaylistNow(Request& req) {
    auto id = PathId(req);
    if (!id.ok()) return Error(id.error());
    auto p = deps_.db.GetPlaylist(*id);
    if (!p.ok()) return Error(p.error());
    if (!deps_.channel_now) return Error(503, "unavailable", "LiveLoop is not running in this server");
    auto now = deps_.channel_now(*id);
    if (!now.ok()) return Error(now.error());
    return Json(200, *now);
}

}  // namespace beacon::server
