#pragma once
/// A typed ffmpeg command line. Pure: builds an argv vector (never a shell string), so that the
/// same inputs always give the same arguments (golden-file tested).
#include <string>
#include <utility>
#include <vector>

#include "core/subprocess.hpp"

namespace beacon::media {

/// Escapes a filter option value (level 1: ' \ :) and the result for the filter graph
/// (level 2: ' \ [ ] , ;). Use for any value that is not a plain token, e.g. file names.
std::string EscapeFilterValue(const std::string& value);

/// One filter with named options, e.g. Filter("scale").Set("w", "1280") → "scale=w=1280".
/// Values are escaped with EscapeFilterValue when they contain special characters.
class Filter {
public:
    explicit Filter(std::string name) : name_(std::move(name)) {}
    Filter& Set(const std::string& key, const std::string& value);
    Filter& Set(const std::string& key, int value) { return Set(key, std::to_string(value)); }
    Filter& Set(const std::string& key, double value);
    std::string str() const;

private:
    std::string name_;
    std::vector<std::pair<std::string, std::string>> args_;
};

/// A filter chain "[in]f1,f2[out]" inside a filter graph.
struct Chain {
    std::vector<std::string> inputs;   // pad labels without brackets, e.g. "0:v", "v1"
    std::vector<std::string> filters;  // Filter::str() values
    std::vector<std::string> outputs;  // pad labels without brackets
    std::string str() const;
};

/// A whole -filter_complex graph: chains joined by ';'.
class FilterGraph {
public:
    FilterGraph& Add(Chain chain);
    bool empty() const { return chains_.empty(); }
    std::string str() const;

private:
    std::vector<Chain> chains_;
};

/// x264 video settings of the house format (see docs: H.264 High, yuv420p, closed GOP).
struct VideoCodec {
    std::string preset = "veryfast";
    int crf = 20;
    int maxrate_kbps = 0;  // 0 = unconstrained
    int fps = 25;
    int gop = 100;            // frames; also keyint_min; an IDR every gop frames
    int segment_seconds = 4;  // force_key_frames every this many seconds
    std::string tune;         // e.g. "stillimage"; empty = none
    std::vector<std::string> Args() const;
};

/// AAC-LC 48 kHz stereo.
struct AudioCodec {
    int bitrate_kbps = 128;
    int sample_rate = 48000;
    int channels = 2;
    /// The encoder's fast search ("-aac_coder fast") instead of its default two-loop search:
    /// about a third of the CPU, for a preview whose sound only has to be clear, not finest.
    bool fast_search = false;
    std::vector<std::string> Args() const;
};

/// ffmpeg argv: binary, global options, inputs (each with its options), filter graph, and one
/// output with its maps and options.
class FfmpegCommand {
public:
    explicit FfmpegCommand(std::string binary = "ffmpeg");
    /// Adds an input; returns its index. Options go before "-i".
    int AddInput(std::string path, std::vector<std::string> options = {});
    FfmpegCommand& Graph(const FilterGraph& graph);
    FfmpegCommand& Map(std::string spec);  // "[v]" or "0:a:0"
    FfmpegCommand& Option(std::string key, std::string value);
    FfmpegCommand& Flag(std::string flag);  // e.g. "-an"
    FfmpegCommand& Options(const std::vector<std::string>& args);
    FfmpegCommand& Output(std::string path);
    /// Adds "-progress pipe:1 -nostats" so that the runner can read progress from stdout.
    FfmpegCommand& WithProgress();
    std::vector<std::string> Argv() const;

private:
    std::string binary_;
    std::vector<std::string> global_;
    std::vector<std::string> inputs_;
    int input_count_ = 0;
    std::string graph_;
    std::vector<std::string> output_args_;
    std::string output_;
};

/// The argv as one line a person can paste into a POSIX shell (for the job log): core's.
using core::ShellQuote;

/// Seconds formatted with millisecond precision, e.g. 3.5 → "3.500".
std::string Secs(double seconds);

}  // namespace beacon::media
