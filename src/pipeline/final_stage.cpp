// The final stage: captions first when they are burned in, then the full-quality encode, cached
// by the content address of every input and setting that changes its bytes.
#include "media/assembly.hpp"
#include "media/captions.hpp"
#include "pipeline/asset_cache.hpp"
#include "pipeline/final_pieces.hpp"
#include "pipeline/job_run.hpp"
#include "pipeline/pipeline.hpp"
#include "pipeline/scene_media.hpp"

namespace beacon::pipeline {

namespace fs = std::filesystem;
using core::Error;
using core::Json;
using core::Result;
using core::Status;

Result<FinalRecord> GenerationPipeline::RunFinal(jobs::StageContext& ctx, JobRun& run) {
    const core::Job& job = ctx.job();
    const auto started = std::chrono::steady_clock::now();
    BEACON_TRY(edited, ScriptOf(ctx, run));
    BEACON_TRY(records, ScenesOf(ctx, run));
    BEACON_TRY(dir, MakeDir(scratch_ / ("job-" + std::to_string(job.id)) / "final"));
    BEACON_TRY(scenes, SceneMediaFor(*records, store_, edited->script, dir));
    BEACON_TRY(t, media::PlanTimeline(scenes, job.request.duration_target, media_.fps));
    const media::FrameSize size = media::PresetSize(job.request.output_preset);

    FinalRecord rec;
    rec.words = media::TimelineWords(scenes, t);
    rec.duration = t.duration();
    std::string burn_file;
    if (media_.burn_captions) {
        // Burned-in captions must exist before the encode: caption the narration now.
        if (!engines_.captions) return Error::Internal("pipeline: no caption engine configured");
        const fs::path narration = dir / "narration_for_captions.wav";
        Status st = media::RunFfmpeg(
            media_, media::BuildNarrationCommand(media_, scenes, t, narration.string()),
            RunFor(ctx, 0, 0, 0));
        if (!st.ok()) return Named(std::move(st).error(), "narration (ffmpeg)");
        engines::CaptionRequest req{narration, job.request.language, rec.words};
        auto cap = engines_.captions->Caption(req, ctx.stop_token());
        if (!cap.ok()) {
            return Named(std::move(cap).error(),
                         "caption engine " + engines_.captions->Describe().engine);
        }
        rec.cues = cap->cues;
        burn_file = (dir / "burn.vtt").string();
        BEACON_CHECK(WriteFile(burn_file, media::CuesToWebVtt(rec.cues)));
    }

    // Content address of the encode: every input and setting that changes the bytes.
    Json inputs = {{"v", 1},
                   {"size", {size.width, size.height}},
                   {"target", job.request.duration_target},
                   {"fps", media_.fps},
                   {"crf", media_.crf},
                   {"seg", media_.segment_seconds},
                   {"abr", media_.audio_bitrate_kbps},
                   {"lufs", media_.loudness_lufs},
                   {"tp", media_.true_peak_db},
                   {"burn", rec.cues},
                   {"scenes", Json::array()}};
    for (std::size_t i = 0; i < scenes.size(); ++i) {
        const SceneRecord& r = records->scenes[i];
        inputs["scenes"].push_back(
            {{"picture", r.picture_hash.empty() ? r.picture_key : r.picture_hash},
             {"voice", r.voice_hash.empty() ? r.voice_key : r.voice_hash},
             {"layers", r.layer_keys},
             {"camera", scenes[i].camera},
             {"duration", scenes[i].duration},
             {"title", scenes[i].title}});
    }
    rec.hash = Sha256Hex(inputs.dump());
    const std::string key = JobPrefix(job.id) + "final.mp4";
    const std::string narration_key = JobPrefix(job.id) + "narration.wav";
    rec.encode_key = key;
    rec.narration_key = narration_key;
    if (auto hit = Cached(stores_.assets, store_, rec.hash, job.id)) {
        std::string nk = hit->parameters.value("narration_key", "");
        if (!nk.empty() && store_.Exists(nk)) {
            rec.encode_key = hit->key;
            rec.narration_key = nk;
            rec.reused = true;
            ctx.Log("final: inputs unchanged, reusing encode " + rec.encode_key);
        }
    }
    if (!rec.reused) {
        const fs::path mp4 = dir / "final.mp4";
        std::string narration_wav;
        double measured_lufs = 0;
        if (burn_file.empty()) {
            // In pieces on the keyframe grid: most were encoded by the scenes stage while
            // pictures were still being painted; the rest now, in parallel; then one join.
            std::vector<PiecePicture> pictures;
            std::vector<std::string> voices;
            for (const SceneRecord& r : records->scenes) {
                pictures.push_back({r.picture_hash.empty() ? r.picture_key : r.picture_hash,
                                    r.picture_key, r.layer_keys});
                voices.push_back(r.voice_hash.empty() ? r.voice_key : r.voice_hash);
            }
            auto fin = EncodeInPieces(media_, cpu_, scenes, pictures, voices, t, size, dir,
                                      scratch_ / ("job-" + std::to_string(job.id)) / "pieces",
                                      mp4.string(), ctx, RunFor(ctx, t.duration(), 80, 84));
            if (!fin.ok()) return Named(std::move(fin).error(), "final encode");
            narration_wav = fin->narration_wav;
            measured_lufs = fin->measured.integrated_lufs;
        } else {
            // Burned-in captions are drawn over the whole timeline: one encode.
            auto fin = media::MakeFinal(media_, scenes, t, size, dir.string(), burn_file,
                                        mp4.string(), RunFor(ctx, t.duration(), 56, 84));
            if (!fin.ok()) return Named(std::move(fin).error(), "final encode (ffmpeg)");
            narration_wav = fin->narration_wav;
            measured_lufs = fin->measured.integrated_lufs;
        }
        BEACON_TRY(
            na, StoreAsset(stores_.assets, store_, job.id, core::AssetKind::kNarration,
                           narration_key, narration_wav, "", MediaProvenance(media_, "narration")));
        (void)na;
        BEACON_TRY(
            fa, StoreAsset(stores_.assets, store_, job.id, core::AssetKind::kEncode, key, mp4,
                           rec.hash, MediaProvenance(media_, "final"),
                           {{"narration_key", narration_key}, {"measured_lufs", measured_lufs}}));
        (void)fa;
    }
    ctx.Log("final stage: " + std::to_string(MsSince(started)) + " ms" +
            (rec.reused ? " (reused)" : ""));
    run.final = rec;
    return rec;
}

}  // namespace beacon::pipeline
