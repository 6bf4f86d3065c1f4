// The preview stage: every scene at preview resolution and frame rate, then its thumbnail.
#include <algorithm>

#include "core/object_keys.hpp"
#include "media/assembly.hpp"
#include "pipeline/asset_cache.hpp"
#include "pipeline/job_run.hpp"
#include "pipeline/pipeline.hpp"
#include "pipeline/scene_media.hpp"

namespace beacon::pipeline {

namespace fs = std::filesystem;
using core::Error;
using core::Result;
using core::Status;

Result<std::vector<media::SceneMedia>> SceneMediaFor(const ScenesRecord& scenes,
                                                     storage::ObjectStore& store,
                                                     const core::Script& script,
                                                     const fs::path& scratch) {
    if (scenes.scenes.size() < script.scenes.size()) {
        return Error::Internal("pipeline: scene records missing");
    }
    std::vector<media::SceneMedia> out;
    for (std::size_t i = 0; i < script.scenes.size(); ++i) {
        const SceneRecord& r = scenes.scenes[i];
        const core::Scene& s = script.scenes[i];
        media::SceneMedia m;
        m.title = s.description;
        m.camera = s.camera;
        m.duration = s.duration;
        BEACON_TRY(pic, Readable(store, r.picture_key, scratch));
        m.picture = pic;
        for (const auto& lk : r.layer_keys) {
            BEACON_TRY(layer, Readable(store, lk, scratch));
            m.layers.push_back(layer);
        }
        if (!r.voice_key.empty()) {
            BEACON_TRY(voice, Readable(store, r.voice_key, scratch));
            m.voice = voice;
        }
        m.voice_duration = r.voice_duration;
        m.words = r.words;
        out.push_back(std::move(m));
    }
    return out;
}

Result<PreviewRecord> GenerationPipeline::RunPreview(jobs::StageContext& ctx, JobRun& run) {
    const core::Job& job = ctx.job();
    const auto started = std::chrono::steady_clock::now();
    BEACON_TRY(edited, ScriptOf(ctx, run));
    BEACON_TRY(records, ScenesOf(ctx, run));
    BEACON_TRY(dir, MakeDir(scratch_ / ("job-" + std::to_string(job.id)) / "preview"));
    BEACON_TRY(scenes, SceneMediaFor(*records, store_, edited->script, dir));
    BEACON_TRY(t, media::PlanTimeline(scenes, job.request.duration_target, media::kPreviewFps));
    const fs::path mp4 = dir / "preview.mp4";
    const fs::path thumb = dir / "preview_thumb.jpg";
    Status st =
        media::MakePreview(media_, scenes, t, mp4.string(), RunFor(ctx, t.duration(), 45, 52));
    if (!st.ok()) return Named(std::move(st).error(), "preview (ffmpeg)");
    const std::string key = JobPrefix(job.id) + "preview.mp4";
    BEACON_TRY(a1, StoreAsset(stores_.assets, store_, job.id, core::AssetKind::kPreview, key, mp4,
                              "", MediaProvenance(media_, "preview")));
    (void)a1;
    ctx.SetUrls({{"preview_url", core::object_keys::MediaUrl(key)}});
    ctx.Log("preview playable after " + std::to_string(MsSince(started)) + " ms");
    // The thumbnail comes from the stored preview.
    BEACON_TRY(stored, Readable(store_, key, dir));
    st = media::RunFfmpeg(media_,
                          media::BuildStillCommand(media_, stored, std::min(1.0, t.duration() / 2),
                                                   320, thumb.string()),
                          RunFor(ctx, 0, 0, 0));
    if (!st.ok()) return Named(std::move(st).error(), "preview thumbnail (ffmpeg)");
    const std::string thumb_key = JobPrefix(job.id) + "preview_thumb.jpg";
    BEACON_TRY(a2, StoreAsset(stores_.assets, store_, job.id, core::AssetKind::kPreviewThumbnail,
                              thumb_key, thumb, "", MediaProvenance(media_, "thumbnail")));
    (void)a2;
    ctx.SetUrls({{"preview_url", core::object_keys::MediaUrl(key)},
                 {"thumbnail_url", core::object_keys::MediaUrl(thumb_key)}});
    ctx.Log("preview stage: " + std::to_string(MsSince(started)) + " ms");
    run.preview = PreviewRecord{key, thumb_key, t.duration()};
    return *run.preview;
}

}  // namespace beacon::pipeline
