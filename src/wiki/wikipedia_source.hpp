#pragma once
/// Facts from Wikipedia's REST API (GET /api/rest_v1/page/summary/{title}, and page/html for a
/// disambiguation page's list), politely: a descriptive User-Agent, at most `max_concurrent`
/// requests at once, Retry-After honoured on 429/503, redirects followed.
#include <chrono>
#include <semaphore>
#include <string>

#include "engines/http_client.hpp"
#include "wiki/fact.hpp"

namespace beacon::wiki {

struct WikipediaOptions {
    std::string base_url = "https://en.wikipedia.org";  // the language's Wikipedia
    std::string language = "en";
    std::string user_agent;            // required by the Wikimedia access policy
    int max_concurrent = 3;            // 1..16 requests in flight at once
    int max_attempts = 3;              // per request, for 429/5xx/transport failures
    std::chrono::milliseconds max_retry_after{30000};  // a longer Retry-After fails the lookup
    std::chrono::milliseconds timeout{8000};
};

class WikipediaFactSource final : public FactSource {
public:
    WikipediaFactSource(WikipediaOptions options, const engines::HttpClient& http);
    core::Result<Fact> Lookup(std::string_view name, std::stop_token stop) override;
    std::string Kind() const override { return "wikipedia"; }
    std::string CacheId() const override { return "wikipedia:" + options_.language; }

private:
    /// GET with the politeness rules; 3xx are followed (at most 3 hops). 404 → NotFound.
    core::Result<engines::HttpResponse> Get(const std::string& path, std::stop_token stop);
    core::Result<Fact> Summary(const std::string& title, std::stop_token stop);

    WikipediaOptions options_;
    const engines::HttpClient& http_;
    std::counting_semaphore<16> slots_;
};

}  // namespace beacon::wiki
