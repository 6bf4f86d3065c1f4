#pragma once
/// Preview and final assembly: pure command builders (golden-file tested) and the functions that
/// run them. Every output is written to a path the caller owns (a scratch directory).
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "media/captions.hpp"
#include "media/command.hpp"
#include "media/options.hpp"
#include "media/probe.hpp"
#include "media/runner.hpp"

namespace beacon::media {

/// One scene's material.
struct SceneMedia {
    std::string title;                // chapter title
    std::string picture;              // full-frame image; empty = not made yet
    std::vector<std::string> layers;  // parallax layers back to front (may be empty)
    std::string camera = "static";  // static | slow_pan | zoom_in | zoom_out | pan_left | pan_right
    double duration = 3.5;          // seconds (script)
    std::string voice;              // narration audio; empty = silent scene
    double voice_duration = 0;
    std::vector<Word> words;  // word timings relative to the voice clip
};

/// Where every scene lands on the output timeline (whole frames).
struct Timeline {
    int fps = 25;
    long long total_frames = 0;
    std::vector<long long> start_frame;  // per scene
    std::vector<long long> frames;       // per scene
    std::vector<double> voice_offset;    // seconds: where each scene's narration starts
    int transition_frames = 0;           // crossfade length (even; 0 = hard cuts)
    long long sample_rate = 48000;
    double duration() const { return static_cast<double>(total_frames) / fps; }
    long long total_samples() const { return total_frames * sample_rate / fps; }
    double start(std::size_t i) const { return static_cast<double>(start_frame[i]) / fps; }
    double end(std::size_t i) const {
        return static_cast<double>(start_frame[i] + frames[i]) / fps;
    }
};

/// Silence kept between one scene's narration and the next when a voice overruns its scene.
inline constexpr double kVoiceGap = 0.15;

/// Total length = duration_target rounded to whole frames; scene lengths scaled to fill it.
/// Each scene's narration starts up to 0.3 s into its scene, and never before the previous
/// narration ended plus kVoiceGap (narration that overruns the end is cut).
/// Errors on no scenes or a non-positive target.
core::Result<Timeline> PlanTimeline(const std::vector<SceneMedia>& scenes, double duration_target,
                                    int fps, double transition_seconds = 0.48);

/// Word timings placed on the output timeline (words past the end are dropped).
std::vector<Word> TimelineWords(const std::vector<SceneMedia>& scenes, const Timeline& t);
/// One chapter per scene.
std::vector<Chapter> TimelineChapters(const std::vector<SceneMedia>& scenes, const Timeline& t);

/// For the preview: which picture each scene shows (its own, else the previous available one,
/// else the next available one). Error when no scene has a picture yet.
core::Result<std::vector<std::string>> PreviewPictures(const std::vector<SceneMedia>& scenes);

/// Frame rate of previews: stills with hard cuts look the same at 10 fps and encode 2.5x faster.
inline constexpr int kPreviewFps = 10;

/// Preview MP4: stills (no motion), hard cuts, narration mixed, low bitrate, fast preset, at the
/// timeline's frame rate (plan it with kPreviewFps).
core::Result<FfmpegCommand> BuildPreviewCommand(const MediaOptions& opts,
                                                const std::vector<SceneMedia>& scenes,
                                                const Timeline& t, const std::string& out_mp4);

/// The narration track: every scene's voice at its offset, mixed, 48 kHz stereo, exactly the
/// timeline's length, as 16-bit WAV.
FfmpegCommand BuildNarrationCommand(const MediaOptions& opts, const std::vector<SceneMedia>& scenes,
                                    const Timeline& t, const std::string& out_wav);

struct FinalSpec {
    FrameSize size;
    std::string narration_wav;         // from BuildNarrationCommand
    std::optional<Loudness> measured;  // first-pass loudnorm values (none = silent)
    std::string burn_captions_file;    // WebVTT/SRT to burn in; empty = none
    std::string out_mp4;
};
/// The final house-format encode: motion per scene (camera moves or parallax layers),
/// crossfades, loudness-normalised narration padded/trimmed to the video length.
core::Result<FfmpegCommand> BuildFinalCommand(const MediaOptions& opts,
                                              const std::vector<SceneMedia>& scenes,
                                              const Timeline& t, const FinalSpec& spec);

/// The final audio chain of the narration: loudness-normalised with the first pass's values
/// (none = as is), 48 kHz, padded/trimmed to exactly the timeline's length.
std::vector<std::string> FinalAudioFilters(const MediaOptions& opts, const Timeline& t,
                                           const std::optional<Loudness>& measured);

/// The video filter chain for one scene (input pad → output pad), `clip_frames` long; or only
/// its frames [first_frame, first_frame + count) (count < 0: to the end), moving exactly as
/// those frames of the whole clip do.
std::vector<Chain> SceneVideoChains(const SceneMedia& scene, int first_input, long long clip_frames,
                                    int fps, FrameSize size, const std::string& out_label,
                                    long long first_frame = 0, long long count = -1);

/// Remux (stream copy) the final encode with soft captions (mov_text) and chapters.
FfmpegCommand BuildMp4PackageCommand(const MediaOptions& opts, const std::string& encoded_mp4,
                                     const std::string& captions_vtt, const std::string& language,
                                     const std::string& ffmetadata, const std::string& out_mp4);

/// A JPEG frame at `at` seconds; width 0 = full size, else scaled to that width.
FfmpegCommand BuildStillCommand(const MediaOptions& opts, const std::string& video, double at,
                                int width, const std::string& out_jpg);

/// ISO 639-2 code for an ISO 639-1 code ("en" → "eng"); the input when unknown.
std::string Iso639_2(const std::string& lang);

// ---- runners -----------------------------------------------------------------------------------

/// Runs a command with the options' timeout; progress (seconds of output) goes to `run`.
core::Status RunFfmpeg(const MediaOptions& opts, const FfmpegCommand& cmd, RunOptions run);

/// Preview: PreviewPictures → BuildPreviewCommand → run.
core::Status MakePreview(const MediaOptions& opts, const std::vector<SceneMedia>& scenes,
                         const Timeline& t, const std::string& out_mp4, const RunOptions& run);

struct FinalResult {
    std::string narration_wav;
    Loudness measured;  // loudness of the narration before normalisation
    bool silent = false;
};
/// Narration → loudness pass 1 → final encode (pass 2). `burn_captions_file` may be empty.
core::Result<FinalResult> MakeFinal(const MediaOptions& opts, const std::vector<SceneMedia>& scenes,
                                    const Timeline& t, FrameSize size,
                                    const std::string& scratch_dir,
                                    const std::string& burn_captions_file,
                                    const std::string& out_mp4, const RunOptions& run);

}  // namespace beacon::media
