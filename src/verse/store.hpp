#pragma once
/// Verse's own tables (worlds, revisions, per-world assets, share links) in their own SQLite
/// file, so that world saves never contend with the job queue's writes, or in the studio's
/// PostgreSQL database when it runs on one (every process on it sees the same worlds).
/// Thread-safe: one connection behind a mutex; each write is one transaction.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "verse/assets.hpp"

namespace beacon::storage {
class ModuleDb;
}

namespace beacon::verse {

struct WorldRow {
    std::int64_t id = 0;
    std::int64_t owner_id = 0;
    std::string title;
    std::int64_t revision = 0;  // the current (latest) revision
    std::int64_t created_at = 0;
    std::int64_t updated_at = 0;
};

struct RevisionRow {
    std::int64_t revision = 0;
    std::int64_t created_at = 0;
    std::int64_t size = 0;   // bytes of the stored document
    std::int64_t nodes = 0;
    std::string note;        // "created from lighthouse-coast", "restored revision 3", ...
};

struct AssetRow {
    AssetInfo info;
    std::string name;  // the uploader's file name (text only)
    std::int64_t created_at = 0;
};

struct ShareRow {
    std::int64_t id = 0;
    std::int64_t world_id = 0;
    std::string token_hash;
    std::int64_t created_at = 0;
    std::int64_t revoked_at = 0;  // 0 while the link works
};

class WorldStore {
public:
    /// Opens (creating and migrating) the store: a SQLite file (":memory:" for tests) or a
    /// postgresql:// URL.
    static core::Result<std::unique_ptr<WorldStore>> Open(const std::string& where);
    ~WorldStore();

    core::Result<WorldRow> Create(std::int64_t owner, const std::string& title,
                                  const std::string& document, std::int64_t nodes,
                                  const std::string& note, std::int64_t now);
    core::Result<std::vector<WorldRow>> List(std::int64_t owner);
    /// NotFound when there is no such world.
    core::Result<WorldRow> Get(std::int64_t id);
    /// The stored document of one revision (NotFound when pruned or never made).
    core::Result<std::string> Document(std::int64_t id, std::int64_t revision);
    /// Adds revision expected_revision + 1. Conflict when the world's revision is not
    /// `expected_revision` (a stale save never overwrites a newer one). Keeps the newest
    /// `keep` revisions.
    core::Result<WorldRow> Save(std::int64_t id, std::int64_t expected_revision,
                                const std::string& title, const std::string& document,
                                std::int64_t nodes, const std::string& note, std::int64_t now,
                                int keep);
    core::Result<std::vector<RevisionRow>> Revisions(std::int64_t id);
    /// Deletes the world with its revisions, assets and shares. Returns the asset hashes no
    /// other world uses any more (their bytes can go).
    core::Result<std::vector<AssetRow>> Delete(std::int64_t id);

    /// Records an asset for a world; false when the world already had it.
    core::Result<bool> AddAsset(std::int64_t world, const AssetRow& asset);
    core::Result<std::optional<AssetRow>> Asset(std::int64_t world, const std::string& hash);
    core::Result<std::vector<AssetRow>> Assets(std::int64_t world);

    core::Result<std::int64_t> AddShare(std::int64_t world, const std::string& token_hash,
                                        std::int64_t now);
    core::Result<std::vector<ShareRow>> Shares(std::int64_t world);
    core::Result<std::optional<ShareRow>> Share(std::int64_t id);
    /// NotFound when the world has no such share.
    core::Status RevokeShare(std::int64_t world, std::int64_t share, std::int64_t now);

    /// A value kept across restarts; `make` is called (once) to create it.
    core::Result<std::string> Meta(const std::string& key, const std::function<std::string()>& make);

private:
    explicit WorldStore(std::unique_ptr<storage::ModuleDb> db);
    std::unique_ptr<storage::ModuleDb> db_;
};

}  // namespace beacon::verse
