#include "media/probe.hpp"

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "media/command.hpp"

namespace beacon::media {
namespace {

using core::Error;
using Json = nlohmann::json;

double Num(const Json& j, const char* key) {
    if (!j.contains(key)) return 0;
    const Json& v = j[key];
    if (v.is_number()) return v.get<double>();
    if (v.is_string()) return std::strtod(v.get<std::string>().c_str(), nullptr);
    return 0;
}

std::string Str(const Json& j, const char* key) {
    if (j.contains(key) && j[key].is_string()) return j[key].get<std::string>();
    return {};
}

double Rate(const std::string& r) {
    auto slash = r.find('/');
    if (slash == std::string::npos) return std::strtod(r.c_str(), nullptr);
    double num = std::strtod(r.substr(0, slash).c_str(), nullptr);
    double den = std::strtod(r.substr(slash + 1).c_str(), nullptr);
    return den > 0 ? num / den : 0;
}

}  // namespace

const StreamInfo* ProbeInfo::First(const std::string& type) const {
    for (const auto& s : streams) {
        if (s.type == type) return &s;
    }
    return nullptr;
}

core::Result<ProbeInfo> ParseProbeJson(const std::string& text) {
    Json j = Json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return Error::External("ffprobe: output is not JSON");
    ProbeInfo info;
    if (j.contains("format") && j["format"].is_object()) {
        info.format = Str(j["format"], "format_name");
        info.duration = Num(j["format"], "duration");
        info.start_time = Num(j["format"], "start_time");
    }
    if (j.contains("streams") && j["streams"].is_array()) {
        for (const auto& s : j["streams"]) {
            StreamInfo st;
            st.index = static_cast<int>(Num(s, "index"));
            st.type = Str(s, "codec_type");
            st.codec = Str(s, "codec_name");
            st.profile = Str(s, "profile");
            st.pix_fmt = Str(s, "pix_fmt");
            st.width = static_cast<int>(Num(s, "width"));
            st.height = static_cast<int>(Num(s, "height"));
            st.fps = Rate(Str(s, "r_frame_rate"));
            st.sample_rate = static_cast<int>(Num(s, "sample_rate"));
            st.channels = static_cast<int>(Num(s, "channels"));
            st.start_time = Num(s, "start_time");
            st.duration = Num(s, "duration");
            st.level = static_cast<int>(Num(s, "level"));
            st.frames = static_cast<long long>(Num(s, "nb_frames"));
            info.streams.push_back(std::move(st));
        }
    }
    if (j.contains("chapters") && j["chapters"].is_array()) {
        info.chapters = static_cast<int>(j["chapters"].size());
    }
    return info;
}

core::Result<ProbeInfo> Probe(const MediaOptions& opts, const std::string& path,
                              const RunOptions& run) {
    std::vector<std::string> argv = {
        opts.ffprobe, "-v",   "error", "-show_format", "-show_streams", "-show_chapters",
        "-of",        "json", path};
    RunOptions r = run;
    r.on_progress = nullptr;
    BEACON_TRY(out, Run(opts, argv, r));
    return ParseProbeJson(out.stdout_text);
}

core::Result<std::vector<double>> KeyframeTimes(const MediaOptions& opts, const std::string& path,
                                                const RunOptions& run) {
    std::vector<std::string> argv = {
        opts.ffprobe,  "-v",    "error",         "-select_streams", "v:0",
        "-skip_frame", "nokey", "-show_entries", "frame=pts_time",  "-of",
        "json",        path};
    RunOptions r = run;
    r.on_progress = nullptr;
    BEACON_TRY(out, Run(opts, argv, r));
    Json j = Json::parse(out.stdout_text, nullptr, false);
    if (j.is_discarded() || !j.contains("frames")) {
        return Error::External("ffprobe: keyframe output is not JSON");
    }
    std::vector<double> times;
    for (const auto& f : j["frames"]) times.push_back(Num(f, "pts_time"));
    return times;
}

core::Result<Loudness> ParseLoudnormJson(const std::string& text) {
    auto open = text.rfind('{');
    auto close = text.rfind('}');
    if (open == std::string::npos || close == std::string::npos || close < open) {
        return Error::External("ffmpeg loudnorm: no measurement in output");
    }
    Json j = Json::parse(text.substr(open, close - open + 1), nullptr, false);
    if (j.is_discarded() || !j.contains("input_i")) {
        return Error::External("ffmpeg loudnorm: measurement is not JSON");
    }
    Loudness l;
    l.integrated_lufs = Num(j, "input_i");
    l.true_peak_db = Num(j, "input_tp");
    l.lra = Num(j, "input_lra");
    l.threshold = Num(j, "input_thresh");
    l.target_offset = Num(j, "target_offset");
    return l;
}

core::Result<Loudness> MeasureLoudness(const MediaOptions& opts, const std::string& path,
                                       const RunOptions& run) {
    FfmpegCommand cmd(opts.ffmpeg);
    cmd.AddInput(path);
    cmd.Map("0:a:0")
        .Option("-af", Filter("loudnorm")
                           .Set("I", opts.loudness_lufs)
                           .Set("TP", opts.true_peak_db)
                           .Set("LRA", 11)
                           .Set("print_format", "json")
                           .str())
        .Option("-f", "null")
        .Output("-");
    std::vector<std::string> argv = cmd.Argv();
    // loudnorm prints its JSON at "info" level.
    for (std::size_t i = 0; i + 1 < argv.size(); ++i) {
        if (argv[i] == "-loglevel") argv[i + 1] = "info";
    }
    RunOptions r = run;
    r.on_progress = nullptr;
    BEACON_TRY(out, Run(opts, argv, r));
    return ParseLoudnormJson(out.stderr_tail);
}

}  // namespace beacon::media
