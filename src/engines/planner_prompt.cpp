// The built-in planner's reading of a prompt: request scaffolding stripped, story beats,
// motifs, and the phrases that describe shots.
#include "engines/planner_text.hpp"

#include <algorithm>
#include <cctype>

namespace beacon::engines::planner_text {

const std::array<Motif, 14> kMotifs = {{
    {{"storm", "stormy", "thunder", "lightning", "tempest", nullptr},
     "rain slants across the frame",
     "Thunder rolls in over the water."},
    {{"lighthouse", "beacon", "lamp", nullptr},
     "the beam sweeps across the dark",
     "The light turns, steady and patient."},
    {{"sea", "ocean", "coast", "wave", "waves", "shore"},
     "waves roll in against the rocks",
     "Below, the sea never stops moving."},
    {{"city", "skyline", "street", "streets", "town", "tower"},
     "windows flicker on across the skyline",
     "The city hums with quiet life."},
    {{"forest", "tree", "trees", "woods", "pine", "grove"},
     "branches sway in the wind",
     "The trees lean into the wind."},
    {{"mountain", "mountains", "hill", "hills", "valley", "ridge"},
     "mist drifts over the ridges",
     "The far ridges fade into mist."},
    {{"night", "moon", "moonlit", "star", "stars", "midnight"},
     "stars wheel slowly overhead",
     "The night settles in, deep and clear."},
    {{"sunset", "sunrise", "dawn", "dusk", "twilight", "sun"},
     "the light shifts toward gold",
     "The light changes by the minute."},
    {{"ship", "boat", "sail", "harbor", "harbour", "fleet"},
     "a small boat rides the swell",
     "A small boat holds its course."},
    {{"desert", "dune", "dunes", "sand", nullptr},
     "sand drifts across the dunes",
     "Sand whispers over the dunes."},
    {{"rain", "fog", "mist", "snow", "winter", nullptr},
     "the air thickens and softens the edges",
     "Everything softens in the weather."},
    {{"river", "lake", "waterfall", "stream", nullptr},
     "water glints as it flows",
     "The water keeps its own slow time."},
    {{"bird", "birds", "gull", "gulls", "eagle", nullptr},
     "birds cross the frame",
     "Birds cut across the sky."},
    {{"robot", "machine", "engine", "factory", "clock", nullptr},
     "gears turn in patient rhythm",
     "The machine keeps its rhythm."},
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

std::string StripScaffolding(std::string text, ParsedPrompt* info) {
    text = std::regex_replace(text, SceneCountRegex(), " ");
    static const std::regex duration(
        R"(\b(?:for\s+|in\s+|of\s+|lasting\s+)?(?:about\s+|around\s+)?\d+(?:\.\d+)?[\s-]*(?:seconds?|secs?|minutes?|mins?)(?:\s+long)?\b)",
        std::regex::icase);
    text = std::regex_replace(text, duration, " ");
    static const std::regex style_of(R"(\s*\bin\s+(?:the\s+)?style\s+of\s+([^,.;!?]+))",
                                     std::regex::icase);
    static const std::regex style_adj(R"(\s*\bin\s+(?:an?\s+)?([\w-]+(?:\s+[\w-]+)?)\s+style\b)",
                                      std::regex::icase);
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
        static const std::set<std::string> plain = {"short",  "little", "quick",   "brief",
                                                    "tiny",   "long",   "new",     "nice",
                                                    "simple", "second", "seconds", "minute"};
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

void SplitCoordinated(std::vector<std::string> ws, std::vector<Clause>& out) {
    const auto lw = LowerAll(ws);
    for (std::size_t k = 2; k + 2 < ws.size(); ++k) {
        if (lw[k] != "and" && lw[k] != "while" && lw[k] != "as") continue;
        auto left = Slice(ws, 0, k), right = Slice(ws, k + 1, ws.size());
        if (FindMainVerb(left) >= 0 && FindMainVerb(right) > 0 && !Verb(Lower(right[0]))) {
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
    return (IsVowel(static_cast<char>(std::tolower(static_cast<unsigned char>(word[0])))) ? "an "
                                                                                          : "a ") +
           word;
}

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
    if (shot == "wide")
        return first ? "Wide establishing shot" : (last ? "Wide closing shot" : "Wide shot");
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

}  // namespace beacon::engines::planner_text
