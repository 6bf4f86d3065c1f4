#pragma once
/// Verse world documents: a versioned JSON format of our own (api/verse-world.schema.json),
/// migrated from every earlier version on load, validated strictly before it is stored, and
/// written in one canonical form (sorted keys) so that save → load → save is byte-identical.
/// A document is data only: unknown keys are refused, so no script or handler field can ride
/// along, and names are plain text for the UI to show as text.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/model.hpp"
#include "core/result.hpp"

namespace beacon::verse {

using core::Json;

/// The format identifier and the version this build writes.
inline constexpr std::string_view kFormat = "beacon.verse.world";
inline constexpr int kCurrentVersion = 2;

/// Hard limits: a document beyond them is refused on save (400/413).
struct DocumentLimits {
    std::size_t max_bytes = 8 * 1024 * 1024;  // serialized document
    int max_json_depth = 16;                  // nesting of JSON arrays/objects
    std::size_t max_nodes = 10000;
    std::size_t max_materials = 1000;
    int max_hierarchy_depth = 64;  // parent chain length
    std::size_t max_name_chars = 200;
    double max_coordinate = 1e6;   // |position|, |target|, fog distances
    double max_scale = 1e4;        // |scale| per axis
    std::uint64_t max_triangles = 5'000'000;
    std::uint64_t max_texture_bytes = 2ULL << 30;  // estimated GPU memory of textures
};

/// Budgets a world is measured against before sharing (Mozilla Spoke's "low" tier).
struct ShareBudgets {
    std::uint64_t triangles = 50'000;
    std::uint64_t materials = 25;
    std::uint64_t lights = 3;
    std::uint64_t texture_bytes = 256ULL << 20;
};

/// What an asset contributes to the budgets (from its upload inspection).
struct AssetCost {
    std::string kind;  // "model" or "texture"
    std::uint64_t triangles = 0;
    std::uint64_t materials = 0;
    std::uint64_t texture_bytes = 0;
};
/// Looks up an asset by content hash; nullopt when the world has no such asset.
using AssetLookup = std::function<std::optional<AssetCost>(std::string_view hash)>;

/// A world's measured cost.
struct Budget {
    std::uint64_t nodes = 0;
    std::uint64_t triangles = 0;
    std::uint64_t materials = 0;
    std::uint64_t lights = 0;
    std::uint64_t texture_bytes = 0;
};

/// The budget as JSON: each measure with its share limit and whether it is within it.
Json BudgetJson(const Budget& b, const ShareBudgets& limits = {});

/// Parses raw JSON text with the depth and size limits checked before parsing (a hostile
/// "[[[[..." never reaches the parser's recursion).
core::Result<Json> ParseJsonText(std::string_view text, const DocumentLimits& limits = {});

/// Upgrades a document of any earlier version to kCurrentVersion (a copy; the input is not
/// changed). Unknown or future versions are refused.
core::Result<Json> Migrate(Json doc);

/// Validates a current-version document. `assets` resolves asset hashes (models, textures);
/// every referenced hash must resolve. Returns the measured budget.
core::Result<Budget> Validate(const Json& doc, const AssetLookup& assets,
                              const DocumentLimits& limits = {});

/// Parse + migrate + validate in one step; returns the canonical document and its budget.
struct CheckedDocument {
    Json document;
    std::string canonical;  // the bytes to store
    Budget budget;
};
core::Result<CheckedDocument> CheckDocument(std::string_view text, const AssetLookup& assets,
                                            const DocumentLimits& limits = {});
core::Result<CheckedDocument> CheckDocument(const Json& doc, const AssetLookup& assets,
                                            const DocumentLimits& limits = {});

/// The canonical bytes of a document (sorted keys, no whitespace).
std::string Canonical(const Json& doc);

/// Triangles a primitive node draws (three.js geometry with the node's segment count).
std::uint64_t PrimitiveTriangles(std::string_view type, int segments);

}  // namespace beacon::verse
