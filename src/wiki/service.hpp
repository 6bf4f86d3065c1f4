#pragma once
/// Wiki facts for the API: an item's entities with the spans where each is spoken, the user's
/// corrections, and facts resolved through the configured source and the cache.
#include <chrono>
#include <cstdint>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "storage/content_store.hpp"
#include "storage/object_store.hpp"
#include "wiki/fact.hpp"
#include "wiki/mentions.hpp"
#include "wiki/store.hpp"
#include "wiki/zim_source.hpp"

namespace beacon::wiki {

struct WikiServiceOptions {
    std::chrono::milliseconds cache_max_age{std::chrono::hours(24 * 7)};
    std::string language = "en";  // the source's language (GET /wiki?lang= must match)
};

/// One entity of an item.
struct ItemEntity {
    std::string name;
    std::string type;          // from the extractor or the user; may be empty
    bool user_added = false;
    std::vector<Span> spans;   // where it is spoken (empty: only in the prompt or description)
    std::optional<Fact> fact;  // absent when no source is configured
};
core::Json ToJson(const ItemEntity& e);

/// The timed words of an item: its caption cues (WebVTT in the object store), else its script's
/// scenes laid end to end with their narration.
std::vector<TimedText> ItemTimedText(const core::Content& c, storage::ObjectStore& store);

class WikiService {
public:
    /// `source` and `zim` may be null (no facts / no /wiki/ articles). Everything is borrowed.
    WikiService(WikiServiceOptions options, storage::ContentStore& db, storage::ObjectStore& store,
                WikiStore& wiki_store, FactSource* source, ZimFactSource* zim);

    bool has_source() const { return source_ != nullptr; }
    const std::string& language() const { return options_.language; }
    ZimFactSource* zim() const { return zim_; }

    /// Facts for names asked together (each is the others' context). FailedPrecondition-like
    /// Unavailable when no source is configured.
    core::Result<std::vector<Fact>> Facts(const std::vector<std::string>& names,
                                          std::stop_token stop);
    /// The item's entities (extractor's, minus removed, plus added) with spans and facts.
    core::Result<std::vector<ItemEntity>> Entities(std::int64_t content_id, std::stop_token stop);
    /// Adds a name to the item (Invalid for an empty or over-long name); returns it resolved.
    core::Result<ItemEntity> AddEntity(std::int64_t content_id, const std::string& name,
                                       const std::string& type, std::stop_token stop);
    core::Status RemoveEntity(std::int64_t content_id, const std::string& name);

    /// One lookup through the cache (facts younger than cache_max_age are not asked again).
    core::Result<Fact> CachedLookup(std::string_view name, std::stop_token stop);

private:
    WikiServiceOptions options_;
    storage::ContentStore& db_;
    storage::ObjectStore& store_;
    WikiStore& wiki_store_;
    FactSource* source_;
    ZimFactSource* zim_;
};

}  // namespace beacon::wiki
