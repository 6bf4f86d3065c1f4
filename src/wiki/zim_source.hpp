#pragma once
/// Facts from an offline Kiwix ZIM archive (libzim 8): title lookup with letter-case variants,
/// redirects and suggestion search; the lead paragraph and main image of the article.
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "wiki/fact.hpp"

namespace zim {
class Archive;
}

namespace beacon::wiki {

struct ZimOptions {
    std::string path;                    // the .zim file
    std::string url_prefix = "/wiki/";   // where Beacon serves the archive's entries
    /// When set (e.g. "http://127.0.0.1:8090"): source links open the article in that
    /// kiwix-serve instead: <url>/<book>/<path>, book = the ZIM file name without ".zim" (as
    /// kiwix-serve 3.3 names and routes it; newer kiwix-serve also answers that path).
    std::string kiwix_serve_url;
};

/// An archive entry as stored (for /wiki/...): an item's bytes, or where a redirect points.
struct ZimEntry {
    std::string path;
    std::string title;
    std::string mimetype;
    std::string data;
    std::string redirect_to;  // set for a redirect entry (then data is empty)
};

struct ZimInfo {
    std::uint32_t articles = 0;
    std::string language;  // the archive's Language metadata ("eng")
    std::string title;
    std::string uuid;
};

class ZimFactSource final : public FactSource {
public:
    /// Opens the archive; an error names the file and libzim's reason.
    static core::Result<std::unique_ptr<ZimFactSource>> Open(ZimOptions options);
    ~ZimFactSource() override;

    core::Result<Fact> Lookup(std::string_view name, std::stop_token stop) override;
    std::string Kind() const override { return "kiwix"; }
    std::string CacheId() const override;

    /// The entry at `path` (NotFound when absent). Redirects are not followed: the caller
    /// answers them with a redirect so that relative links keep working.
    core::Result<ZimEntry> Read(const std::string& path) const;
    ZimInfo Info() const;
    /// The link that opens the article at `path` (Beacon's /wiki/ or a kiwix-serve).
    std::string SourceUrl(const std::string& path) const;

private:
    ZimFactSource(ZimOptions options, std::unique_ptr<zim::Archive> archive);
    ZimOptions options_;
    std::unique_ptr<zim::Archive> archive_;
    std::string book_;
    std::mutex search_mu_;  // SuggestionSearcher is not thread-safe
};

/// Percent-encodes an archive path for a URL, keeping '/' between segments.
std::string EncodeArchivePath(const std::string& path);

}  // namespace beacon::wiki
