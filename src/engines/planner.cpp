#include "engines/planner.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <regex>
#include <set>

namespace beacon::engines {

using core::Error;
using core::Scene;
using core::Script;

namespace {

constexpr int kMaxScenes = 12;
constexpr double kWordsPerSecond = 2.5;

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

const std::set<std::string>& MinorWords() {
    static const std::set<std::string> s = {"a", "an", "the", "and", "or", "of", "in", "on", "at",
                                            "to", "for", "by", "with", "from", "over", "into",
                                            "as", "but", "its", "their", "his", "her"};
    return s;
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

/// Removes "make a video about", the scene-count phrase and similar request scaffolding.
std::string StripScaffolding(std::string text) {
    text = std::regex_replace(text, SceneCountRegex(), " ");
    static const std::regex lead(
        R"(^\s*(?:please\s+)?(?:make|create|generate|render|produce|show|film|write|give)(?:\s+me)?\s+(?:an?\s+)?(?:short\s+|little\s+|quick\s+)?(?:video|film|clip|story|movie|animation|piece|sequence|scene)?\s*(?:about|of|showing|where|with|that\s+shows)?\s*)",
        std::regex::icase);
    text = std::regex_replace(text, lead, "");
    static const std::regex spaces(R"(\s{2,})");
    return Trim(std::regex_replace(text, spaces, " "));
}

/// Clauses that only carry palette/style/duration instructions are not story beats.
bool IsInstructionClause(const std::string& clause) {
    std::string l = Lower(clause);
    static const std::regex instr(
        R"(\b(palette|colou?rs?|tones?|style|styled|aesthetic|look|mood|seconds?|secs?|minutes?|duration|aspect|resolution|fps)\b)",
        std::regex::icase);
    if (std::regex_search(l, instr)) return true;
    auto ws = Words(l);
    if (ws.empty()) return true;
    for (auto& w : ws) {
        std::string s = StripPunct(w);
        if (!IsPaletteWord(s) && !MinorWords().count(s)) return false;
    }
    return true;
}

std::vector<std::string> SplitBeats(const std::string& prompt) {
    std::string text = StripScaffolding(prompt);
    static const std::regex sentence_end(R"([.!?;]+\s*|\s+(?:and\s+)?then\s+|,\s*(?:and\s+)?then\s+|\s+finally\s+|\s+before\s+|\s+after\s+that\s+)",
                                         std::regex::icase);
    std::vector<std::string> sentences;
    std::sregex_token_iterator it(text.begin(), text.end(), sentence_end, -1), end;
    for (; it != end; ++it) {
        std::string s = Trim(it->str());
        if (!s.empty()) sentences.push_back(s);
    }
    std::vector<std::string> beats;
    for (const auto& s : sentences) {
        // Split on commas; short fragments join the previous clause.
        std::vector<std::string> clauses;
        std::string cur;
        for (char c : s + ",") {
            if (c == ',') {
                std::string t = Trim(cur);
                cur.clear();
                if (t.empty()) continue;
                if (IsInstructionClause(t)) continue;
                if (!clauses.empty() && Words(t).size() < 3) {
                    clauses.back() += ", " + t;
                } else {
                    clauses.push_back(t);
                }
            } else {
                cur.push_back(c);
            }
        }
        for (auto& c : clauses) beats.push_back(StripScaffolding(c));
    }
    beats.erase(std::remove_if(beats.begin(), beats.end(), [](const std::string& b) { return b.empty(); }),
                beats.end());
    return beats;
}

std::string Capitalize(std::string s) {
    if (!s.empty()) s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
    return s;
}

std::string Decapitalize(std::string s) {
    // Keep proper nouns and acronyms: only lower a leading article/common word.
    auto ws = Words(s);
    if (!ws.empty() && MinorWords().count(Lower(ws[0]))) {
        s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
    }
    return s;
}

std::string TitleCase(const std::string& text, std::size_t max_words) {
    auto ws = Words(text);
    if (ws.size() > max_words) ws.resize(max_words);
    while (ws.size() > 1 && MinorWords().count(Lower(StripPunct(ws.back())))) ws.pop_back();
    for (std::size_t i = 0; i < ws.size(); ++i) {
        std::string w = StripPunct(ws[i]);
        if (w.empty()) continue;
        std::string l = Lower(w);
        if (i > 0 && MinorWords().count(l)) {
            ws[i] = l;
        } else {
            ws[i] = Capitalize(w);
        }
    }
    ws.erase(std::remove_if(ws.begin(), ws.end(), [](const std::string& w) { return w.empty(); }),
             ws.end());
    return Join(ws, " ");
}

/// Shortens text to at most max_words words as a sentence ending in a full stop.
std::string AsSentence(const std::string& text, std::size_t max_words) {
    auto ws = Words(text);
    if (ws.empty()) return "";
    if (ws.size() > max_words) {
        ws.resize(max_words);
        while (ws.size() > 1 && MinorWords().count(Lower(StripPunct(ws.back())))) ws.pop_back();
    }
    std::string s = Join(ws, " ");
    while (!s.empty() && (s.back() == ',' || s.back() == ';' || s.back() == ':' || s.back() == '-'))
        s.pop_back();
    if (!s.empty() && s.back() != '.' && s.back() != '!' && s.back() != '?') s += '.';
    return Capitalize(s);
}

std::size_t WordCount(const std::string& s) { return Words(s).size(); }

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

const std::array<const char*, 6> kBridgeLines = {
    "Look closer.", "Every detail matters here.", "Time slows down.",
    "Something is about to change.", "Stay with it a moment.", "Here the story turns."};

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

Provenance BuiltinPlanner::Describe() const {
    return Provenance{"builtin-planner", "rules-v1", Json::object(), true};
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
    std::vector<std::string> beats = SplitBeats(prompt);
    if (beats.empty()) beats.push_back(StripScaffolding(prompt).empty() ? prompt : StripScaffolding(prompt));
    const std::uint64_t h = Hash(prompt + "|" + req.style);

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
    std::string style = Trim(Lower(req.style));

    Script script;
    const std::string subject = beats.front();
    script.title = !Trim(req.title).empty() ? Trim(req.title) : TitleCase(subject, 8);
    if (script.title.empty()) script.title = "Untitled";
    script.description = (style.empty() ? std::string("A short") : Capitalize(style) + " short") +
                         " in " + std::to_string(n) + (n == 1 ? " scene: " : " scenes: ") +
                         Decapitalize(AsSentence(subject, 30));
    if (!palette_phrase.empty()) script.description += " Palette: " + palette_phrase + ".";

    const std::string lower_prompt = Lower(prompt);
    std::vector<const Motif*> all_motifs = MotifsIn(lower_prompt);

    std::vector<bool> beat_used(beats.size(), false);
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
        std::vector<std::string> texts;
        bool fresh = false;
        for (auto b : idx) {
            texts.push_back(beats[b]);
            if (!beat_used[b]) fresh = true;
            beat_used[b] = true;
        }
        std::string scene_text = Join(texts, ", then ");
        std::string lower_scene = Lower(scene_text);
        auto motifs = MotifsIn(lower_scene);
        if (motifs.empty()) motifs = all_motifs;

        sc.description = ShotPhrase(sc.shot_type, first, last) + " of " + Decapitalize(scene_text);
        if (!palette_phrase.empty()) sc.description += ", in " + palette_phrase + " tones";
        if (!style.empty()) sc.description += ", " + style + " style";
        sc.description += ".";

        sc.actions.push_back(CameraAction(sc.camera));
        for (std::size_t k = 0; k < motifs.size() && k < 2; ++k) {
            sc.actions.push_back(motifs[(k + i) % motifs.size()]->action);
        }
        if (sc.actions.size() == 1) sc.actions.push_back("the scene settles into stillness");

        // Narration sized to the scene: ~2.5 words per second, one or two lines.
        sc.duration = req.duration_target / n;  // normalised below
        const std::size_t budget =
            std::max<std::size_t>(3, static_cast<std::size_t>(std::lround(sc.duration * kWordsPerSecond)));
        std::vector<std::string> candidates;
        if (fresh) candidates.push_back(AsSentence(scene_text, budget));
        for (std::size_t k = 0; k < motifs.size(); ++k) candidates.push_back(motifs[(k + i) % motifs.size()]->line);
        if (last) candidates.push_back(kClosingLines[h % kClosingLines.size()]);
        if (!fresh && !first) candidates.push_back(kBridgeLines[(h + i) % kBridgeLines.size()]);
        candidates.push_back(AsSentence(scene_text, budget));
        std::size_t used = 0;
        for (const auto& c : candidates) {
            if (sc.lines.size() >= 2) break;
            if (std::find(sc.lines.begin(), sc.lines.end(), c) != sc.lines.end()) continue;
            std::size_t wc = WordCount(c);
            if (sc.lines.empty() || used + wc <= budget + 1) {
                if (!sc.lines.empty() && budget - std::min(budget, used) < 3) break;
                std::string line = sc.lines.empty() && wc > budget ? AsSentence(c, budget) : c;
                used += WordCount(line);
                sc.lines.push_back(line);
            }
        }
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
