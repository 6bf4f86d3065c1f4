#include "party/http.hpp"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <regex>

#include "core/object_keys.hpp"
#include "server/api.hpp"
#include "storage/channel_store.hpp"
#include "storage/content_store.hpp"
#include "storage/object_store.hpp"

namespace beacon::party {

namespace {

using server::Api;
using server::Identity;
using server::Reply;
using server::Request;

const std::string kBase = "/api/v1/parties/";

/// Who may use a party's routes: a signed-in user (not by stream key), or an invite holder of
/// this very party. `invite` is set for invite holders.
struct Access {
    bool user = false;
    std::string invite;
};

std::string InviteOf(const Request& req) {
    std::string invite = req.Query("invite");
    if (invite.empty()) invite = req.Header("X-Party-Invite");
    return invite;
}

/// An error reply, or the caller's access.
core::Result<Access> Authorize(PartyService& parties, const Request& req,
                               const std::string& party_id) {
    if (req.who.authenticated() && req.who.via != Identity::Via::kStreamKey) {
        return Access{true, {}};
    }
    std::string invite = InviteOf(req);
    if (invite.empty()) {
        if (req.who.via == Identity::Via::kStreamKey) {
            return core::Error{core::ErrorCode::kForbidden,
                               "the stream key opens /live/ channels only, not parties"};
        }
        return core::Error{core::ErrorCode::kUnauthorized, "sign in, or open the invite link"};
    }
    auto checked = parties.CheckInvite(party_id, invite);
    if (!checked.ok()) {
        if (checked.error().code == core::ErrorCode::kNotFound) return checked.error();
        return core::Error{core::ErrorCode::kForbidden, checked.error().message};
    }
    return Access{false, invite};
}

bool ValidKey(std::string_view key) {
    if (key.empty() || key.size() > 512) return false;
    for (char c : key) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '/' || c == '.' || c == '_' || c == '-';
        if (!ok) return false;
    }
    for (const auto& seg : server::SplitPath("/" + std::string(key))) {
        if (seg.empty() || seg == "." || seg == ".." || seg.front() == '.') return false;
    }
    return true;
}

/// "library/<id>/rest" → "rest" (empty when the key is not under the item's folder).
std::string ItemRelative(const std::string& key, std::int64_t content_id) {
    const std::string prefix = core::object_keys::LibraryPrefix(content_id);
    if (!key.starts_with(prefix)) return {};
    std::string rest = key.substr(prefix.size());
    return ValidKey(rest) ? rest : std::string();
}

/// The item's media as paths relative to its library folder.
Json ItemMedia(const core::Content& c) {
    Json media = Json::object();
    media["hls"] = ItemRelative(c.hls_key, c.id);
    media["mp4"] = ItemRelative(c.mp4_key, c.id);
    media["poster"] = ItemRelative(c.poster_key.empty() ? c.thumbnail_key : c.poster_key, c.id);
    media["chapters"] = ItemRelative(c.chapters_key, c.id);
    Json captions = Json::array();
    std::string vtt = ItemRelative(c.vtt_key, c.id);
    static const std::regex kLang("captions_[A-Za-z-]+\\.vtt");
    for (const auto& lang : c.languages) {
        if (vtt.empty()) break;
        std::string path = std::regex_replace(vtt, kLang, "captions_" + lang + ".vtt");
        if (ValidKey(path)) captions.push_back({{"lang", lang}, {"path", path}});
    }
    media["captions"] = captions;
    media["languages"] = c.languages;
    return media;
}

/// URLs the caller can open: the party's own media routes (+ the invite for guests).
Json MediaUrls(const std::string& party_id, const PartyTarget& t, const std::string& invite) {
    std::string q = invite.empty() ? "" : "?invite=" + invite;
    Json out = Json::object();
    if (!t.channel.empty()) {
        out["hls"] = kBase + party_id + "/live/" + t.channel + "/index.m3u8" + q;
        out["captions"] = Json::array();
        return out;
    }
    auto url = [&](const Json& path) -> Json {
        if (!path.is_string() || path.get<std::string>().empty()) return "";
        return kBase + party_id + "/media/" + path.get<std::string>() + q;
    };
    out["hls"] = url(t.media.value("hls", Json("")));
    out["mp4"] = url(t.media.value("mp4", Json("")));
    out["poster"] = url(t.media.value("poster", Json("")));
    out["chapters"] = url(t.media.value("chapters", Json("")));
    Json captions = Json::array();
    for (const auto& c : t.media.value("captions", Json::array())) {
        captions.push_back({{"lang", c.value("lang", "")}, {"url", url(c["path"])}});
    }
    out["captions"] = captions;
    out["languages"] = t.media.value("languages", Json::array());
    return out;
}

std::string BaseUrl(const Request& req) {
    std::string host = req.Header(server::http::field::host);
    if (host.empty()) return {};
    std::string proto = req.Header("X-Forwarded-Proto");
    return (proto == "https" ? "https://" : "http://") + host;
}

Json CreatedJson(const CreatedParty& c, const Request& req) {
    return Json{{"id", c.id},
                {"invite_token", c.invite_token},
                {"invite_expires_at", c.invite_expires_ms},
                {"join_url", BaseUrl(req) + "/party/" + c.id + "?invite=" + c.invite_token}};
}

Reply Create(PartyService& parties, HttpDeps& deps, Request& req) {
    Json body = Json::parse(req.msg.body(), nullptr, false);
    if (!body.is_object()) return Api::Error(400, "invalid_argument", "expected a JSON object");
    PartyTarget target;
    if (body.contains("content_id") && body["content_id"].is_number_integer()) {
        auto content = deps.content.GetContent(body["content_id"].get<std::int64_t>());
        if (!content.ok()) return Api::Error(content.error());
        target.content_id = content->id;
        target.title = content->title;
        target.duration = content->duration;
        target.media = ItemMedia(*content);
        if (target.media["hls"].get<std::string>().empty() &&
            target.media["mp4"].get<std::string>().empty()) {
            return Api::Error(409, "conflict", "this item has no playable media yet");
        }
    } else if (body.contains("channel") && body["channel"].is_string()) {
        auto channel = deps.channels.GetPlaylistBySlug(body["channel"].get<std::string>());
        if (!channel.ok()) return Api::Error(channel.error());
        if (!ValidKey(channel->slug)) return Api::Error(400, "invalid_argument", "bad channel");
        target.channel = channel->slug;
        target.title = channel->title;
    } else {
        return Api::Error(400, "invalid_argument",
                          "give {\"content_id\": N} or {\"channel\": \"slug\"}");
    }
    auto created = parties.Create(req.who.user_id, std::move(target));
    if (!created.ok()) return Api::Error(created.error());
    Json out = CreatedJson(*created, req);
    if (auto d = parties.Describe(created->id); d.ok()) out["party"] = *d;
    return Api::Json(201, out);
}

Reply Describe(PartyService& parties, Request& req) {
    const std::string id = req.params["id"];
    auto access = Authorize(parties, req, id);
    if (!access.ok()) return Api::Error(access.error());
    auto d = parties.Describe(id);
    auto target = parties.Target(id);
    if (!d.ok() || !target.ok()) return Api::Error(404, "not_found", "no party " + id);
    Json out = *d;
    out["media"] = MediaUrls(id, *target, access->invite);
    out["you_are"] = access->user ? "user" : "guest";
    return Api::Json(200, out);
}

/// Reads a whole (small) open file.
std::optional<std::string> ReadAll(int fd) {
    std::string out;
    char buf[16384];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0) return std::nullopt;
        if (n == 0) break;
        out.append(buf, static_cast<std::size_t>(n));
        if (out.size() > (8u << 20)) return std::nullopt;
    }
    return out;
}

Reply Media(PartyService& parties, HttpDeps& deps, Request& req) {
    const std::string id = req.params["id"];
    auto access = Authorize(parties, req, id);
    if (!access.ok()) return Api::Error(access.error());
    auto target = parties.Target(id);
    if (!target.ok()) return Api::Error(target.error());
    if (target->content_id == 0) return Api::Error(404, "not_found", "a channel party has no item");
    std::string rel = req.params["key"];
    if (!ValidKey(rel)) return Api::Error(400, "invalid_argument", "invalid media path");
    std::string key = "library/" + std::to_string(target->content_id) + "/" + rel;
    auto path = deps.store.LocalPath(key);
    if (path.empty()) return Api::Error(404, "not_found", "media is not stored on this machine");
    std::filesystem::path root = path;
    for (auto n = std::count(key.begin(), key.end(), '/') + 1; n > 0; --n) root = root.parent_path();
    auto opened = Api::OpenBeneath(root, key);
    if (!opened.valid()) return Api::Error(404, "not_found", "no media at " + rel);
    if (path.extension() == ".m3u8") {
        auto text = ReadAll(opened.get());
        if (!text) return Api::Error(500, "internal", "cannot read " + rel);
        Reply r;
        r.content_type = "application/vnd.apple.mpegurl";
        r.body = access->invite.empty() ? *text
                                        : AddQueryToPlaylist(*text, "invite=" + access->invite);
        r.AddHeader("Cache-Control", "no-cache");
        return r;
    }
    Reply r = Api::ServeOpenFile(std::move(opened), path, req, "private, no-cache");
    if (r.status == 404) return Api::Error(404, "not_found", "no media at " + rel);
    return r;
}

Reply Live(PartyService& parties, HttpDeps& deps, Request& req) {
    const std::string id = req.params["id"];
    auto access = Authorize(parties, req, id);
    if (!access.ok()) return Api::Error(access.error());
    auto target = parties.Target(id);
    if (!target.ok()) return Api::Error(target.error());
    if (target->channel.empty()) return Api::Error(404, "not_found", "not a channel party");
    std::string path = req.params["path"];
    bool top_level_ts =
        path.ends_with(".ts") && path.find('/', target->channel.size() + 1) == std::string::npos;
    if (!ValidKey(path) || !path.starts_with(target->channel + "/") || top_level_ts) {
        // Only the channel's playlists and segments (not stream.ts, not other channels).
        return Api::Error(404, "not_found", "not part of this party's channel");
    }
    if (!deps.live) return Api::Error(503, "unavailable", "LiveLoop is not running");
    server::LiveRequest lr;
    lr.path = path;
    if (auto lang = req.query.find("lang"); lang != req.query.end()) lr.query["lang"] = lang->second;
    lr.authenticated = true;
    lr.base_url = BaseUrl(req);
    auto answer = deps.live(lr);
    if (!answer.ok()) return Api::Error(answer.error());
    if (answer->stream) return Api::Error(404, "not_found", "endless streams are not shared");
    if (!answer->file.empty()) return Api::ServeFile(answer->file, req, answer->cache_control,
                                                     answer->content_type);
    Reply r;
    r.status = answer->status;
    r.content_type = answer->content_type;
    r.AddHeader("Cache-Control", answer->cache_control);
    bool playlist = path.ends_with(".m3u8");
    r.body = playlist && r.status == 200 && !access->invite.empty()
                 ? AddQueryToPlaylist(answer->body, "invite=" + access->invite, "/live/",
                                      kBase + id + "/live/")
                 : std::move(answer->body);
    return r;
}

std::int64_t ToInt(const std::string& s) {
    if (s.empty() || s.size() > 18) return 0;
    std::int64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return 0;
        v = v * 10 + (c - '0');
    }
    return v;
}

}  // namespace

std::string AddQueryToPlaylist(std::string_view playlist, std::string_view param,
                               std::string_view from_prefix, std::string_view to_prefix) {
    auto fix = [&](std::string uri) {
        if (!from_prefix.empty() && uri.starts_with(from_prefix)) {
            uri = std::string(to_prefix) + uri.substr(from_prefix.size());
        }
        if (uri.starts_with("data:")) return uri;
        return uri + (uri.find('?') == std::string::npos ? "?" : "&") + std::string(param);
    };
    std::string out;
    out.reserve(playlist.size() + 64);
    std::size_t pos = 0;
    while (pos < playlist.size()) {
        std::size_t end = playlist.find('\n', pos);
        if (end == std::string_view::npos) end = playlist.size();
        std::string line(playlist.substr(pos, end - pos));
        bool cr = !line.empty() && line.back() == '\r';
        if (cr) line.pop_back();
        if (!line.empty() && line.front() != '#') {
            line = fix(line);
        } else if (line.starts_with("#")) {
            auto at = line.find("URI=\"");
            if (at != std::string::npos) {
                auto start = at + 5;
                auto close = line.find('"', start);
                if (close != std::string::npos) {
                    line = line.substr(0, start) + fix(line.substr(start, close - start)) +
                           line.substr(close);
                }
            }
        }
        out += line;
        if (cr) out += '\r';
        if (end < playlist.size()) out += '\n';
        pos = end + 1;
    }
    return out;
}

std::vector<server::ExtensionRoute> HttpRoutes(PartyService& parties, HttpDeps deps) {
    auto shared = std::make_shared<HttpDeps>(std::move(deps));
    using server::RouteAccess;
    std::vector<server::ExtensionRoute> routes;
    routes.push_back({"POST", "/api/v1/parties", RouteAccess::kUser,
                      [&parties, shared](Request& req) { return Create(parties, *shared, req); }});
    routes.push_back({"GET", "/api/v1/parties/{id}", RouteAccess::kPublic,
                      [&parties](Request& req) { return Describe(parties, req); }});
    routes.push_back({"DELETE", "/api/v1/parties/{id}", RouteAccess::kUser,
                      [&parties](Request& req) {
                          auto st = parties.End(req.params["id"]);
                          if (!st.ok()) return Api::Error(st.error());
                          Reply r;
                          r.status = 204;
                          return r;
                      }});
    routes.push_back({"POST", "/api/v1/parties/{id}/invites", RouteAccess::kUser,
                      [&parties](Request& req) {
                          auto c = parties.Invite(req.params["id"]);
                          if (!c.ok()) return Api::Error(c.error());
                          return Api::Json(201, CreatedJson(*c, req));
                      }});
    routes.push_back({"GET", "/api/v1/parties/{id}/media/{key+}", RouteAccess::kPublic,
                      [&parties, shared](Request& req) { return Media(parties, *shared, req); }});
    routes.push_back({"GET", "/api/v1/parties/{id}/live/{path+}", RouteAccess::kPublic,
                      [&parties, shared](Request& req) { return Live(parties, *shared, req); }});
    return routes;
}

std::vector<server::ExtensionSocket> Sockets(PartyService& parties) {
    server::ExtensionSocket ws;
    ws.pattern = "/api/v1/parties/{id}/ws";
    ws.open = [&parties](Request& req, std::shared_ptr<server::SocketSink> sink) {
        server::SocketOpen out;
        const std::string id = req.params["id"];
        auto access = Authorize(parties, req, id);
        if (!access.ok()) {
            out.refusal = Api::Error(access.error());
            return out;
        }
        JoinSpec spec;
        spec.user_id = access->user ? req.who.user_id : 0;
        spec.name = req.Query("name");
        spec.rejoin_member = ToInt(req.Query("member"));
        spec.rejoin_secret = req.Query("rejoin");
        if (req.HasQuery("after")) spec.after_seq = static_cast<std::uint64_t>(ToInt(req.Query("after")));
        auto joined = parties.Join(id, std::move(spec), std::move(sink));
        if (!joined.ok()) {
            out.refusal = Api::Error(joined.error());
            return out;
        }
        out.handler = *joined;
        return out;
    };
    return {ws};
}

}  // namespace beacon::party
