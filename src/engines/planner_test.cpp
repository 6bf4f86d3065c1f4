#include "engines/planner.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace beacon::engines {
namespace {

double Sum(const core::Script& s) {
    double t = 0;
    for (const auto& sc : s.scenes) t += sc.duration;
    return t;
}

std::size_t WordCount(const std::string& s) {
    std::size_t n = 0;
    bool in = false;
    for (char c : s) {
        bool sp = c == ' ';
        if (!sp && !in) ++n;
        in = !sp;
    }
    return n;
}

TEST(PlannerTest, SceneCountParsing) {
    EXPECT_EQ(RequestedSceneCount("a fox in 3 scenes"), 3);
    EXPECT_EQ(RequestedSceneCount("Two scenes: a harbour at dawn"), 2);
    EXPECT_EQ(RequestedSceneCount("four short shots of rain"), 4);
    EXPECT_EQ(RequestedSceneCount("a single scene of snow"), 1);
    EXPECT_FALSE(RequestedSceneCount("a lighthouse at dusk").has_value());
    EXPECT_EQ(PlannedSceneCount("in 40 scenes", 7), 12);
    EXPECT_EQ(PlannedSceneCount("in 0 scenes", 7), 1);
    EXPECT_EQ(PlannedSceneCount("a lighthouse", 7), 2);
    EXPECT_EQ(PlannedSceneCount("a lighthouse", 2), 1);
    EXPECT_EQ(PlannedSceneCount("a lighthouse", 30), 7);
    EXPECT_EQ(PlannedSceneCount("a lighthouse", 600), 12);
}

TEST(PlannerTest, TableOfPrompts) {
    struct Case {
        std::string prompt;
        double duration;
        std::size_t scenes;
    };
    std::vector<Case> cases = {
        {"A lighthouse on a stormy coast at dusk, emerald and gold palette, 2 scenes", 7, 2},
        {"Make a video about a fox crossing a snowy forest. Then it finds a den. Finally it sleeps.", 12, 3},
        {"three scenes: city skyline at night, a train leaving, sunrise over the river", 10, 3},
        {"rain", 1, 1},
        {"A robot learns to paint", 45, 10},
    };
    BuiltinPlanner p;
    for (const auto& c : cases) {
        ScriptRequest req{c.prompt, "", "cinematic", "en", c.duration};
        auto r = p.Write(req, {}, {});
        ASSERT_TRUE(r.ok()) << c.prompt << ": " << r.error().message;
        EXPECT_EQ(r->script.scenes.size(), c.scenes) << c.prompt;
        EXPECT_NEAR(Sum(r->script), c.duration, 1e-9) << c.prompt;
        EXPECT_FALSE(r->script.title.empty());
        EXPECT_TRUE(r->provenance.builtin);
        EXPECT_EQ(r->provenance.engine, "builtin-planner");
        for (const auto& sc : r->script.scenes) {
            EXPECT_GT(sc.duration, 0);
            ASSERT_FALSE(sc.lines.empty());
            EXPECT_LE(sc.lines.size(), 2u);
            std::size_t words = 0;
            for (const auto& l : sc.lines) words += WordCount(l);
            // ~2.5 words per second, never far beyond what fits in the scene.
            EXPECT_LE(words, static_cast<std::size_t>(std::lround(sc.duration * 2.5)) + 4) << c.prompt;
            EXPECT_FALSE(sc.actions.empty());
        }
        // The raw JSON is the script and passes the shared validation.
        auto again = ValidateScriptAnswer(r->raw, c.duration);
        ASSERT_TRUE(again.ok()) << again.error().message;
    }
}

TEST(PlannerTest, DeterministicAndHonoursTitleStyleAndPalette) {
    BuiltinPlanner p;
    ScriptRequest req{"A lighthouse on a stormy coast at dusk, emerald and gold palette", "", "noir", "en", 7};
    auto a = p.Write(req, {}, {});
    auto b = p.Write(req, {}, {});
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(a->raw, b->raw);
    EXPECT_EQ(a->script.title, "A Lighthouse on a Stormy Coast at Dusk");
    EXPECT_NE(a->script.scenes[0].description.find("emerald"), std::string::npos);
    EXPECT_NE(a->script.scenes[0].description.find("gold"), std::string::npos);
    EXPECT_NE(a->script.scenes[0].description.find("noir"), std::string::npos);
    EXPECT_EQ(a->script.scenes[0].shot_type, "wide");
    req.title = "My Own Title";
    auto c = p.Write(req, {}, {});
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c->script.title, "My Own Title");
}

TEST(PlannerTest, HostileInput) {
    BuiltinPlanner p;
    EXPECT_FALSE(p.Write({"   ", "", "", "en", 7}, {}, {}).ok());
    EXPECT_FALSE(p.Write({"x", "", "", "en", -1}, {}, {}).ok());
    EXPECT_FALSE(p.Write({"x", "", "", "en", std::nan("")}, {}, {}).ok());
    std::string junk(4000, ',');
    junk += "\xff\xfe <script>";
    auto r = p.Write({junk, "", "", "en", 7}, {}, {});
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_NEAR(Sum(r->script), 7, 1e-9);
    std::stop_source stop;
    stop.request_stop();
    EXPECT_EQ(p.Write({"a", "", "", "en", 7}, {}, stop.get_token()).error().code, core::ErrorCode::kCanceled);
}

TEST(PlannerTest, ValidateScriptAnswer) {
    EXPECT_FALSE(ValidateScriptAnswer("not json", 7).ok());
    EXPECT_FALSE(ValidateScriptAnswer(R"({"title":"t","scenes":[]})", 7).ok());
    const char* off = R"({"title":"t","scenes":[{"id":1,"description":"d","duration":3,"lines":["x"]}]})";
    EXPECT_FALSE(ValidateScriptAnswer(off, 7).ok());
    auto rescaled = ValidateScriptAnswer(off, 7, true);
    ASSERT_TRUE(rescaled.ok());
    EXPECT_DOUBLE_EQ(rescaled->scenes[0].duration, 7);
    EXPECT_TRUE(ScriptJsonSchema()["properties"].contains("scenes"));
}

TEST(PlannerTest, PaletteWords) {
    auto p = PaletteWords("Emerald and GOLDEN light, crimson sails, emerald again");
    ASSERT_EQ(p.size(), 3u);
    EXPECT_EQ(p[0], "emerald");
    EXPECT_EQ(p[1], "gold");
    EXPECT_EQ(p[2], "crimson");
}

}  // namespace
}  // namespace beacon::engines
