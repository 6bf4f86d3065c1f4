// Dub fitting beyond the per-line plan: silence cut from real voiced WAVs (ffmpeg- and
// eSpeak-made), the held timeline's arithmetic, and a held picture made by real ffmpeg from the
// filter HeldVideoFilter writes. Needs ffmpeg and espeak-ng: labelled integration.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "engines/espeak_voice.hpp"
#include "media/runner.hpp"
#include "pipeline/localize.hpp"
#include "pipeline/localize_fit.hpp"

namespace beacon::pipeline {
namespace {

namespace fs = std::filesystem;

std::string Exec(const std::vector<std::string>& argv) {
    media::RunOptions run;
    run.timeout = std::chrono::seconds(60);
    auto out = media::RunProcess(argv, run);
    EXPECT_TRUE(out.ok()) << (out.ok() ? "" : out.error().message);
    return out.ok() ? out->stdout_text + out->stderr_tail : "";
}

double Duration(const fs::path& f) {
    return std::stod(Exec({"ffprobe", "-v", "error", "-show_entries", "format=duration", "-of",
                          "csv=p=0", f.string()}));
}

/// Where sound starts and ends in a file (silencedetect at the cut's threshold).
std::pair<double, double> Sound(const fs::path& f) {
    const std::string log = Exec({"ffmpeg", "-nostdin", "-v", "info", "-i", f.string(), "-af",
                                 "silencedetect=n=-50dB:d=0.01", "-f", "null", "-"});
    double start = 0, end = Duration(f);
    std::smatch m;
    // Leading silence: a silence_start at 0 and its silence_end.
    if (std::regex_search(log, m, std::regex("silence_start: (-?[0-9.e-]+)")) &&
        std::stod(m[1]) < 0.005 && std::regex_search(log, m, std::regex("silence_end: ([0-9.]+)")))
        start = std::stod(m[1]);
    // Trailing silence: the last silence_start with no silence_end after it.
    const std::regex starts_re("silence_start: ([0-9.]+)");
    for (auto it = std::sregex_iterator(log.begin(), log.end(), starts_re);
         it != std::sregex_iterator(); ++it) {
        const std::string after = log.substr(static_cast<std::size_t>(it->position()));
        if (after.find("silence_end") == std::string::npos) end = std::stod((*it)[1]);
    }
    return {start, end};
}

class LocalizeFit : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("beacon-fit-" + std::to_string(::getpid()));
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }
    fs::path dir_;
    media::MediaOptions media_;
};

TEST_F(LocalizeFit, SilenceAroundAVoicedLineIsCutSampleAccurately) {
    // A real 16-bit WAV: 0.30 s of silence, 0.50 s of tone, 0.40 s of silence.
    const fs::path wav = dir_ / "padded.wav";
    Exec({"ffmpeg", "-nostdin", "-y", "-v", "error", "-f", "lavfi", "-i",
         "sine=frequency=300:sample_rate=22050:duration=0.5", "-af",
         "adelay=300,apad=pad_dur=0.4", "-c:a", "pcm_s16le", wav.string()});
    ASSERT_NEAR(Duration(wav), 1.2, 0.01);
    auto cut = TrimSilence(media_, wav, {});
    ASSERT_TRUE(cut.ok()) << cut.error().message;
    EXPECT_NE(cut->audio, wav);
    EXPECT_NEAR(cut->lead_cut, 0.30 - kSilenceKeep, 0.005);
    EXPECT_NEAR(cut->tail_cut, 0.40 - kSilenceKeep, 0.005);
    EXPECT_NEAR(cut->duration, 0.50 + 2 * kSilenceKeep, 0.005);
    // What a player hears: the file is that long and the tone starts and ends kSilenceKeep in.
    EXPECT_NEAR(Duration(cut->audio), cut->duration, 0.002);
    const auto [start, end] = Sound(cut->audio);
    EXPECT_NEAR(start, kSilenceKeep, 0.005);
    EXPECT_GE(end, cut->duration - kSilenceKeep - 0.01);

    // Not a PCM WAV (an MP3, as ElevenLabs sends): decoded by ffmpeg, then cut the same way.
    const fs::path mp3 = dir_ / "padded.mp3";
    Exec({"ffmpeg", "-nostdin", "-y", "-v", "error", "-i", wav.string(), "-c:a", "libmp3lame",
         mp3.string()});
    auto from_mp3 = TrimSilence(media_, mp3, {});
    ASSERT_TRUE(from_mp3.ok()) << from_mp3.error().message;
    EXPECT_NEAR(from_mp3->duration, 0.54, 0.04);  // MP3 frames blur the edges a little

    // A line with nothing to cut, and one silent throughout, come back as they are.
    const fs::path tone = dir_ / "tone.wav";
    Exec({"ffmpeg", "-nostdin", "-y", "-v", "error", "-f", "lavfi", "-i",
         "sine=frequency=300:sample_rate=22050:duration=0.5", "-c:a", "pcm_s16le", tone.string()});
    auto whole = TrimSilence(media_, tone, {});
    ASSERT_TRUE(whole.ok());
    EXPECT_EQ(whole->audio, tone);
    const fs::path quiet = dir_ / "quiet.wav";
    Exec({"ffmpeg", "-nostdin", "-y", "-v", "error", "-f", "lavfi", "-i",
         "anullsrc=sample_rate=22050:channel_layout=mono", "-t", "0.5", "-c:a", "pcm_s16le",
         quiet.string()});
    auto silent = TrimSilence(media_, quiet, {});
    ASSERT_TRUE(silent.ok());
    EXPECT_EQ(silent->audio, quiet);
    EXPECT_NEAR(silent->duration, 0.5, 0.001);
}

TEST_F(LocalizeFit, ESpeakLinesLoseTheirLeadingAndTrailingSilence) {
    engines::EspeakVoiceEngine espeak;
    auto spoken = espeak.Speak({"El faro controla las tormentas.", "es", "es"}, dir_, {});
    ASSERT_TRUE(spoken.ok()) << spoken.error().message;
    auto cut = TrimSilence(media_, spoken->audio, {});
    ASSERT_TRUE(cut.ok()) << cut.error().message;
    EXPECT_GT(cut->lead_cut + cut->tail_cut, 0.05) << "eSpeak NG pads its lines";
    EXPECT_NEAR(cut->duration, spoken->duration - cut->lead_cut - cut->tail_cut, 0.002);
    const auto [start, end] = Sound(cut->audio);
    EXPECT_LE(start, kSilenceKeep + 0.005);
    EXPECT_GE(end, cut->duration - kSilenceKeep - 0.02);
}

TEST(HeldTimelineTest, HoldsMoveLaterTimesAndAreWholeFrames) {
    const std::vector<Hold> holds = {{4.0, 0.52}, {9.0, 0.2}, {12.0, 0.4}};
    EXPECT_DOUBLE_EQ(HeldTime(holds, 3.99), 3.99);
    EXPECT_NEAR(HeldTime(holds, 4.0), 4.52, 1e-9);  // a cue at the hold comes after it
    EXPECT_NEAR(HeldTime(holds, 10.0), 10.72, 1e-9);
    EXPECT_NEAR(HeldDuration(holds, 12.0), 13.12, 1e-9);
    EXPECT_DOUBLE_EQ(HoldFor(0, 25), 0.0);
    EXPECT_NEAR(HoldFor(0.3, 25), 0.36, 1e-9);  // 0.3 s + the 0.05 s gap = 8.75 → 9 frames
    EXPECT_NEAR(HoldFor(0.31, 25), 0.36, 1e-9);
    // The filter: later frames move by the holds before them, the end is cloned.
    const std::string f = HeldVideoFilter(holds, 25, 12.0);
    EXPECT_NE(f.find("gte(T\\,4.000000)*0.520000"), std::string::npos) << f;
    EXPECT_NE(f.find("fps=25"), std::string::npos) << f;
    EXPECT_NE(f.find("tpad=stop_mode=clone:stop_duration=0.400000"), std::string::npos) << f;
    EXPECT_EQ(HeldVideoFilter({}, 25, 5.0), "setpts=PTS,fps=25");
}

TEST(HeldTimelineTest, WithHoldsSpeechNeverGoesBeyondTenPercent) {
    // 4 s of speech for a 2 s slot: sped up 1.43x as the last resort, or at most 1.1x when the
    // picture may be held for the rest.
    const FitPlan last_resort = PlanFit(4.0, 2.0, true);
    EXPECT_NEAR(last_resort.rate * last_resort.tempo, kMaxRate * kMaxTempo, 1e-9);
    const FitPlan held = PlanFit(4.0, 2.0, true, kMaxSpeed);
    EXPECT_NEAR(held.rate * held.tempo, kMaxSpeed, 1e-9);
    EXPECT_FALSE(held.over_speed);
    const FitPlan no_rate = PlanFit(4.0, 2.0, false, kMaxSpeed);
    EXPECT_NEAR(no_rate.tempo, kMaxSpeed, 1e-9);
}

TEST_F(LocalizeFit, TheHeldPictureStopsOnAFrameForEachHold) {
    // 4 s of moving picture (it changes every frame), held 0.48 s at 1.0 s and 0.4 s at the end.
    const fs::path src = dir_ / "src.mp4";
    Exec({"ffmpeg", "-nostdin", "-y", "-v", "error", "-f", "lavfi", "-i",
         "testsrc2=size=160x90:rate=25:duration=4", "-c:v", "libx264", "-preset", "ultrafast",
         src.string()});
    const std::vector<Hold> holds = {{1.0, 0.48}, {4.0, 0.4}};
    const fs::path out = dir_ / "held.mp4";
    Exec({"ffmpeg", "-nostdin", "-y", "-v", "error", "-i", src.string(), "-vf",
          HeldVideoFilter(holds, 25, 4.0), "-c:v", "libx264", "-preset", "ultrafast", out.string()});
    EXPECT_NEAR(Duration(out), HeldDuration(holds, 4.0), 0.05);
    // Frame by frame (checksums of the filter's own output): the picture moves every frame
    // except where the holds are, and there the frame before the hold repeats.
    const std::string md5 = Exec({"ffmpeg", "-nostdin", "-v", "error", "-i", src.string(), "-vf",
                                  HeldVideoFilter(holds, 25, 4.0), "-f", "framemd5", "-"});
    std::vector<std::string> frames;
    std::istringstream in(md5);
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || line[0] == '#') continue;
        frames.push_back(line.substr(line.rfind(',') + 1));
    }
    ASSERT_EQ(frames.size(), static_cast<std::size_t>(std::lround(HeldDuration(holds, 4.0) * 25)));
    std::vector<std::pair<double, int>> runs;  // (time of the held frame, repeats)
    std::size_t last_dup = 0;
    for (std::size_t i = 1; i < frames.size(); ++i) {
        if (frames[i] != frames[i - 1]) continue;
        if (!runs.empty() && last_dup == i - 1)
            ++runs.back().second;
        else
            runs.push_back({(static_cast<double>(i) - 1) / 25.0, 1});
        last_dup = i;
    }
    ASSERT_EQ(runs.size(), 2u) << md5;
    EXPECT_NEAR(runs[0].first, 0.96, 1e-6);  // the last frame before 1.0 s stays
    EXPECT_EQ(runs[0].second, 12);           // for 0.48 s
    EXPECT_NEAR(runs[1].first, 4.44, 1e-6);  // the last frame, after the first hold
    EXPECT_EQ(runs[1].second, 10);           // for 0.4 s
}

}  // namespace
}  // namespace beacon::pipeline
