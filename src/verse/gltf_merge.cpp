#include "verse/gltf_merge.hpp"

#include <map>

#include "verse/gltf_merge_internal.hpp"

namespace beacon::verse {

using core::Error;
using core::Result;
using gltf_merge::Carried;
using gltf_merge::kNone;

namespace {

std::uint32_t Le32(std::string_view b, std::size_t at) {
    std::uint32_t v = 0;
    for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(b[at + i]);
    return v;
}

}  // namespace

MergedModel::MergedModel(std::unique_ptr<State> state) : state_(std::move(state)) {}
MergedModel::~MergedModel() = default;
MergedModel::MergedModel(MergedModel&&) noexcept = default;
MergedModel& MergedModel::operator=(MergedModel&&) noexcept = default;

Result<MergedModel> MergedModel::Add(GltfBuilder& out, std::string_view bytes,
                                     const std::string& label, const ExportLimits& limits,
                                     std::vector<std::string>& warnings) {
    // The upload checks first (header, chunk lengths, list sizes, counts against bytes).
    auto info = InspectAsset(bytes, "", limits.assets);
    if (!info.ok()) return Error{info.error().code, "model " + label + ": " + info.error().message};
    if (info->kind != "model") return Error::Invalid("model " + label + ": not a glTF model");
    auto s = std::make_unique<State>();
    s->label = label;
    s->warnings = &warnings;
    s->limits = &limits;
    s->bytes.assign(bytes);
    bool glb = info->mime == "model/gltf-binary";
    std::string_view all(s->bytes);
    std::string_view json = all;
    if (glb) {
        std::uint32_t json_len = Le32(all, 12);
        json = all.substr(20, json_len);
        std::size_t at = 20 + std::size_t{json_len};
        if (at + 8 <= all.size()) s->bin = all.substr(at + 8, Le32(all, at));
    }
    DocumentLimits parse;
    parse.max_bytes = limits.assets.max_gltf_json_bytes;
    parse.max_json_depth = 32;
    auto parsed = ParseJsonText(json, parse);
    if (!parsed.ok()) return s->Bad(parsed.error().message);
    s->gltf = std::move(*parsed);
    for (const char* key : {"extensionsRequired"}) {
        if (!s->gltf.contains(key)) continue;
        for (const auto& e : s->gltf[key]) {
            std::string name = e.is_string() ? e.get<std::string>() : e.dump();
            if (!Carried(name))
                return s->Bad("requires the extension " + name + ", which the export cannot carry");
            out.extensions_required.insert(name);
        }
    }
    BEACON_CHECK(s->LoadBuffers(glb));
    s->view_map.assign(s->List("bufferViews").size(), kNone);
    s->accessor_map.assign(s->List("accessors").size(), kNone);
    s->image_map.assign(s->List("images").size(), kNone);
    s->texture_map.assign(s->List("textures").size(), kNone);
    for (const auto& m : s->List("meshes")) {
        if (!m.is_object() || !m.contains("primitives") || !m["primitives"].is_array()) continue;
        for (const auto& p : m["primitives"]) {
            if (!p.is_object() || !p.contains("attributes") || !p["attributes"].is_object())
                continue;
            if (auto pos = State::Field(p["attributes"], "POSITION")) s->needs_bounds.insert(*pos);
            bool draco = p.contains("extensions") && p["extensions"].is_object() &&
                         p["extensions"].contains("KHR_draco_mesh_compression");
            if (!draco) continue;
            for (const auto& [_, acc] : p["attributes"].items()) {
                if (acc.is_number_unsigned()) s->draco_accessors.insert(acc.get<std::uint64_t>());
            }
            if (auto ind = State::Field(p, "indices")) s->draco_accessors.insert(*ind);
        }
    }
    for (const auto& a : s->List("animations")) {
        if (!a.is_object() || !a.contains("samplers") || !a["samplers"].is_array()) continue;
        for (const auto& smp : a["samplers"]) {
            if (smp.is_object()) {
                if (auto in = State::Field(smp, "input")) s->needs_bounds.insert(*in);
            }
        }
    }
    if (s->gltf.contains("extensions") && s->gltf["extensions"].is_object() &&
        s->gltf["extensions"].contains("KHR_lights_punctual")) {
        const Json& l = s->gltf["extensions"]["KHR_lights_punctual"];
        if (l.is_object() && l.contains("lights") && l["lights"].is_array())
            s->lights = l["lights"].size();
    }
    BEACON_CHECK(s->PlanNodes());

    // Shared parts: materials (with their textures), meshes (with their accessors), cameras,
    // lights.
    s->material_base = out.materials.size();
    for (std::size_t i = 0; i < s->List("materials").size(); ++i) {
        const Json& m = s->List("materials")[i];
        if (!m.is_object()) return s->Bad("material " + std::to_string(i) + " is not an object");
        Json copy = s->Clean(m, out);
        BEACON_CHECK(s->RemapTextures(copy, out));
        out.materials.push_back(std::move(copy));
    }
    BEACON_CHECK(s->CopyMeshes(out));
    s->camera_base = out.cameras.size();
    for (const auto& c : s->List("cameras")) {
        if (!c.is_object()) return s->Bad("a camera is not an object");
        out.cameras.push_back(s->Clean(c, out));
    }
    s->light_base = out.lights.size();
    for (std::uint64_t i = 0; i < s->lights; ++i) {
        out.lights.push_back(
            s->Clean(s->gltf["extensions"]["KHR_lights_punctual"]["lights"][i], out));
    }
    // Skins' matrices and animations' keyframes are shared by every instance.
    for (std::size_t i = 0; i < s->List("skins").size(); ++i) {
        const Json& skin = s->List("skins")[i];
        if (!skin.is_object() || !skin.contains("joints") || !skin["joints"].is_array()) {
            return s->Bad("skin " + std::to_string(i) + " has no joints");
        }
        if (skin.contains("inverseBindMatrices")) {
            BEACON_TRY(
                acc, s->Ref(skin, "inverseBindMatrices", s->List("accessors").size(), "accessor"));
            BEACON_CHECK(s->CopyAccessor(acc, out));
        }
    }
    for (std::size_t i = 0; i < s->List("animations").size(); ++i) {
        const Json& a = s->List("animations")[i];
        if (!a.is_object() || !a.contains("samplers") || !a["samplers"].is_array()) continue;
        for (const auto& smp : a["samplers"]) {
            if (!smp.is_object())
                return s->Bad("animation " + std::to_string(i) + " has a broken sampler");
            BEACON_TRY(in, s->Ref(smp, "input", s->List("accessors").size(), "accessor"));
            BEACON_TRY(outp, s->Ref(smp, "output", s->List("accessors").size(), "accessor"));
            BEACON_CHECK(s->CopyAccessor(in, out));
            BEACON_CHECK(s->CopyAccessor(outp, out));
        }
    }
    s->per_placement = s->order.size();
    for (const auto& skin : s->List("skins")) s->per_placement += skin["joints"].size();
    for (const auto& a : s->List("animations")) {
        if (a.is_object() && a.contains("channels") && a["channels"].is_array()) {
            s->per_placement += a["channels"].size();
        }
    }
    return MergedModel(std::move(s));
}

Result<std::vector<int>> MergedModel::Instantiate(GltfBuilder& out,
                                                  const ExportLimits& limits) const {
    const State& s = *state_;
    if (out.nodes.size() + s.order.size() > limits.max_nodes) {
        return Error{core::ErrorCode::kTooLarge,
                     "export: more than " + std::to_string(limits.max_nodes) +
                         " nodes with every model placed (model " + s.label + ")"};
    }
    if (out.copied + s.per_placement > limits.max_copied) {
        return Error{core::ErrorCode::kTooLarge,
                     "export: more than " + std::to_string(limits.max_copied) +
                         " nodes, joints and animation channels with every model placed (model " +
                         s.label + ")"};
    }
    out.copied += s.per_placement;
    const Json& nodes = s.List("nodes");
    std::map<std::uint64_t, std::uint64_t> at;  // model node → builder node
    std::uint64_t base = out.nodes.size();
    for (std::size_t k = 0; k < s.order.size(); ++k) at[s.order[k]] = base + k;
    // Skins of this instance: their joints must be nodes of this instance.
    std::map<std::uint64_t, std::uint64_t> skin_at;
    for (auto i : s.order) {
        if (!nodes[i].contains("skin")) continue;
        std::uint64_t skin = nodes[i]["skin"].get<std::uint64_t>();
        if (skin_at.count(skin)) continue;
        const Json& sk = s.List("skins")[skin];
        Json copy = s.Clean(sk, out);
        Json joints = Json::array();
        for (const auto& j : sk["joints"]) {
            if (!j.is_number_unsigned() || !at.count(j.get<std::uint64_t>())) {
                return s.Bad("skin " + std::to_string(skin) + " names a joint outside the scene");
            }
            joints.push_back(at[j.get<std::uint64_t>()]);
        }
        copy["joints"] = joints;
        if (sk.contains("skeleton")) {
            if (!sk["skeleton"].is_number_unsigned() ||
                !at.count(sk["skeleton"].get<std::uint64_t>())) {
                return s.Bad("skin " + std::to_string(skin) +
                             " names a skeleton outside the scene");
            }
            copy["skeleton"] = at[sk["skeleton"].get<std::uint64_t>()];
        }
        if (sk.contains("inverseBindMatrices")) {
            copy["inverseBindMatrices"] =
                s.accessor_map[sk["inverseBindMatrices"].get<std::uint64_t>()];
        }
        out.skins.push_back(std::move(copy));
        skin_at[skin] = out.skins.size() - 1;
    }
    for (auto i : s.order) {
        const Json& n = nodes[i];
        Json copy = s.Clean(n, out);
        if (n.contains("mesh")) copy["mesh"] = s.mesh_base + n["mesh"].get<std::uint64_t>();
        if (n.contains("camera")) copy["camera"] = s.camera_base + n["camera"].get<std::uint64_t>();
        if (n.contains("skin")) copy["skin"] = skin_at[n["skin"].get<std::uint64_t>()];
        if (n.contains("children")) {
            Json ch = Json::array();
            for (const auto& c : n["children"]) ch.push_back(at[c.get<std::uint64_t>()]);
            copy["children"] = ch;
        }
        if (copy.contains("extensions") && copy["extensions"].contains("KHR_lights_punctual")) {
            Json& l = copy["extensions"]["KHR_lights_punctual"];
            l["light"] =
                s.light_base + n["extensions"]["KHR_lights_punctual"]["light"].get<std::uint64_t>();
        }
        out.nodes.push_back(std::move(copy));
    }
    // Animations of this instance: channels aimed at its nodes (others are left out).
    for (const auto& a : s.List("animations")) {
        if (!a.is_object() || !a.contains("channels") || !a["channels"].is_array() ||
            !a.contains("samplers") || !a["samplers"].is_array()) {
            continue;
        }
        Json channels = Json::array();
        Json samplers = Json::array();
        std::map<std::uint64_t, std::uint64_t> sampler_at;
        for (const auto& c : a["channels"]) {
            if (!c.is_object() || !c.contains("target") || !c["target"].is_object()) continue;
            auto node = State::Field(c["target"], "node");
            auto smp = State::Field(c, "sampler");
            if (!node || !at.count(*node) || !smp || *smp >= a["samplers"].size()) continue;
            if (!sampler_at.count(*smp)) {
                Json sc = s.Clean(a["samplers"][*smp], out);
                sc["input"] = s.accessor_map[a["samplers"][*smp]["input"].get<std::uint64_t>()];
                sc["output"] = s.accessor_map[a["samplers"][*smp]["output"].get<std::uint64_t>()];
                samplers.push_back(std::move(sc));
                sampler_at[*smp] = samplers.size() - 1;
            }
            Json cc = s.Clean(c, out);
            cc["sampler"] = sampler_at[*smp];
            cc["target"]["node"] = at[*node];
            channels.push_back(std::move(cc));
        }
        if (channels.empty()) continue;
        Json copy = {{"channels", channels}, {"samplers", samplers}};
        if (a.contains("name")) copy["name"] = a["name"];
        out.animations.push_back(std::move(copy));
    }
    std::vector<int> roots;
    for (auto r : s.roots) roots.push_back(static_cast<int>(at[r]));
    return roots;
}

}  // namespace beacon::verse
