#pragma once
// TEST-ONLY engines that make real media with ffmpeg's lavfi sources (sine tones, testsrc2
// pictures). Never linked into the product: only the pipeline tests include this header.
#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <thread>

#include "engines/engines.hpp"
#include "media/captions.hpp"
#include "media/runner.hpp"

namespace beacon::pipeline::testing {

/// Runs ffmpeg with a lavfi source: through `runner` when set (the fast tier's fake), else
/// the real one.
inline core::Status Lavfi(const std::vector<std::string>& args, std::stop_token stop,
                          core::ProcessRunner* runner = nullptr) {
    std::vector<std::string> argv = {"ffmpeg", "-hide_banner", "-nostdin",
                                     "-y",     "-loglevel",    "error"};
    argv.insert(argv.end(), args.begin(), args.end());
    media::RunOptions run;
    run.stop = stop;
    auto r = runner ? runner->Run(argv, run) : media::RunProcess(argv, run);
    if (!r.ok()) return std::move(r).error();
    return {};
}

class FakeScriptWriter final : public engines::ScriptWriter {
public:
    int scenes = 2;
    core::Result<engines::ScriptResult> Write(const engines::ScriptRequest& req,
                                              const engines::LogSink& log,
                                              std::stop_token) override {
        if (log) log("fake planner: " + std::to_string(scenes) + " scenes");
        engines::ScriptResult r;
        r.script.title = req.title.empty() ? "Test story" : req.title;
        r.script.description = "A test.";
        const char* cams[] = {"zoom_in", "pan_right", "static", "zoom_out"};
        for (int i = 0; i < scenes; ++i) {
            core::Scene s;
            s.id = i + 1;
            s.description = "Scene number " + std::to_string(i + 1);
            s.camera = cams[i % 4];
            s.duration = req.duration_target / scenes;
            s.lines = {"Words of scene " + std::to_string(i + 1) + "."};
            r.script.scenes.push_back(s);
        }
        r.provenance = Describe();
        r.raw = core::ToJson(r.script).dump();
        return r;
    }
    engines::Provenance Describe() const override { return {"fake-planner", "test", {}, true}; }
};

class FakeVoice final : public engines::VoiceEngine {
public:
    core::ProcessRunner* runner = nullptr;  // who runs ffmpeg (null: the real one)
    std::atomic<int> calls{0};
    core::Result<engines::VoiceResult> Speak(const engines::VoiceRequest& req,
                                             const std::filesystem::path& out_dir,
                                             std::stop_token stop) override {
        ++calls;
        std::vector<std::string> words;
        std::string cur;
        for (char c : req.text + " ") {
            if (c == ' ') {
                if (!cur.empty()) words.push_back(cur);
                cur.clear();
            } else {
                cur += c;
            }
        }
        engines::VoiceResult r;
        r.duration = 0.25 * static_cast<double>(words.size()) + 0.1;
        r.audio = out_dir / "voice.wav";
        auto st =
            Lavfi({"-f", "lavfi", "-i",
                   "sine=frequency=300:sample_rate=22050:duration=" + std::to_string(r.duration),
                   "-af", "volume=0.1", "-ac", "1", r.audio.string()},
                  stop, runner);
        if (!st.ok()) return std::move(st).error();
        for (std::size_t i = 0; i < words.size(); ++i) {
            r.words.push_back({words[i], 0.05 + 0.25 * static_cast<double>(i),
                               0.05 + 0.25 * static_cast<double>(i + 1)});
        }
        r.provenance = Describe();
        return r;
    }
    core::Result<std::vector<Voice>> ListVoices() override {
        return std::vector<Voice>{{"tone", "Tone", "en"}};
    }
    engines::Provenance Describe() const override { return {"fake-voice", "sine", {}, true}; }
};

class FakePictures final : public engines::PictureEngine {
public:
    core::ProcessRunner* runner = nullptr;  // who runs ffmpeg (null: the real one)
    std::atomic<int> calls{0};
    bool fail = false;
    bool layers = false;
    std::chrono::milliseconds later_scene_delay{0};  // scenes after the first wait this long
    // Drafts (PictureRequest::draft): when `drafts` is set the fake paints them at once, and
    // every full picture waits until `hold_full` says go (a 20 s hang guard); held_until_go
    // counts the full pictures that saw it say go.
    bool drafts = false;
    std::atomic<int> draft_calls{0};
    std::function<bool()> hold_full;
    std::atomic<int> held_until_go{0};
    bool PaintsDrafts() const override { return drafts; }
    core::Result<engines::PictureResult> Paint(const engines::PictureRequest& req,
                                               const std::filesystem::path& out_dir,
                                               const engines::LogSink&,
                                               std::stop_token stop) override {
        if (req.draft) {
            ++draft_calls;
            engines::PictureResult r;
            r.image = out_dir / "draft.png";
            auto st = Lavfi({"-f", "lavfi", "-i",
                             "color=c=gray:s=" + std::to_string(req.width) + "x" +
                                 std::to_string(req.height),
                             "-frames:v", "1", r.image.string()},
                            stop, runner);
            if (!st.ok()) return std::move(st).error();
            r.provenance = Describe();
            return r;
        }
        ++calls;
        if (fail) return core::Error::External("fake painter: canvas on fire");
        if (hold_full) {
            auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
            while (std::chrono::steady_clock::now() < until && !stop.stop_requested()) {
                if (hold_full()) {
                    ++held_until_go;
                    break;
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
            }
        }
        if (req.scene_index > 0 && later_scene_delay.count() > 0) {
            auto until = std::chrono::steady_clock::now() + later_scene_delay;
            while (std::chrono::steady_clock::now() < until && !stop.stop_requested()) {
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
            }
        }
        engines::PictureResult r;
        r.image = out_dir / "picture.png";
        const std::string hue = "hue=h=" + std::to_string(req.seed % 360);
        auto st = Lavfi({"-f", "lavfi", "-i", "testsrc2=s=320x180", "-vf", hue, "-frames:v", "1",
                         r.image.string()},
                        stop, runner);
        if (!st.ok()) return std::move(st).error();
        if (layers) {
            for (int i = 0; i < 2; ++i) {
                auto p = out_dir / ("layer" + std::to_string(i) + ".png");
                auto ls = Lavfi({"-f", "lavfi", "-i",
                                 i == 0 ? "color=c=navy:s=320x180" : "color=c=white@0.5:s=320x180",
                                 "-vf", "format=rgba", "-frames:v", "1", p.string()},
                                stop, runner);
                if (!ls.ok()) return std::move(ls).error();
                r.layers.push_back(p);
            }
        }
        r.provenance = Describe();
        r.provenance.parameters = {{"seed", req.seed}};
        return r;
    }
    engines::Provenance Describe() const override { return {"fake-painter", "testsrc2", {}, true}; }
};

class FakeCaptions final : public engines::CaptionEngine {
public:
    std::function<void()> on_caption;  // e.g. cancel the job from here
    core::Result<engines::CaptionResult> Caption(const engines::CaptionRequest& req,
                                                 std::stop_token stop) override {
        if (on_caption) on_caption();
        if (stop.stop_requested()) return core::Error::Canceled("captions canceled");
        engines::CaptionResult r;
        r.cues = media::GroupWords(req.words);
        r.provenance = Describe();
        return r;
    }
    engines::Provenance Describe() const override { return {"fake-captions", "timings", {}, true}; }
};

}  // namespace beacon::pipeline::testing
