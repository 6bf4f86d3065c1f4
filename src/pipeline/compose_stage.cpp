// The compose stage: captions, chapters, the packaged MP4, poster, thumbnail, HLS and entities,
// published into the library as one item.
#include <algorithm>
#include <mutex>
#include <optional>

#include "core/object_keys.hpp"
#include "media/assembly.hpp"
#include "media/captions.hpp"
#include "media/hls.hpp"
#include "pipeline/asset_cache.hpp"
#include "pipeline/job_run.hpp"
#include "pipeline/pipeline.hpp"

namespace beacon::pipeline {

namespace fs = std::filesystem;
using core::Error;
using core::Json;
using core::Result;
using core::Status;

Result<Json> GenerationPipeline::RunCompose(jobs::StageContext& ctx, JobRun& run) {
    const core::Job& job = ctx.job();
    const auto started = std::chrono::steady_clock::now();
    BEACON_TRY(edited_ptr, ScriptOf(ctx, run));
    const EditedScript& edited = *edited_ptr;
    BEACON_TRY(fin_ptr, FinalOf(ctx, run));
    const FinalRecord& fin = *fin_ptr;
    const fs::path dir = scratch_ / ("job-" + std::to_string(job.id)) / "compose";
    std::error_code ec;
    fs::remove_all(dir, ec);
    BEACON_TRY(made, MakeDir(dir));
    (void)made;
    const std::string lang = job.request.language.empty() ? "en" : job.request.language;
    const double duration = fin.duration;

    // The library row first (its id names the folder). It is created pending and recorded on
    // the job in one transaction, so a compose killed half-way leaves no visible item and the
    // resumed compose reuses its own row; re-assembly of a finished item reuses that item.
    core::Content draft;
    draft.owner_id = job.user_id;
    draft.job_id = job.id;
    draft.title = job.request.title.empty() ? edited.script.title : job.request.title;
    draft.description = edited.script.description;
    draft.prompt = job.request.prompt;
    draft.visibility = core::Visibility::kPrivate;
    BEACON_TRY(content, stores_.library.BeginJobContent(job.id, draft));
    const bool existing = !content.pending;  // a published item being re-assembled
    const std::int64_t cid = content.id;
    const std::string lib = LibraryPrefix(cid);
    // Files an interrupted compose of this pending row left behind are not reused.
    if (!existing) (void)store_.Delete(lib);

    auto work = [&]() -> Result<Json> {
        std::vector<core::Cue> cues = fin.cues;
        if (cues.empty()) {
            if (!engines_.captions)
                return Error::Internal("pipeline: no caption engine configured");
            BEACON_TRY(narration, Readable(store_, fin.narration_key, dir));
            engines::CaptionRequest req{narration, lang, fin.words};
            auto t0 = std::chrono::steady_clock::now();
            auto cap = engines_.captions->Caption(req, ctx.stop_token());
            if (!cap.ok()) {
                return Named(std::move(cap).error(),
                             "caption engine " + engines_.captions->Describe().engine);
            }
            cues = std::move(cap->cues);
            ctx.Log("captions: " + std::to_string(cues.size()) + " cues by " +
                    cap->provenance.engine + " in " + std::to_string(MsSince(t0)) + " ms");
        }
        if (ctx.stop_token().stop_requested()) return Error::Canceled("canceled while composing");
        ctx.SetProgress(87);

        // Chapters: one per scene, on the timeline.
        std::vector<media::SceneMedia> sm;
        for (const auto& s : edited.script.scenes) {
            media::SceneMedia m;
            m.title = s.description;
            m.duration = s.duration;
            sm.push_back(m);
        }
        BEACON_TRY(t, media::PlanTimeline(sm, job.request.duration_target, media_.fps));
        const auto chapters = media::TimelineChapters(sm, t);
        const fs::path captions_vtt = dir / ("captions_" + lang + ".vtt");
        const fs::path chapters_vtt = dir / "chapters.vtt";
        const fs::path ffmeta = dir / "chapters.ffmeta";
        BEACON_CHECK(WriteFile(captions_vtt, media::CuesToWebVtt(cues)));
        BEACON_CHECK(WriteFile(chapters_vtt, media::ChaptersToWebVtt(chapters)));
        BEACON_CHECK(WriteFile(ffmeta, media::ChaptersToFfmetadata(content.title, chapters)));

        BEACON_TRY(encoded, Readable(store_, fin.encode_key, dir));
        const fs::path video = dir / "video.mp4";
        const fs::path poster = dir / "poster.jpg";
        const fs::path thumb = dir / "thumb.jpg";
        const double at = std::min(duration / 2, t.frames.empty() ? 0.0 : t.end(0) / 2);
        std::string transcript;
        for (const auto& s : edited.script.scenes) {
            std::string n = Narration(s);
            if (n.empty()) continue;
            if (!transcript.empty()) transcript += "\n";
            transcript += n;
        }

        // The packaged MP4, the poster, the thumbnail and the HLS renditions all read the joined
        // encode (the MP4 packaging is a stream copy, so its frames and timestamps are the
        // encode's), so they run side by side on the CPU pool, and the entity extraction (a
        // service call when configured) on the I/O pool; this stage's thread only waits.
        std::mutex mu;
        std::optional<Error> failure;
        auto fail = [&](Error e, const std::string& what) {
            std::lock_guard lock(mu);
            if (!failure || failure->code == core::ErrorCode::kCanceled)
                failure = Named(std::move(e), what);
        };
        std::optional<media::HlsResult> hls;
        Json entities = Json::array();
        {
            core::TaskGroup tasks;
            auto ffmpeg = [&](media::FfmpegCommand cmd, std::string what) {
                tasks.Post(cpu_, [&, cmd = std::move(cmd), what = std::move(what)] {
                    Status st = media::RunFfmpeg(media_, cmd, RunFor(ctx, 0, 0, 0));
                    if (!st.ok()) fail(std::move(st).error(), what);
                });
            };
            ffmpeg(media::BuildMp4PackageCommand(media_, encoded, captions_vtt.string(), lang,
                                                 ffmeta.string(), video.string()),
                   "mp4 packaging (ffmpeg)");
            tasks.Post(cpu_, [&] {
                auto made = media::PackageHls(media_, encoded, {{lang, "", cues, true}},
                                              (dir / "hls").string(), RunFor(ctx, 0, 0, 0));
                if (!made.ok()) return fail(std::move(made).error(), "HLS packaging (ffmpeg)");
                std::lock_guard lock(mu);
                hls = std::move(*made);
            });
            ffmpeg(media::BuildStillCommand(media_, encoded, at, 0, poster.string()),
                   "poster (ffmpeg)");
            ffmpeg(media::BuildStillCommand(media_, encoded, at, 320, thumb.string()),
                   "thumbnail (ffmpeg)");
            if (engines_.entities) {
                tasks.Post(io_, [&] {
                    auto ent = engines_.entities->Extract(transcript + "\n" + job.request.prompt,
                                                          ctx.stop_token());
                    if (!ent.ok()) {
                        return fail(std::move(ent).error(),
                                    "entity extractor " + engines_.entities->Describe().engine);
                    }
                    std::lock_guard lock(mu);
                    for (const auto& e : *ent) entities.push_back(e);
                });
            }
            tasks.Wait();
        }
        if (failure) return std::move(*failure);
        if (!hls) return Error::Internal("pipeline: HLS packaging produced nothing");
        ctx.SetProgress(94);
        if (ctx.stop_token().stop_requested()) return Error::Canceled("canceled while composing");

        // Publish: every file was finished in scratch; each PutFile is atomic.
        if (existing) (void)store_.Delete(lib + "hls/");
        const auto media_prov = MediaProvenance(media_, "compose");
        struct Put {
            fs::path file;
            std::string key;
            std::optional<core::AssetKind> kind;  // none: a file of the HLS ladder, not an asset
        };
        using K = core::AssetKind;
        std::vector<Put> puts = {{captions_vtt, lib + "captions_" + lang + ".vtt", K::kCaptions},
                                 {chapters_vtt, lib + "chapters.vtt", K::kChapters},
                                 {poster, lib + "poster.jpg", K::kPoster},
                                 {thumb, lib + "thumb.jpg", K::kThumbnail}};
        for (const auto& f : hls->files) {
            puts.push_back({dir / "hls" / f, lib + "hls/" + f,
                            f == "master.m3u8" ? std::optional(K::kHls) : std::nullopt});
        }
        puts.push_back(
            {video, lib + "video.mp4", K::kMp4});  // last: the item is whole once it lands
        for (const auto& p : puts) {
            if (ctx.stop_token().stop_requested())
                return Error::Canceled("canceled while composing");
            if (!p.kind) {
                BEACON_CHECK(store_.PutFile(p.key, p.file));
            } else {
                BEACON_TRY(a, StoreAsset(stores_.assets, store_, job.id, *p.kind, p.key, p.file, "",
                                         media_prov));
                (void)a;
            }
        }

        content.mp4_key = lib + "video.mp4";
        content.hls_key = lib + "hls/master.m3u8";
        content.thumbnail_key = lib + "thumb.jpg";
        content.poster_key = lib + "poster.jpg";
        content.vtt_key = lib + "captions_" + lang + ".vtt";
        content.chapters_key = lib + "chapters.vtt";
        const PreviewRecord* preview = PreviewOf(ctx, run);
        content.preview_key = preview ? preview->preview_key : "";
        content.duration = duration;
        content.languages = {lang};
        content.transcript = transcript;
        content.script = core::ToJson(edited.script);
        content.entities = entities;
        BEACON_CHECK(stores_.library.CompleteJobContent(job.id, content));
        ctx.SetUrls({{"final_url", core::object_keys::MediaUrl(content.mp4_key)},
                     {"vtt_url", core::object_keys::MediaUrl(content.vtt_key)},
                     {"thumbnail_url", core::object_keys::MediaUrl(content.thumbnail_key)}});
        return Json{{"content_id", cid}};
    };

    auto result = work();
    if (!result.ok()) {
        if (!existing) {
            // Nothing half-made stays in the library.
            (void)store_.Delete(lib);
            (void)stores_.library.DeleteContent(cid);
        }
        return result;
    }
    fs::remove_all(scratch_ / ("job-" + std::to_string(job.id)), ec);
    ctx.Log("compose stage: " + std::to_string(MsSince(started)) + " ms");
    return result;
}

}  // namespace beacon::pipeline
