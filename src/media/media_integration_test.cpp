// Real ffmpeg/ffprobe: assembly, house format, loudness, HLS packaging, runner failure modes.
#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "media/assembly.hpp"
#include "media/hls.hpp"
#include "media/probe.hpp"
#include "media/runner.hpp"

namespace beacon::media {
namespace {

namespace fs = std::filesystem;

class MediaIntegrationTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("beacon-media-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }

    std::string P(const std::string& name) const { return (dir_ / name).string(); }

    void Ffmpeg(std::vector<std::string> args) {
        std::vector<std::string> argv = {"ffmpeg", "-hide_banner", "-nostdin",
                                         "-y",     "-loglevel",    "error"};
        argv.insert(argv.end(), args.begin(), args.end());
        auto r = RunProcess(argv, {});
        ASSERT_TRUE(r.ok()) << r.error().message;
    }
    std::string Picture(const std::string& name, const std::string& src = "testsrc2=s=640x360") {
        Ffmpeg({"-f", "lavfi", "-i", src, "-frames:v", "1", P(name)});
        return P(name);
    }
    std::string Layer(const std::string& name, const std::string& color) {
        Ffmpeg({"-f", "lavfi", "-i", "color=c=" + color + ":s=720x360", "-vf",
                "format=rgba,geq=r='r(X,Y)':g='g(X,Y)':b='b(X,Y)':a='if(lt(mod(X,80),40),255,0)'",
                "-frames:v", "1", P(name)});
        return P(name);
    }
    std::string Voice(const std::string& name, double seconds, double freq) {
        Ffmpeg({"-f", "lavfi", "-i",
                "sine=frequency=" + std::to_string(freq) + ":duration=" + std::to_string(seconds) +
                    ":sample_rate=22050",
                "-af", "volume=0.08", "-ac", "1", P(name)});
        return P(name);
    }
    std::vector<SceneMedia> Scenes() {
        std::vector<SceneMedia> s(2);
        s[0] = {"Lamp", Picture("p1.png"),
                {},     "zoom_in",
                1.6,    Voice("v1.wav", 1.2, 440),
                1.2,    {{"The", 0.0, 0.3}, {"lamp", 0.3, 0.7}, {"turns.", 0.7, 1.2}}};
        s[1] = {"Storm",
                Picture("p2.png", "mandelbrot=s=640x360"),
                {Layer("l0.png", "navy"), Layer("l1.png", "teal"), Layer("l2.png", "white")},
                "pan_right",
                1.6,
                Voice("v2.wav", 1.0, 330),
                1.0,
                {{"Storms", 0.0, 0.5}, {"obey.", 0.5, 1.0}}};
        return s;
    }

    /// The flags of the first video packet of a media file ("K__" for a key frame).
    std::string FirstVideoPacket(const std::string& path) {
        auto r = RunProcess({"ffprobe", "-v", "error", "-select_streams", "v:0", "-read_intervals",
                             "%+#1", "-show_entries", "packet=flags", "-of", "csv=p=0", path},
                            {});
        EXPECT_TRUE(r.ok()) << r.error().message;
        if (!r.ok()) return "";
        std::string flags = r->stdout_text.substr(0, r->stdout_text.find('\n'));
        EXPECT_FALSE(flags.empty()) << path << " has no video packet";
        return flags;
    }
    /// The frame at `seconds` as 8-bit grey pixels, row by row.
    std::string GrayFrame(const std::string& video, double seconds, const std::string& out) {
        Ffmpeg({"-ss", std::to_string(seconds), "-i", video, "-frames:v", "1", "-f", "rawvideo",
                "-pix_fmt", "gray", out});
        std::ifstream f(out, std::ios::binary);
        std::stringstream ss;
        ss << f.rdbuf();
        return ss.str();
    }

    fs::path dir_;
};

TEST_F(MediaIntegrationTest, FinalIsHouseFormatExactLengthKeyframesOnGridAndLoudnessNormalised) {
    MediaOptions o;
    o.segment_seconds = 1;  // short clip: a 1 s grid shows the keyframe rule
    auto scenes = Scenes();
    auto t = PlanTimeline(scenes, 3.0, o.fps);
    ASSERT_TRUE(t.ok());
    std::vector<std::string> commands;
    double last_progress = 0;
    RunOptions run;
    run.on_command = [&](const std::string& c) { commands.push_back(c); };
    run.on_progress = [&](double s) { last_progress = s; };
    auto r = MakeFinal(o, scenes, *t, PresetSize("480p"), dir_.string(), "", P("final.mp4"), run);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(commands.size(), 3u);  // narration, loudness pass 1, final
    EXPECT_GT(last_progress, 2.0);

    auto info = Probe(o, P("final.mp4"));
    ASSERT_TRUE(info.ok());
    const StreamInfo* v = info->First("video");
    const StreamInfo* a = info->First("audio");
    ASSERT_NE(v, nullptr);
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(v->codec, "h264");
    EXPECT_EQ(v->profile, "High");
    EXPECT_EQ(v->pix_fmt, "yuv420p");
    EXPECT_DOUBLE_EQ(v->fps, 25.0);
    EXPECT_EQ(v->width, 854);
    EXPECT_EQ(v->height, 480);
    EXPECT_EQ(a->codec, "aac");
    EXPECT_EQ(a->profile, "LC");
    EXPECT_EQ(a->sample_rate, 48000);
    EXPECT_EQ(a->channels, 2);
    EXPECT_NEAR(v->duration, 3.0, 0.04);
    EXPECT_NEAR(a->duration, 3.0, 0.04);
    EXPECT_EQ(v->frames, 75);

    auto keys = KeyframeTimes(o, P("final.mp4"));
    ASSERT_TRUE(keys.ok());
    ASSERT_EQ(keys->size(), 3u);
    for (std::size_t i = 0; i < keys->size(); ++i) EXPECT_NEAR((*keys)[i], double(i), 0.001);

    auto loud = MeasureLoudness(o, P("final.mp4"));
    ASSERT_TRUE(loud.ok());
    EXPECT_NEAR(loud->integrated_lufs, -16.0, 1.0);
    EXPECT_LE(loud->true_peak_db, -1.5 + 0.5);
    EXPECT_LT(r->measured.integrated_lufs, -20.0);  // the input really was quieter
}

TEST_F(MediaIntegrationTest, HdFinalHasKeyframesEverySegment) {
    MediaOptions o;
    o.segment_seconds = 2;
    std::vector<SceneMedia> s(1);
    s[0].picture = Picture("p.png");
    s[0].camera = "slow_pan";
    s[0].duration = 4.4;
    auto t = PlanTimeline(s, 4.4, o.fps).value();
    auto r = MakeFinal(o, s, t, PresetSize("720p"), dir_.string(), "", P("hd.mp4"), {});
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_TRUE(r->silent);
    auto info = Probe(o, P("hd.mp4"));
    ASSERT_TRUE(info.ok());
    EXPECT_EQ(info->First("video")->width, 1280);
    EXPECT_EQ(info->First("video")->height, 720);
    EXPECT_NEAR(info->First("audio")->duration, 4.4, 0.04);  // silent, but present throughout
    auto keys = KeyframeTimes(o, P("hd.mp4")).value();
    EXPECT_EQ(keys, (std::vector<double>{0.0, 2.0, 4.0}));
}

TEST_F(MediaIntegrationTest, PreviewPackagingStillsAndHls) {
    MediaOptions o;
    o.segment_seconds = 1;
    auto scenes = Scenes();
    auto t = PlanTimeline(scenes, 3.0, o.fps).value();

    // Preview with the second picture missing.
    auto partial = scenes;
    partial[1].picture.clear();
    partial[1].layers.clear();
    auto tp = PlanTimeline(partial, 3.0, kPreviewFps).value();
    ASSERT_TRUE(MakePreview(o, partial, tp, P("preview.mp4"), {}).ok());
    auto pv = Probe(o, P("preview.mp4"));
    ASSERT_TRUE(pv.ok());
    EXPECT_EQ(pv->First("video")->height, 480);
    EXPECT_NEAR(pv->duration, 3.0, 0.1);

    auto fin = MakeFinal(o, scenes, t, PresetSize("480p"), dir_.string(), "", P("final.mp4"), {});
    ASSERT_TRUE(fin.ok()) << fin.error().message;
    auto cues = GroupWords(TimelineWords(scenes, t));
    {
        std::ofstream(P("captions.vtt")) << CuesToWebVtt(cues);
        std::ofstream(P("chapters.txt")) << ChaptersToFfmetadata("T", TimelineChapters(scenes, t));
    }
    ASSERT_TRUE(RunFfmpeg(o,
                          BuildMp4PackageCommand(o, P("final.mp4"), P("captions.vtt"), "en",
                                                 P("chapters.txt"), P("video.mp4")),
                          {})
                    .ok());
    auto vinfo = Probe(o, P("video.mp4"));
    ASSERT_TRUE(vinfo.ok());
    ASSERT_NE(vinfo->First("subtitle"), nullptr);
    EXPECT_EQ(vinfo->First("subtitle")->codec, "mov_text");
    EXPECT_EQ(vinfo->chapters, 2);
    EXPECT_NEAR(vinfo->duration, 3.0, 0.05);

    ASSERT_TRUE(
        RunFfmpeg(o, BuildStillCommand(o, P("video.mp4"), 1.0, 0, P("poster.jpg")), {}).ok());
    ASSERT_TRUE(
        RunFfmpeg(o, BuildStillCommand(o, P("video.mp4"), 1.0, 320, P("thumb.jpg")), {}).ok());
    EXPECT_EQ(Probe(o, P("poster.jpg"))->First("video")->width, 854);
    EXPECT_EQ(Probe(o, P("thumb.jpg"))->First("video")->width, 320);

    auto hls = PackageHls(o, P("video.mp4"), {{"en", "", cues, true}}, P("hls"), {});
    ASSERT_TRUE(hls.ok()) << hls.error().message;
    EXPECT_GT(hls->first_pts, 0.0);
    std::ifstream mf(P("hls/master.m3u8"));
    std::stringstream ms;
    ms << mf.rdbuf();
    const std::string master = ms.str();
    EXPECT_NE(master.find("TYPE=AUDIO,GROUP-ID=\"aud\""), std::string::npos);
    EXPECT_NE(master.find("DEFAULT=YES"), std::string::npos);
    EXPECT_NE(master.find("CHANNELS=\"2\""), std::string::npos);
    EXPECT_NE(master.find("TYPE=SUBTITLES,GROUP-ID=\"subs\""), std::string::npos);
    EXPECT_NE(master.find("CODECS=\"avc1.640028,mp4a.40.2\""), std::string::npos);
    EXPECT_NE(master.find("RESOLUTION=854x480"), std::string::npos);
    EXPECT_NE(master.find("FRAME-RATE=25.000"), std::string::npos);
    // Every URI in every playlist exists; durations add up.
    for (const std::string rel :
         {"video/index.m3u8", "audio_en/index.m3u8", "subs_en/index.m3u8"}) {
        EXPECT_NE(master.find(rel), std::string::npos) << rel;
        std::ifstream f(P("hls/" + rel));
        std::stringstream ss;
        ss << f.rdbuf();
        auto segs = ParseMediaPlaylist(ss.str());
        ASSERT_TRUE(segs.ok()) << rel;
        EXPECT_NE(ss.str().find("#EXT-X-TARGETDURATION:1\n"), std::string::npos) << rel;
        EXPECT_NE(ss.str().find("#EXT-X-ENDLIST"), std::string::npos);
        double sum = 0;
        for (const auto& s : *segs) {
            EXPECT_TRUE(fs::exists(fs::path(P("hls/" + rel)).parent_path() / s.uri)) << s.uri;
            sum += s.duration;
        }
        EXPECT_NEAR(sum, 3.0, 0.05) << rel;
    }
    auto manifest = nlohmann::json::parse(hls->manifest_json);
    EXPECT_EQ(manifest["version"], 1);
    EXPECT_EQ(manifest["video"].size(), 3u);
    EXPECT_EQ(manifest["audio"]["en"].size(), manifest["video"].size());
    EXPECT_EQ(manifest["subtitles"]["en"].size(), manifest["video"].size());
    EXPECT_TRUE(fs::exists(P("hls/segments.json")));
    // Every video segment starts with a key frame (stream copy of the closed-GOP encode), so a
    // player can start decoding at any segment.
    {
        std::ifstream f(P("hls/video/index.m3u8"));
        std::stringstream ss;
        ss << f.rdbuf();
        auto segs = ParseMediaPlaylist(ss.str());
        ASSERT_TRUE(segs.ok());
        ASSERT_EQ(segs->size(), 3u);
        for (const auto& seg : *segs) {
            auto first = FirstVideoPacket(P("hls/video/" + seg.uri));
            EXPECT_NE(first.find('K'), std::string::npos)
                << seg.uri << " starts with a non-key frame (packet flags '" << first << "')";
        }
    }
    // Audio and video renditions keep the MP4's A/V relation (audio leads by the AAC priming).
    auto vs = Probe(o, P("hls/video/seg_00000.ts"));
    auto as = Probe(o, P("hls/audio_en/seg_00000.ts"));
    ASSERT_TRUE(vs.ok() && as.ok());
    EXPECT_NEAR(as->First("audio")->start_time, vs->First("video")->start_time - 1024.0 / 48000,
                0.002);
    std::ifstream sf(P("hls/subs_en/seg_00000.vtt"));
    std::stringstream sv;
    sv << sf.rdbuf();
    EXPECT_NE(sv.str().find("X-TIMESTAMP-MAP=LOCAL:00:00:00.000,MPEGTS:"), std::string::npos);
    EXPECT_NE(sv.str().find("The lamp turns."), std::string::npos);
}

TEST_F(MediaIntegrationTest, BurnedInCaptionsSurviveAnAwkwardFileName) {
    MediaOptions o;
    std::vector<SceneMedia> s(1);
    s[0].picture = Picture("p.png");
    s[0].duration = 1.0;
    auto t = PlanTimeline(s, 1.0, o.fps).value();
    const std::string subs = P("it's, [odd]; name: x.vtt");
    std::ofstream(subs) << CuesToWebVtt({{0.0, 1.0, "Hello storm"}});
    auto r = MakeFinal(o, s, t, PresetSize("480p"), dir_.string(), subs, P("burn.mp4"), {});
    ASSERT_TRUE(r.ok()) << r.error().message;
    auto info = Probe(o, P("burn.mp4"));
    ASSERT_TRUE(info.ok());
    EXPECT_NEAR(info->First("video")->duration, 1.0, 0.04);

    // The same final without captions: the pictures differ in the caption band at the bottom
    // (the text is really drawn) and nowhere else.
    auto plain = MakeFinal(o, s, t, PresetSize("480p"), dir_.string(), "", P("plain.mp4"), {});
    ASSERT_TRUE(plain.ok()) << plain.error().message;
    constexpr int kW = 854, kH = 480;
    const std::string burned = GrayFrame(P("burn.mp4"), 0.5, P("burn.gray"));
    const std::string clean = GrayFrame(P("plain.mp4"), 0.5, P("plain.gray"));
    ASSERT_EQ(burned.size(), std::size_t(kW * kH));
    ASSERT_EQ(clean.size(), std::size_t(kW * kH));
    auto changed = [&](int y0, int y1) {
        int n = 0;
        for (int y = y0; y < y1; ++y) {
            for (int x = 0; x < kW; ++x) {
                const int a = static_cast<unsigned char>(burned[y * kW + x]);
                const int b = static_cast<unsigned char>(clean[y * kW + x]);
                if (std::abs(a - b) > 48) ++n;
            }
        }
        return n;
    };
    const int caption_band = changed(kH * 2 / 3, kH);
    const int picture_area = changed(0, kH / 2);
    EXPECT_GT(caption_band, 400) << "no caption text drawn in the bottom third";
    EXPECT_LT(picture_area, kW * (kH / 2) / 100) << "the picture above the captions changed";
}

TEST_F(MediaIntegrationTest, FailedRunReportsStderrTail) {
    MediaOptions o;
    FfmpegCommand cmd(o.ffmpeg);
    cmd.AddInput(P("does-not-exist.png"));
    cmd.Output(P("out.mp4"));
    auto st = RunFfmpeg(o, cmd, {});
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().code, core::ErrorCode::kExternal);
    EXPECT_NE(st.error().message.find("ffmpeg failed"), std::string::npos) << st.error().message;
    EXPECT_NE(st.error().message.find("No such file"), std::string::npos) << st.error().message;
}

TEST_F(MediaIntegrationTest, MissingBinaryIsUnavailable) {
    auto r = RunProcess({"/nonexistent/ffmpeg-beacon", "-version"}, {});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, core::ErrorCode::kUnavailable);
    EXPECT_NE(r.error().message.find("ffmpeg-beacon"), std::string::npos);
}

/// True when no live process has this pid (it exited, or is a zombie awaiting its reaper).
bool ProcessGone(pid_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    if (!stat) return true;
    std::string line;
    std::getline(stat, line);
    auto close = line.rfind(')');
    return close != std::string::npos && line.size() > close + 2 && line[close + 2] == 'Z';
}

TEST_F(MediaIntegrationTest, TimeoutKillsTheChildAndWhatItStarted) {
    RunOptions run;
    run.timeout = std::chrono::milliseconds(300);
    // A shell that records its pid and starts an endless real-time encode, then waits on it:
    // only the timeout ends them.
    const std::string script = "echo $$ > '" + P("shell.pid") +
                               "'; ffmpeg -hide_banner -nostdin -re -f lavfi -i "
                               "testsrc2=s=64x64:r=25 -f null - >/dev/null 2>&1 & echo $! > '" +
                               P("ffmpeg.pid") + "'; wait";
    auto r = RunProcess({"sh", "-c", script}, run);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, core::ErrorCode::kTimeout);
    pid_t shell = 0, ffmpeg = 0;
    std::ifstream(P("shell.pid")) >> shell;
    std::ifstream(P("ffmpeg.pid")) >> ffmpeg;
    ASSERT_GT(shell, 0);
    ASSERT_GT(ffmpeg, 0);
    EXPECT_TRUE(ProcessGone(shell)) << "the timed-out child still runs";
    // The grandchild dies with its process group; its reaper may take a moment (hang guard).
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!ProcessGone(ffmpeg) && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_TRUE(ProcessGone(ffmpeg)) << "the encode the child started still runs";
    if (!ProcessGone(ffmpeg)) ::kill(ffmpeg, SIGKILL);
}

TEST_F(MediaIntegrationTest, StopTokenCancelsARunningEncode) {
    std::stop_source stop;
    RunOptions run;
    run.stop = stop.get_token();
    run.on_progress = [&](double seconds) {
        if (seconds > 0.2) stop.request_stop();  // cancel once it is really running
    };
    auto r = RunProcess({"ffmpeg", "-hide_banner", "-nostdin", "-progress", "pipe:1", "-nostats",
                         "-re", "-f", "lavfi", "-i", "testsrc2=s=64x64:r=25", "-f", "null", "-"},
                        run);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, core::ErrorCode::kCanceled);
}

}  // namespace
}  // namespace beacon::media
