#include "pipeline/job_run.hpp"

#include <algorithm>

#include "pipeline/pipeline.hpp"

namespace beacon::pipeline {

using core::Error;
using core::Json;
using core::Result;

EditedScript ApplyEdits(core::Script script, const SceneEdits& edits, const std::string& prompt) {
    EditedScript e{std::move(script), {}};
    for (std::size_t i = 0; i < e.script.scenes.size(); ++i) {
        const int n = static_cast<int>(i) + 1;
        std::int64_t seed = DefaultSeed(prompt, n);
        if (auto it = edits.find(n); it != edits.end()) {
            const SceneEdit& ed = it->second;
            if (ed.description) e.script.scenes[i].description = *ed.description;
            if (ed.lines) e.script.scenes[i].lines = *ed.lines;
            if (ed.seed) seed = *ed.seed;
        }
        e.seeds.push_back(seed);
    }
    return e;
}

Result<const EditedScript*> ScriptOf(jobs::StageContext& ctx, JobRun& run) {
    if (!run.script) {
        BEACON_TRY(rec, ParseScriptRecord(ctx.StageOutputs(kScriptStage)));
        run.script = ApplyEdits(std::move(rec.script),
                                ParseSceneEdits(ctx.StageOutputs(kSceneEditsRecord)),
                                ctx.job().request.prompt);
    }
    return &*run.script;
}

Result<const ScenesRecord*> ScenesOf(jobs::StageContext& ctx, JobRun& run) {
    if (!run.scenes) {
        BEACON_TRY(rec, ParseScenesRecord(ctx.StageOutputs(kScenesStage)));
        run.scenes = std::move(rec);
    }
    return &*run.scenes;
}

Result<const FinalRecord*> FinalOf(jobs::StageContext& ctx, JobRun& run) {
    if (!run.final) {
        BEACON_TRY(rec, ParseFinalRecord(ctx.StageOutputs(kFinalStage)));
        run.final = std::move(rec);
    }
    return &*run.final;
}

const PreviewRecord* PreviewOf(jobs::StageContext& ctx, JobRun& run) {
    if (!run.preview) {
        auto rec = ParsePreviewRecord(ctx.StageOutputs(kPreviewStage));
        if (!rec.ok()) return nullptr;
        run.preview = std::move(rec).value();
    }
    return &*run.preview;
}

std::int64_t DefaultSeed(const std::string& prompt, int n) {
    const std::string h = Sha256Hex(prompt + "\n" + std::to_string(n));
    return static_cast<std::int64_t>(std::stoull(h.substr(0, 12), nullptr, 16));
}

std::string Narration(const core::Scene& s) {
    std::string text;
    for (const auto& l : s.lines) {
        if (!text.empty()) text += ' ';
        text += l;
    }
    return text;
}

long long MsSince(std::chrono::steady_clock::time_point since) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now() - since)
        .count();
}

media::RunOptions RunFor(jobs::StageContext& ctx, double duration, int from, int to) {
    media::RunOptions run;
    run.stop = ctx.stop_token();
    run.on_command = [&ctx](const std::string& line) { ctx.Log(line, core::LogLevel::kCmd); };
    if (duration > 0 && to > from) {
        run.on_progress = [&ctx, duration, from, to](double s) {
            double f = std::clamp(s / duration, 0.0, 1.0);
            ctx.SetProgress(from + static_cast<int>(f * (to - from)));
        };
    }
    return run;
}

Error Named(Error e, const std::string& what) {
    if (e.code != core::ErrorCode::kCanceled) e.message = what + ": " + e.message;
    return e;
}

engines::Provenance MediaProvenance(const media::MediaOptions& m, const std::string& what) {
    engines::Provenance p;
    p.engine = "ffmpeg";
    p.model = what;
    p.builtin = true;
    p.parameters = {{"fps", m.fps},
                    {"crf", m.crf},
                    {"segment_seconds", m.segment_seconds},
                    {"audio_bitrate_kbps", m.audio_bitrate_kbps},
                    {"loudness_lufs", m.loudness_lufs},
                    {"true_peak_db", m.true_peak_db}};
    return p;
}

}  // namespace beacon::pipeline
