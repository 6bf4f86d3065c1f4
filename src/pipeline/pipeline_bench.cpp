// Times the generation pipeline with the built-in engines: time to a playable preview, to the
// final library item, and a rerun of final+compose whose encode is reused. Run through
// bench/media/media_bench.sh. Prints one line per figure.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "engines/captions.hpp"
#include "engines/flite_voice.hpp"
#include "engines/planner.hpp"
#include "engines/storyboard.hpp"
#include "pipeline/pipeline.hpp"
#include "pipeline/test_driver.hpp"
#include "storage/database.hpp"

using namespace beacon;
namespace fs = std::filesystem;

// The storyboard painter without drafts (`--drafts 0`): the preview as it was made before them.
class NoDrafts final : public engines::PictureEngine {
public:
    explicit NoDrafts(engines::PictureEngine& inner) : inner_(inner) {}
    core::Result<engines::PictureResult> Paint(const engines::PictureRequest& req,
                                               const fs::path& out_dir,
                                               const engines::LogSink& log,
                                               std::stop_token stop) override {
        return inner_.Paint(req, out_dir, log, stop);
    }
    engines::Provenance Describe() const override { return inner_.Describe(); }

private:
    engines::PictureEngine& inner_;
};

int main(int argc, char** argv) {
    std::string prompt =
        "A short sci-fi animation about a lighthouse that controls storms. Emerald palette, 2 "
        "scenes.";
    double duration = 7.0;
    std::string preset = "720p";
    bool keep = false;
    bool drafts = true;
    fs::path root =
        fs::temp_directory_path() / ("beacon-media-bench-" + std::to_string(::getpid()));
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string k = argv[i];
        if (k == "--prompt") prompt = argv[i + 1];
        if (k == "--duration") duration = std::atof(argv[i + 1]);
        if (k == "--preset") preset = argv[i + 1];
        if (k == "--dir") root = argv[i + 1];
        if (k == "--keep") keep = std::string(argv[i + 1]) == "1";
        if (k == "--drafts") drafts = std::string(argv[i + 1]) != "0";
    }
    fs::remove_all(root);
    fs::create_directories(root);
    std::printf("working in %s\n", root.c_str());
    auto db = storage::OpenSqlite((root / "beacon.db").string());
    auto store = storage::OpenFilesystemStore(root / "store");
    if (!db.ok() || !store.ok()) {
        std::fprintf(stderr, "cannot open storage in %s\n", root.c_str());
        return 1;
    }
    engines::BuiltinPlanner planner;
    engines::FliteVoiceEngine voice;
    engines::StoryboardPainter painter;
    engines::ExactCaptionEngine captions;
    NoDrafts painter_without_drafts(painter);
    engines::PictureEngine* pictures = drafts ? static_cast<engines::PictureEngine*>(&painter)
                                              : &painter_without_drafts;
    engines::EngineSet set{&planner, &voice, pictures, &captions, nullptr, nullptr};
    pipeline::GenerationPipeline p(set, **db, **store, media::MediaOptions{}, root / "scratch");
    auto user = (*db)->GetOrCreateUser("bench");
    core::GenerateRequest req;
    req.prompt = prompt;
    req.duration_target = duration;
    req.output_preset = preset;
    auto job = (*db)->CreateJob(user->id, req);

    auto t0 = std::chrono::steady_clock::now();
    auto r = pipeline::testing::Drive(p, **db, job->id);
    double total =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (!r.status.ok()) {
        std::fprintf(stderr, "job failed: %s\n", r.status.error().message.c_str());
        return 1;
    }
    double preview_ms = -1;
    double final_ms = -1;
    for (std::size_t i = 0; i < r.url_events.size(); ++i) {
        if (preview_ms < 0 && r.url_events[i].contains("preview_url"))
            preview_ms = r.url_event_ms[i];
        if (r.url_events[i].contains("final_url")) final_ms = r.url_event_ms[i];
    }
    for (const auto& [level, msg] : r.logs) {
        if (level != core::LogLevel::kCmd) std::printf("  log: %s\n", msg.c_str());
    }
    std::printf("prompt: %s\nduration_target: %.1f s, preset %s, drafts %s\n", prompt.c_str(),
                duration, preset.c_str(), drafts ? "on" : "off");
    std::printf("time_to_preview_ms: %.0f\n", preview_ms);
    std::printf("time_to_final_ms: %.0f\n", final_ms);
    std::printf("job_total_ms: %.0f\n", total);

    (void)(*db)->ForgetStages(job->id, {"final", "compose"});
    auto t1 = std::chrono::steady_clock::now();
    auto again = pipeline::testing::Drive(p, **db, job->id);
    double rerun =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t1).count();
    auto j = (*db)->GetJob(job->id);
    bool reused = again.status.ok() && j.ok() && j->stages["final"].value("reused", false);
    std::printf("rerun_final_compose_ms: %.0f (encode reused: %s)\n", rerun, reused ? "yes" : "no");
    // A second job with the same request: every scene asset and the encode come from the cache.
    auto job2 = (*db)->CreateJob(user->id, req);
    auto t2 = std::chrono::steady_clock::now();
    auto second = pipeline::testing::Drive(p, **db, job2->id);
    double second_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t2).count();
    auto j2 = (*db)->GetJob(job2->id);
    bool reused2 = second.status.ok() && j2.ok() && j2->stages["final"].value("reused", false);
    double preview2 = -1;
    for (std::size_t i = 0; i < second.url_events.size(); ++i) {
        if (preview2 < 0 && second.url_events[i].contains("preview_url"))
            preview2 = second.url_event_ms[i];
    }
    std::printf("identical_job_total_ms: %.0f (preview at %.0f ms, encode reused: %s)\n", second_ms,
                preview2, reused2 ? "yes" : "no");
    if (!keep) fs::remove_all(root);
    return again.status.ok() && second.status.ok() ? 0 : 1;
}
