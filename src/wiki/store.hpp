#pragma once
/// The wiki module's tables: the fact cache and the user's entity edits (added or removed names
/// per library item), in its own SQLite file (<data>/wiki.db) or in the studio's PostgreSQL
/// database (shared by every process on it). Thread-safe (one connection, serialised).
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/model.hpp"
#include "core/result.hpp"
#include "wiki/fact.hpp"

namespace beacon::storage {
class ModuleDb;
}

namespace beacon::wiki {

/// A user's correction of an item's entities.
struct EntityEdit {
    std::string name;
    std::string type;   // for added entities ("person", "place"...); may be empty
    bool removed = false;  // true: hide the extractor's entity; false: an added entity
    core::UnixMillis at = 0;
};

class WikiStore {
public:
    /// Opens (creating and migrating) the tables: `where` is a SQLite file or a postgresql:// URL.
    static core::Result<std::unique_ptr<WikiStore>> Open(const std::string& where);
    ~WikiStore();

    /// A cached fact younger than max_age for (source cache id, folded name), else nullopt.
    core::Result<std::optional<Fact>> GetFact(const std::string& source, const std::string& name,
                                              core::UnixMillis now, std::chrono::milliseconds max_age);
    core::Status PutFact(const std::string& source, const std::string& name, const Fact& fact,
                         core::UnixMillis now);
    /// How many facts the cache holds (all sources).
    core::Result<std::int64_t> CountFacts();

    core::Result<std::vector<EntityEdit>> Edits(std::int64_t content_id);
    /// Records an added entity (undoing an earlier removal of the same name).
    core::Status AddEntity(std::int64_t content_id, const std::string& name, const std::string& type,
                           core::UnixMillis now);
    /// Records a removal: the name is hidden whether the extractor or the user added it.
    core::Status RemoveEntity(std::int64_t content_id, const std::string& name, core::UnixMillis now);

private:
    explicit WikiStore(std::unique_ptr<storage::ModuleDb> db);
    std::unique_ptr<storage::ModuleDb> db_;
};

}  // namespace beacon::wiki
