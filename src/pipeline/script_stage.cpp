// The script stage (a script writer's answer, validated and stored) and scene edits.
#include <random>

#include "pipeline/asset_cache.hpp"
#include "pipeline/job_run.hpp"
#include "pipeline/pipeline.hpp"

namespace beacon::pipeline {

namespace fs = std::filesystem;
using core::Error;
using core::Json;
using core::Result;

Result<ScriptRecord> GenerationPipeline::RunScript(jobs::StageContext& ctx, JobRun& run) {
    if (!engines_.script) return Error::Internal("pipeline: no script writer configured");
    const core::Job& job = ctx.job();
    const auto started = std::chrono::steady_clock::now();
    engines::ScriptRequest req{job.request.prompt, job.request.title, job.request.style,
                               job.request.language, job.request.duration_target};
    auto res = engines_.script->Write(
        req, [&ctx](const std::string& l) { ctx.Log(l); }, ctx.stop_token());
    if (!res.ok()) {
        return Named(std::move(res).error(), "script writer " + engines_.script->Describe().engine);
    }
    BEACON_CHECK(core::ValidateScript(res->script));
    BEACON_TRY(dir, MakeDir(scratch_ / ("job-" + std::to_string(job.id))));
    const std::string text = core::ToJson(res->script).dump(2);
    BEACON_CHECK(WriteFile(dir / "script.json", text));
    const std::string key = JobPrefix(job.id) + "script.json";
    BEACON_TRY(asset, StoreAsset(stores_.assets, store_, job.id, core::AssetKind::kScript, key,
                                 dir / "script.json", Sha256Hex(text), res->provenance));
    (void)asset;
    ctx.Log("script: " + std::to_string(res->script.scenes.size()) + " scenes by " +
            res->provenance.engine + " in " + std::to_string(MsSince(started)) + " ms");
    ScriptRecord rec{res->script, res->provenance, key};
    run.script = ApplyEdits(res->script, ParseSceneEdits(ctx.StageOutputs(kSceneEditsRecord)),
                            job.request.prompt);
    return rec;
}

Result<core::Job> RegenerateScene(storage::JobStore& db, std::int64_t job_id, int scene_n,
                                  const Json& edits) {
    if (!edits.is_object()) return Error::Invalid("edits must be a JSON object");
    for (auto it = edits.begin(); it != edits.end(); ++it) {
        if (it.key() != "description" && it.key() != "lines" && it.key() != "seed") {
            return Error::Invalid("unknown field '" + it.key() +
                                  "' (allowed: description, lines, seed)");
        }
    }
    Json edit = Json::object();
    if (edits.contains("description")) {
        const Json& d = edits["description"];
        if (!d.is_string() || d.get<std::string>().empty() || d.get<std::string>().size() > 2000) {
            return Error::Invalid(
                "description must be a non-empty string of at most 2000 characters");
        }
        edit["description"] = d;
    }
    if (edits.contains("lines")) {
        const Json& l = edits["lines"];
        if (!l.is_array() || l.empty() || l.size() > 20) {
            return Error::Invalid("lines must be an array of 1..20 strings");
        }
        for (const auto& s : l) {
            if (!s.is_string() || s.get<std::string>().empty() ||
                s.get<std::string>().size() > 1000) {
                return Error::Invalid(
                    "each line must be a non-empty string of at most 1000 characters");
            }
        }
        edit["lines"] = l;
    }
    if (edits.contains("seed")) {
        if (!edits["seed"].is_number_integer()) return Error::Invalid("seed must be an integer");
        edit["seed"] = edits["seed"];
    } else {
        std::random_device rd;
        edit["seed"] = static_cast<std::int64_t>((static_cast<std::uint64_t>(rd()) << 20) ^ rd()) &
                       0x7fffffffffff;
    }
    BEACON_TRY(job, db.GetJob(job_id));
    if (job.status != core::JobState::kCompleted && job.status != core::JobState::kFailed &&
        job.status != core::JobState::kCanceled) {
        return Error::Conflict("job " + std::to_string(job_id) + " is " +
                               std::string(core::ToString(job.status)) +
                               "; a scene can be regenerated once it has stopped");
    }
    if (!job.stages.contains(kScriptStage)) {
        return Error::Conflict("job " + std::to_string(job_id) + " has no script yet");
    }
    auto script = ParseScriptRecord(job.stages[kScriptStage]);
    if (!script.ok()) {
        return Error::Conflict("job " + std::to_string(job_id) + " has no script yet");
    }
    const int scene_count = static_cast<int>(script->script.scenes.size());
    if (scene_n < 1 || scene_n > scene_count) {
        return Error::Invalid("scene must be 1.." + std::to_string(scene_count));
    }
    SceneEdits all = ParseSceneEdits(job.stages.value(kSceneEditsRecord, Json::object()));
    SceneEdit& merged = all[scene_n];
    if (edit.contains("description")) merged.description = edit["description"].get<std::string>();
    if (edit.contains("lines")) merged.lines = edit["lines"].get<std::vector<std::string>>();
    merged.seed = edit["seed"].get<std::int64_t>();
    BEACON_CHECK(db.RecordStage(job_id, kSceneEditsRecord, ToJson(all)));
    BEACON_CHECK(db.ForgetStages(job_id, {SceneRecordName(scene_n), kScenesStage, kPreviewStage,
                                          kFinalStage, kComposeStage}));
    if (job.status == core::JobState::kCompleted) return db.ReopenJob(job_id);
    return db.RetryJob(job_id);
}

}  // namespace beacon::pipeline
