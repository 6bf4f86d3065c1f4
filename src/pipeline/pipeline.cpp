#include "pipeline/pipeline.hpp"

#include <memory>

#include "pipeline/job_run.hpp"

namespace beacon::pipeline {

namespace fs = std::filesystem;
using core::Json;
using core::Result;

GenerationPipeline::GenerationPipeline(engines::EngineSet engines, storage::WorkStores stores,
                                       storage::ObjectStore& store, media::MediaOptions media,
                                       std::filesystem::path scratch_dir, core::TaskPools pools)
    : io_(pools.io),
      cpu_(pools.cpu),
      engines_(engines),
      stores_(stores),
      store_(store),
      media_(std::move(media)),
      scratch_(std::move(scratch_dir)) {}

namespace {
std::unique_ptr<core::TaskPool> OwnPool(const char* name, int threads) {
    return std::make_unique<core::TaskPool>(name, threads);
}
}  // namespace

GenerationPipeline::GenerationPipeline(engines::EngineSet engines, storage::WorkStores stores,
                                       storage::ObjectStore& store, media::MediaOptions media,
                                       std::filesystem::path scratch_dir)
    : own_io_(OwnPool("pipe-io", kDefaultIoThreads)),
      own_cpu_(OwnPool("pipe-cpu", core::TaskPool::Cores())),
      io_(*own_io_),
      cpu_(*own_cpu_),
      engines_(engines),
      stores_(stores),
      store_(store),
      media_(std::move(media)),
      scratch_(std::move(scratch_dir)) {}

GenerationPipeline::~GenerationPipeline() = default;

std::vector<jobs::Stage> GenerationPipeline::StagesFor(const core::Job& job) {
    // Shared by the stage closures of this run only (they outlive this call); the stages run
    // one after another, so it is never used from two threads at once.
    auto run = std::make_shared<JobRun>();
    auto typed = [](auto result) -> Result<Json> {
        if (!result.ok()) return std::move(result).error();
        return ToJson(*result);
    };
    std::vector<jobs::Stage> stages;
    stages.push_back({kScriptStage, core::JobState::kGeneratingScript, 0, 15,
                      [this, run, typed](jobs::StageContext& c) {
                          return typed(RunScript(c, *run));
                      }});
    stages.push_back({kScenesStage, core::JobState::kRenderingPreview, 15, 45,
                      [this, run, typed](jobs::StageContext& c) {
                          return typed(RunScenes(c, *run));
                      }});
    if (job.request.produce_preview) {
        stages.push_back({kPreviewStage, core::JobState::kRenderingPreview, 45, 55,
                          [this, run, typed](jobs::StageContext& c) {
                              return typed(RunPreview(c, *run));
                          }});
    }
    stages.push_back({kFinalStage, core::JobState::kRenderingFinal, 55, 85,
                      [this, run, typed](jobs::StageContext& c) {
                          return typed(RunFinal(c, *run));
                      }});
    stages.push_back({kComposeStage, core::JobState::kComposing, 85, 100,
                      [this, run](jobs::StageContext& c) { return RunCompose(c, *run); }});
    return stages;
}

void GenerationPipeline::Release(const core::Job& job) {
    std::error_code ec;
    fs::remove_all(scratch_ / ("job-" + std::to_string(job.id)), ec);
}

}  // namespace beacon::pipeline
