#include "wiki/zim_source.hpp"

#include <zim/archive.h>
#include <zim/entry.h>
#include <zim/error.h>
#include <zim/item.h>
#include <zim/suggestion.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <optional>

#include "wiki/html.hpp"
#include "wiki/mentions.hpp"

namespace beacon::wiki {

namespace {

std::string UpperFirst(std::string s) {
    if (!s.empty()) s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
    return s;
}

std::string TitleCaseWords(std::string s) {
    bool start = true;
    for (char& c : s) {
        if (start) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        start = c == ' ' || c == '-' || c == '_';
    }
    return s;
}

std::string Mapped(std::string s, int (*f)(int)) {
    for (char& c : s) c = static_cast<char>(f(static_cast<unsigned char>(c)));
    return s;
}

std::size_t EditDistance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1,
                               prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
        }
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

/// "Mercury (planet)" → "mercury".
std::string WithoutQualifier(const std::string& title) {
    std::string t = title;
    if (!t.empty() && t.back() == ')') {
        if (auto open = t.rfind(" ("); open != std::string::npos) t.resize(open);
    }
    return FoldName(t);
}

std::optional<zim::Entry> ByTitle(const zim::Archive& a, const std::string& title) {
    try {
        return a.getEntryByTitle(title);
    } catch (const zim::EntryNotFound&) {
        return std::nullopt;
    }
}

std::optional<zim::Entry> ByPath(const zim::Archive& a, const std::string& path) {
    try {
        return a.getEntryByPath(path);
    } catch (const zim::EntryNotFound&) {
        return std::nullopt;
    }
}

/// Follows redirects (at most 8 hops); nullopt when the chain loops or ends nowhere.
std::optional<zim::Entry> Follow(zim::Entry e) {
    for (int hop = 0; hop < 8; ++hop) {
        if (!e.isRedirect()) return e;
        e = e.getRedirectEntry();
    }
    return std::nullopt;
}

bool IsHtml(const zim::Entry& e) {
    return e.getItem(false).getMimetype().rfind("text/html", 0) == 0;
}

}  // namespace

std::string EncodeArchivePath(const std::string& path) {
    static const char* kHex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : path) {
        if (std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~' ||
            c == '(' || c == ')' || c == ',') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
    }
    return out;
}

ZimFactSource::ZimFactSource(ZimOptions options, std::unique_ptr<zim::Archive> archive)
    : options_(std::move(options)), archive_(std::move(archive)) {
    book_ = std::filesystem::path(options_.path).stem().string();
    while (!options_.kiwix_serve_url.empty() && options_.kiwix_serve_url.back() == '/') {
        options_.kiwix_serve_url.pop_back();
    }
}

ZimFactSource::~ZimFactSource() = default;

core::Result<std::unique_ptr<ZimFactSource>> ZimFactSource::Open(ZimOptions options) {
    try {
        auto archive = std::make_unique<zim::Archive>(options.path);
        return std::unique_ptr<ZimFactSource>(
            new ZimFactSource(std::move(options), std::move(archive)));
    } catch (const std::exception& e) {
        std::string why = e.what();
        std::replace(why.begin(), why.end(), '\n', ' ');
        while (!why.empty() && why.back() == ' ') why.pop_back();
        return core::Error::Unavailable("cannot open ZIM " + options.path + ": " + why, false);
    }
}

std::string ZimFactSource::CacheId() const {
    return "kiwix:" + static_cast<std::string>(archive_->getUuid());
}

ZimInfo ZimFactSource::Info() const {
    ZimInfo info;
    info.articles = archive_->getArticleCount();
    info.uuid = static_cast<std::string>(archive_->getUuid());
    try {
        info.language = archive_->getMetadata("Language");
    } catch (const std::exception&) {
    }
    try {
        info.title = archive_->getMetadata("Title");
    } catch (const std::exception&) {
    }
    return info;
}

std::string ZimFactSource::SourceUrl(const std::string& path) const {
    if (!options_.kiwix_serve_url.empty()) {
        return options_.kiwix_serve_url + "/" + book_ + "/" + EncodeArchivePath(path);
    }
    return options_.url_prefix + EncodeArchivePath(path);
}

core::Result<ZimEntry> ZimFactSource::Read(const std::string& path) const {
    try {
        auto e = ByPath(*archive_, path);
        if (!e) return core::Error::NotFound("no entry " + path + " in the ZIM");
        ZimEntry out;
        out.path = e->getPath();
        out.title = e->getTitle();
        if (e->isRedirect()) {
            out.redirect_to = e->getRedirectEntry().getPath();
            return out;
        }
        zim::Item item = e->getItem(false);
        out.mimetype = item.getMimetype();
        zim::Blob blob = item.getData();
        out.data.assign(blob.data(), blob.size());
        return out;
    } catch (const std::exception& ex) {
        return core::Error::External(std::string("ZIM read failed: ") + ex.what());
    }
}

core::Result<Fact> ZimFactSource::Lookup(std::string_view name_view, std::stop_token) {
    const std::string name(name_view);
    Fact fact;
    fact.entity = name;
    fact.source = "kiwix";
    const std::string folded = FoldName(name);
    if (folded.empty()) return fact;
    try {
        std::optional<zim::Entry> found;
        // 1. The title as given, then other letter cases (titles are case-sensitive).
        std::vector<std::string> variants = {name, UpperFirst(name), TitleCaseWords(name),
                                             UpperFirst(Mapped(name, ::tolower)),
                                             Mapped(name, ::toupper)};
        for (const auto& v : variants) {
            if ((found = ByTitle(*archive_, v))) break;
            std::string p = v;
            std::replace(p.begin(), p.end(), ' ', '_');
            if ((found = ByPath(*archive_, p))) {
                auto followed = Follow(*found);
                if (followed && IsHtml(*followed)) break;
            }
            found.reset();
        }
        // 2. The title index: a title equal but for case, else a near match.
        if (!found && archive_->hasTitleIndex()) {
            std::vector<std::pair<std::string, std::string>> suggestions;  // title, path
            {
                std::lock_guard lock(search_mu_);
                zim::SuggestionSearcher searcher(*archive_);
                auto results = searcher.suggest(name).getResults(0, 10);
                for (auto it = results.begin(); it != results.end(); ++it) {
                    suggestions.emplace_back(it->getTitle(), it->getPath());
                }
            }
            for (const auto& [title, path] : suggestions) {
                if (FoldName(title) == folded) {
                    found = ByPath(*archive_, path);
                    break;
                }
            }
            if (!found) {
                // Only qualified titles ("Mercury (planet)", "Mercury (element)"): a choice.
                std::vector<Candidate> qualified;
                for (const auto& [title, path] : suggestions) {
                    if (WithoutQualifier(title) == folded && FoldName(title) != folded) {
                        qualified.push_back({title, title});
                    }
                }
                if (qualified.size() == 1) {
                    found = ByTitle(*archive_, qualified[0].title);
                } else if (qualified.size() > 1) {
                    fact.ambiguous = true;
                    fact.candidates = std::move(qualified);
                    return fact;
                }
            }
            if (!found && folded.size() >= 5) {
                // A small misspelling: one edit (two for long names) from a suggested title.
                const std::size_t allowed = folded.size() >= 10 ? 2 : 1;
                for (const auto& [title, path] : suggestions) {
                    if (EditDistance(FoldName(title), folded) <= allowed) {
                        found = ByPath(*archive_, path);
                        break;
                    }
                }
            }
        }
        if (!found) return fact;
        auto article = Follow(*found);
        if (!article || !IsHtml(*article)) return fact;

        const std::string path = article->getPath();
        zim::Blob blob = article->getItem(false).getData();
        const ArticleLead lead = ReadArticleLead(std::string_view(blob.data(), blob.size()));
        fact.title = article->getTitle().empty() ? lead.title : article->getTitle();
        fact.source_url = SourceUrl(path);
        if (lead.disambiguation) {
            fact.ambiguous = true;
            fact.title.clear();
            fact.source_url.clear();
            for (const auto& c : lead.candidates) {
                const std::string target = ResolveArchivePath(path, c.href);
                if (target.empty()) continue;
                auto entry = ByPath(*archive_, target);
                if (!entry) continue;
                auto followed = Follow(*entry);
                if (!followed || !IsHtml(*followed)) continue;
                fact.candidates.push_back({followed->getTitle(), c.text});
            }
            return fact;
        }
        fact.resolved = true;
        fact.summary = lead.summary;
        if (!lead.image.empty()) {
            const std::string image = ResolveArchivePath(path, lead.image);
            if (!image.empty()) {
                if (auto e = ByPath(*archive_, image); e && !e->isRedirect()) {
                    fact.image_url = options_.url_prefix + EncodeArchivePath(image);
                }
            }
        }
        return fact;
    } catch (const std::exception& ex) {
        return core::Error::External("ZIM lookup of '" + name + "' failed: " + ex.what());
    }
}

}  // namespace beacon::wiki
