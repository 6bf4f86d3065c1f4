#pragma once
/// Deleting a library item everywhere it is used: one service for the API and the CLI.
#include <chrono>
#include <cstdint>
#include <functional>

#include "core/model.hpp"
#include "core/result.hpp"
#include "storage/database.hpp"
#include "storage/object_store.hpp"

namespace beacon::storage {

/// Called once for each channel whose items, scheduled slots or inserts lost the item (after
/// the channel was stored), so that a running LiveLoop can pick the change up.
using PlaylistChangedFn = std::function<void(const core::Playlist&)>;

/// Deletes content `id`: takes it out of every channel (items, scheduled slots, inserts), then
/// deletes its files under `library/<id>/` (at once when `media_delete_delay` is zero, else
/// scheduled that far ahead: channels may still list its published segments), then its row.
/// NotFound when there is no such item. Stops at the first failure (channels already changed
/// stay changed and were reported). Blocking (database and object store).
core::Status RemoveContent(Database& db, ObjectStore& store, std::int64_t id,
                           std::chrono::seconds media_delete_delay,
                           const PlaylistChangedFn& on_playlist_changed = {});

}  // namespace beacon::storage
