#include "support/fake_media_runner.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

namespace beacon::testing {
namespace {

namespace fs = std::filesystem;
using core::Error;
using Json = nlohmann::json;

constexpr std::string_view kMagic = "BEACON-FAKE-MEDIA\n";
constexpr double kFps = 25.0;

struct Media {
    double duration = -1;  // seconds; < 0: unbounded (a lavfi source without a length)
    bool video = false;
    bool audio = false;
    bool image = false;  // one picture (a PNG or JPEG)
    int width = 0;
    int height = 0;
};

Json ToJson(const Media& m) {
    return {{"duration", m.duration}, {"video", m.video}, {"audio", m.audio},
            {"image", m.image},       {"width", m.width}, {"height", m.height}};
}

core::Status Write(const fs::path& p, const Media& m) {
    std::error_code ec;
    if (p.has_parent_path()) fs::create_directories(p.parent_path(), ec);
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << kMagic << ToJson(m).dump() << "\n";
    if (!out) return Error::Unavailable("fake ffmpeg: cannot write " + p.string());
    return {};
}

core::Result<Media> Read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Error::External("fake ffmpeg: " + path + ": No such file or directory");
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();
    if (text.rfind(kMagic, 0) != 0) {
        return Error::External("fake ffmpeg: " + path + " is not media the fake made");
    }
    Json j = Json::parse(text.substr(kMagic.size()), nullptr, false);
    if (j.is_discarded()) return Error::External("fake ffmpeg: " + path + " is corrupt");
    Media m;
    m.duration = j.value("duration", -1.0);
    m.video = j.value("video", false);
    m.audio = j.value("audio", false);
    m.image = j.value("image", false);
    m.width = j.value("width", 0);
    m.height = j.value("height", 0);
    return m;
}

/// ffmpeg options that take no value (the rest take exactly one).
bool IsFlag(const std::string& a) {
    static const std::set<std::string> flags = {"-y",
                                                "-n",
                                                "-nostdin",
                                                "-hide_banner",
                                                "-copyts",
                                                "-shortest",
                                                "-re",
                                                "-vn",
                                                "-an",
                                                "-sn",
                                                "-dn",
                                                "-nostats",
                                                "-stats",
                                                "-start_at_zero",
                                                "-accurate_seek",
                                                "-noaccurate_seek",
                                                "-xerror"};
    return flags.contains(a);
}

using Options = std::vector<std::pair<std::string, std::string>>;  // flag: value ""

std::optional<std::string> Opt(const Options& o, const std::string& name) {
    std::optional<std::string> v;
    for (const auto& [k, val] : o) {
        if (k == name) v = val;
    }
    return v;
}
bool Has(const Options& o, const std::string& name) { return Opt(o, name).has_value(); }

double Seconds(const std::string& s) { return std::strtod(s.c_str(), nullptr); }

/// "WxH" of a lavfi source's s=/size= parameter.
void SizeFrom(const std::string& spec, Media& m) {
    for (const char* key : {"s=", "size="}) {
        auto at = spec.find(key);
        if (at == std::string::npos) continue;
        at += std::string(key).size();
        m.width = std::atoi(spec.c_str() + at);
        auto x = spec.find('x', at);
        if (x != std::string::npos) m.height = std::atoi(spec.c_str() + x + 1);
        return;
    }
}

core::Result<Media> InputMedia(const std::string& url, const Options& o);

core::Result<Media> Sum(const std::vector<std::string>& parts) {
    Media total;
    total.duration = 0;
    for (const auto& p : parts) {
        BEACON_TRY(m, Read(p));
        if (m.duration < 0) return Error::External("fake ffmpeg: unbounded part " + p);
        total.duration += m.duration;
        total.video = total.video || m.video;
        total.audio = total.audio || m.audio;
        total.width = std::max(total.width, m.width);
        total.height = std::max(total.height, m.height);
    }
    return total;
}

core::Result<Media> InputMedia(const std::string& url, const Options& o) {
    Media m;
    const auto format = Opt(o, "-f");
    const std::string ext = fs::path(url).extension().string();
    if (format == "ffmetadata" || format == "webvtt" || ext == ".vtt" || ext == ".srt" ||
        ext == ".txt") {
        return m;  // chapters or captions: no picture or sound, no length of its own
    }
    if (format == "lavfi") {
        const bool audio = url.rfind("sine", 0) == 0 || url.rfind("anullsrc", 0) == 0 ||
                           url.rfind("aevalsrc", 0) == 0;
        m.audio = audio;
        m.video = !audio;
        SizeFrom(url, m);
        auto d = url.find("duration=");
        if (d == std::string::npos) d = url.find(":d=");
        if (d != std::string::npos) m.duration = Seconds(url.substr(url.find('=', d) + 1));
    } else if (format == "concat") {
        std::ifstream in(url);
        if (!in) return Error::External("fake ffmpeg: " + url + ": No such file or directory");
        std::vector<std::string> parts;
        std::string line;
        while (std::getline(in, line)) {
            if (line.rfind("file ", 0) != 0) continue;
            std::string p = line.substr(5);
            if (p.size() >= 2 && p.front() == '\'' && p.back() == '\'')
                p = p.substr(1, p.size() - 2);
            if (fs::path(p).is_relative()) p = (fs::path(url).parent_path() / p).string();
            parts.push_back(p);
        }
        BEACON_TRY(sum, Sum(parts));
        m = sum;
    } else if (url.rfind("concat:", 0) == 0) {
        std::vector<std::string> parts;
        std::stringstream ss(url.substr(7));
        std::string p;
        while (std::getline(ss, p, '|')) parts.push_back(p);
        BEACON_TRY(sum, Sum(parts));
        m = sum;
    } else if (format && *format != "mpegts" && *format != "mp4" && *format != "wav" &&
               *format != "image2") {
        return Error::External("fake ffmpeg: input format " + *format + " is not modelled");
    } else {
        BEACON_TRY(read, Read(url));
        m = read;
    }
    if (m.image && Has(o, "-loop")) {
        m.image = false;
        m.video = true;
        m.duration = -1;
    }
    if (Has(o, "-stream_loop")) m.duration = -1;
    if (auto ss = Opt(o, "-ss"); ss && m.duration >= 0) {
        m.duration = std::max(0.0, m.duration - Seconds(*ss));
    }
    if (auto t = Opt(o, "-t")) {
        const double t_s = Seconds(*t);
        m.duration = m.duration < 0 ? t_s : std::min(m.duration, t_s);
    }
    return m;
}

/// Frames per second of an output: its -r, else the house rate.
double Fps(const Options& o) {
    auto r = Opt(o, "-r");
    return r && Seconds(*r) > 0 ? Seconds(*r) : kFps;
}

/// The frame count of a graph whose last picture filter is a frame-exact trim
/// (trim=start_frame=A:end_frame=B): how the final's pieces are cut.
std::optional<long long> GraphFrames(const std::string& graph) {
    const auto at = graph.rfind("trim=start_frame=");
    if (at == std::string::npos) return std::nullopt;
    const auto end = graph.find("end_frame=", at);
    if (end == std::string::npos) return std::nullopt;
    const long long a = std::atoll(graph.c_str() + at + 17);
    const long long b = std::atoll(graph.c_str() + end + 10);
    return b > a ? std::optional(b - a) : std::nullopt;
}

struct Output {
    std::string url;
    Options options;
};

struct Command {
    std::vector<std::pair<std::string, Options>> inputs;
    std::vector<Output> outputs;
    std::string graph;  // -filter_complex
};

core::Result<Command> ParseFfmpeg(const std::vector<std::string>& argv) {
    Command c;
    Options pending;
    for (std::size_t i = 1; i < argv.size(); ++i) {
        const std::string& a = argv[i];
        if (a == "-i") {
            if (i + 1 >= argv.size()) return Error::External("fake ffmpeg: -i without a file");
            c.inputs.emplace_back(argv[++i], pending);
            pending.clear();
        } else if (a.size() > 1 && a[0] == '-') {
            if (IsFlag(a)) {
                pending.emplace_back(a, "");
            } else {
                if (i + 1 >= argv.size())
                    return Error::External("fake ffmpeg: " + a + " without a value");
                pending.emplace_back(a, argv[++i]);
                if (a == "-filter_complex") c.graph = argv[i];
            }
        } else {
            c.outputs.push_back({a, pending});
            pending.clear();
        }
    }
    if (c.outputs.empty()) return Error::External("fake ffmpeg: no output file");
    return c;
}

/// The lines of -f hls output: segments of hls_time under the pattern, and the playlist.
core::Status WriteHls(const Output& out, const Media& m) {
    const double seg = Seconds(Opt(out.options, "-hls_time").value_or("2"));
    const std::string pattern =
        Opt(out.options, "-hls_segment_filename")
            .value_or((fs::path(out.url).parent_path() / "seg_%05d.ts").string());
    if (m.duration <= 0) return Error::External("fake ffmpeg: hls output of no length");
    std::string m3u8 = "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:" +
                       std::to_string(static_cast<int>(std::ceil(seg))) +
                       "\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n"
                       "#EXT-X-INDEPENDENT-SEGMENTS\n";
    double left = m.duration;
    for (int n = 0; left > 1e-6; ++n) {
        char name[512];
        std::snprintf(name, sizeof name, pattern.c_str(), n);
        Media part = m;
        part.duration = std::min(seg, left);
        left -= part.duration;
        BEACON_CHECK(Write(name, part));
        char inf[64];
        std::snprintf(inf, sizeof inf, "#EXTINF:%.6f,\n", part.duration);
        m3u8 += inf + fs::path(name).filename().string() + "\n";
    }
    m3u8 += "#EXT-X-ENDLIST\n";
    std::ofstream f(out.url, std::ios::trunc);
    f << m3u8;
    if (!f) return Error::Unavailable("fake ffmpeg: cannot write " + out.url);
    return {};
}

core::Result<core::RunOutput> Ffmpeg(const std::vector<std::string>& argv,
                                     const core::RunOptions& opts) {
    BEACON_TRY(cmd, ParseFfmpeg(argv));
    std::vector<Media> inputs;
    for (const auto& [url, o] : cmd.inputs) {
        BEACON_TRY(m, InputMedia(url, o));
        inputs.push_back(m);
    }
    core::RunOutput result;
    for (const auto& out : cmd.outputs) {
        Media m;
        // Streams: from the inputs (a filter graph with an audio source counts as audio).
        for (const auto& in : inputs) {
            m.video = m.video || in.video || in.image;
            m.audio = m.audio || in.audio;
            m.width = std::max(m.width, in.width);
            m.height = std::max(m.height, in.height);
        }
        for (const auto& a : argv) {
            if (a.find("anullsrc") != std::string::npos || a.find("amix") != std::string::npos)
                m.audio = true;
        }
        if (Has(out.options, "-vn")) m.video = false;
        if (Has(out.options, "-an")) m.audio = false;
        if (auto vf = Opt(out.options, "-vf")) {
            auto scale = vf->find("scale=");
            if (scale != std::string::npos) m.width = std::atoi(vf->c_str() + scale + 6);
        }
        if (auto s = Opt(out.options, "-s")) SizeFrom("s=" + *s, m);
        const auto frames = Opt(out.options, "-frames:v");
        if (frames == "1") {
            m.image = true;
            m.video = false;
            m.audio = false;
            m.duration = 0;
        } else if (auto t = Opt(out.options, "-t")) {
            m.duration = Seconds(*t);
        } else if (frames) {
            m.duration = Seconds(*frames) / Fps(out.options);
        } else if (auto cut = GraphFrames(cmd.graph)) {
            m.duration = static_cast<double>(*cut) / Fps(out.options);
        } else {
            double shortest = -1, longest = -1;
            for (const auto& in : inputs) {
                if (in.duration < 0 || in.image || !(in.video || in.audio)) continue;
                shortest = shortest < 0 ? in.duration : std::min(shortest, in.duration);
                longest = std::max(longest, in.duration);
            }
            m.duration = Has(out.options, "-shortest") ? shortest : longest;
            if (m.duration < 0) {
                return Error::External("fake ffmpeg: output " + out.url + " would never end");
            }
        }
        const auto format = Opt(out.options, "-f");
        for (const auto& a : argv) {
            if (a.find("loudnorm") != std::string::npos &&
                a.find("print_format=json") != std::string::npos) {
                result.stderr_tail +=
                    "[Parsed_loudnorm_0 @ 0x0] \n{\n\t\"input_i\" : \"-20.00\",\n\t\"input_tp\" : "
                    "\"-3.00\",\n\t\"input_lra\" : \"4.00\",\n\t\"input_thresh\" : "
                    "\"-30.00\",\n\t\"output_i\" : \"-16.00\",\n\t\"output_tp\" : "
                    "\"-1.50\",\n\t\"output_lra\" : \"4.00\",\n\t\"output_thresh\" : "
                    "\"-26.00\",\n\t\"normalization_type\" : \"dynamic\",\n\t\"target_offset\" "
                    ": \"0.00\"\n}\n";
                break;
            }
        }
        if (format == "null" || out.url == "-" || out.url.rfind("pipe:", 0) == 0) continue;
        if (format == "hls") {
            BEACON_CHECK(WriteHls(out, m));
        } else if (format && *format != "mp4" && *format != "mpegts" && *format != "wav" &&
                   *format != "image2" && *format != "webvtt" && *format != "ipod") {
            return Error::External("fake ffmpeg: output format " + *format + " is not modelled");
        } else {
            BEACON_CHECK(Write(out.url, m));
        }
        if (opts.on_progress && m.duration > 0) opts.on_progress(m.duration);
    }
    return result;
}

std::string Fixed6(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6f", v);
    return buf;
}

core::Result<core::RunOutput> Ffprobe(const std::vector<std::string>& argv, double keyframe_s) {
    const std::string& file = argv.back();
    BEACON_TRY(m, Read(file));
    core::RunOutput out;
    // -select_streams is ignored: a descriptor's streams share one timeline.
    std::string entries, writer;
    for (std::size_t i = 1; i + 1 < argv.size(); ++i) {
        if (argv[i] == "-show_entries") entries = argv[i + 1];
        if (argv[i] == "-of" || argv[i] == "-print_format") writer = argv[i + 1];
    }
    const double d = std::max(0.0, m.duration);
    Json streams = Json::array();
    if (m.video || m.image) {
        streams.push_back({{"index", 0},
                           {"codec_type", "video"},
                           {"codec_name", m.image ? "mjpeg" : "h264"},
                           {"profile", "High"},
                           {"pix_fmt", "yuv420p"},
                           {"level", 31},
                           {"width", m.width},
                           {"height", m.height},
                           {"r_frame_rate", "25/1"},
                           {"start_time", "0.000000"},
                           {"duration", Fixed6(d)},
                           {"nb_frames", std::to_string(std::llround(d * kFps))},
                           {"tags", Json::object()}});
    }
    if (m.audio) {
        streams.push_back({{"index", static_cast<int>(streams.size())},
                           {"codec_type", "audio"},
                           {"codec_name", "aac"},
                           {"sample_rate", "48000"},
                           {"channels", 2},
                           {"start_time", "0.000000"},
                           {"duration", Fixed6(d)},
                           {"tags", {{"language", "eng"}}}});
    }
    if (entries == "packet=pts_time") {
        out.stdout_text = "0.000000\n";
    } else if (entries == "frame=pts_time") {
        Json frames = Json::array();
        for (double t = 0; t < d - 1e-6; t += keyframe_s)
            frames.push_back({{"pts_time", Fixed6(t)}});
        out.stdout_text = Json{{"frames", frames}}.dump();
    } else if (entries == "stream=nb_read_packets") {
        out.stdout_text = std::to_string(std::llround(d * kFps)) + "\n";
    } else if (writer == "json") {
        Json j = {{"streams", streams},
                  {"chapters", Json::array()},
                  {"format",
                   {{"format_name", m.image ? "image2" : "mov,mp4,m4a,3gp,3g2,mj2"},
                    {"duration", Fixed6(d)},
                    {"start_time", "0.000000"}}}};
        out.stdout_text = j.dump();
    } else {
        return Error::External("fake ffprobe: -show_entries " + entries + " -of " + writer +
                               " is not modelled");
    }
    return out;
}

}  // namespace

bool ArgvHas(const std::vector<std::string>& argv, const std::string& needle) {
    return std::any_of(argv.begin(), argv.end(),
                       [&](const std::string& a) { return a.find(needle) != std::string::npos; });
}

core::Result<core::RunOutput> FakeMediaRunner::Run(const std::vector<std::string>& argv,
                                                   const core::RunOptions& opts) {
    if (argv.empty()) return Error::Invalid("RunProcess: empty argv");
    const std::string tool = fs::path(argv[0]).filename().string();
    if (opts.on_command) opts.on_command(core::ShellQuote(argv));
    if (opts.stop.stop_requested()) return Error::Canceled(tool + ": canceled before start");
    std::optional<std::string> fail;
    bool hold = false;
    {
        std::lock_guard lock(mu_);
        commands_.push_back(argv);
        for (auto it = failures_.rbegin(); it != failures_.rend() && !fail; ++it) {
            if (it->match(argv)) fail = it->stderr_text;
        }
        for (const auto& h : holds_) hold = hold || h(argv);
    }
    const int now = ++running_;
    int seen = max_running_.load();
    while (now > seen && !max_running_.compare_exchange_weak(seen, now)) {
    }
    struct Done {
        std::atomic<int>& running;
        ~Done() { --running; }
    } done{running_};
    if (hold) {
        std::unique_lock lock(mu_);
        const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (!released_ && !opts.stop.stop_requested() &&
               std::chrono::steady_clock::now() < until) {
            released_cv_.wait_for(lock, std::chrono::milliseconds(5));
        }
    }
    if (opts.stop.stop_requested()) return Error::Canceled(tool + ": canceled");
    if (fail) {
        return Error::External(tool + " exited with status 1: " + *fail);
    }
    if (tool.find("ffprobe") != std::string::npos) return Ffprobe(argv, keyframe_seconds);
    if (tool.find("ffmpeg") != std::string::npos) return Ffmpeg(argv, opts);
    return Error::Unavailable("fake runner: " + tool + " is not modelled");
}

void FakeMediaRunner::FailWhen(std::function<bool(const std::vector<std::string>&)> match,
                               std::string stderr_text) {
    std::lock_guard lock(mu_);
    failures_.push_back({std::move(match), std::move(stderr_text)});
}

void FakeMediaRunner::HoldWhen(std::function<bool(const std::vector<std::string>&)> match) {
    std::lock_guard lock(mu_);
    holds_.push_back(std::move(match));
    released_ = false;
}

void FakeMediaRunner::Release() {
    {
        std::lock_guard lock(mu_);
        released_ = true;
    }
    released_cv_.notify_all();
}

std::vector<std::vector<std::string>> FakeMediaRunner::Commands() const {
    std::lock_guard lock(mu_);
    return commands_;
}

int FakeMediaRunner::Count(const std::string& needle) const {
    std::lock_guard lock(mu_);
    return static_cast<int>(std::count_if(commands_.begin(), commands_.end(),
                                          [&](const auto& argv) { return ArgvHas(argv, needle); }));
}

}  // namespace beacon::testing
