#include "media/chunked.hpp"

#include <algorithm>
#include <filesystem>

namespace beacon::media {
namespace {

using core::Error;

struct Span {
    long long begin = 0;  // first frame on the timeline
    long long end = 0;    // one past the last
};

/// Where scene i's clip lies on the timeline: its own frames plus half a crossfade on each
/// side that has a neighbour (as BuildFinalCommand lays the clips out).
Span ClipSpan(const Timeline& t, std::size_t i) {
    const long long half = t.transition_frames / 2;
    const std::size_t n = t.frames.size();
    return {t.start_frame[i] - (i > 0 ? half : 0),
            t.start_frame[i] + t.frames[i] + (i + 1 < n ? half : 0)};
}

/// The frames a piece [a, b) must draw: widened so that no crossfade is cut in two (a
/// crossfade is drawn whole and the piece's frames are trimmed out of it afterwards).
Span WindowFor(const Timeline& t, long long a, long long b) {
    Span w{a, b};
    const long long half = t.transition_frames / 2;
    if (half <= 0) return w;
    for (std::size_t i = 1; i < t.start_frame.size(); ++i) {
        const long long ts = t.start_frame[i] - half;
        const long long te = t.start_frame[i] + half;
        if (ts < a && a < te) w.begin = ts;
        if (ts < b && b < te) w.end = te;
    }
    return w;
}

bool Overlaps(const Span& s, const Span& w) { return s.begin < w.end && s.end > w.begin; }

std::string Frames(long long frames, int fps) { return Secs(static_cast<double>(frames) / fps); }

}  // namespace

std::vector<VideoChunk> PlanChunks(const Timeline& t, int gop_frames) {
    std::vector<VideoChunk> out;
    if (gop_frames <= 0 || t.frames.empty()) return out;
    for (long long a = 0; a < t.total_frames; a += gop_frames) {
        VideoChunk c;
        c.index = static_cast<int>(out.size());
        c.first_frame = a;
        c.frames = std::min<long long>(gop_frames, t.total_frames - a);
        const Span w = WindowFor(t, a, a + c.frames);
        for (std::size_t i = 0; i < t.frames.size(); ++i) {
            if (Overlaps(ClipSpan(t, i), w)) c.scenes.push_back(i);
        }
        out.push_back(std::move(c));
    }
    return out;
}

core::Result<FfmpegCommand> BuildChunkCommand(const MediaOptions& opts,
                                              const std::vector<SceneMedia>& scenes,
                                              const Timeline& t, const VideoChunk& chunk,
                                              FrameSize size, const std::string& out_mp4) {
    if (t.frames.size() != scenes.size() || t.start_frame.size() != scenes.size()) {
        return Error::Internal("media: timeline/scene mismatch");
    }
    if (chunk.frames <= 0 || chunk.first_frame < 0 ||
        chunk.first_frame + chunk.frames > t.total_frames) {
        return Error::Invalid("media: piece outside the timeline");
    }
    const Span w = WindowFor(t, chunk.first_frame, chunk.first_frame + chunk.frames);
    FfmpegCommand cmd(opts.ffmpeg);
    cmd.WithProgress();
    FilterGraph g;
    std::vector<std::string> clips;
    std::vector<long long> clip_begin;  // where each clip starts within the window
    for (std::size_t i = 0; i < scenes.size(); ++i) {
        const Span span = ClipSpan(t, i);
        if (!Overlaps(span, w)) continue;
        const SceneMedia& s = scenes[i];
        if (s.picture.empty() && s.layers.size() < 2) {
            return Error::Invalid("media: scene " + std::to_string(i + 1) + " has no picture");
        }
        int first = -1;
        const std::vector<std::string> fr = {"-framerate", std::to_string(opts.fps)};
        if (s.layers.size() >= 2) {
            for (const auto& layer : s.layers) {
                int idx = cmd.AddInput(layer, fr);
                if (first < 0) first = idx;
            }
        } else {
            first = cmd.AddInput(s.picture, fr);
        }
        const long long from = std::max(span.begin, w.begin);
        const long long to = std::min(span.end, w.end);
        const std::string label = "c" + std::to_string(i);
        for (auto& c : SceneVideoChains(s, first, span.end - span.begin, opts.fps, size, label,
                                        from - span.begin, to - from)) {
            g.Add(std::move(c));
        }
        clips.push_back(label);
        clip_begin.push_back(from - w.begin);
    }
    if (clips.empty()) return Error::Internal("media: a piece with no scene");
    std::string acc = clips[0];
    if (clips.size() > 1 && t.transition_frames > 0) {
        // Every crossfade lies wholly inside the window, so each starts where its second clip
        // does, as in the whole encode.
        for (std::size_t i = 1; i < clips.size(); ++i) {
            std::string o = "x" + std::to_string(i);
            g.Add({{acc, clips[i]},
                   {Filter("xfade")
                        .Set("transition", "fade")
                        .Set("duration", Frames(t.transition_frames, opts.fps))
                        .Set("offset", Frames(clip_begin[i], opts.fps))
                        .str()},
                   {o}});
            acc = o;
        }
    } else if (clips.size() > 1) {
        g.Add({clips,
               {Filter("concat")
                    .Set("n", static_cast<int>(clips.size()))
                    .Set("v", 1)
                    .Set("a", 0)
                    .str()},
               {"xcat"}});
        acc = "xcat";
    }
    const long long trim_from = chunk.first_frame - w.begin;
    g.Add({{acc},
           {Filter("trim")
                .Set("start_frame", std::to_string(trim_from))
                .Set("end_frame", std::to_string(trim_from + chunk.frames))
                .str(),
            "setpts=PTS-STARTPTS", "format=yuv420p"},
           {"vout"}});

    VideoCodec vc;
    vc.preset = "veryfast";
    vc.crf = opts.crf;
    vc.fps = opts.fps;
    vc.gop = GopFrames(opts);
    vc.segment_seconds = opts.segment_seconds;
    cmd.Graph(g).Map("[vout]").Options(vc.Args()).Output(out_mp4);
    return cmd;
}

std::string ConcatList(const std::vector<std::string>& files) {
    std::string out = "ffconcat version 1.0\n";
    for (const auto& f : files) {
        // ffmpeg resolves a relative entry against the list's own folder, not the working
        // directory: every entry is made absolute (a relative --data folder is common).
        std::error_code ec;
        const std::string path = std::filesystem::absolute(f, ec).lexically_normal().string();
        std::string quoted;
        for (char c : ec ? f : path) {
            if (c == '\'') {
                quoted += "'\\''";
            } else {
                quoted += c;
            }
        }
        out += "file '" + quoted + "'\n";
    }
    return out;
}

FfmpegCommand BuildStitchCommand(const MediaOptions& opts, const std::string& concat_list,
                                 const Timeline& t, const std::string& narration_wav,
                                 const std::optional<Loudness>& measured,
                                 const std::string& out_mp4) {
    FfmpegCommand cmd(opts.ffmpeg);
    cmd.WithProgress();
    const int video = cmd.AddInput(concat_list, {"-f", "concat", "-safe", "0"});
    const int narr = cmd.AddInput(narration_wav);
    FilterGraph g;
    g.Add({{std::to_string(narr) + ":a"}, FinalAudioFilters(opts, t, measured), {"aout"}});
    AudioCodec ac;
    ac.bitrate_kbps = opts.audio_bitrate_kbps;
    cmd.Graph(g)
        .Map(std::to_string(video) + ":v:0")
        .Map("[aout]")
        .Option("-c:v", "copy")
        .Options(ac.Args())
        .Option("-movflags", "+faststart")
        .Output(out_mp4);
    return cmd;
}

}  // namespace beacon::media
