#include "verse/export.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <limits>
#include <map>

#include "verse/assets.hpp"
#include "verse/templates.hpp"
#include "verse/test_assets.hpp"

namespace beacon::verse {
namespace {

TEST(VerseExport, EveryTemplateExportsAGlbThatReadsBackWithItsTriangles) {
    for (const auto& t : Templates()) {
        auto doc = CheckDocument(*MakeTemplate(t.id, "T"), {});
        ASSERT_TRUE(doc.ok());
        auto exported = ExportGlb(doc->document);
        ASSERT_TRUE(exported.ok()) << exported.error().message;
        const GlbExport& glb = *exported;
        // Read back by the same inspection uploads get (header, chunks, counts vs bytes).
        auto info = InspectAsset(glb.bytes, "model/gltf-binary");
        ASSERT_TRUE(info.ok()) << t.id << ": " << info.error().message;
        // three.js draws a cone's apex as degenerate triangles (3 per segment); the export does not.
        std::uint64_t cones = 0;
        for (const auto& n : doc->document["nodes"]) {
            if (n["type"] == "cone") cones += static_cast<std::uint64_t>(n.value("segments", 32));
        }
        EXPECT_EQ(info->triangles, doc->budget.triangles - cones) << t.id;
        EXPECT_EQ(info->materials, doc->document["materials"].size()) << t.id;
        auto j = Json::parse(glb.bytes.substr(20, glb.bytes.find("BIN") - 24), nullptr, false);
        ASSERT_FALSE(j.is_discarded());
        EXPECT_EQ(j["nodes"].size(), doc->document["nodes"].size());
    }
}

TEST(VerseExport, LeftOutPartsAreNamedNotFatal) {
    auto doc = MakeTemplate("lighthouse-coast", "T");
    GlbExport glb = *ExportGlb(*doc);  // has a hemisphere light
    ASSERT_EQ(glb.warnings.size(), 1u);
    EXPECT_NE(glb.warnings[0].find("Sky light"), std::string::npos);
    Json empty = *MakeTemplate("empty-stage", "T");
    empty["nodes"] = Json::array();
    empty["materials"] = Json::object();
    GlbExport none = *ExportGlb(empty);  // an empty world exports (Spoke#1137)
    EXPECT_TRUE(InspectAsset(none.bytes, "").ok());
}

/// The JSON chunk of a GLB.
Json GlbJson(const std::string& glb) {
    std::uint32_t len = 0;
    std::memcpy(&len, glb.data() + 12, 4);
    return Json::parse(glb.substr(20, len));
}

template <class T>
void Append(std::string& bin, std::initializer_list<T> values) {
    for (T v : values) bin.append(reinterpret_cast<const char*>(&v), sizeof v);
}

/// A model as an upload would hold it: a two-node tree (a root moved by (1,2,3) holding a leaf
/// scaled by 2), one mesh of two primitives (a textured triangle and an untextured one), the
/// same PNG embedded as two images, and a POSITION accessor whose declared bounds are wrong.
Json TexturedModelJson(std::string& bin) {
    Append<float>(bin, {0, 0, 0, 1, 0, 0, 0, 1, 0});      // view 0: positions
    Append<float>(bin, {0, 0, 1, 0, 0, 1});               // view 1: uvs
    Append<std::uint16_t>(bin, {0, 1, 2, 0});             // view 2: indices (+ pad)
    std::string png = testing::PngHeader(2, 2);           // view 3: the image
    std::size_t png_at = bin.size();
    bin += png;
    while (bin.size() % 4) bin += '\0';
    return {
        {"asset", {{"version", "2.0"}}},
        {"scene", 0},
        {"scenes", {{{"nodes", {0}}}}},
        {"nodes", {{{"name", "root"}, {"children", {1}}, {"translation", {1, 2, 3}}},
                   {{"name", "leaf"}, {"mesh", 0}, {"scale", {2, 2, 2}}}}},
        {"meshes", {{{"primitives", {{{"attributes", {{"POSITION", 0}, {"TEXCOORD_0", 1}}}, {"indices", 2}, {"material", 0}},
                                     {{"attributes", {{"POSITION", 0}}}, {"material", 1}}}}}}},
        {"materials", {{{"name", "painted"}, {"pbrMetallicRoughness", {{"baseColorTexture", {{"index", 0}}}}}},
                       {{"name", "glow"}, {"emissiveTexture", {{"index", 1}}}, {"emissiveFactor", {1, 1, 1}}}}},
        {"textures", {{{"source", 0}}, {{"source", 1}, {"sampler", 0}}}},
        {"samplers", {{{"magFilter", 9729}}}},
        {"images", {{{"bufferView", 3}, {"mimeType", "image/png"}}, {{"bufferView", 3}, {"mimeType", "image/png"}}}},
        {"accessors", {{{"bufferView", 0}, {"componentType", 5126}, {"count", 3}, {"type", "VEC3"},
                        {"min", {0, 0, 0}}, {"max", {9, 9, 9}}},
                       {{"bufferView", 1}, {"componentType", 5126}, {"count", 3}, {"type", "VEC2"}},
                       {{"bufferView", 2}, {"componentType", 5123}, {"count", 3}, {"type", "SCALAR"}}}},
        {"bufferViews", {{{"buffer", 0}, {"byteLength", 36}, {"target", 34962}},
                         {{"buffer", 0}, {"byteOffset", 36}, {"byteLength", 24}, {"target", 34962}},
                         {{"buffer", 0}, {"byteOffset", 60}, {"byteLength", 6}, {"target", 34963}},
                         {{"buffer", 0}, {"byteOffset", png_at}, {"byteLength", png.size()}}}},
        {"buffers", {{{"byteLength", bin.size()}}}}};
}

std::string TexturedModel() {
    std::string bin;
    Json g = TexturedModelJson(bin);
    return testing::MakeGlb(g.dump(), bin);
}

/// An empty-stage world placing `hash` at two nodes, the second inside a group.
Json WorldWithModel(const std::string& hash) {
    Json doc = *MakeTemplate("empty-stage", "Models");
    auto model = [&](const char* id, Json parent, double x) {
        return Json{{"id", id}, {"name", id}, {"parent", parent}, {"type", "model"}, {"asset", hash},
                    {"position", {x, 0, 0}}, {"rotation", {0, 0, 0}}, {"scale", {1, 1, 1}}};
    };
    doc["nodes"].push_back({{"id", "g"}, {"name", "group"}, {"parent", nullptr}, {"type", "group"},
                            {"position", {0, 0, 0}}, {"rotation", {0, 0, 0}}, {"scale", {1, 1, 1}}});
    doc["nodes"].push_back(model("m1", nullptr, -2));
    doc["nodes"].push_back(model("m2", "g", 2));
    return doc;
}

AssetBytes Serve(const std::string& hash, const std::string& bytes) {
    return [hash, bytes](const std::string& h) -> core::Result<std::string> {
        if (h != hash) return core::Error::NotFound("no asset " + h);
        return bytes;
    };
}

TEST(VerseExport, ImportedModelsAreMergedIntoOneSelfContainedGlb) {
    std::string model = TexturedModel();
    std::string hash = Sha256Hex(model);
    Json doc = WorldWithModel(hash);
    auto glb = ExportGlb(doc, Serve(hash, model));
    ASSERT_TRUE(glb.ok()) << glb.error().message;
    ASSERT_TRUE(InspectAsset(glb->bytes, "model/gltf-binary").ok());
    Json j = GlbJson(glb->bytes);
    EXPECT_FALSE(j.contains("extensionsRequired"));
    ASSERT_EQ(j["buffers"].size(), 1u);
    EXPECT_FALSE(j["buffers"][0].contains("uri")) << "self-contained: one embedded buffer";
    // Shared parts once (two placements), the same PNG bytes once, two textures on it.
    std::size_t doc_materials = doc["materials"].size();
    ASSERT_EQ(j["materials"].size(), doc_materials + 2);
    EXPECT_EQ(j["images"].size(), 1u);
    EXPECT_EQ(j["textures"].size(), 2u);
    EXPECT_EQ(j["materials"][doc_materials]["pbrMetallicRoughness"]["baseColorTexture"]["index"], 0);
    EXPECT_EQ(j["materials"][doc_materials + 1]["emissiveTexture"]["index"], 1);
    EXPECT_EQ(j["textures"][1]["source"], 0);
    EXPECT_EQ(j["samplers"].size(), 1u);
    // The model's tree under each placing node, transforms kept.
    std::size_t doc_nodes = doc["nodes"].size();
    ASSERT_EQ(j["nodes"].size(), doc_nodes + 4);
    for (int placed : {int(doc_nodes) - 2, int(doc_nodes) - 1}) {
        const Json& holder = j["nodes"][placed];
        ASSERT_TRUE(holder.contains("children")) << holder.dump();
        const Json& root = j["nodes"][holder["children"][0].get<int>()];
        EXPECT_EQ(root["name"], "root");
        EXPECT_EQ(root["translation"], Json({1, 2, 3}));
        const Json& leaf = j["nodes"][root["children"][0].get<int>()];
        EXPECT_EQ(leaf["name"], "leaf");
        EXPECT_EQ(leaf["scale"], Json({2, 2, 2}));
        const Json& mesh = j["meshes"][leaf["mesh"].get<int>()];
        ASSERT_EQ(mesh["primitives"].size(), 2u);
        EXPECT_EQ(mesh["primitives"][0]["material"], doc_materials);
        EXPECT_EQ(mesh["primitives"][1]["material"], doc_materials + 1);
        // Bounds recomputed from the data (the model declared max 9,9,9).
        const Json& pos = j["accessors"][mesh["primitives"][0]["attributes"]["POSITION"].get<int>()];
        EXPECT_EQ(pos["min"], Json({0.0, 0.0, 0.0}));
        EXPECT_EQ(pos["max"], Json({1.0, 1.0, 0.0}));
    }
    EXPECT_EQ(j["nodes"][doc_nodes - 1]["children"], j["nodes"][doc_nodes - 1]["children"]);
    // The group holds the second placement.
    EXPECT_EQ(j["nodes"][doc_nodes - 3]["children"], Json({int(doc_nodes) - 1}));
    for (const auto& w : glb->warnings) EXPECT_EQ(w.find("model"), std::string::npos) << w;
}

TEST(VerseExport, EmbeddedDataUrisAreDecodedIntoTheBinChunk) {
    std::string bin;
    Json g = TexturedModelJson(bin);
    static const char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    auto b64 = [&](std::string_view in) {
        std::string out;
        for (std::size_t i = 0; i < in.size(); i += 3) {
            std::uint32_t v = static_cast<unsigned char>(in[i]) << 16;
            if (i + 1 < in.size()) v |= static_cast<unsigned char>(in[i + 1]) << 8;
            if (i + 2 < in.size()) v |= static_cast<unsigned char>(in[i + 2]);
            out += kB64[(v >> 18) & 63];
            out += kB64[(v >> 12) & 63];
            out += i + 1 < in.size() ? kB64[(v >> 6) & 63] : '=';
            out += i + 2 < in.size() ? kB64[v & 63] : '=';
        }
        return out;
    };
    g["buffers"][0]["uri"] = "data:application/octet-stream;base64," + b64(bin);
    // The second image as its own data: URI (same bytes as the first: still one image).
    std::string png = testing::PngHeader(2, 2);
    g["images"][1] = {{"uri", "data:image/png;base64," + b64(png)}};
    std::string model = g.dump();  // a .gltf JSON file, no GLB
    std::string hash = Sha256Hex(model);
    auto glb = ExportGlb(WorldWithModel(hash), Serve(hash, model));
    ASSERT_TRUE(glb.ok()) << glb.error().message;
    Json j = GlbJson(glb->bytes);
    EXPECT_EQ(j["buffers"].size(), 1u);
    EXPECT_FALSE(j["buffers"][0].contains("uri"));
    EXPECT_EQ(j["images"].size(), 1u);
    for (const auto& img : j["images"]) EXPECT_FALSE(img.contains("uri"));
}

TEST(VerseExport, HostileModelsAreRefusedWithAMessageNeverCrash) {
    struct Case {
        const char* what;
        std::function<void(Json&, std::string&)> spoil;
        const char* message;
    };
    std::vector<Case> cases = {
        {"view past its buffer", [](Json& g, std::string&) { g["bufferViews"][0]["byteLength"] = 1u << 30; },
         "outside its buffer"},
        {"absurd count", [](Json& g, std::string&) { g["accessors"][0]["count"] = 1'000'000'000u; },
         "more than its bufferView holds"},
        {"cycle", [](Json& g, std::string&) { g["nodes"][1]["children"] = {0}; }, "is also a child"},
        {"root twice", [](Json& g, std::string&) { g["scenes"][0]["nodes"] = {0, 0}; }, "not a tree"},
        {"two parents",
         [](Json& g, std::string&) {
             g["nodes"].push_back({{"children", {1}}});
             g["scenes"][0]["nodes"].push_back(2);
         },
         "two parents"},
        {"child missing", [](Json& g, std::string&) { g["nodes"][0]["children"] = {7}; }, "does not exist"},
        {"material missing", [](Json& g, std::string&) { g["meshes"][0]["primitives"][0]["material"] = 9; },
         "material 9 does not exist"},
        {"texture missing",
         [](Json& g, std::string&) { g["materials"][0]["pbrMetallicRoughness"]["baseColorTexture"]["index"] = 5; },
         "texture 5 does not exist"},
        {"image not an image", [](Json& g, std::string&) { g["images"][0] = {{"uri", "data:image/png;base64,AAAA"}}; },
         "not a PNG"},
        {"outside file", [](Json& g, std::string&) { g["images"][0] = {{"uri", "../../etc/passwd"}}; },
         "outside file"},
        {"required extension",
         [](Json& g, std::string&) { g["extensionsRequired"] = {"EXT_meshopt_compression"}; },
         "EXT_meshopt_compression"},
        {"not finite",
         [](Json&, std::string& bin) {
             float nan = std::numeric_limits<float>::quiet_NaN();
             std::memcpy(bin.data(), &nan, 4);
         },
         "not finite"},
        {"misaligned",
         [](Json& g, std::string&) {
             g["accessors"][1]["byteOffset"] = 2;
             g["accessors"][1]["count"] = 2;
         },
         "byteOffset"},
        {"sparse out of range",
         [](Json& g, std::string&) {
             // One replaced vertex whose index (the indices view's third entry) is 2, of 2 vertices.
             g["accessors"][0]["count"] = 2;
             g["accessors"][0]["sparse"] = {{"count", 1},
                                            {"indices", {{"bufferView", 2}, {"componentType", 5123}, {"byteOffset", 4}}},
                                            {"values", {{"bufferView", 0}}}};
         },
         "sparse index 2 is out of range"},
    };
    for (const auto& c : cases) {
        std::string bin;
        Json g = TexturedModelJson(bin);
        c.spoil(g, bin);
        std::string model = testing::MakeGlb(g.dump(), bin);
        std::string hash = Sha256Hex(model);
        auto glb = ExportGlb(WorldWithModel(hash), Serve(hash, model));
        ASSERT_FALSE(glb.ok()) << c.what;
        EXPECT_NE(glb.error().message.find(c.message), std::string::npos) << c.what << ": " << glb.error().message;
        EXPECT_NE(glb.error().message.find("\"m1\""), std::string::npos) << "names the node: " << glb.error().message;
    }
}

TEST(VerseExport, TotalsAreBoundedSoManyPlacementsCannotExplode) {
    // A model of 1,001 nodes placed 100 times is 100,100 nodes: over the limit, refused before
    // the copies are made.
    Json g = {{"asset", {{"version", "2.0"}}}, {"nodes", Json::array()}};
    for (int i = 0; i < 1001; ++i) g["nodes"].push_back({{"name", "n"}});
    std::string model = g.dump();
    std::string hash = Sha256Hex(model);
    Json doc = *MakeTemplate("empty-stage", "Many");
    for (int i = 0; i < 100; ++i) {
        doc["nodes"].push_back({{"id", "m" + std::to_string(i)}, {"name", "m"}, {"parent", nullptr},
                                {"type", "model"}, {"asset", hash}, {"position", {0, 0, 0}},
                                {"rotation", {0, 0, 0}}, {"scale", {1, 1, 1}}});
    }
    auto glb = ExportGlb(doc, Serve(hash, model));
    ASSERT_FALSE(glb.ok());
    EXPECT_EQ(glb.error().code, core::ErrorCode::kTooLarge);
    EXPECT_NE(glb.error().message.find("100000 nodes"), std::string::npos) << glb.error().message;
    ExportLimits roomy;
    roomy.max_nodes = 200'000;
    auto fits = ExportGlb(doc, Serve(hash, model), roomy);
    ASSERT_TRUE(fits.ok()) << fits.error().message;
    EXPECT_EQ(GlbJson(fits->bytes)["nodes"].size(), doc["nodes"].size() + 100'100);
}

TEST(VerseExport, WorldMaterialTexturesShareImagesWithModelsAndPrimitivesHaveUvs) {
    std::string model = TexturedModel();
    std::string hash = Sha256Hex(model);
    std::string png = testing::PngHeader(2, 2);  // the bytes the model embeds
    std::string ktx = testing::Ktx2Rgba(4, 4);
    std::string png_hash = Sha256Hex(png), ktx_hash = Sha256Hex(ktx);
    Json doc = WorldWithModel(hash);
    std::string first = doc["materials"].begin().key();
    doc["materials"][first]["map"] = png_hash;
    doc["materials"]["k"] = {{"color", "#ffffff"}, {"map", ktx_hash}};
    AssetBytes assets = [&](const std::string& h) -> core::Result<std::string> {
        if (h == hash) return model;
        if (h == png_hash) return png;
        if (h == ktx_hash) return ktx;
        return core::Error::NotFound(h);
    };
    auto glb = ExportGlb(doc, assets);
    ASSERT_TRUE(glb.ok()) << glb.error().message;
    Json j = GlbJson(glb->bytes);
    EXPECT_EQ(j["images"].size(), 1u) << "the world's PNG and the model's are the same bytes";
    EXPECT_EQ(j["materials"][0]["pbrMetallicRoughness"]["baseColorTexture"]["index"], 0);
    ASSERT_EQ(glb->warnings.size(), 1u);
    EXPECT_NE(glb->warnings[0].find("KTX2 that is not Basis Universal"), std::string::npos);
    for (const auto& n : j["nodes"]) {
        if (!n.contains("mesh") || n.value("name", "") == "leaf") continue;
        const Json& prim = j["meshes"][n["mesh"].get<int>()]["primitives"][0];
        ASSERT_TRUE(prim["attributes"].contains("TEXCOORD_0")) << n.dump();
        EXPECT_EQ(j["accessors"][prim["attributes"]["TEXCOORD_0"].get<int>()]["count"],
                  j["accessors"][prim["attributes"]["POSITION"].get<int>()]["count"]);
    }
}

TEST(VerseExport, AnExportedWorldReimportsAsAModelWithItsTransformsAndLights) {
    // Spoke's published GLB could not be edited back (hubs #4989): ours can be placed in another
    // world as a model, and that world exports with the first world's tree intact.
    for (const char* id : {"lighthouse-coast", "space-station"}) {
        auto first = ExportGlb(*MakeTemplate(id, "First"));
        ASSERT_TRUE(first.ok());
        ASSERT_TRUE(InspectAsset(first->bytes, "model/gltf-binary").ok()) << id;
        std::string hash = Sha256Hex(first->bytes);
        Json doc = *MakeTemplate("empty-stage", "Second");
        doc["nodes"] = Json::array({{{"id", "w"}, {"name", "world"}, {"parent", nullptr}, {"type", "model"},
                                     {"asset", hash}, {"position", {0, 0, 0}}, {"rotation", {0, 0, 0}},
                                     {"scale", {1, 1, 1}}}});
        auto second = ExportGlb(doc, Serve(hash, first->bytes));
        ASSERT_TRUE(second.ok()) << id << ": " << second.error().message;
        Json a = GlbJson(first->bytes), b = GlbJson(second->bytes);
        ASSERT_EQ(b["nodes"].size(), a["nodes"].size() + 1) << id;
        // Walk both trees together: the placed copy under node 0, the original from its roots.
        std::vector<std::pair<int, int>> pairs;
        const Json& roots = a["scenes"][0]["nodes"];
        ASSERT_EQ(b["nodes"][0]["children"].size(), roots.size());
        for (std::size_t k = 0; k < roots.size(); ++k) {
            pairs.emplace_back(roots[k].get<int>(), b["nodes"][0]["children"][k].get<int>());
        }
        std::size_t compared = 0;
        while (!pairs.empty()) {
            auto [ia, ib] = pairs.back();
            pairs.pop_back();
            const Json& o = a["nodes"][ia];
            const Json& n = b["nodes"][ib];
            EXPECT_EQ(n["name"], o["name"]);
            for (const char* k : {"translation", "rotation", "scale"}) {
                if (o.contains(k)) {
                    EXPECT_EQ(n[k], o[k]) << id << " " << n["name"] << " " << k;
                }
            }
            EXPECT_EQ(n.contains("mesh"), o.contains("mesh"));
            EXPECT_EQ(n.contains("extensions"), o.contains("extensions")) << "lights carried";
            ASSERT_EQ(n.value("children", Json::array()).size(), o.value("children", Json::array()).size());
            for (std::size_t k = 0; k < o.value("children", Json::array()).size(); ++k) {
                pairs.emplace_back(o["children"][k].get<int>(), n["children"][k].get<int>());
            }
            ++compared;
        }
        EXPECT_EQ(compared, a["nodes"].size()) << id;
        EXPECT_EQ(b["extensions"]["KHR_lights_punctual"]["lights"].size(),
                  a["extensions"]["KHR_lights_punctual"]["lights"].size());
        EXPECT_EQ(b["meshes"].size(), a["meshes"].size());
    }
}

TEST(VerseExport, AnimationChannelsCountTowardsTheCopyBound) {
    // One node and 20,000 animation channels on it: fine once, 200,000 channels placed 10 times
    // (over a bound of 100,000 here; 500,000 by default).
    std::string bin;
    Append<float>(bin, {0, 1});
    Append<float>(bin, {0, 0, 0, 1, 1, 1});
    Json channels = Json::array();
    for (int i = 0; i < 20'000; ++i) channels.push_back({{"sampler", 0}, {"target", {{"node", 0}, {"path", "translation"}}}});
    Json g = {{"asset", {{"version", "2.0"}}},
              {"nodes", {{{"name", "n"}}}},
              {"animations", {{{"channels", channels},
                               {"samplers", {{{"input", 0}, {"output", 1}}}}}}},
              {"accessors", {{{"bufferView", 0}, {"componentType", 5126}, {"count", 2}, {"type", "SCALAR"}},
                             {{"bufferView", 1}, {"componentType", 5126}, {"count", 2}, {"type", "VEC3"}}}},
              {"bufferViews", {{{"buffer", 0}, {"byteLength", 8}}, {{"buffer", 0}, {"byteOffset", 8}, {"byteLength", 24}}}},
              {"buffers", {{{"byteLength", 32}}}}};
    std::string model = testing::MakeGlb(g.dump(), bin);
    std::string hash = Sha256Hex(model);
    auto placing = [&](int placements) {
        Json doc = *MakeTemplate("empty-stage", "Animated");
        for (int i = 0; i < placements; ++i) {
            doc["nodes"].push_back({{"id", "m" + std::to_string(i)}, {"name", "m"}, {"parent", nullptr},
                                    {"type", "model"}, {"asset", hash}, {"position", {0, 0, 0}},
                                    {"rotation", {0, 0, 0}}, {"scale", {1, 1, 1}}});
        }
        return doc;
    };
    ExportLimits limits;
    limits.max_copied = 100'000;
    auto glb = ExportGlb(placing(10), Serve(hash, model), limits);
    ASSERT_FALSE(glb.ok());
    EXPECT_EQ(glb.error().code, core::ErrorCode::kTooLarge);
    EXPECT_NE(glb.error().message.find("animation channels"), std::string::npos) << glb.error().message;
    auto once = ExportGlb(placing(1), Serve(hash, model), limits);
    ASSERT_TRUE(once.ok()) << once.error().message;
    EXPECT_EQ(GlbJson(once->bytes)["animations"][0]["channels"].size(), 20'000u);
}

TEST(VerseExport, TheGlbSizeIsBounded) {
    std::string model = TexturedModel();
    std::string hash = Sha256Hex(model);
    ExportLimits small;
    small.max_bytes = 64;  // the model's vertex data alone is more
    auto glb = ExportGlb(WorldWithModel(hash), Serve(hash, model), small);
    ASSERT_FALSE(glb.ok());
    EXPECT_EQ(glb.error().code, core::ErrorCode::kTooLarge);
    EXPECT_NE(glb.error().message.find("larger than 64 bytes"), std::string::npos) << glb.error().message;
}

TEST(VerseExport, AMissingModelIsAnErrorAndNoSourceLeavesAnEmptyNode) {
    std::string model = TexturedModel();
    std::string hash = Sha256Hex(model);
    auto missing = ExportGlb(WorldWithModel(hash), Serve("other", model));
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().code, core::ErrorCode::kNotFound);
    auto none = ExportGlb(WorldWithModel(hash));
    ASSERT_TRUE(none.ok());
    EXPECT_EQ(none->warnings.size(), 2u);
}

}  // namespace
}  // namespace beacon::verse
