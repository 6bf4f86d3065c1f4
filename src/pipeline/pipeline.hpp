#pragma once
/// The generation job (StorySphere): script → scenes (voice + picture per scene, in parallel,
/// cached by content address) → preview → final encode → compose (captions, chapters, poster,
/// thumbnail, HLS, the library row). One file per stage (script_stage.cpp … compose_stage.cpp).
/// Each stage returns a typed record (stage_records.hpp) that the next stage receives as is; its
/// JSON form is recorded so a restarted job resumes after the last finished stage; finished
/// scenes are recorded one by one ("scene:<n>").
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/hash.hpp"
#include "core/model.hpp"
#include "core/result.hpp"
#include "core/task_pool.hpp"
#include "engines/engines.hpp"
#include "jobs/stage.hpp"
#include "media/options.hpp"
#include "pipeline/stage_records.hpp"
#include "storage/job_store.hpp"
#include "storage/object_store.hpp"
#include "storage/work_stores.hpp"

namespace beacon::pipeline {

struct JobRun;

class GenerationPipeline final : public jobs::JobDefinition {
public:
    /// `engines` must have script, voice, pictures and captions set (translator and entities are
    /// optional); they, the stores (the job's queue row, the library, the asset cache; a
    /// Database converts), `store` and the pools must outlive the pipeline. `scratch_dir`
    /// holds per-job working files (created; removed when a job completes). Thread-safe: jobs
    /// may run concurrently. Voices and pictures run as tasks on `pools` (a built-in engine's on
    /// the CPU pool, a service's on the I/O pool), as does the early preview's encode: however
    /// many jobs run, the scenes stage starts no thread of its own.
    GenerationPipeline(engines::EngineSet engines, storage::WorkStores stores,
                       storage::ObjectStore& store, media::MediaOptions media,
                       std::filesystem::path scratch_dir, core::TaskPools pools);
    /// The same with pools of its own (kDefaultIoThreads, TaskPool::Cores()): for tools and
    /// tests that run one pipeline.
    GenerationPipeline(engines::EngineSet engines, storage::WorkStores stores,
                       storage::ObjectStore& store, media::MediaOptions media,
                       std::filesystem::path scratch_dir);
    ~GenerationPipeline() override;

    /// Threads of the I/O pool a pipeline makes for itself (service calls mostly wait).
    static constexpr int kDefaultIoThreads = 8;

    std::vector<jobs::Stage> StagesFor(const core::Job& job) override;
    /// Removes the job's scratch folder (its recorded outputs live in the store).
    void Release(const core::Job& job) override;

private:
    core::Result<ScriptRecord> RunScript(jobs::StageContext& ctx, JobRun& run);
    core::Result<ScenesRecord> RunScenes(jobs::StageContext& ctx, JobRun& run);
    core::Result<PreviewRecord> RunPreview(jobs::StageContext& ctx, JobRun& run);
    core::Result<FinalRecord> RunFinal(jobs::StageContext& ctx, JobRun& run);
    /// Returns {"content_id": N}.
    core::Result<core::Json> RunCompose(jobs::StageContext& ctx, JobRun& run);

    std::unique_ptr<core::TaskPool> own_io_;   // only when no pools were given
    std::unique_ptr<core::TaskPool> own_cpu_;
    core::TaskPool& io_;
    core::TaskPool& cpu_;
    engines::EngineSet engines_;
    storage::WorkStores stores_;
    storage::ObjectStore& store_;
    media::MediaOptions media_;
    std::filesystem::path scratch_;
};

/// Regenerates one scene of a job (1-based `scene_n`) with `edits` {description?: string,
/// lines?: [string], seed?: integer} (a new random seed when none is given): records the edit,
/// forgets that scene and the later stages (other scenes stay), and re-queues the job
/// (completed → ReopenJob; failed/canceled → RetryJob). InvalidArgument for bad edits or scene
/// numbers; Conflict while the job is queued or running or before its script exists.
core::Result<core::Job> RegenerateScene(storage::JobStore& db, std::int64_t job_id, int scene_n,
                                        const core::Json& edits);

/// sha256 of bytes, lowercase hex (content addresses): core's one implementation.
using core::Sha256Hex;

}  // namespace beacon::pipeline
