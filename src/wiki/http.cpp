#include "wiki/http.hpp"

#include <algorithm>
#include <charconv>

#include "server/api.hpp"
#include "wiki/html.hpp"

namespace beacon::wiki {

using core::Json;
using server::Api;
using server::Reply;
using server::Request;

namespace {

constexpr std::size_t kMaxNames = 20;

core::Result<std::int64_t> ContentId(const Request& req) {
    auto it = req.params.find("id");
    std::int64_t id = 0;
    if (it != req.params.end()) {
        const auto& s = it->second;
        auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), id);
        if (ec == std::errc() && p == s.data() + s.size() && id > 0) return id;
    }
    return core::Error::Invalid("id must be a positive integer");
}

std::vector<std::string> SplitNames(const std::string& list) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i <= list.size()) {
        std::size_t j = list.find(',', i);
        if (j == std::string::npos) j = list.size();
        std::string n = list.substr(i, j - i);
        while (!n.empty() && n.front() == ' ') n.erase(0, 1);
        while (!n.empty() && n.back() == ' ') n.pop_back();
        if (!n.empty()) out.push_back(std::move(n));
        i = j + 1;
    }
    return out;
}

Json Items(const std::vector<Fact>& facts) {
    Json items = Json::array();
    for (const auto& f : facts) items.push_back(ToJson(f));
    return {{"items", items}};
}

bool ServedAsIs(const std::string& mimetype) {
    for (const char* ok : {"image/png", "image/jpeg", "image/gif", "image/webp", "text/css",
                           "image/svg+xml"}) {
        if (mimetype.rfind(ok, 0) == 0) return true;
    }
    return false;
}

Reply WikiEntry(WikiService& svc, Request& req) {
    ZimFactSource* zim = svc.zim();
    if (!zim) return Api::Error(404, "not_found", "no ZIM is configured ([wiki] zim)");
    const std::string path = req.params["path"];
    auto entry = zim->Read(path);
    if (!entry.ok()) return Api::Error(entry.error());
    Reply r;
    r.AddHeader("X-Content-Type-Options", "nosniff");
    r.AddHeader("Referrer-Policy", "no-referrer");
    if (!entry->redirect_to.empty()) {
        r.status = 302;
        r.content_type = "text/plain; charset=utf-8";
        r.AddHeader("Location", "/wiki/" + EncodeArchivePath(entry->redirect_to));
        r.AddHeader("Cache-Control", "private, max-age=3600");
        return r;
    }
    if (entry->mimetype.rfind("text/html", 0) == 0) {
        r.content_type = "text/html; charset=utf-8";
        r.body = SanitizeArticle(entry->data, entry->title.empty() ? path : entry->title);
        r.AddHeader("Content-Security-Policy", kArticleCsp);
        r.AddHeader("Cache-Control", "private, max-age=3600");
        return r;
    }
    if (!ServedAsIs(entry->mimetype)) {
        return Api::Error(404, "not_found", "this kind of ZIM entry is not served");
    }
    r.content_type = entry->mimetype;
    r.body = std::move(entry->data);
    // SVG can carry script: rendered only as a sandboxed document that runs none.
    r.AddHeader("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox");
    r.AddHeader("Cache-Control", "private, max-age=86400");
    return r;
}

}  // namespace

std::vector<server::ExtensionRoute> HttpRoutes(WikiService& svc) {
    using server::RouteAccess;
    std::vector<server::ExtensionRoute> routes;
    routes.push_back({"GET", "/api/v1/wiki", RouteAccess::kUser, [&svc](Request& req) -> Reply {
                          const std::string lang = req.Query("lang");
                          if (!lang.empty() && lang != svc.language()) {
                              return Api::Error(400, "invalid_argument",
                                                "lang: only \"" + svc.language() +
                                                    "\" is configured ([wiki] language)");
                          }
                          const auto names = SplitNames(req.Query("entities"));
                          if (names.empty()) {
                              return Api::Error(400, "invalid_argument",
                                                "entities: give one or more names, comma-separated");
                          }
                          if (names.size() > kMaxNames) {
                              return Api::Error(400, "invalid_argument",
                                                "entities: at most 20 names per request");
                          }
                          for (const auto& n : names) {
                              if (n.size() > 200) {
                                  return Api::Error(400, "invalid_argument",
                                                    "entities: a name is longer than 200 bytes");
                              }
                          }
                          auto facts = svc.Facts(names, {});
                          if (!facts.ok()) return Api::Error(facts.error());
                          return Api::Json(200, Items(*facts));
                      }});
    routes.push_back({"GET", "/api/v1/content/{id}/entities", RouteAccess::kUser,
                      [&svc](Request& req) -> Reply {
                          auto id = ContentId(req);
                          if (!id.ok()) return Api::Error(id.error());
                          auto all = svc.Entities(*id, {});
                          if (!all.ok()) return Api::Error(all.error());
                          Json items = Json::array();
                          for (const auto& e : *all) items.push_back(ToJson(e));
                          return Api::Json(200, {{"items", items},
                                                 {"source", svc.has_source() ? Json(nullptr)
                                                                             : Json("none")}});
                      }});
    routes.push_back({"POST", "/api/v1/content/{id}/entities", RouteAccess::kUser,
                      [&svc](Request& req) -> Reply {
                          auto id = ContentId(req);
                          if (!id.ok()) return Api::Error(id.error());
                          auto body = Json::parse(req.msg.body(), nullptr, false);
                          if (!body.is_object() || !body.contains("name") ||
                              !body["name"].is_string()) {
                              return Api::Error(400, "invalid_argument",
                                                "body must be {\"name\": \"...\", \"type\"?: \"...\"}");
                          }
                          std::string type;
                          if (body.contains("type")) {
                              if (!body["type"].is_string()) {
                                  return Api::Error(400, "invalid_argument", "type must be a string");
                              }
                              type = body["type"].get<std::string>();
                          }
                          auto e = svc.AddEntity(*id, body["name"].get<std::string>(), type, {});
                          if (!e.ok()) return Api::Error(e.error());
                          return Api::Json(201, ToJson(*e));
                      },
                      false, 16 * 1024});
    routes.push_back({"DELETE", "/api/v1/content/{id}/entities/{name}", RouteAccess::kUser,
                      [&svc](Request& req) -> Reply {
                          auto id = ContentId(req);
                          if (!id.ok()) return Api::Error(id.error());
                          if (auto st = svc.RemoveEntity(*id, req.params["name"]); !st.ok()) {
                              return Api::Error(st.error());
                          }
                          Reply r;
                          r.status = 204;
                          return r;
                      }});
    routes.push_back({"GET", "/api/v1/content/{id}/facts", RouteAccess::kUser,
                      [&svc](Request& req) -> Reply {
                          auto id = ContentId(req);
                          if (!id.ok()) return Api::Error(id.error());
                          auto all = svc.Entities(*id, {});
                          if (!all.ok()) return Api::Error(all.error());
                          Json items = Json::array();
                          for (const auto& e : *all) {
                              if (!e.fact) continue;
                              for (const auto& s : e.spans) {
                                  items.push_back({{"entity", e.name},
                                                   {"type", e.type},
                                                   {"start", s.start},
                                                   {"end", s.end},
                                                   {"fact", ToJson(*e.fact)}});
                              }
                          }
                          std::sort(items.begin(), items.end(), [](const Json& a, const Json& b) {
                              return a["start"].get<double>() < b["start"].get<double>();
                          });
                          return Api::Json(200, {{"items", items}});
                      }});
    routes.push_back({"GET", "/wiki/{path+}", RouteAccess::kUser,
                      [&svc](Request& req) { return WikiEntry(svc, req); }});
    return routes;
}

}  // namespace beacon::wiki
