#pragma once
/// Wires Wiki Facts (src/wiki) from [wiki]: the fact source (an offline ZIM, or Wikipedia when
/// online lookups are allowed), the cache and entity edits in <data>/wiki.db, and the routes.
#include <memory>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "engines/engines.hpp"
#include "engines/http_client.hpp"
#include "server/server.hpp"
#include "storage/content_store.hpp"
#include "storage/object_store.hpp"
#include "wiki/service.hpp"
#include "wiki/wikipedia_source.hpp"

namespace beacon::app {

class WikiWiring {
public:
    /// Opens the configured source (a ZIM that cannot be opened stops start-up with its path
    /// and reason) and the cache. With neither a ZIM nor online lookups the routes still list
    /// entities, and fact requests answer 503 saying how to turn facts on.
    static core::Result<std::unique_ptr<WikiWiring>> Open(const config::Config& cfg,
                                                          storage::ContentStore& db,
                                                          storage::ObjectStore& store);
    ~WikiWiring();
    void AddRoutes(server::ServerDeps& deps);
    /// One line for `beacon doctor` / logs: which source, and its state.
    std::string Describe() const;

private:
    WikiWiring() = default;
    engines::HttpClient http_;
    std::unique_ptr<wiki::WikiStore> store_;
    std::unique_ptr<wiki::ZimFactSource> zim_;
    std::unique_ptr<wiki::WikipediaFactSource> wikipedia_;
    std::unique_ptr<wiki::WikiService> service_;
};

/// `beacon doctor`: the ZIM opens (articles, language), Wikipedia answers when online lookups
/// are on, or one line saying facts are off.
std::vector<engines::HealthCheck> WikiChecks(const config::Config& cfg);

}  // namespace beacon::app
