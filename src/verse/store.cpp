#include "verse/store.hpp"

#include <functional>

#include "storage/sqlite.hpp"

namespace beacon::verse {

using core::Error;
using core::Result;
using storage::sqlite::Statement;

namespace {

/// Verse's schema, one entry per version (PRAGMA user_version counts the applied ones).
constexpr std::string_view kMigrations[] = {
    R"sql(
CREATE TABLE verse_worlds (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  owner_id INTEGER NOT NULL,
  title TEXT NOT NULL,
  revision INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX verse_worlds_owner ON verse_worlds(owner_id, updated_at);
CREATE TABLE verse_revisions (
  world_id INTEGER NOT NULL REFERENCES verse_worlds(id) ON DELETE CASCADE,
  revision INTEGER NOT NULL,
  document TEXT NOT NULL,
  nodes INTEGER NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  PRIMARY KEY (world_id, revision)
);
CREATE TABLE verse_assets (
  world_id INTEGER NOT NULL REFERENCES verse_worlds(id) ON DELETE CASCADE,
  hash TEXT NOT NULL,
  kind TEXT NOT NULL,
  mime TEXT NOT NULL,
  size INTEGER NOT NULL,
  triangles INTEGER NOT NULL,
  materials INTEGER NOT NULL,
  texture_bytes INTEGER NOT NULL,
  width INTEGER NOT NULL,
  height INTEGER NOT NULL,
  name TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (world_id, hash)
);
CREATE INDEX verse_assets_hash ON verse_assets(hash);
CREATE TABLE verse_shares (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  world_id INTEGER NOT NULL REFERENCES verse_worlds(id) ON DELETE CASCADE,
  token_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX verse_shares_world ON verse_shares(world_id);
CREATE TABLE verse_meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
)sql",
};

template <class F>
auto InTransaction(storage::sqlite::Connection& conn, F&& f) -> decltype(f()) {
    BEACON_CHECK(storage::sqlite::Exec(conn.db, "BEGIN IMMEDIATE"));
    auto result = f();
    if (result.ok()) {
        if (auto st = storage::sqlite::Exec(conn.db, "COMMIT"); !st.ok()) {
            (void)storage::sqlite::Exec(conn.db, "ROLLBACK");
            return st.error();
        }
    } else {
        (void)storage::sqlite::Exec(conn.db, "ROLLBACK");
    }
    return result;
}

WorldRow ReadWorld(const Statement& s) {
    return {s.Int(0), s.Int(1), s.Text(2), s.Int(3), s.Int(4), s.Int(5)};
}
constexpr const char* kWorldColumns = "id, owner_id, title, revision, created_at, updated_at";

AssetRow ReadAsset(const Statement& s) {
    AssetRow a;
    a.info.hash = s.Text(0);
    a.info.kind = s.Text(1);
    a.info.mime = s.Text(2);
    a.info.size = static_cast<std::uint64_t>(s.Int(3));
    a.info.triangles = static_cast<std::uint64_t>(s.Int(4));
    a.info.materials = static_cast<std::uint64_t>(s.Int(5));
    a.info.texture_bytes = static_cast<std::uint64_t>(s.Int(6));
    a.info.width = static_cast<std::uint32_t>(s.Int(7));
    a.info.height = static_cast<std::uint32_t>(s.Int(8));
    a.name = s.Text(9);
    a.created_at = s.Int(10);
    return a;
}
constexpr const char* kAssetColumns =
    "hash, kind, mime, size, triangles, materials, texture_bytes, width, height, name, created_at";

std::string Sql(std::string_view a, std::string_view b = {}, std::string_view c = {}) {
    return std::string(a) + std::string(b) + std::string(c);
}

}  // namespace

WorldStore::WorldStore(std::unique_ptr<storage::sqlite::Connection> conn) : conn_(std::move(conn)) {}
WorldStore::~WorldStore() = default;

Result<std::unique_ptr<WorldStore>> WorldStore::Open(const std::string& path) {
    auto conn = std::make_unique<storage::sqlite::Connection>();
    int rc = sqlite3_open_v2(path.c_str(), &conn->db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                             nullptr);
    if (rc != SQLITE_OK) {
        return Error::Unavailable("cannot open world store " + path + ": " +
                                      (conn->db ? sqlite3_errmsg(conn->db) : "out of memory"),
                                  false);
    }
    sqlite3_busy_timeout(conn->db, 5000);
    BEACON_CHECK(storage::sqlite::Exec(
        conn->db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;"));
    std::int64_t version = 0;
    {
        Statement v(conn->db, "PRAGMA user_version");
        BEACON_TRY(row, v.Step());
        if (row) version = v.Int(0);
    }
    constexpr std::int64_t kCount = std::size(kMigrations);
    if (version > kCount) {
        return Error::Unavailable("world store " + path + " was written by a newer Beacon", false);
    }
    for (std::int64_t i = version; i < kCount; ++i) {
        BEACON_CHECK(InTransaction(*conn, [&]() -> core::Status {
            BEACON_CHECK(storage::sqlite::Exec(conn->db, kMigrations[i]));
            return storage::sqlite::Exec(conn->db, "PRAGMA user_version = " + std::to_string(i + 1));
        }));
    }
    return std::unique_ptr<WorldStore>(new WorldStore(std::move(conn)));
}

Result<WorldRow> WorldStore::Create(std::int64_t owner, const std::string& title,
                                    const std::string& document, std::int64_t nodes,
                                    const std::string& note, std::int64_t now) {
    std::lock_guard lock(conn_->mu);
    return InTransaction(*conn_, [&]() -> Result<WorldRow> {
        Statement w(*conn_,
                    "INSERT INTO verse_worlds(owner_id, title, revision, created_at, updated_at) "
                    "VALUES (?, ?, 1, ?, ?)");
        BEACON_CHECK(w.Bind(1, owner).Bind(2, title).Bind(3, now).Bind(4, now).Run());
        std::int64_t id = sqlite3_last_insert_rowid(conn_->db);
        Statement r(*conn_,
                    "INSERT INTO verse_revisions(world_id, revision, document, nodes, note, created_at) "
                    "VALUES (?, 1, ?, ?, ?, ?)");
        BEACON_CHECK(r.Bind(1, id).Bind(2, document).Bind(3, nodes).Bind(4, note).Bind(5, now).Run());
        return WorldRow{id, owner, title, 1, now, now};
    });
}

Result<std::vector<WorldRow>> WorldStore::List(std::int64_t owner) {
    std::lock_guard lock(conn_->mu);
    Statement s(*conn_, Sql("SELECT ", kWorldColumns,
                            " FROM verse_worlds WHERE owner_id = ? ORDER BY updated_at DESC, id DESC"));
    s.Bind(1, owner);
    std::vector<WorldRow> out;
    while (true) {
        BEACON_TRY(row, s.Step());
        if (!row) break;
        out.push_back(ReadWorld(s));
    }
    return out;
}

Result<WorldRow> WorldStore::Get(std::int64_t id) {
    std::lock_guard lock(conn_->mu);
    Statement s(*conn_, Sql("SELECT ", kWorldColumns, " FROM verse_worlds WHERE id = ?"));
    s.Bind(1, id);
    BEACON_TRY(row, s.Step());
    if (!row) return Error::NotFound("no world " + std::to_string(id));
    return ReadWorld(s);
}

Result<std::string> WorldStore::Document(std::int64_t id, std::int64_t revision) {
    std::lock_guard lock(conn_->mu);
    Statement s(*conn_, "SELECT document FROM verse_revisions WHERE world_id = ? AND revision = ?");
    s.Bind(1, id).Bind(2, revision);
    BEACON_TRY(row, s.Step());
    if (!row) {
        return Error::NotFound("world " + std::to_string(id) + " has no revision " +
                               std::to_string(revision));
    }
    return s.Text(0);
}

Result<WorldRow> WorldStore::Save(std::int64_t id, std::int64_t expected_revision,
                                  const std::string& title, const std::string& document,
                                  std::int64_t nodes, const std::string& note, std::int64_t now,
                                  int keep) {
    std::lock_guard lock(conn_->mu);
    return InTransaction(*conn_, [&]() -> Result<WorldRow> {
        Statement g(*conn_, Sql("SELECT ", kWorldColumns, " FROM verse_worlds WHERE id = ?"));
        g.Bind(1, id);
        BEACON_TRY(row, g.Step());
        if (!row) return Error::NotFound("no world " + std::to_string(id));
        WorldRow w = ReadWorld(g);
        if (w.revision != expected_revision) {
            return Error::Conflict("world " + std::to_string(id) + " is at revision " +
                                   std::to_string(w.revision) + ", not " +
                                   std::to_string(expected_revision) +
                                   " (saved elsewhere meanwhile: reload before saving)");
        }
        w.revision += 1;
        w.title = title;
        w.updated_at = now;
        Statement r(*conn_,
                    "INSERT INTO verse_revisions(world_id, revision, document, nodes, note, created_at) "
                    "VALUES (?, ?, ?, ?, ?, ?)");
        BEACON_CHECK(r.Bind(1, id).Bind(2, w.revision).Bind(3, document).Bind(4, nodes)
                         .Bind(5, note).Bind(6, now).Run());
        Statement u(*conn_, "UPDATE verse_worlds SET revision = ?, title = ?, updated_at = ? WHERE id = ?");
        BEACON_CHECK(u.Bind(1, w.revision).Bind(2, title).Bind(3, now).Bind(4, id).Run());
        Statement p(*conn_, "DELETE FROM verse_revisions WHERE world_id = ? AND revision <= ?");
        BEACON_CHECK(p.Bind(1, id).Bind(2, w.revision - keep).Run());
        return w;
    });
}

Result<std::vector<RevisionRow>> WorldStore::Revisions(std::int64_t id) {
    std::lock_guard lock(conn_->mu);
    Statement s(*conn_,
                "SELECT revision, created_at, length(CAST(document AS BLOB)), nodes, note "
                "FROM verse_revisions WHERE world_id = ? ORDER BY revision DESC");
    s.Bind(1, id);
    std::vector<RevisionRow> out;
    while (true) {
        BEACON_TRY(row, s.Step());
        if (!row) break;
        out.push_back({s.Int(0), s.Int(1), s.Int(2), s.Int(3), s.Text(4)});
    }
    return out;
}

Result<std::vector<AssetRow>> WorldStore::Delete(std::int64_t id) {
    std::lock_guard lock(conn_->mu);
    return InTransaction(*conn_, [&]() -> Result<std::vector<AssetRow>> {
        std::vector<AssetRow> orphans;
        {
            Statement a(*conn_, Sql("SELECT ", kAssetColumns,
                                    " FROM verse_assets a WHERE world_id = ? AND NOT EXISTS "
                                    "(SELECT 1 FROM verse_assets b WHERE b.hash = a.hash AND "
                                    "b.world_id != a.world_id)"));
            a.Bind(1, id);
            while (true) {
                BEACON_TRY(row, a.Step());
                if (!row) break;
                orphans.push_back(ReadAsset(a));
            }
        }
        Statement d(*conn_, "DELETE FROM verse_worlds WHERE id = ?");
        BEACON_CHECK(d.Bind(1, id).Run());
        if (sqlite3_changes(conn_->db) == 0) return Error::NotFound("no world " + std::to_string(id));
        return orphans;
    });
}

Result<bool> WorldStore::AddAsset(std::int64_t world, const AssetRow& a) {
    std::lock_guard lock(conn_->mu);
    Statement s(*conn_,
                "INSERT OR IGNORE INTO verse_assets(world_id, hash, kind, mime, size, triangles, "
                "materials, texture_bytes, width, height, name, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    s.Bind(1, world).Bind(2, a.info.hash).Bind(3, a.info.kind).Bind(4, a.info.mime)
        .Bind(5, static_cast<std::int64_t>(a.info.size))
        .Bind(6, static_cast<std::int64_t>(a.info.triangles))
        .Bind(7, static_cast<std::int64_t>(a.info.materials))
        .Bind(8, static_cast<std::int64_t>(a.info.texture_bytes))
        .Bind(9, static_cast<std::int64_t>(a.info.width))
        .Bind(10, static_cast<std::int64_t>(a.info.height)).Bind(11, a.name).Bind(12, a.created_at);
    BEACON_CHECK(s.Run());
    return sqlite3_changes(conn_->db) > 0;
}

Result<std::optional<AssetRow>> WorldStore::Asset(std::int64_t world, const std::string& hash) {
    std::lock_guard lock(conn_->mu);
    Statement s(*conn_, Sql("SELECT ", kAssetColumns, " FROM verse_assets WHERE world_id = ? AND hash = ?"));
    s.Bind(1, world).Bind(2, hash);
    BEACON_TRY(row, s.Step());
    if (!row) return std::optional<AssetRow>();
    return std::optional<AssetRow>(ReadAsset(s));
}

Result<std::vector<AssetRow>> WorldStore::Assets(std::int64_t world) {
    std::lock_guard lock(conn_->mu);
    Statement s(*conn_, Sql("SELECT ", kAssetColumns,
                            " FROM verse_assets WHERE world_id = ? ORDER BY created_at, hash"));
    s.Bind(1, world);
    std::vector<AssetRow> out;
    while (true) {
        BEACON_TRY(row, s.Step());
        if (!row) break;
        out.push_back(ReadAsset(s));
    }
    return out;
}

Result<std::int64_t> WorldStore::AddShare(std::int64_t world, const std::string& token_hash,
                                          std::int64_t now) {
    std::lock_guard lock(conn_->mu);
    Statement s(*conn_, "INSERT INTO verse_shares(world_id, token_hash, created_at) VALUES (?, ?, ?)");
    BEACON_CHECK(s.Bind(1, world).Bind(2, token_hash).Bind(3, now).Run());
    return static_cast<std::int64_t>(sqlite3_last_insert_rowid(conn_->db));
}

Result<std::vector<ShareRow>> WorldStore::Shares(std::int64_t world) {
    std::lock_guard lock(conn_->mu);
    Statement s(*conn_,
                "SELECT id, world_id, token_hash, created_at, revoked_at FROM verse_shares "
                "WHERE world_id = ? ORDER BY id");
    s.Bind(1, world);
    std::vector<ShareRow> out;
    while (true) {
        BEACON_TRY(row, s.Step());
        if (!row) break;
        out.push_back({s.Int(0), s.Int(1), s.Text(2), s.Int(3), s.Int(4)});
    }
    return out;
}

Result<std::optional<ShareRow>> WorldStore::Share(std::int64_t id) {
    std::lock_guard lock(conn_->mu);
    Statement s(*conn_,
                "SELECT id, world_id, token_hash, created_at, revoked_at FROM verse_shares WHERE id = ?");
    s.Bind(1, id);
    BEACON_TRY(row, s.Step());
    if (!row) return std::optional<ShareRow>();
    return std::optional<ShareRow>(ShareRow{s.Int(0), s.Int(1), s.Text(2), s.Int(3), s.Int(4)});
}

core::Status WorldStore::RevokeShare(std::int64_t world, std::int64_t share, std::int64_t now) {
    std::lock_guard lock(conn_->mu);
    Statement s(*conn_,
                "UPDATE verse_shares SET revoked_at = ? WHERE id = ? AND world_id = ? AND revoked_at = 0");
    BEACON_CHECK(s.Bind(1, now).Bind(2, share).Bind(3, world).Run());
    if (sqlite3_changes(conn_->db) == 0) {
        return Error::NotFound("world " + std::to_string(world) + " has no working share " +
                               std::to_string(share));
    }
    return {};
}

Result<std::string> WorldStore::Meta(const std::string& key, const std::function<std::string()>& make) {
    std::lock_guard lock(conn_->mu);
    Statement ins(*conn_, "INSERT OR IGNORE INTO verse_meta(key, value) VALUES (?, ?)");
    {
        Statement s(*conn_, "SELECT value FROM verse_meta WHERE key = ?");
        s.Bind(1, key);
        BEACON_TRY(row, s.Step());
        if (row) return s.Text(0);
    }
    BEACON_CHECK(ins.Bind(1, key).Bind(2, make()).Run());
    Statement s(*conn_, "SELECT value FROM verse_meta WHERE key = ?");
    s.Bind(1, key);
    BEACON_TRY(row, s.Step());
    if (!row) return Error::Internal("verse_meta lost " + key);
    return s.Text(0);
}

}  // namespace beacon::verse
