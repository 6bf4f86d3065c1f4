#pragma once
/// A fact card's data, the FactSource interface (offline ZIM or Wikipedia REST) and the policy
/// that resolves a disambiguation page by the item's context (pure, over any source).
#include <functional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "core/model.hpp"
#include "core/result.hpp"

namespace beacon::wiki {

/// One article listed by a disambiguation page.
struct Candidate {
    std::string title;  // the article's title (or its path when the page names no title)
    std::string text;   // the list item's words ("Mercury (planet), the planet closest to...")
};

/// What a card shows (the brief's contract: title, summary, image_url, source_url, source,
/// resolved). A disambiguation page is never a fact: it comes back ambiguous with candidates.
struct Fact {
    std::string entity;      // the name asked for
    std::string title;       // the article's title
    std::string summary;     // plain text, at most 3 sentences
    std::string image_url;   // empty when the article has no image
    std::string source_url;  // opens the whole article (attribution: CC BY-SA)
    std::string source;      // "kiwix" | "wikipedia"
    bool resolved = false;   // an article was found (and it is not a disambiguation page)
    bool ambiguous = false;  // only a disambiguation page was found and context did not decide
    std::vector<Candidate> candidates;  // when ambiguous
};
core::Json ToJson(const Fact& f);
Fact FactFromJson(const core::Json& j);

/// Where facts come from. Implementations are thread-safe.
class FactSource {
public:
    virtual ~FactSource() = default;
    /// Looks up one name: exact title, other letter cases, redirects, near matches. Not found is
    /// a Fact with resolved = false, not an error; a disambiguation page is a Fact with
    /// ambiguous = true and its candidates. Errors mean the source itself failed.
    virtual core::Result<Fact> Lookup(std::string_view name, std::stop_token stop) = 0;
    /// "kiwix" or "wikipedia".
    virtual std::string Kind() const = 0;
    /// Names this source's contents for caches: "kiwix:<archive uuid>", "wikipedia:en".
    virtual std::string CacheId() const = 0;
};

/// How a lookup is made (a source, possibly through a cache).
using LookupFn = std::function<core::Result<Fact>(std::string_view name, std::stop_token stop)>;

/// Looks `name` up and, when only a disambiguation page answers, picks the candidate whose words
/// share the most with `context` (ContextWords of the item's other entities, title and script);
/// with no clear winner from the list's words it compares the candidates' own summaries (at most
/// `max_followups` lookups). Still undecided: the Fact stays ambiguous (resolved = false).
core::Result<Fact> ResolveFact(const LookupFn& lookup, std::string_view name,
                               const std::vector<std::string>& context, std::stop_token stop,
                               int max_followups = 6);

}  // namespace beacon::wiki
