#include "verse/export.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>

namespace beacon::verse {

namespace {

constexpr double kPi = 3.14159265358979323846;

struct Geometry {
    std::vector<float> positions;  // xyz
    std::vector<float> normals;    // xyz
    std::vector<float> uvs;        // glTF convention: origin at the image's top left
    std::vector<std::uint32_t> indices;
    void Vertex(double x, double y, double z, double nx, double ny, double nz, double u, double v) {
        positions.insert(positions.end(), {float(x), float(y), float(z)});
        uvs.insert(uvs.end(), {float(u), float(v)});
        double len = std::sqrt(nx * nx + ny * ny + nz * nz);
        if (len == 0) len = 1;
        normals.insert(normals.end(), {float(nx / len), float(ny / len), float(nz / len)});
    }
    std::uint32_t Count() const { return static_cast<std::uint32_t>(positions.size() / 3); }
};

void Quad(Geometry& g, std::uint32_t a, std::uint32_t b, std::uint32_t c, std::uint32_t d) {
    g.indices.insert(g.indices.end(), {a, b, d, b, c, d});
}

Geometry Box() {
    Geometry g;
    // Each face: normal n, axes u and v (u × v = n), corners at ±0.5.
    const int faces[6][9] = {{1, 0, 0, 0, 0, -1, 0, 1, 0},  {-1, 0, 0, 0, 0, 1, 0, 1, 0},
                             {0, 1, 0, 1, 0, 0, 0, 0, -1},  {0, -1, 0, 1, 0, 0, 0, 0, 1},
                             {0, 0, 1, 1, 0, 0, 0, 1, 0},   {0, 0, -1, -1, 0, 0, 0, 1, 0}};
    for (const auto& f : faces) {
        std::uint32_t base = g.Count();
        for (auto [su, sv] : {std::pair{-1, -1}, {1, -1}, {1, 1}, {-1, 1}}) {
            double x = 0.5 * f[0] + 0.5 * su * f[3] + 0.5 * sv * f[6];
            double y = 0.5 * f[1] + 0.5 * su * f[4] + 0.5 * sv * f[7];
            double z = 0.5 * f[2] + 0.5 * su * f[5] + 0.5 * sv * f[8];
            g.Vertex(x, y, z, f[0], f[1], f[2], (su + 1) / 2.0, 1 - (sv + 1) / 2.0);
        }
        Quad(g, base, base + 1, base + 2, base + 3);
    }
    return g;
}

Geometry Plane() {
    Geometry g;
    for (auto [x, y] : {std::pair{-0.5, -0.5}, {0.5, -0.5}, {0.5, 0.5}, {-0.5, 0.5}}) {
        g.Vertex(x, y, 0, 0, 0, 1, x + 0.5, 0.5 - y);
    }
    Quad(g, 0, 1, 2, 3);
    return g;
}

Geometry Sphere(int segments) {
    Geometry g;
    int rings = std::max(2, segments / 2);
    for (int iy = 0; iy <= rings; ++iy) {
        double v = double(iy) / rings;
        for (int ix = 0; ix <= segments; ++ix) {
            double u = double(ix) / segments;
            double x = -std::cos(u * 2 * kPi) * std::sin(v * kPi);
            double y = std::cos(v * kPi);
            double z = std::sin(u * 2 * kPi) * std::sin(v * kPi);
            g.Vertex(0.5 * x, 0.5 * y, 0.5 * z, x, y, z, u, v);
        }
    }
    auto at = [&](int ix, int iy) { return std::uint32_t(iy * (segments + 1) + ix); };
    for (int iy = 0; iy < rings; ++iy) {
        for (int ix = 0; ix < segments; ++ix) {
            std::uint32_t a = at(ix + 1, iy), b = at(ix, iy), c = at(ix, iy + 1), d = at(ix + 1, iy + 1);
            if (iy != 0) g.indices.insert(g.indices.end(), {a, b, d});
            if (iy != rings - 1) g.indices.insert(g.indices.end(), {b, c, d});
        }
    }
    return g;
}

/// Cylinder (top radius 0.5) or cone (top radius 0): sides, and caps where the radius is > 0.
Geometry Cylinder(int segments, double top) {
    Geometry g;
    const double bottom = 0.5;
    double slope = (bottom - top);  // for the side normals (height 1)
    for (int iy = 0; iy <= 1; ++iy) {
        double r = iy == 0 ? top : bottom;
        double y = 0.5 - iy;
        for (int ix = 0; ix <= segments; ++ix) {
            double t = double(ix) / segments * 2 * kPi;
            g.Vertex(r * std::sin(t), y, r * std::cos(t), std::sin(t), slope, std::cos(t), double(ix) / segments, iy);
        }
    }
    for (int ix = 0; ix < segments; ++ix) {
        std::uint32_t a = ix, b = segments + 1 + ix, c = segments + 2 + ix, d = ix + 1;
        if (top > 0) g.indices.insert(g.indices.end(), {a, b, d});
        g.indices.insert(g.indices.end(), {b, c, d});
    }
    for (int cap = 0; cap < 2; ++cap) {
        double r = cap == 0 ? top : bottom;
        if (r <= 0) continue;
        double y = cap == 0 ? 0.5 : -0.5;
        double ny = cap == 0 ? 1 : -1;
        std::uint32_t center = g.Count();
        g.Vertex(0, y, 0, 0, ny, 0, 0.5, 0.5);
        for (int ix = 0; ix <= segments; ++ix) {
            double t = double(ix) / segments * 2 * kPi;
            g.Vertex(r * std::sin(t), y, r * std::cos(t), 0, ny, 0, 0.5 + 0.5 * std::sin(t), 0.5 - 0.5 * ny * std::cos(t));
        }
        for (int ix = 0; ix < segments; ++ix) {
            std::uint32_t a = center + 1 + ix, b = center + 2 + ix;
            if (cap == 0) g.indices.insert(g.indices.end(), {a, b, center});
            else g.indices.insert(g.indices.end(), {b, a, center});
        }
    }
    return g;
}

Geometry Torus(int segments) {
    Geometry g;
    int radial = std::max(3, segments / 3);
    const double radius = 0.5, tube = 0.12;
    for (int j = 0; j <= radial; ++j) {
        for (int i = 0; i <= segments; ++i) {
            double u = double(i) / segments * 2 * kPi;
            double v = double(j) / radial * 2 * kPi;
            double cx = radius * std::cos(u), cy = radius * std::sin(u);
            double x = (radius + tube * std::cos(v)) * std::cos(u);
            double y = (radius + tube * std::cos(v)) * std::sin(u);
            double z = tube * std::sin(v);
            g.Vertex(x, y, z, x - cx, y - cy, z, double(i) / segments, 1 - double(j) / radial);
        }
    }
    for (int j = 1; j <= radial; ++j) {
        for (int i = 1; i <= segments; ++i) {
            std::uint32_t a = (segments + 1) * j + i - 1, b = (segments + 1) * (j - 1) + i - 1;
            std::uint32_t c = (segments + 1) * (j - 1) + i, d = (segments + 1) * j + i;
            g.indices.insert(g.indices.end(), {a, b, d, b, c, d});
        }
    }
    return g;
}

Geometry Make(const std::string& type, int segments) {
    if (type == "box") return Box();
    if (type == "plane") return Plane();
    if (type == "sphere") return Sphere(segments);
    if (type == "cylinder") return Cylinder(segments, 0.5);
    if (type == "cone") return Cylinder(segments, 0);
    return Torus(segments);
}

std::vector<double> Rgb(const std::string& hex) {
    auto channel = [&](int i) {
        double c = std::stoi(hex.substr(1 + 2 * i, 2), nullptr, 16) / 255.0;
        return c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);  // sRGB → linear
    };
    return {channel(0), channel(1), channel(2)};
}

/// Adds one primitive shape as an indexed mesh (positions with bounds, normals) to `out`.
int AddMesh(GltfBuilder& out, const Geometry& g, int material) {
    int pos_view = out.View({reinterpret_cast<const char*>(g.positions.data()), g.positions.size() * 4}, 34962);
    std::vector<float> mn(3, 1e30f), mx(3, -1e30f);
    for (std::size_t i = 0; i < g.positions.size(); ++i) {
        mn[i % 3] = std::min(mn[i % 3], g.positions[i]);
        mx[i % 3] = std::max(mx[i % 3], g.positions[i]);
    }
    auto accessor = [&](Json a) {
        out.accessors.push_back(std::move(a));
        return int(out.accessors.size() - 1);
    };
    int pos = accessor({{"bufferView", pos_view}, {"componentType", 5126}, {"count", g.Count()},
                        {"type", "VEC3"}, {"min", mn}, {"max", mx}});
    int nrm_view = out.View({reinterpret_cast<const char*>(g.normals.data()), g.normals.size() * 4}, 34962);
    int nrm = accessor({{"bufferView", nrm_view}, {"componentType", 5126}, {"count", g.Count()}, {"type", "VEC3"}});
    std::vector<std::uint16_t> idx(g.indices.begin(), g.indices.end());
    int uv_view = out.View({reinterpret_cast<const char*>(g.uvs.data()), g.uvs.size() * 4}, 34962);
    int uv = accessor({{"bufferView", uv_view}, {"componentType", 5126}, {"count", g.Count()}, {"type", "VEC2"}});
    int ind_view = out.View({reinterpret_cast<const char*>(idx.data()), idx.size() * 2}, 34963);
    int ind = accessor({{"bufferView", ind_view}, {"componentType", 5123}, {"count", idx.size()}, {"type", "SCALAR"}});
    out.meshes.push_back({{"primitives", {{{"attributes", {{"POSITION", pos}, {"NORMAL", nrm}, {"TEXCOORD_0", uv}}},
                                           {"indices", ind}, {"material", material}, {"mode", 4}}}}});
    return int(out.meshes.size() - 1);
}

/// A document material's texture as a glTF texture (-1: left out, with a warning). PNG and JPEG
/// are core glTF; Basis Universal KTX2 goes through KHR_texture_basisu; other KTX2 (plain RGBA8)
/// has no glTF form.
core::Result<int> MapTexture(GltfBuilder& w, const std::string& hash, const AssetBytes& assets,
                             const ExportLimits& limits, std::vector<std::string>& warnings) {
    if (!assets) {
        warnings.push_back("texture " + hash + ": left out (no asset source)");
        return -1;
    }
    auto bytes = assets(hash);
    if (!bytes.ok()) return core::Error{bytes.error().code, "export: texture " + hash + ": " + bytes.error().message};
    auto info = InspectAsset(*bytes, "", limits.assets);
    if (!info.ok() || info->kind != "texture") {
        return core::Error::Invalid("export: texture " + hash + ": " +
                                    (info.ok() ? std::string("not an image") : info.error().message));
    }
    bool ktx2 = info->mime == "image/ktx2";
    if (ktx2) {
        std::uint32_t format = 0;  // vkFormat, little-endian at byte 12
        for (int i = 3; i >= 0; --i) format = (format << 8) | static_cast<unsigned char>((*bytes)[12 + i]);
        if (format != 0) {
            warnings.push_back("texture " + hash + ": KTX2 that is not Basis Universal has no glTF form; left out");
            return -1;
        }
    }
    int image = w.Image(*bytes, info->mime, "");
    if (w.bin.size() > limits.max_bytes) {
        return core::Error{core::ErrorCode::kTooLarge,
                           "export: the GLB would be larger than " + std::to_string(limits.max_bytes) + " bytes"};
    }
    if (!ktx2) return w.Texture({{"source", image}});
    w.extensions_used.insert("KHR_texture_basisu");
    w.extensions_required.insert("KHR_texture_basisu");
    return w.Texture({{"extensions", {{"KHR_texture_basisu", {{"source", image}}}}}});
}

}  // namespace

core::Result<GlbExport> ExportGlb(const Json& doc, const AssetBytes& assets, const ExportLimits& limits) {
    GlbExport out;
    GltfBuilder w;
    Json gltf = {{"asset", {{"version", "2.0"}, {"generator", "Beacon Verse"}}}, {"scene", 0}};
    Json& materials = w.materials;
    std::map<std::string, int> material_index;
    for (const auto& [id, m] : doc["materials"].items()) {
        auto rgb = Rgb(m["color"].get<std::string>());
        double opacity = m.value("opacity", 1.0);
        Json pbr = {{"baseColorFactor", {rgb[0], rgb[1], rgb[2], opacity}},
                    {"metallicFactor", m.value("metalness", 0.0)},
                    {"roughnessFactor", m.value("roughness", 0.8)}};
        Json mat = {{"name", m.value("name", id)}, {"pbrMetallicRoughness", pbr}};
        auto emissive = Rgb(m.value("emissive", std::string("#000000")));
        double k = std::min(1.0, m.value("emissiveIntensity", 0.0));
        if (k > 0) mat["emissiveFactor"] = {emissive[0] * k, emissive[1] * k, emissive[2] * k};
        if (opacity < 1) mat["alphaMode"] = "BLEND";
        if (m.contains("map") && m["map"].is_string()) {
            BEACON_TRY(texture, MapTexture(w, m["map"].get<std::string>(), assets, limits, out.warnings));
            if (texture >= 0) mat["pbrMetallicRoughness"]["baseColorTexture"] = {{"index", texture}};
        }
        material_index[id] = int(materials.size());
        materials.push_back(mat);
    }
    Json& nodes = w.nodes;
    Json& lights = w.lights;
    std::map<std::string, int> node_index;
    std::vector<std::pair<int, std::string>> placed;  // model nodes: node index, asset hash
    std::map<std::string, int> mesh_cache;  // type:segments:material
    for (const auto& n : doc["nodes"]) node_index[n["id"].get<std::string>()] = int(node_index.size());
    std::vector<std::vector<int>> children(doc["nodes"].size());
    Json roots = Json::array();
    for (const auto& n : doc["nodes"]) {
        std::string type = n["type"];
        std::string name = n["name"];
        Json node = {{"name", name}};
        const auto& p = n["position"];
        const auto& r = n["rotation"];
        const auto& s = n["scale"];
        node["translation"] = {p[0], p[1], p[2]};
        double c1 = std::cos(r[0].get<double>() / 2), c2 = std::cos(r[1].get<double>() / 2),
               c3 = std::cos(r[2].get<double>() / 2);
        double s1 = std::sin(r[0].get<double>() / 2), s2 = std::sin(r[1].get<double>() / 2),
               s3 = std::sin(r[2].get<double>() / 2);
        node["rotation"] = {s1 * c2 * c3 + c1 * s2 * s3, c1 * s2 * c3 - s1 * c2 * s3,
                            c1 * c2 * s3 + s1 * s2 * c3, c1 * c2 * c3 - s1 * s2 * s3};
        if (type != "light") node["scale"] = {s[0], s[1], s[2]};
        if (type == "light") {
            const auto& l = n["light"];
            std::string kind = l["kind"];
            if (kind == "hemisphere") {
                out.warnings.push_back("light \"" + name + "\": hemisphere lights have no glTF form; left out");
            } else {
                auto rgb = Rgb(l["color"].get<std::string>());
                Json light = {{"type", kind}, {"color", rgb}, {"intensity", l["intensity"]}, {"name", name}};
                if (kind != "directional" && l.value("distance", 0.0) > 0) light["range"] = l["distance"];
                if (kind == "spot") {
                    double outer = std::max(0.01, l.value("angle", 0.5));
                    light["spot"] = {{"innerConeAngle", 0.0}, {"outerConeAngle", outer}};
                }
                node["extensions"] = {{"KHR_lights_punctual", {{"light", lights.size()}}}};
                lights.push_back(light);
            }
        } else if (type == "model") {
            node["extras"] = {{"asset", n["asset"]}};
            placed.emplace_back(int(nodes.size()), n["asset"].get<std::string>());
        } else if (type != "group") {
            int segments = n.value("segments", 32);
            std::string mat = n["material"];
            std::string key = type + ":" + std::to_string(segments) + ":" + mat;
            auto it = mesh_cache.find(key);
            if (it == mesh_cache.end()) {
                it = mesh_cache.emplace(key, AddMesh(w, Make(type, segments), material_index[mat])).first;
            }
            node["mesh"] = it->second;
        }
        if (n.contains("visible") && n["visible"] == false) node["extras"]["visible"] = false;
        nodes.push_back(node);
        int self = node_index[n["id"].get<std::string>()];
        if (n["parent"].is_null()) roots.push_back(self);
        else children[node_index[n["parent"].get<std::string>()]].push_back(self);
    }
    if (nodes.size() > limits.max_nodes) {
        return core::Error{core::ErrorCode::kTooLarge,
                           "export: more than " + std::to_string(limits.max_nodes) + " nodes"};
    }
    // Imported models: each merged once, its node tree copied under every node that places it.
    std::map<std::string, MergedModel> merged;
    for (const auto& [index, hash] : placed) {
        const std::string name = nodes[index]["name"];
        if (!assets) {
            out.warnings.push_back("model \"" + name + "\": exported as an empty node (its GLB is asset " + hash + ")");
            continue;
        }
        auto it = merged.find(hash);
        if (it == merged.end()) {
            if (merged.size() >= limits.max_models) {
                return core::Error{core::ErrorCode::kTooLarge,
                                   "export: more than " + std::to_string(limits.max_models) + " distinct models"};
            }
            auto bytes = assets(hash);
            if (!bytes.ok()) {
                return core::Error{bytes.error().code, "export: model \"" + name + "\" (asset " + hash +
                                                           "): " + bytes.error().message};
            }
            auto model = MergedModel::Add(w, *bytes, "\"" + name + "\" (asset " + hash.substr(0, 12) + ")",
                                          limits, out.warnings);
            if (!model.ok()) return core::Error{model.error().code, "export: " + model.error().message};
            it = merged.emplace(hash, std::move(*model)).first;
        }
        BEACON_TRY(model_roots, it->second.Instantiate(w, limits));
        for (int r : model_roots) children[index].push_back(r);
    }
    for (std::size_t i = 0; i < children.size(); ++i) {
        if (!children[i].empty()) nodes[i]["children"] = children[i];
    }
    gltf["scenes"] = Json::array({{{"name", doc["title"]}, {"nodes", roots}}});
    // One line per distinct warning (a model placed many times warns once).
    std::vector<std::string> unique;
    for (auto& line : out.warnings) {
        if (std::find(unique.begin(), unique.end(), line) == unique.end()) unique.push_back(std::move(line));
    }
    out.warnings = std::move(unique);
    out.bytes = w.Finish(gltf);
    return out;
}

}  // namespace beacon::verse
