#include "media/command.hpp"

#include <gtest/gtest.h>

#include "media/assembly.hpp"
#include "media/golden.hpp"
#include "media/probe.hpp"

namespace beacon::media {
namespace {

using testing::ExpectGolden;
using testing::JoinArgv;

MediaOptions Opts() {
    MediaOptions o;
    o.ffmpeg = "ffmpeg";
    return o;
}

std::vector<SceneMedia> ThreeScenes() {
    std::vector<SceneMedia> s(3);
    s[0] = {"The lighthouse",
            "/scratch/1/picture.png",
            {},
            "zoom_in",
            2.5,
            "/scratch/1/voice.wav",
            1.8,
            {{"A", 0.0, 0.2}, {"lighthouse.", 0.2, 0.9}}};
    s[1] = {
        "The storm", "/scratch/2/picture.png", {},  "pan_left",
        2.5,         "/scratch/2/voice.wav",   2.4, {{"Storms", 0.0, 0.5}, {"obey.", 0.5, 1.0}}};
    s[2] = {"Calm",
            "/scratch/3/picture.png",
            {"/scratch/3/layer0.png", "/scratch/3/layer1.png", "/scratch/3/layer2.png"},
            "slow_pan",
            2.0,
            "",
            0,
            {}};
    return s;
}

TEST(FilterTest, EscapesSpecialValuesForBothLevels) {
    EXPECT_EQ(EscapeFilterValue("/tmp/a:b"), "/tmp/a\\\\:b");
    EXPECT_EQ(EscapeFilterValue("it's"), "it\\\\\\'s");
    EXPECT_EQ(EscapeFilterValue("a,b[c];d"), "a\\,b\\[c\\]\\;d");
    EXPECT_EQ(Filter("scale").Set("w", 1280).Set("h", -2).str(), "scale=w=1280:h=-2");
    EXPECT_EQ(Filter("x").Set("v", 0.5).str(), "x=v=0.5");
}

TEST(ShellQuoteTest, QuotesOnlyWhatNeedsIt) {
    EXPECT_EQ(ShellQuote({"ffmpeg", "-i", "a b.png", "it's", "x=1:y=2", ""}),
              "ffmpeg -i 'a b.png' 'it'\\''s' x=1:y=2 ''");
    EXPECT_EQ(ShellQuote({"$(rm -rf /)", "a;b"}), "'$(rm -rf /)' 'a;b'");
}

TEST(CodecTest, HouseVideoArgsPinGopAndProfile) {
    VideoCodec vc;
    vc.gop = 100;
    auto a = vc.Args();
    auto has = [&](const std::string& k, const std::string& v) {
        for (std::size_t i = 0; i + 1 < a.size(); ++i) {
            if (a[i] == k && a[i + 1] == v) return true;
        }
        return false;
    };
    EXPECT_TRUE(has("-g", "100"));
    EXPECT_TRUE(has("-keyint_min", "100"));
    EXPECT_TRUE(has("-sc_threshold", "0"));
    EXPECT_TRUE(has("-profile:v", "high"));
    EXPECT_TRUE(has("-pix_fmt", "yuv420p"));
    EXPECT_TRUE(has("-force_key_frames", "expr:gte(t,n_forced*4)"));
}

TEST(TimelineTest, RoundsToWholeFramesAndKeepsSceneProportions) {
    auto scenes = ThreeScenes();
    auto t = PlanTimeline(scenes, 7.0, 25);
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t->total_frames, 175);
    EXPECT_EQ(t->total_samples(), 336000);
    EXPECT_EQ(t->frames[0] + t->frames[1] + t->frames[2], 175);
    EXPECT_EQ(t->start_frame[1], t->frames[0]);
    EXPECT_EQ(t->frames[0], 63);  // 2.5/7 of 175 = 62.5 → 63
    EXPECT_EQ(t->transition_frames, 12);
    EXPECT_NEAR(t->voice_offset[0], 0.3, 1e-9);  // lead-in capped at 0.3 s
    EXPECT_GE(t->voice_offset[1], t->start(1));

    auto odd = PlanTimeline(scenes, 3.33, 25);
    ASSERT_TRUE(odd.ok());
    EXPECT_EQ(odd->total_frames, 83);
}

TEST(TimelineTest, NarrationNeverOverlapsThePreviousScenesVoice) {
    std::vector<SceneMedia> s(3);
    for (auto& x : s) {
        x.duration = 2.0;
        x.voice = "v.wav";
    }
    s[0].voice_duration = 2.6;  // overruns scene 1
    s[1].voice_duration = 1.0;
    s[2].voice_duration = 1.0;
    auto t = PlanTimeline(s, 6.0, 25).value();
    EXPECT_DOUBLE_EQ(t.voice_offset[0], 0.0);
    EXPECT_NEAR(t.voice_offset[1], 2.6 + kVoiceGap, 1e-9);
    EXPECT_NEAR(t.voice_offset[2], 4.3, 1e-9);  // its own scene start + lead wins again
}

TEST(TimelineTest, RejectsNonsense) {
    auto scenes = ThreeScenes();
    EXPECT_FALSE(PlanTimeline({}, 7, 25).ok());
    EXPECT_FALSE(PlanTimeline(scenes, 0, 25).ok());
    EXPECT_FALSE(PlanTimeline(scenes, -1, 25).ok());
    EXPECT_FALSE(PlanTimeline(scenes, 0.04, 25).ok());  // 1 frame for 3 scenes
    EXPECT_FALSE(PlanTimeline(scenes, 7, 0).ok());
}

TEST(TimelineTest, TinyScenesStillGetFramesAndShortTransitions) {
    std::vector<SceneMedia> s(3);
    s[0].duration = 0.01;
    s[1].duration = 5;
    s[2].duration = 0.01;
    auto t = PlanTimeline(s, 2.0, 25);
    ASSERT_TRUE(t.ok());
    for (auto f : t->frames) EXPECT_GE(f, 1);
    EXPECT_EQ(t->frames[0] + t->frames[1] + t->frames[2], 50);
    EXPECT_EQ(t->transition_frames % 2, 0);
    for (auto f : t->frames) EXPECT_LE(t->transition_frames, f);
}

TEST(TimelineTest, WordsAndChaptersLandOnTheTimeline) {
    auto scenes = ThreeScenes();
    auto t = PlanTimeline(scenes, 7.0, 25).value();
    auto words = TimelineWords(scenes, t);
    ASSERT_EQ(words.size(), 4u);
    EXPECT_EQ(words[2].text, "Storms");
    EXPECT_NEAR(words[2].start, t.voice_offset[1], 1e-9);
    auto ch = TimelineChapters(scenes, t);
    ASSERT_EQ(ch.size(), 3u);
    EXPECT_DOUBLE_EQ(ch[2].end, 7.0);
    EXPECT_EQ(ch[1].title, "The storm");
}

TEST(PreviewPicturesTest, FallsBackToPreviousThenNext) {
    std::vector<SceneMedia> s(4);
    s[1].picture = "b.png";
    s[3].picture = "d.png";
    auto p = PreviewPictures(s);
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(*p, (std::vector<std::string>{"b.png", "b.png", "b.png", "d.png"}));
    std::vector<SceneMedia> none(2);
    EXPECT_FALSE(PreviewPictures(none).ok());
}

TEST(GoldenTest, PreviewCommand) {
    auto scenes = ThreeScenes();
    scenes[1].picture.clear();  // not painted yet: shows scene 1's picture
    auto t = PlanTimeline(scenes, 7.0, kPreviewFps).value();
    auto cmd = BuildPreviewCommand(Opts(), scenes, t, "/scratch/preview.mp4");
    ASSERT_TRUE(cmd.ok());
    ExpectGolden("preview_command.txt", JoinArgv(cmd->Argv()));
}

TEST(GoldenTest, NarrationCommand) {
    auto scenes = ThreeScenes();
    auto t = PlanTimeline(scenes, 7.0, 25).value();
    ExpectGolden(
        "narration_command.txt",
        JoinArgv(BuildNarrationCommand(Opts(), scenes, t, "/scratch/narration.wav").Argv()));
}

TEST(GoldenTest, FinalCommandWithMotionParallaxCrossfadesAndBurnIn) {
    auto scenes = ThreeScenes();
    auto t = PlanTimeline(scenes, 7.0, 25).value();
    FinalSpec spec;
    spec.size = PresetSize("720p");
    spec.narration_wav = "/scratch/narration.wav";
    spec.measured = Loudness{-23.4, -4.2, 3.1, -33.6, 0.2};
    spec.burn_captions_file = "/scratch/it's: captions.vtt";
    spec.out_mp4 = "/scratch/final.mp4";
    auto cmd = BuildFinalCommand(Opts(), scenes, t, spec);
    ASSERT_TRUE(cmd.ok());
    ExpectGolden("final_command.txt", JoinArgv(cmd->Argv()));
}

TEST(GoldenTest, FinalCommandSingleSilentScene) {
    std::vector<SceneMedia> scenes(1);
    scenes[0].picture = "/scratch/1/picture.png";
    scenes[0].camera = "zoom_out";
    auto t = PlanTimeline(scenes, 3.0, 25).value();
    FinalSpec spec;
    spec.size = PresetSize("1080p");
    spec.narration_wav = "/scratch/narration.wav";
    spec.out_mp4 = "/scratch/final.mp4";
    auto cmd = BuildFinalCommand(Opts(), scenes, t, spec);
    ASSERT_TRUE(cmd.ok());
    ExpectGolden("final_single_command.txt", JoinArgv(cmd->Argv()));
}

TEST(GoldenTest, PackageAndStillCommands) {
    ExpectGolden(
        "package_command.txt",
        JoinArgv(BuildMp4PackageCommand(Opts(), "/scratch/final.mp4", "/scratch/captions_en.vtt",
                                        "en", "/scratch/chapters.txt", "/scratch/video.mp4")
                     .Argv()));
    ExpectGolden("still_command.txt", JoinArgv(BuildStillCommand(Opts(), "/scratch/video.mp4", 1.25,
                                                                 320, "/scratch/thumb.jpg")
                                                   .Argv()));
}

TEST(FinalCommandTest, MissingPictureIsAnError) {
    auto scenes = ThreeScenes();
    scenes[0].picture.clear();
    auto t = PlanTimeline(scenes, 7.0, 25).value();
    FinalSpec spec;
    spec.narration_wav = "n.wav";
    spec.out_mp4 = "o.mp4";
    auto cmd = BuildFinalCommand(Opts(), scenes, t, spec);
    ASSERT_FALSE(cmd.ok());
    EXPECT_NE(cmd.error().message.find("scene 1"), std::string::npos);
}

TEST(ProbeParseTest, ReadsStreamsAndRejectsGarbage) {
    auto p = ParseProbeJson(R"({"streams":[{"index":0,"codec_type":"video","codec_name":"h264",
        "profile":"High","pix_fmt":"yuv420p","width":1280,"height":720,"r_frame_rate":"25/1",
        "level":40},{"index":1,"codec_type":"audio","codec_name":"aac","sample_rate":"48000",
        "channels":2}],"format":{"duration":"7.000000","format_name":"mov,mp4"},
        "chapters":[{},{}]})");
    ASSERT_TRUE(p.ok());
    ASSERT_NE(p->First("video"), nullptr);
    EXPECT_DOUBLE_EQ(p->First("video")->fps, 25.0);
    EXPECT_EQ(p->First("audio")->sample_rate, 48000);
    EXPECT_DOUBLE_EQ(p->duration, 7.0);
    EXPECT_EQ(p->chapters, 2);
    EXPECT_FALSE(ParseProbeJson("not json").ok());
    EXPECT_FALSE(ParseProbeJson("[1,2]").ok());
}

TEST(LoudnormParseTest, FindsTheJsonBlockAtTheEnd) {
    auto l = ParseLoudnormJson(
        "[Parsed_loudnorm_0 @ 0x1] \n{\n\t\"input_i\" : \"-23.51\",\n\t\"input_tp\" : \"-5.02\",\n"
        "\t\"input_lra\" : \"1.20\",\n\t\"input_thresh\" : \"-33.70\",\n\t\"target_offset\" : "
        "\"0.10\"\n}\n");
    ASSERT_TRUE(l.ok());
    EXPECT_DOUBLE_EQ(l->integrated_lufs, -23.51);
    EXPECT_DOUBLE_EQ(l->true_peak_db, -5.02);
    EXPECT_FALSE(ParseLoudnormJson("no json here").ok());
    EXPECT_FALSE(ParseLoudnormJson("{\"other\": 1}").ok());
}

}  // namespace
}  // namespace beacon::media
