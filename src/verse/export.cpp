#include "verse/export.hpp"

#include <cmath>
#include <cstring>
#include <map>

namespace beacon::verse {

namespace {

constexpr double kPi = 3.14159265358979323846;

struct Geometry {
    std::vector<float> positions;  // xyz
    std::vector<float> normals;    // xyz
    std::vector<std::uint32_t> indices;
    void Vertex(double x, double y, double z, double nx, double ny, double nz) {
        positions.insert(positions.end(), {float(x), float(y), float(z)});
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
            g.Vertex(x, y, z, f[0], f[1], f[2]);
        }
        Quad(g, base, base + 1, base + 2, base + 3);
    }
    return g;
}

Geometry Plane() {
    Geometry g;
    for (auto [x, y] : {std::pair{-0.5, -0.5}, {0.5, -0.5}, {0.5, 0.5}, {-0.5, 0.5}}) g.Vertex(x, y, 0, 0, 0, 1);
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
            g.Vertex(0.5 * x, 0.5 * y, 0.5 * z, x, y, z);
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
            g.Vertex(r * std::sin(t), y, r * std::cos(t), std::sin(t), slope, std::cos(t));
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
        g.Vertex(0, y, 0, 0, ny, 0);
        for (int ix = 0; ix <= segments; ++ix) {
            double t = double(ix) / segments * 2 * kPi;
            g.Vertex(r * std::sin(t), y, r * std::cos(t), 0, ny, 0);
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
            g.Vertex(x, y, z, x - cx, y - cy, z);
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

class Writer {
public:
    /// Appends bytes to the BIN chunk (4-byte aligned) and adds a buffer view.
    int View(const void* data, std::size_t n, int target) {
        while (bin_.size() % 4) bin_ += '\0';
        Json v = {{"buffer", 0}, {"byteOffset", bin_.size()}, {"byteLength", n}, {"target", target}};
        bin_.append(static_cast<const char*>(data), n);
        views_.push_back(v);
        return int(views_.size() - 1);
    }
    int Accessor(Json a) {
        accessors_.push_back(std::move(a));
        return int(accessors_.size() - 1);
    }
    int Mesh(const Geometry& g, int material) {
        int pos_view = View(g.positions.data(), g.positions.size() * 4, 34962);
        std::vector<float> mn(3, 1e30f), mx(3, -1e30f);
        for (std::size_t i = 0; i < g.positions.size(); ++i) {
            mn[i % 3] = std::min(mn[i % 3], g.positions[i]);
            mx[i % 3] = std::max(mx[i % 3], g.positions[i]);
        }
        int pos = Accessor({{"bufferView", pos_view}, {"componentType", 5126}, {"count", g.Count()},
                            {"type", "VEC3"}, {"min", mn}, {"max", mx}});
        int nrm = Accessor({{"bufferView", View(g.normals.data(), g.normals.size() * 4, 34962)},
                            {"componentType", 5126}, {"count", g.Count()}, {"type", "VEC3"}});
        std::vector<std::uint16_t> idx(g.indices.begin(), g.indices.end());
        int ind = Accessor({{"bufferView", View(idx.data(), idx.size() * 2, 34963)},
                            {"componentType", 5123}, {"count", idx.size()}, {"type", "SCALAR"}});
        meshes_.push_back({{"primitives", {{{"attributes", {{"POSITION", pos}, {"NORMAL", nrm}}},
                                            {"indices", ind}, {"material", material}, {"mode", 4}}}}});
        return int(meshes_.size() - 1);
    }
    std::string Finish(Json gltf) {
        while (bin_.size() % 4) bin_ += '\0';
        if (!views_.empty()) {
            gltf["bufferViews"] = views_;
            gltf["accessors"] = accessors_;
            gltf["meshes"] = meshes_;
            gltf["buffers"] = Json::array({{{"byteLength", bin_.size()}}});
        }
        std::string json = gltf.dump();
        while (json.size() % 4) json += ' ';
        std::string out = "glTF";
        auto le32 = [&](std::uint32_t v) {
            for (int i = 0; i < 4; ++i) out += char((v >> (8 * i)) & 0xff);
        };
        std::size_t total = 12 + 8 + json.size() + (bin_.empty() ? 0 : 8 + bin_.size());
        le32(2);
        le32(std::uint32_t(total));
        le32(std::uint32_t(json.size()));
        le32(0x4E4F534Au);
        out += json;
        if (!bin_.empty()) {
            le32(std::uint32_t(bin_.size()));
            le32(0x004E4942u);
            out += bin_;
        }
        return out;
    }

private:
    std::string bin_;
    Json views_ = Json::array();
    Json accessors_ = Json::array();
    Json meshes_ = Json::array();
};

}  // namespace

GlbExport ExportGlb(const Json& doc) {
    GlbExport out;
    Writer w;
    Json gltf = {{"asset", {{"version", "2.0"}, {"generator", "Beacon Verse"}}}, {"scene", 0}};
    Json materials = Json::array();
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
        material_index[id] = int(materials.size());
        materials.push_back(mat);
    }
    Json nodes = Json::array();
    Json lights = Json::array();
    std::map<std::string, int> node_index;
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
            out.warnings.push_back("model \"" + name + "\": exported as an empty node (its GLB is asset " +
                                   n["asset"].get<std::string>() + ")");
        } else if (type != "group") {
            int segments = n.value("segments", 32);
            std::string mat = n["material"];
            std::string key = type + ":" + std::to_string(segments) + ":" + mat;
            auto it = mesh_cache.find(key);
            if (it == mesh_cache.end()) {
                it = mesh_cache.emplace(key, w.Mesh(Make(type, segments), material_index[mat])).first;
            }
            node["mesh"] = it->second;
        }
        if (n.contains("visible") && n["visible"] == false) node["extras"]["visible"] = false;
        nodes.push_back(node);
        int self = node_index[n["id"].get<std::string>()];
        if (n["parent"].is_null()) roots.push_back(self);
        else children[node_index[n["parent"].get<std::string>()]].push_back(self);
    }
    for (std::size_t i = 0; i < children.size(); ++i) {
        if (!children[i].empty()) nodes[i]["children"] = children[i];
    }
    if (!nodes.empty()) gltf["nodes"] = nodes;
    gltf["scenes"] = Json::array({{{"name", doc["title"]}, {"nodes", roots}}});
    if (!materials.empty()) gltf["materials"] = materials;
    if (!lights.empty()) {
        gltf["extensionsUsed"] = {"KHR_lights_punctual"};
        gltf["extensions"] = {{"KHR_lights_punctual", {{"lights", lights}}}};
    }
    out.bytes = w.Finish(gltf);
    return out;
}

}  // namespace beacon::verse
