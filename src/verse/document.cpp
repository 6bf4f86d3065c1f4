#include "verse/document.hpp"

#include <array>
#include <cmath>
#include <map>
#include <set>
#include <unordered_map>

namespace beacon::verse {

using core::Error;
using core::Result;

namespace {

constexpr std::array<std::string_view, 6> kPrimitives = {"box",      "sphere", "cylinder",
                                                         "cone",     "plane",  "torus"};
constexpr std::array<std::string_view, 4> kLightKinds = {"directional", "point", "spot",
                                                         "hemisphere"};

bool IsPrimitive(std::string_view t) {
    for (auto p : kPrimitives) {
        if (p == t) return true;
    }
    return false;
}

Error Bad(const std::string& where, const std::string& what) {
    return Error::Invalid("world document: " + where + ": " + what);
}

bool IsId(const Json& v) {
    if (!v.is_string()) return false;
    const auto& s = v.get_ref<const std::string&>();
    if (s.empty() || s.size() > 64) return false;
    for (char c : s) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_';
        if (!ok) return false;
    }
    return true;
}

bool IsHash(const Json& v) {
    if (!v.is_string()) return false;
    const auto& s = v.get_ref<const std::string&>();
    if (s.size() != 64) return false;
    for (char c : s) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    }
    return true;
}

bool IsColor(const Json& v) {
    if (!v.is_string()) return false;
    const auto& s = v.get_ref<const std::string&>();
    if (s.size() != 7 || s[0] != '#') return false;
    for (std::size_t i = 1; i < 7; ++i) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    }
    return true;
}

/// Checks that `obj` is an object holding only `allowed` keys and every `required` one.
core::Status Keys(const Json& obj, const std::string& where,
                  std::initializer_list<std::string_view> required,
                  std::initializer_list<std::string_view> optional) {
    if (!obj.is_object()) return Bad(where, "must be an object");
    for (auto r : required) {
        if (!obj.contains(std::string(r))) return Bad(where, "missing \"" + std::string(r) + "\"");
    }
    for (const auto& [k, _] : obj.items()) {
        bool known = false;
        for (auto r : required) known = known || r == k;
        for (auto o : optional) known = known || o == k;
        if (!known) {
            std::string shown = k.size() > 40 ? k.substr(0, 40) + "..." : k;
            return Bad(where, "unknown field \"" + shown + "\" (documents are data only)");
        }
    }
    return {};
}

core::Status Number(const Json& v, const std::string& where, double lo, double hi) {
    if (!v.is_number()) return Bad(where, "must be a number");
    double d = v.get<double>();
    if (!std::isfinite(d)) return Bad(where, "must be finite");
    if (d < lo || d > hi) {
        return Bad(where, "must be between " + Json(lo).dump() + " and " + Json(hi).dump());
    }
    return {};
}

core::Status Vec3(const Json& v, const std::string& where, double limit) {
    if (!v.is_array() || v.size() != 3) return Bad(where, "must be an array of 3 numbers");
    for (std::size_t i = 0; i < 3; ++i) {
        BEACON_CHECK(Number(v[i], where + "[" + std::to_string(i) + "]", -limit, limit));
    }
    return {};
}

core::Status Text(const Json& v, const std::string& where, std::size_t max_chars) {
    if (!v.is_string()) return Bad(where, "must be a string");
    const auto& s = v.get_ref<const std::string&>();
    std::size_t chars = 0;
    for (unsigned char c : s) {
        if ((c & 0xC0) != 0x80) ++chars;
        if (c < 0x20 && c != '\t') return Bad(where, "must not hold control characters");
    }
    if (chars > max_chars) return Bad(where, "longer than " + std::to_string(max_chars) + " characters");
    return {};
}

core::Status CheckEnvironment(const Json& env, const DocumentLimits& lim) {
    BEACON_CHECK(Keys(env, "environment", {"sky", "fog", "ambient"}, {}));
    const Json& sky = env["sky"];
    BEACON_CHECK(Keys(sky, "environment.sky", {"top", "bottom"}, {}));
    if (!IsColor(sky["top"]) || !IsColor(sky["bottom"])) {
        return Bad("environment.sky", "colours must be \"#rrggbb\"");
    }
    const Json& fog = env["fog"];
    if (!fog.is_null()) {
        BEACON_CHECK(Keys(fog, "environment.fog", {"color", "near", "far"}, {}));
        if (!IsColor(fog["color"])) return Bad("environment.fog.color", "must be \"#rrggbb\"");
        BEACON_CHECK(Number(fog["near"], "environment.fog.near", 0, lim.max_coordinate));
        BEACON_CHECK(Number(fog["far"], "environment.fog.far", 0, lim.max_coordinate));
        if (fog["far"].get<double>() <= fog["near"].get<double>()) {
            return Bad("environment.fog", "far must be beyond near");
        }
    }
    const Json& amb = env["ambient"];
    BEACON_CHECK(Keys(amb, "environment.ambient", {"color", "intensity"}, {}));
    if (!IsColor(amb["color"])) return Bad("environment.ambient.color", "must be \"#rrggbb\"");
    BEACON_CHECK(Number(amb["intensity"], "environment.ambient.intensity", 0, 100));
    return {};
}

core::Status CheckLight(const Json& l, const std::string& where) {
    BEACON_CHECK(Keys(l, where, {"kind", "color", "intensity"},
                      {"distance", "angle", "groundColor", "castShadow"}));
    bool kind_ok = false;
    if (l["kind"].is_string()) {
        for (auto k : kLightKinds) kind_ok = kind_ok || l["kind"] == k;
    }
    if (!kind_ok) return Bad(where + ".kind", "must be directional, point, spot or hemisphere");
    if (!IsColor(l["color"])) return Bad(where + ".color", "must be \"#rrggbb\"");
    BEACON_CHECK(Number(l["intensity"], where + ".intensity", 0, 1e5));
    if (l.contains("distance")) BEACON_CHECK(Number(l["distance"], where + ".distance", 0, 1e6));
    if (l.contains("angle")) BEACON_CHECK(Number(l["angle"], where + ".angle", 0, 1.5708));
    if (l.contains("groundColor") && !IsColor(l["groundColor"])) {
        return Bad(where + ".groundColor", "must be \"#rrggbb\"");
    }
    if (l.contains("castShadow") && !l["castShadow"].is_boolean()) {
        return Bad(where + ".castShadow", "must be true or false");
    }
    return {};
}

}  // namespace

std::uint64_t PrimitiveTriangles(std::string_view type, int segments) {
    std::uint64_t s = static_cast<std::uint64_t>(segments);
    if (type == "box") return 12;
    if (type == "plane") return 2;
    if (type == "sphere") return 2 * s * (std::max<std::uint64_t>(2, s / 2) - 1);
    if (type == "cylinder") return 4 * s;
    if (type == "cone") return 3 * s;
    if (type == "torus") return 2 * s * std::max<std::uint64_t>(3, s / 3);
    return 0;
}

Json BudgetJson(const Budget& b, const ShareBudgets& limits) {
    auto item = [](std::uint64_t used, std::uint64_t limit) {
        return Json{{"used", used}, {"limit", limit}, {"ok", used <= limit}};
    };
    Json out = {{"nodes", b.nodes},
                {"triangles", item(b.triangles, limits.triangles)},
                {"materials", item(b.materials, limits.materials)},
                {"lights", item(b.lights, limits.lights)},
                {"texture_bytes", item(b.texture_bytes, limits.texture_bytes)}};
    out["within_share_budget"] = b.triangles <= limits.triangles &&
                                 b.materials <= limits.materials && b.lights <= limits.lights &&
                                 b.texture_bytes <= limits.texture_bytes;
    return out;
}

Result<Json> ParseJsonText(std::string_view text, const DocumentLimits& limits) {
    if (text.size() > limits.max_bytes) {
        return Error{core::ErrorCode::kTooLarge,
                     "world document: larger than " + std::to_string(limits.max_bytes) + " bytes"};
    }
    int depth = 0;
    bool in_string = false;
    bool escaped = false;
    for (char c : text) {
        if (in_string) {
            if (escaped) {
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
            } else if (c == '"') {
                in_string = false;
            }
            continue;
        }
        if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > limits.max_json_depth) {
                return Bad("document", "nested deeper than " + std::to_string(limits.max_json_depth) +
                                           " levels");
            }
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
    Json doc = Json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) return Bad("document", "not valid JSON");
    return doc;
}

Result<Json> Migrate(Json doc) {
    if (!doc.is_object()) return Bad("document", "must be an object");
    if (!doc.contains("version") || !doc["version"].is_number_integer()) {
        return Bad("version", "missing or not an integer");
    }
    int version = doc["version"].get<int>();
    if (version < 1) return Bad("version", "unknown version " + std::to_string(version));
    if (version > kCurrentVersion) {
        return Bad("version", "version " + std::to_string(version) +
                                  " is newer than this server understands (" +
                                  std::to_string(kCurrentVersion) + ")");
    }
    if (version == 1) {
        // Version 1 (the first draft): sky and fog at the top level, a colour on every node.
        // Version 2 moves them into `environment` and shares materials through a table, so the
        // materials budget counts what the renderer really creates.
        Json env = {{"sky", {{"top", "#87ceeb"}, {"bottom", "#87ceeb"}}},
                    {"fog", nullptr},
                    {"ambient", {{"color", "#ffffff"}, {"intensity", 0.4}}}};
        if (doc.contains("sky")) {
            env["sky"] = {{"top", doc["sky"]}, {"bottom", doc["sky"]}};
            doc.erase("sky");
        }
        if (doc.contains("fog")) {
            env["fog"] = doc["fog"];
            doc.erase("fog");
        }
        doc["environment"] = env;
        Json materials = Json::object();
        if (doc.contains("nodes") && doc["nodes"].is_array()) {
            for (auto& node : doc["nodes"]) {
                if (!node.is_object() || !node.contains("color")) continue;
                Json color = node["color"];
                node.erase("color");
                if (!IsColor(color)) return Bad("nodes[].color", "must be \"#rrggbb\"");
                std::string id = "m-" + color.get<std::string>().substr(1);
                materials[id] = {{"color", color},       {"roughness", 0.8},
                                 {"metalness", 0.0},     {"emissive", "#000000"},
                                 {"emissiveIntensity", 0}, {"opacity", 1}};
                node["material"] = id;
            }
        }
        doc["materials"] = materials;
        doc["format"] = kFormat;
        doc["version"] = 2;
        version = 2;
    }
    return doc;
}

Result<Budget> Validate(const Json& doc, const AssetLookup& assets, const DocumentLimits& lim) {
    BEACON_CHECK(Keys(doc, "document",
                      {"format", "version", "title", "environment", "camera", "materials", "nodes"},
                      {}));
    if (doc["format"] != kFormat) return Bad("format", "must be \"" + std::string(kFormat) + "\"");
    if (doc["version"] != kCurrentVersion) {
        return Bad("version", "must be " + std::to_string(kCurrentVersion) + " (migrate first)");
    }
    BEACON_CHECK(Text(doc["title"], "title", lim.max_name_chars));
    BEACON_CHECK(CheckEnvironment(doc["environment"], lim));
    const Json& cam = doc["camera"];
    BEACON_CHECK(Keys(cam, "camera", {"position", "target", "fov"}, {}));
    BEACON_CHECK(Vec3(cam["position"], "camera.position", lim.max_coordinate));
    BEACON_CHECK(Vec3(cam["target"], "camera.target", lim.max_coordinate));
    BEACON_CHECK(Number(cam["fov"], "camera.fov", 10, 120));

    Budget budget;
    std::set<std::string> textures;  // counted once however many materials use them
    const Json& materials = doc["materials"];
    if (!materials.is_object()) return Bad("materials", "must be an object");
    if (materials.size() > lim.max_materials) {
        return Bad("materials", "more than " + std::to_string(lim.max_materials));
    }
    for (const auto& [id, m] : materials.items()) {
        std::string where = "materials." + (id.size() > 64 ? id.substr(0, 64) : id);
        if (!IsId(Json(id))) return Bad(where, "id must be 1-64 of [A-Za-z0-9_-]");
        BEACON_CHECK(Keys(m, where, {"color"},
                          {"name", "roughness", "metalness", "emissive", "emissiveIntensity",
                           "opacity", "map"}));
        if (!IsColor(m["color"])) return Bad(where + ".color", "must be \"#rrggbb\"");
        if (m.contains("name")) BEACON_CHECK(Text(m["name"], where + ".name", lim.max_name_chars));
        if (m.contains("roughness")) BEACON_CHECK(Number(m["roughness"], where + ".roughness", 0, 1));
        if (m.contains("metalness")) BEACON_CHECK(Number(m["metalness"], where + ".metalness", 0, 1));
        if (m.contains("opacity")) BEACON_CHECK(Number(m["opacity"], where + ".opacity", 0, 1));
        if (m.contains("emissive") && !IsColor(m["emissive"])) {
            return Bad(where + ".emissive", "must be \"#rrggbb\"");
        }
        if (m.contains("emissiveIntensity")) {
            BEACON_CHECK(Number(m["emissiveIntensity"], where + ".emissiveIntensity", 0, 100));
        }
        if (m.contains("map") && !m["map"].is_null()) {
            if (!IsHash(m["map"])) return Bad(where + ".map", "must be an asset hash or null");
            auto cost = assets ? assets(m["map"].get<std::string>()) : std::nullopt;
            if (!cost || cost->kind != "texture") {
                return Bad(where + ".map", "names no texture of this world");
            }
            if (textures.insert(m["map"].get<std::string>()).second) {
                budget.texture_bytes += cost->texture_bytes;
            }
        }
    }
    std::set<std::string> used_materials;

    const Json& nodes = doc["nodes"];
    if (!nodes.is_array()) return Bad("nodes", "must be an array");
    if (nodes.size() > lim.max_nodes) {
        return Bad("nodes", "more than " + std::to_string(lim.max_nodes) + " nodes");
    }
    std::unordered_map<std::string, std::string> parent_of;  // id → parent id ("" = root)
    std::set<std::string> models;
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        const Json& n = nodes[i];
        std::string where = "nodes[" + std::to_string(i) + "]";
        BEACON_CHECK(Keys(n, where, {"id", "name", "parent", "type", "position", "rotation", "scale"},
                          {"visible", "material", "segments", "light", "asset"}));
        if (!IsId(n["id"])) return Bad(where + ".id", "must be 1-64 of [A-Za-z0-9_-]");
        std::string id = n["id"].get<std::string>();
        if (parent_of.count(id)) return Bad(where + ".id", "\"" + id + "\" is used twice");
        BEACON_CHECK(Text(n["name"], where + ".name", lim.max_name_chars));
        if (!n["parent"].is_null() && !IsId(n["parent"])) {
            return Bad(where + ".parent", "must be a node id or null");
        }
        parent_of[id] = n["parent"].is_null() ? std::string() : n["parent"].get<std::string>();
        BEACON_CHECK(Vec3(n["position"], where + ".position", lim.max_coordinate));
        BEACON_CHECK(Vec3(n["rotation"], where + ".rotation", 100.0));
        BEACON_CHECK(Vec3(n["scale"], where + ".scale", lim.max_scale));
        if (n.contains("visible") && !n["visible"].is_boolean()) {
            return Bad(where + ".visible", "must be true or false");
        }
        if (!n["type"].is_string()) return Bad(where + ".type", "must be a string");
        std::string type = n["type"].get<std::string>();
        bool primitive = IsPrimitive(type);
        auto only = [&](std::string_view field, bool allowed) -> core::Status {
            if (!allowed && n.contains(std::string(field))) {
                return Bad(where + "." + std::string(field), "not allowed on a " + type + " node");
            }
            return {};
        };
        BEACON_CHECK(only("material", primitive));
        BEACON_CHECK(only("segments", primitive));
        BEACON_CHECK(only("light", type == "light"));
        BEACON_CHECK(only("asset", type == "model"));
        if (primitive) {
            if (!n.contains("material") || !n["material"].is_string() ||
                !materials.contains(n["material"].get<std::string>())) {
                return Bad(where + ".material", "must name an entry of materials");
            }
            used_materials.insert(n["material"].get<std::string>());
            int segments = 32;
            if (n.contains("segments")) {
                if (!n["segments"].is_number_integer()) {
                    return Bad(where + ".segments", "must be an integer");
                }
                BEACON_CHECK(Number(n["segments"], where + ".segments", 3, 128));
                segments = n["segments"].get<int>();
            }
            budget.triangles += PrimitiveTriangles(type, segments);
        } else if (type == "light") {
            if (!n.contains("light")) return Bad(where + ".light", "missing");
            BEACON_CHECK(CheckLight(n["light"], where + ".light"));
            ++budget.lights;
        } else if (type == "model") {
            if (!n.contains("asset") || !IsHash(n["asset"])) {
                return Bad(where + ".asset", "must be an asset hash");
            }
            std::string hash = n["asset"].get<std::string>();
            auto cost = assets ? assets(hash) : std::nullopt;
            if (!cost || cost->kind != "model") return Bad(where + ".asset", "names no model of this world");
            // Every instance is drawn; materials and textures of one model are shared.
            budget.triangles += cost->triangles;
            if (models.insert(hash).second) {
                budget.materials += cost->materials;
                budget.texture_bytes += cost->texture_bytes;
            }
        } else if (type != "group") {
            return Bad(where + ".type",
                       "must be group, box, sphere, cylinder, cone, plane, torus, light or model");
        }
    }
    // Parents exist, and every chain ends at the root within the depth limit (so no cycles).
    for (const auto& [id, parent] : parent_of) {
        std::string at = parent;
        int depth = 0;
        while (!at.empty()) {
            auto it = parent_of.find(at);
            if (it == parent_of.end()) {
                return Bad("nodes", "node \"" + id + "\" has parent \"" + at + "\", which is not a node");
            }
            if (++depth > lim.max_hierarchy_depth) {
                return Bad("nodes", "node \"" + id + "\" is deeper than " +
                                        std::to_string(lim.max_hierarchy_depth) +
                                        " levels (or in a parent cycle)");
            }
            at = it->second;
        }
    }
    budget.nodes = nodes.size();
    budget.materials += used_materials.size();
    if (budget.triangles > lim.max_triangles) {
        return Error{core::ErrorCode::kTooLarge,
                     "world document: " + std::to_string(budget.triangles) +
                         " triangles, more than the limit of " + std::to_string(lim.max_triangles)};
    }
    if (budget.texture_bytes > lim.max_texture_bytes) {
        return Error{core::ErrorCode::kTooLarge,
                     "world document: textures need " + std::to_string(budget.texture_bytes) +
                         " bytes, more than the limit of " + std::to_string(lim.max_texture_bytes)};
    }
    return budget;
}

std::string Canonical(const Json& doc) { return doc.dump(); }

Result<CheckedDocument> CheckDocument(const Json& doc, const AssetLookup& assets,
                                      const DocumentLimits& limits) {
    BEACON_TRY(migrated, Migrate(doc));
    BEACON_TRY(budget, Validate(migrated, assets, limits));
    CheckedDocument out;
    out.canonical = Canonical(migrated);
    if (out.canonical.size() > limits.max_bytes) {
        return Error{core::ErrorCode::kTooLarge,
                     "world document: larger than " + std::to_string(limits.max_bytes) + " bytes"};
    }
    out.document = std::move(migrated);
    out.budget = budget;
    return out;
}

Result<CheckedDocument> CheckDocument(std::string_view text, const AssetLookup& assets,
                                      const DocumentLimits& limits) {
    BEACON_TRY(doc, ParseJsonText(text, limits));
    return CheckDocument(doc, assets, limits);
}

}  // namespace beacon::verse
