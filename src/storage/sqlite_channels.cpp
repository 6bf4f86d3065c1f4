// SQLite backend: LiveLoop channels (storage::ChannelStore).
#include "storage/sqlite_backend.hpp"

namespace beacon::storage::sqlite_backend {

Result<core::Playlist> SqliteDatabase::CreatePlaylist(const core::Playlist& p) {
    std::lock_guard lock(writer_.mu);
    sqlite::Connection& conn = writer_;
    return CreatePlaylistLocked(conn, p);
}

Result<core::Playlist> SqliteDatabase::GetPlaylist(std::int64_t id) {
    ReaderLease lease(*this);
    sqlite::Connection& conn = lease.conn;
    return PlaylistWhere(conn, "id = ?", id);
}

Result<core::Playlist> SqliteDatabase::GetPlaylistBySlug(const std::string& slug) {
    ReaderLease lease(*this);
    sqlite::Connection& conn = lease.conn;
    return PlaylistWhere(conn, "slug = ?", slug);
}

Result<std::vector<core::Playlist>> SqliteDatabase::ListPlaylists() {
    ReaderLease lease(*this);
    sqlite::Connection& conn = lease.conn;
    Statement s(conn, std::string("SELECT ") + kPlaylistColumns + " FROM playlists ORDER BY id");
    std::vector<core::Playlist> out;
    for (;;) {
        BEACON_TRY(row, s.Step());
        if (!row) break;
        out.push_back(ReadPlaylist(s));
    }
    return out;
}

Status SqliteDatabase::UpdatePlaylist(const core::Playlist& p) {
    std::lock_guard lock(writer_.mu);
    sqlite::Connection& conn = writer_;
    Statement s(conn,
                "UPDATE playlists SET title=?, items=?, loop_mode=?, active=?, "
                "scheduled_slots=?, inserts=?, updated_at=? WHERE id=?");
    s.Bind(1, p.title)
        .Bind(2, Json(p.items).dump())
        .Bind(3, core::ToString(p.loop_mode))
        .Bind(4, p.active);
    s.Bind(5, p.scheduled_slots.dump()).Bind(6, p.inserts.dump());
    s.Bind(7, core::NowMillis()).Bind(8, p.id);
    BEACON_CHECK(s.Run());
    if (sqlite3_changes(conn.db) == 0)
        return Error::NotFound("no playlist " + std::to_string(p.id));
    return {};
}

Status SqliteDatabase::DeletePlaylist(std::int64_t id) {
    std::lock_guard lock(writer_.mu);
    sqlite::Connection& conn = writer_;
    Statement s(conn, "DELETE FROM playlists WHERE id = ?");
    s.Bind(1, id);
    BEACON_CHECK(s.Run());
    if (sqlite3_changes(conn.db) == 0) return Error::NotFound("no playlist " + std::to_string(id));
    return {};
}

Result<core::Playlist> SqliteDatabase::DefaultPlaylist() {
    std::lock_guard lock(writer_.mu);
    sqlite::Connection& conn = writer_;
    auto existing = PlaylistWhere(conn, "slug = ?", std::string("main"));
    if (existing.ok()) return existing;
    core::Playlist p;
    p.slug = "main";
    p.title = "LiveLoop";
    return CreatePlaylistLocked(conn, p);
}

Result<std::string> SqliteDatabase::GetChannelState(std::int64_t playlist_id) {
    ReaderLease lease(*this);
    sqlite::Connection& conn = lease.conn;
    Statement s(conn, "SELECT state FROM playlists WHERE id = ?");
    s.Bind(1, playlist_id);
    BEACON_TRY(row, s.Step());
    if (!row) return Error::NotFound("no playlist " + std::to_string(playlist_id));
    return s.Text(0);
}

Status SqliteDatabase::PutChannelState(std::int64_t playlist_id, const std::string& state) {
    std::lock_guard lock(writer_.mu);
    sqlite::Connection& conn = writer_;
    Statement s(conn, "UPDATE playlists SET state = ? WHERE id = ?");
    s.Bind(1, state).Bind(2, playlist_id);
    BEACON_CHECK(s.Run());
    if (sqlite3_changes(conn.db) == 0) {
        return Error::NotFound("no playlist " + std::to_string(playlist_id));
    }
    return {};
}

Result<core::Playlist> SqliteDatabase::CreatePlaylistLocked(sqlite::Connection& conn,
                                                            const core::Playlist& p) {
    auto now = core::NowMillis();
    Statement s(conn,
                "INSERT INTO playlists(slug, title, items, loop_mode, active, hls_endpoint, "
                "scheduled_slots, inserts, created_at, updated_at) VALUES(?,?,?,?,?,?,?,?,?,?)");
    s.Bind(1, p.slug)
        .Bind(2, p.title)
        .Bind(3, Json(p.items).dump())
        .Bind(4, core::ToString(p.loop_mode));
    s.Bind(5, p.active).Bind(6, "/live/" + p.slug + "/index.m3u8");
    s.Bind(7, p.scheduled_slots.dump()).Bind(8, p.inserts.dump()).Bind(9, now).Bind(10, now);
    auto st = s.Run();
    if (!st.ok()) {
        if (st.error().code == core::ErrorCode::kConflict) {
            return Error::Conflict("a channel named '" + p.slug + "' already exists");
        }
        return std::move(st).error();
    }
    return PlaylistWhere(conn, "id = ?",
                         static_cast<std::int64_t>(sqlite3_last_insert_rowid(conn.db)));
}

}  // namespace beacon::storage::sqlite_backend
