#include "verse/export.hpp"

#include <gtest/gtest.h>

#include "verse/assets.hpp"
#include "verse/templates.hpp"

namespace beacon::verse {
namespace {

TEST(VerseExport, EveryTemplateExportsAGlbThatReadsBackWithItsTriangles) {
    for (const auto& t : Templates()) {
        auto doc = CheckDocument(*MakeTemplate(t.id, "T"), {});
        ASSERT_TRUE(doc.ok());
        GlbExport glb = ExportGlb(doc->document);
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
    GlbExport glb = ExportGlb(*doc);  // has a hemisphere light
    ASSERT_EQ(glb.warnings.size(), 1u);
    EXPECT_NE(glb.warnings[0].find("Sky light"), std::string::npos);
    Json empty = *MakeTemplate("empty-stage", "T");
    empty["nodes"] = Json::array();
    empty["materials"] = Json::object();
    GlbExport none = ExportGlb(empty);  // an empty world exports (Spoke#1137)
    EXPECT_TRUE(InspectAsset(none.bytes, "").ok());
}

}  // namespace
}  // namespace beacon::verse
