#include "media/assembly.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>

namespace beacon::media {
namespace {

using core::Error;

std::string Num(long long v) { return std::to_string(v); }

std::string Frames(long long frames, int fps) { return Secs(static_cast<double>(frames) / fps); }

}  // namespace

core::Result<Timeline> PlanTimeline(const std::vector<SceneMedia>& scenes, double duration_target,
                                    int fps, double transition_seconds) {
    if (scenes.empty()) return Error::Invalid("media: a video needs at least one scene");
    if (!(duration_target > 0) || duration_target > 24 * 3600) {
        return Error::Invalid("media: duration_target must be positive");
    }
    if (fps <= 0 || fps > 120) return Error::Invalid("media: fps must be 1..120");
    Timeline t;
    t.fps = fps;
    t.total_frames = std::max<long long>(1, std::llround(duration_target * fps));
    const long long n = static_cast<long long>(scenes.size());
    if (t.total_frames < n) {
        return Error::Invalid("media: " + Secs(duration_target) + " s is too short for " + Num(n) +
                              " scenes");
    }
    double nominal = 0;
    for (const auto& s : scenes) nominal += std::max(0.01, s.duration);
    double cum = 0;
    long long prev = 0;
    for (std::size_t i = 0; i < scenes.size(); ++i) {
        cum += std::max(0.01, scenes[i].duration);
        long long boundary =
            i + 1 == scenes.size()
                ? t.total_frames
                : std::llround(cum / nominal * static_cast<double>(t.total_frames));
        // Every scene keeps at least one frame, and leaves one for each scene after it.
        long long remaining = n - static_cast<long long>(i) - 1;
        boundary = std::clamp(boundary, prev + 1, t.total_frames - remaining);
        t.start_frame.push_back(prev);
        t.frames.push_back(boundary - prev);
        prev = boundary;
    }
    long long tf = scenes.size() > 1 ? std::llround(transition_seconds * fps) : 0;
    for (long long f : t.frames) tf = std::min(tf, f);
    tf -= tf % 2;
    t.transition_frames = static_cast<int>(std::max<long long>(0, tf));
    // Narration starts a little into its scene, but never over the previous scene's voice.
    double previous_end = 0;
    for (std::size_t i = 0; i < scenes.size(); ++i) {
        double slot = static_cast<double>(t.frames[i]) / fps;
        double lead = std::clamp((slot - scenes[i].voice_duration) / 2.0, 0.0, 0.3);
        double offset = t.start(i) + lead;
        if (i > 0 && previous_end > 0) offset = std::max(offset, previous_end + kVoiceGap);
        t.voice_offset.push_back(offset);
        if (!scenes[i].voice.empty() || scenes[i].voice_duration > 0) {
            previous_end = offset + scenes[i].voice_duration;
        }
    }
    return t;
}

std::vector<Word> TimelineWords(const std::vector<SceneMedia>& scenes, const Timeline& t) {
    std::vector<Word> out;
    const double end = t.duration();
    for (std::size_t i = 0; i < scenes.size() && i < t.voice_offset.size(); ++i) {
        for (const auto& w : scenes[i].words) {
            Word g{w.text, w.start + t.voice_offset[i], w.end + t.voice_offset[i]};
            if (g.start >= end) continue;
            g.end = std::min(g.end, end);
            out.push_back(std::move(g));
        }
    }
    return out;
}

std::vector<Chapter> TimelineChapters(const std::vector<SceneMedia>& scenes, const Timeline& t) {
    std::vector<Chapter> out;
    for (std::size_t i = 0; i < scenes.size() && i < t.frames.size(); ++i) {
        std::string title =
            scenes[i].title.empty() ? "Scene " + std::to_string(i + 1) : scenes[i].title;
        out.push_back({t.start(i), t.end(i), title});
    }
    return out;
}

core::Result<std::vector<std::string>> PreviewPictures(const std::vector<SceneMedia>& scenes) {
    std::vector<std::string> out(scenes.size());
    std::string last;
    for (std::size_t i = 0; i < scenes.size(); ++i) {
        if (!scenes[i].picture.empty()) last = scenes[i].picture;
        out[i] = last;
    }
    std::string next;
    for (std::size_t i = scenes.size(); i-- > 0;) {
        if (!scenes[i].picture.empty()) next = scenes[i].picture;
        if (out[i].empty()) out[i] = next;
    }
    if (out.empty() || out[0].empty()) {
        return Error::Invalid("media: no scene has a picture yet; the preview needs one");
    }
    return out;
}

std::vector<Chain> SceneVideoChains(const SceneMedia& scene, int first_input, long long clip_frames,
                                    int fps, FrameSize size, const std::string& out_label,
                                    long long first_frame, long long count) {
    const int w = size.width;
    const int h = size.height;
    const long long last = std::max<long long>(1, clip_frames - 1);
    first_frame = std::clamp<long long>(first_frame, 0, clip_frames - 1);
    const long long out_frames =
        count < 0 ? clip_frames - first_frame : std::min(count, clip_frames - first_frame);
    // Frame numbers of the whole clip: a piece of it moves exactly as the whole would.
    const std::string n_in_clip = first_frame > 0 ? "(n+" + Num(first_frame) + ")" : "n";
    const std::string on_in_clip = first_frame > 0 ? "(on+" + Num(first_frame) + ")" : "on";
    const std::string loop =
        Filter("loop").Set("loop", Num(out_frames - 1)).Set("size", 1).Set("start", 0).str();
    const std::string setpts = "setpts=N/(" + std::to_string(fps) + "*TB)";
    auto cover = [](int cw, int ch) {
        return std::vector<std::string>{Filter("scale")
                                            .Set("w", cw)
                                            .Set("h", ch)
                                            .Set("force_original_aspect_ratio", "increase")
                                            .str(),
                                        Filter("crop").Set("w", cw).Set("h", ch).str()};
    };
    auto even = [](double v) { return static_cast<int>(std::ceil(v / 2.0)) * 2; };
    const bool leftwards = scene.camera == "pan_left";
    auto moving_x = [&](const std::string& frac) {
        return leftwards ? "(iw-ow)*(1-" + frac + ")" : "(iw-ow)*" + frac;
    };
    const std::string frac = n_in_clip + "/" + Num(last);
    std::vector<Chain> chains;

    if (scene.layers.size() >= 2) {
        const std::size_t m = scene.layers.size();
        std::string acc;
        for (std::size_t j = 0; j < m; ++j) {
            // Layers keep their own width (a painter makes depth layers wider than the frame)
            // at the frame's height; each slides across its spare width, back layers slower.
            // A layer as wide as the frame (e.g. typography) stays put.
            char speed[32];
            std::snprintf(speed, sizeof speed, "%.3f",
                          0.35 + 0.65 * static_cast<double>(j) / static_cast<double>(m - 1));
            const std::string sw = std::to_string(w);
            const std::string sh = std::to_string(h);
            std::vector<std::string> fl = {
                Filter("scale")
                    .Set("w", "max(" + sw + ",2*ceil(iw*" + sh + "/ih/2))")
                    .Set("h", "max(" + sh + ",2*ceil(ih*" + sw + "/iw/2))")
                    .str()};
            // Convert once, before the loop, not per frame in overlay.
            fl.push_back(j == 0 ? "format=yuv420p" : "format=yuva420p");
            fl.push_back(loop);
            fl.push_back(setpts);
            const std::string dir = leftwards ? "-" : "+";
            fl.push_back(
                Filter("crop")
                    .Set("w", w)
                    .Set("h", h)
                    .Set("x", "(iw-ow)/2" + dir + "(iw-ow)/2*" + speed + "*(2*" + frac + "-1)")
                    .Set("y", "(ih-oh)/2")
                    .Set("exact", 1)
                    .str());
            std::string label = out_label + "_l" + std::to_string(j);
            chains.push_back(
                {{std::to_string(first_input + static_cast<int>(j)) + ":v"}, fl, {label}});
            if (j == 0) {
                acc = label;
            } else {
                std::string o = out_label + "_o" + std::to_string(j);
                chains.push_back(
                    {{acc, label},
                     {Filter("overlay").Set("x", 0).Set("y", 0).Set("format", "yuv420").str()},
                     {o}});
                acc = o;
            }
        }
        chains.push_back({{acc}, {"setsar=1", "format=yuv420p"}, {out_label}});
        return chains;
    }

    std::vector<std::string> fl;
    const std::string in = std::to_string(first_input) + ":v";
    if (scene.camera == "zoom_in" || scene.camera == "zoom_out") {
        // zoompan crops on whole pixels: a 1.5x source gives 2/3-px steps (smooth enough) at a
        // third of the cost of 2x (measured: 0.68 s vs 2.15 s per 100 frames at 1080p).
        fl = cover(even(w * 1.5), even(h * 1.5));
        fl.push_back("format=yuv420p");
        std::string z = scene.camera == "zoom_in" ? "1+0.12*" + on_in_clip + "/" + Num(last)
                                                  : "1.12-0.12*" + on_in_clip + "/" + Num(last);
        fl.push_back(Filter("zoompan")
                         .Set("z", z)
                         .Set("x", "iw/2-(iw/zoom/2)")
                         .Set("y", "ih/2-(ih/zoom/2)")
                         .Set("d", Num(out_frames))
                         .Set("s", std::to_string(w) + "x" + std::to_string(h))
                         .Set("fps", fps)
                         .str());
        fl.push_back(setpts);
    } else if (scene.camera == "pan_left" || scene.camera == "pan_right" ||
               scene.camera == "slow_pan") {
        double f = scene.camera == "slow_pan" ? 1.08 : 1.15;
        fl = cover(even(w * f), even(h * f));
        fl.push_back("format=yuv420p");
        fl.push_back(loop);
        fl.push_back(setpts);
        fl.push_back(Filter("crop")
                         .Set("w", w)
                         .Set("h", h)
                         .Set("x", moving_x(frac))
                         .Set("y", scene.camera == "slow_pan" ? "(ih-oh)*(0.25+0.5*" + frac + ")"
                                                              : std::string("(ih-oh)/2"))
                         .Set("exact", 1)
                         .str());
    } else {
        fl = cover(w, h);
        fl.push_back("format=yuv420p");
        fl.push_back(loop);
        fl.push_back(setpts);
    }
    fl.push_back("setsar=1");
    chains.push_back({{in}, fl, {out_label}});
    return chains;
}

namespace {

/// Adds voice inputs and the chains that mix them into `out_label` (exactly t's length).
void AddNarration(FfmpegCommand& cmd, FilterGraph& g, const std::vector<SceneMedia>& scenes,
                  const Timeline& t, const std::string& out_label) {
    const long long samples = t.total_samples();
    std::vector<std::string> mix = {"sil"};
    g.Add({{},
           {Filter("anullsrc").Set("r", 48000).Set("cl", "stereo").str(),
            Filter("atrim").Set("end_sample", Num(samples)).str()},
           {"sil"}});
    for (std::size_t i = 0; i < scenes.size(); ++i) {
        if (scenes[i].voice.empty()) continue;
        int idx = cmd.AddInput(scenes[i].voice);
        long long delay = std::llround(t.voice_offset[i] * 48000.0);
        std::string label = "voice" + std::to_string(i);
        g.Add({{std::to_string(idx) + ":a"},
               {"aresample=48000",
                Filter("aformat").Set("sample_fmts", "fltp").Set("channel_layouts", "stereo").str(),
                Filter("adelay").Set("delays", Num(delay) + "S").Set("all", 1).str()},
               {label}});
        mix.push_back(label);
    }
    g.Add({mix,
           {Filter("amix")
                .Set("inputs", static_cast<int>(mix.size()))
                .Set("duration", "first")
                .Set("normalize", 0)
                .str(),
            Filter("apad").Set("whole_len", Num(samples)).str(),
            Filter("atrim").Set("end_sample", Num(samples)).str(), "asetpts=N/SR/TB"},
           {out_label}});
}

}  // namespace

core::Result<FfmpegCommand> BuildPreviewCommand(const MediaOptions& opts,
                                                const std::vector<SceneMedia>& scenes,
                                                const Timeline& t, const std::string& out_mp4) {
    BEACON_TRY(pictures, PreviewPictures(scenes));
    if (t.frames.size() != scenes.size()) return Error::Internal("media: timeline/scene mismatch");
    FfmpegCommand cmd(opts.ffmpeg);
    cmd.WithProgress();
    FilterGraph g;
    const FrameSize size = SizeForHeight(opts.preview_height);
    std::map<std::string, int> input_of;
    std::vector<std::string> parts;
    for (std::size_t i = 0; i < scenes.size(); ++i) {
        SceneMedia still;
        still.camera = "static";
        int idx = cmd.AddInput(pictures[i], {"-framerate", std::to_string(t.fps)});
        std::string label = "s" + std::to_string(i);
        for (auto& c : SceneVideoChains(still, idx, t.frames[i], t.fps, size, label)) {
            g.Add(std::move(c));
        }
        parts.push_back(label);
    }
    std::string vout = parts[0];
    if (parts.size() > 1) {
        g.Add({parts,
               {Filter("concat")
                    .Set("n", static_cast<int>(parts.size()))
                    .Set("v", 1)
                    .Set("a", 0)
                    .str()},
               {"vout"}});
        vout = "vout";
    }
    AddNarration(cmd, g, scenes, t, "aout");
    VideoCodec vc;
    vc.preset = "ultrafast";
    vc.tune = "stillimage";
    vc.crf = 30;
    vc.maxrate_kbps = 900;
    vc.fps = t.fps;
    vc.gop = t.fps * opts.segment_seconds;
    vc.segment_seconds = opts.segment_seconds;
    AudioCodec ac;
    ac.bitrate_kbps = 96;
    ac.fast_search = true;  // a third of the default search's CPU: the preview comes sooner
    cmd.Graph(g)
        .Map("[" + vout + "]")
        .Map("[aout]")
        .Options(vc.Args())
        .Options(ac.Args())
        .Option("-frames:v", Num(t.total_frames))
        .Option("-movflags", "+faststart")
        .Output(out_mp4);
    return cmd;
}

FfmpegCommand BuildNarrationCommand(const MediaOptions& opts, const std::vector<SceneMedia>& scenes,
                                    const Timeline& t, const std::string& out_wav) {
    FfmpegCommand cmd(opts.ffmpeg);
    cmd.WithProgress();
    FilterGraph g;
    AddNarration(cmd, g, scenes, t, "aout");
    cmd.Graph(g)
        .Map("[aout]")
        .Option("-c:a", "pcm_s16le")
        .Option("-ar", "48000")
        .Option("-ac", "2")
        .Output(out_wav);
    return cmd;
}

std::vector<std::string> FinalAudioFilters(const MediaOptions& opts, const Timeline& t,
                                           const std::optional<Loudness>& measured) {
    const long long samples = t.total_samples();
    std::vector<std::string> af;
    if (measured) {
        const Loudness& m = *measured;
        auto clamp = [](double v, double lo, double hi) {
            return std::isfinite(v) ? std::clamp(v, lo, hi) : lo;
        };
        af.push_back(Filter("loudnorm")
                         .Set("I", opts.loudness_lufs)
                         .Set("TP", opts.true_peak_db)
                         .Set("LRA", 11)
                         .Set("measured_I", clamp(m.integrated_lufs, -99, 0))
                         .Set("measured_TP", clamp(m.true_peak_db, -99, 99))
                         .Set("measured_LRA", clamp(m.lra, 0, 99))
                         .Set("measured_thresh", clamp(m.threshold, -99, 0))
                         .Set("offset", clamp(m.target_offset, -99, 99))
                         .Set("linear", "true")
                         .str());
    }
    af.push_back("aresample=48000");
    af.push_back(Filter("apad").Set("whole_len", Num(samples)).str());
    af.push_back(Filter("atrim").Set("end_sample", Num(samples)).str());
    af.push_back("asetpts=N/SR/TB");
    return af;
}

core::Result<FfmpegCommand> BuildFinalCommand(const MediaOptions& opts,
                                              const std::vector<SceneMedia>& scenes,
                                              const Timeline& t, const FinalSpec& spec) {
    if (t.frames.size() != scenes.size()) return Error::Internal("media: timeline/scene mismatch");
    FfmpegCommand cmd(opts.ffmpeg);
    cmd.WithProgress();
    FilterGraph g;
    const long long half = t.transition_frames / 2;
    std::vector<std::string> clips;
    for (std::size_t i = 0; i < scenes.size(); ++i) {
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
        long long clip = t.frames[i] + (i > 0 ? half : 0) + (i + 1 < scenes.size() ? half : 0);
        std::string label = "c" + std::to_string(i);
        for (auto& c : SceneVideoChains(s, first, clip, opts.fps, spec.size, label)) {
            g.Add(std::move(c));
        }
        clips.push_back(label);
    }
    std::string acc = clips[0];
    if (clips.size() > 1 && t.transition_frames > 0) {
        for (std::size_t i = 1; i < clips.size(); ++i) {
            std::string o = "x" + std::to_string(i);
            g.Add({{acc, clips[i]},
                   {Filter("xfade")
                        .Set("transition", "fade")
                        .Set("duration", Frames(t.transition_frames, opts.fps))
                        .Set("offset", Frames(t.start_frame[i] - half, opts.fps))
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
    std::vector<std::string> post;
    if (!spec.burn_captions_file.empty()) {
        post.push_back(Filter("subtitles").Set("filename", spec.burn_captions_file).str());
    }
    post.push_back("format=yuv420p");
    post.push_back(Filter("trim").Set("end_frame", Num(t.total_frames)).str());
    g.Add({{acc}, post, {"vout"}});

    int narr = cmd.AddInput(spec.narration_wav);
    g.Add({{std::to_string(narr) + ":a"}, FinalAudioFilters(opts, t, spec.measured), {"aout"}});

    VideoCodec vc;
    vc.preset = "veryfast";
    vc.crf = opts.crf;
    vc.fps = opts.fps;
    vc.gop = opts.fps * opts.segment_seconds;
    vc.segment_seconds = opts.segment_seconds;
    AudioCodec ac;
    ac.bitrate_kbps = opts.audio_bitrate_kbps;
    cmd.Graph(g)
        .Map("[vout]")
        .Map("[aout]")
        .Options(vc.Args())
        .Options(ac.Args())
        .Option("-movflags", "+faststart")
        .Output(spec.out_mp4);
    return cmd;
}

std::string Iso639_2(const std::string& lang) {
    static const std::map<std::string, std::string> kCodes = {
        {"en", "eng"}, {"es", "spa"}, {"fr", "fra"}, {"de", "deu"}, {"it", "ita"}, {"pt", "por"},
        {"ja", "jpn"}, {"zh", "zho"}, {"ru", "rus"}, {"nl", "nld"}, {"ko", "kor"}, {"ar", "ara"},
        {"hi", "hin"}, {"ca", "cat"}, {"sv", "swe"}, {"pl", "pol"}};
    auto it = kCodes.find(lang);
    return it == kCodes.end() ? lang : it->second;
}

FfmpegCommand BuildMp4PackageCommand(const MediaOptions& opts, const std::string& encoded_mp4,
                                     const std::string& captions_vtt, const std::string& language,
                                     const std::string& ffmetadata, const std::string& out_mp4) {
    FfmpegCommand cmd(opts.ffmpeg);
    cmd.AddInput(encoded_mp4);
    int subs = captions_vtt.empty() ? -1 : cmd.AddInput(captions_vtt);
    int meta = ffmetadata.empty() ? -1 : cmd.AddInput(ffmetadata, {"-f", "ffmetadata"});
    cmd.Map("0:v:0").Map("0:a:0");
    if (subs >= 0) cmd.Map(std::to_string(subs) + ":s:0");
    if (meta >= 0) {
        cmd.Option("-map_metadata", std::to_string(meta))
            .Option("-map_chapters", std::to_string(meta));
    }
    cmd.Option("-c", "copy");
    const std::string lang3 = Iso639_2(language);
    cmd.Option("-metadata:s:a:0", "language=" + lang3);
    if (subs >= 0) {
        cmd.Option("-c:s", "mov_text").Option("-metadata:s:s:0", "language=" + lang3);
    }
    cmd.Option("-movflags", "+faststart").Output(out_mp4);
    return cmd;
}

FfmpegCommand BuildStillCommand(const MediaOptions& opts, const std::string& video, double at,
                                int width, const std::string& out_jpg) {
    FfmpegCommand cmd(opts.ffmpeg);
    cmd.AddInput(video, {"-ss", Secs(std::max(0.0, at))});
    cmd.Map("0:v:0").Option("-frames:v", "1");
    if (width > 0) cmd.Option("-vf", "scale=" + std::to_string(width) + ":-2");
    cmd.Option("-q:v", "3").Option("-update", "1").Output(out_jpg);
    return cmd;
}

core::Status RunFfmpeg(const MediaOptions& opts, const FfmpegCommand& cmd, RunOptions run) {
    run.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(opts.timeout);
    BEACON_TRY(out, Run(opts, cmd.Argv(), run));
    (void)out;
    return {};
}

core::Status MakePreview(const MediaOptions& opts, const std::vector<SceneMedia>& scenes,
                         const Timeline& t, const std::string& out_mp4, const RunOptions& run) {
    BEACON_TRY(cmd, BuildPreviewCommand(opts, scenes, t, out_mp4));
    return RunFfmpeg(opts, cmd, run);
}

core::Result<FinalResult> MakeFinal(const MediaOptions& opts, const std::vector<SceneMedia>& scenes,
                                    const Timeline& t, FrameSize size,
                                    const std::string& scratch_dir,
                                    const std::string& burn_captions_file,
                                    const std::string& out_mp4, const RunOptions& run) {
    FinalResult r;
    r.narration_wav = (std::filesystem::path(scratch_dir) / "narration.wav").string();
    // Progress is reported for the final encode only (the audio passes are short).
    RunOptions quiet = run;
    quiet.on_progress = nullptr;
    BEACON_CHECK(RunFfmpeg(opts, BuildNarrationCommand(opts, scenes, t, r.narration_wav), quiet));
    quiet.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(opts.timeout);
    BEACON_TRY(measured, MeasureLoudness(opts, r.narration_wav, quiet));
    r.measured = measured;
    r.silent = !std::isfinite(measured.integrated_lufs) || measured.integrated_lufs < -70.0;
    FinalSpec spec;
    spec.size = size;
    spec.narration_wav = r.narration_wav;
    if (!r.silent) spec.measured = measured;
    spec.burn_captions_file = burn_captions_file;
    spec.out_mp4 = out_mp4;
    BEACON_TRY(cmd, BuildFinalCommand(opts, scenes, t, spec));
    BEACON_CHECK(RunFfmpeg(opts, cmd, run));
    return r;
}

}  // namespace beacon::media
