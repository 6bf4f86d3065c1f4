// The pipeline on the app's bounded pools: four jobs of twelve scenes run at once, and the
// process never holds more threads than the pools, the four job threads and this test's own
// (counted in /proc/self/task while the jobs run). One thread per voice and picture would
// start 96 more.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <thread>

#include "core/task_pool.hpp"
#include "pipeline/pipeline.hpp"
#include "pipeline/test_driver.hpp"
#include "pipeline/testing_engines.hpp"
#include "storage/database.hpp"

namespace beacon::pipeline {
namespace {

namespace fs = std::filesystem;

int ThreadsNow() {
    int n = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator("/proc/self/task")) ++n;
    return n;
}

/// Runs the script and scenes stages only (the stages that fan out), like a worker would.
core::Status DriveScenes(jobs::JobDefinition& def, storage::Database& db, std::int64_t id) {
    auto job = db.GetJob(id);
    if (!job.ok()) return job.error();
    testing::TestContext ctx(db, *job, {});
    for (auto& stage : def.StagesFor(*job)) {
        ctx.stage = stage.name;
        auto out = stage.run(ctx);
        if (!out.ok()) return out.error();
        ctx.Record(stage.name, *out);
        if (stage.name == kScenesStage) break;
    }
    return {};
}

TEST(PipelinePools, FourJobsOfTwelveScenesStayWithinThePoolsThreads) {
    const fs::path root = fs::temp_directory_path() /
                          ("beacon-pools-" + std::to_string(::getpid()));
    fs::remove_all(root);
    fs::create_directories(root);
    auto db = storage::OpenSqlite((root / "beacon.db").string());
    ASSERT_TRUE(db.ok()) << db.error().message;
    auto store = storage::OpenFilesystemStore(root / "store");
    ASSERT_TRUE(store.ok());
    testing::FakeScriptWriter script;
    script.scenes = 12;
    testing::FakeVoice voice;
    testing::FakePictures pictures;
    testing::FakeCaptions captions;
    engines::EngineSet set;
    set.script = &script;
    set.voice = &voice;
    set.pictures = &pictures;
    set.captions = &captions;
    core::TaskPool io("io", 3);
    core::TaskPool cpu("cpu", 2);
    GenerationPipeline pipeline(set, **db, **store, media::MediaOptions{}, root / "scratch",
                                core::TaskPools{io, cpu});

    auto user = (*db)->GetOrCreateUser("tester");
    ASSERT_TRUE(user.ok());
    std::vector<std::int64_t> ids;
    for (int i = 0; i < 4; ++i) {
        core::GenerateRequest req;
        req.prompt = "Four at once, job " + std::to_string(i);
        req.duration_target = 12.0;
        req.output_preset = "480p";
        auto job = (*db)->CreateJob(user->id, req);
        ASSERT_TRUE(job.ok());
        ids.push_back(job->id);
    }

    const int baseline = ThreadsNow();  // the pools' 5 threads are already here
    std::atomic<bool> running{true};
    std::atomic<int> most{0};
    std::thread sampler([&] {
        while (running) {
            most = std::max(most.load(), ThreadsNow());
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
    });
    std::vector<core::Status> results(ids.size());
    std::vector<std::thread> jobs;  // stand-ins for the worker pool's four job threads
    for (std::size_t i = 0; i < ids.size(); ++i) {
        jobs.emplace_back([&, i] { results[i] = DriveScenes(pipeline, **db, ids[i]); });
    }
    for (auto& t : jobs) t.join();
    running = false;
    sampler.join();

    for (const auto& r : results) EXPECT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(pictures.calls.load(), 48);  // every picture differs (seeds follow the prompt)
    EXPECT_GE(voice.calls.load(), 12);     // the same lines' voices are shared through the cache
    EXPECT_LE(voice.calls.load(), 48);
    for (auto id : ids) {
        auto job = (*db)->GetJob(id);
        ASSERT_TRUE(job.ok());
        ASSERT_TRUE(job->stages.contains("scene:12"));  // every scene was recorded
    }
    // Baseline (with the pools) + 4 job threads + the sampler; nothing else may appear.
    EXPECT_LE(most.load(), baseline + 4 + 1) << "baseline " << baseline;
    fs::remove_all(root);
}

}  // namespace
}  // namespace beacon::pipeline
