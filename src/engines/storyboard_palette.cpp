// The storyboard's palette and motifs, chosen from the words of the style, prompt and scene.
#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "engines/planner.hpp"
#include "engines/storyboard_draw.hpp"

namespace beacon::engines {

namespace storyboard {

std::string Lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

}  // namespace storyboard

namespace {

using storyboard::Hex;
using storyboard::Lower;

bool HasWord(const std::set<std::string>& words, std::initializer_list<const char*> keys) {
    for (const char* k : keys) {
        if (words.count(k)) return true;
    }
    return false;
}

std::set<std::string> WordSet(const std::string& text) {
    std::set<std::string> out;
    std::string cur;
    for (char c : Lower(text) + " ") {
        if (std::isalpha(static_cast<unsigned char>(c)) || c == '-') {
            cur.push_back(c);
        } else if (!cur.empty()) {
            out.insert(cur);
            // crude plural folding: "waves" → also "wave"
            if (cur.size() > 3 && cur.back() == 's') out.insert(cur.substr(0, cur.size() - 1));
            cur.clear();
        }
    }
    return out;
}

struct BasePalette {
    Rgb sky_top, sky_bottom, glow, far, mid, near, water;
};

const std::map<std::string, BasePalette>& Bases() {
    static const std::map<std::string, BasePalette> m = {
        {"teal",
         {Hex(0x06222b), Hex(0x1d5c63), Hex(0x7fb8a8), Hex(0x174a52), Hex(0x0f3940), Hex(0x061a1f),
          Hex(0x0d3b44)}},
        {"emerald",
         {Hex(0x04211a), Hex(0x1b6b52), Hex(0x9ad6b0), Hex(0x145a45), Hex(0x0c4030), Hex(0x04190f),
          Hex(0x0b3f33)}},
        {"gold",
         {Hex(0x2a1a06), Hex(0xb0782a), Hex(0xffd98a), Hex(0x7a4d1c), Hex(0x4f3213), Hex(0x1d1206),
          Hex(0x5c3d17)}},
        {"crimson",
         {Hex(0x1e0509), Hex(0x8c1c2a), Hex(0xff9a7a), Hex(0x5e1420), Hex(0x3d0c15), Hex(0x140307),
          Hex(0x4a0f1a)}},
        {"noir",
         {Hex(0x0b0b0c), Hex(0x4a4a4e), Hex(0xd8d8d8), Hex(0x2c2c2f), Hex(0x1b1b1d), Hex(0x050505),
          Hex(0x222225)}},
        {"sunset",
         {Hex(0x2b1740), Hex(0xe0794a), Hex(0xffc37a), Hex(0x6b3050), Hex(0x40203a), Hex(0x170a17),
          Hex(0x4a2540)}},
        {"azure",
         {Hex(0x1f5fa8), Hex(0xa6d3f2), Hex(0xfff6d8), Hex(0x5a86a8), Hex(0x2f5e6f), Hex(0x1a3440),
          Hex(0x2f73a0)}},
        {"violet",
         {Hex(0x150c2e), Hex(0x6a4a9c), Hex(0xe6b8ff), Hex(0x3e2c66), Hex(0x281c45), Hex(0x0c0818),
          Hex(0x2e2150)}},
        {"midnight",
         {Hex(0x03061a), Hex(0x1a2a5a), Hex(0x8fa6e0), Hex(0x141e40), Hex(0x0c1330), Hex(0x03050f),
          Hex(0x0d1838)}},
        {"dawn",
         {Hex(0x3a4a7a), Hex(0xf2b6a0), Hex(0xfff0d0), Hex(0x7a6a8a), Hex(0x4a4060), Hex(0x1a1626),
          Hex(0x5a5a85)}},
        {"desert",
         {Hex(0x6a3a1a), Hex(0xf0c080), Hex(0xfff0c0), Hex(0xb07040), Hex(0x8a5030), Hex(0x3a2010),
          Hex(0x7a5030)}},
        {"sepia",
         {Hex(0x2a2018), Hex(0xb89a70), Hex(0xf2e2c0), Hex(0x6a5438), Hex(0x4a3a26), Hex(0x1a140c),
          Hex(0x5a4a34)}},
    };
    return m;
}

const std::map<std::string, std::string>& BaseAliases() {
    static const std::map<std::string, std::string> m = {
        {"teal", "teal"},         {"turquoise", "teal"},  {"cyan", "teal"},
        {"jade", "emerald"},      {"emerald", "emerald"}, {"green", "emerald"},
        {"olive", "emerald"},     {"gold", "gold"},       {"amber", "gold"},
        {"ochre", "gold"},        {"copper", "gold"},     {"bronze", "gold"},
        {"orange", "sunset"},     {"yellow", "gold"},     {"crimson", "crimson"},
        {"red", "crimson"},       {"scarlet", "crimson"}, {"ruby", "crimson"},
        {"noir", "noir"},         {"black", "noir"},      {"monochrome", "noir"},
        {"charcoal", "noir"},     {"gray", "noir"},       {"obsidian", "noir"},
        {"silver", "noir"},       {"white", "noir"},      {"sunset", "sunset"},
        {"dusk", "sunset"},       {"twilight", "violet"}, {"rose", "sunset"},
        {"pink", "dawn"},         {"magenta", "violet"},  {"azure", "azure"},
        {"blue", "azure"},        {"cobalt", "midnight"}, {"navy", "midnight"},
        {"midnight", "midnight"}, {"indigo", "violet"},   {"violet", "violet"},
        {"purple", "violet"},     {"lavender", "violet"}, {"dawn", "dawn"},
        {"pastel", "dawn"},       {"cream", "dawn"},      {"ivory", "dawn"},
        {"sepia", "sepia"},       {"neon", "violet"},
    };
    return m;
}

const std::map<std::string, Rgb>& Accents() {
    static const std::map<std::string, Rgb> m = {
        {"gold", Hex(0xf2c14e)},      {"amber", Hex(0xffb547)},    {"teal", Hex(0x4fd1c5)},
        {"turquoise", Hex(0x40e0d0)}, {"emerald", Hex(0x50c878)},  {"green", Hex(0x6fdc8c)},
        {"crimson", Hex(0xe23a4e)},   {"red", Hex(0xff4a4a)},      {"scarlet", Hex(0xff3b2f)},
        {"ruby", Hex(0xe0115f)},      {"silver", Hex(0xdfe4ea)},   {"white", Hex(0xf6f4ee)},
        {"ivory", Hex(0xfffff0)},     {"cream", Hex(0xf5ecd7)},    {"copper", Hex(0xd9834a)},
        {"bronze", Hex(0xcd7f32)},    {"orange", Hex(0xff9a3c)},   {"yellow", Hex(0xffe066)},
        {"pink", Hex(0xff8fb1)},      {"rose", Hex(0xff7f9f)},     {"violet", Hex(0xb388ff)},
        {"purple", Hex(0xb07cff)},    {"lavender", Hex(0xc8b6ff)}, {"magenta", Hex(0xff4fd8)},
        {"azure", Hex(0x7cc4ff)},     {"blue", Hex(0x6aa8ff)},     {"cyan", Hex(0x5ef0ff)},
        {"neon", Hex(0x39ff14)},      {"sunset", Hex(0xffa45c)},   {"jade", Hex(0x00a86b)},
    };
    return m;
}

}  // namespace

StoryPalette PaletteFor(const std::string& text) {
    auto words = PaletteWords(text);
    StoryPalette p;
    std::string base = "teal";
    Rgb accent = Hex(0xf2c14e);  // brand gold
    std::string accent_name = "gold";
    std::vector<std::string> known;
    for (const auto& w : words) {
        if (BaseAliases().count(w) || Accents().count(w)) known.push_back(w);
    }
    if (!known.empty()) {
        auto it = BaseAliases().find(known[0]);
        if (it != BaseAliases().end()) base = it->second;
        if (known.size() > 1 && Accents().count(known[1])) {
            accent = Accents().at(known[1]);
            accent_name = known[1];
        } else if (base == "gold") {
            accent = Hex(0xfff0b3);
            accent_name = "pale gold";
        } else if (base == "noir") {
            accent = Hex(0xf4f1e6);
            accent_name = "white";
        } else if (base == "crimson") {
            accent = Hex(0xffb347);
            accent_name = "amber";
        }
    }
    const BasePalette& b = Bases().at(base);
    p.name = base + "+" + accent_name;
    p.sky_top = b.sky_top;
    p.sky_bottom = b.sky_bottom;
    p.glow = b.glow;
    p.far = b.far;
    p.mid = b.mid;
    p.near = b.near;
    p.water = b.water;
    p.accent = accent;
    p.text = Hex(0xf5ecd7);  // brand cream
    return p;
}

StoryMotifs MotifsFor(const std::string& text) {
    auto w = WordSet(text);
    StoryMotifs m;
    m.storm = HasWord(w, {"storm", "stormy", "thunder", "lightning", "tempest", "gale"});
    m.rain = m.storm || HasWord(w, {"rain", "rainy", "drizzle", "downpour"});
    m.sea = HasWord(w, {"sea", "ocean", "coast", "coastline", "wave", "shore", "harbor", "harbour",
                        "beach", "bay", "tide", "lake", "water", "sail", "ship", "boat"});
    m.lighthouse = HasWord(w, {"lighthouse", "beacon", "lightkeeper"});
    m.tower = !m.lighthouse && HasWord(w, {"tower", "castle", "spire", "keep", "clocktower"});
    m.city = HasWord(
        w, {"city", "skyline", "street", "town", "metropolis", "downtown", "village", "rooftop"});
    m.trees = HasWord(w, {"forest", "tree", "woods", "pine", "grove", "jungle", "park"});
    m.mountains = HasWord(w, {"mountain", "peak", "alps", "ridge", "cliff", "summit", "volcano"});
    m.desert = HasWord(w, {"desert", "dune", "sand", "sahara"});
    m.hills = HasWord(w, {"hill", "valley", "meadow", "field", "countryside", "farm", "land"}) ||
              m.desert || (!m.sea && !m.city);
    m.night = HasWord(
        w, {"night", "moon", "moonlit", "moonlight", "star", "starry", "midnight", "nocturnal"});
    m.dusk = HasWord(w, {"dusk", "sunset", "twilight", "evening", "dawn", "sunrise", "golden"});
    m.sun = HasWord(w, {"sun", "sunny", "sunrise", "sunset", "noon", "morning", "day"}) && !m.night;
    m.boat = HasWord(w, {"boat", "ship", "sail", "sailboat", "fleet", "fisherman", "ferry"});
    m.birds = HasWord(w, {"bird", "gull", "seagull", "eagle", "crow", "flock", "dove"});
    return m;
}

}  // namespace beacon::engines
