#pragma once
/// The Arcade's catalogue and saves: the tables arcade_games and arcade_saves, in the module's
/// own SQLite file (<dir>/arcade.db) or in the studio's PostgreSQL database when it runs on one
/// (every process on it lists the same games and reads the same saves). Rows only: the games'
/// files and covers are ArcadeService's (in the object store). Thread-safe (one connection behind a
/// mutex).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace beacon::storage {
class ModuleDb;
}

namespace beacon::arcade {

struct Game;

class GameStore {
public:
    /// Opens (creating and migrating) the tables: `where` is a SQLite file or a postgresql:// URL.
    static core::Result<std::unique_ptr<GameStore>> Open(const std::string& where);
    ~GameStore();

    /// A row for a game whose files are not in place yet (version 0: listed nowhere). Its id.
    core::Result<std::int64_t> InsertPending(const Game& game, std::int64_t now);
    /// Version 1 is in place: the game is listed from now on.
    core::Status Publish(std::int64_t id, const std::string& cover_type,
                         const std::string& cover_key);
    /// Removes rows whose first version never got published (a crash between the two steps).
    core::Status DropUnpublished();
    /// Switches the game from version `from` to `from + 1` in one step; false when the game is no
    /// longer at `from` (changed or deleted meanwhile).
    core::Result<bool> SwitchVersion(std::int64_t id, std::int64_t from, const std::string& entry,
                                     std::int64_t files, std::int64_t bytes, std::int64_t now);
    /// A published game; NotFound otherwise.
    core::Result<Game> Get(std::int64_t id);
    /// Published games, latest update first.
    core::Result<std::vector<Game>> List();
    /// Writes title, description, threads, cover type and cover key.
    core::Status Update(const Game& game, std::int64_t now);
    /// Removes the game's row (published or not) and its saves.
    core::Status Delete(std::int64_t id);

    core::Result<std::optional<std::string>> LoadSave(std::int64_t id, std::int64_t user_id);
    core::Status StoreSave(std::int64_t id, std::int64_t user_id, std::string_view data,
                           std::int64_t now);

private:
    explicit GameStore(std::unique_ptr<storage::ModuleDb> db);
    std::unique_ptr<storage::ModuleDb> db_;
};

}  // namespace beacon::arcade
