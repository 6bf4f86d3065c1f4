#pragma once
/// Verse: worlds (documents with revisions), their assets (stored once by content hash in the
/// object store under verse/assets/), templates and read-only share links. Every call names
/// the caller; a world of another user is NotFound. Thread-safe.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "core/model.hpp"
#include "core/result.hpp"
#include "storage/object_store.hpp"
#include "verse/assets.hpp"
#include "verse/document.hpp"
#include "verse/export.hpp"
#include "verse/store.hpp"

namespace beacon::verse {

struct VerseOptions {
    DocumentLimits document;
    AssetLimits assets;
    ShareBudgets share_budgets;
    int keep_revisions = 200;  // newest revisions kept per world
    std::size_t max_assets_per_world = 500;
};

/// An asset's bytes, for serving.
struct AssetFile {
    std::string key;   // object-store key
    std::string mime;
    std::filesystem::path local_path;  // empty for remote stores
};

class VerseService {
public:
    VerseService(WorldStore& store, storage::ObjectStore& objects, VerseOptions options = {});

    /// The templates as JSON ({id, title, description} each).
    static Json TemplateList();

    /// A new world from a template → {id, title, revision, document, budget, ...}.
    core::Result<Json> CreateWorld(std::int64_t owner, std::string_view title,
                                   std::string_view template_id);
    core::Result<Json> ListWorlds(std::int64_t owner);
    core::Result<Json> GetWorld(std::int64_t owner, std::int64_t id);
    /// Saves a new revision if the world is still at `expected_revision` (Conflict otherwise).
    /// The document may be of any earlier version: it is migrated, validated and stored in
    /// canonical form.
    core::Result<Json> SaveWorld(std::int64_t owner, std::int64_t id, std::int64_t expected_revision,
                                 const Json& document);
    core::Status DeleteWorld(std::int64_t owner, std::int64_t id);
    /// The newest revision as GLB (see export.hpp); the title names the file.
    core::Result<std::pair<std::string, GlbExport>> ExportWorld(std::int64_t owner, std::int64_t id);

    core::Result<Json> ListRevisions(std::int64_t owner, std::int64_t id);
    core::Result<Json> GetRevision(std::int64_t owner, std::int64_t id, std::int64_t revision);
    /// Makes an older revision the newest one (a new revision holding its document).
    core::Result<Json> RestoreRevision(std::int64_t owner, std::int64_t id, std::int64_t revision);

    /// Checks and stores an upload; the bytes are written once per content hash whatever the
    /// world. → the asset's JSON with "stored": "new" | "existing".
    core::Result<Json> UploadAsset(std::int64_t owner, std::int64_t id, std::string_view bytes,
                                   std::string_view mime, std::string_view name);
    core::Result<Json> ListAssets(std::int64_t owner, std::int64_t id);
    core::Result<AssetFile> Asset(std::int64_t owner, std::int64_t id, std::string_view hash);

    /// Worlds in videos: a generate body's `world_id` (and `world_camera`), pinned at the
    /// world's newest revision → {id, owner, revision, title, camera} (camera normalised by
    /// CheckCameraSpec). A world of another user or none is NotFound; bad fields are Invalid.
    core::Result<Json> PinForVideo(std::int64_t owner, const Json& body);
    /// The document of a pinned revision and the bytes of every asset it uses
    /// (hash, mime, bytes each), for the render.
    struct RenderSource {
        Json document;
        std::vector<std::tuple<std::string, std::string, std::string>> assets;
    };
    core::Result<RenderSource> RenderSourceOf(std::int64_t owner, std::int64_t id,
                                              std::int64_t revision);

    /// A new read-only share link → {id, token, path, budget}.
    core::Result<Json> CreateShare(std::int64_t owner, std::int64_t id);
    core::Result<Json> ListShares(std::int64_t owner, std::int64_t id);
    core::Status RevokeShare(std::int64_t owner, std::int64_t id, std::int64_t share);

    /// What a share token opens: its world's newest revision (NotFound for a bad, revoked or
    /// foreign token, never saying which).
    core::Result<Json> SharedWorld(std::string_view token);
    /// An asset of the token's world only.
    core::Result<AssetFile> SharedAsset(std::string_view token, std::string_view hash);

    storage::ObjectStore& Objects() { return objects_; }

private:
    core::Result<WorldRow> Owned(std::int64_t owner, std::int64_t id);
    core::Result<std::int64_t> WorldOfToken(std::string_view token);
    AssetLookup LookupFor(std::int64_t world);
    core::Result<Json> WorldJson(const WorldRow& w, const std::string& document);
    core::Result<AssetFile> AssetOf(std::int64_t world, std::string_view hash);
    std::string Sign(std::string_view payload);

    WorldStore& store_;
    storage::ObjectStore& objects_;
    VerseOptions options_;
    std::string secret_;  // HMAC key of share tokens (kept in the store)
};

/// The object-store key of an asset's bytes.
std::string AssetKey(std::string_view hash, std::string_view mime);

}  // namespace beacon::verse
