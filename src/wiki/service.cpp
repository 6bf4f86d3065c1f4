#include "wiki/service.hpp"

#include <algorithm>
#include <set>

#include "engines/captions.hpp"

namespace beacon::wiki {

using core::Json;

namespace {

constexpr std::size_t kMaxNameBytes = 200;

std::string Trimmed(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return std::string(s);
}

}  // namespace

Json ToJson(const ItemEntity& e) {
    Json spans = Json::array();
    for (const auto& s : e.spans) spans.push_back({{"start", s.start}, {"end", s.end}});
    return {{"name", e.name},
            {"type", e.type},
            {"added_by", e.user_added ? "user" : "extractor"},
            {"spans", spans},
            {"fact", e.fact ? ToJson(*e.fact) : Json(nullptr)}};
}

std::vector<TimedText> ItemTimedText(const core::Content& c, storage::ObjectStore& store) {
    std::vector<TimedText> out;
    if (!c.vtt_key.empty()) {
        auto vtt = store.Get(c.vtt_key);
        if (vtt.ok()) {
            auto cues = engines::ParseWebVtt(*vtt);
            if (cues.ok()) {
                for (auto& cue : *cues) out.push_back({cue.start, cue.end, std::move(cue.text)});
                if (!out.empty()) return out;
            }
        }
    }
    auto script = core::ParseScript(c.script);
    if (script.ok()) {
        double t = 0;
        for (const auto& scene : script->scenes) {
            std::string words;
            for (const auto& line : scene.lines) words += (words.empty() ? "" : " ") + line;
            out.push_back({t, t + scene.duration, words});
            t += scene.duration;
        }
    }
    return out;
}

WikiService::WikiService(WikiServiceOptions options, storage::ContentStore& db,
                         storage::ObjectStore& store, WikiStore& wiki_store, FactSource* source,
                         ZimFactSource* zim)
    : options_(std::move(options)),
      db_(db),
      store_(store),
      wiki_store_(wiki_store),
      source_(source),
      zim_(zim) {}

core::Result<Fact> WikiService::CachedLookup(std::string_view name, std::stop_token stop) {
    if (!source_) return core::Error::Unavailable("no wiki source is configured", false);
    const std::string id = source_->CacheId();
    const std::string key(name);
    const auto now = core::NowMillis();
    if (auto hit = wiki_store_.GetFact(id, key, now, options_.cache_max_age); hit.ok() && *hit) {
        return std::move(**hit);
    }
    BEACON_TRY(fact, source_->Lookup(name, stop));
    (void)wiki_store_.PutFact(id, key, fact, now);  // a cache that cannot write only costs time
    return fact;
}

core::Result<std::vector<Fact>> WikiService::Facts(const std::vector<std::string>& names,
                                                   std::stop_token stop) {
    if (!source_) return core::Error::Unavailable("wiki facts are off: set [wiki] zim or online", false);
    std::string all;
    for (const auto& n : names) all += n + " ";
    const auto context = ContextWords(all);
    LookupFn lookup = [this](std::string_view n, std::stop_token s) { return CachedLookup(n, s); };
    std::vector<Fact> out;
    for (const auto& n : names) {
        BEACON_TRY(f, ResolveFact(lookup, n, context, stop));
        out.push_back(std::move(f));
    }
    return out;
}

core::Result<std::vector<ItemEntity>> WikiService::Entities(std::int64_t content_id,
                                                            std::stop_token stop) {
    BEACON_TRY(content, db_.GetContent(content_id));
    BEACON_TRY(edits, wiki_store_.Edits(content_id));
    std::vector<ItemEntity> entities;
    std::set<std::string> seen;
    std::set<std::string> removed;
    for (const auto& e : edits) {
        if (e.removed) removed.insert(FoldName(e.name));
    }
    auto add = [&](std::string name, std::string type, bool user) {
        name = Trimmed(name);
        const std::string folded = FoldName(name);
        if (folded.empty() || removed.contains(folded) || !seen.insert(folded).second) return;
        entities.push_back({std::move(name), std::move(type), user, {}, std::nullopt});
    };
    if (content.entities.is_array()) {
        for (const auto& e : content.entities) {
            if (e.is_string()) add(e.get<std::string>(), "", false);
            if (e.is_object()) add(e.value("name", ""), e.value("type", ""), false);
        }
    }
    for (const auto& e : edits) {
        if (!e.removed) add(e.name, e.type, true);
    }

    const auto pieces = ItemTimedText(content, store_);
    std::string words = content.title + " " + content.description + " " + content.transcript;
    for (const auto& p : pieces) words += " " + p.text;
    for (const auto& e : entities) words += " " + e.name;
    const auto context = ContextWords(words);
    LookupFn lookup = [this](std::string_view n, std::stop_token s) { return CachedLookup(n, s); };
    for (auto& e : entities) {
        e.spans = FindMentionSpans(e.name, pieces);
        if (source_) {
            BEACON_TRY(f, ResolveFact(lookup, e.name, context, stop));
            e.fact = std::move(f);
        }
    }
    return entities;
}

core::Result<ItemEntity> WikiService::AddEntity(std::int64_t content_id, const std::string& raw,
                                                const std::string& type, std::stop_token stop) {
    const std::string name = Trimmed(raw);
    if (name.empty()) return core::Error::Invalid("name must not be empty");
    if (name.size() > kMaxNameBytes) return core::Error::Invalid("name is longer than 200 bytes");
    if (type.size() > 40) return core::Error::Invalid("type is longer than 40 bytes");
    BEACON_TRY(content, db_.GetContent(content_id));
    (void)content;
    BEACON_CHECK(wiki_store_.AddEntity(content_id, name, type, core::NowMillis()));
    BEACON_TRY(all, Entities(content_id, stop));
    for (auto& e : all) {
        if (FoldName(e.name) == FoldName(name)) return std::move(e);
    }
    return core::Error::Internal("added entity missing from the list");
}

core::Status WikiService::RemoveEntity(std::int64_t content_id, const std::string& raw) {
    const std::string name = Trimmed(raw);
    if (name.empty()) return core::Error::Invalid("name must not be empty");
    BEACON_TRY(content, db_.GetContent(content_id));
    (void)content;
    return wiki_store_.RemoveEntity(content_id, name, core::NowMillis());
}

}  // namespace beacon::wiki
