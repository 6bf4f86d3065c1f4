#include "wiki/fact.hpp"

#include <algorithm>
#include <optional>

#include "wiki/mentions.hpp"

namespace beacon::wiki {

using core::Json;

Json ToJson(const Fact& f) {
    Json candidates = Json::array();
    for (const auto& c : f.candidates) candidates.push_back({{"title", c.title}, {"text", c.text}});
    return {{"entity", f.entity},         {"title", f.title},
            {"summary", f.summary},       {"image_url", f.image_url},
            {"source_url", f.source_url}, {"source", f.source},
            {"resolved", f.resolved},     {"ambiguous", f.ambiguous},
            {"candidates", candidates}};
}

Fact FactFromJson(const Json& j) {
    Fact f;
    f.entity = j.value("entity", "");
    f.title = j.value("title", "");
    f.summary = j.value("summary", "");
    f.image_url = j.value("image_url", "");
    f.source_url = j.value("source_url", "");
    f.source = j.value("source", "");
    f.resolved = j.value("resolved", false);
    f.ambiguous = j.value("ambiguous", false);
    if (auto it = j.find("candidates"); it != j.end() && it->is_array()) {
        for (const auto& c : *it) {
            f.candidates.push_back({c.value("title", ""), c.value("text", "")});
        }
    }
    return f;
}

namespace {

int Score(const std::vector<std::string>& words, const std::vector<std::string>& context,
          std::string_view name) {
    const std::vector<std::string> own = ContextWords(name);
    int score = 0;
    for (const auto& w : words) {
        if (std::binary_search(own.begin(), own.end(), w)) continue;  // "mercury" itself
        if (std::binary_search(context.begin(), context.end(), w)) ++score;
    }
    return score;
}

/// Index of the single best score above zero, or -1.
int Winner(const std::vector<int>& scores) {
    int best = -1;
    bool tie = false;
    for (std::size_t i = 0; i < scores.size(); ++i) {
        if (scores[i] <= 0) continue;
        if (best < 0 || scores[i] > scores[static_cast<std::size_t>(best)]) {
            best = static_cast<int>(i);
            tie = false;
        } else if (scores[i] == scores[static_cast<std::size_t>(best)]) {
            tie = true;
        }
    }
    return tie ? -1 : best;
}

}  // namespace

core::Result<Fact> ResolveFact(const LookupFn& lookup, std::string_view name,
                               const std::vector<std::string>& context, std::stop_token stop,
                               int max_followups) {
    BEACON_TRY(fact, lookup(name, stop));
    fact.entity = std::string(name);
    if (!fact.ambiguous || fact.candidates.empty() || context.empty()) return fact;

    auto accept = [&](const std::string& title) -> core::Result<std::optional<Fact>> {
        BEACON_TRY(chosen, lookup(title, stop));
        if (!chosen.resolved || chosen.ambiguous) return std::optional<Fact>();
        chosen.entity = std::string(name);
        return std::optional<Fact>(std::move(chosen));
    };

    std::vector<int> scores;
    for (const auto& c : fact.candidates) scores.push_back(Score(ContextWords(c.text), context, name));
    if (int w = Winner(scores); w >= 0) {
        BEACON_TRY(chosen, accept(fact.candidates[static_cast<std::size_t>(w)].title));
        if (chosen) return std::move(*chosen);
    }
    // The list's words did not decide: compare the candidates' own leads.
    std::vector<Fact> leads;
    scores.clear();
    for (const auto& c : fact.candidates) {
        if (static_cast<int>(leads.size()) >= max_followups) break;
        if (stop.stop_requested()) return core::Error::Canceled("wiki lookup canceled");
        BEACON_TRY(cand, lookup(c.title, stop));
        const bool usable = cand.resolved && !cand.ambiguous;
        scores.push_back(usable ? Score(ContextWords(cand.title + " " + cand.summary + " " + c.text),
                                        context, name)
                                : 0);
        leads.push_back(std::move(cand));
    }
    if (int w = Winner(scores); w >= 0) {
        Fact chosen = std::move(leads[static_cast<std::size_t>(w)]);
        chosen.entity = std::string(name);
        return chosen;
    }
    return fact;
}

}  // namespace beacon::wiki
