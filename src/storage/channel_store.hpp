#pragma once
/// LiveLoop channels: playlists and each channel's committed state. Thread-safe.
#include <cstdint>
#include <string>
#include <vector>

#include "core/model.hpp"
#include "storage/store_types.hpp"

namespace beacon::storage {

class ChannelStore {
public:
    virtual ~ChannelStore() = default;

    /// Conflict when the slug is taken.
    virtual Result<core::Playlist> CreatePlaylist(const core::Playlist& p) = 0;
    virtual Result<core::Playlist> GetPlaylist(std::int64_t id) = 0;
    virtual Result<core::Playlist> GetPlaylistBySlug(const std::string& slug) = 0;
    virtual Result<std::vector<core::Playlist>> ListPlaylists() = 0;
    /// Replaces title, items, loop_mode, active, scheduled_slots and inserts.
    virtual Status UpdatePlaylist(const core::Playlist& p) = 0;
    virtual Status DeletePlaylist(std::int64_t id) = 0;
    /// The default channel ("main"), created on first use.
    virtual Result<core::Playlist> DefaultPlaylist() = 0;
    /// Free-form per-channel state for LiveLoop (committed history), JSON text.
    virtual Result<std::string> GetChannelState(std::int64_t playlist_id) = 0;
    virtual Status PutChannelState(std::int64_t playlist_id, const std::string& state) = 0;
};

}  // namespace beacon::storage
