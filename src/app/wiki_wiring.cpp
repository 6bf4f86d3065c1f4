#include "app/wiki_wiring.hpp"

#include "storage/module_db.hpp"
#include "wiki/http.hpp"

namespace beacon::app {

WikiWiring::~WikiWiring() = default;

core::Result<std::unique_ptr<WikiWiring>> WikiWiring::Open(const config::Config& cfg,
                                                           storage::ContentStore& db,
                                                           storage::ObjectStore& store) {
    const config::WikiConfig& w = cfg.wiki;
    std::unique_ptr<WikiWiring> out(new WikiWiring());
    BEACON_TRY(wiki_store, wiki::WikiStore::Open(storage::ModuleDbLocation(
                               cfg.database.url, (cfg.data_dir / "wiki.db").string())));
    out->store_ = std::move(wiki_store);

    const bool online = w.online || w.source == "wikipedia";
    std::string source = w.source;
    if (source.empty()) source = !w.zim.empty() ? "kiwix" : online ? "wikipedia" : "";
    if (!w.zim.empty()) {
        // Opened whenever configured: /wiki/ serves its articles even when facts come online.
        BEACON_TRY(zim, wiki::ZimFactSource::Open({w.zim, "/wiki/", w.kiwix_serve_url}));
        out->zim_ = std::move(zim);
    } else if (source == "kiwix") {
        return core::Error::Invalid("[wiki] source = \"kiwix\" needs [wiki] zim = \"path/to.zim\"");
    }
    wiki::FactSource* chosen = nullptr;
    if (source == "kiwix") chosen = out->zim_.get();
    if (source == "wikipedia") {
        wiki::WikipediaOptions o;
        o.language = w.language;
        o.base_url = w.wikipedia_url.empty() ? "https://" + w.language + ".wikipedia.org"
                                             : w.wikipedia_url;
        o.user_agent = w.user_agent.empty()
                           ? "Beacon/0.1 (self-hosted media server; wiki facts; libcurl)"
                           : w.user_agent;
        o.max_concurrent = w.max_concurrent;
        out->wikipedia_ = std::make_unique<wiki::WikipediaFactSource>(o, out->http_);
        chosen = out->wikipedia_.get();
    }
    wiki::WikiServiceOptions so;
    so.language = w.language;
    so.cache_max_age = std::chrono::hours(24) * w.cache_days;
    out->service_ = std::make_unique<wiki::WikiService>(so, db, store, *out->store_, chosen,
                                                        out->zim_.get());
    return out;
}

void WikiWiring::AddRoutes(server::ServerDeps& deps) {
    for (auto& r : wiki::HttpRoutes(*service_)) deps.routes.push_back(std::move(r));
}

std::string WikiWiring::Describe() const {
    std::string zim;
    if (zim_) {
        const auto info = zim_->Info();
        zim = "ZIM \"" + info.title + "\" (" + std::to_string(info.articles) + " articles, " +
              info.language + ")";
    }
    if (wikipedia_) return "Wikipedia REST (online)" + (zim.empty() ? "" : "; /wiki/ serves " + zim);
    if (zim_) return zim;
    return "off (set [wiki] zim or online = true)";
}

std::vector<engines::HealthCheck> WikiChecks(const config::Config& cfg) {
    const config::WikiConfig& w = cfg.wiki;
    std::vector<engines::HealthCheck> out;
    const bool online = w.online || w.source == "wikipedia";
    if (!w.zim.empty()) {
        auto zim = wiki::ZimFactSource::Open({w.zim, "/wiki/", w.kiwix_serve_url});
        if (!zim.ok()) {
            out.push_back({"wiki", "kiwix ZIM", false, zim.error().message});
        } else {
            const auto info = (*zim)->Info();
            out.push_back({"wiki", "kiwix ZIM", info.articles > 0,
                           "\"" + info.title + "\": " + std::to_string(info.articles) +
                               " articles, language " + info.language + " (" + w.zim + ")"});
        }
    }
    if (online) {
        const std::string base = w.wikipedia_url.empty()
                                     ? "https://" + w.language + ".wikipedia.org"
                                     : w.wikipedia_url;
        engines::HttpClient http;
        engines::HttpRequest req;
        req.url = base + "/api/rest_v1/page/summary/Wikipedia";
        req.headers = {{"User-Agent", w.user_agent.empty()
                                          ? "Beacon/0.1 (self-hosted media server; wiki facts; libcurl)"
                                          : w.user_agent}};
        req.timeout = std::chrono::seconds(10);
        auto r = http.Send(req);
        const bool ok = r.ok() && (r->status == 200 || r->status == 404);
        out.push_back({"wiki", "Wikipedia REST", ok,
                       r.ok() ? base + " answered HTTP " + std::to_string(r->status)
                              : r.error().message});
    }
    if (out.empty()) out.push_back({"wiki", "off", true, "no [wiki] zim and online = false"});
    return out;
}

}  // namespace beacon::app
