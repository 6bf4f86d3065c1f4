#include "server/api.hpp"
/// The library (content items) and the engines' status.


#include <algorithm>
#include <cctype>

#include "core/object_keys.hpp"
#include "jobs/event_bus.hpp"
#include "server/api_validation.hpp"
#include "server/http_util.hpp"
#include "storage/content_removal.hpp"
#include "storage/database.hpp"
#include "jobs/worker_pool.hpp"
#include "storage/object_store.hpp"

namespace beacon::server {

using core::Json;
using namespace api_detail;

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
        auto v = core::ParseVisibility(req.Query("visibility"));
        if (!v.ok()) {
            return Error(400, "invalid_argument", "query parameter 'visibility' must be private or public");
        }
        q.visibility = *v;
    }
    if (req.HasQuery("language") && !req.Query("language").empty()) {
        // An ISO 639 code as the item's `languages` holds it: "es", "pt-br".
        std::string v = req.Query("language");
        const bool ok = v.size() >= 2 && v.size() <= 12 && std::islower(static_cast<unsigned char>(v[0])) &&
                        v.find_first_not_of("abcdefghijklmnopqrstuvwxyz-") == std::string::npos;
        if (!ok) {
            return Error(400, "invalid_argument",
                         "query parameter 'language' must be a language code such as es or pt-br");
        }
        q.language = v;
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
    if (auto tracks = deps_.store.Get(core::object_keys::LanguagesKey(c->id)); tracks.ok()) {
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
    if (c->published != published) deps_.events.Publish(jobs::EventType::kContentUpdated, core::ToJson(*updated));
    return Json(200, core::ToJson(*updated));
}

Reply Api::PatchContent(Request& req) {
    auto id = PathId(req);
    if (!id.ok()) return Error(id.error());
    auto body = BodyObject(req);
    if (!body.ok()) return Error(body.error());
    if (auto s = OnlyFields(*body, {"title", "description", "visibility", "published", "confirm"});
        !s.ok()) {
        return Error(s.error());
    }
    if (auto confirm = OptBool(*body, "confirm"); !confirm.ok()) return Error(confirm.error());
    storage::ContentPatch patch;
    auto title = OptString(*body, "title", 1, core::kMaxTitleChars);
    if (!title.ok()) return Error(title.error());
    patch.title = *title;
    auto desc = OptString(*body, "description", 0, 5000);
    if (!desc.ok()) return Error(desc.error());
    patch.description = *desc;
    auto vis = OptString(*body, "visibility", 1, 16);
    if (!vis.ok()) return Error(vis.error());
    if (*vis) {
        auto v = core::ParseVisibility(**vis);
        if (!v.ok()) {
            return Error(400, "invalid_argument", "field 'visibility' must be private or public");
        }
        patch.visibility = *v;
    }
    auto published = OptBool(*body, "published");
    if (!published.ok()) return Error(published.error());
    auto existing = deps_.db.GetContent(*id);
    if (!existing.ok()) return Error(existing.error());
    // Moderation: going on LiveLoop or public may need a review or "confirm": true.
    const bool to_air = *published && **published && !existing->published;
    const bool to_public = patch.visibility == core::Visibility::kPublic &&
                           existing->visibility != core::Visibility::kPublic;
    if (deps_.moderation && to_air) {
        if (auto no = deps_.moderation(req, "publish", *id, false)) return std::move(*no);
    }
    if (deps_.moderation && to_public) {
        if (auto no = deps_.moderation(req, "share", *id, false)) return std::move(*no);
    }
    if (*published) {
        Reply r = SetPublished(*id, **published);
        if (r.status != 200) return r;
    }
    auto c = deps_.db.PatchContent(*id, patch);
    if (!c.ok()) return Error(c.error());
    if (deps_.moderation && to_air) deps_.moderation(req, "publish", *id, true);
    if (deps_.moderation && to_public) deps_.moderation(req, "share", *id, true);
    deps_.events.Publish(jobs::EventType::kContentUpdated, core::ToJson(*c));
    return Json(200, core::ToJson(*c));
}

Reply Api::DeleteContent(Request& req) {
    auto id = PathId(req);
    if (!id.ok()) return Error(id.error());
    // Channels may still list this item's published segments for a while: with a delay its
    // files go when nobody can be playing them any more (the app sweeps due deletions).
    auto removed = storage::RemoveContent(deps_.db, deps_.store, *id, options_.media_delete_delay,
                                          [this](const core::Playlist& p) { PlaylistChanged(p); });
    if (!removed.ok()) return Error(removed.error());
    deps_.events.Publish(jobs::EventType::kContentDeleted, {{"id", *id}});
    if (deps_.moderation) deps_.moderation(req, "delete", *id, true);
    Reply r;
    r.status = 204;
    r.content_type.clear();
    return r;
}

Reply Api::PublishContent(Request& req) {
    auto id = PathId(req);
    if (!id.ok()) return Error(id.error());
    if (deps_.moderation) {  // flagged, or never reviewed without "confirm": 409
        if (auto no = deps_.moderation(req, "publish", *id, false)) return std::move(*no);
    }
    Reply r = SetPublished(*id, true);
    if (deps_.moderation && r.status == 200) deps_.moderation(req, "publish", *id, true);
    return r;
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

}  // namespace beacon::server
