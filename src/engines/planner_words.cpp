// The built-in planner's English words: splitting and joining, the vocabulary of function
// words and palettes, and verb forms.
#include "engines/planner_text.hpp"

#include <algorithm>
#include <cctype>
#include <map>

namespace beacon::engines::planner_text {

std::string Lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::string Trim(std::string_view s) {
    auto b = s.find_first_not_of(" \t\r\n,;:-");
    auto e = s.find_last_not_of(" \t\r\n,;:-");
    return b == std::string_view::npos ? "" : std::string(s.substr(b, e - b + 1));
}

std::vector<std::string> Words(std::string_view s) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : s) {
        if (std::isspace(static_cast<unsigned char>(c))) {
            if (!cur.empty()) out.push_back(std::move(cur));
            cur.clear();
        } else {
            cur.push_back(c);
        }
    }
    if (!cur.empty()) out.push_back(std::move(cur));
    return out;
}

std::string Join(const std::vector<std::string>& v, std::string_view sep) {
    std::string out;
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (i) out += sep;
        out += v[i];
    }
    return out;
}

std::string StripPunct(std::string w) {
    while (!w.empty() && std::ispunct(static_cast<unsigned char>(w.back()))) w.pop_back();
    while (!w.empty() && std::ispunct(static_cast<unsigned char>(w.front()))) w.erase(0, 1);
    return w;
}

std::uint64_t Hash(std::string_view s) {
    std::uint64_t h = 1469598103934665603ull;
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return h;
}

const std::array<std::pair<const char*, int>, 14> kNumberWords = {{
    {"one", 1},
    {"single", 1},
    {"two", 2},
    {"couple", 2},
    {"three", 3},
    {"four", 4},
    {"five", 5},
    {"six", 6},
    {"seven", 7},
    {"eight", 8},
    {"nine", 9},
    {"ten", 10},
    {"eleven", 11},
    {"twelve", 12},
}};

const std::regex& SceneCountRegex() {
    static const std::regex re(
        R"((?:\b(?:in|with|across|over)\s+)?\b(\d{1,3}|one|single|two|couple\s+of|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\s+(?:short\s+|distinct\s+|separate\s+)?(?:scenes?|shots?|parts?|beats?|panels?)\b)",
        std::regex::icase);
    return re;
}

const std::vector<std::string>& PaletteVocabulary() {
    static const std::vector<std::string> v = {
        "emerald", "gold",   "golden",     "crimson", "teal",      "noir",     "sunset",   "amber",
        "azure",   "cobalt", "violet",     "purple",  "indigo",    "scarlet",  "ruby",     "silver",
        "ivory",   "cream",  "rose",       "pink",    "turquoise", "jade",     "copper",   "bronze",
        "navy",    "pastel", "monochrome", "sepia",   "neon",      "charcoal", "obsidian", "blue",
        "green",   "red",    "orange",     "yellow",  "white",     "black",    "grey",     "gray",
        "magenta", "cyan",   "ochre",      "olive",   "lavender"};
    return v;
}

bool IsPaletteWord(const std::string& w) {
    const auto& v = PaletteVocabulary();
    return std::find(v.begin(), v.end(), w) != v.end();
}

// ---- English text rules: just enough grammar to keep the planner's sentences whole -------------

const std::set<std::string>& Determiners() {
    static const std::set<std::string> s = {
        "a",   "an",    "the",     "this",    "these", "those", "some", "every", "each",
        "its", "their", "his",     "her",     "our",   "my",    "your", "no",    "any",
        "all", "both",  "another", "several", "many",  "few",   "whose"};
    return s;
}

const std::set<std::string>& Prepositions() {
    static const std::set<std::string> s = {
        "of",         "in",      "on",      "at",      "to",     "for",    "by",     "with",
        "from",       "over",    "into",    "onto",    "under",  "above",  "below",  "across",
        "through",    "toward",  "towards", "between", "behind", "beside", "near",   "around",
        "along",      "against", "among",   "beneath", "beyond", "during", "inside", "outside",
        "past",       "upon",    "within",  "without", "up",     "down",   "off",    "out",
        "about",      "after",   "before",  "until",   "via",    "amid",   "amidst", "throughout",
        "underneath", "like",    "than"};
    return s;
}

const std::set<std::string>& Conjunctions() {
    static const std::set<std::string> s = {
        "and",     "or",       "but",    "nor",  "so",   "yet",      "while",   "as",
        "because", "although", "though", "if",   "when", "where",    "whereas", "that",
        "which",   "who",      "whom",   "then", "once", "whenever", "unless",  "since"};
    return s;
}

const std::set<std::string>& Auxiliaries() {
    static const std::set<std::string> s = {"is",    "are",    "was",  "were",  "be",  "been",
                                            "being", "am",     "has",  "have",  "had", "do",
                                            "does",  "did",    "will", "would", "can", "could",
                                            "shall", "should", "may",  "might", "must"};
    return s;
}

const std::set<std::string>& SubjectPronouns() {
    static const std::set<std::string> s = {"he", "she", "it", "they", "we", "i", "you"};
    return s;
}

bool IsFunctionWord(const std::string& lower) {
    return Determiners().count(lower) || Prepositions().count(lower) ||
           Conjunctions().count(lower) || Auxiliaries().count(lower);
}

const std::set<std::string>& LeadingConnectors() {
    static const std::set<std::string> s = {
        "and",      "but",        "so",   "then", "finally", "later", "meanwhile",
        "suddenly", "eventually", "next", "soon", "now",     "also",  "or"};
    return s;
}

const char* const kVerbs[] = {
    "walk",     "run",      "fly",        "swim",      "climb",    "dance",     "sing",
    "play",     "paint",    "build",      "learn",     "watch",    "look",      "see",
    "find",     "discover", "explore",    "cross",     "chase",    "follow",    "lead",
    "guide",    "carry",    "drift",      "float",     "fall",     "rise",      "grow",
    "glow",     "shine",    "burn",       "light",     "flicker",  "sweep",     "sail",
    "drive",    "ride",     "race",       "jump",      "leap",     "spin",      "turn",
    "wander",   "roam",     "travel",     "search",    "hunt",     "hide",      "seek",
    "wait",     "stand",    "sit",        "sleep",     "wake",     "dream",     "fight",
    "escape",   "return",   "open",       "close",     "break",    "crash",     "fix",
    "repair",   "make",     "create",     "write",     "read",     "draw",      "cook",
    "bake",     "eat",      "drink",      "share",     "help",     "save",      "rescue",
    "protect",  "defend",   "control",    "command",   "summon",   "call",      "whisper",
    "speak",    "talk",     "tell",       "listen",    "hear",     "meet",      "greet",
    "hug",      "kiss",     "love",       "fear",      "face",     "reach",     "pull",
    "push",     "lift",     "drop",       "throw",     "catch",    "hold",      "keep",
    "leave",    "arrive",   "enter",      "stop",      "start",    "begin",     "finish",
    "bloom",    "wilt",     "melt",       "freeze",    "flow",     "pour",      "roll",
    "swirl",    "twist",    "fade",       "appear",    "vanish",   "disappear", "emerge",
    "collapse", "shatter",  "explode",    "erupt",     "glide",    "soar",      "hover",
    "circle",   "orbit",    "land",       "launch",    "dive",     "sink",      "plant",
    "harvest",  "gather",   "collect",    "sell",      "buy",      "trade",     "move",
    "shift",    "change",   "become",     "transform", "remember", "forget",    "try",
    "decide",   "notice",   "stare",      "gaze",      "smile",    "laugh",     "cry",
    "weep",     "scream",   "shout",      "sigh",      "breathe",  "rest",      "pause",
    "linger",   "stay",     "live",       "die",       "survive",  "struggle",  "hike",
    "march",    "stroll",   "skate",      "ski",       "surf",     "paddle",    "row",
    "steer",    "navigate", "wash",       "clean",     "dig",      "mend",      "sew",
    "knit",     "weave",    "shape",      "carve",     "sculpt",   "forge",     "hammer",
    "tend",     "feed",     "guard",      "patrol",    "scan",     "send",      "receive",
    "signal",   "warn",     "illuminate", "reveal",    "uncover",  "cover",     "wrap",
    "fill",     "ignite",   "spark",      "power",     "hum",      "buzz",      "ring",
    "echo",     "sparkle",  "shimmer",    "glitter",   "twinkle",  "wave",      "go",
    "come",     "take",     "give",       "bring",     "get",      "put",       "set",
    "cut",      "hit",      "win",        "lose",      "swing",    "sway",      "shake",
    "tremble",  "crawl",    "creep",      "sneak",     "prowl",    "stalk",     "pounce",
    "bite",     "bark",     "howl",       "roar",      "chirp",    "nest",      "hatch",
    "swoop",    "perch",    "graze",      "gallop",    "trot",     "wag",       "purr",
    "nap",      "chew",     "sniff",      "wade",      "splash",   "drip",      "drizzle",
    "pass",     "rush",     "hurry",      "chart",     "map",      "invent",    "design",
    "program",  "code",     "compute",    "dock",      "depart",   "unfold",    "unfurl",
    "spread",   "stretch",  "bend",       "bow",       "kneel",    "pray",      "celebrate",
    "welcome",  "visit",    "deliver",    "wander",    "blossom",  "wither",    "sprout",
    "battle",   "defeat",   "conquer",    "steal",     "strike",   "flood",     "sparkle",
    "gleam",    "glisten",  "beam",       "blaze",     "smoke",    "smolder",   "crackle",
    "brew",     "grind",    "stir",       "taste",     "serve",    "wipe",      "polish",
    "sweep",    "tidy",     "fold",       "pack",      "unpack",   "load",      "tow",
    "haul",     "pilot",    "fish",       "row",       "anchor",   "moor",      "slide",
    "slip",     "trip",     "stumble",    "tumble",    "bounce",   "wobble",    "juggle",
    "perform",  "practice", "rehearse",   "train",     "study",    "teach",     "think",
    "know",     "feel",     "wonder",     "imagine",   "hope",     "wish",      "need",
    "want",     "like",     "miss",       "await",     "guard",    "question",  "answer",
    "ask",      "listen",   "wear",       "blow",      "dodge",    "weave",     "zoom",
    "speed",    "crash",    "park",       "honk",      "board",    "ferry",     "tie",
    "release",  "untie",    "hang",       "pick",      "kick",     "toss",      "spill",
    "clear",    "fetch",    "shelter",    "comfort",   "drag",     "pet",       "flee",
};

const std::set<std::string>& DoublingVerbs() {
    static const std::set<std::string> s = {
        "run",    "swim", "spin", "sit",     "drop", "stop", "begin", "forget", "control",
        "patrol", "hug",  "dig",  "plan",    "trap", "step", "skip",  "cut",    "hit",
        "get",    "put",  "set",  "win",     "wag",  "nap",  "drip",  "slip",   "trip",
        "hum",    "scan", "stir", "program", "map",  "shop", "plot",  "chat",   "clap",
        "jog",    "nod",  "rob",  "rub",     "spot", "swap", "tap",   "trot",   "zip"};
    return s;
}

const std::map<std::string, std::string>& IrregularPasts() {
    static const std::map<std::string, std::string> m = {
        {"ran", "run"},      {"flew", "fly"},      {"fell", "fall"},     {"rose", "rise"},
        {"grew", "grow"},    {"took", "take"},     {"made", "make"},     {"saw", "see"},
        {"found", "find"},   {"came", "come"},     {"went", "go"},       {"broke", "break"},
        {"built", "build"},  {"caught", "catch"},  {"drove", "drive"},   {"drew", "draw"},
        {"sang", "sing"},    {"swam", "swim"},     {"threw", "throw"},   {"woke", "wake"},
        {"won", "win"},      {"wrote", "write"},   {"held", "hold"},     {"led", "lead"},
        {"left", "leave"},   {"lost", "lose"},     {"met", "meet"},      {"sat", "sit"},
        {"stood", "stand"},  {"told", "tell"},     {"brought", "bring"}, {"fought", "fight"},
        {"began", "begin"},  {"became", "become"}, {"gave", "give"},     {"hid", "hide"},
        {"lit", "light"},    {"shone", "shine"},   {"spun", "spin"},     {"struck", "strike"},
        {"swept", "sweep"},  {"slept", "sleep"},   {"kept", "keep"},     {"felt", "feel"},
        {"heard", "hear"},   {"knew", "know"},     {"sank", "sink"},     {"shook", "shake"},
        {"spoke", "speak"},  {"stole", "steal"},   {"dove", "dive"},     {"froze", "freeze"},
        {"rode", "ride"},    {"sought", "seek"},   {"taught", "teach"},  {"thought", "think"},
        {"wove", "weave"},   {"dug", "dig"},       {"ate", "eat"},       {"drank", "drink"},
        {"blew", "blow"},    {"wore", "wear"},     {"slid", "slide"},    {"crept", "creep"},
        {"knelt", "kneel"},  {"fled", "flee"},     {"bent", "bend"},     {"sent", "send"},
        {"spread", "spread"}};
    return m;
}

bool IsVowel(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'; }

bool EndsWith(const std::string& s, std::string_view tail) {
    return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

std::string SForm(const std::string& base) {
    if (base == "go") return "goes";
    if (EndsWith(base, "s") || EndsWith(base, "sh") || EndsWith(base, "ch") ||
        EndsWith(base, "x") || EndsWith(base, "z")) {
        return base + "es";
    }
    if (base.size() > 1 && base.back() == 'y' && !IsVowel(base[base.size() - 2])) {
        return base.substr(0, base.size() - 1) + "ies";
    }
    return base + "s";
}

std::string PastForm(const std::string& base) {
    if (base.back() == 'e') return base + "d";
    if (base.size() > 1 && base.back() == 'y' && !IsVowel(base[base.size() - 2])) {
        return base.substr(0, base.size() - 1) + "ied";
    }
    if (DoublingVerbs().count(base)) return base + base.back() + "ed";
    return base + "ed";
}

std::string IngForm(const std::string& base) {
    if (EndsWith(base, "ie")) return base.substr(0, base.size() - 2) + "ying";
    if (base.size() > 2 && base.back() == 'e' && !EndsWith(base, "ee") && !EndsWith(base, "oe") &&
        !EndsWith(base, "ye")) {
        return base.substr(0, base.size() - 1) + "ing";
    }
    if (DoublingVerbs().count(base)) return base + base.back() + "ing";
    return base + "ing";
}

const std::map<std::string, VerbEntry>& VerbForms() {
    static const std::map<std::string, VerbEntry> m = [] {
        std::map<std::string, VerbEntry> out;
        for (const char* v : kVerbs) out.emplace(v, VerbEntry{v, VerbForm::kBase});
        for (const char* v : kVerbs) {
            std::string b = v;
            out.emplace(SForm(b), VerbEntry{b, VerbForm::kS});
            out.emplace(PastForm(b), VerbEntry{b, VerbForm::kPast});
            out.emplace(IngForm(b), VerbEntry{b, VerbForm::kIng});
        }
        for (const auto& [past, base] : IrregularPasts())
            out.emplace(past, VerbEntry{base, VerbForm::kPast});
        return out;
    }();
    return m;
}

const VerbEntry* Verb(const std::string& lower) {
    auto it = VerbForms().find(lower);
    return it == VerbForms().end() ? nullptr : &it->second;
}

const std::set<std::string>& ObjectPronounWords() {
    static const std::set<std::string> s = {"him", "her",    "them",       "us",      "me",
                                            "it",  "itself", "themselves", "himself", "herself"};
    return s;
}

bool IsPluralNoun(const std::string& lower) {
    static const std::set<std::string> irregular = {"children", "people", "men",  "women",
                                                    "mice",     "geese",  "feet", "teeth",
                                                    "sheep",    "fish",   "deer", "crowds"};
    if (irregular.count(lower) || SubjectPronouns().count(lower)) {
        return lower != "he" && lower != "she" && lower != "it";
    }
    return lower.size() > 2 && lower.back() == 's' && !EndsWith(lower, "ss") &&
           !EndsWith(lower, "us") && !EndsWith(lower, "is") && !IsFunctionWord(lower);
}

std::vector<std::string> LowerAll(const std::vector<std::string>& ws) {
    std::vector<std::string> out;
    out.reserve(ws.size());
    for (const auto& w : ws) out.push_back(Lower(w));
    return out;
}

}  // namespace beacon::engines::planner_text
