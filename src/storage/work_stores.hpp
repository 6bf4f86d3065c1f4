#pragma once
/// The areas a job's work touches: the queue (its row, recorded stages, log lines, URLs), the
/// library rows it composes or changes, and the assets it makes (the engine/encode cache). Job
/// definitions (generation, import) and the remote workers' service take these three references
/// instead of the whole Database, so a test may hand them one backend (SQLite, the in-memory
/// fake) or a separate fake per area.
#include <concepts>

#include "storage/asset_store.hpp"
#include "storage/content_store.hpp"
#include "storage/job_store.hpp"

namespace beacon::storage {

/// A backend that implements all three areas (a Database, the in-memory fake).
template <class T>
concept HasWorkAreas = std::derived_from<T, JobStore> && std::derived_from<T, ContentStore> &&
    std::derived_from<T, AssetStore>;

struct WorkStores {
    WorkStores(JobStore& job_store, ContentStore& content_store, AssetStore& asset_store)
        : jobs(job_store), library(content_store), assets(asset_store) {}
    /// Implicit: a backend that has every area is these three.
    template <HasWorkAreas All>
    WorkStores(All& all) : jobs(all), library(all), assets(all) {}

    JobStore& jobs;
    ContentStore& library;
    AssetStore& assets;
};

}  // namespace beacon::storage
