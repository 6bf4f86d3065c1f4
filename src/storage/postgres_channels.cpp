// PostgreSQL backend: LiveLoop channels (storage::ChannelStore).
#include "storage/postgres_backend.hpp"

namespace beacon::storage::postgres_backend {

Result<core::Playlist> PostgresDatabase::CreatePlaylist(const core::Playlist& p) {
    Lease lease(*this);
    auto r = InsertPlaylist(lease.conn, p, /*if_absent=*/false);
    if (!r.ok() && r.error().code == core::ErrorCode::kConflict) {
        return Error::Conflict("a channel named '" + p.slug + "' already exists");
    }
    return r;
}

Result<core::Playlist> PostgresDatabase::GetPlaylist(std::int64_t id) {
    Lease lease(*this);
    return PlaylistWhere(lease.conn, "id = $1::bigint", std::to_string(id));
}

Result<core::Playlist> PostgresDatabase::GetPlaylistBySlug(const std::string& slug) {
    Lease lease(*this);
    return PlaylistWhere(lease.conn, "slug = $1", slug);
}

Result<std::vector<core::Playlist>> PostgresDatabase::ListPlaylists() {
    Lease lease(*this);
    BEACON_TRY(r, lease.conn.Query(std::string("SELECT ") + kPlaylistColumns +
                                   " FROM playlists ORDER BY id"));
    std::vector<core::Playlist> out;
    for (int i = 0; i < r.size(); ++i) out.push_back(ReadPlaylist(r, i));
    return out;
}

Status PostgresDatabase::UpdatePlaylist(const core::Playlist& p) {
    Lease lease(*this);
    BEACON_TRY(
        r, lease.conn.Query("UPDATE playlists SET title = $1, items = $2, loop_mode = $3, active = "
                            "$4, scheduled_slots = $5, inserts = $6, updated_at = $7 WHERE id = $8",
                            Params()
                                .Add(p.title)
                                .Add(Json(p.items).dump())
                                .Add(core::ToString(p.loop_mode))
                                .Add(p.active)
                                .Add(p.scheduled_slots.dump())
                                .Add(p.inserts.dump())
                                .Add(core::NowMillis())
                                .Add(p.id)));
    if (r.affected() == 0) return Error::NotFound("no playlist " + std::to_string(p.id));
    return {};
}

Status PostgresDatabase::DeletePlaylist(std::int64_t id) {
    Lease lease(*this);
    BEACON_TRY(r, lease.conn.Query("DELETE FROM playlists WHERE id = $1", Params().Add(id)));
    if (r.affected() == 0) return Error::NotFound("no playlist " + std::to_string(id));
    return {};
}

Result<core::Playlist> PostgresDatabase::DefaultPlaylist() {
    Lease lease(*this);
    auto existing = PlaylistWhere(lease.conn, "slug = $1", std::string("main"));
    if (existing.ok() || existing.error().code != core::ErrorCode::kNotFound) return existing;
    core::Playlist p;
    p.slug = "main";
    p.title = "LiveLoop";
    // Two processes may ask at once: one inserts, both read the same row.
    BEACON_CHECK(InsertPlaylist(lease.conn, p, /*if_absent=*/true));
    return PlaylistWhere(lease.conn, "slug = $1", std::string("main"));
}

Result<std::string> PostgresDatabase::GetChannelState(std::int64_t playlist_id) {
    Lease lease(*this);
    BEACON_TRY(r, lease.conn.Query("SELECT state FROM playlists WHERE id = $1",
                                   Params().Add(playlist_id)));
    if (r.empty()) return Error::NotFound("no playlist " + std::to_string(playlist_id));
    return r.Text(0, 0);
}

Status PostgresDatabase::PutChannelState(std::int64_t playlist_id, const std::string& state) {
    Lease lease(*this);
    BEACON_TRY(r, lease.conn.Query("UPDATE playlists SET state = $1 WHERE id = $2",
                                   Params().Add(state).Add(playlist_id)));
    if (r.affected() == 0) return Error::NotFound("no playlist " + std::to_string(playlist_id));
    return {};
}

Result<core::Playlist> PostgresDatabase::PlaylistWhere(pg::Connection& conn, const char* cond,
                                                       const std::string& v) {
    BEACON_TRY(
        r, conn.Query(std::string("SELECT ") + kPlaylistColumns + " FROM playlists WHERE " + cond,
                      Params().Add(v)));
    if (r.empty()) return Error::NotFound("no such playlist");
    return ReadPlaylist(r, 0);
}

Result<core::Playlist> PostgresDatabase::InsertPlaylist(pg::Connection& conn,
                                                        const core::Playlist& p, bool if_absent) {
    const auto now = core::NowMillis();
    BEACON_TRY(r, conn.Query(std::string("INSERT INTO playlists(slug, title, items, "
                                         "loop_mode, active, hls_endpoint, scheduled_slots, "
                                         "inserts, created_at, updated_at) VALUES($1,$2,$3,"
                                         "$4,$5,$6,$7,$8,$9,$9)") +
                                 (if_absent ? " ON CONFLICT (slug) DO NOTHING" : "") +
                                 " RETURNING " + kPlaylistColumns,
                             Params()
                                 .Add(p.slug)
                                 .Add(p.title)
                                 .Add(Json(p.items).dump())
                                 .Add(core::ToString(p.loop_mode))
                                 .Add(p.active)
                                 .Add("/live/" + p.slug + "/index.m3u8")
                                 .Add(p.scheduled_slots.dump())
                                 .Add(p.inserts.dump())
                                 .Add(now)));
    if (r.empty()) return Error::Conflict("a channel named '" + p.slug + "' already exists");
    return ReadPlaylist(r, 0);
}

}  // namespace beacon::storage::postgres_backend
