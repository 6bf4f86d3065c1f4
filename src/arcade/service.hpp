#pragma once
/// The Arcade: uploaded HTML5 games, their versions, covers and per-user saves. A game version's
/// files and the covers live in the object store (local folder or S3: the truth, shared by every
/// process on it) under arcade/games/<id>/: each version's files as v<version>/f<n> plus a list
/// v<version>/files naming them (written last), each cover under a key of its own. The folder
/// <dir>/games/<id>/v<version>/ served as the game's root is this machine's copy, made from the
/// store on first use (hard links when the store is a local folder). The catalogue and saves
/// live in a GameStore (<dir>/arcade.db, or the studio's PostgreSQL database). Thread-safe.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "arcade/extract.hpp"
#include "arcade/store.hpp"
#include "core/result.hpp"

namespace beacon::storage {
class ObjectStore;
}

namespace beacon::arcade {

struct ArcadeOptions {
    std::filesystem::path dir;  // e.g. <data>/arcade
    /// Where the catalogue and saves live: a postgresql:// URL, or "" for <dir>/arcade.db.
    std::string database;
    ExtractLimits limits;
    /// The games' origin: "http://g{id}.localhost:8091" gives each game its own origin ({id}
    /// replaced); without "{id}" every game shares that origin (saves still go through the SDK).
    std::string game_origin = "http://127.0.0.1:8091";
    std::uint64_t max_save_bytes = 1 << 20;   // one save (SDK save(data)), bytes
    std::uint64_t max_cover_bytes = 5 << 20;  // one cover picture, bytes
    /// Where game files and covers live (the studio's media store, shared through S3 or a
    /// common folder); null: a store of the Arcade's own in <dir>/objects. Must outlive the
    /// service.
    storage::ObjectStore* store = nullptr;
};

struct Game {
    std::int64_t id = 0;
    std::string title;
    std::string description;
    std::string entry = "index.html";  // relative to the version's folder
    bool threads = false;              // served cross-origin isolated (COOP/COEP)
    std::int64_t version = 0;          // the version being served
    std::int64_t files = 0;
    std::int64_t bytes = 0;
    std::string cover_type;       // empty: no cover
    std::string cover_key;        // the cover's object-store key (empty: none stored there)
    std::int64_t created_at = 0;  // unix seconds
    std::int64_t updated_at = 0;
};

struct NewGame {
    std::string title;
    std::string description;
    std::string entry = "index.html";
    bool threads = false;
    std::optional<std::string> cover;  // picture bytes (PNG, JPEG, GIF or WebP)
};

struct GamePatch {
    std::optional<std::string> title;
    std::optional<std::string> description;
    std::optional<bool> threads;
    std::optional<std::string> cover;
};

class ArcadeService {
public:
    /// Opens (creating) the folder and its database; removes uploads left half-done by a crash.
    static core::Result<std::unique_ptr<ArcadeService>> Open(ArcadeOptions options);
    ~ArcadeService();

    /// A fresh path under the staging folder for an upload being received (the caller removes
    /// it; Add/AddVersion never keep it).
    std::filesystem::path NewUploadPath();

    /// Extracts and checks `zip`, then publishes it as a new game (version 1). Nothing is kept
    /// when it is refused (4xx errors, see ExtractZip and FindEntry).
    core::Result<Game> Add(const std::filesystem::path& zip, NewGame game);
    /// A new version of game `id`: the old one keeps being served until the new one is extracted
    /// and checked, then the game switches to it in one step. `entry` empty: the game's entry.
    core::Result<Game> AddVersion(std::int64_t id, const std::filesystem::path& zip,
                                  std::string entry);
    core::Result<std::vector<Game>> List();
    core::Result<Game> Get(std::int64_t id);
    core::Result<Game> Patch(std::int64_t id, const GamePatch& patch);
    /// Removes the game, its files, cover and saves.
    core::Status Delete(std::int64_t id);

    /// The folder to serve for version `version` of game `id`: the current version or the one
    /// before it (players still running it keep loading its files). NotFound otherwise. A
    /// version this machine has no copy of yet (uploaded through another process) is copied
    /// from the object store first.
    core::Result<std::filesystem::path> VersionRoot(std::int64_t id, std::int64_t version);
    /// The game's cover as a file on this machine (from the object store); NotFound without one.
    core::Result<std::filesystem::path> CoverFile(const Game& game);

    /// The user's save for the game (nullopt: none yet). Saves survive game updates.
    core::Result<std::optional<std::string>> LoadSave(std::int64_t id, std::int64_t user_id);
    core::Status StoreSave(std::int64_t id, std::int64_t user_id, std::string_view data);

    /// The origin serving game `id` ("http://g7.localhost:8091").
    std::string Origin(std::int64_t id) const;
    /// The absolute URL of the game's entry page on its origin.
    std::string PlayUrl(const Game& game) const;
    /// Sets the games' origin once it is known (the listener's port may be picked at start).
    void SetGameOrigin(std::string origin);
    /// True when every game has its own origin ("{id}" in the origin).
    bool OriginPerGame() const;
    const ArcadeOptions& options() const { return options_; }

private:
    explicit ArcadeService(ArcadeOptions options);
    std::filesystem::path GameDir(std::int64_t id) const;
    std::filesystem::path VersionDir(std::int64_t id, std::int64_t version) const;
    /// Puts the files of the checked folder `dir` into the store as version `version` of game
    /// `id` (the list of files last); removes what it put when it fails.
    core::Status UploadVersion(std::int64_t id, std::int64_t version,
                               const std::filesystem::path& dir);
    /// Makes this machine's copy of a stored version (VersionDir), from the store's list.
    core::Status CopyFromStore(std::int64_t id, std::int64_t version);
    /// Games published before the files went to the object store: puts their current version
    /// and cover there from this machine's folder (once; a game already stored is skipped).
    void ImportLocalGames();
    /// Extracts into staging and returns the checked folder (entry at its top) plus the report.
    core::Result<std::pair<std::filesystem::path, ExtractReport>> Stage(
        const std::filesystem::path& zip, const std::string& entry);
    core::Result<Game> Read(std::int64_t id);
    /// Checks and stores a cover picture under a new key (set in `game`, with its type).
    core::Status WriteCover(std::int64_t id, const std::string& bytes, Game& game);

    ArcadeOptions options_;
    std::unique_ptr<storage::ObjectStore> own_objects_;  // when options.store is null
    storage::ObjectStore* objects_ = nullptr;
    std::unique_ptr<GameStore> store_;
    std::mutex publish_mu_;         // one version switch at a time
    mutable std::mutex origin_mu_;  // guards options_.game_origin
};

/// The MIME type of a cover picture from its first bytes (PNG, JPEG, GIF, WebP), or empty.
std::string SniffImageType(std::string_view bytes);

}  // namespace beacon::arcade
