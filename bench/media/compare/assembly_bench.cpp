// Final-assembly comparison (issue 4, "Measured"); run through bench/media/compare/run.sh.
//   assembly_bench prepare <dir>  — untimed: 6 storyboard pictures at 1920x1080 (with parallax
//       layers), 6 Flite narration lines, and the mixed narration as <dir>/audio.wav (Beacon's
//       own narration mix, handed to the other tools so they get the same sound); writes
//       <dir>/scenes.txt: "picture camera" per line.
//   assembly_bench final <dir> stills|parallax — times Beacon's final assembly (media::MakeFinal:
//       narration mix, loudness analysis, the one-pass motion + crossfade + loudnorm + x264
//       encode) of the 60 s, 6-scene, 1080p video; stills = camera moves on the full frames,
//       parallax = the storyboard's depth layers (what the built-in pipeline does).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "engines/flite_voice.hpp"
#include "engines/storyboard.hpp"
#include "media/assembly.hpp"
#include "media/probe.hpp"

using namespace beacon;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kScenes = 6;
constexpr double kDuration = 60.0;

const char* kCameras[kScenes] = {"zoom_in", "slow_pan", "zoom_out", "pan_left", "pan_right",
                                 "zoom_in"};
const char* kLines[kScenes] = {
    "On the black cliff, the old lighthouse wakes before the storm, as it has for a hundred "
    "years.",
    "Its lamp turns slowly, and the clouds begin to part above the emerald sea.",
    "The keeper climbs the spiral stairs, counting every step as his father did.",
    "Far below, a fishing boat rides the swell into the quiet of the harbour.",
    "By dawn the water is calm, and the gulls return to the harbour wall.",
    "Nobody in the village knows why the storms always turn away from here.",
};
const char* kScenesText[kScenes] = {
    "Wide shot of a lighthouse on a black cliff above a stormy sea",
    "Storm clouds gathering over the emerald sea at dusk",
    "The keeper climbing the spiral stairs inside the lighthouse tower",
    "A fishing boat in the lee of the rocks, waves breaking",
    "Dawn over a calm sea, gulls over the harbour wall",
    "The lighthouse lamp shining over the village at night",
};

struct Material {
    std::vector<media::SceneMedia> scenes;
};

Material Load(const fs::path& dir, bool with_layers) {
    Material m;
    for (int i = 0; i < kScenes; ++i) {
        media::SceneMedia s;
        const fs::path sd = dir / ("scene-" + std::to_string(i + 1));
        s.title = kScenesText[i];
        s.camera = kCameras[i];
        s.duration = kDuration / kScenes;
        s.picture = (sd / "picture.png").string();
        if (with_layers) {
            for (int l = 0;; ++l) {
                const fs::path lp = sd / ("layer_" + std::to_string(l) + ".png");
                if (!fs::exists(lp)) break;
                s.layers.push_back(lp.string());
            }
        }
        s.voice = (sd / "voice.wav").string();
        std::ifstream in(sd / "voice_duration.txt");
        in >> s.voice_duration;
        m.scenes.push_back(std::move(s));
    }
    return m;
}

int Prepare(const fs::path& dir) {
    fs::create_directories(dir);
    engines::StoryboardPainter painter;
    engines::FliteVoiceEngine flite;
    std::ofstream list(dir / "scenes.txt");
    for (int i = 0; i < kScenes; ++i) {
        const fs::path sd = dir / ("scene-" + std::to_string(i + 1));
        fs::create_directories(sd / "p");
        fs::create_directories(sd / "v");
        engines::PictureRequest req;
        req.scene.id = i + 1;
        req.scene.description = kScenesText[i];
        req.scene.shot_type = "wide";
        req.scene.camera = kCameras[i];
        req.scene.duration = kDuration / kScenes;
        req.scene.lines = {kLines[i]};
        req.prompt = "A lighthouse that controls storms. Emerald palette, 6 scenes.";
        req.style = "cinematic";
        req.title = "The Storm Keeper";
        req.width = 1920;
        req.height = 1080;
        req.seed = 42 + i;
        req.scene_index = i;
        req.scene_count = kScenes;
        auto pic = painter.Paint(req, sd / "p", nullptr, {});
        if (!pic.ok()) {
            std::fprintf(stderr, "painter: %s\n", pic.error().message.c_str());
            return 1;
        }
        fs::copy_file(pic->image, sd / "picture.png", fs::copy_options::overwrite_existing);
        for (std::size_t l = 0; l < pic->layers.size(); ++l) {
            fs::copy_file(pic->layers[l], sd / ("layer_" + std::to_string(l) + ".png"),
                          fs::copy_options::overwrite_existing);
        }
        auto voice = flite.Speak({kLines[i], "", "en"}, sd / "v", {});
        if (!voice.ok()) {
            std::fprintf(stderr, "flite: %s\n", voice.error().message.c_str());
            return 1;
        }
        fs::copy_file(voice->audio, sd / "voice.wav", fs::copy_options::overwrite_existing);
        std::ofstream(sd / "voice_duration.txt") << voice->duration;
        list << (sd / "picture.png").string() << " " << kCameras[i] << "\n";
    }
    // The narration mix on Beacon's timeline, as the other tools' audio input.
    Material m = Load(dir, false);
    media::MediaOptions opts;
    auto t = media::PlanTimeline(m.scenes, kDuration, opts.fps);
    if (!t.ok()) return 1;
    auto cmd = media::BuildNarrationCommand(opts, m.scenes, *t, (dir / "audio.wav").string());
    auto st = media::RunFfmpeg(opts, cmd, {});
    if (!st.ok()) {
        std::fprintf(stderr, "narration: %s\n", st.error().message.c_str());
        return 1;
    }
    std::printf("prepared %d scenes in %s (timeline %.2f s, crossfade %d frames at %d fps)\n",
                kScenes, dir.c_str(), t->duration(), t->transition_frames, t->fps);
    return 0;
}

int Final(const fs::path& dir, const std::string& variant) {
    Material m = Load(dir, variant == "parallax");
    media::MediaOptions opts;
    const fs::path scratch = dir / ("beacon-" + variant);
    fs::remove_all(scratch);
    fs::create_directories(scratch);
    const std::string out = (dir / ("beacon-" + variant + ".mp4")).string();
    auto t0 = Clock::now();
    auto t = media::PlanTimeline(m.scenes, kDuration, opts.fps);
    if (!t.ok()) return 1;
    media::RunOptions run;
    int commands = 0;
    run.on_command = [&](const std::string&) { ++commands; };
    auto fin = media::MakeFinal(opts, m.scenes, *t, media::PresetSize("1080p"), scratch.string(),
                                "", out, run);
    const double s = std::chrono::duration<double>(Clock::now() - t0).count();
    if (!fin.ok()) {
        std::fprintf(stderr, "MakeFinal: %s\n", fin.error().message.c_str());
        return 1;
    }
    auto info = media::Probe(opts, out);
    std::printf("beacon_%s_s: %.2f (%d ffmpeg runs; output %.2f s at %d fps, 1920x1080)\n",
                variant.c_str(), s, commands, info.ok() ? info->duration : -1.0, opts.fps);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string mode = argc > 2 ? argv[1] : "";
    if (mode == "prepare") return Prepare(argv[2]);
    if (mode == "final" && argc > 3) return Final(argv[2], argv[3]);
    std::fprintf(stderr, "usage: assembly_bench prepare <dir> | final <dir> stills|parallax\n");
    return 2;
}
