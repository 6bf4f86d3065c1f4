#include "wiki/store.hpp"

#include <mutex>

#include "storage/sqlite.hpp"
#include "wiki/mentions.hpp"

namespace beacon::wiki {

using storage::sqlite::Statement;

WikiStore::WikiStore(std::unique_ptr<storage::sqlite::Connection> conn) : conn_(std::move(conn)) {}
WikiStore::~WikiStore() = default;

core::Result<std::unique_ptr<WikiStore>> WikiStore::Open(const std::string& path) {
    auto conn = std::make_unique<storage::sqlite::Connection>();
    if (sqlite3_open_v2(path.c_str(), &conn->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                        nullptr) != SQLITE_OK) {
        std::string why = conn->db ? sqlite3_errmsg(conn->db) : "out of memory";
        return core::Error::Unavailable("cannot open " + path + ": " + why, false);
    }
    sqlite3_busy_timeout(conn->db, 5000);
    BEACON_CHECK(storage::sqlite::Exec(conn->db, R"SQL(
PRAGMA journal_mode = WAL;
CREATE TABLE IF NOT EXISTS wiki_facts (
  source TEXT NOT NULL,
  name TEXT NOT NULL,
  fact TEXT NOT NULL,
  fetched_at INTEGER NOT NULL,
  PRIMARY KEY (source, name)
);
CREATE TABLE IF NOT EXISTS wiki_entity_edits (
  content_id INTEGER NOT NULL,
  folded TEXT NOT NULL,
  name TEXT NOT NULL,
  type TEXT NOT NULL DEFAULT '',
  removed INTEGER NOT NULL,
  at INTEGER NOT NULL,
  PRIMARY KEY (content_id, folded)
);
)SQL"));
    return std::unique_ptr<WikiStore>(new WikiStore(std::move(conn)));
}

core::Result<std::optional<Fact>> WikiStore::GetFact(const std::string& source,
                                                     const std::string& name, core::UnixMillis now,
                                                     std::chrono::milliseconds max_age) {
    std::lock_guard lock(conn_->mu);
    Statement s(*conn_, "SELECT fact, fetched_at FROM wiki_facts WHERE source=? AND name=?");
    s.Bind(1, source).Bind(2, FoldName(name));
    BEACON_TRY(row, s.Step());
    if (!row || now - s.Int(1) > max_age.count()) return std::optional<Fact>();
    auto j = core::Json::parse(s.Text(0), nullptr, false);
    if (!j.is_object()) return std::optional<Fact>();
    return std::optional<Fact>(FactFromJson(j));
}

core::Status WikiStore::PutFact(const std::string& source, const std::string& name,
                                const Fact& fact, core::UnixMillis now) {
    std::lock_guard lock(conn_->mu);
    Statement s(*conn_,
                "INSERT INTO wiki_facts(source, name, fact, fetched_at) VALUES(?,?,?,?) "
                "ON CONFLICT(source, name) DO UPDATE SET fact=excluded.fact, "
                "fetched_at=excluded.fetched_at");
    s.Bind(1, source).Bind(2, FoldName(name)).Bind(3, ToJson(fact).dump()).Bind(4, now);
    return s.Run();
}

core::Result<std::int64_t> WikiStore::CountFacts() {
    std::lock_guard lock(conn_->mu);
    Statement s(*conn_, "SELECT COUNT(*) FROM wiki_facts");
    BEACON_TRY(row, s.Step());
    return row ? s.Int(0) : 0;
}

core::Result<std::vector<EntityEdit>> WikiStore::Edits(std::int64_t content_id) {
    std::lock_guard lock(conn_->mu);
    Statement s(*conn_,
                "SELECT name, type, removed, at FROM wiki_entity_edits WHERE content_id=? "
                "ORDER BY at, name");
    s.Bind(1, content_id);
    std::vector<EntityEdit> out;
    while (true) {
        BEACON_TRY(row, s.Step());
        if (!row) break;
        out.push_back({s.Text(0), s.Text(1), s.Int(2) != 0, s.Int(3)});
    }
    return out;
}

core::Status WikiStore::AddEntity(std::int64_t content_id, const std::string& name,
                                  const std::string& type, core::UnixMillis now) {
    std::lock_guard lock(conn_->mu);
    Statement s(*conn_,
                "INSERT INTO wiki_entity_edits(content_id, folded, name, type, removed, at) "
                "VALUES(?,?,?,?,0,?) ON CONFLICT(content_id, folded) DO UPDATE SET "
                "name=excluded.name, type=excluded.type, removed=0, at=excluded.at");
    s.Bind(1, content_id).Bind(2, FoldName(name)).Bind(3, name).Bind(4, type).Bind(5, now);
    return s.Run();
}

core::Status WikiStore::RemoveEntity(std::int64_t content_id, const std::string& name,
                                     core::UnixMillis now) {
    std::lock_guard lock(conn_->mu);
    Statement s(*conn_,
                "INSERT INTO wiki_entity_edits(content_id, folded, name, type, removed, at) "
                "VALUES(?,?,?,'',1,?) ON CONFLICT(content_id, folded) DO UPDATE SET "
                "removed=1, at=excluded.at");
    s.Bind(1, content_id).Bind(2, FoldName(name)).Bind(3, name).Bind(4, now);
    return s.Run();
}

}  // namespace beacon::wiki
