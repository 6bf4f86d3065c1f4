#pragma once
/// Options for every media operation (from the [media] config section; src/app wires them).
#include <chrono>
#include <string>

namespace beacon::core {
class ProcessRunner;
}

namespace beacon::media {

struct MediaOptions {
    std::string ffmpeg = "ffmpeg";      // binary name or path
    std::string ffprobe = "ffprobe";    // binary name or path
    int segment_seconds = 4;            // HLS segment length = GOP length (seconds)
    int fps = 25;                       // house frame rate (constant)
    int preview_height = 480;           // preview resolution (height; width keeps 16:9)
    int crf = 20;                       // x264 CRF of the final encode
    int audio_bitrate_kbps = 128;       // AAC bitrate
    bool burn_captions = false;         // also burn captions into the picture
    double loudness_lufs = -16.0;       // EBU R128 integrated loudness target
    double true_peak_db = -1.5;         // true-peak ceiling (dBTP)
    std::chrono::seconds timeout{600};  // per ffmpeg command
    /// Who runs ffmpeg and ffprobe (not a config key): null = the system. The pipeline's fast
    /// test tier puts tests/support's FakeMediaRunner here.
    core::ProcessRunner* runner = nullptr;
};

/// Output size for a preset name ("480p" | "720p" | "1080p"); 720p for anything else.
struct FrameSize {
    int width = 1280;
    int height = 720;
};
FrameSize PresetSize(const std::string& preset);
/// 16:9 frame of the given height, both sides even.
FrameSize SizeForHeight(int height);

}  // namespace beacon::media
