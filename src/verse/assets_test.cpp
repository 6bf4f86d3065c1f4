#include "verse/assets.hpp"

#include <gtest/gtest.h>

#include "verse/test_assets.hpp"

namespace beacon::verse {
namespace {

using namespace testing;

TEST(VerseAssets, MeasuresAGlbWithoutReadingItsVertices) {
    auto info = InspectAsset(TriangleGlb(3), "model/gltf-binary");
    ASSERT_TRUE(info.ok()) << info.error().message;
    EXPECT_EQ(info->kind, "model");
    EXPECT_EQ(info->mime, "model/gltf-binary");
    EXPECT_EQ(info->triangles, 3u);  // one triangle, three instances
    EXPECT_EQ(info->materials, 1u);
    EXPECT_EQ(info->hash, Sha256Hex(TriangleGlb(3)));
    EXPECT_EQ(info->hash.size(), 64u);
}

TEST(VerseAssets, RefusesAbsurdCountsBeforeParsingFully) {
    // An accessor claiming a billion vertices in a 36-byte buffer view.
    auto lying = InspectAsset(TriangleGlb(1, 1'000'000'000), "model/gltf-binary");
    ASSERT_FALSE(lying.ok());
    EXPECT_NE(lying.error().message.find("more than its bufferView holds"), std::string::npos);
    // Twenty thousand nodes.
    core::Json g = {{"asset", {{"version", "2.0"}}}, {"nodes", core::Json::array()}};
    for (int i = 0; i < 20000; ++i) g["nodes"].push_back(core::Json::object());
    auto many = InspectAsset(MakeGlb(g.dump(), ""), "");
    ASSERT_FALSE(many.ok());
    EXPECT_EQ(many.error().code, core::ErrorCode::kTooLarge);
    EXPECT_NE(many.error().message.find("20000 nodes"), std::string::npos);
    // Too many instances of a mesh: the triangle limit.
    AssetLimits lim;
    lim.max_model_triangles = 100;
    auto heavy = InspectAsset(TriangleGlb(101), "", lim);
    ASSERT_FALSE(heavy.ok());
    EXPECT_NE(heavy.error().message.find("triangles"), std::string::npos);
    // A JSON chunk bigger than allowed is refused by its declared length.
    lim = {};
    lim.max_gltf_json_bytes = 64;
    auto big_json = InspectAsset(TriangleGlb(), "", lim);
    ASSERT_FALSE(big_json.ok());
    EXPECT_EQ(big_json.error().code, core::ErrorCode::kTooLarge);
    // Deeply nested JSON inside a GLB.
    auto deep = InspectAsset(MakeGlb("{\"asset\":" + std::string(5000, '[') , ""), "");
    ASSERT_FALSE(deep.ok());
    EXPECT_NE(deep.error().message.find("nested deeper"), std::string::npos);
}

TEST(VerseAssets, RefusesBrokenAndOutsideReferences) {
    std::string glb = TriangleGlb();
    std::string cut = glb.substr(0, glb.size() - 4);
    EXPECT_FALSE(InspectAsset(cut, "").ok());  // length field no longer matches
    core::Json g = {{"asset", {{"version", "2.0"}}},
                    {"buffers", {{{"byteLength", 10}, {"uri", "https://example.com/x.bin"}}}}};
    auto outside = InspectAsset(g.dump(), "model/gltf+json");
    ASSERT_FALSE(outside.ok());
    EXPECT_NE(outside.error().message.find("outside file"), std::string::npos);
    core::Json file = {{"asset", {{"version", "2.0"}}}, {"images", {{{"uri", "../../etc/passwd"}}}}};
    EXPECT_FALSE(InspectAsset(file.dump(), "").ok());
    core::Json v1 = {{"asset", {{"version", "1.0"}}}};
    EXPECT_FALSE(InspectAsset(v1.dump(), "").ok());
    EXPECT_FALSE(InspectAsset("hello world", "").ok());
    EXPECT_FALSE(InspectAsset("", "").ok());
}

TEST(VerseAssets, ImagesAreMeasuredAndTypeMustMatch) {
    auto png = InspectAsset(PngHeader(256, 128), "image/png");
    ASSERT_TRUE(png.ok()) << png.error().message;
    EXPECT_EQ(png->kind, "texture");
    EXPECT_EQ(png->width, 256u);
    EXPECT_EQ(png->height, 128u);
    EXPECT_EQ(png->texture_bytes, 256u * 128 * 4 * 4 / 3);
    auto jpg = InspectAsset(JpegHeader(640, 480), "image/jpeg");
    ASSERT_TRUE(jpg.ok()) << jpg.error().message;
    EXPECT_EQ(jpg->width, 640u);
    EXPECT_EQ(jpg->height, 480u);
    auto huge = InspectAsset(PngHeader(20000, 20000), "image/png");
    ASSERT_FALSE(huge.ok());
    EXPECT_EQ(huge.error().code, core::ErrorCode::kTooLarge);
    auto mismatch = InspectAsset(PngHeader(4, 4), "image/jpeg");
    ASSERT_FALSE(mismatch.ok());
    EXPECT_NE(mismatch.error().message.find("declared as image/jpeg"), std::string::npos);
    auto glb_as_png = InspectAsset(TriangleGlb(), "image/png");
    EXPECT_FALSE(glb_as_png.ok());
    AssetLimits lim;
    lim.max_image_bytes = 10;
    EXPECT_EQ(InspectAsset(PngHeader(4, 4), "", lim).error().code, core::ErrorCode::kTooLarge);
}

TEST(VerseAssets, Ktx2IsCheckedAgainstItsHeaderAndTheFile) {
    auto ok = InspectAsset(Ktx2Rgba(8, 4), "image/ktx2");
    ASSERT_TRUE(ok.ok()) << ok.error().message;
    EXPECT_EQ(ok->mime, "image/ktx2");
    EXPECT_EQ(ok->width, 8u);
    EXPECT_EQ(ok->height, 4u);
    EXPECT_EQ(ok->texture_bytes, 8u * 4 * 4 * 4 / 3) << "RGBA8 is 4 bytes a pixel";
    auto set32 = [](std::string s, std::size_t at, std::uint32_t v) {
        std::string le;
        PutLe32(le, v);
        return s.replace(at, 4, le);
    };
    struct Case {
        const char* what;
        std::string bytes;
        const char* message;
    };
    const std::string good = Ktx2Rgba(8, 4);
    std::vector<Case> cases = {
        {"cut short", good.substr(0, 60), "cut short"},
        {"no pixels", set32(good, 20, 0), "no pixels"},
        {"3D", set32(good, 28, 4), "one 2D image"},
        {"array", set32(good, 32, 2), "one 2D image"},
        {"cube", set32(good, 36, 6), "one 2D image"},
        {"format", set32(good, 12, 131), "format 131"},
        {"levels", set32(good, 40, 9), "at most 4"},
        {"supercompression", set32(good, 44, 7), "supercompression 7"},
        {"level past the file", set32(good, 80, 1u << 30), "level 0 lies outside"},
        {"level size", set32(set32(good, 88, 64), 96, 64), "level 0 holds 64 bytes; 8x4 RGBA8 is 128"},
        {"dfd past the file", set32(good, 48, 1u << 20), "descriptor lies outside"},
    };
    for (const auto& c : cases) {
        auto r = InspectAsset(c.bytes, "image/ktx2");
        ASSERT_FALSE(r.ok()) << c.what;
        EXPECT_NE(r.error().message.find(c.message), std::string::npos) << c.what << ": " << r.error().message;
    }
}

}  // namespace
}  // namespace beacon::verse
