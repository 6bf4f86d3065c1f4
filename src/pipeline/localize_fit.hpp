#pragma once
/// Fitting dubbed lines to the picture, beyond the per-line plan in localize.hpp: cutting the
/// silence a voice leaves around a line (so fitting needs less speed), and holding the picture
/// (a per-language timeline whose picture stops on a frame while a long line finishes, so speech
/// never goes beyond kMaxSpeed).
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "media/options.hpp"
#include "media/runner.hpp"

namespace beacon::pipeline {

/// Sound quieter than this (dBFS, peak per sample) counts as silence.
inline constexpr double kSilenceThresholdDb = -50.0;
/// Silence kept on each side of a cut line, so no attack or release is clipped (seconds).
inline constexpr double kSilenceKeep = 0.02;

/// Where the sound of interleaved 16-bit PCM is: [start, end) in seconds, widened by
/// kSilenceKeep each side within the audio; {0, 0} when it is silent throughout. Pure.
struct SoundSpan {
    double start = 0;
    double end = 0;
};
SoundSpan SoundSpanOfPcm16(std::span<const std::int16_t> interleaved, int channels,
                           int sample_rate, double threshold_db = kSilenceThresholdDb);

struct TrimmedAudio {
    std::filesystem::path audio;  // a WAV beside the input (the input itself when nothing was cut)
    double duration = 0;          // seconds, after the cut
    double lead_cut = 0;          // seconds cut from the start
    double tail_cut = 0;          // seconds cut from the end
};
/// Cuts leading and trailing silence from a voiced line. A 16-bit PCM WAV (eSpeak NG, Flite) is
/// scanned sample by sample in process; anything else (an ElevenLabs MP3) goes through ffmpeg's
/// silenceremove into a WAV. A line that is silent throughout is returned as it is.
core::Result<TrimmedAudio> TrimSilence(const media::MediaOptions& media,
                                       const std::filesystem::path& audio,
                                       const media::RunOptions& run);

/// A held picture: at `at` seconds of the item's own timeline, the frame shown just before stays
/// on screen for `seconds` (whole frames) before the picture goes on.
struct Hold {
    double at = 0;
    double seconds = 0;
};
/// Time `t` of the item's timeline on the held one (every hold at or before `t` added). Pure.
double HeldTime(const std::vector<Hold>& holds, double t);
/// The held timeline's length for an item of `duration` seconds. Pure.
double HeldDuration(const std::vector<Hold>& holds, double duration);
/// The hold that lets a line `overrun` seconds past its slot finish with kLineGap to spare,
/// rounded up to whole frames at `fps`. Pure.
double HoldFor(double overrun, int fps);
/// ffmpeg video filter chain (no labels) that makes the held picture from the item's picture of
/// `duration` seconds: timestamps moved by the holds before them, frames repeated to fill each
/// hold at `fps`, the last frame cloned for a hold at the end. Pure.
std::string HeldVideoFilter(const std::vector<Hold>& holds, int fps, double duration);

}  // namespace beacon::pipeline
