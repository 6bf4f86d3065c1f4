// The GLB being written (GltfBuilder) and the base64 decoder for data: URIs.
#include "verse/gltf_merge.hpp"

namespace beacon::verse {

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

}  // namespace beacon::verse
