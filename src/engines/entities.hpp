#pragma once
/// Built-in entity extractor (engine "heuristic-entities"): proper-noun phrases from title-case
/// runs, acronyms and name connectors ("Frankfurt am Main", "Bay of Biscay", "Dr. Reyes",
/// "Apollo 11"). Negative evidence: capitalised function words, months, weekdays and demonyms
/// on their own, and a sentence-initial word that is only capitalised because it starts the
/// sentence (lower case elsewhere in the text, or a common word with no proper-noun entry in the
/// system word list /usr/share/dict/words, Debian wamerican; without it, -ly/-ing/-ed only).
#include "engines/engines.hpp"

namespace beacon::engines {

/// The extraction itself (pure): unique entities in order of first appearance.
std::vector<std::string> ExtractEntitiesHeuristic(const std::string& text);

/// Whether the system word list was found (the sentence-initial check is weaker without it).
bool EntityLexiconAvailable();

class HeuristicEntityExtractor final : public EntityExtractor {
public:
    Result<std::vector<std::string>> Extract(const std::string& text, std::stop_token stop) override;
    Provenance Describe() const override;
};

}  // namespace beacon::engines
