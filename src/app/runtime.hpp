#pragma once
/// The composition root's objects: config, storage, events, engines, pipeline, workers. Only
/// src/app reads config; everything else gets its own options from here.
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "config/config.hpp"
#include "core/task_pool.hpp"
#include "engines/factory.hpp"
#include "jobs/event_bus.hpp"
#include "jobs/redis_events.hpp"
#include "jobs/worker_pool.hpp"
#include "media/options.hpp"
#include "storage/database.hpp"
#include "storage/object_store.hpp"

namespace beacon::pipeline {
class GenerationPipeline;
class LocalizeJob;
class ImportJob;
}
namespace beacon::jobs {
class KindDispatch;
}

namespace beacon::app {

/// Builds the engines [engines] selects, with their options from the config.
core::Result<std::unique_ptr<engines::Engines>> BuildEngines(const config::Config& cfg);

struct Runtime {
    config::Config cfg;
    std::unique_ptr<storage::Database> db;
    std::unique_ptr<storage::ObjectStore> store;
    jobs::EventBus events;
    /// [events] redis_url: this process's events go to the others and theirs come here.
    std::unique_ptr<jobs::RedisEventBridge> redis_events;
    std::uint64_t wake_subscription = 0;  // queued-job events wake `workers` (with Redis)
    std::unique_ptr<engines::Engines> engines;
    /// Set before StartWorkers to wrap the engines the pipeline uses (Verse's world pictures).
    std::function<engines::EngineSet(engines::EngineSet)> adapt_engines;
    /// The pools the pipeline's voices, pictures and early previews run on: I/O for service
    /// calls, CPU one thread per core. Declared before the pipeline, so they stop after it.
    std::unique_ptr<core::TaskPool> io_pool;
    std::unique_ptr<core::TaskPool> cpu_pool;
    std::unique_ptr<pipeline::GenerationPipeline> pipeline;
    std::unique_ptr<engines::VoiceEngine> dub_voice;      // built-in multilingual voice (eSpeak NG)
    std::unique_ptr<pipeline::LocalizeJob> localize;      // job kind "localize"
    std::unique_ptr<pipeline::ImportJob> importer;        // job kind "import"
    std::unique_ptr<jobs::KindDispatch> kinds;            // the job kinds the workers run
    std::unique_ptr<jobs::WorkerPool> workers;  // last: stops first

    ~Runtime();
};

/// The media store [storage] selects: data/media, or the S3 bucket with data/media as this
/// machine's cache. Stateless beside its folder: several may be open on one data folder.
core::Result<std::unique_ptr<storage::ObjectStore>> OpenObjectStore(const config::Config& cfg);
/// Opens the data folder (database + object store). Engines and workers are added by Start*.
core::Result<std::unique_ptr<Runtime>> OpenRuntime(const config::Config& cfg);
/// Builds engines and the pipeline and starts `workers` worker threads with the given pool id.
core::Status StartWorkers(Runtime& rt, const std::string& worker_id);

}  // namespace beacon::app
