#include "engines/planner.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <map>
#include <regex>
#include <set>

namespace beacon::engines {

using core::Error;
using core::Scene;
using core::Script;

namespace {

constexpr int kMaxScenes = 12;
constexpr double kWordsPerSecond = 2.5;
constexpr std::size_t kMaxTitleWords = 6;

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

/// FNV-1a, for deterministic variety.
std::uint64_t Hash(std::string_view s) {
    std::uint64_t h = 1469598103934665603ull;
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return h;
}

const std::array<std::pair<const char*, int>, 14> kNumberWords = {{
    {"one", 1}, {"single", 1}, {"two", 2}, {"couple", 2}, {"three", 3}, {"four", 4},
    {"five", 5}, {"six", 6}, {"seven", 7}, {"eight", 8}, {"nine", 9}, {"ten", 10},
    {"eleven", 11}, {"twelve", 12},
}};

const std::regex& SceneCountRegex() {
    static const std::regex re(
        R"((?:\b(?:in|with|across|over)\s+)?\b(\d{1,3}|one|single|two|couple\s+of|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\s+(?:short\s+|distinct\s+|separate\s+)?(?:scenes?|shots?|parts?|beats?|panels?)\b)",
        std::regex::icase);
    return re;
}

const std::vector<std::string>& PaletteVocabulary() {
    static const std::vector<std::string> v = {
        "emerald", "gold", "golden", "crimson", "teal", "noir", "sunset", "amber", "azure",
        "cobalt", "violet", "purple", "indigo", "scarlet", "ruby", "silver", "ivory", "cream",
        "rose", "pink", "turquoise", "jade", "copper", "bronze", "navy", "pastel", "monochrome",
        "sepia", "neon", "charcoal", "obsidian", "blue", "green", "red", "orange", "yellow",
        "white", "black", "grey", "gray", "magenta", "cyan", "ochre", "olive", "lavender"};
    return v;
}

bool IsPaletteWord(const std::string& w) {
    const auto& v = PaletteVocabulary();
    return std::find(v.begin(), v.end(), w) != v.end();
}

// ---- English text rules: just enough grammar to keep the planner's sentences whole -------------

const std::set<std::string>& Determiners() {
    static const std::set<std::string> s = {
        "a",     "an",   "the",  "this",  "these", "those",   "some",    "every", "each",
        "its",   "their", "his", "her",   "our",   "my",      "your",    "no",    "any",
        "all",   "both",  "another", "several", "many", "few", "whose"};
    return s;
}

const std::set<std::string>& Prepositions() {
    static const std::set<std::string> s = {
        "of",     "in",      "on",      "at",     "to",      "for",     "by",      "with",
        "from",   "over",    "into",    "onto",   "under",   "above",   "below",   "across",
        "through", "toward", "towards", "between", "behind", "beside",  "near",    "around",
        "along",  "against", "among",   "beneath", "beyond", "during",  "inside",  "outside",
        "past",   "upon",    "within",  "without", "up",     "down",    "off",     "out",
        "about",  "after",   "before",  "until",  "via",     "amid",    "amidst",  "throughout",
        "underneath", "like", "than"};
    return s;
}

const std::set<std::string>& Conjunctions() {
    static const std::set<std::string> s = {
        "and",  "or",   "but",  "nor",   "so",    "yet",   "while", "as",   "because",
        "although", "though", "if", "when", "where", "whereas", "that", "which", "who",
        "whom", "then", "once", "whenever", "unless", "since"};
    return s;
}

const std::set<std::string>& Auxiliaries() {
    static const std::set<std::string> s = {"is",   "are",   "was",   "were",  "be",    "been",
                                            "being", "am",   "has",   "have",  "had",   "do",
                                            "does", "did",   "will",  "would", "can",   "could",
                                            "shall", "should", "may", "might", "must"};
    return s;
}

const std::set<std::string>& SubjectPronouns() {
    static const std::set<std::string> s = {"he", "she", "it", "they", "we", "i", "you"};
    return s;
}

/// Words a sentence or title must never end on: articles, determiners, prepositions,
/// conjunctions, auxiliaries.
bool IsFunctionWord(const std::string& lower) {
    return Determiners().count(lower) || Prepositions().count(lower) ||
           Conjunctions().count(lower) || Auxiliaries().count(lower);
}

/// Request connectors that open a clause but carry no story ("and", "then", "finally").
const std::set<std::string>& LeadingConnectors() {
    static const std::set<std::string> s = {"and",   "but",     "so",        "then",  "finally",
                                            "later", "meanwhile", "suddenly", "eventually",
                                            "next",  "soon",    "now",       "also",  "or"};
    return s;
}

enum class VerbForm { kBase, kS, kPast, kIng };

struct VerbEntry {
    std::string base;
    VerbForm form;
};

/// Common verbs of visual stories: base forms. Forms are derived by rule; the doubling set and
/// the irregular pasts cover the exceptions among them.
const char* const kVerbs[] = {
    "walk", "run", "fly", "swim", "climb", "dance", "sing", "play", "paint", "build", "learn",
    "watch", "look", "see", "find", "discover", "explore", "cross", "chase", "follow", "lead",
    "guide", "carry", "drift", "float", "fall", "rise", "grow", "glow", "shine", "burn", "light",
    "flicker", "sweep", "sail", "drive", "ride", "race", "jump", "leap", "spin", "turn", "wander",
    "roam", "travel", "search", "hunt", "hide", "seek", "wait", "stand", "sit", "sleep", "wake",
    "dream", "fight", "escape", "return", "open", "close", "break", "crash", "fix", "repair",
    "make", "create", "write", "read", "draw", "cook", "bake", "eat", "drink", "share", "help",
    "save", "rescue", "protect", "defend", "control", "command", "summon", "call", "whisper",
    "speak", "talk", "tell", "listen", "hear", "meet", "greet", "hug", "kiss", "love", "fear",
    "face", "reach", "pull", "push", "lift", "drop", "throw", "catch", "hold", "keep", "leave",
    "arrive", "enter", "stop", "start", "begin", "finish", "bloom", "wilt", "melt", "freeze", "flow",
    "pour", "roll", "swirl", "twist", "fade", "appear", "vanish", "disappear",
    "emerge", "collapse", "shatter", "explode", "erupt", "glide", "soar", "hover", "circle",
    "orbit", "land", "launch", "dive", "sink", "plant", "harvest", "gather", "collect", "sell",
    "buy", "trade", "move", "shift", "change", "become", "transform", "remember", "forget", "try",
    "decide", "notice", "stare", "gaze", "smile", "laugh", "cry", "weep", "scream", "shout",
    "sigh", "breathe", "rest", "pause", "linger", "stay", "live", "die", "survive", "struggle",
    "hike", "march", "stroll", "skate", "ski", "surf", "paddle", "row", "steer", "navigate",
    "wash", "clean", "dig", "mend", "sew", "knit", "weave", "shape", "carve", "sculpt", "forge",
    "hammer", "tend", "feed", "guard", "patrol", "scan", "send", "receive", "signal", "warn",
    "illuminate", "reveal", "uncover", "cover", "wrap", "fill", "ignite", "spark", "power",
    "hum", "buzz", "ring", "echo", "sparkle", "shimmer", "glitter", "twinkle", "wave", "go",
    "come", "take", "give", "bring", "get", "put", "set", "cut", "hit", "win", "lose", "swing",
    "sway", "shake", "tremble", "crawl", "creep", "sneak", "prowl", "stalk", "pounce", "bite",
    "bark", "howl", "roar", "chirp", "nest", "hatch", "swoop", "perch", "graze", "gallop",
    "trot", "wag", "purr", "nap", "chew", "sniff", "wade", "splash", "drip", "drizzle",
    "pass", "rush", "hurry", "chart", "map", "invent", "design", "program", "code", "compute",
    "dock", "depart", "unfold", "unfurl", "spread", "stretch", "bend", "bow", "kneel", "pray",
    "celebrate", "welcome", "visit", "deliver", "wander", "blossom", "wither", "sprout",
    "battle", "defeat", "conquer", "steal", "strike", "flood", "sparkle", "gleam",
    "glisten", "beam", "blaze", "smoke", "smolder", "crackle", "brew", "grind", "stir",
    "taste", "serve", "wipe", "polish", "sweep", "tidy", "fold", "pack", "unpack", "load",
    "tow", "haul", "pilot", "fish", "row", "anchor", "moor", "slide", "slip", "trip", "stumble",
    "tumble", "bounce", "wobble", "juggle", "perform", "practice", "rehearse", "train",
    "study", "teach", "think", "know", "feel", "wonder", "imagine", "hope", "wish", "need",
    "want", "like", "miss", "await", "guard", "question", "answer", "ask", "listen", "wear",
    "blow", "dodge", "weave", "zoom", "speed", "crash", "park", "honk", "board", "ferry",
    "tie", "release", "untie", "hang", "pick", "kick", "toss", "spill", "clear", "fetch",
    "shelter", "comfort", "drag", "pet", "flee",
};

const std::set<std::string>& DoublingVerbs() {
    static const std::set<std::string> s = {
        "run", "swim", "spin", "sit", "drop", "stop", "begin", "forget", "control", "patrol",
        "hug", "dig", "plan", "trap", "step", "skip", "cut", "hit", "get", "put", "set", "win",
        "wag", "nap", "drip", "slip", "trip", "hum", "scan", "stir", "program", "map", "shop",
        "plot", "chat", "clap", "jog", "nod", "rob", "rub", "spot", "swap", "tap", "trot", "zip"};
    return s;
}

const std::map<std::string, std::string>& IrregularPasts() {
    static const std::map<std::string, std::string> m = {
        {"ran", "run"},       {"flew", "fly"},      {"fell", "fall"},      {"rose", "rise"},
        {"grew", "grow"},     {"took", "take"},     {"made", "make"},      {"saw", "see"},
        {"found", "find"},    {"came", "come"},     {"went", "go"},        {"broke", "break"},
        {"built", "build"},   {"caught", "catch"},  {"drove", "drive"},    {"drew", "draw"},
        {"sang", "sing"},     {"swam", "swim"},     {"threw", "throw"},    {"woke", "wake"},
        {"won", "win"},       {"wrote", "write"},   {"held", "hold"},      {"led", "lead"},
        {"left", "leave"},    {"lost", "lose"},     {"met", "meet"},       {"sat", "sit"},
        {"stood", "stand"},   {"told", "tell"},     {"brought", "bring"},  {"fought", "fight"},
        {"began", "begin"},   {"became", "become"}, {"gave", "give"},      {"hid", "hide"},
        {"lit", "light"},     {"shone", "shine"},   {"spun", "spin"},      {"struck", "strike"},
        {"swept", "sweep"},   {"slept", "sleep"},   {"kept", "keep"},      {"felt", "feel"},
        {"heard", "hear"},    {"knew", "know"},     {"sank", "sink"},      {"shook", "shake"},
        {"spoke", "speak"},   {"stole", "steal"},   {"dove", "dive"},      {"froze", "freeze"},
        {"rode", "ride"},     {"sought", "seek"},   {"taught", "teach"},   {"thought", "think"},
        {"wove", "weave"},    {"dug", "dig"},       {"ate", "eat"},        {"drank", "drink"},
        {"blew", "blow"},     {"wore", "wear"},     {"slid", "slide"},     {"crept", "creep"},
        {"knelt", "kneel"},   {"fled", "flee"},   {"bent", "bend"},     {"sent", "send"},      {"spread", "spread"}};
    return m;
}

bool IsVowel(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'; }

bool EndsWith(const std::string& s, std::string_view tail) {
    return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

std::string SForm(const std::string& base) {
    if (base == "go") return "goes";
    if (EndsWith(base, "s") || EndsWith(base, "sh") || EndsWith(base, "ch") || EndsWith(base, "x") ||
        EndsWith(base, "z")) {
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
        for (const auto& [past, base] : IrregularPasts()) out.emplace(past, VerbEntry{base, VerbForm::kPast});
        return out;
    }();
    return m;
}

const VerbEntry* Verb(const std::string& lower) {
    auto it = VerbForms().find(lower);
    return it == VerbForms().end() ? nullptr : &it->second;
}

const std::set<std::string>& ObjectPronounWords() {
    static const std::set<std::string> s = {"him", "her", "them", "us", "me", "it", "itself",
                                            "themselves", "himself", "herself"};
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

/// A clause of the prompt as clean words, with its main (finite) verb found by position rules.
struct Clause {
    std::vector<std::string> words;  // as written, punctuation removed
    int verb = -1;                   // index of the main verb, -1 for a noun phrase
};

std::vector<std::string> LowerAll(const std::vector<std::string>& ws) {
    std::vector<std::string> out;
    out.reserve(ws.size());
    for (const auto& w : ws) out.push_back(Lower(w));
    return out;
}

/// Index of the main verb or -1: an auxiliary, an -s or past form after a content word, or a
/// base form after a plural subject; never inside a relative clause's first verb or after "to".
int FindMainVerb(const std::vector<std::string>& words) {
    const auto lw = LowerAll(words);
    const std::size_t n = lw.size();
    static const std::set<std::string> relative = {"that", "which", "who", "where", "when", "whose"};
    bool in_relative = false;  // the next verb belongs to a relative clause
    for (std::size_t i = 1; i < n; ++i) {
        const std::string& w = lw[i];
        const std::string& prev = lw[i - 1];
        const std::string next = i + 1 < n ? lw[i + 1] : "";
        if (relative.count(prev)) in_relative = true;
        if (prev == "to") continue;
        if (in_relative) {
            const VerbEntry* rv = Verb(w);
            if (Auxiliaries().count(w) || (rv && rv->form != VerbForm::kIng)) in_relative = false;
            continue;
        }
        const bool prev_content = !IsFunctionWord(prev) || SubjectPronouns().count(prev);
        if (!prev_content) continue;
        if (Auxiliaries().count(w)) return static_cast<int>(i);
        const VerbEntry* v = Verb(w);
        if (!v) continue;
        const VerbEntry* pv = Verb(prev);
        if (pv && (pv->form == VerbForm::kS || pv->form == VerbForm::kPast) &&
            v->form != VerbForm::kBase) {
            continue;  // "controls storms": the object of the verb before
        }
        switch (v->form) {
            case VerbForm::kS: {
                const VerbEntry* nv = next.empty() ? nullptr : Verb(next);
                if (nv && nv->form == VerbForm::kBase) continue;  // "lights flicker": a noun
                if (next.empty() && !Determiners().count(lw[0]) && !SubjectPronouns().count(prev)) {
                    continue;  // "neon lights": a plural noun ends the phrase
                }
                return static_cast<int>(i);
            }
            case VerbForm::kPast: {
                static const std::set<std::string> participle_next = {"by", "in", "with", "under",
                                                                      "from", "of"};
                if (participle_next.count(next)) continue;  // "a forest covered in snow"
                return static_cast<int>(i);
            }
            case VerbForm::kBase:
                if (IsPluralNoun(prev)) return static_cast<int>(i);
                continue;
            case VerbForm::kIng:
                continue;
        }
    }
    return -1;
}

/// An -ing form after a content word that opens a phrase ("a fox crossing the ice", "a train
/// leaving"), not one that modifies the next noun ("a lost fishing boat").
bool IsParticipleAt(const std::vector<std::string>& lw, std::size_t i) {
    if (i == 0 || i >= lw.size()) return false;
    const VerbEntry* v = Verb(lw[i]);
    if (!v || v->form != VerbForm::kIng || IsFunctionWord(lw[i - 1])) return false;
    if (i + 1 == lw.size()) return true;
    const std::string& next = lw[i + 1];
    return IsFunctionWord(next) || SubjectPronouns().count(next) || ObjectPronounWords().count(next) ||
           EndsWith(next, "ly") || IsPluralNoun(lw[i - 1]) || IsPluralNoun(next) ||
           (i + 2 < lw.size() && IsPluralNoun(lw[i + 2]));
}

/// Index of the first participle of a noun phrase, or -1.
int FindParticiple(const std::vector<std::string>& words) {
    const auto lw = LowerAll(words);
    for (std::size_t i = 1; i < lw.size(); ++i) {
        if (IsParticipleAt(lw, i)) return static_cast<int>(i);
    }
    return -1;
}

/// A boundary where a phrase may be cut: before a preposition, conjunction, relative pronoun or
/// participle (and never at position 0).
bool IsBoundary(const std::vector<std::string>& lw, std::size_t i) {
    if (i == 0 || i >= lw.size()) return false;
    if (Prepositions().count(lw[i]) || Conjunctions().count(lw[i])) return true;
    return IsParticipleAt(lw, i);
}

Clause MakeClause(std::vector<std::string> words) {
    Clause c;
    c.words = std::move(words);
    c.verb = FindMainVerb(c.words);
    return c;
}

/// Clean words of a text: punctuation dropped (apostrophes, hyphens and UTF-8 kept).
std::vector<std::string> CleanWords(std::string_view text) {
    std::vector<std::string> out;
    std::string cur;
    auto flush = [&] {
        while (!cur.empty() && (cur.back() == '-' || cur.back() == '\'')) cur.pop_back();
        while (!cur.empty() && (cur.front() == '-' || cur.front() == '\'')) cur.erase(0, 1);
        if (!cur.empty()) out.push_back(std::move(cur));
        cur.clear();
    };
    for (char ch : text) {
        unsigned char c = static_cast<unsigned char>(ch);
        if (std::isalnum(c) || c >= 0x80 || c == '\'' || c == '-') {
            cur.push_back(ch);
        } else {
            flush();
        }
    }
    flush();
    return out;
}

/// Drops trailing function words and adjacent repeats ("the the").
std::vector<std::string> Tidy(std::vector<std::string> ws) {
    std::vector<std::string> out;
    for (auto& w : ws) {
        if (!out.empty() && Lower(out.back()) == Lower(w)) continue;
        out.push_back(std::move(w));
    }
    // A phrasal verb's particle at the end: "the fog rolls in" -> "the fog rolls closer".
    if (out.size() > 2 && Lower(out.back()) == "in" && Verb(Lower(out[out.size() - 2])) &&
        Verb(Lower(out[out.size() - 2]))->base != "close") {
        out.back() = "closer";
    }
    while (out.size() > 1 && IsFunctionWord(Lower(out.back()))) out.pop_back();
    while (!out.empty() && LeadingConnectors().count(Lower(out.front())) && out.size() > 1) {
        out.erase(out.begin());
    }
    return out;
}

std::string Capitalize(std::string s) {
    if (!s.empty()) s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
    return s;
}

/// A full sentence from words: tidied, capitalised, ending in a full stop.
std::string Sentence(std::vector<std::string> ws) {
    ws = Tidy(std::move(ws));
    if (ws.empty()) return "";
    return Capitalize(Join(ws, " ")) + ".";
}

/// Words that keep their capital letter inside a sentence: names and acronyms the prompt
/// capitalises away from a sentence start, "I", all-caps words.
class Casing {
public:
    explicit Casing(std::string_view prompt) {
        bool start = true;
        std::string cur;
        auto flush = [&](char after) {
            if (!cur.empty()) {
                if (!start && std::isupper(static_cast<unsigned char>(cur[0]))) keep_.insert(cur);
                start = false;
                cur.clear();
            }
            if (after == '.' || after == '!' || after == '?' || after == ':' || after == ';' ||
                after == '\n') {
                start = true;
            }
        };
        for (char c : prompt) {
            if (std::isalnum(static_cast<unsigned char>(c)) || static_cast<unsigned char>(c) >= 0x80 ||
                c == '\'' || c == '-') {
                cur.push_back(c);
            } else {
                flush(c);
            }
        }
        flush(' ');
    }
    /// The word as it reads inside a sentence.
    std::string Inside(const std::string& w) const {
        if (w.empty() || !std::isupper(static_cast<unsigned char>(w[0]))) return w;
        if (w == "I" || keep_.count(w)) return w;
        bool all_caps = w.size() > 1 && std::none_of(w.begin(), w.end(), [](unsigned char c) {
                            return std::islower(c);
                        });
        return all_caps ? w : Lower(w);
    }
    std::vector<std::string> Inside(std::vector<std::string> ws) const {
        if (!ws.empty()) ws[0] = Inside(ws[0]);
        return ws;
    }

private:
    std::set<std::string> keep_;
};

std::vector<std::string> Slice(const std::vector<std::string>& ws, std::size_t b, std::size_t e) {
    e = std::min(e, ws.size());
    b = std::min(b, e);
    return {ws.begin() + static_cast<std::ptrdiff_t>(b), ws.begin() + static_cast<std::ptrdiff_t>(e)};
}

/// The subject's core noun phrase: the subject up to its first preposition, participle or
/// relative pronoun ("a lighthouse keeper on a rocky island" -> "a lighthouse keeper").
std::vector<std::string> CoreOf(const std::vector<std::string>& phrase) {
    const auto lw = LowerAll(phrase);
    for (std::size_t i = 1; i < lw.size(); ++i) {
        if (IsBoundary(lw, i)) return Tidy(Slice(phrase, 0, i));
    }
    return Tidy(phrase);
}

std::string ObjectPronoun(const std::string& lower) {
    static const std::map<std::string, std::string> m = {
        {"he", "him"}, {"she", "her"}, {"they", "them"}, {"we", "us"}, {"i", "me"}};
    auto it = m.find(lower);
    return it == m.end() ? "" : it->second;
}

/// The clause as a noun phrase for "shot of ...": the finite verbs become participles ("a fox
/// crosses the ice" -> "a fox crossing the ice"). Empty when the verb does not convert (a
/// copula with an adjective, a modal).
std::vector<std::string> AsNounPhrase(const Clause& c) {
    if (c.verb < 0) return c.words;
    const auto lw = LowerAll(c.words);
    const auto v = static_cast<std::size_t>(c.verb);
    std::vector<std::string> out = Slice(c.words, 0, v);
    if (out.size() == 1) {
        std::string obj = ObjectPronoun(Lower(out[0]));
        if (!obj.empty()) out[0] = obj;
    }
    std::size_t rest = v;
    if (Auxiliaries().count(lw[v])) {
        static const std::set<std::string> be = {"is", "are", "was", "were"};
        const VerbEntry* nv = v + 1 < lw.size() ? Verb(lw[v + 1]) : nullptr;
        if (!be.count(lw[v]) || !nv || nv->form != VerbForm::kIng) return {};
        rest = v + 1;
    } else {
        out.push_back(IngForm(Verb(lw[v])->base));
        rest = v + 1;
    }
    for (std::size_t j = rest; j < c.words.size(); ++j) {
        const VerbEntry* vj = Verb(lw[j]);
        const bool after_and = j > v + 1 && (lw[j - 1] == "and" || lw[j - 1] == "or");
        if (after_and && vj && (vj->form == VerbForm::kS || vj->form == VerbForm::kPast)) {
            out.push_back(IngForm(vj->base));
        } else {
            out.push_back(c.words[j]);
        }
    }
    return out;
}

/// Cuts trailing phrases (at boundaries after `from`) until at most max_words remain.
std::vector<std::string> CutTail(std::vector<std::string> ws, std::size_t from, std::size_t max_words) {
    while (ws.size() > max_words) {
        const auto lw = LowerAll(ws);
        std::size_t cut = 0;
        for (std::size_t i = ws.size(); i-- > from + 1;) {
            const bool infinitive = lw[i] == "to" && i + 1 < lw.size() && Verb(lw[i + 1]) &&
                                    Verb(lw[i + 1])->form == VerbForm::kBase && Verb(lw[i - 1]);
            if (IsBoundary(lw, i) && !IsFunctionWord(lw[i - 1]) && !infinitive) {
                cut = i;
                break;
            }
        }
        if (cut == 0) break;
        ws.resize(cut);
    }
    return ws;
}

/// The clause as a complete narration sentence of at most about max_words words: a clause keeps
/// its verb; a noun phrase gets one ("a fox crossing the ice" -> "A fox crosses the ice.";
/// "sunrise over the river" -> "Sunrise over the river fills the frame.").
std::string NarrationSentence(const Clause& c, std::size_t max_words, std::uint64_t h) {
    std::vector<std::string> ws = c.words;
    if (c.verb >= 0) {
        auto v = static_cast<std::size_t>(c.verb);
        if (ws.size() > max_words) {
            // Drop the subject's trailing phrases first, then the predicate's.
            auto core = CoreOf(Slice(ws, 0, v));
            if (core.size() < v) {
                auto rest = Slice(ws, v, ws.size());
                ws = core;
                ws.insert(ws.end(), rest.begin(), rest.end());
                v = core.size();
            }
            ws = CutTail(std::move(ws), v + 1, max_words);
        }
        return Sentence(std::move(ws));
    }
    const auto lw = LowerAll(ws);
    int p = FindParticiple(ws);
    if (p > 0 && !(lw[static_cast<std::size_t>(p) - 1] == "that" || lw[static_cast<std::size_t>(p) - 1] == "who")) {
        const auto pi = static_cast<std::size_t>(p);
        const bool plural = IsPluralNoun(lw[pi - 1]);
        auto finite = [&](const std::string& lower) {
            const std::string& base = Verb(lower)->base;
            return plural ? base : SForm(base);
        };
        ws[pi] = finite(lw[pi]);
        for (std::size_t j = pi + 2; j < ws.size(); ++j) {
            const VerbEntry* vj = Verb(lw[j]);
            if ((lw[j - 1] == "and" || lw[j - 1] == "or") && vj && vj->form == VerbForm::kIng) {
                ws[j] = finite(lw[j]);
            }
        }
        return Sentence(CutTail(std::move(ws), pi + 1, max_words));
    }
    // A bare noun phrase: give it a verb.
    const std::size_t tail_words = 3;
    ws = CutTail(std::move(ws), 1, max_words > tail_words + 1 ? max_words - tail_words : 1);
    ws = Tidy(std::move(ws));
    if (ws.empty()) return "";
    const auto core = CoreOf(ws);
    const bool plural = !core.empty() && IsPluralNoun(Lower(core.back()));
    static const std::array<std::array<const char*, 2>, 3> kTails = {{
        {"fills the frame", "fill the frame"},
        {"comes into view", "come into view"},
        {"waits in the light", "wait in the light"},
    }};
    const auto& tail = kTails[h % kTails.size()];
    return Capitalize(Join(ws, " ")) + " " + (plural ? tail[1] : tail[0]) + ".";
}

const std::set<std::string>& TitleLowerWords() {
    static const std::set<std::string> s = {"a",  "an",  "the", "and",  "or",   "nor", "but",
                                            "of", "in",  "on",  "at",   "to",   "for", "by",
                                            "with", "from", "as", "into", "onto", "over", "up",
                                            "off", "out", "via"};
    return s;
}

std::string TitleCase(const std::vector<std::string>& ws) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < ws.size(); ++i) {
        const std::string l = Lower(ws[i]);
        out.push_back(i > 0 && TitleLowerWords().count(l) ? l : Capitalize(ws[i]));
    }
    return Join(out, " ");
}

/// "a robot" -> "The robot": a title names its subject definitely.
std::vector<std::string> Definite(std::vector<std::string> ws) {
    if (!ws.empty() && (Lower(ws[0]) == "a" || Lower(ws[0]) == "an")) ws[0] = "The";
    return ws;
}

/// The longest prefix of at most max_words words that ends at a phrase boundary on a content
/// word; when even the first phrase is longer, its head (the last words of that phrase).
std::vector<std::string> PhrasePrefix(const std::vector<std::string>& ws, std::size_t max_words) {
    auto t = Tidy(ws);
    if (t.size() <= max_words) return t;
    const auto lw = LowerAll(ws);
    for (std::size_t i = std::min(max_words, ws.size() - 1); i >= 1; --i) {
        if (IsBoundary(lw, i) && !IsFunctionWord(lw[i - 1])) return Tidy(Slice(ws, 0, i));
    }
    auto core = CoreOf(ws);
    if (core.size() <= max_words) return core;
    std::vector<std::string> head;
    if (!core.empty() && Determiners().count(Lower(core[0]))) head.push_back(core[0]);
    auto tail = Slice(core, core.size() - (max_words - head.size()), core.size());
    head.insert(head.end(), tail.begin(), tail.end());
    return Tidy(head);
}

/// A title of at most max_words words naming the clause's subject: the whole noun phrase when
/// it fits, else the subject with its verb as a relative clause ("a robot learns to paint" ->
/// "The Robot That Learns to Paint"), else with a participle, else the subject's core.
std::string TitleOf(const Clause& c, std::size_t max_words) {
    if (c.words.empty()) return "";
    if (c.verb < 0) return TitleCase(Definite(PhrasePrefix(c.words, max_words)));
    const auto v = static_cast<std::size_t>(c.verb);
    const auto subject = Slice(c.words, 0, v);
    const bool pronoun = v == 1 && SubjectPronouns().count(Lower(subject[0]));
    if (!pronoun) {
        auto core = CoreOf(subject);
        const auto lw = LowerAll(c.words);
        // Candidates: core or its head alone ("a tiny dragon" -> "a dragon"), with the predicate
        // as a relative clause or a participle; the one keeping most of the predicate wins.
        std::vector<std::vector<std::string>> heads = {core};
        if (core.size() > 2 && Determiners().count(Lower(core[0]))) heads.push_back({core[0], core.back()});
        std::vector<std::string> best;
        std::size_t best_kept = 0;
        for (const auto& head : heads) {
            const auto pred = Slice(c.words, v, c.words.size());
            std::vector<std::vector<std::string>> forms;
            if (!Auxiliaries().count(lw[v])) {
                std::vector<std::string> rel = head;
                rel.push_back("that");
                rel.insert(rel.end(), pred.begin(), pred.end());
                forms.push_back(std::move(rel));
            }
            Clause short_clause;
            short_clause.words = head;
            short_clause.words.insert(short_clause.words.end(), pred.begin(), pred.end());
            short_clause.verb = static_cast<int>(head.size());
            forms.push_back(AsNounPhrase(short_clause));
            for (auto& f : forms) {
                if (f.empty()) continue;
                const std::size_t lead = head.size() + (f.size() > head.size() && Lower(f[head.size()]) == "that" ? 1 : 0);
                auto cut = Tidy(CutTail(std::move(f), lead, max_words));
                if (cut.size() > max_words || cut.size() <= lead) continue;
                const std::size_t kept = cut.size() - lead;
                if (kept > best_kept) {
                    best_kept = kept;
                    best = std::move(cut);
                }
            }
        }
        if (!best.empty()) return TitleCase(Definite(best));
        return TitleCase(Definite(PhrasePrefix(core, max_words)));
    }
    auto np = AsNounPhrase(c);
    if (np.empty()) return "";
    np.erase(np.begin());  // "it finding a den" -> "Finding a Den"
    return TitleCase(PhrasePrefix(np, max_words));
}

struct Motif {
    const char* keys[6];
    const char* action;
    const char* line;
};

const std::array<Motif, 14> kMotifs = {{
    {{"storm", "stormy", "thunder", "lightning", "tempest", nullptr},
     "rain slants across the frame", "Thunder rolls in over the water."},
    {{"lighthouse", "beacon", "lamp", nullptr},
     "the beam sweeps across the dark", "The light turns, steady and patient."},
    {{"sea", "ocean", "coast", "wave", "waves", "shore"},
     "waves roll in against the rocks", "Below, the sea never stops moving."},
    {{"city", "skyline", "street", "streets", "town", "tower"},
     "windows flicker on across the skyline", "The city hums with quiet life."},
    {{"forest", "tree", "trees", "woods", "pine", "grove"},
     "branches sway in the wind", "The trees lean into the wind."},
    {{"mountain", "mountains", "hill", "hills", "valley", "ridge"},
     "mist drifts over the ridges", "The far ridges fade into mist."},
    {{"night", "moon", "moonlit", "star", "stars", "midnight"},
     "stars wheel slowly overhead", "The night settles in, deep and clear."},
    {{"sunset", "sunrise", "dawn", "dusk", "twilight", "sun"},
     "the light shifts toward gold", "The light changes by the minute."},
    {{"ship", "boat", "sail", "harbor", "harbour", "fleet"},
     "a small boat rides the swell", "A small boat holds its course."},
    {{"desert", "dune", "dunes", "sand", nullptr},
     "sand drifts across the dunes", "Sand whispers over the dunes."},
    {{"rain", "fog", "mist", "snow", "winter", nullptr},
     "the air thickens and softens the edges", "Everything softens in the weather."},
    {{"river", "lake", "waterfall", "stream", nullptr},
     "water glints as it flows", "The water keeps its own slow time."},
    {{"bird", "birds", "gull", "gulls", "eagle", nullptr},
     "birds cross the frame", "Birds cut across the sky."},
    {{"robot", "machine", "engine", "factory", "clock", nullptr},
     "gears turn in patient rhythm", "The machine keeps its rhythm."},
}};

std::vector<const Motif*> MotifsIn(const std::string& lower_text) {
    std::vector<const Motif*> out;
    auto words = Words(lower_text);
    std::set<std::string> ws;
    for (auto& w : words) ws.insert(StripPunct(w));
    for (const auto& m : kMotifs) {
        for (const char* k : m.keys) {
            if (k && ws.count(k)) {
                out.push_back(&m);
                break;
            }
        }
    }
    return out;
}


/// What the prompt asks for once the request scaffolding is gone.
struct ParsedPrompt {
    std::vector<Clause> beats;  // story beats in order
    std::string genre;          // "sci-fi" from "a short sci-fi animation about ..."
    std::string style;          // "watercolor" from "... in a watercolor style"
};

/// Removes "make a short sci-fi animation about", scene counts, durations and inline styles.
std::string StripScaffolding(std::string text, ParsedPrompt* info) {
    text = std::regex_replace(text, SceneCountRegex(), " ");
    static const std::regex duration(
        R"(\b(?:for\s+|in\s+|of\s+|lasting\s+)?(?:about\s+|around\s+)?\d+(?:\.\d+)?[\s-]*(?:seconds?|secs?|minutes?|mins?)(?:\s+long)?\b)",
        std::regex::icase);
    text = std::regex_replace(text, duration, " ");
    static const std::regex style_of(R"(\s*\bin\s+(?:the\s+)?style\s+of\s+([^,.;!?]+))", std::regex::icase);
    static const std::regex style_adj(R"(\s*\bin\s+(?:an?\s+)?([\w-]+(?:\s+[\w-]+)?)\s+style\b)", std::regex::icase);
    std::smatch m;
    if (std::regex_search(text, m, style_of) || std::regex_search(text, m, style_adj)) {
        if (info && info->style.empty()) {
            auto ws = CleanWords(m[1].str());
            if (!ws.empty() && Determiners().count(Lower(ws[0]))) ws.erase(ws.begin());
            info->style = Join(ws, " ");
        }
        text = m.prefix().str() + " " + m.suffix().str();
    }
    static const std::regex lead(
        R"(^\s*(?:please\s+)?(?:(?:can\s+you\s+)?(?:make|create|generate|render|produce|show|film|write|give|animate|draw|paint|imagine|picture|depict|visuali[sz]e|tell)(?:\s+(?:me|us))?\s+)?)",
        std::regex::icase);
    static const std::regex media(
        R"(^(?:(?:an?|the|one|my)\s+)?((?:[\w'-]+\s+){0,4}?)(?:video|film|clip|story|movie|animation|piece|sequence|montage|documentary|trailer|cartoon|commercial|reel|teaser|vignette|tale|short)s?\s+(?:about|of|showing|where|with|that\s+shows|in\s+which|featuring|depicting|following|on|for)\s+)",
        std::regex::icase);
    std::string rest = std::regex_replace(text, lead, "", std::regex_constants::format_first_only);
    if (std::regex_search(rest, m, media)) {
        std::vector<std::string> genre;
        static const std::set<std::string> plain = {"short", "little", "quick", "brief", "tiny",
                                                    "long", "new", "nice", "simple", "second",
                                                    "seconds", "minute"};
        for (auto& w : CleanWords(m[1].str())) {
            std::string l = Lower(w);
            if (EndsWith(l, "-style")) l.resize(l.size() - 6);
            if (l.empty() || plain.count(l) || std::isdigit(static_cast<unsigned char>(l[0])) ||
                EndsWith(l, "-second") || EndsWith(l, "-minute")) {
                continue;
            }
            genre.push_back(l);
        }
        if (info) info->genre = Join(genre, " ");
        rest = m.suffix().str();
        text = rest;
    } else if (rest.size() != text.size() && !Trim(rest).empty()) {
        text = rest;
    }
    static const std::regex spaces(R"(\s{2,})");
    return Trim(std::regex_replace(text, spaces, " "));
}

/// Clauses that only carry palette/style/duration instructions are not story beats.
bool IsInstructionClause(const std::string& clause) {
    std::string l = Lower(clause);
    static const std::regex instr(
        R"(\b(palette|colou?rs?|tones?|style|styled|aesthetic|look|mood|seconds?|secs?|minutes?|duration|aspect|resolution|fps|scenes?|shots?)\b)",
        std::regex::icase);
    auto ws = CleanWords(l);
    if (ws.empty()) return true;
    if (std::regex_search(l, instr) && ws.size() <= 6) return true;
    for (auto& w : ws) {
        if (!IsPaletteWord(w) && !IsFunctionWord(w)) return false;
    }
    return true;
}

/// Splits "A and B" where both sides are clauses with their own verb.
void SplitCoordinated(std::vector<std::string> ws, std::vector<Clause>& out) {
    const auto lw = LowerAll(ws);
    for (std::size_t k = 2; k + 2 < ws.size(); ++k) {
        if (lw[k] != "and" && lw[k] != "while" && lw[k] != "as") continue;
        auto left = Slice(ws, 0, k), right = Slice(ws, k + 1, ws.size());
        if (FindMainVerb(left) >= 0 && FindMainVerb(right) > 0 &&
            !Verb(Lower(right[0]))) {
            out.push_back(MakeClause(Tidy(std::move(left))));
            SplitCoordinated(std::move(right), out);
            return;
        }
    }
    ws = Tidy(std::move(ws));
    if (!ws.empty()) out.push_back(MakeClause(std::move(ws)));
}

ParsedPrompt ParsePrompt(const std::string& prompt) {
    ParsedPrompt out;
    std::string text = StripScaffolding(prompt, &out);
    static const std::regex sentence_end(
        R"([.!?;:]+\s*|\s+(?:and\s+)?then\s+|,\s*(?:and\s+)?then\s+|\s+finally\s+|\s+after\s+that\s+)",
        std::regex::icase);
    std::sregex_token_iterator it(text.begin(), text.end(), sentence_end, -1), end;
    for (; it != end; ++it) {
        std::string s = it->str();
        std::vector<std::vector<std::string>> clauses;
        std::vector<std::string> intro;
        std::string cur;
        for (char c : s + ",") {
            if (c != ',') {
                cur.push_back(c);
                continue;
            }
            std::string t = Trim(cur);
            cur.clear();
            if (t.empty() || IsInstructionClause(t)) continue;
            auto ws = CleanWords(StripScaffolding(t, nullptr));
            if (ws.empty()) continue;
            if (!intro.empty()) {
                intro[0] = Lower(intro[0]);
                ws.insert(ws.end(), intro.begin(), intro.end());
                intro.clear();
            }
            // An opening phrase ("In a quiet library, a girl ...") ends the clause after it.
            if (clauses.empty() && ws.size() < 6 && Prepositions().count(Lower(ws[0])) &&
                FindMainVerb(ws) < 0) {
                intro = std::move(ws);
                continue;
            }
            // A short fragment opened by a preposition ("at dusk") belongs to the clause before.
            if (!clauses.empty() && ws.size() < 3 && Prepositions().count(Lower(ws[0]))) {
                clauses.back().insert(clauses.back().end(), ws.begin(), ws.end());
            } else {
                clauses.push_back(std::move(ws));
            }
        }
        if (!intro.empty()) clauses.push_back(std::move(intro));
        for (auto& c : clauses) SplitCoordinated(std::move(c), out.beats);
    }
    // "a flower blooming, then wilting": a bare participle continues the beat before it.
    for (std::size_t i = 1; i < out.beats.size();) {
        const VerbEntry* v = Verb(Lower(out.beats[i].words[0]));
        if (v && v->form == VerbForm::kIng) {
            auto ws = out.beats[i - 1].words;
            ws.push_back("and");
            ws.insert(ws.end(), out.beats[i].words.begin(), out.beats[i].words.end());
            out.beats[i - 1] = MakeClause(std::move(ws));
            out.beats.erase(out.beats.begin() + static_cast<std::ptrdiff_t>(i));
        } else {
            ++i;
        }
    }
    return out;
}

std::size_t WordCount(const std::string& s) { return Words(s).size(); }

/// Removes a word that repeats the word before it ("of of"), keeping punctuation.
std::string DropAdjacentRepeats(const std::string& s) {
    auto ws = Words(s);
    std::vector<std::string> out;
    for (auto& w : ws) {
        if (!out.empty()) {
            const std::string& p = out.back();
            const bool joined = !p.empty() && !std::ispunct(static_cast<unsigned char>(p.back()));
            if (joined && Lower(StripPunct(p)) == Lower(StripPunct(w)) && !StripPunct(w).empty()) {
                out.back() = w;  // keep the later punctuation
                continue;
            }
        }
        out.push_back(std::move(w));
    }
    return Join(out, " ");
}

std::string WithArticle(const std::string& word) {
    if (word.empty()) return word;
    return (IsVowel(static_cast<char>(std::tolower(static_cast<unsigned char>(word[0])))) ? "an " : "a ") + word;
}

/// The clause with a leading subject pronoun replaced by the subject named before ("it finds a
/// den" -> "the fox finds a den"), for descriptions that stand alone.
Clause ResolvePronoun(const Clause& c, const std::vector<std::string>& last_subject) {
    if (c.verb != 1 || last_subject.empty()) return c;
    static const std::set<std::string> third = {"it", "he", "she", "they"};
    if (!third.count(Lower(c.words[0]))) return c;
    Clause out;
    out.words = last_subject;
    out.words.insert(out.words.end(), c.words.begin() + 1, c.words.end());
    out.verb = static_cast<int>(last_subject.size());
    return out;
}

/// The subject's core, definite ("a lighthouse keeper" -> "the lighthouse keeper"); empty for
/// a pronoun subject.
std::vector<std::string> DefiniteCore(const Clause& c) {
    std::vector<std::string> subject =
        c.verb >= 0 ? Slice(c.words, 0, static_cast<std::size_t>(c.verb)) : c.words;
    if (subject.size() == 1 && SubjectPronouns().count(Lower(subject[0]))) return {};
    auto core = CoreOf(subject);
    if (!core.empty() && (Lower(core[0]) == "a" || Lower(core[0]) == "an")) core[0] = "the";
    return core;
}

std::string PaletteFromStyle(const std::string& style) {
    std::string l = Lower(style);
    if (l.find("noir") != std::string::npos) return "noir";
    return "";
}

std::string ShotPhrase(const std::string& shot, bool first, bool last) {
    if (shot == "wide") return first ? "Wide establishing shot" : (last ? "Wide closing shot" : "Wide shot");
    if (shot == "medium") return "Medium shot";
    if (shot == "close") return "Close-up";
    return Capitalize(shot) + " shot";
}

std::string CameraAction(const std::string& camera) {
    if (camera == "slow_pan") return "camera pans slowly across the scene";
    if (camera == "pan_left") return "camera pans left";
    if (camera == "pan_right") return "camera pans right";
    if (camera == "zoom_in") return "camera pushes in slowly";
    if (camera == "zoom_out") return "camera pulls back to reveal the whole scene";
    return "camera holds still";
}

const std::array<const char*, 6> kClosingLines = {
    "And so the moment passes.", "Then all is quiet again.", "The scene fades, but it stays with us.",
    "And the story rests here, for now.", "It ends as softly as it began.", "Hold on to this light."};

const std::array<const char*, 12> kBridgeLines = {
    "Look closer.", "Every detail matters here.", "Time seems to slow.",
    "Something is about to change.", "Stay with it a moment.", "Here the story turns.",
    "Nothing here is by chance.", "The world holds its breath.", "Listen to the quiet.",
    "Small things tell the story.", "The moment stretches.", "Keep watching."};

/// How a repeated subject is shown again: clauses after "Medium shot of the robot, ...".
const std::array<const char*, 6> kDetailClauses = {
    "as the light shifts",      "in quiet detail",        "as the moment stretches",
    "as the air grows still",   "from a new angle",       "as the scene breathes"};

}  // namespace

Json ScriptJsonSchema() {
    Json str = {{"type", "string"}};
    Json scene = {
        {"type", "object"},
        {"properties",
         {{"id", {{"type", "integer"}}},
          {"description", {{"type", "string"}}},
          {"shot_type", {{"type", "string"}, {"enum", {"wide", "medium", "close", "extreme_close", "aerial", "over_the_shoulder"}}}},
          {"camera", {{"type", "string"}, {"enum", {"static", "slow_pan", "pan_left", "pan_right", "zoom_in", "zoom_out", "tilt_up", "tilt_down", "tracking"}}}},
          {"duration", {{"type", "number"}}},
          {"actions", {{"type", "array"}, {"items", str}}},
          {"lines", {{"type", "array"}, {"items", str}, {"minItems", 1}}}}},
        {"required", {"id", "description", "shot_type", "camera", "duration", "actions", "lines"}}};
    return {{"type", "object"},
            {"properties",
             {{"title", str},
              {"description", str},
              {"scenes", {{"type", "array"}, {"items", scene}, {"minItems", 1}, {"maxItems", kMaxScenes}}}}},
            {"required", {"title", "scenes"}}};
}

void NormalizeDurations(Script& script, double target) {
    if (script.scenes.empty()) return;
    double sum = 0;
    for (const auto& s : script.scenes) sum += s.duration;
    double acc = 0;
    for (std::size_t i = 0; i + 1 < script.scenes.size(); ++i) {
        double d = sum > 0 ? script.scenes[i].duration * target / sum : target / script.scenes.size();
        d = std::max(0.01, std::round(d * 100.0) / 100.0);
        script.scenes[i].duration = d;
        acc += d;
    }
    script.scenes.back().duration = target - acc;
}

Result<Script> ValidateScriptAnswer(std::string_view text, double duration_target,
                                    bool rescale_any_sum) {
    Json j = Json::parse(text.begin(), text.end(), nullptr, false);
    if (j.is_discarded()) return Error::Invalid("the answer is not valid JSON");
    auto parsed = core::ParseScript(j);
    if (!parsed.ok()) return parsed.error();
    Script s = std::move(parsed).value();
    if (s.scenes.size() > static_cast<std::size_t>(kMaxScenes)) {
        return Error::Invalid("script: at most " + std::to_string(kMaxScenes) + " scenes");
    }
    double sum = 0;
    for (const auto& sc : s.scenes) sum += sc.duration;
    if (!rescale_any_sum && std::abs(sum - duration_target) > 0.01 * duration_target + 1e-9) {
        return Error::Invalid("script: scene durations sum to " + std::to_string(sum) +
                              " s, expected " + std::to_string(duration_target) + " s");
    }
    for (std::size_t i = 0; i < s.scenes.size(); ++i) s.scenes[i].id = static_cast<int>(i) + 1;
    NormalizeDurations(s, duration_target);
    return s;
}

std::optional<int> RequestedSceneCount(std::string_view prompt) {
    std::string p(prompt);
    std::smatch m;
    if (!std::regex_search(p, m, SceneCountRegex())) return std::nullopt;
    std::string n = Lower(m[1].str());
    if (std::isdigit(static_cast<unsigned char>(n[0]))) return std::stoi(n);
    for (const auto& [w, v] : kNumberWords) {
        if (n.rfind(w, 0) == 0) return v;
    }
    return std::nullopt;
}

int PlannedSceneCount(std::string_view prompt, double duration_target) {
    if (auto n = RequestedSceneCount(prompt)) return std::clamp(*n, 1, kMaxScenes);
    int n = static_cast<int>(std::lround(duration_target / 4.5));
    return std::clamp(n, 1, kMaxScenes);
}

std::vector<std::string> PaletteWords(std::string_view text) {
    std::vector<std::string> out;
    for (auto& w : Words(Lower(text))) {
        std::string s = StripPunct(w);
        if (s == "golden") s = "gold";
        if (s == "grey") s = "gray";
        if (IsPaletteWord(s) && std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
    }
    return out;
}

std::string SceneTitle(const core::Scene& scene) {
    auto from_text = [](std::string text) -> std::string {
        // The first sentence, then its first clause.
        static const std::regex sentence_end(R"([.!?](\s|$))");
        std::smatch m;
        if (std::regex_search(text, m, sentence_end)) text = m.prefix().str();
        auto colon = text.find(':');
        if (colon != std::string::npos) {
            std::string after = Trim(text.substr(colon + 1));
            text = after.empty() ? text.substr(0, colon) : after;
        }
        text = text.substr(0, text.find_first_of(",;"));
        static const std::regex shot(
            R"(^\s*(?:(?:an?|the)\s+)?(?:(?:extreme|wide|medium|close|closing|establishing|aerial|tracking|long|static|low|high|angle|overhead|over-the-shoulder|full|two|point-of-view|pov)[\s-]+)*(?:shot|close-up|closeup|view|angle)\s+(?:of|on)\s+)",
            std::regex::icase);
        text = std::regex_replace(text, shot, "", std::regex_constants::format_first_only);
        auto ws = Tidy(CleanWords(text));
        if (ws.empty()) return "";
        return TitleOf(MakeClause(std::move(ws)), kMaxTitleWords);
    };
    std::string t = from_text(scene.description);
    if (t.empty() && !scene.lines.empty()) t = from_text(scene.lines.front());
    return t;
}

Provenance BuiltinPlanner::Describe() const {
    return Provenance{"builtin-planner", "rules-v2", Json::object(), true};
}

Result<ScriptResult> BuiltinPlanner::Write(const ScriptRequest& req, const LogSink& log,
                                           std::stop_token stop) {
    if (stop.stop_requested()) return Error::Canceled();
    std::string prompt = Trim(req.prompt);
    if (prompt.empty()) return Error::Invalid("built-in planner: the prompt is empty");
    if (!(req.duration_target > 0) || !std::isfinite(req.duration_target)) {
        return Error::Invalid("built-in planner: duration_target must be a positive number");
    }
    const int n = PlannedSceneCount(prompt, req.duration_target);
    ParsedPrompt parsed = ParsePrompt(prompt);
    std::vector<Clause> beats = std::move(parsed.beats);
    if (beats.empty()) {
        auto ws = Tidy(CleanWords(prompt));
        if (ws.size() > 12) ws = PhrasePrefix(ws, 12);
        if (ws.empty()) ws = {"a", "quiet", "moment"};
        beats.push_back(MakeClause(std::move(ws)));
    }
    std::string style = Trim(req.style);
    if (style.empty()) style = !parsed.style.empty() ? parsed.style : parsed.genre;
    const std::uint64_t h = Hash(prompt + "|" + req.style);
    const Casing casing(prompt);

    std::vector<std::string> palette = PaletteWords(prompt + " " + req.style);
    if (palette.empty()) {
        std::string p = PaletteFromStyle(req.style);
        if (!p.empty()) palette.push_back(p);
    }
    std::string palette_phrase;
    if (!palette.empty()) {
        std::vector<std::string> shown(palette.begin(), palette.begin() + std::min<std::size_t>(palette.size(), 3));
        palette_phrase = shown.size() == 1 ? shown[0]
                                           : Join(std::vector<std::string>(shown.begin(), shown.end() - 1), ", ") +
                                                 " and " + shown.back();
    }
    const std::string style_lower = Lower(style);
    std::string look;  // ", in emerald and gold tones, noir style"
    if (!palette_phrase.empty()) look += ", in " + palette_phrase + " tones";
    if (!style_lower.empty() && style_lower != palette_phrase) look += ", " + style_lower + " style";

    Script script;
    script.title = Trim(req.title);
    for (std::size_t b = 0; script.title.empty() && b < beats.size(); ++b) {
        script.title = TitleOf(beats[b], kMaxTitleWords);
    }
    if (script.title.empty()) script.title = "Untitled";

    // "A noir short in 2 scenes about a lighthouse on a stormy coast at dusk."
    {
        std::string opening = (style_lower.empty() ? std::string("A") : Capitalize(WithArticle(style_lower))) +
                              " short in " + std::to_string(n) + (n == 1 ? " scene" : " scenes");
        auto np = AsNounPhrase(beats.front());
        if (!np.empty()) {
            np = Tidy(CutTail(std::move(np), 1, 16));
            script.description = opening + " about " + Join(casing.Inside(np), " ") + ".";
        } else {
            script.description = opening + ". " + NarrationSentence(beats.front(), 16, h);
        }
        if (!palette_phrase.empty()) script.description += " Palette: " + palette_phrase + ".";
    }

    std::vector<const Motif*> all_motifs = MotifsIn(Lower(prompt));
    std::vector<bool> beat_used(beats.size(), false);
    std::vector<std::string> last_subject;
    std::set<std::string> spoken;  // narration already used: no scene repeats an earlier line
    for (int i = 0; i < n; ++i) {
        Scene sc;
        sc.id = i + 1;
        const bool first = i == 0;
        const bool last = i == n - 1 && n > 1;
        // Shot grammar: establish wide, move closer through the middle, close on a wide or close.
        if (first) {
            sc.shot_type = "wide";
        } else if (last) {
            sc.shot_type = n > 2 ? "wide" : "close";
        } else {
            sc.shot_type = (i % 2 == 1) ? "medium" : "close";
        }
        if (sc.shot_type == "wide") {
            sc.camera = first ? ((h & 1) ? "slow_pan" : "pan_right") : "zoom_out";
        } else if (sc.shot_type == "medium") {
            sc.camera = ((h >> (i % 16)) & 1) ? "zoom_in" : "pan_left";
        } else {
            sc.camera = ((h >> (i % 16 + 1)) & 1) ? "zoom_in" : "static";
        }
        // The beats of this scene: consecutive groups when there are enough, else shared.
        std::vector<std::size_t> idx;
        if (beats.size() >= static_cast<std::size_t>(n)) {
            std::size_t b0 = beats.size() * i / n, b1 = beats.size() * (i + 1) / n;
            for (std::size_t b = b0; b < b1; ++b) idx.push_back(b);
        } else {
            idx.push_back(beats.size() * i / n);
        }
        std::vector<std::size_t> fresh;
        std::string scene_text;
        for (auto b : idx) {
            if (!beat_used[b]) fresh.push_back(b);
            beat_used[b] = true;
            scene_text += Join(beats[b].words, " ") + " ";
        }
        auto motifs = MotifsIn(Lower(scene_text));
        if (motifs.empty()) motifs = all_motifs;
        const Motif* motif = motifs.empty() ? nullptr : motifs[static_cast<std::size_t>(i) % motifs.size()];

        // Description: what the shot shows, as one grammatical sentence (plus any clause that
        // cannot become a noun phrase as its own sentence).
        const std::string shot = ShotPhrase(sc.shot_type, first, last);
        if (!fresh.empty()) {
            std::vector<std::string> nps, extra;
            for (auto b : fresh) {
                Clause c = ResolvePronoun(beats[b], last_subject);
                auto np = AsNounPhrase(c);
                if (!np.empty()) {
                    nps.push_back(Join(casing.Inside(Tidy(np)), " "));
                } else {
                    extra.push_back(Sentence(beats[b].words));
                }
                auto core = DefiniteCore(c);
                if (!core.empty()) last_subject = core;
            }
            if (!nps.empty()) {
                sc.description = shot + " of " + Join(nps, ", then ") + look + ".";
                for (const auto& e : extra) sc.description += " " + e;
            } else {
                sc.description = shot + look + ". " + Join(extra, " ");
            }
        } else {
            auto core = DefiniteCore(ResolvePronoun(beats[idx.front()], last_subject));
            if (core.empty()) core = last_subject;
            std::string what = core.empty() ? "the scene" : Join(casing.Inside(core), " ");
            sc.description = shot + " of " + what;
            if (motif && i % 2 == 0) {
                sc.description += std::string(", as ") + motif->action;
            } else {
                sc.description += std::string(", ") + kDetailClauses[(h + static_cast<std::uint64_t>(i)) % kDetailClauses.size()];
            }
            sc.description += look + ".";
        }
        sc.description = DropAdjacentRepeats(sc.description);

        sc.actions.push_back(CameraAction(sc.camera));
        for (std::size_t k = 0; k < motifs.size() && k < 2; ++k) {
            sc.actions.push_back(motifs[(k + i) % motifs.size()]->action);
        }
        if (sc.actions.size() == 1) sc.actions.push_back("the scene settles into stillness");

        // Narration sized to the scene: ~2.5 words per second, one or two whole sentences.
        sc.duration = req.duration_target / n;  // normalised below
        const std::size_t budget =
            std::max<std::size_t>(3, static_cast<std::size_t>(std::lround(sc.duration * kWordsPerSecond)));
        std::vector<std::string> candidates;
        for (auto b : fresh) candidates.push_back(NarrationSentence(beats[b], budget + 1, h + b));
        for (std::size_t k = 0; k < motifs.size(); ++k) candidates.push_back(motifs[(k + i) % motifs.size()]->line);
        if (last) candidates.push_back(kClosingLines[h % kClosingLines.size()]);
        if (fresh.empty() && !first) {
            for (std::size_t k = 0; k < 3; ++k) {
                candidates.push_back(kBridgeLines[(h + static_cast<std::uint64_t>(i) + k * 5) % kBridgeLines.size()]);
            }
        }
        if (candidates.empty()) candidates.push_back(NarrationSentence(beats[idx.front()], budget + 1, h));
        std::size_t used = 0;
        for (const auto& c : candidates) {
            if (c.empty() || sc.lines.size() >= 2 || spoken.count(c)) continue;
            if (std::find(sc.lines.begin(), sc.lines.end(), c) != sc.lines.end()) continue;
            const std::size_t wc = WordCount(c);
            if (!sc.lines.empty() && used + wc > budget + 1) continue;
            used += wc;
            sc.lines.push_back(DropAdjacentRepeats(c));
        }
        if (sc.lines.empty()) sc.lines.push_back(candidates.front().empty() ? "The moment holds." : candidates.front());
        spoken.insert(sc.lines.begin(), sc.lines.end());
        script.scenes.push_back(std::move(sc));
    }
    NormalizeDurations(script, req.duration_target);

    Json j = core::ToJson(script);
    auto checked = core::ParseScript(j);
    if (!checked.ok()) {
        return Error::Internal("built-in planner produced an invalid script: " + checked.error().message);
    }
    if (log) {
        log("built-in planner: " + std::to_string(n) + " scene(s) for " +
            std::to_string(req.duration_target) + " s");
    }
    ScriptResult out;
    out.script = std::move(script);
    out.provenance = Describe();
    out.provenance.parameters = {{"duration_target", req.duration_target},
                                 {"style", req.style},
                                 {"scenes", n}};
    out.raw = j.dump(-1, ' ', false, Json::error_handler_t::replace);
    return out;
}

}  // namespace beacon::engines
