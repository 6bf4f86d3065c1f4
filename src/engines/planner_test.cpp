#include "engines/planner.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <cmath>
#include <set>

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

// ---- what a user reads: titles and sentences -----------------------------------------------

const std::set<std::string>& FunctionWords() {
    // Articles, determiners, prepositions, conjunctions, auxiliaries: never the last word.
    static const std::set<std::string> s = {
        "a", "an", "the", "this", "these", "those", "some", "every", "each", "its", "their", "his",
        "her", "our", "my", "your", "of", "in", "on", "at", "to", "for", "by", "with", "from",
        "over", "into", "onto", "under", "above", "below", "across", "through", "toward",
        "towards", "between", "behind", "beside", "near", "around", "along", "against", "among",
        "beneath", "beyond", "during", "inside", "outside", "upon", "within", "without", "up",
        "down", "off", "out", "about", "after", "before", "until", "via", "and", "or", "but",
        "nor", "so", "yet", "while", "as", "because", "although", "though", "if", "when", "where",
        "that", "which", "who", "whom", "then", "than", "is", "are", "was", "were", "be", "been",
        "being", "am", "has", "have", "had", "do", "does", "did", "will", "would", "can", "could",
        "shall", "should", "may", "might", "must"};
    return s;
}

std::vector<std::string> LowerWords(const std::string& s) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : s + " ") {
        if (std::isalnum(static_cast<unsigned char>(c)) || c == '\'' || c == '-' ||
            static_cast<unsigned char>(c) >= 0x80) {
            cur.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
        } else if (c == ' ' || c == '\n') {
            if (!cur.empty()) out.push_back(cur);
            cur.clear();
        }
    }
    return out;
}

/// Sentences of a text: split after ". ", "! ", "? " and at the end.
std::vector<std::string> Sentences(const std::string& text) {
    std::vector<std::string> out;
    std::string cur;
    for (std::size_t i = 0; i < text.size(); ++i) {
        cur.push_back(text[i]);
        const bool end = text[i] == '.' || text[i] == '!' || text[i] == '?';
        if (end && (i + 1 == text.size() || text[i + 1] == ' ')) {
            out.push_back(cur);
            cur.clear();
            if (i + 1 < text.size()) ++i;
        }
    }
    if (!cur.empty()) out.push_back(cur);
    return out;
}

/// Adds a failure for each way `text` is not a whole sentence (or run of sentences).
void ExpectWholeSentences(const std::string& text, const std::string& what) {
    ASSERT_FALSE(text.empty()) << what;
    for (const auto& s : Sentences(text)) {
        EXPECT_TRUE(std::isupper(static_cast<unsigned char>(s[0])) || std::isdigit(static_cast<unsigned char>(s[0])))
            << what << ": sentence starts in lower case: \"" << s << "\"";
        const char last = s.back();
        EXPECT_TRUE(last == '.' || last == '!' || last == '?')
            << what << ": sentence lacks end punctuation: \"" << s << "\"";
        auto ws = LowerWords(s);
        ASSERT_FALSE(ws.empty()) << what;
        EXPECT_FALSE(FunctionWords().count(ws.back()))
            << what << ": sentence ends in \"" << ws.back() << "\": \"" << s << "\"";
    }
    auto ws = LowerWords(text);
    for (std::size_t i = 1; i < ws.size(); ++i) {
        EXPECT_NE(ws[i], ws[i - 1]) << what << ": doubled word \"" << ws[i] << "\" in \"" << text << "\"";
    }
}

void ExpectTitle(const std::string& title, const std::string& what) {
    auto ws = LowerWords(title);
    ASSERT_FALSE(ws.empty()) << what;
    EXPECT_LE(ws.size(), 6u) << what << ": title \"" << title << "\"";
    EXPECT_FALSE(FunctionWords().count(ws.back())) << what << ": title cut mid-phrase: \"" << title << "\"";
    EXPECT_TRUE(std::isupper(static_cast<unsigned char>(title[0])) || std::isdigit(static_cast<unsigned char>(title[0])))
        << what << ": \"" << title << "\"";
    for (std::size_t i = 1; i < ws.size(); ++i) EXPECT_NE(ws[i], ws[i - 1]) << what << ": \"" << title << "\"";
    EXPECT_EQ(title.find_first_of(".,;:!?"), std::string::npos) << what << ": \"" << title << "\"";
}

struct PromptCase {
    std::string prompt;
    double duration;
    std::size_t scenes;
};

/// Varied prompts as users write them: requests with scaffolding, lists, long clauses, verbs in
/// several tenses, plural subjects, pronouns, names, palettes, styles, scene counts, durations.
const std::vector<PromptCase>& VariedPrompts() {
    static const std::vector<PromptCase> v = {
        {"A short sci-fi animation about a lighthouse that controls storms.", 7, 2},
        {"A lighthouse keeper on a rocky island watches the first storm roll in, and the beam guides a lost fishing boat home.", 14, 3},
        {"A lighthouse on a stormy coast at dusk, emerald and gold palette, 2 scenes", 7, 2},
        {"Make a video about a fox crossing a snowy forest. Then it finds a den. Finally it sleeps.", 12, 3},
        {"three scenes: city skyline at night, a train leaving, sunrise over the river", 10, 3},
        {"rain", 1, 1},
        {"A robot learns to paint", 45, 10},
        {"Please create a 10-second clip of two cats playing chess on a rainy afternoon", 10, 2},
        {"Show me a hot air balloon drifting over green valleys at sunrise", 9, 2},
        {"An astronaut plants a garden on Mars in 4 scenes", 16, 4},
        {"Children build a sandcastle and the tide slowly washes it away", 8, 2},
        {"A tiny dragon who is afraid of the dark learns to glow", 12, 3},
        {"Generate a documentary-style piece about bees pollinating wildflowers in a meadow", 20, 4},
        {"The old clockmaker repairs a broken pocket watch by candlelight", 6, 1},
        {"a neon city street in the rain, cyberpunk style, six shots", 24, 6},
        {"Waves crash against the cliffs while gulls circle overhead", 7, 2},
        {"An owl watches over a sleeping village under a full moon", 5, 1},
        {"In a quiet library, a girl discovers a map hidden inside an ancient book", 14, 3},
        {"Create a noir film about a detective walking through foggy streets at midnight", 10, 2},
        {"Sunflowers turning toward the morning sun", 4, 1},
        {"A ship sails into a harbour at dawn. The crew ties the ropes. Gulls scream above the masts.", 12, 3},
        {"Desert caravan crossing golden dunes under a crimson sky, in the style of an old postcard", 9, 2},
        {"Give me a cozy story about a bakery opening before sunrise and the first customers arriving", 15, 3},
        {"A mountain climber reaches the summit as clouds part below her", 8, 2},
        {"two robots dance in an abandoned factory", 6, 1},
        {"A child releases a paper boat into a stream. It drifts past frogs and reeds. It reaches a waterfall.", 18, 4},
        {"Fireflies light up a summer meadow", 5, 1},
        {"Make a 30 second commercial for a coffee shop where baristas pour latte art", 30, 7},
        {"A snow leopard stalks its prey across icy ridges in the Himalayas", 10, 2},
        {"Tokyo at night, crowds crossing Shibuya, taxis streaking past, rain on the glass", 12, 3},
        {"A grandmother teaches her grandson to fish on a misty lake", 8, 2},
        {"The volcano erupted and the villagers fled to the boats", 9, 2},
        {"A knight rides through an enchanted forest to rescue a dragon from a princess", 16, 4},
        {"Autumn leaves fall on an empty park bench", 4, 1},
        {"A jazz band plays in a smoky basement club, monochrome", 7, 2},
        {"Imagine a whale swimming through clouds above a sleeping city", 10, 2},
        {"A time-lapse of a flower blooming, then wilting", 9, 2},
        {"Kids race paper planes off a rooftop in single scene", 5, 1},
        {"The last tree on earth is protected by a small robot", 12, 3},
        {"An explorer finds a hidden temple in the jungle and lights a torch", 10, 2},
        {"Render an animation about the northern lights dancing over a frozen lake with a lone cabin", 14, 3},
        {"a musician busking in the subway as commuters rush by", 7, 2},
        {"A cat knocks a glass off the table", 3, 1},
        {"Vintage cars racing along a coastal road in the 1960s, pastel palette, over five scenes", 20, 5},
        {"The moon falls in love with the ocean", 7, 2},
        {"A lonely lighthouse keeper writes letters to the sea and the sea writes back", 12, 3},
    };
    return v;
}

TEST(PlannerTest, WholeSentencesAndRealTitlesOnVariedPrompts) {
    ASSERT_GE(VariedPrompts().size(), 40u);
    BuiltinPlanner p;
    for (const auto& c : VariedPrompts()) {
        SCOPED_TRACE(c.prompt);
        ScriptRequest req{c.prompt, "", "", "en", c.duration};
        auto r = p.Write(req, {}, {});
        ASSERT_TRUE(r.ok()) << r.error().message;
        const core::Script& s = r->script;
        EXPECT_EQ(s.scenes.size(), c.scenes);
        EXPECT_NEAR(Sum(s), c.duration, 1e-9);
        ExpectTitle(s.title, "title");
        ExpectWholeSentences(s.description, "script description");
        for (const auto& sc : s.scenes) {
            const std::string where = "scene " + std::to_string(sc.id);
            ExpectWholeSentences(sc.description, where + " description");
            ASSERT_FALSE(sc.lines.empty()) << where;
            for (const auto& l : sc.lines) ExpectWholeSentences(l, where + " narration");
            ExpectTitle(SceneTitle(sc), where + " title");
        }
        // The same request writes the same script.
        auto again = p.Write(req, {}, {});
        ASSERT_TRUE(again.ok());
        EXPECT_EQ(again->raw, r->raw);
    }
}

TEST(PlannerTest, TitlesNameTheSubject) {
    BuiltinPlanner p;
    auto title = [&](const std::string& prompt) {
        auto r = p.Write({prompt, "", "", "en", 7}, {}, {});
        return r.ok() ? r->script.title : "error: " + r.error().message;
    };
    EXPECT_EQ(title("A short sci-fi animation about a lighthouse that controls storms."),
              "The Lighthouse That Controls Storms");
    EXPECT_EQ(title("A robot learns to paint"), "The Robot That Learns to Paint");
    EXPECT_EQ(title("Make a video about a fox crossing a snowy forest at night."),
              "The Fox Crossing a Snowy Forest");
    EXPECT_EQ(title("A lighthouse keeper on a rocky island watches the first storm roll in"),
              "The Lighthouse Keeper");
    EXPECT_EQ(title("three scenes: city skyline at night, a train leaving"), "City Skyline at Night");
}

TEST(PlannerTest, ClausesBecomeShotsAndSentences) {
    BuiltinPlanner p;
    auto r = p.Write({"A lighthouse keeper on a rocky island watches the first storm roll in, "
                      "and the beam guides a lost fishing boat home.", "", "", "en", 10},
                     {}, {});
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->script.scenes.size(), 2u);
    const auto& a = r->script.scenes[0];
    const auto& b = r->script.scenes[1];
    EXPECT_EQ(a.description.rfind("Wide establishing shot of a lighthouse keeper", 0), 0u) << a.description;
    EXPECT_NE(a.description.find("watching the first storm"), std::string::npos) << a.description;
    EXPECT_EQ(b.description, "Close-up of the beam guiding a lost fishing boat home.");
    EXPECT_EQ(b.lines.front(), "The beam guides a lost fishing boat home.");
    // A noun phrase prompt is narrated as a sentence with a verb.
    auto f = p.Write({"Make a video about a fox crossing a snowy forest.", "", "", "en", 3}, {}, {});
    ASSERT_TRUE(f.ok());
    EXPECT_EQ(f->script.scenes[0].lines.front(), "A fox crosses a snowy forest.");
    EXPECT_EQ(SceneTitle(f->script.scenes[0]), "The Fox Crossing a Snowy Forest");
}

TEST(PlannerTest, DeterministicAndHonoursTitleStyleAndPalette) {
    BuiltinPlanner p;
    ScriptRequest req{"A lighthouse on a stormy coast at dusk, emerald and gold palette", "", "noir", "en", 7};
    auto a = p.Write(req, {}, {});
    auto b = p.Write(req, {}, {});
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(a->raw, b->raw);
    EXPECT_EQ(a->script.title, "The Lighthouse on a Stormy Coast");
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
