#include "media/command.hpp"

#include <cmath>
#include <cstdio>

#include "media/options.hpp"

namespace beacon::media {

FrameSize PresetSize(const std::string& preset) {
    if (preset == "480p") return {854, 480};
    if (preset == "1080p") return {1920, 1080};
    return {1280, 720};
}

FrameSize SizeForHeight(int height) {
    if (height < 2) height = 2;
    height -= height % 2;
    int width = static_cast<int>(std::lround(height * 16.0 / 9.0));
    width += width % 2;
    return {width, height};
}

namespace {

std::string EscapeChars(const std::string& s, const std::string& special) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        if (special.find(c) != std::string::npos) out.push_back('\\');
        out.push_back(c);
    }
    return out;
}

bool NeedsEscape(const std::string& s) { return s.find_first_of("\\':[],;=") != std::string::npos; }

}  // namespace

std::string EscapeFilterValue(const std::string& value) {
    return EscapeChars(EscapeChars(value, "\\':"), "\\'[],;");
}

std::string Secs(double seconds) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.3f", seconds);
    return buf;
}

Filter& Filter::Set(const std::string& key, const std::string& value) {
    args_.emplace_back(key, value);
    return *this;
}

Filter& Filter::Set(const std::string& key, double value) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.6g", value);
    return Set(key, std::string(buf));
}

std::string Filter::str() const {
    std::string out = name_;
    for (std::size_t i = 0; i < args_.size(); ++i) {
        out += i == 0 ? '=' : ':';
        out += args_[i].first;
        out += '=';
        out += NeedsEscape(args_[i].second) ? EscapeFilterValue(args_[i].second) : args_[i].second;
    }
    return out;
}

std::string Chain::str() const {
    std::string out;
    for (const auto& in : inputs) out += "[" + in + "]";
    for (std::size_t i = 0; i < filters.size(); ++i) {
        if (i) out += ',';
        out += filters[i];
    }
    for (const auto& o : outputs) out += "[" + o + "]";
    return out;
}

FilterGraph& FilterGraph::Add(Chain chain) {
    chains_.push_back(std::move(chain));
    return *this;
}

std::string FilterGraph::str() const {
    std::string out;
    for (std::size_t i = 0; i < chains_.size(); ++i) {
        if (i) out += ";\n";
        out += chains_[i].str();
    }
    return out;
}

std::vector<std::string> VideoCodec::Args() const {
    std::vector<std::string> a = {"-c:v", "libx264", "-preset", preset};
    if (!tune.empty()) a.insert(a.end(), {"-tune", tune});
    a.insert(a.end(), {"-crf", std::to_string(crf)});
    if (maxrate_kbps > 0) {
        a.insert(a.end(), {"-maxrate", std::to_string(maxrate_kbps) + "k", "-bufsize",
                           std::to_string(maxrate_kbps * 2) + "k"});
    }
    a.insert(a.end(), {"-profile:v",
                       "high",
                       "-level:v",
                       "4.0",
                       "-pix_fmt",
                       "yuv420p",
                       "-r",
                       std::to_string(fps),
                       "-g",
                       std::to_string(gop),
                       "-keyint_min",
                       std::to_string(gop),
                       "-sc_threshold",
                       "0",
                       "-flags",
                       "+cgop",
                       "-force_key_frames",
                       "expr:gte(t,n_forced*" + std::to_string(segment_seconds) + ")",
                       "-x264-params",
                       "open-gop=0"});
    return a;
}

std::vector<std::string> AudioCodec::Args() const {
    std::vector<std::string> args = {"-c:a",       "aac",
                                     "-profile:a", "aac_low",
                                     "-b:a",       std::to_string(bitrate_kbps) + "k",
                                     "-ar",        std::to_string(sample_rate),
                                     "-ac",        std::to_string(channels)};
    if (fast_search) {
        args.emplace_back("-aac_coder");
        args.emplace_back("fast");
    }
    return args;
}

FfmpegCommand::FfmpegCommand(std::string binary) : binary_(std::move(binary)) {
    global_ = {"-hide_banner", "-nostdin", "-y", "-loglevel", "error"};
}

int FfmpegCommand::AddInput(std::string path, std::vector<std::string> options) {
    inputs_.insert(inputs_.end(), options.begin(), options.end());
    inputs_.push_back("-i");
    inputs_.push_back(std::move(path));
    return input_count_++;
}

FfmpegCommand& FfmpegCommand::Graph(const FilterGraph& graph) {
    graph_ = graph.str();
    return *this;
}

FfmpegCommand& FfmpegCommand::Map(std::string spec) {
    output_args_.push_back("-map");
    output_args_.push_back(std::move(spec));
    return *this;
}

FfmpegCommand& FfmpegCommand::Option(std::string key, std::string value) {
    output_args_.push_back(std::move(key));
    output_args_.push_back(std::move(value));
    return *this;
}

FfmpegCommand& FfmpegCommand::Flag(std::string flag) {
    output_args_.push_back(std::move(flag));
    return *this;
}

FfmpegCommand& FfmpegCommand::Options(const std::vector<std::string>& args) {
    output_args_.insert(output_args_.end(), args.begin(), args.end());
    return *this;
}

FfmpegCommand& FfmpegCommand::Output(std::string path) {
    output_ = std::move(path);
    return *this;
}

FfmpegCommand& FfmpegCommand::WithProgress() {
    global_.insert(global_.end(), {"-progress", "pipe:1", "-nostats"});
    return *this;
}

std::vector<std::string> FfmpegCommand::Argv() const {
    std::vector<std::string> argv = {binary_};
    argv.insert(argv.end(), global_.begin(), global_.end());
    argv.insert(argv.end(), inputs_.begin(), inputs_.end());
    if (!graph_.empty()) {
        argv.push_back("-filter_complex");
        argv.push_back(graph_);
    }
    argv.insert(argv.end(), output_args_.begin(), output_args_.end());
    if (!output_.empty()) argv.push_back(output_);
    return argv;
}

}  // namespace beacon::media
