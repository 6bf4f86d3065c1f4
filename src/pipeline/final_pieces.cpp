#include "pipeline/final_pieces.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

#include "media/assembly.hpp"
#include "pipeline/asset_cache.hpp"
#include "pipeline/job_run.hpp"
#include "pipeline/pipeline.hpp"

namespace beacon::pipeline {

namespace fs = std::filesystem;
using core::Error;
using core::Json;
using core::Result;
using Clock = std::chrono::steady_clock;

namespace {

/// "scenes 3-4" / "scene 3" (1-based) for the log.
std::string SceneNames(const media::VideoChunk& c) {
    if (c.scenes.empty()) return "no scene";
    const auto first = c.scenes.front() + 1;
    const auto last = c.scenes.back() + 1;
    return first == last ? "scene " + std::to_string(first)
                         : "scenes " + std::to_string(first) + "-" + std::to_string(last);
}

std::string PieceName(const FinalPiece& p, std::size_t count) {
    return "piece " + std::to_string(p.chunk.index + 1) + "/" + std::to_string(count) +
           " (frames " + std::to_string(p.chunk.first_frame) + "-" +
           std::to_string(p.chunk.first_frame + p.chunk.frames - 1) + ", " + SceneNames(p.chunk) +
           ")";
}

}  // namespace

std::vector<FinalPiece> PlanPieces(const media::MediaOptions& m, const media::Timeline& t,
                                   media::FrameSize size,
                                   const std::vector<media::SceneMedia>& scenes,
                                   const std::vector<PiecePicture>& pictures, const fs::path& dir) {
    std::vector<FinalPiece> out;
    for (auto& c : media::PlanChunks(t, media::GopFrames(m))) {
        FinalPiece p;
        Json in = {{"v", 1},
                   {"size", {size.width, size.height}},
                   {"fps", m.fps},
                   {"crf", m.crf},
                   {"gop", media::GopFrames(m)},
                   {"seg", m.segment_seconds},
                   {"first", c.first_frame},
                   {"frames", c.frames},
                   {"total", t.total_frames},
                   {"transition", t.transition_frames},
                   {"scenes", Json::array()}};
        bool complete = true;
        for (std::size_t i : c.scenes) {
            if (i >= pictures.size() || pictures[i].id.empty()) {
                complete = false;
                break;
            }
            in["scenes"].push_back({{"i", i},
                                    {"start", t.start_frame[i]},
                                    {"frames", t.frames[i]},
                                    {"camera", i < scenes.size() ? scenes[i].camera : ""},
                                    {"picture", pictures[i].id},
                                    {"layers", pictures[i].layers}});
        }
        if (complete) {
            p.hash = Sha256Hex(in.dump());
            p.file = dir / (p.hash + ".mp4");
        }
        p.chunk = std::move(c);
        out.push_back(std::move(p));
    }
    return out;
}

core::Status EncodePiece(const media::MediaOptions& m, const std::vector<media::SceneMedia>& scenes,
                         const media::Timeline& t, const FinalPiece& piece, media::FrameSize size,
                         const media::RunOptions& run) {
    if (piece.file.empty()) return Error::Internal("pipeline: a piece without its pictures");
    BEACON_TRY(made, MakeDir(piece.file.parent_path()));
    (void)made;
    fs::path part = piece.file;
    part += ".part.mp4";
    BEACON_TRY(cmd, media::BuildChunkCommand(m, scenes, t, piece.chunk, size, part.string()));
    BEACON_CHECK(media::RunFfmpeg(m, cmd, run));
    std::error_code ec;
    fs::rename(part, piece.file, ec);
    if (ec)
        return Error::Unavailable("cannot rename " + part.string() + ": " + ec.message(), false);
    return {};
}

Result<MixedNarration> MixNarration(const media::MediaOptions& m,
                                    const std::vector<media::SceneMedia>& scenes,
                                    const std::vector<std::string>& voice_ids,
                                    const media::Timeline& t, const fs::path& dir,
                                    const media::RunOptions& run) {
    Json in = {{"v", 1},
               {"samples", t.total_samples()},
               {"offsets", t.voice_offset},
               {"voices", voice_ids},
               {"lufs", m.loudness_lufs},
               {"tp", m.true_peak_db}};
    const std::string hash = Sha256Hex(in.dump());
    BEACON_TRY(made, MakeDir(dir));
    (void)made;
    MixedNarration out;
    out.wav = (dir / ("narration-" + hash + ".wav")).string();
    const fs::path measured = dir / ("narration-" + hash + ".json");
    if (auto text = ReadFile(measured); text.ok()) {
        Json j = Json::parse(*text, nullptr, false);
        if (j.is_object()) {
            out.measured = {j.value("i", 0.0), j.value("tp", 0.0), j.value("lra", 0.0),
                            j.value("thresh", 0.0), j.value("offset", 0.0)};
            return out;
        }
    }
    media::RunOptions quiet = run;
    quiet.on_progress = nullptr;
    const std::string part = out.wav + ".part.wav";
    BEACON_CHECK(media::RunFfmpeg(m, media::BuildNarrationCommand(m, scenes, t, part), quiet));
    quiet.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(m.timeout);
    BEACON_TRY(loud, media::MeasureLoudness(m, part, quiet));
    out.measured = loud;
    std::error_code ec;
    fs::rename(part, out.wav, ec);
    if (ec) return Error::Unavailable("cannot rename " + part + ": " + ec.message(), false);
    // Written last: the measure exists only beside a whole narration.
    const fs::path tmp = measured.string() + ".part";
    BEACON_CHECK(WriteFile(tmp, Json{{"i", loud.integrated_lufs},
                                     {"tp", loud.true_peak_db},
                                     {"lra", loud.lra},
                                     {"thresh", loud.threshold},
                                     {"offset", loud.target_offset}}
                                    .dump()));
    fs::rename(tmp, measured, ec);
    if (ec) return Error::Unavailable("cannot rename " + tmp.string() + ": " + ec.message(), false);
    return out;
}

EarlyPieces::EarlyPieces(const media::MediaOptions& m, storage::ObjectStore& store,
                         core::TaskPool& cpu, const std::vector<core::Scene>& script_scenes,
                         double duration_target, media::FrameSize size, fs::path dir,
                         jobs::StageContext& ctx, std::stop_token stop)
    : media_(m),
      store_(store),
      cpu_(cpu),
      size_(size),
      dir_(std::move(dir)),
      ctx_(ctx),
      stop_(std::move(stop)),
      duration_target_(duration_target) {
    for (const auto& s : script_scenes) {
        media::SceneMedia sm;
        sm.duration = s.duration;
        sm.camera = s.camera;
        scenes_.push_back(std::move(sm));
    }
    // Frames depend on the scenes' durations only (voices move narration, not pictures).
    auto t = media::PlanTimeline(scenes_, duration_target, media_.fps);
    if (t.ok()) {
        timeline_ = std::move(t).value();
        chunks_ = media::PlanChunks(timeline_, media::GopFrames(media_));
        valid_ = !chunks_.empty();
    }
    pictures_.resize(scenes_.size());
    have_.assign(scenes_.size(), false);
    posted_.assign(chunks_.size(), false);
}

EarlyPieces::~EarlyPieces() { tasks_.Wait(); }

void EarlyPieces::PictureReady(std::size_t index, PiecePicture picture) {
    std::lock_guard lock(mu_);
    if (index >= pictures_.size()) return;
    pictures_[index] = std::move(picture);
    have_[index] = true;
    PostReadyLocked();
}

void EarlyPieces::VoicesReady(std::vector<PieceVoice> voices) {
    std::lock_guard lock(mu_);
    if (voices.size() != scenes_.size() || !voices_.empty()) return;
    voices_ = std::move(voices);
    PostReadyLocked();
}

void EarlyPieces::Arm() {
    std::lock_guard lock(mu_);
    if (armed_) return;
    armed_ = true;
    PostReadyLocked();
}

void EarlyPieces::PostReadyLocked() {
    if (!armed_ || !valid_ || stop_.stop_requested()) return;
    if (!voices_.empty() && !narration_posted_) {
        narration_posted_ = true;
        tasks_.Post(cpu_, [this, voices = voices_] {
            if (stop_.stop_requested()) return;
            const auto t0 = Clock::now();
            std::vector<media::SceneMedia> sm = scenes_;
            std::vector<std::string> ids;
            const fs::path in = dir_ / "in-narration";
            for (std::size_t i = 0; i < voices.size(); ++i) {
                ids.push_back(voices[i].id);
                sm[i].voice_duration = voices[i].duration;
                if (voices[i].key.empty()) continue;
                auto v = Readable(store_, voices[i].key, in);
                if (!v.ok()) return;
                sm[i].voice = *v;
            }
            auto t = media::PlanTimeline(sm, duration_target_, media_.fps);
            if (!t.ok()) return;
            media::RunOptions run;
            run.stop = stop_;
            run.on_command = [this](const std::string& line) {
                ctx_.Log(line, core::LogLevel::kCmd);
            };
            auto n = MixNarration(media_, sm, ids, *t, dir_, run);
            if (!n.ok()) {
                if (!stop_.stop_requested()) {
                    ctx_.Log("final narration not mixed early: " + n.error().message,
                             core::LogLevel::kWarn);
                }
                return;
            }
            ctx_.Log("final narration mixed and measured during the scenes stage in " +
                     std::to_string(MsSince(t0)) + " ms");
        });
    }
    const auto pieces = PlanPieces(media_, timeline_, size_, scenes_, pictures_, dir_);
    for (std::size_t k = 0; k < chunks_.size() && k < pieces.size(); ++k) {
        if (posted_[k]) continue;
        const auto& c = chunks_[k];
        if (!std::all_of(c.scenes.begin(), c.scenes.end(), [&](std::size_t i) { return have_[i]; }))
            continue;
        posted_[k] = true;
        if (pieces[k].file.empty()) continue;
        // What the task reads is copied now: the scenes stage goes on changing its own state.
        std::vector<std::pair<std::size_t, PiecePicture>> pics;
        for (std::size_t i : c.scenes) pics.emplace_back(i, pictures_[i]);
        const std::size_t count = chunks_.size();
        tasks_.Post(cpu_, [this, piece = pieces[k], pics = std::move(pics), count] {
            if (stop_.stop_requested()) return;
            std::error_code ec;
            if (fs::exists(piece.file, ec)) return;  // made by an earlier run of this job
            const auto t0 = Clock::now();
            const fs::path in = dir_ / ("in-" + std::to_string(piece.chunk.index));
            std::vector<media::SceneMedia> sm = scenes_;
            for (const auto& [i, pic] : pics) {
                auto p = Readable(store_, pic.key, in);
                if (!p.ok()) {
                    ctx_.Log("final " + PieceName(piece, count) +
                                 " not encoded early: " + p.error().message,
                             core::LogLevel::kWarn);
                    return;
                }
                sm[i].picture = *p;
                for (const auto& lk : pic.layers) {
                    auto l = Readable(store_, lk, in);
                    if (!l.ok()) return;
                    sm[i].layers.push_back(*l);
                }
            }
            media::RunOptions run;
            run.stop = stop_;
            run.on_command = [this](const std::string& line) {
                ctx_.Log(line, core::LogLevel::kCmd);
            };
            auto st = EncodePiece(media_, sm, timeline_, piece, size_, run);
            if (!st.ok()) {
                if (!stop_.stop_requested()) {
                    ctx_.Log("final " + PieceName(piece, count) +
                                 " not encoded early: " + st.error().message,
                             core::LogLevel::kWarn);
                }
                return;
            }
            ctx_.Log("final " + PieceName(piece, count) + " encoded during the scenes stage in " +
                     std::to_string(MsSince(t0)) + " ms");
        });
    }
}

Result<PiecesResult> EncodeInPieces(const media::MediaOptions& m, core::TaskPool& cpu,
                                    const std::vector<media::SceneMedia>& scenes,
                                    const std::vector<PiecePicture>& pictures,
                                    const std::vector<std::string>& voice_ids,
                                    const media::Timeline& t, media::FrameSize size,
                                    const fs::path& work, const fs::path& pieces_dir,
                                    const std::string& out_mp4, jobs::StageContext& ctx,
                                    const media::RunOptions& run) {
    BEACON_TRY(made, MakeDir(pieces_dir));
    (void)made;
    const auto pieces = PlanPieces(m, t, size, scenes, pictures, pieces_dir);
    PiecesResult r;
    std::vector<const FinalPiece*> missing;
    for (const auto& p : pieces) {
        std::error_code ec;
        if (p.file.empty()) return Error::Internal("pipeline: a scene has no picture");
        if (fs::exists(p.file, ec)) {
            ++r.early;
        } else {
            missing.push_back(&p);
        }
    }
    // The rest in parallel on the CPU pool (this stage's thread only waits).
    std::mutex mu;
    std::optional<Error> failure;
    {
        core::TaskGroup tasks;
        for (const FinalPiece* p : missing) {
            tasks.Post(cpu, [&, p] {
                {
                    std::lock_guard lock(mu);
                    if (failure) return;
                }
                media::RunOptions quiet = run;
                quiet.on_progress = nullptr;
                auto st = EncodePiece(m, scenes, t, *p, size, quiet);
                std::lock_guard lock(mu);
                if (st.ok()) {
                    ++r.encoded;
                } else if (!failure) {
                    failure = std::move(st).error();
                }
            });
        }
        tasks.Wait();
    }
    if (failure) return Named(std::move(*failure), "final piece (ffmpeg)");
    ctx.SetProgress(80);
    ctx.Log("final: " + std::to_string(pieces.size()) + " pieces, " + std::to_string(r.early) +
            " encoded during the scenes stage, " + std::to_string(r.encoded) + " now");

    auto narration = MixNarration(m, scenes, voice_ids, t, pieces_dir, run);
    if (!narration.ok()) return Named(std::move(narration).error(), "narration (ffmpeg)");
    r.narration_wav = narration->wav;
    r.measured = narration->measured;
    r.silent = !std::isfinite(r.measured.integrated_lufs) || r.measured.integrated_lufs < -70.0;

    std::vector<std::string> files;
    for (const auto& p : pieces) files.push_back(p.file.string());
    const fs::path list = work / "pieces.ffconcat";
    BEACON_CHECK(WriteFile(list, media::ConcatList(files)));
    std::optional<media::Loudness> norm;
    if (!r.silent) norm = r.measured;
    auto st = media::RunFfmpeg(
        m, media::BuildStitchCommand(m, list.string(), t, r.narration_wav, norm, out_mp4), run);
    if (!st.ok()) return Named(std::move(st).error(), "joining the pieces (ffmpeg)");
    return r;
}

}  // namespace beacon::pipeline
