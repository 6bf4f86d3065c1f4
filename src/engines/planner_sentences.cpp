// The built-in planner's sentences: a clause's main verb, narration lines cut whole, noun
// phrases and titles.
#include "engines/planner_text.hpp"

#include <algorithm>
#include <cctype>

namespace beacon::engines::planner_text {

int FindMainVerb(const std::vector<std::string>& words) {
    const auto lw = LowerAll(words);
    const std::size_t n = lw.size();
    static const std::set<std::string> relative = {"that",  "which", "who",
                                                   "where", "when",  "whose"};
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
                static const std::set<std::string> participle_next = {"by",    "in",   "with",
                                                                      "under", "from", "of"};
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

bool IsParticipleAt(const std::vector<std::string>& lw, std::size_t i) {
    if (i == 0 || i >= lw.size()) return false;
    const VerbEntry* v = Verb(lw[i]);
    if (!v || v->form != VerbForm::kIng || IsFunctionWord(lw[i - 1])) return false;
    if (i + 1 == lw.size()) return true;
    const std::string& next = lw[i + 1];
    return IsFunctionWord(next) || SubjectPronouns().count(next) ||
           ObjectPronounWords().count(next) || EndsWith(next, "ly") || IsPluralNoun(lw[i - 1]) ||
           IsPluralNoun(next) || (i + 2 < lw.size() && IsPluralNoun(lw[i + 2]));
}

int FindParticiple(const std::vector<std::string>& words) {
    const auto lw = LowerAll(words);
    for (std::size_t i = 1; i < lw.size(); ++i) {
        if (IsParticipleAt(lw, i)) return static_cast<int>(i);
    }
    return -1;
}

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

std::string Sentence(std::vector<std::string> ws) {
    ws = Tidy(std::move(ws));
    if (ws.empty()) return "";
    return Capitalize(Join(ws, " ")) + ".";
}

std::vector<std::string> Slice(const std::vector<std::string>& ws, std::size_t b, std::size_t e) {
    e = std::min(e, ws.size());
    b = std::min(b, e);
    return {ws.begin() + static_cast<std::ptrdiff_t>(b),
            ws.begin() + static_cast<std::ptrdiff_t>(e)};
}

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

std::vector<std::string> CutTail(std::vector<std::string> ws, std::size_t from,
                                 std::size_t max_words) {
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
    if (p > 0 && !(lw[static_cast<std::size_t>(p) - 1] == "that" ||
                   lw[static_cast<std::size_t>(p) - 1] == "who")) {
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
    static const std::set<std::string> s = {
        "a",   "an", "the",  "and",  "or", "nor",  "but",  "of",   "in", "on",  "at",  "to",
        "for", "by", "with", "from", "as", "into", "onto", "over", "up", "off", "out", "via"};
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

std::vector<std::string> Definite(std::vector<std::string> ws) {
    if (!ws.empty() && (Lower(ws[0]) == "a" || Lower(ws[0]) == "an")) ws[0] = "The";
    return ws;
}

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
        if (core.size() > 2 && Determiners().count(Lower(core[0])))
            heads.push_back({core[0], core.back()});
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
                const std::size_t lead =
                    head.size() +
                    (f.size() > head.size() && Lower(f[head.size()]) == "that" ? 1 : 0);
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

}  // namespace beacon::engines::planner_text
