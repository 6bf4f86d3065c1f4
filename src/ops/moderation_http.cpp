#include "ops/moderation_http.hpp"

#include <cstdio>

#include "core/object_keys.hpp"
#include "jobs/event_bus.hpp"
#include "ops/moderation.hpp"
#include "server/api.hpp"
#include "server/http_util.hpp"
#include "storage/content_store.hpp"

namespace beacon::ops {

namespace {

using core::Json;
using server::Api;
using server::Reply;
using server::Request;

core::Result<std::int64_t> ContentId(const Request& req) {
    auto it = req.params.find("id");
    auto id = it == req.params.end() ? std::nullopt : server::ParsePositiveId(it->second);
    if (!id) return core::Error::NotFound("no such item");
    return *id;
}

Json ReviewJson(const Review& r) {
    Json out = {{"content_id", r.content_id}, {"state", ToString(r.state)}, {"reason", r.reason}};
    out["flagged_at"] = r.flagged_at ? Json(core::FormatTimestamp(r.flagged_at)) : Json(nullptr);
    out["reviewed_at"] = r.reviewed_at ? Json(core::FormatTimestamp(r.reviewed_at)) : Json(nullptr);
    return out;
}

/// `"confirm": true` in a JSON object body, or ?confirm=true.
bool Confirmed(const Request& req) {
    if (auto q = req.Query("confirm"); q == "true" || q == "1") return true;
    const std::string& body = req.msg.body();
    if (body.empty()) return false;
    Json j = Json::parse(body, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return false;
    auto it = j.find("confirm");
    return it != j.end() && it->is_boolean() && it->get<bool>();
}

/// Tells LiveLoop and the studio's pages that the item's standing changed.
void Announce(storage::ContentStore& db, jobs::EventBus& events, std::int64_t id) {
    if (auto c = db.GetContent(id); c.ok()) events.Publish(jobs::EventType::kContentUpdated, core::ToJson(*c));
}

}  // namespace

std::vector<server::ExtensionRoute> ModerationRoutes(Moderation& m, storage::ContentStore& db,
                                                     jobs::EventBus& events) {
    std::vector<server::ExtensionRoute> routes;
    auto add = [&](const char* method, const char* pattern, std::function<Reply(Request&)> fn) {
        server::ExtensionRoute r;
        r.method = method;
        r.pattern = pattern;
        r.access = server::RouteAccess::kUser;
        r.handle = std::move(fn);
        r.max_body_bytes = 16 * 1024;
        routes.push_back(std::move(r));
    };

    add("GET", "/api/v1/moderation", [&m, &db](Request&) {
        auto flagged = m.Flagged();
        if (!flagged.ok()) return Api::Error(flagged.error());
        Json items = Json::array();
        for (const auto& r : *flagged) {
            auto c = db.GetContent(r.content_id);
            if (!c.ok()) continue;  // deleted meanwhile
            Json j = ReviewJson(r);
            j["title"] = c->title;
            j["poster"] = core::object_keys::MediaUrl(c->poster_key);
            j["published"] = c->published;
            j["visibility"] = c->visibility;
            items.push_back(std::move(j));
        }
        return Api::Json(200, {{"items", items}});
    });

    add("GET", "/api/v1/content/{id}/review", [&m, &db](Request& req) {
        auto id = ContentId(req);
        if (!id.ok()) return Api::Error(id.error());
        if (auto c = db.GetContent(*id); !c.ok()) return Api::Error(c.error());
        auto r = m.Get(*id);
        if (!r.ok()) return Api::Error(r.error());
        return Api::Json(200, ReviewJson(*r));
    });

    add("POST", "/api/v1/content/{id}/flag", [&m, &db, &events](Request& req) {
        auto id = ContentId(req);
        if (!id.ok()) return Api::Error(id.error());
        Json body = Json::parse(req.msg.body(), nullptr, false);
        if (body.is_discarded() || !body.is_object()) {
            return Api::Error(400, "invalid_argument", "the body must be a JSON object");
        }
        for (const auto& [k, v] : body.items()) {
            if (k != "reason") return Api::Error(400, "invalid_argument", "unknown field '" + k + "'");
        }
        auto reason = body.find("reason");
        if (reason == body.end() || !reason->is_string()) {
            return Api::Error(400, "invalid_argument", "field 'reason' (a string) is required");
        }
        auto c = db.GetContent(*id);
        if (!c.ok()) return Api::Error(c.error());
        auto r = m.Flag(*id, req.who.user_id, reason->get<std::string>());
        if (!r.ok()) return Api::Error(r.error());
        // A public item stops being shared until it is reviewed.
        if (c->visibility == core::Visibility::kPublic) {
            storage::ContentPatch patch;
            patch.visibility = core::Visibility::kPrivate;
            if (auto p = db.PatchContent(*id, patch); !p.ok()) return Api::Error(p.error());
        }
        Announce(db, events, *id);
        return Api::Json(200, ReviewJson(*r));
    });

    add("POST", "/api/v1/content/{id}/approve", [&m, &db, &events](Request& req) {
        auto id = ContentId(req);
        if (!id.ok()) return Api::Error(id.error());
        if (auto c = db.GetContent(*id); !c.ok()) return Api::Error(c.error());
        auto r = m.Approve(*id, req.who.user_id);
        if (!r.ok()) return Api::Error(r.error());
        Announce(db, events, *id);
        return Api::Json(200, ReviewJson(*r));
    });

    add("GET", "/api/v1/audit", [&m](Request& req) {
        int limit = 100;
        std::int64_t before = 0;
        if (req.HasQuery("limit")) {
            auto v = server::ParsePositiveId(req.Query("limit"));
            if (!v || *v > 500) return Api::Error(400, "invalid_argument", "limit must be 1..500");
            limit = static_cast<int>(*v);
        }
        if (req.HasQuery("before")) {
            auto v = server::ParsePositiveId(req.Query("before"));
            if (!v) return Api::Error(400, "invalid_argument", "before must be a positive id");
            before = *v;
        }
        auto log = m.AuditLog(limit, before);
        if (!log.ok()) return Api::Error(log.error());
        Json items = Json::array();
        for (const auto& e : *log) {
            items.push_back({{"id", e.id},
                             {"at", core::FormatTimestamp(e.at)},
                             {"user_id", e.user_id},
                             {"user", e.user},
                             {"action", e.action},
                             {"content_id", e.content_id},
                             {"detail", e.detail}});
        }
        return Api::Json(200, {{"items", items}});
    });
    return routes;
}

ModerationHook MakeModerationHook(Moderation& m, storage::ContentStore& db) {
    return [&m, &db](const Request& req, std::string_view action, std::int64_t id,
                     bool done) -> std::optional<Reply> {
        if (done) {
            // The handler already changed the item: a failed audit line is logged, not answered.
            auto st = m.Audit(req.who.user_id, action, id, req.method + " " + req.raw_path);
            if (!st.ok()) std::fprintf(stderr, "beacon: audit: %s\n", st.error().message.c_str());
            if (action == "delete") (void)m.Forget(id);
            return std::nullopt;
        }
        if (!db.GetContent(id).ok()) return std::nullopt;
        auto gate = action == "share" ? GatedAction::kShare : GatedAction::kPublish;
        auto st = m.Check(gate, id, Confirmed(req));
        if (st.ok()) return std::nullopt;
        if (st.error().code != core::ErrorCode::kConflict) return Api::Error(st.error());
        return Api::Error(409, m.IsFlagged(id) ? "flagged" : "confirmation_required",
                          st.error().message);
    };
}

}  // namespace beacon::ops
