#include "wiki/wikipedia_source.hpp"

#include <algorithm>
#include <cctype>

#include "wiki/html.hpp"
#include "wiki/mentions.hpp"

namespace beacon::wiki {

using core::Json;

namespace {

std::string TitleKey(std::string_view title) {
    std::string t(title);
    std::replace(t.begin(), t.end(), ' ', '_');
    return t;
}

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

/// A Location header as a path on the same host: "Lighthouse" (relative to the summary
/// folder), "/api/rest_v1/page/summary/X" or an absolute URL on base.
std::string RedirectPath(const std::string& from_path, const std::string& location,
                         const std::string& base) {
    if (location.rfind(base, 0) == 0) return location.substr(base.size());
    if (!location.empty() && location[0] == '/') return location;
    if (location.find("://") != std::string::npos) return {};  // another host: not followed
    return from_path.substr(0, from_path.rfind('/') + 1) + location;
}

}  // namespace

WikipediaFactSource::WikipediaFactSource(WikipediaOptions options, const engines::HttpClient& http)
    : options_(std::move(options)),
      http_(http),
      slots_(std::clamp(options_.max_concurrent, 1, 16)) {
    while (!options_.base_url.empty() && options_.base_url.back() == '/') options_.base_url.pop_back();
}

core::Result<engines::HttpResponse> WikipediaFactSource::Get(const std::string& first_path,
                                                             std::stop_token stop) {
    std::string path = first_path;
    const engines::ServiceCall svc{"Wikipedia", [](const engines::HttpResponse& r) {
                                       auto j = Json::parse(r.body, nullptr, false);
                                       if (j.is_object()) {
                                           return j.value("detail", j.value("title", ""));
                                       }
                                       return std::string();
                                   }};
    for (int hop = 0; hop < 4; ++hop) {
        engines::HttpRequest req;
        req.url = options_.base_url + path;
        req.headers = {{"User-Agent", options_.user_agent},
                       {"Accept", "application/json; charset=utf-8"}};
        req.timeout = options_.timeout;
        std::chrono::milliseconds backoff{500};
        core::Result<engines::HttpResponse> resp = core::Error::Internal("no attempt");
        for (int attempt = 1; attempt <= std::max(1, options_.max_attempts); ++attempt) {
            {
                slots_.acquire();  // at most max_concurrent in flight; never held while waiting
                resp = http_.Send(req, stop);
                slots_.release();
            }
            if (stop.stop_requested()) return core::Error::Canceled("wiki lookup canceled");
            std::chrono::milliseconds wait = backoff;
            if (resp.ok()) {
                const long s = resp->status;
                if (s != 429 && s < 500) break;
                if (auto ra = engines::ParseRetryAfter(resp->Header("retry-after")); ra.count() > 0) {
                    if (ra > options_.max_retry_after) break;
                    wait = ra;
                }
            } else if (!resp.error().retryable) {
                return resp.error();
            }
            if (attempt == options_.max_attempts) break;
            if (!engines::SleepFor(wait, stop)) return core::Error::Canceled("wiki lookup canceled");
            backoff = std::min(backoff * 2, std::chrono::milliseconds(8000));
        }
        if (!resp.ok()) return resp.error();
        const long s = resp->status;
        if (s >= 300 && s < 400) {
            std::string next = RedirectPath(path, resp->Header("location"), options_.base_url);
            if (next.empty()) {
                return core::Error::External("Wikipedia redirected " + path + " off the site");
            }
            path = next;
            continue;
        }
        if (s < 200 || s >= 300) return engines::ErrorFromResponse(svc, req.url, *resp);
        return resp;
    }
    return core::Error::External("Wikipedia: too many redirects from " + first_path);
}

core::Result<Fact> WikipediaFactSource::Summary(const std::string& title, std::stop_token stop) {
    Fact fact;
    fact.entity = title;
    fact.source = "wikipedia";
    auto resp = Get("/api/rest_v1/page/summary/" + engines::UrlEncode(TitleKey(title)), stop);
    if (!resp.ok()) {
        if (resp.error().code == core::ErrorCode::kNotFound) return fact;
        return resp.error();
    }
    auto j = Json::parse(resp->body, nullptr, false);
    if (!j.is_object()) return core::Error::External("Wikipedia answered a summary that is not JSON");
    const std::string type = j.value("type", "standard");
    const std::string canonical = j.value("title", title);
    if (j.contains("titles") && j["titles"].is_object()) {
        fact.title = j["titles"].value("normalized", canonical);
    } else {
        fact.title = canonical;
    }
    if (type == "disambiguation") {
        fact.ambiguous = true;
        auto html = Get("/api/rest_v1/page/html/" + engines::UrlEncode(TitleKey(canonical)), stop);
        if (html.ok()) {
            for (const auto& c : ReadArticleLead(html->body).candidates) {
                if (!c.title.empty()) fact.candidates.push_back({c.title, c.text});
            }
        } else if (html.error().code != core::ErrorCode::kNotFound) {
            return html.error();
        }
        fact.title.clear();
        return fact;
    }
    fact.resolved = true;
    fact.summary = ShortenSummary(j.value("extract", ""), 3, kSummaryChars);
    if (j.contains("thumbnail") && j["thumbnail"].is_object()) {
        fact.image_url = j["thumbnail"].value("source", "");
    }
    if (j.contains("content_urls") && j["content_urls"].is_object() &&
        j["content_urls"].contains("desktop")) {
        fact.source_url = j["content_urls"]["desktop"].value("page", "");
    }
    if (fact.source_url.empty()) {
        fact.source_url = options_.base_url + "/wiki/" + engines::UrlEncode(TitleKey(canonical));
    }
    return fact;
}

core::Result<Fact> WikipediaFactSource::Lookup(std::string_view name, std::stop_token stop) {
    const std::string n(name);
    std::vector<std::string> variants = {n};
    for (std::string v : {UpperFirst(n), TitleCaseWords(n)}) {
        if (FoldName(v) == FoldName(n) &&
            std::none_of(variants.begin(), variants.end(), [&](const std::string& have) {
                return TitleKey(UpperFirst(have)) == TitleKey(UpperFirst(v));
            })) {
            variants.push_back(v);
        }
    }
    Fact last;
    for (const auto& v : variants) {
        BEACON_TRY(f, Summary(v, stop));
        f.entity = n;
        if (f.resolved || f.ambiguous) return f;
        last = std::move(f);
    }
    last.entity = n;
    return last;
}

}  // namespace beacon::wiki
