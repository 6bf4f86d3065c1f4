#include "arcade/http.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>

#include "arcade/multipart.hpp"
#include "server/api.hpp"
#include "server/http_util.hpp"

namespace beacon::arcade {

namespace fs = std::filesystem;
using core::Json;
using server::Api;
using server::ExtensionRoute;
using server::Reply;
using server::Request;
using server::RouteAccess;

/// Declares `var` as the request's {id}, or answers 404.
#define ARCADE_ID(var)                                                \
    auto var##_param_ = IdParam(req);                                 \
    if (!var##_param_.ok()) return Api::Error(var##_param_.error());  \
    const std::int64_t var = *var##_param_

namespace {

Json GameJson(const ArcadeService& arcade, const Game& g) {
    const std::string id = std::to_string(g.id);
    return {{"id", g.id},
            {"title", g.title},
            {"description", g.description},
            {"entry", g.entry},
            {"threads", g.threads},
            {"version", g.version},
            {"files", g.files},
            {"bytes", g.bytes},
            {"cover_url", g.cover_type.empty() ? Json(nullptr)
                                               : Json("/api/v1/games/" + id + "/cover?v=" +
                                                      std::to_string(g.updated_at))},
            {"origin", arcade.Origin(g.id)},
            {"play_url", arcade.PlayUrl(g)},
            {"created_at", g.created_at},
            {"updated_at", g.updated_at}};
}

core::Result<std::int64_t> IdParam(const Request& req, const char* name = "id") {
    auto it = req.params.find(name);
    auto id = it == req.params.end() ? std::nullopt : server::ParsePositiveId(it->second);
    if (!id) return core::Error::NotFound("no such game");
    return *id;
}

bool Truthy(std::string_view v) { return v == "1" || v == "true" || v == "on" || v == "yes"; }

/// Removes a staging file when it goes out of scope.
struct RemoveOnExit {
    fs::path path;
    ~RemoveOnExit() {
        if (path.empty()) return;
        std::error_code ec;
        fs::remove(path, ec);
    }
};

/// A multipart upload as stored on disk: the body's file and its parts.
struct Upload {
    fs::path body;  // the spooled body (removed by the server) or a copy of an in-memory one
    RemoveOnExit own_body;  // set when this handler wrote `body`
    std::vector<FilePart> parts;

    std::string Text(const char* name) const {
        const FilePart* p = FindPart(parts, name);
        if (!p) return {};
        auto text = ReadPart(body, *p, 64 * 1024);
        return text.ok() ? *text : std::string();
    }
};

/// The request's multipart body, read from the file the server spooled it to (the upload
/// routes set spool_body_to_file), never held in memory whole.
core::Result<std::unique_ptr<Upload>> ReadUpload(ArcadeService& arcade, const Request& req) {
    BEACON_TRY(boundary, MultipartBoundary(req.Header(server::http::field::content_type)));
    auto up = std::make_unique<Upload>();
    if (!req.body_file.empty()) {
        up->body = req.body_file;
    } else {  // a body that came in with its headers (or a server that does not spool)
        up->body = arcade.NewUploadPath();
        up->own_body.path = up->body;
        std::ofstream out(up->body, std::ios::binary);
        out.write(req.msg.body().data(), static_cast<std::streamsize>(req.msg.body().size()));
        out.close();
        if (!out) return core::Error::Unavailable("cannot store the upload (disk full?)");
    }
    BEACON_TRY(parts, ParseMultipartFile(up->body, boundary));
    up->parts = std::move(parts);
    return up;
}

/// Copies the zip of field "file" to a staging path; the caller removes it.
core::Result<fs::path> SaveZip(ArcadeService& arcade, const Upload& up) {
    const FilePart* file = FindPart(up.parts, "file");
    if (!file || !file->filename) {
        return core::Error::Invalid("field 'file' (the game's .zip) is missing");
    }
    fs::path path = arcade.NewUploadPath();
    BEACON_CHECK(CopyPart(up.body, *file, path));
    return path;
}

std::string TitleFromFilename(std::string name) {
    auto slash = name.find_last_of("/\\");
    if (slash != std::string::npos) name = name.substr(slash + 1);
    if (name.size() > 4 && name.ends_with(".zip")) name.resize(name.size() - 4);
    return name;
}

Reply UploadGame(ArcadeService& arcade, Request& req) {
    auto up = ReadUpload(arcade, req);
    if (!up.ok()) return Api::Error(up.error());
    auto path = SaveZip(arcade, **up);
    if (!path.ok()) return Api::Error(path.error());
    RemoveOnExit cleanup{*path};
    const Upload& u = **up;
    NewGame game;
    game.title = u.Text("title");
    if (game.title.empty()) game.title = TitleFromFilename(*FindPart(u.parts, "file")->filename);
    game.description = u.Text("description");
    game.entry = u.Text("entry");
    game.threads = Truthy(u.Text("threads"));
    if (const FilePart* cover = FindPart(u.parts, "cover"); cover && cover->length > 0) {
        auto bytes = ReadPart(u.body, *cover, arcade.options().max_cover_bytes);
        if (!bytes.ok()) return Api::Error(bytes.error());
        game.cover = std::move(*bytes);
    }
    auto added = arcade.Add(*path, std::move(game));
    if (!added.ok()) return Api::Error(added.error());
    Reply r = Api::Json(201, GameJson(arcade, *added));
    r.AddHeader("Location", "/api/v1/games/" + std::to_string(added->id));
    return r;
}

Reply NewVersion(ArcadeService& arcade, Request& req) {
    ARCADE_ID(id);
    auto up = ReadUpload(arcade, req);
    if (!up.ok()) return Api::Error(up.error());
    auto path = SaveZip(arcade, **up);
    if (!path.ok()) return Api::Error(path.error());
    RemoveOnExit cleanup{*path};
    auto game = arcade.AddVersion(id, *path, (*up)->Text("entry"));
    if (!game.ok()) return Api::Error(game.error());
    return Api::Json(201, GameJson(arcade, *game));
}

core::Result<Json> BodyJson(const Request& req) {
    Json body = Json::parse(req.msg.body(), nullptr, false);
    if (body.is_discarded() || !body.is_object()) return core::Error::Invalid("send a JSON object");
    return body;
}

Reply PatchGame(ArcadeService& arcade, Request& req) {
    ARCADE_ID(id);
    auto body = BodyJson(req);
    if (!body.ok()) return Api::Error(body.error());
    GamePatch patch;
    for (const auto& [key, value] : body->items()) {
        if ((key == "title" || key == "description") && value.is_string()) {
            (key == "title" ? patch.title : patch.description) = value.get<std::string>();
        } else if (key == "threads" && value.is_boolean()) {
            patch.threads = value.get<bool>();
        } else {
            return Api::Error(400, "invalid_argument",
                              "unknown or mistyped field '" + key +
                                  "' (title and description are strings, threads a boolean)");
        }
    }
    auto game = arcade.Patch(id, patch);
    if (!game.ok()) return Api::Error(game.error());
    return Api::Json(200, GameJson(arcade, *game));
}

Reply PutCover(ArcadeService& arcade, Request& req) {
    ARCADE_ID(id);
    GamePatch patch;
    patch.cover = req.msg.body();
    auto game = arcade.Patch(id, patch);
    if (!game.ok()) return Api::Error(game.error());
    return Api::Json(200, GameJson(arcade, *game));
}

Reply GetCover(ArcadeService& arcade, Request& req) {
    ARCADE_ID(id);
    auto game = arcade.Get(id);
    if (!game.ok()) return Api::Error(game.error());
    auto file = arcade.CoverFile(*game);
    if (!file.ok()) return Api::Error(file.error());
    Reply r = Api::ServeFile(*file, req, "private, no-cache", game->cover_type);
    r.AddHeader("X-Content-Type-Options", "nosniff");
    return r;
}

Reply GetSave(ArcadeService& arcade, Request& req) {
    ARCADE_ID(id);
    auto save = arcade.LoadSave(id, req.who.user_id);
    if (!save.ok()) return Api::Error(save.error());
    return Api::Json(200, {{"data", *save ? Json(**save) : Json(nullptr)}});
}

Reply PutSave(ArcadeService& arcade, Request& req) {
    ARCADE_ID(id);
    auto body = BodyJson(req);
    if (!body.ok()) return Api::Error(body.error());
    auto data = body->find("data");
    if (data == body->end() || !data->is_string()) {
        return Api::Error(400, "invalid_argument", "send {\"data\": \"...\"} (a string)");
    }
    auto st = arcade.StoreSave(id, req.who.user_id, data->get_ref<const std::string&>());
    if (!st.ok()) return Api::Error(st.error());
    return Api::Json(200, {{"bytes", data->get_ref<const std::string&>().size()}});
}

/// Types game engines need beyond the server's table (unknown types are sent as octet-stream
/// with nosniff, so a browser never guesses one).
std::string GameContentType(std::string_view path) {
    static const std::map<std::string, std::string, std::less<>> kTypes = {
        {"ogg", "audio/ogg"},       {"oga", "audio/ogg"},        {"opus", "audio/ogg"},
        {"flac", "audio/flac"},     {"aac", "audio/aac"},        {"weba", "audio/webm"},
        {"webm", "video/webm"},     {"glb", "model/gltf-binary"}, {"gltf", "model/gltf+json"},
        {"data", "application/octet-stream"}, {"pck", "application/octet-stream"},
        {"avif", "image/avif"},     {"ktx2", "image/ktx2"},      {"csv", "text/csv; charset=utf-8"},
    };
    auto dot = path.rfind('.');
    if (dot == std::string_view::npos || path.find('/', dot) != std::string_view::npos) return {};
    std::string ext(path.substr(dot + 1));
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    auto it = kTypes.find(ext);
    return it == kTypes.end() ? std::string() : it->second;
}

std::string Lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

Reply PlainError(unsigned status, std::string text, const std::vector<std::string>& studio) {
    Reply r;
    r.status = status;
    r.content_type = "text/plain; charset=utf-8";
    r.body = std::move(text);
    Game none;
    for (auto& h : GameFileHeaders(none, studio)) r.headers.push_back(std::move(h));
    return r;
}

Reply Play(ArcadeService& arcade, const GameOriginOptions& options, Request& req) {
    auto id = IdParam(req);
    auto version_it = req.params.find("version");
    auto version = version_it == req.params.end() ? std::nullopt : server::ParsePositiveId(version_it->second);
    if (!id.ok() || !version) return PlainError(404, "no such game file\n", options.studio_origins);
    auto game = arcade.Get(*id);
    if (!game.ok()) return PlainError(404, "no such game file\n", options.studio_origins);
    // With one origin per game, a game's files answer on its own host name only.
    if (arcade.OriginPerGame()) {
        std::string origin = arcade.Origin(*id);
        auto scheme = origin.find("://");
        std::string expected = scheme == std::string::npos ? origin : origin.substr(scheme + 3);
        if (Lower(req.Header(server::http::field::host)) != Lower(expected)) {
            return PlainError(404, "no such game file on this origin\n", options.studio_origins);
        }
    }
    auto root = arcade.VersionRoot(*id, *version);
    if (!root.ok()) return PlainError(404, "no such game version\n", options.studio_origins);
    const std::string file = req.params["file"];
    server::FileDescriptor fd = Api::OpenBeneath(*root, file);
    if (!fd.valid()) return PlainError(404, "no such game file\n", options.studio_origins);
    Reply r = Api::ServeOpenFile(std::move(fd), *root / file, req, "no-cache", GameContentType(file));
    for (auto& h : GameFileHeaders(*game, options.studio_origins)) r.headers.push_back(std::move(h));
    return r;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> GameFileHeaders(
    const Game& game, const std::vector<std::string>& studio_origins) {
    std::string ancestors;
    for (const auto& o : studio_origins) ancestors += " " + o;
    if (ancestors.empty()) ancestors = " 'none'";
    std::vector<std::pair<std::string, std::string>> h = {
        {"Content-Security-Policy",
         "default-src 'self' 'unsafe-inline' 'unsafe-eval' blob: data:; "
         "connect-src 'self' blob: data:; worker-src 'self' blob:; base-uri 'self'; "
         "form-action 'none'; frame-ancestors" + ancestors},
        {"X-Content-Type-Options", "nosniff"},
        {"Referrer-Policy", "no-referrer"},
        {"Cross-Origin-Resource-Policy", "same-origin"},
        {"Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()"},
    };
    if (game.threads) {
        h.emplace_back("Cross-Origin-Opener-Policy", "same-origin");
        h.emplace_back("Cross-Origin-Embedder-Policy", "require-corp");
    }
    return h;
}

std::string SdkScript(const std::vector<std::string>& studio_origins) {
    Json hosts = studio_origins;
    return "/* Beacon host-game SDK. Include <script src=\"/beacon-game.js\"></script> before the\n"
           "   game's code; see docs/arcade.md. Messages are origin-checked both ways. */\n"
           "(function () {\n"
           "  'use strict';\n"
           "  var HOSTS = " + hosts.dump() + ";\n" + R"js(
  var host = null, queue = [], pending = {}, nextId = 1;
  var handlers = { pause: [], resume: [], audio: [] };
  var state = { paused: false, audio: true, level: 1 };
  function send(msg) {
    msg.beacon = 'game';
    if (host) window.parent.postMessage(msg, host); else queue.push(msg);
  }
  function request(type, data) {
    return new Promise(function (resolve, reject) {
      var id = nextId++;
      pending[id] = { resolve: resolve, reject: reject };
      send({ type: type, id: id, data: data });
    });
  }
  function fire(name) {
    var args = Array.prototype.slice.call(arguments, 1);
    handlers[name].forEach(function (cb) { try { cb.apply(null, args); } catch (e) { console.error(e); } });
  }
  window.addEventListener('message', function (e) {
    if (window.parent === window || e.source !== window.parent) return;
    if (HOSTS.indexOf(e.origin) < 0) return;
    var m = e.data;
    if (!m || typeof m !== 'object' || m.beacon !== 'host') return;
    if (!host) {
      host = e.origin;
      queue.splice(0).forEach(function (q) { window.parent.postMessage(q, host); });
    }
    if (e.origin !== host) return;
    if (m.type === 'pause' && !state.paused) { state.paused = true; fire('pause'); }
    else if (m.type === 'resume' && state.paused) { state.paused = false; fire('resume'); }
    else if (m.type === 'audio') {
      state.audio = !!m.enabled;
      state.level = typeof m.level === 'number' ? Math.max(0, Math.min(1, m.level)) : (m.enabled ? 1 : 0);
      fire('audio', state.audio, state.level);
    } else if (m.type === 'reply' && pending[m.id]) {
      var p = pending[m.id];
      delete pending[m.id];
      if (m.error) p.reject(new Error(m.error)); else p.resolve(m.data === undefined ? null : m.data);
    }
  });
  window.BeaconGame = {
    /** Tells the host the game is ready (its first frame is drawn). */
    ready: function () { send({ type: 'ready' }); },
    /** Stores a string for this game and user on the server (survives reloads and updates). */
    save: function (data) { return request('save', String(data)); },
    /** The string last saved, or null. */
    load: function () { return request('load'); },
    onPause: function (cb) { handlers.pause.push(cb); },
    onResume: function (cb) { handlers.resume.push(cb); },
    /** cb(enabled, level): the host muted, unmuted or ducked (level 0..1) the game's audio. */
    onAudioChange: function (cb) { handlers.audio.push(cb); },
    isPaused: function () { return state.paused; },
    isAudioEnabled: function () { return state.audio; },
    audioLevel: function () { return state.audio ? state.level : 0; }
  };
  // Announce ourselves so the host can start talking (it answers with its origin checked).
  if (window.parent !== window) {
    HOSTS.forEach(function (h) { try { window.parent.postMessage({ beacon: 'game', type: 'hello' }, h); } catch (e) {} });
  }
})();
)js";
}

std::vector<ExtensionRoute> StudioRoutes(ArcadeService& arcade, std::size_t max_upload_bytes) {
    auto& a = arcade;
    std::vector<ExtensionRoute> routes;
    auto add = [&](const char* method, const char* pattern, auto fn, std::size_t max_body = 0,
                   bool spool = false) {
        ExtensionRoute r;
        r.method = method;
        r.pattern = pattern;
        r.access = RouteAccess::kUser;
        r.handle = [&a, fn](Request& req) { return fn(a, req); };
        r.max_body_bytes = max_body;
        // Uploads go to disk as they arrive (staging is emptied at start, so a crash leaves none).
        r.spool_body_to_file = spool;
        if (spool) r.spool_dir = a.NewUploadPath().parent_path().string();
        routes.push_back(std::move(r));
    };
    add("POST", "/api/v1/games", UploadGame, max_upload_bytes, true);
    add("GET", "/api/v1/games", [](ArcadeService& s, Request&) {
        auto games = s.List();
        if (!games.ok()) return Api::Error(games.error());
        Json items = Json::array();
        for (const auto& g : *games) items.push_back(GameJson(s, g));
        return Api::Json(200, {{"items", items}});
    });
    add("GET", "/api/v1/games/{id}", [](ArcadeService& s, Request& req) {
        ARCADE_ID(id);
        auto game = s.Get(id);
        return game.ok() ? Api::Json(200, GameJson(s, *game)) : Api::Error(game.error());
    });
    add("PATCH", "/api/v1/games/{id}", PatchGame);
    add("DELETE", "/api/v1/games/{id}", [](ArcadeService& s, Request& req) {
        ARCADE_ID(id);
        auto st = s.Delete(id);
        if (!st.ok()) return Api::Error(st.error());
        Reply r;
        r.status = 204;
        return r;
    });
    add("POST", "/api/v1/games/{id}/versions", NewVersion, max_upload_bytes, true);
    add("GET", "/api/v1/games/{id}/cover", GetCover);
    add("PUT", "/api/v1/games/{id}/cover", PutCover, arcade.options().max_cover_bytes + 1);
    add("GET", "/api/v1/games/{id}/save", GetSave);
    add("PUT", "/api/v1/games/{id}/save", PutSave, arcade.options().max_save_bytes * 2 + 1024);
    return routes;
}

std::vector<ExtensionRoute> GameOriginRoutes(ArcadeService& arcade, GameOriginOptions options) {
    auto shared = std::make_shared<GameOriginOptions>(std::move(options));
    std::vector<ExtensionRoute> routes;
    ExtensionRoute play;
    play.method = "GET";
    play.pattern = "/play/{id}/{version}/{file+}";
    play.access = RouteAccess::kPublic;
    play.any_host = true;  // checked per game in Play
    play.handle = [&arcade, shared](Request& req) { return Play(arcade, *shared, req); };
    routes.push_back(std::move(play));

    ExtensionRoute sdk;
    sdk.method = "GET";
    sdk.pattern = "/beacon-game.js";
    sdk.access = RouteAccess::kPublic;
    sdk.any_host = true;
    sdk.handle = [shared, script = std::make_shared<std::string>(SdkScript(shared->studio_origins))](Request&) {
        Reply r;
        r.content_type = "text/javascript; charset=utf-8";
        r.body = *script;
        r.AddHeader("Cache-Control", "no-cache");
        r.AddHeader("X-Content-Type-Options", "nosniff");
        r.AddHeader("Cross-Origin-Resource-Policy", "same-origin");
        return r;
    };
    routes.push_back(std::move(sdk));
    return routes;
}

}  // namespace beacon::arcade
