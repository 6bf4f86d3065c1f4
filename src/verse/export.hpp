#pragma once
/// GLB export of a world document (glTF 2.0 binary): primitives as meshes with normals,
/// materials as PBR metallic-roughness, lights through KHR_lights_punctual. The document stays
/// the editable source; the GLB is an export (Spoke's GLB-only scenes could not be edited back).
#include <functional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "verse/document.hpp"
#include "verse/gltf_merge.hpp"

namespace beacon::verse {

struct GlbExport {
    std::string bytes;
    std::vector<std::string> warnings;  // what was left out, by node name (never fatal)
};

/// The bytes of a world's asset by hash (NotFound when the world has none).
using AssetBytes = std::function<core::Result<std::string>(const std::string& hash)>;

/// Exports a validated current-version document as one self-contained GLB. Each imported model
/// (read through `assets`) is merged in: its meshes, materials, textures and node tree placed
/// under the model's node, every model copied once however many nodes place it. Hemisphere
/// lights and extensions the GLB cannot carry are left out and named in `warnings`; without
/// `assets`, model nodes stay empty (named in `warnings`). A broken or hostile model is an
/// Invalid error naming the node and the model, and the totals are bounded by `limits`.
core::Result<GlbExport> ExportGlb(const Json& doc, const AssetBytes& assets = {},
                                  const ExportLimits& limits = {});

}  // namespace beacon::verse
