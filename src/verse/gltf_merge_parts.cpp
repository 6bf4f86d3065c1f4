// Parts of a model being merged: carried extensions, images (deduplicated by content), textures,
// materials' texture references, meshes, and the plan of its node forest.
#include "verse/gltf_merge_internal.hpp"

#include <set>

namespace beacon::verse {

using core::Error;
using core::Result;
using core::Status;
using gltf_merge::Carried;
using gltf_merge::kNone;

namespace gltf_merge {

bool Carried(const std::string& name) {
    static const std::set<std::string> kCarried = {"KHR_lights_punctual",
                                                   "KHR_texture_transform",
                                                   "KHR_texture_basisu",
                                                   "EXT_texture_webp",
                                                   "KHR_mesh_quantization",
                                                   "KHR_draco_mesh_compression",
                                                   "KHR_materials_emissive_strength",
                                                   "KHR_materials_unlit",
                                                   "KHR_materials_clearcoat",
                                                   "KHR_materials_transmission",
                                                   "KHR_materials_volume",
                                                   "KHR_materials_ior",
                                                   "KHR_materials_specular",
                                                   "KHR_materials_sheen",
                                                   "KHR_materials_iridescence",
                                                   "KHR_materials_anisotropy",
                                                   "KHR_materials_dispersion"};
    return kCarried.count(name) != 0;
}

}  // namespace gltf_merge

namespace {

std::string Sniff(std::string_view b) {
    if (b.size() >= 8 && b.substr(0, 8) == std::string_view("\x89PNG\r\n\x1a\n", 8))
        return "image/png";
    if (b.size() >= 3 && b.substr(0, 3) == std::string_view("\xff\xd8\xff", 3)) return "image/jpeg";
    if (b.size() >= 12 && b.substr(0, 12) == std::string_view("\xABKTX 20\xBB\r\n\x1A\n", 12))
        return "image/ktx2";
    if (b.size() >= 12 && b.substr(0, 4) == "RIFF" && b.substr(8, 4) == "WEBP") return "image/webp";
    return "";
}

}  // namespace

Json MergedModel::State::Clean(const Json& obj, GltfBuilder& out) const {
    if (!obj.is_object()) return obj;
    Json copy = Json::object();
    for (const auto& [k, v] : obj.items()) {
        if (k == "extensions" && v.is_object()) {
            Json kept = Json::object();
            for (const auto& [name, ext] : v.items()) {
                if (Carried(name)) {
                    kept[name] = Clean(ext, out);
                    out.extensions_used.insert(name);
                } else {
                    warnings->push_back("model " + label + ": extension " + name + " left out");
                }
            }
            if (!kept.empty()) copy[k] = kept;
        } else if (v.is_object() && k != "extras") {  // extras are the author's, kept as is
            copy[k] = Clean(v, out);
        } else {
            copy[k] = v;
        }
    }
    return copy;
}

Result<std::uint64_t> MergedModel::State::CopyImage(std::uint64_t index, GltfBuilder& out) {
    if (index >= image_map.size()) return Bad("image " + std::to_string(index) + " does not exist");
    if (image_map[index] != kNone) return image_map[index];
    const Json& img = List("images")[index];
    const std::string what = "image " + std::to_string(index);
    if (!img.is_object()) return Bad(what + " is not an object");
    std::string data;
    if (auto view = Field(img, "bufferView")) {
        BEACON_TRY(bytes, ViewBytes(*view));
        data.assign(bytes);
    } else if (img.contains("uri")) {
        BEACON_TRY(decoded, DataUri(img["uri"], what));
        data = std::move(decoded.second);
    } else {
        return Bad(what + " has neither a bufferView nor a uri");
    }
    std::string mime = Sniff(data);
    if (mime.empty()) return Bad(what + " is not a PNG, JPEG, KTX2 or WebP image");
    image_map[index] =
        static_cast<std::uint64_t>(out.Image(data, mime, img.value("name", std::string())));
    if (out.bin.size() > limits->max_bytes) {
        return Error{core::ErrorCode::kTooLarge, "export: the GLB would be larger than " +
                                                     std::to_string(limits->max_bytes) + " bytes"};
    }
    return image_map[index];
}

Result<std::uint64_t> MergedModel::State::CopyTexture(std::uint64_t index, GltfBuilder& out) {
    if (index >= texture_map.size())
        return Bad("texture " + std::to_string(index) + " does not exist");
    if (texture_map[index] != kNone) return texture_map[index];
    const Json& t = List("textures")[index];
    if (!t.is_object()) return Bad("texture " + std::to_string(index) + " is not an object");
    Json copy = Clean(t, out);
    if (t.contains("source")) {
        BEACON_TRY(src, Ref(t, "source", List("images").size(), "image"));
        BEACON_TRY(mapped, CopyImage(src, out));
        copy["source"] = mapped;
    }
    if (copy.contains("extensions")) {
        for (auto& [name, ext] : copy["extensions"].items()) {
            if (!ext.is_object() || !ext.contains("source")) continue;
            BEACON_TRY(src, Ref(ext, "source", List("images").size(), "image"));
            BEACON_TRY(mapped, CopyImage(src, out));
            ext["source"] = mapped;
        }
    }
    if (t.contains("sampler")) {
        BEACON_TRY(s, Ref(t, "sampler", List("samplers").size(), "sampler"));
        copy["sampler"] = out.Sampler(Clean(List("samplers")[s], out));
    }
    texture_map[index] = static_cast<std::uint64_t>(out.Texture(copy));
    return texture_map[index];
}

Status MergedModel::State::RemapTextures(Json& obj, GltfBuilder& out) {
    if (!obj.is_object()) return {};
    for (auto& [k, v] : obj.items()) {
        if (k == "extras" || !v.is_object()) continue;
        bool info = k.size() > 7 && k.compare(k.size() - 7, 7, "Texture") == 0;
        if (info) {
            BEACON_TRY(src, Ref(v, "index", List("textures").size(), "texture"));
            BEACON_TRY(mapped, CopyTexture(src, out));
            v["index"] = mapped;
        }
        BEACON_CHECK(RemapTextures(v, out));
    }
    return {};
}

Status MergedModel::State::CopyMeshes(GltfBuilder& out) {
    mesh_base = out.meshes.size();
    const std::size_t accessors = List("accessors").size();
    const std::size_t materials = List("materials").size();
    for (std::size_t m = 0; m < List("meshes").size(); ++m) {
        const Json& mesh = List("meshes")[m];
        const std::string what = "mesh " + std::to_string(m);
        if (!mesh.is_object() || !mesh.contains("primitives") || !mesh["primitives"].is_array() ||
            mesh["primitives"].empty()) {
            return Bad(what + " has no primitives");
        }
        Json copy = Clean(mesh, out);
        Json prims = Json::array();
        for (const auto& p : mesh["primitives"]) {
            if (!p.is_object() || !p.contains("attributes") || !p["attributes"].is_object()) {
                return Bad(what + ": a primitive has no attributes");
            }
            Json prim = Clean(p, out);
            auto remap_attributes = [&](const Json& attributes) -> Result<Json> {
                Json mapped = Json::object();
                for (const auto& [name, _] : attributes.items()) {
                    BEACON_TRY(acc, Ref(attributes, name.c_str(), accessors, "accessor"));
                    BEACON_TRY(to, CopyAccessor(acc, out));
                    mapped[name] = to;
                }
                return mapped;
            };
            BEACON_TRY(attributes, remap_attributes(p["attributes"]));
            prim["attributes"] = attributes;
            if (p.contains("targets")) {
                if (!p["targets"].is_array()) return Bad(what + ": targets is not a list");
                Json targets = Json::array();
                for (const auto& t : p["targets"]) {
                    if (!t.is_object()) return Bad(what + ": a morph target is not an object");
                    BEACON_TRY(mapped, remap_attributes(t));
                    targets.push_back(mapped);
                }
                prim["targets"] = targets;
            }
            if (p.contains("indices")) {
                BEACON_TRY(acc, Ref(p, "indices", accessors, "accessor"));
                BEACON_TRY(to, CopyAccessor(acc, out));
                prim["indices"] = to;
            }
            if (p.contains("material")) {
                BEACON_TRY(mat, Ref(p, "material", materials, "material"));
                prim["material"] = material_base + mat;
            }
            if (prim.contains("extensions") &&
                prim["extensions"].contains("KHR_draco_mesh_compression")) {
                Json& d = prim["extensions"]["KHR_draco_mesh_compression"];
                BEACON_TRY(view, Ref(d, "bufferView", List("bufferViews").size(), "bufferView"));
                BEACON_TRY(to, CopyView(view, out));
                d["bufferView"] = to;
            }
            prims.push_back(std::move(prim));
        }
        copy["primitives"] = prims;
        out.meshes.push_back(std::move(copy));
    }
    return {};
}

Status MergedModel::State::PlanNodes() {
    const Json& nodes = List("nodes");
    std::vector<std::uint64_t> parents(nodes.size(), 0);
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        const Json& n = nodes[i];
        if (!n.is_object()) return Bad("node " + std::to_string(i) + " is not an object");
        if (!n.contains("children")) continue;
        if (!n["children"].is_array())
            return Bad("node " + std::to_string(i) + ": children is not a list");
        for (const auto& c : n["children"]) {
            if (!c.is_number_unsigned() || c.get<std::uint64_t>() >= nodes.size()) {
                return Bad("node " + std::to_string(i) + " has a child that does not exist");
            }
            if (++parents[c.get<std::uint64_t>()] > 1) {
                return Bad("node " + c.dump() + " has two parents (the node graph is not a tree)");
            }
        }
    }
    const Json& scenes = List("scenes");
    if (!scenes.empty()) {
        std::uint64_t scene = gltf.contains("scene") ? Field(gltf, "scene").value_or(kNone) : 0;
        if (scene >= scenes.size() || !scenes[scene].is_object())
            return Bad("its scene does not exist");
        const Json& sn = scenes[scene].contains("nodes") ? scenes[scene]["nodes"] : Json::array();
        if (!sn.is_array()) return Bad("scene nodes is not a list");
        for (const auto& r : sn) {
            if (!r.is_number_unsigned() || r.get<std::uint64_t>() >= nodes.size()) {
                return Bad("a scene root does not exist");
            }
            if (parents[r.get<std::uint64_t>()]) return Bad("a scene root is also a child");
            roots.push_back(r.get<std::uint64_t>());
        }
    } else {
        for (std::size_t i = 0; i < nodes.size(); ++i) {
            if (!parents[i]) roots.push_back(i);
        }
    }
    std::vector<char> seen(nodes.size(), 0);
    std::vector<std::uint64_t> stack(roots.rbegin(), roots.rend());
    while (!stack.empty()) {
        std::uint64_t i = stack.back();
        stack.pop_back();
        if (seen[i])
            return Bad("node " + std::to_string(i) +
                       " is reached twice (the node graph is not a tree)");
        seen[i] = 1;
        order.push_back(i);
        if (nodes[i].contains("children")) {
            const Json& ch = nodes[i]["children"];
            for (auto it = ch.rbegin(); it != ch.rend(); ++it)
                stack.push_back(it->get<std::uint64_t>());
        }
    }
    // Every node that will be copied must name things that exist.
    for (auto i : order) {
        const Json& n = nodes[i];
        if (n.contains("mesh")) BEACON_CHECK(Ref(n, "mesh", List("meshes").size(), "mesh"));
        if (n.contains("camera")) BEACON_CHECK(Ref(n, "camera", List("cameras").size(), "camera"));
        if (n.contains("skin")) BEACON_CHECK(Ref(n, "skin", List("skins").size(), "skin"));
        if (n.contains("extensions") && n["extensions"].is_object() &&
            n["extensions"].contains("KHR_lights_punctual")) {
            BEACON_CHECK(Ref(n["extensions"]["KHR_lights_punctual"], "light", lights, "light"));
        }
    }
    return {};
}

}  // namespace beacon::verse
