#pragma once
/// Building one self-contained GLB out of the world's own meshes and its imported glTF/GLB
/// models: each model's buffers, accessors, images, textures, materials, meshes, cameras and
/// lights are copied in once (indices renumbered, images deduplicated by content), and its node
/// tree is copied under every document node that places it. Every index, offset and count of a
/// model is checked against the bytes that back it before anything is copied, and the totals
/// are bounded, so a hostile model is refused with a message instead of crashing or hanging.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "verse/assets.hpp"
#include "verse/document.hpp"

namespace beacon::verse {

/// Bounds of the whole export (on top of each model's upload limits).
struct ExportLimits {
    AssetLimits assets;                      // each model is re-inspected with these
    std::uint64_t max_bytes = 512ULL << 20;  // the BIN chunk, held in memory while writing
    std::size_t max_nodes = 100'000;         // document nodes + every model instance's nodes
    std::size_t max_copied = 500'000;        // nodes, joints, animation channels of all placements
    std::size_t max_models = 200;            // distinct models merged
};

/// The glTF lists of the GLB being written and its BIN chunk. Images are kept once per
/// content (sha256), samplers and textures once per identical definition.
struct GltfBuilder {
    std::string bin;
    Json buffer_views = Json::array();
    Json accessors = Json::array();
    Json meshes = Json::array();
    Json materials = Json::array();
    Json textures = Json::array();
    Json images = Json::array();
    Json samplers = Json::array();
    Json cameras = Json::array();
    Json skins = Json::array();
    Json animations = Json::array();
    Json lights = Json::array();  // KHR_lights_punctual
    Json nodes = Json::array();
    std::set<std::string> extensions_used;
    std::set<std::string> extensions_required;
    std::size_t copied = 0;  // per-placement items copied so far (see ExportLimits::max_copied)

    /// Appends bytes (4-byte aligned) as a buffer view; target 0 and stride 0 are left out.
    int View(std::string_view bytes, int target = 0, std::uint64_t stride = 0);
    /// An image by content: the same bytes give the same index.
    int Image(std::string_view bytes, const std::string& mime, const std::string& name);
    int Sampler(const Json& sampler);
    int Texture(const Json& texture);
    /// The finished glTF JSON (lists that are empty are left out) and the GLB bytes.
    std::string Finish(Json gltf);

private:
    std::map<std::string, int> image_by_hash_;
    std::map<std::string, int> sampler_by_json_;
    std::map<std::string, int> texture_by_json_;
};

/// One model read and merged into a builder; placed by Instantiate once per document node.
class MergedModel {
public:
    ~MergedModel();
    MergedModel(MergedModel&&) noexcept;
    MergedModel& operator=(MergedModel&&) noexcept;

    /// Checks `bytes` (a GLB or glTF JSON with embedded data) and copies its shared parts into
    /// `out`. Parts the GLB cannot carry are named in `warnings`. Invalid: the model is broken or
    /// hostile (an index or range outside what backs it, a cyclic node graph, an unsupported
    /// required extension); TooLarge: over `limits`.
    static core::Result<MergedModel> Add(GltfBuilder& out, std::string_view bytes,
                                         const std::string& label, const ExportLimits& limits,
                                         std::vector<std::string>& warnings);

    /// Copies the model's scene nodes (with their skins and animations) into `out` and returns
    /// the indices of its root nodes. TooLarge past `limits.max_nodes`.
    core::Result<std::vector<int>> Instantiate(GltfBuilder& out, const ExportLimits& limits) const;

private:
    struct State;
    explicit MergedModel(std::unique_ptr<State> state);
    std::unique_ptr<State> state_;
};

/// Decodes standard base64 (with or without padding); nullopt on any other character.
std::optional<std::string> DecodeBase64(std::string_view text);

}  // namespace beacon::verse
