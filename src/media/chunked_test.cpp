// The final encode in pieces (real ffmpeg): pieces cut on the keyframe grid, one of them through
// a crossfade, joined by stream copy, give the house format of the whole encode, frame for frame
// the same pictures (motion, parallax and crossfades continue across the cuts).
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "media/assembly.hpp"
#include "media/chunked.hpp"
#include "media/probe.hpp"
#include "media/runner.hpp"

namespace beacon::media {
namespace {

namespace fs = std::filesystem;

class ChunkedFinalTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("beacon-chunked-" + std::to_string(::getpid()));
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
    std::string Still(const std::string& name, const std::string& src) {
        Ffmpeg({"-f", "lavfi", "-i", src, "-frames:v", "1", P(name)});
        return P(name);
    }
    std::string Layer(const std::string& name, const std::string& color) {
        Ffmpeg({"-f", "lavfi", "-i", "color=c=" + color + ":s=720x360", "-vf",
                "format=rgba,geq=r='r(X,Y)':g='g(X,Y)':b='b(X,Y)':a='if(lt(mod(X,80),40),255,0)'",
                "-frames:v", "1", P(name)});
        return P(name);
    }
    /// Per-frame PSNR (average over planes, dB) of `a` against `b`.
    std::vector<double> FramePsnr(const std::string& a, const std::string& b) {
        const std::string log = P("psnr.log");
        Ffmpeg({"-i", a, "-i", b, "-lavfi", "[0:v][1:v]psnr=stats_file=" + log, "-f", "null", "-"});
        std::vector<double> out;
        std::ifstream f(log);
        for (std::string line; std::getline(f, line);) {
            auto at = line.find("psnr_avg:");
            if (at == std::string::npos) continue;
            const std::string v = line.substr(at + 9, line.find(' ', at) - at - 9);
            out.push_back(v == "inf" ? 99.0 : std::stod(v));
        }
        return out;
    }

    fs::path dir_;
};

TEST(ConcatList, EntriesAreAbsoluteAndQuoted) {
    // ffmpeg reads a relative entry against the list's folder, not the working directory.
    const std::string list = ConcatList({"d/tmp/job-1/pieces/a.mp4", "/x/it's.mp4"});
    const std::string cwd = std::filesystem::current_path().string();
    EXPECT_EQ(list, "ffconcat version 1.0\nfile '" + cwd +
                        "/d/tmp/job-1/pieces/a.mp4'\n"
                        "file '/x/it'\\''s.mp4'\n");
}

TEST_F(ChunkedFinalTest, PiecesJoinedByCopyMatchTheWholeEncode) {
    MediaOptions o;
    o.segment_seconds = 1;  // a 25-frame grid: three pieces in 3 s
    std::vector<SceneMedia> s(3);
    s[0].picture = Still("a.png", "testsrc2=s=640x360");
    s[0].camera = "zoom_in";
    s[0].duration = 1.0;
    s[1].picture = Still("b.png", "mandelbrot=s=640x360");
    s[1].layers = {Layer("l0.png", "navy"), Layer("l1.png", "teal"), Layer("l2.png", "white")};
    s[1].camera = "pan_left";
    s[1].duration = 1.0;
    s[2].picture = Still("c.png", "testsrc=s=640x360");
    s[2].camera = "slow_pan";
    s[2].duration = 1.0;
    Ffmpeg({"-f", "lavfi", "-i", "sine=frequency=440:duration=2.4:sample_rate=22050", "-af",
            "volume=0.08", "-ac", "1", P("v.wav")});
    s[0].voice = P("v.wav");
    s[0].voice_duration = 2.4;
    auto t = PlanTimeline(s, 3.0, o.fps).value();
    ASSERT_EQ(t.start_frame, (std::vector<long long>{0, 25, 50}));
    ASSERT_EQ(t.transition_frames, 12);  // crossfades over frames 19-30 and 44-55

    const auto chunks = PlanChunks(t, GopFrames(o));
    ASSERT_EQ(chunks.size(), 3u);
    // Each piece names every scene it shows, crossfades included; the second piece starts in
    // the middle of the first crossfade and ends in the middle of the second.
    EXPECT_EQ(chunks[0].scenes, (std::vector<std::size_t>{0, 1}));
    EXPECT_EQ(chunks[1].scenes, (std::vector<std::size_t>{0, 1, 2}));
    EXPECT_EQ(chunks[2].scenes, (std::vector<std::size_t>{1, 2}));

    const FrameSize size = PresetSize("480p");
    std::vector<std::string> files;
    for (const auto& c : chunks) {
        // Only the piece's own scenes are read: the others have no picture here.
        std::vector<SceneMedia> only = s;
        for (std::size_t i = 0; i < only.size(); ++i) {
            if (std::find(c.scenes.begin(), c.scenes.end(), i) == c.scenes.end()) {
                only[i].picture.clear();
                only[i].layers.clear();
            }
        }
        files.push_back(P("piece" + std::to_string(c.index) + ".mp4"));
        auto cmd = BuildChunkCommand(o, only, t, c, size, files.back());
        ASSERT_TRUE(cmd.ok()) << cmd.error().message;
        ASSERT_TRUE(RunFfmpeg(o, *cmd, {}).ok());
    }
    { std::ofstream(P("pieces.ffconcat")) << ConcatList(files); }
    ASSERT_TRUE(RunFfmpeg(o, BuildNarrationCommand(o, s, t, P("narration.wav")), {}).ok());
    auto loud = MeasureLoudness(o, P("narration.wav"));
    ASSERT_TRUE(loud.ok());
    ASSERT_TRUE(RunFfmpeg(o,
                          BuildStitchCommand(o, P("pieces.ffconcat"), t, P("narration.wav"), *loud,
                                             P("joined.mp4")),
                          {})
                    .ok());
    auto whole = MakeFinal(o, s, t, size, dir_.string(), "", P("whole.mp4"), {});
    ASSERT_TRUE(whole.ok()) << whole.error().message;

    auto j = Probe(o, P("joined.mp4"));
    auto w = Probe(o, P("whole.mp4"));
    ASSERT_TRUE(j.ok() && w.ok());
    const StreamInfo* jv = j->First("video");
    const StreamInfo* ja = j->First("audio");
    const StreamInfo* wv = w->First("video");
    const StreamInfo* wa = w->First("audio");
    ASSERT_TRUE(jv && ja && wv && wa);
    EXPECT_EQ(jv->codec, wv->codec);
    EXPECT_EQ(jv->profile, wv->profile);
    EXPECT_EQ(jv->pix_fmt, wv->pix_fmt);
    EXPECT_EQ(jv->width, wv->width);
    EXPECT_EQ(jv->height, wv->height);
    EXPECT_DOUBLE_EQ(jv->fps, wv->fps);
    EXPECT_EQ(jv->frames, 75);
    EXPECT_EQ(jv->frames, wv->frames);
    EXPECT_NEAR(jv->duration, 3.0, 0.04);
    EXPECT_EQ(ja->codec, wa->codec);
    EXPECT_EQ(ja->profile, wa->profile);
    EXPECT_EQ(ja->sample_rate, wa->sample_rate);
    EXPECT_EQ(ja->channels, wa->channels);
    EXPECT_NEAR(ja->duration, wa->duration, 0.03);
    EXPECT_EQ(KeyframeTimes(o, P("joined.mp4")).value(), (std::vector<double>{0.0, 1.0, 2.0}));
    auto jl = MeasureLoudness(o, P("joined.mp4"));
    auto wl = MeasureLoudness(o, P("whole.mp4"));
    ASSERT_TRUE(jl.ok() && wl.ok());
    EXPECT_NEAR(jl->integrated_lufs, wl->integrated_lufs, 0.3);

    // The same pictures, frame for frame (only x264's per-piece choices differ): a piece that
    // restarted a camera move or a crossfade would differ by far more.
    const auto psnr = FramePsnr(P("joined.mp4"), P("whole.mp4"));
    ASSERT_EQ(psnr.size(), 75u);
    for (std::size_t f = 0; f < psnr.size(); ++f) {
        EXPECT_GT(psnr[f], 35.0) << "frame " << f;
    }
}

}  // namespace
}  // namespace beacon::media
