// The scenes stage: a voice and a picture per scene, as tasks on the app's pools, each cached by
// content address; a scene is recorded the moment both exist, and a preview is made early from
// every voice and the pictures done so far (or quick drafts of them, from an engine that paints
// drafts: the built-in storyboard).
#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <optional>

#include "core/object_keys.hpp"
#include "media/assembly.hpp"
#include "pipeline/asset_cache.hpp"
#include "pipeline/final_pieces.hpp"
#include "pipeline/job_run.hpp"
#include "pipeline/pipeline.hpp"

namespace beacon::pipeline {
namespace {

namespace fs = std::filesystem;
using core::Error;
using core::Json;
using core::Result;
using core::Status;
using Clock = std::chrono::steady_clock;

struct VoicePart {
    std::string key;
    std::string hash;
    double duration = 0;
    std::vector<core::Word> words;
    bool cached = false;
};

struct PicturePart {
    std::string key;
    std::string hash;
    std::vector<std::string> layer_keys;
    bool cached = false;
};

struct Slot {
    std::optional<SceneRecord> record;  // finished (recorded) scene
    std::optional<VoicePart> voice;
    std::optional<PicturePart> picture;
    std::optional<fs::path> draft;  // preview-size sketch (a local file); empty path: it failed
};

std::vector<std::string> Strings(const Json& j) {
    std::vector<std::string> out;
    if (!j.is_array()) return out;
    for (const auto& s : j) {
        if (s.is_string()) out.push_back(s.get<std::string>());
    }
    return out;
}

}  // namespace

Result<ScenesRecord> GenerationPipeline::RunScenes(jobs::StageContext& ctx, JobRun& run) {
    if (!engines_.voice || !engines_.pictures) {
        return Error::Internal("pipeline: voice and picture engines must be configured");
    }
    const core::Job& job = ctx.job();
    const auto started = Clock::now();
    BEACON_TRY(edited_ptr, ScriptOf(ctx, run));
    const EditedScript& edited = *edited_ptr;
    const auto& scenes = edited.script.scenes;
    const int count = static_cast<int>(scenes.size());
    const media::FrameSize size = media::PresetSize(job.request.output_preset);
    BEACON_TRY(job_dir, MakeDir(scratch_ / ("job-" + std::to_string(job.id))));

    std::vector<Slot> slots(static_cast<std::size_t>(count));
    for (int n = 1; n <= count; ++n) {
        if (auto rec = ParseSceneRecord(ctx.StageOutputs(SceneRecordName(n)))) {
            Slot& s = slots[n - 1];
            s.voice =
                VoicePart{rec->voice_key, rec->voice_hash, rec->voice_duration, rec->words, true};
            s.picture = PicturePart{rec->picture_key, rec->picture_hash, rec->layer_keys, true};
            s.record = std::move(rec);
        }
    }

    std::mutex mu;
    std::condition_variable_any cv;
    std::optional<Error> failure;
    std::stop_source local_stop;
    std::stop_callback forward(ctx.stop_token(), [&local_stop] { local_stop.request_stop(); });

    const engines::Provenance voice_prov = engines_.voice->Describe();
    const engines::Provenance picture_prov = engines_.pictures->Describe();

    // The final encode's pieces, each as soon as the pictures it shows exist, on the CPU pool
    // while a picture service paints the rest (a built-in painter keeps the CPU busy itself,
    // and burned-in captions need the whole encode). They end on cancel or failure only.
    std::stop_source pieces_stop;
    std::stop_callback forward_pieces(ctx.stop_token(),
                                      [&pieces_stop] { pieces_stop.request_stop(); });
    std::optional<EarlyPieces> pieces;
    if (!media_.burn_captions && !picture_prov.builtin) {
        pieces.emplace(media_, store_, cpu_, scenes, job.request.duration_target, size,
                       job_dir / "pieces", ctx, pieces_stop.get_token());
        for (int n = 1; n <= count; ++n) {
            if (const auto& p = slots[n - 1].picture) {
                pieces->PictureReady(n - 1,
                                     {p->hash.empty() ? p->key : p->hash, p->key, p->layer_keys});
            }
        }
    }

    auto voice_task = [&, this](int n) -> Result<VoicePart> {
        const core::Scene& s = scenes[n - 1];
        engines::VoiceRequest req{Narration(s), job.request.voice, job.request.language};
        const std::string hash = Sha256Hex(Json{
            {"kind", "voice"},
            {"engine", voice_prov.engine},
            {"model", voice_prov.model},
            {"parameters", voice_prov.parameters},
            {"text", req.text},
            {"voice", req.voice},
            {"language", req.language}}.dump());
        if (auto hit = Cached(stores_.assets, store_, hash, job.id)) {
            return VoicePart{hit->key, hash, hit->parameters.value("duration", 0.0),
                             core::WordsFromJson(hit->parameters.value("words", Json::array())),
                             true};
        }
        BEACON_TRY(dir, MakeDir(job_dir / ("scene-" + std::to_string(n)) / "voice"));
        auto t0 = Clock::now();
        auto res = engines_.voice->Speak(req, dir, local_stop.get_token());
        if (!res.ok()) return Named(std::move(res).error(), "voice engine " + voice_prov.engine);
        const std::string key =
            JobPrefix(job.id) + "scenes/" + std::to_string(n) + "/voice" + Ext(res->audio, ".wav");
        BEACON_TRY(asset,
                   StoreAsset(stores_.assets, store_, job.id, core::AssetKind::kVoice, key,
                              res->audio, hash, res->provenance,
                              {{"duration", res->duration}, {"words", res->words}, {"scene", n}}));
        (void)asset;
        ctx.Log("scene " + std::to_string(n) + ": voice " +
                std::to_string(res->duration).substr(0, 5) + " s by " + res->provenance.engine +
                " in " + std::to_string(MsSince(t0)) + " ms");
        return VoicePart{key, hash, res->duration, res->words, false};
    };

    auto picture_request = [&](int n) {
        const core::Scene& s = scenes[n - 1];
        engines::PictureRequest req;
        req.scene = s;
        req.prompt = job.request.prompt;
        req.style = job.request.style;
        req.title = edited.script.title;
        req.width = size.width;
        req.height = size.height;
        req.seed = edited.seeds[n - 1];
        req.scene_index = n - 1;
        req.scene_count = count;
        req.world = job.params.value("world", Json());  // a Verse world to render from (issue 17)
        return req;
    };

    // A draft: the same picture at preview size without layers, painted before the full ones
    // so the preview does not wait for them. Not stored or cached: only the preview uses it.
    const media::FrameSize draft_size = media::SizeForHeight(media_.preview_height);
    auto draft_task = [&, this](int n) -> Result<fs::path> {
        engines::PictureRequest req = picture_request(n);
        req.width = draft_size.width;
        req.height = draft_size.height;
        req.draft = true;
        BEACON_TRY(dir, MakeDir(job_dir / ("scene-" + std::to_string(n)) / "draft"));
        auto res = engines_.pictures->Paint(req, dir, nullptr, local_stop.get_token());
        if (!res.ok()) return std::move(res).error();
        return res->image;
    };

    auto picture_task = [&, this](int n) -> Result<PicturePart> {
        const core::Scene& s = scenes[n - 1];
        engines::PictureRequest req = picture_request(n);
        if (!req.world.is_null() && !engines_.pictures->RendersWorlds())
            return Error::Unavailable("this worker cannot render Verse worlds", false);
        const std::string hash = Sha256Hex(Json{
            {"kind", "picture"},
            {"engine", picture_prov.engine},
            {"model", picture_prov.model},
            {"parameters", picture_prov.parameters},
            {"scene", core::ToJson(core::Script{"", "", {s}})},
            {"prompt", req.prompt},
            {"style", req.style},
            {"title", req.title},
            {"w", req.width},
            {"h", req.height},
            {"seed", req.seed},
            {"index", req.scene_index},
            {"count", req.scene_count},
            {"world", req.world}}.dump());
        if (auto hit = Cached(stores_.assets, store_, hash, job.id)) {
            return PicturePart{hit->key, hash,
                               Strings(hit->parameters.value("layer_keys", Json::array())), true};
        }
        BEACON_TRY(dir, MakeDir(job_dir / ("scene-" + std::to_string(n)) / "picture"));
        auto t0 = Clock::now();
        auto res = engines_.pictures->Paint(
            req, dir, [&ctx](const std::string& l) { ctx.Log(l); }, local_stop.get_token());
        if (!res.ok())
            return Named(std::move(res).error(), "picture engine " + picture_prov.engine);
        const std::string base = JobPrefix(job.id) + "scenes/" + std::to_string(n) + "/";
        std::vector<std::string> layer_keys;
        for (std::size_t i = 0; i < res->layers.size(); ++i) {
            const std::string lk =
                base + "layer_" + std::to_string(i) + Ext(res->layers[i], ".png");
            BEACON_TRY(
                la, StoreAsset(stores_.assets, store_, job.id, core::AssetKind::kPictureLayer, lk,
                               res->layers[i], "", res->provenance, {{"scene", n}, {"layer", i}}));
            (void)la;
            layer_keys.push_back(lk);
        }
        const std::string key = base + "picture" + Ext(res->image, ".png");
        BEACON_TRY(asset,
                   StoreAsset(stores_.assets, store_, job.id, core::AssetKind::kPicture, key,
                              res->image, hash, res->provenance,
                              {{"layer_keys", layer_keys}, {"scene", n}, {"seed", req.seed}}));
        (void)asset;
        ctx.Log("scene " + std::to_string(n) + ": picture by " + res->provenance.engine + " in " +
                std::to_string(MsSince(t0)) + " ms");
        return PicturePart{key, hash, layer_keys, false};
    };

    // A built-in engine computes on this machine (the CPU pool); a service is waited for (I/O).
    core::TaskPool& voice_pool = voice_prov.builtin ? cpu_ : io_;
    core::TaskPool& picture_pool = picture_prov.builtin ? cpu_ : io_;
    auto fail = [&](Error e) {
        if (!failure) failure = std::move(e);
        local_stop.request_stop();
        cv.notify_all();
    };

    bool early_started = false;
    bool early_published = false;
    std::stop_source early_stop;
    std::stop_callback forward_early(ctx.stop_token(),
                                     [&early_stop] { early_stop.request_stop(); });
    // Drafts only pay when they are much cheaper than the pictures and a preview is wanted.
    const bool want_drafts = job.request.produce_preview && engines_.pictures->PaintsDrafts() &&
                             job.params.value("world", Json()).is_null();
    // Declared last: destroyed first, so it waits for every task before what they use goes.
    core::TaskGroup tasks;
    // Voices first: they are quick, and the early preview waits for all of them.
    for (int n = 1; n <= count; ++n) {
        if (!slots[n - 1].voice) {
            tasks.Post(voice_pool, [&, n] {
                if (local_stop.stop_requested()) return;
                auto part = voice_task(n);
                std::lock_guard lock(mu);
                if (!part.ok()) return fail(std::move(part).error());
                slots[n - 1].voice = std::move(part).value();
                cv.notify_all();
            });
        }
    }
    for (int n = 1; want_drafts && n <= count; ++n) {
        if (!slots[n - 1].picture) {
            tasks.Post(picture_pool, [&, n] {
                if (local_stop.stop_requested()) return;
                auto path = draft_task(n);  // a failed draft only leaves the preview waiting
                std::lock_guard lock(mu);
                slots[n - 1].draft = path.ok() ? *path : fs::path();
                cv.notify_all();
            });
        }
    }
    for (int n = 1; n <= count; ++n) {
        if (!slots[n - 1].picture) {
            tasks.Post(picture_pool, [&, n] {
                if (local_stop.stop_requested()) return;
                auto part = picture_task(n);
                std::lock_guard lock(mu);
                if (!part.ok()) return fail(std::move(part).error());
                const PicturePart& p = slots[n - 1].picture.emplace(std::move(part).value());
                if (pieces) {
                    pieces->PictureReady(n - 1,
                                         {p.hash.empty() ? p.key : p.hash, p.key, p.layer_keys});
                    if (!p.cached) pieces->Arm();  // a new picture: the final changes
                }
                cv.notify_all();
            });
        }
    }

    std::unique_lock lock(mu);
    for (;;) {
        // Record each scene the moment both parts exist (a resumed job skips it).
        int done = 0, voices = 0, pictures = 0, drafts = 0, covered = 0, drafts_pending = 0;
        for (int n = 1; n <= count; ++n) {
            Slot& s = slots[n - 1];
            voices += s.voice.has_value();
            pictures += s.picture.has_value();
            drafts += s.draft.has_value();
            covered += s.picture || (s.draft && !s.draft->empty());
            drafts_pending += want_drafts && !s.picture && !s.draft;
            if (!s.voice || !s.picture) continue;
            ++done;
            if (s.record) continue;
            SceneRecord r;
            r.n = n;
            r.voice_key = s.voice->key;
            r.voice_hash = s.voice->hash;
            r.voice_duration = s.voice->duration;
            r.words = s.voice->words;
            r.picture_key = s.picture->key;
            r.picture_hash = s.picture->hash;
            r.layer_keys = s.picture->layer_keys;
            r.seed = edited.seeds[n - 1];
            r.cached = s.voice->cached && s.picture->cached;
            (void)stores_.jobs.RecordStage(job.id, SceneRecordName(n), ToJson(r));
            s.record = std::move(r);
        }
        ctx.SetProgress(15 + 30 * (voices + pictures) / std::max(1, 2 * count));
        if (pieces && voices == count) {  // the narration can be mixed (once armed)
            std::vector<PieceVoice> pv;
            for (const Slot& s : slots) {
                pv.push_back({s.voice->hash.empty() ? s.voice->key : s.voice->hash, s.voice->key,
                              s.voice->duration});
            }
            pieces->VoicesReady(std::move(pv));
        }
        if (failure || done == count) break;
        // Preview-first: all voices and a picture or draft for every scene (or, without
        // drafts, at least one picture) → a preview now, made beside the painters. One under
        // way when the last picture lands is finished, not abandoned: it is published well
        // before the preview stage could make the full one, which then replaces it.
        if (!early_started && job.request.produce_preview && voices == count && pictures < count &&
            (covered == count || (drafts_pending == 0 && pictures > 0))) {
            early_started = true;
            std::vector<media::SceneMedia> sm;
            std::vector<bool> local;  // the picture is a draft file, not a stored key
            for (int n = 1; n <= count; ++n) {
                const Slot& s = slots[n - 1];
                media::SceneMedia m;
                m.duration = scenes[n - 1].duration;
                m.voice = s.voice->key;
                m.voice_duration = s.voice->duration;
                if (s.picture) {
                    m.picture = s.picture->key;
                } else if (s.draft && !s.draft->empty()) {
                    m.picture = s.draft->string();
                }
                local.push_back(!s.picture && s.draft && !s.draft->empty());
                sm.push_back(std::move(m));
            }
            const bool from_drafts = pictures < covered;
            // The encode is a child process: waiting for it belongs on the I/O pool, where it
            // does not queue behind the painters on the CPU pool.
            tasks.Post(io_, [&, this, sm = std::move(sm), local = std::move(local),
                             from_drafts]() mutable {
                if (early_stop.stop_requested()) return;
                for (std::size_t i = 0; i < sm.size(); ++i) {
                    auto& m = sm[i];
                    if (!m.voice.empty()) {
                        auto v = Readable(store_, m.voice, job_dir);
                        m.voice = v.ok() ? *v : "";
                    }
                    if (!m.picture.empty() && !local[i]) {
                        auto p = Readable(store_, m.picture, job_dir);
                        m.picture = p.ok() ? *p : "";
                    }
                }
                auto t = media::PlanTimeline(sm, job.request.duration_target, media::kPreviewFps);
                const fs::path out = job_dir / "preview_early.mp4";
                media::RunOptions opts = RunFor(ctx, 0, 0, 0);
                opts.stop = early_stop.get_token();
                if (!t.ok() || !media::MakePreview(media_, sm, *t, out.string(), opts).ok()) return;
                const std::string key = JobPrefix(job.id) + "preview.mp4";
                if (early_stop.stop_requested() || !store_.PutFile(key, out).ok()) return;
                {
                    std::lock_guard published(mu);
                    early_published = true;
                }
                ctx.SetUrls({{"preview_url", core::object_keys::MediaUrl(key)}});
                ctx.Log(std::string(from_drafts ? "preview (draft pictures)"
                                                : "preview (partial pictures)") +
                        " ready after " + std::to_string(MsSince(started)) + " ms");
            });
            continue;
        }
        cv.wait(lock, ctx.stop_token(), [&] {
            if (failure) return true;
            int v = 0, p = 0, d = 0;
            for (const auto& s : slots) {
                v += s.voice.has_value();
                p += s.picture.has_value();
                d += s.draft.has_value();
            }
            return v != voices || p != pictures || d != drafts;
        });
        if (ctx.stop_token().stop_requested() && !failure) {
            failure = Error::Canceled("canceled while rendering scenes");
        }
    }
    lock.unlock();
    local_stop.request_stop();
    if (failure) {
        early_stop.request_stop();  // a cancel reaches them through the job's token
        pieces_stop.request_stop();
    }
    tasks.Wait();
    if (pieces) pieces->Wait();
    if (failure) return *failure;

    ScenesRecord out;
    out.early_preview = early_published;
    for (auto& s : slots) out.scenes.push_back(std::move(*s.record));
    ctx.Log("scenes: " + std::to_string(count) + " voices and pictures in " +
            std::to_string(MsSince(started)) + " ms");
    run.scenes = out;
    return out;
}

}  // namespace beacon::pipeline
