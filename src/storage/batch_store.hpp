#pragma once
/// Batches: many prompts submitted together, each a job in the queue. Thread-safe.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/model.hpp"
#include "storage/store_types.hpp"

namespace beacon::storage {

/// Many prompts submitted together (POST /api/v1/generate/batch). Its jobs have priority 1:
/// any interactive job (priority 0) is claimed before the batch's remaining ones.
struct Batch {
    std::int64_t id = 0;
    std::int64_t user_id = 0;
    std::string name;
    int max_parallel = 0;  // jobs of this batch running at once; 0 = no cap
    core::UnixMillis created_at = 0;
    std::vector<std::int64_t> job_ids;  // in submission order
    std::map<std::string, int> counts;  // job status → number of jobs
    int progress = 0;                   // mean progress of the jobs, 0..100
};

class BatchStore {
public:
    virtual ~BatchStore() = default;

    /// Creates a batch and one queued "generate" job per item (priority 1), all or nothing.
    virtual Result<Batch> CreateBatch(std::int64_t user_id, const std::string& name,
                                      int max_parallel,
                                      const std::vector<core::GenerateRequest>& items) = 0;
    /// NotFound for an unknown batch.
    virtual Result<Batch> GetBatch(std::int64_t id) = 0;
    /// The user's batches, newest first.
    virtual Result<std::vector<Batch>> ListBatches(std::int64_t user_id, int limit) = 0;
};

}  // namespace beacon::storage
