#pragma once
/// The generation job (StorySphere): script → scenes (voice + picture per scene, in parallel,
/// cached by content address) → preview → final encode → compose (captions, chapters, poster,
/// thumbnail, HLS, the library row). Each stage records JSON outputs so a restarted job resumes
/// after the last finished stage; finished scenes are recorded one by one ("scene:<n>").
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/model.hpp"
#include "core/result.hpp"
#include "engines/engines.hpp"
#include "jobs/stage.hpp"
#include "media/options.hpp"
#include "storage/database.hpp"
#include "storage/object_store.hpp"

namespace beacon::pipeline {

/// Stage names (fixed: recorded in the database).
inline constexpr const char* kScriptStage = "script";
inline constexpr const char* kScenesStage = "scenes";
inline constexpr const char* kPreviewStage = "preview";
inline constexpr const char* kFinalStage = "final";
inline constexpr const char* kComposeStage = "compose";
/// Recorded edits from RegenerateScene: {"<n>": {"description"?, "lines"?, "seed"}}.
inline constexpr const char* kSceneEditsRecord = "scene_edits";

class GenerationPipeline final : public jobs::JobDefinition {
public:
    /// `engines` must have script, voice, pictures and captions set (translator and entities are
    /// optional); they, `db` and `store` must outlive the pipeline. `scratch_dir` holds
    /// per-job working files (created; removed when a job completes). Thread-safe: jobs may run
    /// concurrently.
    GenerationPipeline(engines::EngineSet engines, storage::Database& db,
                       storage::ObjectStore& store, media::MediaOptions media,
                       std::filesystem::path scratch_dir);

    std::vector<jobs::Stage> StagesFor(const core::Job& job) override;
    /// Removes the job's scratch folder (its recorded outputs live in the store).
    void Release(const core::Job& job) override;

private:
    core::Result<core::Json> RunScript(jobs::StageContext& ctx);
    core::Result<core::Json> RunScenes(jobs::StageContext& ctx);
    core::Result<core::Json> RunPreview(jobs::StageContext& ctx);
    core::Result<core::Json> RunFinal(jobs::StageContext& ctx);
    core::Result<core::Json> RunCompose(jobs::StageContext& ctx);

    engines::EngineSet engines_;
    storage::Database& db_;
    storage::ObjectStore& store_;
    media::MediaOptions media_;
    std::filesystem::path scratch_;
};

/// Regenerates one scene of a job (1-based `scene_n`) with `edits` {description?: string,
/// lines?: [string], seed?: integer} (a new random seed when none is given): records the edit,
/// forgets that scene and the later stages (other scenes stay), and re-queues the job
/// (completed → ReopenJob; failed/canceled → RetryJob). InvalidArgument for bad edits or scene
/// numbers; Conflict while the job is queued or running or before its script exists.
core::Result<core::Job> RegenerateScene(storage::Database& db, std::int64_t job_id, int scene_n,
                                        const core::Json& edits);

/// sha256 of bytes, lowercase hex (content addresses).
std::string Sha256Hex(std::string_view bytes);

}  // namespace beacon::pipeline
