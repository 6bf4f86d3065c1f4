#pragma once
/// Batches: many prompts at once (POST /api/v1/generate/batch, `beacon generate --batch FILE`).
/// Parsing and validation are shared by the API and the CLI; the routes are module routes
/// (server::ExtensionRoute) wired by `beacon serve`.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/model.hpp"
#include "core/result.hpp"
#include "server/extension.hpp"
#include "storage/database.hpp"

namespace beacon::jobs {
class EventBus;
class WorkerPool;
}  // namespace beacon::jobs

namespace beacon::app {

inline constexpr std::size_t kMaxBatchItems = 500;

struct BatchPlan {
    std::string name;
    int max_parallel = 0;  // 0: no cap beyond the workers
    std::vector<core::GenerateRequest> items;
};

/// {"items": [{generate body}...], "defaults": {...}, "name": "...", "max_parallel": N}: each item
/// is `defaults` with the item's own fields on top, validated as POST /generate's body; an
/// error names the item ("items[3]: ..."). A string item is a prompt.
core::Result<BatchPlan> ParseBatchBody(const core::Json& body);

/// A batch file: JSON Lines (one generate body per line) or plain text (one prompt per line);
/// blank lines and lines starting with '#' are skipped. `defaults` apply to every item.
core::Result<BatchPlan> ParseBatchFile(const std::string& text, const core::Json& defaults);

/// The API's view of a batch: counts by state, progress, state, and (with jobs) a short line
/// per job.
core::Json BatchJson(const storage::Batch& b, const std::vector<core::Job>* jobs = nullptr);

struct BatchDeps {
    storage::Database& db;
    jobs::EventBus& events;
    jobs::WorkerPool* workers = nullptr;
    std::function<core::Result<core::Json>()> list_voices;  // may be empty
    std::function<core::Status(int jobs)> admit_jobs;       // quotas for N jobs; may be empty
};

/// POST /api/v1/generate/batch, GET /api/v1/batches, GET /api/v1/batches/{id},
/// POST /api/v1/batches/{id}/cancel, POST /api/v1/batches/{id}/retry.
std::vector<server::ExtensionRoute> BatchRoutes(BatchDeps deps);

}  // namespace beacon::app
