#pragma once
/// The final encode in pieces (media/chunked.hpp) for one job. The scenes stage encodes a piece
/// on the CPU pool as soon as every picture it shows exists (EarlyPieces), while the other
/// pictures are still being painted; the final stage encodes the pieces still missing and
/// joins them by stream copy with the narration (EncodeInPieces). A piece's file is named by
/// the content address of what it shows and how it is encoded, and is renamed into place only
/// when whole, so a file that exists is the right piece (also for a resumed job). Internal.
#include <atomic>
#include <filesystem>
#include <mutex>
#include <stop_token>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "core/task_pool.hpp"
#include "jobs/stage.hpp"
#include "media/assembly.hpp"
#include "media/chunked.hpp"
#include "storage/object_store.hpp"

namespace beacon::pipeline {

/// What a scene's picture is, as far as the pieces are concerned.
struct PiecePicture {
    std::string id;                   // content address (or store key) of the picture
    std::string key;                  // store key of the picture
    std::vector<std::string> layers;  // store keys of its parallax layers
};

/// What a scene's narration is, as far as the narration track is concerned.
struct PieceVoice {
    std::string id;   // content address (or store key) of the voice
    std::string key;  // store key
    double duration = 0;
};

/// The narration track mixed from every voice and its loudness (first pass).
struct MixedNarration {
    std::string wav;
    media::Loudness measured;
};

/// Mixes the narration of `scenes` (readable voices; `t` planned with their durations) into
/// <dir>/narration-<hash>.wav and measures it, or reuses that file when an earlier call made it
/// (the hash covers every voice and the timeline's offsets).
core::Result<MixedNarration> MixNarration(const media::MediaOptions& m,
                                          const std::vector<media::SceneMedia>& scenes,
                                          const std::vector<std::string>& voice_ids,
                                          const media::Timeline& t,
                                          const std::filesystem::path& dir,
                                          const media::RunOptions& run);

/// One piece with its content address and file.
struct FinalPiece {
    media::VideoChunk chunk;
    std::string hash;
    std::filesystem::path file;  // <dir>/<hash>.mp4
};

/// The pieces of a job's final video. `pictures[i]` describes scene i's picture (id may be
/// empty when it does not exist yet: the pieces showing it get no address then and are not
/// encoded early); cameras come from `scenes`.
std::vector<FinalPiece> PlanPieces(const media::MediaOptions& m, const media::Timeline& t,
                                   media::FrameSize size,
                                   const std::vector<media::SceneMedia>& scenes,
                                   const std::vector<PiecePicture>& pictures,
                                   const std::filesystem::path& dir);

/// Encodes one piece into its file (written beside it, then renamed). `scenes` must have
/// readable pictures for the piece's scenes.
core::Status EncodePiece(const media::MediaOptions& m, const std::vector<media::SceneMedia>& scenes,
                         const media::Timeline& t, const FinalPiece& piece, media::FrameSize size,
                         const media::RunOptions& run);

/// Encodes the pieces during the scenes stage, each as soon as the pictures it shows exist.
/// Nothing is posted until Arm() (a job whose pictures all come from the cache likely reuses
/// its whole final encode, and pieces would be wasted). Thread-safe. Failures are logged as
/// warnings only: the final stage encodes whatever piece is missing and reports its errors.
class EarlyPieces {
public:
    /// `script_scenes` give each scene's duration and camera; `ctx` receives a log line per
    /// piece; `stop` ends the encodes (cancel or a failed stage). All must outlive this.
    EarlyPieces(const media::MediaOptions& m, storage::ObjectStore& store, core::TaskPool& cpu,
                const std::vector<core::Scene>& script_scenes, double duration_target,
                media::FrameSize size, std::filesystem::path dir, jobs::StageContext& ctx,
                std::stop_token stop);
    ~EarlyPieces();
    EarlyPieces(const EarlyPieces&) = delete;
    EarlyPieces& operator=(const EarlyPieces&) = delete;

    /// Scene `index`'s (0-based) picture exists; posts every armed piece that now has all its
    /// pictures.
    void PictureReady(std::size_t index, PiecePicture picture);
    /// Every voice exists: once armed, the narration is mixed and measured too.
    void VoicesReady(std::vector<PieceVoice> voices);
    /// From now on pieces are posted (those ready at once).
    void Arm();
    /// Waits for every posted piece.
    void Wait() { tasks_.Wait(); }

private:
    void PostReadyLocked();

    const media::MediaOptions& media_;
    storage::ObjectStore& store_;
    core::TaskPool& cpu_;
    media::FrameSize size_;
    std::filesystem::path dir_;
    jobs::StageContext& ctx_;
    std::stop_token stop_;
    bool valid_ = false;  // the timeline could be planned
    media::Timeline timeline_;
    std::vector<media::SceneMedia> scenes_;  // durations and cameras (no files)
    std::mutex mu_;
    bool armed_ = false;
    std::vector<PiecePicture> pictures_;
    std::vector<bool> have_;
    std::vector<bool> posted_;  // per piece
    std::vector<media::VideoChunk> chunks_;
    double duration_target_ = 0;
    std::vector<PieceVoice> voices_;  // set once every voice exists
    bool narration_posted_ = false;
    core::TaskGroup tasks_;  // last: waits for the tasks before what they use goes
};

struct PiecesResult {
    std::string narration_wav;
    media::Loudness measured;
    bool silent = false;
    int early = 0;    // pieces found made by the scenes stage
    int encoded = 0;  // pieces encoded now
};

/// The final encode from pieces: every missing piece encoded on `cpu` (in parallel), the
/// narration mixed and measured, then pieces and narration joined into `out_mp4`. `scenes`
/// (with readable files), `pictures` and `voice_ids` describe every scene; `work` holds the
/// list of pieces; `pieces_dir` is the folder EarlyPieces wrote to (pieces and narration).
core::Result<PiecesResult> EncodeInPieces(
    const media::MediaOptions& m, core::TaskPool& cpu, const std::vector<media::SceneMedia>& scenes,
    const std::vector<PiecePicture>& pictures, const std::vector<std::string>& voice_ids,
    const media::Timeline& t, media::FrameSize size, const std::filesystem::path& work,
    const std::filesystem::path& pieces_dir, const std::string& out_mp4, jobs::StageContext& ctx,
    const media::RunOptions& run);

}  // namespace beacon::pipeline
