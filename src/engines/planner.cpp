#include "engines/planner.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <map>
#include <regex>
#include <set>

#include "engines/planner_text.hpp"

namespace beacon::engines {

using core::Error;
using core::Scene;
using core::Script;
using namespace planner_text;  // the planner's text rules (planner_text.hpp)

namespace {

const std::array<const char*, 6> kClosingLines = {"And so the moment passes.",
                                                  "Then all is quiet again.",
                                                  "The scene fades, but it stays with us.",
                                                  "And the story rests here, for now.",
                                                  "It ends as softly as it began.",
                                                  "Hold on to this light."};

const std::array<const char*, 12> kBridgeLines = {"Look closer.",
                                                  "Every detail matters here.",
                                                  "Time seems to slow.",
                                                  "Something is about to change.",
                                                  "Stay with it a moment.",
                                                  "Here the story turns.",
                                                  "Nothing here is by chance.",
                                                  "The world holds its breath.",
                                                  "Listen to the quiet.",
                                                  "Small things tell the story.",
                                                  "The moment stretches.",
                                                  "Keep watching."};

/// How a repeated subject is shown again: clauses after "Medium shot of the robot, ...".
const std::array<const char*, 6> kDetailClauses = {
    "as the light shifts",    "in quiet detail",  "as the moment stretches",
    "as the air grows still", "from a new angle", "as the scene breathes"};

}  // namespace

Json ScriptJsonSchema() {
    Json str = {{"type", "string"}};
    Json scene = {
        {"type", "object"},
        {"properties",
         {{"id", {{"type", "integer"}}},
          {"description", {{"type", "string"}}},
          {"shot_type",
           {{"type", "string"},
            {"enum", {"wide", "medium", "close", "extreme_close", "aerial", "over_the_shoulder"}}}},
          {"camera",
           {{"type", "string"},
            {"enum",
             {"static", "slow_pan", "pan_left", "pan_right", "zoom_in", "zoom_out", "tilt_up",
              "tilt_down", "tracking"}}}},
          {"duration", {{"type", "number"}}},
          {"actions", {{"type", "array"}, {"items", str}}},
          {"lines", {{"type", "array"}, {"items", str}, {"minItems", 1}}}}},
        {"required", {"id", "description", "shot_type", "camera", "duration", "actions", "lines"}}};
    return {{"type", "object"},
            {"properties",
             {{"title", str},
              {"description", str},
              {"scenes",
               {{"type", "array"}, {"items", scene}, {"minItems", 1}, {"maxItems", kMaxScenes}}}}},
            {"required", {"title", "scenes"}}};
}

void NormalizeDurations(Script& script, double target) {
    if (script.scenes.empty()) return;
    double sum = 0;
    for (const auto& s : script.scenes) sum += s.duration;
    double acc = 0;
    for (std::size_t i = 0; i + 1 < script.scenes.size(); ++i) {
        double d =
            sum > 0 ? script.scenes[i].duration * target / sum : target / script.scenes.size();
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
        std::vector<std::string> shown(palette.begin(),
                                       palette.begin() + std::min<std::size_t>(palette.size(), 3));
        palette_phrase =
            shown.size() == 1
                ? shown[0]
                : Join(std::vector<std::string>(shown.begin(), shown.end() - 1), ", ") + " and " +
                      shown.back();
    }
    const std::string style_lower = Lower(style);
    std::string look;  // ", in emerald and gold tones, noir style"
    if (!palette_phrase.empty()) look += ", in " + palette_phrase + " tones";
    if (!style_lower.empty() && style_lower != palette_phrase)
        look += ", " + style_lower + " style";

    Script script;
    script.title = Trim(req.title);
    for (std::size_t b = 0; script.title.empty() && b < beats.size(); ++b) {
        script.title = TitleOf(beats[b], kMaxTitleWords);
    }
    if (script.title.empty()) script.title = "Untitled";

    // "A noir short in 2 scenes about a lighthouse on a stormy coast at dusk."
    {
        std::string opening =
            (style_lower.empty() ? std::string("A") : Capitalize(WithArticle(style_lower))) +
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
        const Motif* motif =
            motifs.empty() ? nullptr : motifs[static_cast<std::size_t>(i) % motifs.size()];

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
                sc.description +=
                    std::string(", ") +
                    kDetailClauses[(h + static_cast<std::uint64_t>(i)) % kDetailClauses.size()];
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
        const std::size_t budget = std::max<std::size_t>(
            3, static_cast<std::size_t>(std::lround(sc.duration * kWordsPerSecond)));
        std::vector<std::string> candidates;
        for (auto b : fresh) candidates.push_back(NarrationSentence(beats[b], budget + 1, h + b));
        for (std::size_t k = 0; k < motifs.size(); ++k)
            candidates.push_back(motifs[(k + i) % motifs.size()]->line);
        if (last) candidates.push_back(kClosingLines[h % kClosingLines.size()]);
        if (fresh.empty() && !first) {
            for (std::size_t k = 0; k < 3; ++k) {
                candidates.push_back(kBridgeLines[(h + static_cast<std::uint64_t>(i) + k * 5) %
                                                  kBridgeLines.size()]);
            }
        }
        if (candidates.empty())
            candidates.push_back(NarrationSentence(beats[idx.front()], budget + 1, h));
        std::size_t used = 0;
        for (const auto& c : candidates) {
            if (c.empty() || sc.lines.size() >= 2 || spoken.count(c)) continue;
            if (std::find(sc.lines.begin(), sc.lines.end(), c) != sc.lines.end()) continue;
            const std::size_t wc = WordCount(c);
            if (!sc.lines.empty() && used + wc > budget + 1) continue;
            used += wc;
            sc.lines.push_back(DropAdjacentRepeats(c));
        }
        if (sc.lines.empty())
            sc.lines.push_back(candidates.front().empty() ? "The moment holds."
                                                          : candidates.front());
        spoken.insert(sc.lines.begin(), sc.lines.end());
        script.scenes.push_back(std::move(sc));
    }
    NormalizeDurations(script, req.duration_target);

    Json j = core::ToJson(script);
    auto checked = core::ParseScript(j);
    if (!checked.ok()) {
        return Error::Internal("built-in planner produced an invalid script: " +
                               checked.error().message);
    }
    if (log) {
        log("built-in planner: " + std::to_string(n) + " scene(s) for " +
            std::to_string(req.duration_target) + " s");
    }
    ScriptResult out;
    out.script = std::move(script);
    out.provenance = Describe();
    out.provenance.parameters = {
        {"duration_target", req.duration_target}, {"style", req.style}, {"scenes", n}};
    out.raw = j.dump(-1, ' ', false, Json::error_handler_t::replace);
    return out;
}

}  // namespace beacon::engines
