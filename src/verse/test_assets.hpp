#pragma once
/// Test helpers: small, real asset files built in memory (GLB, PNG, JPEG and KTX2 headers).
#include <cstdint>
#include <string>

#include "core/model.hpp"

namespace beacon::verse::testing {

inline void PutLe32(std::string& s, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) s += static_cast<char>((v >> (8 * i)) & 0xff);
}
inline void PutBe32(std::string& s, std::uint32_t v) {
    for (int i = 3; i >= 0; --i) s += static_cast<char>((v >> (8 * i)) & 0xff);
}

/// A GLB with the given JSON chunk and BIN chunk (both padded to 4 bytes).
inline std::string MakeGlb(std::string json, std::string bin) {
    while (json.size() % 4) json += ' ';
    while (bin.size() % 4) bin += '\0';
    std::string out = "glTF";
    PutLe32(out, 2);
    PutLe32(out, static_cast<std::uint32_t>(12 + 8 + json.size() + (bin.empty() ? 0 : 8 + bin.size())));
    PutLe32(out, static_cast<std::uint32_t>(json.size()));
    PutLe32(out, 0x4E4F534Au);
    out += json;
    if (!bin.empty()) {
        PutLe32(out, static_cast<std::uint32_t>(bin.size()));
        PutLe32(out, 0x004E4942u);
        out += bin;
    }
    return out;
}

/// One triangle (3 float positions), drawn `instances` times by nodes; `count` overrides the
/// accessor's declared vertex count (to make a lying file).
inline std::string TriangleGlb(int instances = 1, std::uint64_t count = 3) {
    std::string bin;
    float pos[9] = {0, 0, 0, 1, 0, 0, 0, 1, 0};
    bin.append(reinterpret_cast<const char*>(pos), sizeof pos);
    core::Json nodes = core::Json::array();
    for (int i = 0; i < instances; ++i) nodes.push_back({{"mesh", 0}});
    core::Json g = {
        {"asset", {{"version", "2.0"}}},
        {"scenes", {{{"nodes", {0}}}}},
        {"nodes", nodes},
        {"meshes", {{{"primitives", {{{"attributes", {{"POSITION", 0}}}}}}}}},
        {"materials", {{{"name", "paint"}}}},
        {"accessors",
         {{{"bufferView", 0}, {"componentType", 5126}, {"count", count}, {"type", "VEC3"},
           {"min", {0, 0, 0}}, {"max", {1, 1, 0}}}}},
        {"bufferViews", {{{"buffer", 0}, {"byteLength", 36}}}},
        {"buffers", {{{"byteLength", 36}}}}};
    return MakeGlb(g.dump(), bin);
}

/// A PNG's signature and IHDR (enough for the header inspection).
inline std::string PngHeader(std::uint32_t w, std::uint32_t h) {
    std::string s("\x89PNG\r\n\x1a\n", 8);
    PutBe32(s, 13);
    s += "IHDR";
    PutBe32(s, w);
    PutBe32(s, h);
    s += std::string("\x08\x06\x00\x00\x00", 5);
    PutBe32(s, 0);  // CRC (not checked)
    s += std::string(16, '\0');
    return s;
}

/// A JPEG with SOI, an APP0 segment and a baseline SOF0 header.
inline std::string JpegHeader(std::uint16_t w, std::uint16_t h) {
    std::string s("\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00", 20);
    s += std::string("\xff\xc0\x00\x11\x08", 5);
    s += static_cast<char>(h >> 8);
    s += static_cast<char>(h & 0xff);
    s += static_cast<char>(w >> 8);
    s += static_cast<char>(w & 0xff);
    s += std::string(10, '\0');
    return s;
}

/// A KTX 2.0 texture (KTX 2.0 spec, section 3): R8G8B8A8_SRGB (vkFormat 43), no
/// supercompression, one level of `w`x`h` pixels of one colour, with a basic data format
/// descriptor (RGBSDA, BT.709, sRGB transfer).
inline std::string Ktx2Rgba(std::uint32_t w, std::uint32_t h, std::uint32_t rgba = 0xff00ffffu) {
    const std::uint32_t levels = 1;
    const std::uint32_t index_end = 80 + 24 * levels;
    const std::uint32_t dfd_size = 4 + 24 + 16 * 4;
    std::uint32_t data_at = index_end + dfd_size;
    while (data_at % 16) ++data_at;  // levels aligned (lcm of texel size 4 and 4)
    const std::uint64_t data_len = std::uint64_t{w} * h * 4;
    std::string s("\xABKTX 20\xBB\r\n\x1A\n", 12);
    for (std::uint32_t v : {43u, 1u, w, h, 0u, 0u, 1u, levels, 0u}) PutLe32(s, v);
    for (std::uint32_t v : {index_end, dfd_size, 0u, 0u}) PutLe32(s, v);  // DFD, no key/value data
    for (int i = 0; i < 4; ++i) PutLe32(s, 0);  // no supercompression global data (2 x u64)
    auto put64 = [&](std::uint64_t v) {
        PutLe32(s, static_cast<std::uint32_t>(v));
        PutLe32(s, static_cast<std::uint32_t>(v >> 32));
    };
    put64(data_at);
    put64(data_len);
    put64(data_len);
    PutLe32(s, dfd_size);
    PutLe32(s, 0);                                   // vendor 0, descriptor type 0
    PutLe32(s, 2u | ((dfd_size - 4) << 16));          // version 2, block size
    PutLe32(s, 1u | (1u << 8) | (2u << 16));          // RGBSDA, BT.709, sRGB
    PutLe32(s, 0);                                   // texel block 1x1x1x1
    PutLe32(s, 4);                                   // bytesPlane0 = 4
    PutLe32(s, 0);
    const std::uint32_t channels[4] = {0, 1, 2, 15 | 0x10};
    for (std::uint32_t c = 0; c < 4; ++c) {
        PutLe32(s, (c * 8) | (7u << 16) | (channels[c] << 24));
        PutLe32(s, 0);
        PutLe32(s, 0);
        PutLe32(s, 255);
    }
    while (s.size() < data_at) s += '\0';
    for (std::uint64_t i = 0; i < std::uint64_t{w} * h; ++i) PutBe32(s, rgba);
    return s;
}

}  // namespace beacon::verse::testing
