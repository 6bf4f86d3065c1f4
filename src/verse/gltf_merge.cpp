#include "verse/gltf_merge.hpp"

#include <cmath>
#include <cstring>
#include <limits>
#include <optional>

namespace beacon::verse {

using core::Error;
using core::Result;
using core::Status;

namespace {

constexpr std::uint64_t kNone = ~0ULL;
constexpr std::uint64_t kMaxSparse = 1'000'000;  // sparse entries of one accessor

std::uint32_t Le32(std::string_view b, std::size_t at) {
    std::uint32_t v = 0;
    for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(b[at + i]);
    return v;
}

/// Extensions the merge understands: their index references (if any) are renumbered.
/// Anything else is left out of the copy (and a model that requires it is refused).
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

std::string Sniff(std::string_view b) {
    if (b.size() >= 8 && b.substr(0, 8) == std::string_view("\x89PNG\r\n\x1a\n", 8))
        return "image/png";
    if (b.size() >= 3 && b.substr(0, 3) == std::string_view("\xff\xd8\xff", 3)) return "image/jpeg";
    if (b.size() >= 12 && b.substr(0, 12) == std::string_view("\xABKTX 20\xBB\r\n\x1A\n", 12))
        return "image/ktx2";
    if (b.size() >= 12 && b.substr(0, 4) == "RIFF" && b.substr(8, 4) == "WEBP") return "image/webp";
    return "";
}

std::uint64_t ComponentBytes(std::uint64_t type) {
    switch (type) {
        case 5120:
        case 5121:
            return 1;
        case 5122:
        case 5123:
            return 2;
        case 5125:
        case 5126:
            return 4;
        default:
            return 0;
    }
}

std::uint64_t Components(const Json& type) {
    if (!type.is_string()) return 0;
    const auto& t = type.get_ref<const std::string&>();
    if (t == "SCALAR") return 1;
    if (t == "VEC2") return 2;
    if (t == "VEC3") return 3;
    if (t == "VEC4" || t == "MAT2") return 4;
    if (t == "MAT3") return 9;
    if (t == "MAT4") return 16;
    return 0;
}

/// Matrix columns are 4-byte aligned in glTF: MAT2 of bytes and MAT3 of bytes/shorts have gaps.
std::uint64_t ElementBytes(std::uint64_t component, const Json& type) {
    std::uint64_t n = Components(type);
    const std::string t = type.is_string() ? type.get<std::string>() : "";
    if (t == "MAT2" && component == 1) return 8;
    if (t == "MAT3" && component == 1) return 12;
    if (t == "MAT3" && component == 2) return 24;
    return n * component;
}

/// Byte offset of component `c` inside one element (column padding of small matrices).
std::uint64_t ComponentOffset(std::uint64_t c, std::uint64_t component, const Json& type) {
    const std::string t = type.get<std::string>();
    if (t == "MAT2" && component == 1) return (c / 2) * 4 + (c % 2);
    if (t == "MAT3" && (component == 1 || component == 2))
        return (c / 3) * 4 * component + (c % 3) * component;
    return c * component;
}

double ReadComponent(const char* p, std::uint64_t type) {
    switch (type) {
        case 5120: {
            std::int8_t v;
            std::memcpy(&v, p, 1);
            return v;
        }
        case 5121: {
            std::uint8_t v;
            std::memcpy(&v, p, 1);
            return v;
        }
        case 5122: {
            std::int16_t v;
            std::memcpy(&v, p, 2);
            return v;
        }
        case 5123: {
            std::uint16_t v;
            std::memcpy(&v, p, 2);
            return v;
        }
        case 5125: {
            std::uint32_t v;
            std::memcpy(&v, p, 4);
            return v;
        }
        default: {
            float v;
            std::memcpy(&v, p, 4);
            return v;
        }
    }
}

}  // namespace

std::optional<std::string> DecodeBase64(std::string_view text) {
    auto value = [](char c) -> int {
        if (c >= 'A' && c <= 'Z') return c - 'A';
        if (c >= 'a' && c <= 'z') return c - 'a' + 26;
        if (c >= '0' && c <= '9') return c - '0' + 52;
        if (c == '+') return 62;
        if (c == '/') return 63;
        return -1;
    };
    while (!text.empty() && text.back() == '=') text.remove_suffix(1);
    std::string out;
    out.reserve(text.size() / 4 * 3 + 3);
    std::uint32_t acc = 0;
    int bits = 0;
    for (char c : text) {
        int v = value(c);
        if (v < 0) return std::nullopt;
        acc = (acc << 6) | static_cast<std::uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((acc >> bits) & 0xff);
        }
    }
    return out;
}

int GltfBuilder::View(std::string_view bytes, int target, std::uint64_t stride) {
    while (bin.size() % 4) bin += '\0';
    Json v = {{"buffer", 0}, {"byteOffset", bin.size()}, {"byteLength", bytes.size()}};
    if (target) v["target"] = target;
    if (stride) v["byteStride"] = stride;
    bin.append(bytes.data(), bytes.size());
    buffer_views.push_back(std::move(v));
    return static_cast<int>(buffer_views.size() - 1);
}

int GltfBuilder::Image(std::string_view bytes, const std::string& mime, const std::string& name) {
    std::string key = Sha256Hex(bytes);
    if (auto it = image_by_hash_.find(key); it != image_by_hash_.end()) return it->second;
    Json img = {{"bufferView", View(bytes)}, {"mimeType", mime}};
    if (!name.empty()) img["name"] = name;
    images.push_back(std::move(img));
    int index = static_cast<int>(images.size() - 1);
    image_by_hash_.emplace(key, index);
    return index;
}

int GltfBuilder::Sampler(const Json& sampler) {
    std::string key = sampler.dump();
    if (auto it = sampler_by_json_.find(key); it != sampler_by_json_.end()) return it->second;
    samplers.push_back(sampler);
    int index = static_cast<int>(samplers.size() - 1);
    sampler_by_json_.emplace(key, index);
    return index;
}

int GltfBuilder::Texture(const Json& texture) {
    std::string key = texture.dump();
    if (auto it = texture_by_json_.find(key); it != texture_by_json_.end()) return it->second;
    textures.push_back(texture);
    int index = static_cast<int>(textures.size() - 1);
    texture_by_json_.emplace(key, index);
    return index;
}

std::string GltfBuilder::Finish(Json gltf) {
    while (bin.size() % 4) bin += '\0';
    auto put = [&](const char* key, const Json& list) {
        if (!list.empty()) gltf[key] = list;
    };
    put("bufferViews", buffer_views);
    put("accessors", accessors);
    put("meshes", meshes);
    put("materials", materials);
    put("textures", textures);
    put("images", images);
    put("samplers", samplers);
    put("cameras", cameras);
    put("skins", skins);
    put("animations", animations);
    put("nodes", nodes);
    if (!bin.empty()) gltf["buffers"] = Json::array({{{"byteLength", bin.size()}}});
    if (!lights.empty()) {
        extensions_used.insert("KHR_lights_punctual");
        gltf["extensions"]["KHR_lights_punctual"] = {{"lights", lights}};
    }
    if (!extensions_used.empty()) gltf["extensionsUsed"] = extensions_used;
    if (!extensions_required.empty()) gltf["extensionsRequired"] = extensions_required;
    std::string json = gltf.dump();
    while (json.size() % 4) json += ' ';
    std::string out = "glTF";
    auto le32 = [&](std::uint32_t v) {
        for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
    };
    std::size_t total = 12 + 8 + json.size() + (bin.empty() ? 0 : 8 + bin.size());
    le32(2);
    le32(static_cast<std::uint32_t>(total));
    le32(static_cast<std::uint32_t>(json.size()));
    le32(0x4E4F534Au);
    out += json;
    if (!bin.empty()) {
        le32(static_cast<std::uint32_t>(bin.size()));
        le32(0x004E4942u);
        out += bin;
    }
    return out;
}

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

    /// Copies `obj`'s extensions keeping only carried ones (recorded as used); recurses into
    /// nested objects (texture infos) but not into extras.
    Json Clean(const Json& obj, GltfBuilder& out) const {
        if (!obj.is_object()) return obj;
        Json copy = Json::object();
        for (const auto& [k, v] : obj.items()) {
            if (k == "extras") {
                copy[k] = v;
            } else if (k == "extensions" && v.is_object()) {
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
            } else if (v.is_object()) {
                copy[k] = Clean(v, out);
            } else {
                copy[k] = v;
            }
        }
        return copy;
    }

    Result<std::string_view> BufferData(std::uint64_t index) const {
        const Json& b = List("buffers")[index];
        if (index < buffers.size() && !buffers[index].empty())
            return std::string_view(buffers[index]);
        if (!b.contains("uri") && index == 0) return bin;
        return std::string_view();
    }

    Status LoadBuffers(bool glb) {
        const Json& list = List("buffers");
        buffers.resize(list.size());
        for (std::size_t i = 0; i < list.size(); ++i) {
            const Json& b = list[i];
            if (!b.is_object()) return Bad("buffer " + std::to_string(i) + " is not an object");
            auto declared = Field(b, "byteLength");
            if (!declared || *declared == kNone)
                return Bad("buffer " + std::to_string(i) + " has no byteLength");
            std::uint64_t have = 0;
            if (b.contains("uri")) {
                BEACON_TRY(data, DataUri(b["uri"], "buffer " + std::to_string(i)));
                buffers[i] = std::move(data.second);
                have = buffers[i].size();
            } else {
                if (!glb || i != 0) return Bad("buffer " + std::to_string(i) + " has no data");
                have = bin.size();
            }
            if (*declared > have) {
                return Bad("buffer " + std::to_string(i) + " declares " +
                           std::to_string(*declared) + " bytes but holds " + std::to_string(have));
            }
        }
        return {};
    }

    /// A data: URI's type and decoded bytes (outside files and URLs are never fetched).
    Result<std::pair<std::string, std::string>> DataUri(const Json& uri,
                                                        const std::string& what) const {
        if (!uri.is_string()) return Bad(what + ": uri is not a string");
        const auto& s = uri.get_ref<const std::string&>();
        if (s.rfind("data:", 0) != 0)
            return Bad(what + " refers to an outside file (" + s.substr(0, 80) + ")");
        auto comma = s.find(',');
        if (comma == std::string::npos) return Bad(what + ": broken data URI");
        std::string_view head(s.data() + 5, comma - 5);
        if (head.size() < 7 || head.substr(head.size() - 7) != ";base64") {
            return Bad(what + ": data URI is not base64");
        }
        auto data = DecodeBase64(std::string_view(s).substr(comma + 1));
        if (!data) return Bad(what + ": data URI is not valid base64");
        return std::pair{std::string(head.substr(0, head.size() - 7)), std::move(*data)};
    }

    Result<std::string_view> ViewBytes(std::uint64_t index) const {
        const Json& views = List("bufferViews");
        if (index >= views.size())
            return Bad("bufferView " + std::to_string(index) + " does not exist");
        const Json& v = views[index];
        if (!v.is_object()) return Bad("bufferView " + std::to_string(index) + " is not an object");
        BEACON_TRY(buffer, Ref(v, "buffer", List("buffers").size(), "buffer"));
        BEACON_TRY(data, BufferData(buffer));
        auto offset = Field(v, "byteOffset").value_or(0);
        auto length = Field(v, "byteLength").value_or(kNone);
        if (offset == kNone || length == kNone || offset > data.size() ||
            length > data.size() - offset) {
            return Bad("bufferView " + std::to_string(index) + " lies outside buffer " +
                       std::to_string(buffer));
        }
        return data.substr(offset, length);
    }

    Result<std::uint64_t> CopyView(std::uint64_t index, GltfBuilder& out) {
        if (index >= view_map.size())
            return Bad("bufferView " + std::to_string(index) + " does not exist");
        if (view_map[index] != kNone) return view_map[index];
        BEACON_TRY(bytes, ViewBytes(index));
        const Json& v = List("bufferViews")[index];
        auto stride = Field(v, "byteStride").value_or(0);
        if (stride == kNone || (stride != 0 && (stride < 4 || stride > 252 || stride % 4))) {
            return Bad("bufferView " + std::to_string(index) + " has a bad byteStride");
        }
        auto target = Field(v, "target").value_or(0);
        if (target != 0 && target != 34962 && target != 34963) target = 0;
        view_map[index] =
            static_cast<std::uint64_t>(out.View(bytes, static_cast<int>(target), stride));
        if (out.bin.size() > limits->max_bytes) {
            return Error{core::ErrorCode::kTooLarge, "export: the GLB would be larger than " +
                                                         std::to_string(limits->max_bytes) +
                                                         " bytes"};
        }
        return view_map[index];
    }

    /// Checks that `count` elements of `elem` bytes at `offset` with `stride` fit in the view.
    Result<std::string_view> Elements(std::uint64_t view, std::uint64_t offset, std::uint64_t count,
                                      std::uint64_t elem, std::uint64_t stride,
                                      const std::string& what) const {
        BEACON_TRY(bytes, ViewBytes(view));
        if (count == 0) return bytes;
        if (offset > bytes.size() || count > bytes.size() ||
            (count - 1) > (bytes.size() - offset) / std::max<std::uint64_t>(stride, 1) ||
            offset + (count - 1) * stride + elem > bytes.size()) {
            return Bad(what + " declares " + std::to_string(count) +
                       " elements, more than bufferView " + std::to_string(view) + " holds");
        }
        return bytes;
    }

    Result<std::uint64_t> CopyAccessor(std::uint64_t index, GltfBuilder& out) {
        if (index >= accessor_map.size())
            return Bad("accessor " + std::to_string(index) + " does not exist");
        if (accessor_map[index] != kNone) return accessor_map[index];
        const Json& a = List("accessors")[index];
        const std::string what = "accessor " + std::to_string(index);
        if (!a.is_object()) return Bad(what + " is not an object");
        auto component = Field(a, "componentType").value_or(kNone);
        std::uint64_t csize = ComponentBytes(component);
        std::uint64_t ncomp = Components(a.value("type", Json()));
        auto count = Field(a, "count").value_or(kNone);
        if (csize == 0 || ncomp == 0) return Bad(what + " has an unknown type");
        if (count == kNone || count == 0) return Bad(what + " has no count");
        if (count > limits->assets.max_model_bytes)
            return Bad(what + " declares " + std::to_string(count) + " elements");
        std::uint64_t elem = ElementBytes(csize, a["type"]);
        Json copy = {{"componentType", component}, {"count", count}, {"type", a["type"]}};
        if (a.contains("name")) copy["name"] = a["name"];
        if (a.value("normalized", false)) copy["normalized"] = true;
        // Bounds are recomputed from the data (declared ones may be missing or wrong), streaming:
        // the base values (zeros without a bufferView) except where sparse values replace them.
        bool bounds = (needs_bounds.count(index) || a.contains("min") || a.contains("max")) &&
                      !draco_accessors.count(index);
        std::vector<double> mn(ncomp, std::numeric_limits<double>::infinity());
        std::vector<double> mx(ncomp, -std::numeric_limits<double>::infinity());
        bool finite = true;
        auto take = [&](const char* p, std::uint64_t c) {
            double v = p ? ReadComponent(p + ComponentOffset(c, csize, a["type"]), component) : 0.0;
            if (!std::isfinite(v)) finite = false;
            mn[c] = std::min(mn[c], v);
            mx[c] = std::max(mx[c], v);
        };
        std::vector<std::uint64_t> replaced;  // sorted sparse indices
        std::string_view sparse_values;
        std::uint64_t sparse_offset = 0;
        if (a.contains("sparse")) {
            const Json& s = a["sparse"];
            auto n = s.is_object() ? Field(s, "count").value_or(kNone) : kNone;
            if (n == kNone || n == 0 || n > count)
                return Bad(what + ": sparse count is out of range");
            if (n > kMaxSparse)
                return Bad(what + ": sparse count " + std::to_string(n) + " is over " +
                           std::to_string(kMaxSparse));
            if (!s.contains("indices") || !s["indices"].is_object() || !s.contains("values") ||
                !s["values"].is_object()) {
                return Bad(what + ": sparse without indices or values");
            }
            const Json& si = s["indices"];
            const Json& sv = s["values"];
            auto itype = Field(si, "componentType").value_or(kNone);
            if (itype != 5121 && itype != 5123 && itype != 5125)
                return Bad(what + ": sparse index type");
            std::uint64_t isize = ComponentBytes(itype);
            auto iview = Field(si, "bufferView").value_or(kNone);
            auto ioff = Field(si, "byteOffset").value_or(0);
            auto vview = Field(sv, "bufferView").value_or(kNone);
            auto voff = Field(sv, "byteOffset").value_or(0);
            if (iview == kNone || vview == kNone || ioff == kNone || voff == kNone) {
                return Bad(what + ": sparse bufferViews are missing");
            }
            BEACON_TRY(ibytes, Elements(iview, ioff, n, isize, isize, what + " sparse indices"));
            BEACON_TRY(vbytes, Elements(vview, voff, n, elem, elem, what + " sparse values"));
            BEACON_TRY(imapped, CopyView(iview, out));
            BEACON_TRY(vmapped, CopyView(vview, out));
            Json sc = {{"count", n},
                       {"indices", {{"bufferView", imapped}, {"componentType", itype}}},
                       {"values", {{"bufferView", vmapped}}}};
            if (ioff) sc["indices"]["byteOffset"] = ioff;
            if (voff) sc["values"]["byteOffset"] = voff;
            copy["sparse"] = sc;
            for (std::uint64_t k = 0; k < n; ++k) {
                auto at = static_cast<std::uint64_t>(
                    ReadComponent(ibytes.data() + ioff + k * isize, itype));
                if (at >= count)
                    return Bad(what + ": sparse index " + std::to_string(at) + " is out of range");
                if (!replaced.empty() && at <= replaced.back())
                    return Bad(what + ": sparse indices are not increasing");
                replaced.push_back(at);
            }
            sparse_values = vbytes;
            sparse_offset = voff;
        }
        std::string_view base;
        std::uint64_t base_offset = 0, stride = elem;
        if (auto view = Field(a, "bufferView")) {
            auto offset = Field(a, "byteOffset").value_or(0);
            if (offset == kNone || offset % csize) return Bad(what + " has a bad byteOffset");
            if (*view == kNone) return Bad(what + " names no bufferView");
            if (*view < List("bufferViews").size() && List("bufferViews")[*view].is_object()) {
                stride =
                    std::max(elem, Field(List("bufferViews")[*view], "byteStride").value_or(0));
            }
            BEACON_TRY(bytes, Elements(*view, offset, count, elem, stride, what));
            BEACON_TRY(mapped, CopyView(*view, out));
            copy["bufferView"] = mapped;
            if (offset) copy["byteOffset"] = offset;
            base = bytes;
            base_offset = offset;
        } else if (a.contains("byteOffset")) {
            return Bad(what + " has a byteOffset but no bufferView");
        }
        if (bounds) {
            std::size_t next = 0;
            for (std::uint64_t i = 0; i < count; ++i) {
                const char* p = base.empty() ? nullptr : base.data() + base_offset + i * stride;
                if (next < replaced.size() && replaced[next] == i) {
                    p = sparse_values.data() + sparse_offset + next * elem;
                    ++next;
                }
                for (std::uint64_t c = 0; c < ncomp; ++c) take(p, c);
            }
            if (!finite) return Bad(what + " holds a number that is not finite");
            auto as_json = [&](const std::vector<double>& xs) {
                Json arr = Json::array();
                for (double x : xs) {
                    if (component == 5126)
                        arr.push_back(static_cast<float>(x));
                    else
                        arr.push_back(static_cast<std::int64_t>(x));
                }
                return arr;
            };
            copy["min"] = as_json(mn);
            copy["max"] = as_json(mx);
        } else if (a.contains("min") && a.contains("max")) {
            copy["min"] = a["min"];  // compressed data (Draco): the declared bounds are kept
            copy["max"] = a["max"];
        }
        out.accessors.push_back(std::move(copy));
        accessor_map[index] = out.accessors.size() - 1;
        return accessor_map[index];
    }

    Result<std::uint64_t> CopyImage(std::uint64_t index, GltfBuilder& out) {
        if (index >= image_map.size())
            return Bad("image " + std::to_string(index) + " does not exist");
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
                                                         std::to_string(limits->max_bytes) +
                                                         " bytes"};
        }
        return image_map[index];
    }

    Result<std::uint64_t> CopyTexture(std::uint64_t index, GltfBuilder& out) {
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

    /// Renumbers texture references (`…Texture: {index}`) anywhere in a material copy.
    Status RemapTextures(Json& obj, GltfBuilder& out) {
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

    Status CopyMeshes(GltfBuilder& out) {
        mesh_base = out.meshes.size();
        const std::size_t accessors = List("accessors").size();
        const std::size_t materials = List("materials").size();
        for (std::size_t m = 0; m < List("meshes").size(); ++m) {
            const Json& mesh = List("meshes")[m];
            const std::string what = "mesh " + std::to_string(m);
            if (!mesh.is_object() || !mesh.contains("primitives") ||
                !mesh["primitives"].is_array() || mesh["primitives"].empty()) {
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
                    BEACON_TRY(view,
                               Ref(d, "bufferView", List("bufferViews").size(), "bufferView"));
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

    /// Roots of the model's scene and its nodes in depth-first order; refuses a node graph that
    /// is not a forest (a node with two parents, a cycle) and dangling references.
    Status PlanNodes() {
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
                    return Bad("node " + c.dump() +
                               " has two parents (the node graph is not a tree)");
                }
            }
        }
        const Json& scenes = List("scenes");
        if (!scenes.empty()) {
            std::uint64_t scene = gltf.contains("scene") ? Field(gltf, "scene").value_or(kNone) : 0;
            if (scene >= scenes.size() || !scenes[scene].is_object())
                return Bad("its scene does not exist");
            const Json& sn =
                scenes[scene].contains("nodes") ? scenes[scene]["nodes"] : Json::array();
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
            if (n.contains("camera"))
                BEACON_CHECK(Ref(n, "camera", List("cameras").size(), "camera"));
            if (n.contains("skin")) BEACON_CHECK(Ref(n, "skin", List("skins").size(), "skin"));
            if (n.contains("extensions") && n["extensions"].is_object() &&
                n["extensions"].contains("KHR_lights_punctual")) {
                BEACON_CHECK(Ref(n["extensions"]["KHR_lights_punctual"], "light", lights, "light"));
            }
        }
        return {};
    }
};

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
