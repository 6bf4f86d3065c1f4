#pragma once
/// HTTP routes of the languages feature (see docs/languages.md), as extension routes:
///   GET    /api/v1/content/{id}/languages          the item's languages and reachable targets
///   POST   /api/v1/content/{id}/languages          add one (202 {"job_id"}; job kind localize)
///   DELETE /api/v1/content/{id}/languages/{lang}   remove one (not the original)
#include <vector>

#include "jobs/event_bus.hpp"
#include "jobs/worker_pool.hpp"
#include "pipeline/import.hpp"
#include "pipeline/localize.hpp"
#include "server/extension.hpp"
#include "storage/content_store.hpp"
#include "storage/object_store.hpp"

namespace beacon::app {

/// Every reference must outlive the routes; `workers` may be null (no local workers).
std::vector<server::ExtensionRoute> LanguageRoutes(pipeline::LocalizeJob& localize,
                                                   storage::ContentStore& db,
                                                   storage::ObjectStore& store,
                                                   jobs::EventBus& events,
                                                   jobs::WorkerPool* workers);

/// Largest upload POST /api/v1/import takes (bytes); larger ones get 413.
inline constexpr std::size_t kMaxImportBytes = std::size_t{512} << 20;

/// POST /api/v1/import: multipart/form-data (field `file`, optional `title`) or the raw bytes
/// (?filename=&title=). The file is probed before the answer: what is not audio or video gets
/// 415; else 202 {"job_id"} (job kind import). `scratch` holds the upload until it is stored.
std::vector<server::ExtensionRoute> ImportRoutes(pipeline::ImportJob& importer,
                                                 const media::MediaOptions& media,
                                                 const std::filesystem::path& scratch,
                                                 jobs::EventBus& events, jobs::WorkerPool* workers);

}  // namespace beacon::app
