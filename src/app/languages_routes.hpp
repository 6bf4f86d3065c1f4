#pragma once
/// HTTP routes of the languages feature (see docs/languages.md), as extension routes:
///   GET    /api/v1/content/{id}/languages          the item's languages and reachable targets
///   POST   /api/v1/content/{id}/languages          add one (202 {"job_id"}; job kind localize)
///   DELETE /api/v1/content/{id}/languages/{lang}   remove one (not the original)
#include <vector>

#include "jobs/event_bus.hpp"
#include "jobs/worker_pool.hpp"
#include "pipeline/localize.hpp"
#include "server/extension.hpp"
#include "storage/database.hpp"
#include "storage/object_store.hpp"

namespace beacon::app {

/// Every reference must outlive the routes; `workers` may be null (no local workers).
std::vector<server::ExtensionRoute> LanguageRoutes(pipeline::LocalizeJob& localize,
                                                   storage::Database& db,
                                                   storage::ObjectStore& store,
                                                   jobs::EventBus& events,
                                                   jobs::WorkerPool* workers);

}  // namespace beacon::app
