#include "verse/assets.hpp"

#include <openssl/evp.h>

#include <cstring>

#include "core/model.hpp"
#include "verse/document.hpp"

namespace beacon::verse {

using core::Error;
using core::Json;
using core::Result;

namespace {

std::uint32_t Le32(std::string_view b, std::size_t at) {
    std::uint32_t v = 0;
    for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(b[at + i]);
    return v;
}
std::uint32_t Be32(std::string_view b, std::size_t at) {
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(b[at + i]);
    return v;
}
std::uint32_t Be16(std::string_view b, std::size_t at) {
    return (static_cast<std::uint32_t>(static_cast<unsigned char>(b[at])) << 8) |
           static_cast<unsigned char>(b[at + 1]);
}

Error Refuse(const std::string& what) { return Error::Invalid("asset: " + what); }

constexpr unsigned char kKtx2Id[12] = {0xAB, 0x4B, 0x54, 0x58, 0x20, 0x32,
                                       0x30, 0xBB, 0x0D, 0x0A, 0x1A, 0x0A};

/// The type the bytes say they are ("" when none of ours).
std::string Sniff(std::string_view b) {
    if (b.size() >= 12 && b.substr(0, 4) == "glTF") return "model/gltf-binary";
    if (b.size() >= 8 && b.substr(0, 8) == std::string_view("\x89PNG\r\n\x1a\n", 8)) return "image/png";
    if (b.size() >= 3 && b.substr(0, 3) == std::string_view("\xff\xd8\xff", 3)) return "image/jpeg";
    if (b.size() >= 12 && std::memcmp(b.data(), kKtx2Id, 12) == 0) return "image/ktx2";
    std::size_t i = b.find_first_not_of(" \t\r\n");
    if (i != std::string_view::npos && b[i] == '{') return "model/gltf+json";
    return "";
}

struct Dimensions {
    std::uint32_t width = 0;
    std::uint32_t height = 0;
    std::uint32_t bytes_per_pixel = 4;  // once decoded for the GPU
};

std::uint64_t Le64(std::string_view b, std::size_t at) {
    return static_cast<std::uint64_t>(Le32(b, at)) | (static_cast<std::uint64_t>(Le32(b, at + 4)) << 32);
}

// KTX2 vkFormat values the viewer decodes (three.js KTX2Loader): Basis Universal (UNDEFINED, the
// data described by the DFD), and plain 8-bit RGBA.
constexpr std::uint32_t kVkUndefined = 0;
constexpr std::uint32_t kVkR8G8B8A8Unorm = 37;
constexpr std::uint32_t kVkR8G8B8A8Srgb = 43;

/// A KTX 2.0 texture's header, checked against the file (KTX 2.0 spec, section 3): a 2D texture
/// (no depth, array layers or cube faces), a format the viewer decodes, a level count the size
/// allows, and every level, the DFD, key/value and supercompression data inside the file. For
/// RGBA8 without supercompression each level holds exactly its pixels.
Result<Dimensions> Ktx2Dimensions(std::string_view b) {
    if (b.size() < 80) return Refuse("KTX2 header is cut short");
    std::uint32_t format = Le32(b, 12);
    std::uint32_t width = Le32(b, 20), height = Le32(b, 24);
    std::uint32_t depth = Le32(b, 28), layers = Le32(b, 32), faces = Le32(b, 36);
    std::uint32_t levels = Le32(b, 40), scheme = Le32(b, 44);
    if (width == 0 || height == 0) return Refuse("KTX2 texture has no pixels (1D textures are not used)");
    if (depth != 0 || layers != 0 || faces != 1) {
        return Refuse("KTX2 texture must be one 2D image (no depth, array layers or cube faces)");
    }
    if (format != kVkUndefined && format != kVkR8G8B8A8Unorm && format != kVkR8G8B8A8Srgb) {
        return Refuse("KTX2 format " + std::to_string(format) +
                      " is not shown (use Basis Universal, or R8G8B8A8 UNORM/SRGB)");
    }
    if (scheme > 2) return Refuse("KTX2 supercompression " + std::to_string(scheme) + " is not shown");
    if (format != kVkUndefined && scheme == 1) return Refuse("KTX2 BasisLZ needs the Basis format");
    std::uint32_t max_levels = 1;
    for (std::uint32_t side = std::max(width, height); side > 1; side >>= 1) ++max_levels;
    std::uint32_t count = std::max<std::uint32_t>(levels, 1);
    if (count > max_levels) {
        return Refuse("KTX2 declares " + std::to_string(levels) + " levels; a " + std::to_string(width) + "x" +
                      std::to_string(height) + " texture has at most " + std::to_string(max_levels));
    }
    const std::uint64_t size = b.size();
    auto inside = [&](std::uint64_t offset, std::uint64_t length) {
        return offset <= size && length <= size - offset;
    };
    if (80 + std::uint64_t{count} * 24 > size) return Refuse("KTX2 level index is cut short");
    if (!inside(Le32(b, 48), Le32(b, 52)) || Le32(b, 52) < 4) return Refuse("KTX2 data format descriptor lies outside the file");
    if (!inside(Le32(b, 56), Le32(b, 60))) return Refuse("KTX2 key/value data lies outside the file");
    if (!inside(Le64(b, 64), Le64(b, 72))) return Refuse("KTX2 supercompression data lies outside the file");
    if (scheme == 1 && Le64(b, 72) == 0) return Refuse("KTX2 BasisLZ without its global data");
    for (std::uint32_t i = 0; i < count; ++i) {
        std::uint64_t offset = Le64(b, 80 + i * 24), length = Le64(b, 88 + i * 24);
        std::uint64_t unpacked = Le64(b, 96 + i * 24);
        if (!inside(offset, length) || length == 0) {
            return Refuse("KTX2 level " + std::to_string(i) + " lies outside the file");
        }
        if (format != kVkUndefined) {
            std::uint64_t w = std::max<std::uint64_t>(1, width >> i), h = std::max<std::uint64_t>(1, height >> i);
            std::uint64_t expected = w * h * 4;
            if (unpacked != expected || (scheme == 0 && length != expected)) {
                return Refuse("KTX2 level " + std::to_string(i) + " holds " + std::to_string(scheme == 0 ? length : unpacked) +
                              " bytes; " + std::to_string(w) + "x" + std::to_string(h) + " RGBA8 is " +
                              std::to_string(expected));
            }
        }
    }
    // Basis data is transcoded to a GPU block format (~1 byte a pixel); RGBA8 is 4.
    return Dimensions{width, height, format == kVkUndefined ? 1u : 4u};
}

Result<Dimensions> ImageDimensions(std::string_view b, std::string_view mime) {
    if (mime == "image/png") {
        if (b.size() < 24 || b.substr(12, 4) != "IHDR") return Refuse("PNG without an IHDR header");
        return Dimensions{Be32(b, 16), Be32(b, 20)};
    }
    if (mime == "image/jpeg") {
        std::size_t at = 2;
        while (at + 4 <= b.size()) {
            if (static_cast<unsigned char>(b[at]) != 0xFF) return Refuse("JPEG markers are broken");
            unsigned marker = static_cast<unsigned char>(b[at + 1]);
            if (marker == 0xFF) {
                ++at;
                continue;
            }
            std::uint32_t len = Be16(b, at + 2);
            bool sof = (marker >= 0xC0 && marker <= 0xCF) && marker != 0xC4 && marker != 0xC8 &&
                       marker != 0xCC;
            if (sof) {
                if (at + 9 > b.size()) break;
                return Dimensions{Be16(b, at + 7), Be16(b, at + 5)};
            }
            if (len < 2) return Refuse("JPEG segment length is broken");
            at += 2 + len;
        }
        return Refuse("JPEG without a frame header");
    }
    if (mime == "image/ktx2") return Ktx2Dimensions(b);
    return Refuse("not an image");
}

/// Decoded size with a full mip chain (4/3): RGBA8 for PNG/JPEG; KTX2 as its header says
/// (Basis Universal transcodes to GPU blocks, about 1 byte a pixel).
std::uint64_t TextureBytes(Dimensions d) {
    std::uint64_t px = static_cast<std::uint64_t>(d.width) * d.height;
    return px * d.bytes_per_pixel * 4 / 3;
}

std::uint64_t ComponentBytes(int type) {
    switch (type) {
        case 5120: case 5121: return 1;
        case 5122: case 5123: return 2;
        case 5125: case 5126: return 4;
        default: return 0;
    }
}
std::uint64_t Components(const std::string& type) {
    if (type == "SCALAR") return 1;
    if (type == "VEC2") return 2;
    if (type == "VEC3") return 3;
    if (type == "VEC4" || type == "MAT2") return 4;
    if (type == "MAT3") return 9;
    if (type == "MAT4") return 16;
    return 0;
}

std::uint64_t UInt(const Json& obj, const char* key, std::uint64_t fallback = 0) {
    auto it = obj.find(key);
    if (it == obj.end() || !it->is_number_unsigned()) return fallback;
    return it->get<std::uint64_t>();
}

/// Checks a glTF JSON (and for GLB, its BIN chunk) and measures it. Only the JSON is parsed;
/// vertex data is never read, but every count is checked against the bytes declared to hold it.
Result<AssetInfo> InspectGltf(std::string_view json_text, std::string_view bin, bool glb,
                              const AssetLimits& lim) {
    if (json_text.size() > lim.max_gltf_json_bytes) {
        return Error{core::ErrorCode::kTooLarge,
                     "asset: glTF JSON larger than " + std::to_string(lim.max_gltf_json_bytes) + " bytes"};
    }
    DocumentLimits parse_limits;
    parse_limits.max_bytes = lim.max_gltf_json_bytes;
    parse_limits.max_json_depth = 32;
    auto parsed = ParseJsonText(json_text, parse_limits);
    if (!parsed.ok()) return Refuse("glTF JSON: " + parsed.error().message);
    const Json& g = *parsed;
    if (!g.is_object()) return Refuse("glTF JSON is not an object");
    if (!g.contains("asset") || !g["asset"].is_object() || g["asset"].value("version", "") != "2.0") {
        return Refuse("not glTF 2.0 (asset.version must be \"2.0\")");
    }
    for (const char* list : {"nodes", "meshes", "accessors", "bufferViews", "buffers", "materials",
                             "images", "textures", "scenes", "animations", "skins"}) {
        if (!g.contains(list)) continue;
        if (!g[list].is_array()) return Refuse(std::string("glTF ") + list + " is not an array");
        if (g[list].size() > lim.max_gltf_items) {
            return Error{core::ErrorCode::kTooLarge, std::string("asset: glTF declares ") +
                                                         std::to_string(g[list].size()) + " " + list +
                                                         ", more than " +
                                                         std::to_string(lim.max_gltf_items)};
        }
    }
    static const Json kEmpty = Json::array();
    auto list = [&](const char* key) -> const Json& { return g.contains(key) ? g[key] : kEmpty; };

    // Buffers: embedded only (the GLB's BIN chunk or data: URIs), never a file or URL reference.
    std::vector<std::uint64_t> buffer_bytes;
    for (std::size_t i = 0; i < list("buffers").size(); ++i) {
        const Json& b = list("buffers")[i];
        if (!b.is_object()) return Refuse("glTF buffer is not an object");
        std::uint64_t declared = UInt(b, "byteLength");
        if (b.contains("uri")) {
            if (!b["uri"].is_string() || b["uri"].get<std::string>().rfind("data:", 0) != 0) {
                return Refuse("glTF buffer " + std::to_string(i) +
                              " refers to an outside file (upload a GLB or embed the data)");
            }
            std::uint64_t encoded = b["uri"].get<std::string>().size();
            if (declared > encoded) return Refuse("glTF buffer " + std::to_string(i) + " is shorter than declared");
        } else {
            if (!glb || i != 0) return Refuse("glTF buffer " + std::to_string(i) + " has no data");
            if (declared > bin.size()) {
                return Refuse("glTF buffer 0 declares " + std::to_string(declared) +
                              " bytes, the BIN chunk holds " + std::to_string(bin.size()));
            }
        }
        buffer_bytes.push_back(declared);
    }
    for (const auto& img : list("images")) {
        if (img.is_object() && img.contains("uri") &&
            (!img["uri"].is_string() || img["uri"].get<std::string>().rfind("data:", 0) != 0)) {
            return Refuse("glTF image refers to an outside file (embed it)");
        }
    }
    std::vector<std::uint64_t> view_bytes;
    std::vector<std::pair<std::uint64_t, std::uint64_t>> view_ranges;  // offset, length in buffer
    std::vector<std::uint64_t> view_buffers;
    for (const auto& v : list("bufferViews")) {
        if (!v.is_object()) return Refuse("glTF bufferView is not an object");
        std::uint64_t buffer = UInt(v, "buffer", ~0ULL);
        std::uint64_t offset = UInt(v, "byteOffset");
        std::uint64_t length = UInt(v, "byteLength");
        if (buffer >= buffer_bytes.size() || offset > buffer_bytes[buffer] ||
            length > buffer_bytes[buffer] - offset) {
            return Refuse("glTF bufferView lies outside its buffer");
        }
        view_bytes.push_back(length);
        view_ranges.emplace_back(offset, length);
        view_buffers.push_back(buffer);
    }
    std::vector<std::uint64_t> accessor_counts;
    for (const auto& a : list("accessors")) {
        if (!a.is_object()) return Refuse("glTF accessor is not an object");
        std::uint64_t count = UInt(a, "count", ~0ULL);
        if (count == ~0ULL) return Refuse("glTF accessor without a count");
        std::uint64_t elem = ComponentBytes(a.value("componentType", 0)) *
                             Components(a.value("type", std::string()));
        if (elem == 0) return Refuse("glTF accessor with an unknown type");
        if (a.contains("bufferView")) {
            std::uint64_t view = UInt(a, "bufferView", ~0ULL);
            if (view >= view_bytes.size()) return Refuse("glTF accessor names no bufferView");
            std::uint64_t offset = UInt(a, "byteOffset");
            std::uint64_t stride = std::max(elem, UInt(list("bufferViews")[view], "byteStride"));
            std::uint64_t need = count == 0 ? 0 : offset + (count - 1) * stride + elem;
            if (count > view_bytes[view] || need > view_bytes[view]) {
                return Refuse("glTF accessor declares " + std::to_string(count) +
                              " elements, more than its bufferView holds");
            }
        } else if (count > 1'000'000) {
            return Refuse("glTF accessor without data declares " + std::to_string(count) + " elements");
        }
        accessor_counts.push_back(count);
    }
    std::vector<std::uint64_t> mesh_triangles;
    for (const auto& m : list("meshes")) {
        if (!m.is_object() || !m.contains("primitives") || !m["primitives"].is_array()) {
            return Refuse("glTF mesh without primitives");
        }
        if (m["primitives"].size() > 1000) return Refuse("glTF mesh with more than 1000 primitives");
        std::uint64_t tris = 0;
        for (const auto& p : m["primitives"]) {
            if (!p.is_object() || !p.contains("attributes") || !p["attributes"].is_object()) {
                return Refuse("glTF primitive without attributes");
            }
            std::uint64_t mode = UInt(p, "mode", 4);
            std::uint64_t acc = p.contains("indices") ? UInt(p, "indices", ~0ULL)
                                                      : UInt(p["attributes"], "POSITION", ~0ULL);
            if (acc >= accessor_counts.size()) return Refuse("glTF primitive names no accessor");
            std::uint64_t n = accessor_counts[acc];
            if (mode == 4) tris += n / 3;
            if ((mode == 5 || mode == 6) && n >= 3) tris += n - 2;
        }
        mesh_triangles.push_back(tris);
    }
    AssetInfo info;
    bool any_instance = false;
    for (const auto& n : list("nodes")) {
        if (!n.is_object() || !n.contains("mesh")) continue;
        std::uint64_t mesh = UInt(n, "mesh", ~0ULL);
        if (mesh >= mesh_triangles.size()) return Refuse("glTF node names no mesh");
        info.triangles += mesh_triangles[mesh];
        any_instance = true;
        if (info.triangles > lim.max_model_triangles) break;
    }
    if (!any_instance) {
        for (auto t : mesh_triangles) info.triangles += t;
    }
    if (info.triangles > lim.max_model_triangles) {
        return Error{core::ErrorCode::kTooLarge,
                     "asset: the model draws more than " + std::to_string(lim.max_model_triangles) +
                         " triangles"};
    }
    info.materials = list("materials").size();
    // Embedded images: measured from their own headers inside the BIN chunk.
    for (const auto& img : list("images")) {
        if (!img.is_object()) return Refuse("glTF image is not an object");
        std::uint64_t bytes = 1024ULL * 1024 * 4 * 4 / 3;  // unknown: counted as 1024² RGBA
        if (glb && img.contains("bufferView")) {
            std::uint64_t view = UInt(img, "bufferView", ~0ULL);
            if (view >= view_ranges.size()) return Refuse("glTF image names no bufferView");
            if (view_buffers[view] == 0) {
                auto slice = bin.substr(view_ranges[view].first, view_ranges[view].second);
                std::string mime = Sniff(slice);
                if (mime == "image/png" || mime == "image/jpeg" || mime == "image/ktx2") {
                    auto dims = ImageDimensions(slice, mime);
                    if (!dims.ok()) return dims.error();
                    if (dims->width > lim.max_texture_side || dims->height > lim.max_texture_side) {
                        return Refuse("glTF image larger than " + std::to_string(lim.max_texture_side) +
                                      " pixels a side");
                    }
                    bytes = TextureBytes(*dims);
                }
            }
        }
        info.texture_bytes += bytes;
    }
    return info;
}

}  // namespace

std::string Sha256Hex(std::string_view bytes) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(bytes.data(), bytes.size(), digest, &len, EVP_sha256(), nullptr);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < len; ++i) {
        out += kHex[digest[i] >> 4];
        out += kHex[digest[i] & 15];
    }
    return out;
}

std::string_view ExtensionFor(std::string_view mime) {
    if (mime == "model/gltf-binary") return "glb";
    if (mime == "model/gltf+json") return "gltf";
    if (mime == "image/png") return "png";
    if (mime == "image/jpeg") return "jpg";
    if (mime == "image/ktx2") return "ktx2";
    return "bin";
}

Result<AssetInfo> InspectAsset(std::string_view bytes, std::string_view declared,
                               const AssetLimits& lim) {
    if (auto semi = declared.find(';'); semi != std::string_view::npos) declared = declared.substr(0, semi);
    std::string mime = Sniff(bytes);
    if (mime.empty()) return Refuse("not a GLB, glTF, PNG, JPEG or KTX2 file");
    bool generic = declared.empty() || declared == "application/octet-stream";
    if (!generic && declared != mime) {
        return Error{core::ErrorCode::kInvalidArgument,
                     "asset: declared as " + std::string(declared) + " but the bytes are " + mime};
    }
    bool model = mime.rfind("model/", 0) == 0;
    std::size_t max = model ? lim.max_model_bytes : lim.max_image_bytes;
    if (bytes.size() > max) {
        return Error{core::ErrorCode::kTooLarge,
                     "asset: " + mime + " larger than " + std::to_string(max) + " bytes"};
    }
    AssetInfo info;
    if (mime == "model/gltf-binary") {
        if (Le32(bytes, 4) != 2) return Refuse("GLB version must be 2");
        if (Le32(bytes, 8) != bytes.size()) return Refuse("GLB length field does not match the file");
        if (bytes.size() < 20) return Refuse("GLB without a JSON chunk");
        std::uint64_t json_len = Le32(bytes, 12);
        if (Le32(bytes, 16) != 0x4E4F534Au) return Refuse("GLB's first chunk is not JSON");
        if (json_len > bytes.size() - 20) return Refuse("GLB JSON chunk runs past the file");
        std::string_view json = bytes.substr(20, json_len);
        std::string_view bin;
        std::size_t at = 20 + json_len;
        if (at + 8 <= bytes.size()) {
            std::uint64_t bin_len = Le32(bytes, at);
            if (Le32(bytes, at + 4) != 0x004E4942u) return Refuse("GLB's second chunk is not BIN");
            if (bin_len > bytes.size() - at - 8) return Refuse("GLB BIN chunk runs past the file");
            bin = bytes.substr(at + 8, bin_len);
        }
        BEACON_TRY(measured, InspectGltf(json, bin, true, lim));
        info = measured;
        info.kind = "model";
    } else if (mime == "model/gltf+json") {
        BEACON_TRY(measured, InspectGltf(bytes, {}, false, lim));
        info = measured;
        info.kind = "model";
    } else {
        BEACON_TRY(dims, ImageDimensions(bytes, mime));
        if (dims.width == 0 || dims.height == 0) return Refuse("image has no pixels");
        if (dims.width > lim.max_texture_side || dims.height > lim.max_texture_side) {
            return Error{core::ErrorCode::kTooLarge,
                         "asset: image larger than " + std::to_string(lim.max_texture_side) +
                             " pixels a side"};
        }
        info.kind = "texture";
        info.width = dims.width;
        info.height = dims.height;
        info.texture_bytes = TextureBytes(dims);
    }
    info.mime = mime;
    info.size = bytes.size();
    info.hash = Sha256Hex(bytes);
    return info;
}

}  // namespace beacon::verse
