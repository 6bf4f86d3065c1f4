#pragma once
/// What one run of a generation job hands from stage to stage, typed, and the small helpers the
/// stage files share. Internal to beacon::pipeline.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/model.hpp"
#include "core/result.hpp"
#include "engines/engines.hpp"
#include "jobs/stage.hpp"
#include "media/options.hpp"
#include "media/runner.hpp"
#include "pipeline/stage_records.hpp"

namespace beacon::pipeline {

/// The script with recorded scene edits applied, and the seed per scene.
struct EditedScript {
    core::Script script;
    std::vector<std::int64_t> seeds;
};

/// One run of one job: each stage leaves its typed result here for the next. A stage that
/// finished in an earlier run is read back from its recorded JSON once, on first use. The stages
/// of a job run one after another on one worker thread, so this needs no lock.
struct JobRun {
    std::optional<EditedScript> script;
    std::optional<ScenesRecord> scenes;
    std::optional<PreviewRecord> preview;
    std::optional<FinalRecord> final;
};

/// The edited script: from `run`, else parsed once from the recorded script and scene edits.
core::Result<const EditedScript*> ScriptOf(jobs::StageContext& ctx, JobRun& run);
/// The scenes record, from `run` or read once from the recorded outputs.
core::Result<const ScenesRecord*> ScenesOf(jobs::StageContext& ctx, JobRun& run);
/// The final record, from `run` or read once from the recorded outputs.
core::Result<const FinalRecord*> FinalOf(jobs::StageContext& ctx, JobRun& run);
/// The preview record when the job made one (from `run` or the recorded outputs), else null.
const PreviewRecord* PreviewOf(jobs::StageContext& ctx, JobRun& run);

/// Applies recorded edits to a script and picks each scene's seed.
EditedScript ApplyEdits(core::Script script, const SceneEdits& edits, const std::string& prompt);

/// Same prompt and scene → same seed, so identical requests hit the content-addressed cache;
/// RegenerateScene records a fresh seed when the user wants a different picture.
std::int64_t DefaultSeed(const std::string& prompt, int n);

/// A scene's lines joined by spaces (what the voice speaks).
std::string Narration(const core::Scene& s);

/// Milliseconds since `since`.
long long MsSince(std::chrono::steady_clock::time_point since);

/// Run options that log each command (level "cmd") and map ffmpeg progress (0..duration s)
/// into the stage's progress from..to.
media::RunOptions RunFor(jobs::StageContext& ctx, double duration, int from, int to);

/// Adds a stage/tool name to an error message (a cancel keeps its message).
core::Error Named(core::Error e, const std::string& what);

/// Provenance of an ffmpeg step with the media settings that change its bytes.
engines::Provenance MediaProvenance(const media::MediaOptions& m, const std::string& what);

}  // namespace beacon::pipeline
