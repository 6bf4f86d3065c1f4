#include "storage/content_removal.hpp"

#include <string>
#include <utility>

#include "core/object_keys.hpp"

namespace beacon::storage {

namespace {

/// The entries of a JSON array of {"content_id": ...} objects that do not name `id`; `changed`
/// is set when one did.
core::Json WithoutContent(const core::Json& entries, std::int64_t id, bool& changed) {
    core::Json kept = core::Json::array();
    for (const auto& e : entries) {
        if (e.is_object() && e.value("content_id", std::int64_t{0}) == id) {
            changed = true;
        } else {
            kept.push_back(e);
        }
    }
    return kept;
}

}  // namespace

core::Status RemoveContent(Database& db, ObjectStore& store, std::int64_t id,
                           std::chrono::seconds media_delete_delay,
                           const PlaylistChangedFn& on_playlist_changed) {
    if (auto c = db.GetContent(id); !c.ok()) return c.error();
    auto playlists = db.ListPlaylists();
    if (!playlists.ok()) return playlists.error();
    for (auto& p : *playlists) {
        bool changed = std::erase(p.items, id) > 0;
        core::Json slots = WithoutContent(p.scheduled_slots, id, changed);
        core::Json inserts = WithoutContent(p.inserts, id, changed);
        if (!changed) continue;
        p.scheduled_slots = std::move(slots);
        p.inserts = std::move(inserts);
        if (auto s = db.UpdatePlaylist(p); !s.ok()) return s;
        if (on_playlist_changed) on_playlist_changed(p);
    }
    const std::string prefix = core::object_keys::LibraryPrefix(id);
    if (media_delete_delay.count() > 0) {
        auto due = core::NowMillis() + media_delete_delay.count() * 1000;
        if (auto s = db.ScheduleObjectDelete(prefix, due); !s.ok()) return s;
    } else if (auto s = store.Delete(prefix); !s.ok()) {
        return s;
    }
    return db.DeleteContent(id);
}

}  // namespace beacon::storage
