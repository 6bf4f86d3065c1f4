#pragma once
/// GLB export of a world document (glTF 2.0 binary): primitives as meshes with normals,
/// materials as PBR metallic-roughness, lights through KHR_lights_punctual. The document stays
/// the editable source; the GLB is an export (Spoke's GLB-only scenes could not be edited back).
#include <string>
#include <vector>

#include "verse/document.hpp"

namespace beacon::verse {

struct GlbExport {
    std::string bytes;
    std::vector<std::string> warnings;  // what was left out, by node name (never fatal)
};

/// Exports a validated current-version document. Model nodes become empty named nodes (their
/// asset's hash in `extras`), hemisphere lights are left out; both are named in `warnings`.
GlbExport ExportGlb(const Json& doc);

}  // namespace beacon::verse
