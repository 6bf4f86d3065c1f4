#include "wiki/store.hpp"

#include "storage/module_db.hpp"
#include "wiki/mentions.hpp"

namespace beacon::wiki {

using storage::Args;

namespace {

// Version i of both lists is the same change (storage::ModuleDb::Migrate).
constexpr std::string_view kSqlite[] = {
    R"SQL(
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
)SQL",
};
constexpr std::string_view kPostgres[] = {
    R"SQL(
CREATE TABLE wiki_facts (
  source TEXT NOT NULL,
  name TEXT NOT NULL,
  fact TEXT NOT NULL,
  fetched_at BIGINT NOT NULL,
  PRIMARY KEY (source, name)
);
CREATE TABLE wiki_entity_edits (
  content_id BIGINT NOT NULL,
  folded TEXT NOT NULL,
  name TEXT NOT NULL,
  type TEXT NOT NULL DEFAULT '',
  removed INTEGER NOT NULL,
  at BIGINT NOT NULL,
  PRIMARY KEY (content_id, folded)
);
)SQL",
};

}  // namespace

WikiStore::WikiStore(std::unique_ptr<storage::ModuleDb> db) : db_(std::move(db)) {}
WikiStore::~WikiStore() = default;

core::Result<std::unique_ptr<WikiStore>> WikiStore::Open(const std::string& where) {
    BEACON_TRY(db, storage::ModuleDb::Open(where));
    BEACON_CHECK(db->Migrate("wiki", kSqlite, kPostgres));
    return std::unique_ptr<WikiStore>(new WikiStore(std::move(db)));
}

core::Result<std::optional<Fact>> WikiStore::GetFact(const std::string& source,
                                                     const std::string& name, core::UnixMillis now,
                                                     std::chrono::milliseconds max_age) {
    BEACON_TRY(t, db_->Query("SELECT fact, fetched_at FROM wiki_facts WHERE source=? AND name=?",
                             Args().Add(source).Add(FoldName(name))));
    if (t.empty() || now - t.Int(0, 1) > max_age.count()) return std::optional<Fact>();
    auto j = core::Json::parse(t.Text(0, 0), nullptr, false);
    if (!j.is_object()) return std::optional<Fact>();
    return std::optional<Fact>(FactFromJson(j));
}

core::Status WikiStore::PutFact(const std::string& source, const std::string& name,
                                const Fact& fact, core::UnixMillis now) {
    BEACON_CHECK(db_->Query("INSERT INTO wiki_facts(source, name, fact, fetched_at) VALUES(?,?,?,?) "
                            "ON CONFLICT(source, name) DO UPDATE SET fact=excluded.fact, "
                            "fetched_at=excluded.fetched_at",
                            Args().Add(source).Add(FoldName(name)).Add(ToJson(fact).dump()).Add(now)));
    return {};
}

core::Result<std::int64_t> WikiStore::CountFacts() {
    BEACON_TRY(t, db_->Query("SELECT COUNT(*) FROM wiki_facts"));
    return t.empty() ? 0 : t.Int(0, 0);
}

core::Result<std::vector<EntityEdit>> WikiStore::Edits(std::int64_t content_id) {
    BEACON_TRY(t, db_->Query("SELECT name, type, removed, at FROM wiki_entity_edits "
                             "WHERE content_id=? ORDER BY at, name",
                             Args().Add(content_id)));
    std::vector<EntityEdit> out;
    for (int r = 0; r < t.size(); ++r) {
        out.push_back({t.Text(r, 0), t.Text(r, 1), t.Int(r, 2) != 0, t.Int(r, 3)});
    }
    return out;
}

core::Status WikiStore::AddEntity(std::int64_t content_id, const std::string& name,
                                  const std::string& type, core::UnixMillis now) {
    BEACON_CHECK(db_->Query(
        "INSERT INTO wiki_entity_edits(content_id, folded, name, type, removed, at) "
        "VALUES(?,?,?,?,0,?) ON CONFLICT(content_id, folded) DO UPDATE SET "
        "name=excluded.name, type=excluded.type, removed=0, at=excluded.at",
        Args().Add(content_id).Add(FoldName(name)).Add(name).Add(type).Add(now)));
    return {};
}

core::Status WikiStore::RemoveEntity(std::int64_t content_id, const std::string& name,
                                     core::UnixMillis now) {
    BEACON_CHECK(db_->Query(
        "INSERT INTO wiki_entity_edits(content_id, folded, name, type, removed, at) "
        "VALUES(?,?,?,'',1,?) ON CONFLICT(content_id, folded) DO UPDATE SET "
        "removed=1, at=excluded.at",
        Args().Add(content_id).Add(FoldName(name)).Add(name).Add(now)));
    return {};
}

}  // namespace beacon::wiki
