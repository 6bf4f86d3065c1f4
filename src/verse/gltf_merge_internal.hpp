#pragma once
// Internal to the GLB merge (gltf_merge*.cpp): the state of one model being merged, whose
// methods are spread over gltf_merge_buffers.cpp (bytes) and gltf_merge_parts.cpp (the rest).
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "verse/gltf_merge.hpp"

namespace beacon::verse {

namespace gltf_merge {

/// An index that is not mapped (yet), or present but not a non-negative integer.
inline constexpr std::uint64_t kNone = ~0ULL;

/// Extensions the merge understands: their index references (if any) are renumbered.
/// Anything else is left out of the copy (and a model that requires it is refused).
bool Carried(const std::string& name);

}  // namespace gltf_merge

/// What Add prepares: the model's JSON and data, and its shared parts' indices in the builder.
struct MergedModel::State {
    std::string label;
    Json gltf;
    std::vector<std::string> buffers;  // decoded data: URIs (the BIN chunk is `bin`)
    std::string_view bin;
    std::string bytes;                    // owns what `bin` points into
    std::vector<std::uint64_t> view_map;  // model bufferView → builder index (kNone: not copied)
    std::vector<std::uint64_t> accessor_map;
    std::vector<std::uint64_t> image_map;
    std::vector<std::uint64_t> texture_map;
    std::set<std::uint64_t> needs_bounds;  // POSITION and animation inputs
    std::set<std::uint64_t> draco_accessors;
    std::uint64_t material_base = 0, mesh_base = 0, camera_base = 0, light_base = 0;
    std::uint64_t lights = 0;
    std::vector<std::uint64_t> order;  // the scene's nodes, depth first (instance order)
    std::vector<std::uint64_t> roots;
    std::size_t per_placement = 0;  // nodes + skin joints + animation channels copied each time
    std::vector<std::string>* warnings = nullptr;
    const ExportLimits* limits = nullptr;

    using Error = core::Error;
    template <typename T>
    using Result = core::Result<T>;
    using Status = core::Status;
    static constexpr std::uint64_t kNone = gltf_merge::kNone;

    Error Bad(const std::string& what) const {
        return Error::Invalid("model " + label + ": " + what);
    }

    const Json& List(const char* key) const {
        static const Json kEmpty = Json::array();
        auto it = gltf.find(key);
        return it != gltf.end() && it->is_array() ? *it : kEmpty;
    }

    /// An index field: nullopt when absent; kNone when present but not a non-negative integer.
    static std::optional<std::uint64_t> Field(const Json& obj, const char* key) {
        auto it = obj.find(key);
        if (it == obj.end()) return std::nullopt;
        if (!it->is_number_unsigned()) return kNone;
        return it->get<std::uint64_t>();
    }

    Result<std::uint64_t> Ref(const Json& obj, const char* key, std::size_t size,
                              const char* what) const {
        auto v = Field(obj, key);
        if (!v || *v >= size) {
            return Bad(std::string(what) + " " +
                       (v && *v != kNone ? std::to_string(*v) : "(missing)") + " does not exist");
        }
        return *v;
    }

    // Buffers, views and accessors, every range checked (gltf_merge_buffers.cpp).
    Result<std::string_view> BufferData(std::uint64_t index) const;
    Status LoadBuffers(bool glb);
    /// A data: URI's type and decoded bytes (outside files and URLs are never fetched).
    Result<std::pair<std::string, std::string>> DataUri(const Json& uri,
                                                        const std::string& what) const;
    Result<std::string_view> ViewBytes(std::uint64_t index) const;
    Result<std::uint64_t> CopyView(std::uint64_t index, GltfBuilder& out);
    /// Checks that `count` elements of `elem` bytes at `offset` with `stride` fit in the view.
    Result<std::string_view> Elements(std::uint64_t view, std::uint64_t offset, std::uint64_t count,
                                      std::uint64_t elem, std::uint64_t stride,
                                      const std::string& what) const;
    Result<std::uint64_t> CopyAccessor(std::uint64_t index, GltfBuilder& out);

    // Extensions, images, textures, materials, meshes and the node forest (gltf_merge_parts.cpp).
    /// Copies `obj`'s extensions keeping only carried ones (recorded as used); recurses into
    /// nested objects (texture infos) but not into extras.
    Json Clean(const Json& obj, GltfBuilder& out) const;
    Result<std::uint64_t> CopyImage(std::uint64_t index, GltfBuilder& out);
    Result<std::uint64_t> CopyTexture(std::uint64_t index, GltfBuilder& out);
    /// Renumbers texture references (`…Texture: {index}`) anywhere in a material copy.
    Status RemapTextures(Json& obj, GltfBuilder& out);
    Status CopyMeshes(GltfBuilder& out);
    /// Roots of the model's scene and its nodes in depth-first order; refuses a node graph that
    /// is not a forest (a node with two parents, a cycle) and dangling references.
    Status PlanNodes();
};

}  // namespace beacon::verse
