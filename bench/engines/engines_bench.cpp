// Engines benchmark (issue 3, "Measured"). Run through bench/engines/run.sh.
//   engines_bench builtin   — built-in engines: planner per script, Flite compute seconds per
//                             second of speech, storyboard painter per 1280x720 frame.
//   engines_bench parallel  — a 4-scene job's "script" and "scenes" stages through the real
//                             pipeline and the real Ollama/ElevenLabs/ComfyUI adapters (made by
//                             engines::Engines::Create) against the stand-ins with fixed delays,
//                             beside the critical-path bound computed from those delays.
// Prints one `name: value` line per figure.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "engines/factory.hpp"
#include "pipeline/pipeline.hpp"
#include "pipeline/test_driver.hpp"
#include "storage/database.hpp"
#include "tests/doubles/double_process.hpp"

using namespace beacon;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

double MsSince(Clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

std::string Arg(int argc, char** argv, const std::string& name, const std::string& def) {
    for (int i = 2; i + 1 < argc; ++i) {
        if (argv[i] == name) return argv[i + 1];
    }
    return def;
}

fs::path FreshDir(const std::string& tag) {
    fs::path p = fs::temp_directory_path() /
                 ("beacon-engines-bench-" + tag + "-" + std::to_string(::getpid()));
    fs::remove_all(p);
    fs::create_directories(p);
    return p;
}

int Builtin(int argc, char** argv) {
    const int planner_rounds = std::atoi(Arg(argc, argv, "--planner-rounds", "50").c_str());
    const int frames = std::atoi(Arg(argc, argv, "--frames", "6").c_str());
    const fs::path dir = FreshDir("builtin");
    int rc = 0;

    // Planner: a table of prompts, each planned planner_rounds times.
    const std::vector<std::pair<std::string, double>> prompts = {
        {"A short sci-fi animation about a lighthouse that controls storms. Emerald palette, 2 "
         "scenes.",
         7.0},
        {"A documentary about bees in a city garden, warm sunset palette, 6 scenes", 60.0},
        {"Noir detective story in the rain, three scenes, slow pans", 20.0},
        {"A cheerful recipe video: pancakes with berries", 30.0},
        {"Explain how tides work for children, pastel colours, in four parts", 45.0},
        {"A calm ocean at night", 7.0},
    };
    engines::BuiltinPlanner planner;
    int scripts = 0;
    auto t0 = Clock::now();
    for (int r = 0; r < planner_rounds; ++r) {
        for (const auto& [prompt, target] : prompts) {
            engines::ScriptRequest req{prompt, "", "cinematic", "en", target};
            auto res = planner.Write(req, nullptr, {});
            if (!res.ok()) {
                std::fprintf(stderr, "planner failed: %s\n", res.error().message.c_str());
                return 1;
            }
            ++scripts;
        }
    }
    const double planner_ms = MsSince(t0) / scripts;
    std::printf("planner_ms_per_script: %.3f (%d scripts, %zu prompts)\n", planner_ms, scripts,
                prompts.size());

    // Flite: synthesise narration lines; compute time over speech time.
    const std::vector<std::string> lines = {
        "On the black cliff, the old lighthouse wakes before the storm.",
        "Its lamp turns slowly, and the clouds begin to part above the emerald sea.",
        "The keeper climbs the spiral stairs, counting every step as his father did.",
        "Far below, a fishing boat rides the swell into the quiet of the harbour.",
        "By dawn the water is calm, and the gulls return to the harbour wall.",
        "Nobody in the village knows why the storms always turn away from here.",
    };
    engines::FliteVoiceEngine flite;
    double speech_s = 0;
    auto t1 = Clock::now();
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const fs::path out = dir / ("voice-" + std::to_string(i));
        fs::create_directories(out);
        auto res = flite.Speak({lines[i], "", "en"}, out, {});
        if (!res.ok()) {
            std::fprintf(stderr, "flite failed: %s\n", res.error().message.c_str());
            return 1;
        }
        speech_s += res->duration;
    }
    const double flite_s = MsSince(t1) / 1000.0;
    std::printf("flite_compute_s_per_speech_s: %.4f (%.2f s of speech in %.3f s, %zu lines, "
                "%.0fx real time)\n",
                flite_s / speech_s, speech_s, flite_s, lines.size(), speech_s / flite_s);

    // Storyboard painter: 1280x720 frames (the full frame plus its parallax layers, as the
    // pipeline asks for them), one at a time.
    engines::StoryboardPainter painter;
    std::vector<double> per_frame;
    for (int i = 0; i < frames; ++i) {
        engines::PictureRequest req;
        req.scene.id = i + 1;
        req.scene.description = "Wide shot of the lighthouse on a cliff above a stormy sea, "
                                "waves breaking, lamp shining";
        req.scene.shot_type = "wide";
        req.scene.camera = "slow_pan";
        req.scene.duration = 5;
        req.scene.lines = {lines[static_cast<std::size_t>(i) % lines.size()]};
        req.prompt = prompts[0].first;
        req.style = "cinematic";
        req.title = "The Storm Keeper";
        req.width = 1280;
        req.height = 720;
        req.seed = 1000 + i;
        req.scene_index = i;
        req.scene_count = frames;
        const fs::path out = dir / ("picture-" + std::to_string(i));
        fs::create_directories(out);
        auto t = Clock::now();
        auto res = painter.Paint(req, out, nullptr, {});
        per_frame.push_back(MsSince(t));
        if (!res.ok()) {
            std::fprintf(stderr, "painter failed: %s\n", res.error().message.c_str());
            rc = 1;
            break;
        }
        if (i == 0) {
            std::printf("painter_output: frame + %zu parallax layers per picture\n",
                        res->layers.size());
        }
    }
    if (!per_frame.empty()) {
        std::vector<double> s = per_frame;
        std::sort(s.begin(), s.end());
        double sum = 0;
        for (double v : s) sum += v;
        std::printf("painter_ms_per_frame_1280x720: mean %.0f, median %.0f, min %.0f, max %.0f "
                    "(%zu frames)\n",
                    sum / s.size(), s[s.size() / 2], s.front(), s.back(), s.size());
    }
    fs::remove_all(dir);
    return rc;
}

int Parallel(int argc, char** argv) {
    const double script_delay = std::atof(Arg(argc, argv, "--script-delay", "2").c_str());
    const double voice_delay = std::atof(Arg(argc, argv, "--voice-delay", "0.5").c_str());
    const double picture_delay = std::atof(Arg(argc, argv, "--picture-delay", "3").c_str());
    const int scenes = std::atoi(Arg(argc, argv, "--scenes", "4").c_str());
    const int picture_slots = std::atoi(Arg(argc, argv, "--picture-slots", "1").c_str());
    const int voice_slots = std::atoi(Arg(argc, argv, "--voice-slots", "2").c_str());
    const double duration = 5.0 * scenes;
    const std::string runner = "../../bench/engines/bench_doubles.py";
    auto fmt = [](double v) { return std::to_string(v); };

    beacon::testing::DoubleProcess ollama(
        runner, {"--as", "ollama", "--scenes", std::to_string(scenes), "--duration", fmt(duration),
                 "--delay", fmt(script_delay)});
    beacon::testing::DoubleProcess eleven(
        runner, {"--as", "elevenlabs", "--delay", fmt(voice_delay), "--concurrency",
                 std::to_string(voice_slots)});
    beacon::testing::DoubleProcess comfy(
        runner, {"--as", "comfyui", "--delay", fmt(picture_delay), "--step-delay", "0"});

    engines::EngineOptions opts;
    opts.select.script = core::Engine::kOllama;
    opts.select.voice = core::Engine::kElevenLabs;
    opts.select.pictures = core::Engine::kComfyUi;
    opts.ollama.host = ollama.url();
    opts.elevenlabs.base_url = eleven.url();
    opts.elevenlabs.api_key = "sk_test_secret_key_123";
    opts.elevenlabs.voice_id = "21m00Tcm4TlvDq8ikWAM";
    opts.elevenlabs.output_format = "wav_16000";
    opts.elevenlabs.concurrency = voice_slots;
    opts.comfyui.host = comfy.url();
    opts.comfyui.concurrency = picture_slots;
    auto made = engines::Engines::Create(opts);
    if (!made.ok()) {
        std::fprintf(stderr, "engines: %s\n", made.error().message.c_str());
        return 1;
    }
    auto& eng = **made;
    int failures = 0;
    for (const auto& h : eng.Check()) {
        std::printf("doctor: %s %s %s — %s\n", h.capability.c_str(), h.engine.c_str(),
                    h.ok ? "ok" : "FAILED", h.detail.c_str());
        if (!h.ok) ++failures;
    }
    if (failures) return 1;

    // Critical path: the script, then max(pictures serial in their slots, voices in theirs).
    auto rounds = [](int n, int slots) { return (n + slots - 1) / std::max(1, slots); };
    const double pictures_s = rounds(scenes, picture_slots) * picture_delay;
    const double voices_s = rounds(scenes, voice_slots) * voice_delay;
    const double bound_s = script_delay + std::max(pictures_s, voices_s);
    std::printf("delays: script %.2f s, voice %.2f s per line (1 line per scene, %d slots), "
                "picture %.2f s per scene (%d slot)\n",
                script_delay, voice_delay, voice_slots, picture_delay, picture_slots);
    std::printf("critical_path_bound_s: %.2f = %.2f + max(%d pictures: %.2f, %d voices: %.2f)\n",
                bound_s, script_delay, scenes, pictures_s, scenes, voices_s);

    const int runs = std::atoi(Arg(argc, argv, "--runs", "2").c_str());
    double worst = 0;
    for (int run = 1; run <= runs; ++run) {
        const fs::path root = FreshDir("parallel-" + std::to_string(run));
        auto db = storage::OpenSqlite((root / "beacon.db").string());
        auto store = storage::OpenFilesystemStore(root / "store");
        if (!db.ok() || !store.ok()) {
            std::fprintf(stderr, "cannot open storage in %s\n", root.c_str());
            return 1;
        }
        // No translator and no entity extractor: the stages timed here are script, voice and
        // pictures.
        engines::EngineSet set = eng.Set();
        set.translator = nullptr;
        set.entities = nullptr;
        pipeline::GenerationPipeline p(set, **db, **store, media::MediaOptions{},
                                       root / "scratch");
        auto user = (*db)->GetOrCreateUser("bench");
        core::GenerateRequest req;
        req.prompt = "A short animation about a lighthouse keeper who turns storms away. Emerald "
                     "palette, " + std::to_string(scenes) + " scenes. Run " + std::to_string(run);
        req.duration_target = duration;
        req.output_preset = "720p";
        auto job = (*db)->CreateJob(user->id, req);
        if (!job.ok()) return 1;
        pipeline::testing::TestContext ctx(**db, *job, {});
        double stage_ms[2] = {0, 0};
        auto t0 = Clock::now();
        int i = 0;
        for (auto& stage : p.StagesFor(*job)) {
            if (stage.name != pipeline::kScriptStage && stage.name != pipeline::kScenesStage)
                continue;
            ctx.stage = stage.name;
            auto ts = Clock::now();
            auto out = stage.run(ctx);
            stage_ms[i++] = MsSince(ts);
            if (!out.ok()) {
                std::fprintf(stderr, "stage %s failed: %s\n", stage.name.c_str(),
                             out.error().message.c_str());
                return 1;
            }
            (void)(*db)->RecordStage(job->id, stage.name, *out);
            ctx.Record(stage.name, *out);
        }
        const double wall_s = MsSince(t0) / 1000.0;
        int voiced = 0, painted = 0;
        for (const auto& [level, msg] : ctx.logs) {
            if (msg.find(": voice ") != std::string::npos) ++voiced;
            if (msg.find(": picture by ") != std::string::npos) ++painted;
            if (level != core::LogLevel::kCmd && (msg.rfind("scene ", 0) == 0 || msg.rfind("script:", 0) == 0 ||
                                   msg.rfind("preview", 0) == 0)) {
                std::printf("  log: %s\n", msg.c_str());
            }
        }
        if (voiced != scenes || painted != scenes) {
            std::fprintf(stderr, "expected %d voices and pictures, saw %d and %d\n", scenes,
                         voiced, painted);
            return 1;
        }
        worst = std::max(worst, wall_s / bound_s);
        std::printf("run %d: script_stage_s %.2f, scenes_stage_s %.2f, wall_s %.2f, "
                    "ratio_to_bound %.3f\n",
                    run, stage_ms[0] / 1000, stage_ms[1] / 1000, wall_s, wall_s / bound_s);
        fs::remove_all(root);
    }
    std::printf("worst_ratio_to_bound: %.3f (goal <= 1.10: %s)\n", worst,
                worst <= 1.10 ? "met" : "NOT met");
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "builtin") return Builtin(argc, argv);
    if (mode == "parallel") return Parallel(argc, argv);
    std::fprintf(stderr, "usage: engines_bench builtin|parallel [--flag value ...]\n");
    return 2;
}
