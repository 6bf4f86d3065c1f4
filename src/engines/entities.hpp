#pragma once
/// Built-in entity extractor (engine "heuristic-entities"): proper-noun phrases from title-case
/// runs and acronyms, minus a stop list of sentence-initial common words.
#include "engines/engines.hpp"

namespace beacon::engines {

/// The extraction itself (pure): unique entities in order of first appearance.
std::vector<std::string> ExtractEntitiesHeuristic(const std::string& text);

class HeuristicEntityExtractor final : public EntityExtractor {
public:
    Result<std::vector<std::string>> Extract(const std::string& text, std::stop_token stop) override;
    Provenance Describe() const override;
};

}  // namespace beacon::engines
