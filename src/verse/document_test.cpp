#include "verse/document.hpp"

#include <cmath>

#include <gtest/gtest.h>

#include "verse/templates.hpp"

namespace beacon::verse {
namespace {

Json Minimal() {
    auto doc = MakeTemplate("empty-stage", "Stage");
    EXPECT_TRUE(doc.ok());
    return *doc;
}

std::string ErrorOf(const Json& doc, const AssetLookup& assets = {}) {
    auto r = CheckDocument(doc, assets);
    return r.ok() ? std::string("accepted") : r.error().message;
}

TEST(VerseTemplates, EveryTemplateIsAValidDocumentWithinShareBudget) {
    ASSERT_GE(Templates().size(), 5u);
    for (const auto& t : Templates()) {
        auto doc = MakeTemplate(t.id, "T");
        ASSERT_TRUE(doc.ok()) << t.id;
        auto checked = CheckDocument(*doc, {});
        ASSERT_TRUE(checked.ok()) << t.id << ": " << checked.error().message;
        EXPECT_GT(checked->budget.nodes, 1u) << t.id;
        EXPECT_GT(checked->budget.lights, 0u) << t.id;
        Json b = BudgetJson(checked->budget);
        EXPECT_TRUE(b["within_share_budget"].get<bool>()) << t.id << " " << b.dump();
    }
    EXPECT_FALSE(MakeTemplate("no-such", "x").ok());
}

TEST(VerseDocument, SaveLoadSaveIsByteIdentical) {
    for (const auto& t : Templates()) {
        auto first = CheckDocument(*MakeTemplate(t.id, "Round trip ✓"), {});
        ASSERT_TRUE(first.ok());
        auto second = CheckDocument(std::string_view(first->canonical), {});
        ASSERT_TRUE(second.ok()) << second.error().message;
        EXPECT_EQ(first->canonical, second->canonical) << t.id;
        auto third = CheckDocument(std::string_view(second->canonical), {});
        EXPECT_EQ(second->canonical, third->canonical);
    }
}

TEST(VerseDocument, MigratesVersion1) {
    // The first draft: sky and fog on the top level, a colour on each node.
    Json v1 = Json::parse(R"({
      "version": 1, "title": "Old world",
      "sky": "#112233", "fog": {"color": "#445566", "near": 1, "far": 50},
      "camera": {"position": [1, 2, 3], "target": [0, 0, 0], "fov": 60},
      "nodes": [
        {"id": "a", "name": "Red box", "parent": null, "type": "box", "color": "#ff0000",
         "position": [0, 0, 0], "rotation": [0, 0, 0], "scale": [1, 1, 1]},
        {"id": "b", "name": "Red ball", "parent": "a", "type": "sphere", "color": "#ff0000",
         "position": [0, 1, 0], "rotation": [0, 0, 0], "scale": [1, 1, 1]},
        {"id": "c", "name": "Blue cone", "parent": null, "type": "cone", "color": "#0000ff",
         "position": [2, 0, 0], "rotation": [0, 0, 0], "scale": [1, 1, 1]},
        {"id": "l", "name": "Sun", "parent": null, "type": "light",
         "light": {"kind": "directional", "color": "#ffffff", "intensity": 1},
         "position": [5, 5, 5], "rotation": [0, 0, 0], "scale": [1, 1, 1]}
      ]})");
    auto checked = CheckDocument(v1, {});
    ASSERT_TRUE(checked.ok()) << checked.error().message;
    const Json& d = checked->document;
    EXPECT_EQ(d["version"], kCurrentVersion);
    EXPECT_EQ(d["format"], kFormat);
    EXPECT_EQ(d["environment"]["sky"]["top"], "#112233");
    EXPECT_EQ(d["environment"]["fog"]["far"], 50);
    EXPECT_EQ(d["materials"].size(), 2u);  // two colours → two shared materials
    EXPECT_EQ(d["nodes"][0]["material"], d["nodes"][1]["material"]);
    EXPECT_EQ(d["materials"][d["nodes"][2]["material"].get<std::string>()]["color"], "#0000ff");
    EXPECT_EQ(checked->budget.materials, 2u);
    EXPECT_EQ(checked->budget.triangles, 12u + PrimitiveTriangles("sphere", 32) +
                                             PrimitiveTriangles("cone", 32));
    // The migrated document is current: it checks again unchanged.
    auto again = CheckDocument(std::string_view(checked->canonical), {});
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->canonical, checked->canonical);
}

TEST(VerseDocument, RefusesUnknownAndFutureVersions) {
    Json d = Minimal();
    d["version"] = 3;
    EXPECT_NE(ErrorOf(d).find("newer"), std::string::npos);
    d["version"] = 0;
    EXPECT_NE(ErrorOf(d).find("unknown version"), std::string::npos);
    d["version"] = "2";
    EXPECT_NE(ErrorOf(d).find("version"), std::string::npos);
    d.erase("version");
    EXPECT_NE(ErrorOf(d).find("version"), std::string::npos);
}

TEST(VerseDocument, DeepNestingIsRefusedBeforeParsing) {
    std::string deep(200000, '[');
    auto r = ParseJsonText(deep);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("nested deeper"), std::string::npos);
    // Brackets inside strings do not count.
    auto ok = ParseJsonText(R"({"a": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["})");
    EXPECT_TRUE(ok.ok());
}

TEST(VerseDocument, RefusesHugeCountsAndSizes) {
    Json d = Minimal();
    Json node = d["nodes"][0];
    for (int i = 0; i < 10001; ++i) {
        node["id"] = "x" + std::to_string(i);
        d["nodes"].push_back(node);
    }
    EXPECT_NE(ErrorOf(d).find("more than 10000 nodes"), std::string::npos);

    Json m = Minimal();
    for (int i = 0; i < 1001; ++i) m["materials"]["m" + std::to_string(i)] = {{"color", "#000000"}};
    EXPECT_NE(ErrorOf(m).find("materials"), std::string::npos);

    DocumentLimits small;
    small.max_bytes = 100;
    auto r = CheckDocument(std::string_view(Minimal().dump()), {}, small);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, core::ErrorCode::kTooLarge);

    Json t = Minimal();
    t["nodes"][0]["type"] = "sphere";
    t["nodes"][0]["segments"] = 128;
    DocumentLimits tri;
    tri.max_triangles = 10;
    auto over = CheckDocument(t, {}, tri);
    ASSERT_FALSE(over.ok());
    EXPECT_EQ(over.error().code, core::ErrorCode::kTooLarge);
}

TEST(VerseDocument, RefusesNonFiniteAndOutOfRangeNumbers) {
    Json d = Minimal();
    d["nodes"][0]["position"][1] = std::nan("");
    EXPECT_NE(ErrorOf(d).find("finite"), std::string::npos);
    // 1e999 overflows to infinity when parsed.
    std::string text = Minimal().dump();
    auto at = text.find("\"fov\":50");
    ASSERT_NE(at, std::string::npos);
    text.replace(at, 8, "\"fov\":1e999");
    auto r = CheckDocument(std::string_view(text), {});
    ASSERT_FALSE(r.ok());
    Json s = Minimal();
    s["nodes"][0]["scale"] = {1, 1e9, 1};
    EXPECT_NE(ErrorOf(s).find("scale"), std::string::npos);
    Json c = Minimal();
    c["materials"]["floor"]["color"] = "red";
    EXPECT_NE(ErrorOf(c).find("#rrggbb"), std::string::npos);
}

TEST(VerseDocument, ScriptFieldsAreRefusedAndScriptTextStaysText) {
    Json d = Minimal();
    d["scripts"] = {{"n1", {{{"name", "boot"}, {"source", "alert(1)"}}}}};
    EXPECT_NE(ErrorOf(d).find("unknown field \"scripts\""), std::string::npos);
    Json n = Minimal();
    n["nodes"][0]["onclick"] = "fetch('/api/v1/tokens')";
    EXPECT_NE(ErrorOf(n).find("unknown field \"onclick\""), std::string::npos);
    Json u = Minimal();
    u["nodes"][0]["userData"] = {{"script", "x"}};
    EXPECT_NE(ErrorOf(u).find("userData"), std::string::npos);
    // Names are text: kept verbatim (the UI shows them as text), never interpreted.
    Json h = Minimal();
    h["title"] = "<img src=x onerror=alert(1)>";
    h["nodes"][0]["name"] = "<script>alert('x')</script>";
    auto ok = CheckDocument(h, {});
    ASSERT_TRUE(ok.ok()) << ok.error().message;
    EXPECT_EQ(ok->document["nodes"][0]["name"], "<script>alert('x')</script>");
    Json ctl = Minimal();
    ctl["nodes"][0]["name"] = std::string("a\x01b");
    EXPECT_NE(ErrorOf(ctl).find("control"), std::string::npos);
}

TEST(VerseDocument, HierarchyMustBeATree) {
    Json d = Minimal();
    d["nodes"][0]["parent"] = "nobody";
    EXPECT_NE(ErrorOf(d).find("not a node"), std::string::npos);
    Json cyc = Minimal();
    cyc["nodes"][0]["parent"] = cyc["nodes"][1]["id"];
    cyc["nodes"][1]["parent"] = cyc["nodes"][0]["id"];
    EXPECT_NE(ErrorOf(cyc).find("cycle"), std::string::npos);
    Json dup = Minimal();
    dup["nodes"][1]["id"] = dup["nodes"][0]["id"];
    EXPECT_NE(ErrorOf(dup).find("used twice"), std::string::npos);
    Json chain = Minimal();
    Json group = {{"id", "g0"}, {"name", "g"}, {"parent", nullptr}, {"type", "group"},
                  {"position", {0, 0, 0}}, {"rotation", {0, 0, 0}}, {"scale", {1, 1, 1}}};
    for (int i = 0; i < 70; ++i) {
        group["id"] = "g" + std::to_string(i);
        group["parent"] = i == 0 ? Json(nullptr) : Json("g" + std::to_string(i - 1));
        chain["nodes"].push_back(group);
    }
    EXPECT_NE(ErrorOf(chain).find("deeper than 64"), std::string::npos);
}

TEST(VerseDocument, ModelsAndTexturesMustBeAssetsOfTheWorld) {
    Json d = Minimal();
    std::string hash(64, 'a');
    d["nodes"].push_back({{"id", "m"}, {"name", "Model"}, {"parent", nullptr}, {"type", "model"},
                          {"asset", hash}, {"position", {0, 0, 0}}, {"rotation", {0, 0, 0}},
                          {"scale", {1, 1, 1}}});
    d["nodes"].push_back(d["nodes"].back());
    d["nodes"].back()["id"] = "m2";
    d["materials"]["floor"]["map"] = std::string(64, 'b');
    EXPECT_NE(ErrorOf(d).find("names no"), std::string::npos);
    AssetLookup lookup = [&](std::string_view h) -> std::optional<AssetCost> {
        if (h == hash) return AssetCost{"model", 1000, 2, 4096};
        if (h == std::string(64, 'b')) return AssetCost{"texture", 0, 0, 1 << 20};
        return std::nullopt;
    };
    auto checked = CheckDocument(d, lookup);
    ASSERT_TRUE(checked.ok()) << checked.error().message;
    EXPECT_EQ(checked->budget.triangles, 2u + 2 * 1000u);  // floor plane + two instances
    EXPECT_EQ(checked->budget.materials, 1u + 2u);         // floor + the model's (counted once)
    EXPECT_EQ(checked->budget.texture_bytes, 4096u + (1u << 20));
    // A texture hash used as a model is refused.
    d["nodes"].back()["asset"] = std::string(64, 'b');
    EXPECT_NE(ErrorOf(d, lookup).find("names no model"), std::string::npos);
}

TEST(VerseDocument, BudgetsFlagWorldsOverTheShareLimits) {
    Budget b;
    b.triangles = 60000;
    b.materials = 3;
    Json j = BudgetJson(b);
    EXPECT_FALSE(j["triangles"]["ok"].get<bool>());
    EXPECT_TRUE(j["materials"]["ok"].get<bool>());
    EXPECT_FALSE(j["within_share_budget"].get<bool>());
}

}  // namespace
}  // namespace beacon::verse
