#pragma once
/// Inspection of uploaded world assets before they are stored: the bytes are sniffed (GLB /
/// glTF, PNG, JPEG, KTX2), must match the declared type, and are measured for the budgets.
/// A model's declared counts are checked against limits and against the bytes that back them
/// before anything else is read, so an absurd file is refused early and cheaply.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace beacon::verse {

struct AssetLimits {
    std::size_t max_model_bytes = 64 * 1024 * 1024;
    std::size_t max_image_bytes = 16 * 1024 * 1024;
    std::size_t max_gltf_json_bytes = 4 * 1024 * 1024;
    std::uint32_t max_texture_side = 8192;
    std::size_t max_gltf_items = 10000;  // nodes, meshes, accessors, buffer views, ... each
    std::uint64_t max_model_triangles = 2'000'000;
};

struct AssetInfo {
    std::string hash;  // sha256 hex of the bytes (the content address)
    std::string kind;  // "model" or "texture"
    std::string mime;  // model/gltf-binary, model/gltf+json, image/png, image/jpeg, image/ktx2
    std::uint64_t size = 0;
    std::uint64_t triangles = 0;      // models: drawn by one instance
    std::uint64_t materials = 0;      // models
    std::uint64_t texture_bytes = 0;  // estimated GPU memory (RGBA8 + mips for images)
    std::uint32_t width = 0;          // textures
    std::uint32_t height = 0;
};

/// Checks and measures an upload. `declared_mime` is the request's Content-Type (empty or
/// application/octet-stream: the bytes decide).
core::Result<AssetInfo> InspectAsset(std::string_view bytes, std::string_view declared_mime,
                                     const AssetLimits& limits = {});

/// Lowercase hex sha256.
std::string Sha256Hex(std::string_view bytes);

/// The file extension for an asset type ("glb", "gltf", "png", "jpg", "ktx2").
std::string_view ExtensionFor(std::string_view mime);

}  // namespace beacon::verse
