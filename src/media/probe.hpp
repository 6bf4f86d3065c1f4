#pragma once
/// ffprobe (JSON output) for verifying what ffmpeg made, and loudness measurement.
#include <string>
#include <vector>

#include "core/result.hpp"
#include "media/options.hpp"
#include "media/runner.hpp"

namespace beacon::media {

struct StreamInfo {
    int index = 0;
    std::string type;     // video | audio | subtitle | data
    std::string codec;    // h264, aac, mov_text, ...
    std::string profile;  // "High", "LC", ...
    std::string pix_fmt;
    int width = 0;
    int height = 0;
    double fps = 0;  // r_frame_rate as a number
    int sample_rate = 0;
    int channels = 0;
    double start_time = 0;
    double duration = 0;
    int level = 0;         // H.264 level_idc, e.g. 40
    long long frames = 0;  // nb_frames when the container knows it
};

struct ProbeInfo {
    std::string format;   // format_name
    double duration = 0;  // container duration (seconds)
    double start_time = 0;
    std::vector<StreamInfo> streams;
    int chapters = 0;
    const StreamInfo* First(const std::string& type) const;
};

/// Parses ffprobe's `-show_format -show_streams -show_chapters -of json` output.
core::Result<ProbeInfo> ParseProbeJson(const std::string& json);

/// Runs ffprobe on a file.
core::Result<ProbeInfo> Probe(const MediaOptions& opts, const std::string& path,
                              const RunOptions& run = {});

/// Presentation times (seconds) of the video key frames (ffprobe -skip_frame nokey).
core::Result<std::vector<double>> KeyframeTimes(const MediaOptions& opts, const std::string& path,
                                                const RunOptions& run = {});

struct Loudness {
    double integrated_lufs = 0;  // input_i
    double true_peak_db = 0;     // input_tp
    double lra = 0;              // input_lra
    double threshold = 0;        // input_thresh
    double target_offset = 0;
};
/// Parses the JSON block loudnorm prints (print_format=json) from stderr text.
core::Result<Loudness> ParseLoudnormJson(const std::string& stderr_text);

/// Measures a file's first audio stream (ffmpeg loudnorm analysis pass).
core::Result<Loudness> MeasureLoudness(const MediaOptions& opts, const std::string& path,
                                       const RunOptions& run = {});

}  // namespace beacon::media
