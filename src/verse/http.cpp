#include "verse/http.hpp"

#include <charconv>

#include "server/api.hpp"

namespace beacon::verse {

using server::Api;
using server::ExtensionRoute;
using server::Reply;
using server::Request;
using server::RouteAccess;

namespace {

std::optional<std::int64_t> ParseInt(std::string_view s) {
    std::int64_t v = 0;
    if (s.empty() || s.size() > 18) return std::nullopt;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size() || v <= 0) return std::nullopt;
    return v;
}

std::optional<std::int64_t> Param(const Request& req, const char* name) {
    auto it = req.params.find(name);
    return it == req.params.end() ? std::nullopt : ParseInt(it->second);
}

Reply Answer(const core::Result<Json>& r, unsigned status = 200) {
    if (!r.ok()) return Api::Error(r.error());
    Reply reply = Api::Json(status, *r);
    if (r->contains("revision") && (*r)["revision"].is_number_integer() && !r->contains("items")) {
        reply.AddHeader("ETag", "\"" + std::to_string((*r)["revision"].get<std::int64_t>()) + "\"");
    }
    reply.AddHeader("Cache-Control", "no-store");
    return reply;
}

Reply NoWorld() { return Api::Error(404, "not_found", "no such world"); }

Reply ServeAsset(storage::ObjectStore& objects, const core::Result<AssetFile>& f, const Request& req) {
    if (!f.ok()) return Api::Error(f.error());
    // Content-addressed: the bytes under a hash never change.
    const std::string cache = "private, max-age=31536000, immutable";
    if (!f->local_path.empty()) {
        Reply r = Api::ServeFile(f->local_path, req, cache, f->mime);
        r.AddHeader("X-Content-Type-Options", "nosniff");
        r.AddHeader("Content-Security-Policy", "default-src 'none'; sandbox");
        return r;
    }
    auto bytes = objects.Get(f->key);
    if (!bytes.ok()) return Api::Error(bytes.error());
    Reply r;
    r.content_type = f->mime;
    r.body = std::move(*bytes);
    r.AddHeader("Cache-Control", cache);
    r.AddHeader("X-Content-Type-Options", "nosniff");
    return r;
}

/// The body as JSON within the document limits (depth checked before parsing).
core::Result<Json> Body(const Request& req) {
    DocumentLimits lim;
    lim.max_json_depth += 1;
    return ParseJsonText(req.msg.body(), lim);
}

}  // namespace

std::vector<ExtensionRoute> HttpRoutes(VerseService& svc, const std::string& public_url) {
    std::vector<ExtensionRoute> routes;
    auto add = [&](const char* method, const char* pattern, RouteAccess access,
                   std::function<Reply(Request&)> fn, std::size_t max_body = 0) {
        ExtensionRoute r;
        r.method = method;
        r.pattern = pattern;
        r.access = access;
        r.handle = std::move(fn);
        r.max_body_bytes = max_body;
        routes.push_back(std::move(r));
    };
    const auto user = RouteAccess::kUser;
    const std::size_t doc_body = DocumentLimits{}.max_bytes;

    add("GET", "/api/v1/worlds/templates", user, [](Request&) {
        return Api::Json(200, Json{{"items", VerseService::TemplateList()}});
    });
    add("GET", "/api/v1/worlds", user, [&svc](Request& req) {
        return Answer(svc.ListWorlds(req.who.user_id));
    });
    add("POST", "/api/v1/worlds", user, [&svc](Request& req) {
        auto body = Body(req);
        if (!body.ok()) return Api::Error(body.error());
        if (!body->is_object()) return Api::Error(400, "invalid_argument", "body must be a JSON object");
        std::string title = body->value("title", std::string());
        std::string tmpl = body->value("template", std::string("empty-stage"));
        auto made = svc.CreateWorld(req.who.user_id, title, tmpl);
        if (!made.ok() && made.error().code == core::ErrorCode::kNotFound) {
            return Api::Error(400, "invalid_argument", made.error().message);
        }
        return Answer(made, 201);
    });
    add("GET", "/api/v1/worlds/{id}", user, [&svc](Request& req) {
        auto id = Param(req, "id");
        if (!id) return NoWorld();
        return Answer(svc.GetWorld(req.who.user_id, *id));
    });
    add("PUT", "/api/v1/worlds/{id}", user, [&svc](Request& req) {
        auto id = Param(req, "id");
        if (!id) return NoWorld();
        std::string match = req.Header(server::http::field::if_match);
        if (match.rfind("W/", 0) == 0) match = match.substr(2);
        if (match.size() >= 2 && match.front() == '"' && match.back() == '"') {
            match = match.substr(1, match.size() - 2);
        }
        auto expected = ParseInt(match);
        if (!expected) {
            return Api::Error(428, "precondition_required",
                              "send If-Match with the revision this save is based on");
        }
        auto body = Body(req);
        if (!body.ok()) return Api::Error(body.error());
        return Answer(svc.SaveWorld(req.who.user_id, *id, *expected, *body));
    }, doc_body);
    add("DELETE", "/api/v1/worlds/{id}", user, [&svc](Request& req) {
        auto id = Param(req, "id");
        if (!id) return NoWorld();
        auto st = svc.DeleteWorld(req.who.user_id, *id);
        if (!st.ok()) return Api::Error(st.error());
        Reply r;
        r.status = 204;
        return r;
    });
    add("GET", "/api/v1/worlds/{id}/export.glb", user, [&svc](Request& req) {
        auto id = Param(req, "id");
        if (!id) return NoWorld();
        auto r = svc.ExportWorld(req.who.user_id, *id);
        if (!r.ok()) return Api::Error(r.error());
        Reply reply;
        reply.content_type = "model/gltf-binary";
        reply.body = std::move(r->second.bytes);
        reply.AddHeader("Content-Disposition", "attachment; filename=\"world-" + std::to_string(*id) + ".glb\"");
        reply.AddHeader("X-Export-Warnings", std::to_string(r->second.warnings.size()));
        reply.AddHeader("Cache-Control", "no-store");
        return reply;
    });
    add("GET", "/api/v1/worlds/{id}/revisions", user, [&svc](Request& req) {
        auto id = Param(req, "id");
        if (!id) return NoWorld();
        return Answer(svc.ListRevisions(req.who.user_id, *id));
    });
    add("GET", "/api/v1/worlds/{id}/revisions/{revision}", user, [&svc](Request& req) {
        auto id = Param(req, "id");
        auto rev = Param(req, "revision");
        if (!id || !rev) return NoWorld();
        return Answer(svc.GetRevision(req.who.user_id, *id, *rev));
    });
    add("POST", "/api/v1/worlds/{id}/revisions/{revision}/restore", user, [&svc](Request& req) {
        auto id = Param(req, "id");
        auto rev = Param(req, "revision");
        if (!id || !rev) return NoWorld();
        return Answer(svc.RestoreRevision(req.who.user_id, *id, *rev), 201);
    });
    add("GET", "/api/v1/worlds/{id}/assets", user, [&svc](Request& req) {
        auto id = Param(req, "id");
        if (!id) return NoWorld();
        return Answer(svc.ListAssets(req.who.user_id, *id));
    });
    add("POST", "/api/v1/worlds/{id}/assets", user, [&svc](Request& req) {
        auto id = Param(req, "id");
        if (!id) return NoWorld();
        auto r = svc.UploadAsset(req.who.user_id, *id, req.msg.body(),
                                 req.Header(server::http::field::content_type), req.Query("name"));
        if (!r.ok()) return Api::Error(r.error());
        return Api::Json((*r)["stored"] == "new" ? 201 : 200, *r);
    }, AssetLimits{}.max_model_bytes);
    add("GET", "/api/v1/worlds/{id}/assets/{hash}", user, [&svc](Request& req) {
        auto id = Param(req, "id");
        if (!id) return NoWorld();
        return ServeAsset(svc.Objects(), svc.Asset(req.who.user_id, *id, req.params["hash"]), req);
    });
    add("POST", "/api/v1/worlds/{id}/share", user, [&svc, public_url](Request& req) {
        auto id = Param(req, "id");
        if (!id) return NoWorld();
        auto r = svc.CreateShare(req.who.user_id, *id);
        if (!r.ok()) return Api::Error(r.error());
        std::string base = public_url;
        if (base.empty()) base = "http://" + req.Header(server::http::field::host);
        while (!base.empty() && base.back() == '/') base.pop_back();
        (*r)["url"] = base + (*r)["path"].get<std::string>();
        return Api::Json(201, *r);
    });
    add("GET", "/api/v1/worlds/{id}/shares", user, [&svc](Request& req) {
        auto id = Param(req, "id");
        if (!id) return NoWorld();
        return Answer(svc.ListShares(req.who.user_id, *id));
    });
    add("DELETE", "/api/v1/worlds/{id}/shares/{share}", user, [&svc](Request& req) {
        auto id = Param(req, "id");
        auto share = Param(req, "share");
        if (!id || !share) return NoWorld();
        auto st = svc.RevokeShare(req.who.user_id, *id, *share);
        if (!st.ok()) return Api::Error(st.error());
        Reply r;
        r.status = 204;
        return r;
    });
    // Share links: no login; the token is the credential and opens one world.
    add("GET", "/api/v1/shared/{token}", RouteAccess::kPublic, [&svc](Request& req) {
        auto r = svc.SharedWorld(req.params["token"]);
        Reply reply = Answer(r);
        reply.AddHeader("Referrer-Policy", "no-referrer");
        return reply;
    });
    add("GET", "/api/v1/shared/{token}/assets/{hash}", RouteAccess::kPublic, [&svc](Request& req) {
        return ServeAsset(svc.Objects(), svc.SharedAsset(req.params["token"], req.params["hash"]), req);
    });
    return routes;
}

}  // namespace beacon::verse
