#include "ops/service.hpp"

#include <gtest/gtest.h>

#include "tests/support/spec_modules.hpp"
#include <sys/stat.h>

#include <fstream>
#include <regex>
#include <set>
#include <thread>

#include "jobs/event_bus.hpp"
#include "ops/http.hpp"
#include "ops/moderation.hpp"
#include "ops/moderation_http.hpp"
#include "ops/test_support.hpp"
#include "server/http_types.hpp"
#include "server/router.hpp"
#include "server/server.hpp"
#include "storage/database.hpp"

namespace beacon::ops {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

struct Fixture {
    fs::path dir;
    std::unique_ptr<storage::Database> db;
    jobs::EventBus events;
    std::int64_t user = 0;

    explicit Fixture(const std::string& name) : dir(TempDir(name)) {
        auto opened = storage::OpenSqlite((dir / "beacon.db").string());
        EXPECT_TRUE(opened.ok());
        db = std::move(*opened);
        user = db->GetOrCreateUser("admin")->id;
    }
    core::Job NewJob() {
        auto req = core::ParseGenerateRequest({{"prompt", "a lighthouse"}});
        return *db->CreateJob(user, *req);
    }
    std::unique_ptr<OpsService> Ops(OpsOptions o = {}) {
        o.data_dir = dir;
        if (o.nvidia_smi == "nvidia-smi") o.nvidia_smi = (dir / "no-nvidia-smi").string();
        auto ops = OpsService::Open(o, events);
        EXPECT_TRUE(ops.ok()) << (ops.ok() ? "" : ops.error().message);
        return std::move(*ops);
    }
};

server::Request MakeRequest(std::string method, std::string path, std::string client = "10.0.0.1") {
    server::Request r;
    r.method = std::move(method);
    r.segments = server::SplitPath(path);
    r.raw_path = std::move(path);
    r.client = std::move(client);
    return r;
}

bool Has(const std::string& text, const std::string& line) {
    return text.find(line) != std::string::npos;
}

TEST(OpsService, JobsByStateAndQueueAgeComeFromTheDatabase) {
    Fixture f("jobs");
    f.NewJob();
    auto second = f.NewJob();
    ASSERT_TRUE(f.db->FinishJob(second.id, core::JobState::kFailed,
                                core::Error::External("engine said no"), std::nullopt)
                    .ok());
    auto ops = f.Ops();
    std::string text = ops->RenderMetrics();
    EXPECT_TRUE(Has(text, "beacon_jobs{state=\"queued\"} 1\n")) << text;
    EXPECT_TRUE(Has(text, "beacon_jobs{state=\"failed\"} 1\n")) << text;
    EXPECT_TRUE(Has(text, "beacon_jobs{state=\"completed\"} 0\n")) << text;
    EXPECT_TRUE(Has(text, "beacon_jobs_by_kind{kind=\"generate\",state=\"queued\"} 1\n")) << text;
    EXPECT_TRUE(Has(text, "# TYPE beacon_queue_oldest_job_age_seconds gauge\n")) << text;
    EXPECT_TRUE(Has(text, "beacon_quota_jobs_today 2\n")) << text;
    EXPECT_TRUE(Has(text, "process_resident_memory_bytes ")) << text;
    EXPECT_TRUE(Has(text, "process_open_fds ")) << text;
    EXPECT_TRUE(Has(text, "beacon_disk_free_bytes ")) << text;
    EXPECT_TRUE(Has(text, "beacon_storage_bytes{class=\"database\"} ")) << text;
}

TEST(OpsService, RequestsAreCountedByRoutePatternNeverByPath) {
    Fixture f("requests");
    auto ops = f.Ops();
    ops->SetRoutes({{"GET", "/api/v1/jobs"}, {"GET", "/api/v1/jobs/{id}"},
                    {"POST", "/api/v1/jobs/{id}/cancel"}, {"GET", "/api/v1/jobs/{id}/logs"}});
    auto a = MakeRequest("GET", "/api/v1/jobs/17");
    auto b = MakeRequest("GET", "/api/v1/jobs/18");
    ops->ObserveRequest(a, 200, 0.002);
    ops->ObserveRequest(b, 404, 0.001);
    auto c = MakeRequest("BREW", "/nowhere");
    ops->ObserveRequest(c, 404, 0.001);
    std::string text = ops->RenderMetrics();
    EXPECT_TRUE(Has(text, "beacon_http_requests_total{method=\"GET\",route=\"/api/v1/jobs/{id}\",status=\"200\"} 1\n")) << text;
    EXPECT_TRUE(Has(text, "beacon_http_requests_total{method=\"GET\",route=\"/api/v1/jobs/{id}\",status=\"404\"} 1\n")) << text;
    EXPECT_TRUE(Has(text, "beacon_http_requests_total{method=\"other\",route=\"static\",status=\"404\"} 1\n")) << text;
    EXPECT_TRUE(Has(text, "beacon_http_request_duration_seconds_count{method=\"GET\",route=\"/api/v1/jobs/{id}\"} 2\n")) << text;
    EXPECT_FALSE(Has(text, "/api/v1/jobs/17")) << text;
}

TEST(OpsService, LiveLoopSegmentsAndViewersPerChannel) {
    Fixture f("live");
    auto ops = f.Ops();
    ops->SetRoutes({{"GET", "/live/{slug}/index.m3u8"}, {"GET", "/live/{slug}/v/{file}"}});
    auto pl1 = MakeRequest("GET", "/live/main/index.m3u8", "10.0.0.1");
    auto pl2 = MakeRequest("GET", "/live/main/tv.m3u8", "10.0.0.2");
    auto pl1again = MakeRequest("GET", "/live/main/index.m3u8", "10.0.0.1");
    auto seg = MakeRequest("GET", "/live/main/v/seg-12.ts", "10.0.0.1");
    auto missing = MakeRequest("GET", "/live/nope/index.m3u8", "10.0.0.3");
    ops->ObserveRequest(pl1, 200, 0.001);
    ops->ObserveRequest(pl2, 200, 0.001);
    ops->ObserveRequest(pl1again, 200, 0.001);
    ops->ObserveRequest(seg, 200, 0.001);
    ops->ObserveRequest(seg, 206, 0.001);
    ops->ObserveRequest(missing, 404, 0.001);
    std::string text = ops->RenderMetrics();
    EXPECT_TRUE(Has(text, "beacon_liveloop_viewers{channel=\"main\"} 2\n")) << text;
    EXPECT_TRUE(Has(text, "beacon_liveloop_segments_served_total{channel=\"main\"} 2\n")) << text;
    EXPECT_FALSE(Has(text, "channel=\"nope\"")) << text;  // a 404 makes no label
    EXPECT_TRUE(Has(text, "beacon_http_requests_total{method=\"GET\",route=\"/live/{slug}/v/{file}\",status=\"206\"} 1\n")) << text;
}

TEST(OpsService, TheRouteTheServerMatchedIsTheLabelFromEveryThread) {
    Fixture f("matched");
    auto ops = f.Ops();  // no SetRoutes: the label can only come from the request
    static const std::string kSegment = "/live/{slug}/v/{file}";
    auto seg = MakeRequest("GET", "/live/main/v/12.ts");
    seg.route = kSegment;
    auto unmatched = MakeRequest("GET", "/api/v1/nowhere");
    std::vector<std::thread> threads;
    for (int t = 0; t < 2; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 500; ++i) {
                ops->ObserveRequest(seg, 200, 0.001);
                ops->ObserveRequest(unmatched, 404, 0.001);  // labels kept per thread: none leak
            }
        });
    }
    for (auto& t : threads) t.join();
    std::string text = ops->RenderMetrics();
    EXPECT_TRUE(Has(text, "beacon_http_requests_total{method=\"GET\",route=\"/live/{slug}/v/{file}\",status=\"200\"} 1000\n")) << text;
    EXPECT_TRUE(Has(text, "beacon_http_requests_total{method=\"GET\",route=\"unmatched_api\",status=\"404\"} 1000\n")) << text;
    EXPECT_TRUE(Has(text, "beacon_http_request_duration_seconds_count{method=\"GET\",route=\"/live/{slug}/v/{file}\"} 1000\n")) << text;
    EXPECT_TRUE(Has(text, "beacon_liveloop_segments_served_total{channel=\"main\"} 1000\n")) << text;
    EXPECT_FALSE(Has(text, "/live/main/v/12.ts")) << text;
}

TEST(OpsService, StageDurationsAndRoundTripFromJobEvents) {
    Fixture f("stages");
    auto ops = f.Ops();
    auto job = f.NewJob();
    auto publish = [&](core::JobState s) {
        auto j = core::ToJson(job);
        j["status"] = std::string(core::ToString(s));
        f.events.Publish("job.updated", j);
    };
    publish(core::JobState::kQueued);
    publish(core::JobState::kGeneratingScript);
    publish(core::JobState::kRenderingFinal);
    ASSERT_TRUE(f.db->FinishJob(job.id, core::JobState::kCompleted, std::nullopt, std::nullopt).ok());
    publish(core::JobState::kCompleted);
    std::string text = ops->RenderMetrics();
    EXPECT_TRUE(Has(text, "beacon_job_stage_duration_seconds_count{stage=\"generating_script\"} 1\n")) << text;
    EXPECT_TRUE(Has(text, "beacon_job_stage_duration_seconds_count{stage=\"rendering_final\"} 1\n")) << text;
    EXPECT_FALSE(Has(text, "stage=\"queued\"")) << text;
    EXPECT_TRUE(Has(text, "beacon_job_duration_seconds_count 1\n")) << text;
    EXPECT_TRUE(Has(text, "beacon_jobs_finished_total{state=\"completed\"} 1\n")) << text;
    auto summary = ops->Summary();
    ASSERT_EQ(summary["job_rtts"].size(), 1u);
    EXPECT_EQ(summary["job_rtts"][0]["job_id"], job.id);
}

TEST(OpsService, QuotaRefusesTheJobBeyondTheDailyLimitWithRetryAfter) {
    Fixture f("quota");
    OpsOptions o;
    o.jobs_per_day = 2;
    auto ops = f.Ops(o);
    EXPECT_TRUE(ops->AdmitJob().ok());
    f.NewJob();
    EXPECT_TRUE(ops->AdmitJob().ok());
    f.NewJob();
    auto refused = ops->AdmitJob();
    ASSERT_FALSE(refused.ok());
    EXPECT_FALSE(ops->AdmitJob(3).ok());
    EXPECT_EQ(refused.error().code, core::ErrorCode::kRateLimited);
    EXPECT_GT(refused.error().retry_after.count(), 0);
    EXPECT_LE(refused.error().retry_after.count(), 86400000);
    EXPECT_NE(refused.error().message.find("jobs_per_day"), std::string::npos);
    std::string text = ops->RenderMetrics();
    EXPECT_TRUE(Has(text, "beacon_quota_jobs_per_day 2\n")) << text;
}

TEST(OpsService, ABatchCountsAllOfItsItemsAgainstTheQuota) {
    Fixture f("quota-batch");
    OpsOptions o;
    o.jobs_per_day = 5;
    auto ops = f.Ops(o);
    f.NewJob();
    f.NewJob();
    EXPECT_TRUE(ops->AdmitJob(3).ok());  // 2 + 3 = 5
    auto refused = ops->AdmitJob(4);     // 2 + 4 > 5
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, core::ErrorCode::kRateLimited);
    EXPECT_NE(refused.error().message.find("for 4 more (3 left)"), std::string::npos)
        << refused.error().message;
}

TEST(OpsService, NoQuotaMeansEveryJobIsAdmitted) {
    Fixture f("noquota");
    auto ops = f.Ops();
    for (int i = 0; i < 5; ++i) f.NewJob();
    EXPECT_TRUE(ops->AdmitJob().ok());
    EXPECT_FALSE(Has(ops->RenderMetrics(), "beacon_quota_jobs_per_day"));
}

TEST(OpsService, GpuSeriesOnlyWhenNvidiaSmiAnswers) {
    Fixture f("gpu");
    {
        auto ops = f.Ops();  // a program that does not exist
        std::string text = ops->RenderMetrics();
        EXPECT_FALSE(Has(text, "beacon_gpu")) << text;
        EXPECT_TRUE(ops->Summary()["gpus"].empty());
    }
    fs::path fake = f.dir / "nvidia-smi";
    {
        std::ofstream out(fake);
        out << "#!/bin/sh\necho '0, NVIDIA H200, 37, 1024, 143771'\n";
    }
    ::chmod(fake.c_str(), 0755);
    OpsOptions o;
    o.nvidia_smi = fake.string();
    auto ops = f.Ops(o);
    std::string text = ops->RenderMetrics();
    EXPECT_TRUE(Has(text, "beacon_gpu_utilization_ratio{gpu=\"0\",name=\"NVIDIA H200\"} 0.37")) << text;
    EXPECT_TRUE(Has(text, "beacon_gpu_memory_used_bytes{gpu=\"0\",name=\"NVIDIA H200\"} 1073741824\n")) << text;
    auto summary = ops->Summary();
    ASSERT_EQ(summary["gpus"].size(), 1u);
    EXPECT_EQ(summary["history"].back()["gpu_memory_used_bytes"], 1073741824.0);
}

TEST(OpsService, NvidiaSmiOutputParsing) {
    auto gpus = ParseNvidiaSmi("0, A, 5, 10, 20\n1, B, [N/A], 1, 2\nbroken\n2, C, 100, 0, 40\n");
    ASSERT_EQ(gpus.size(), 2u);
    EXPECT_EQ(gpus[0].name, "A");
    EXPECT_DOUBLE_EQ(gpus[0].utilization, 0.05);
    EXPECT_DOUBLE_EQ(gpus[0].memory_total_bytes, 20.0 * 1024 * 1024);
    EXPECT_EQ(gpus[1].index, "2");
}

TEST(OpsService, LivePathClassification) {
    EXPECT_EQ(ClassifyLivePath("/live/main/index.m3u8").channel, "main");
    EXPECT_TRUE(ClassifyLivePath("/live/main/index.m3u8").playlist);
    EXPECT_TRUE(ClassifyLivePath("/live/news/720p/s-3.ts").segment);
    EXPECT_EQ(ClassifyLivePath("/live/channels.m3u").channel, "");
    EXPECT_EQ(ClassifyLivePath("/live/guide.xml").channel, "");
    EXPECT_EQ(ClassifyLivePath("/api/v1/jobs").channel, "");
}


TEST(OpsHttp, EveryRouteIsInTheSpecAndNoMore) {
    Fixture f("spec");
    auto ops = f.Ops();
    std::set<std::string> served;
    for (const auto& r : HttpRoutes(*ops)) served.insert(r.method + " " + r.pattern);
    auto moderation = Moderation::Open(f.dir / "beacon.db");
    ASSERT_TRUE(moderation.ok()) << moderation.error().message;
    for (const auto& r : ModerationRoutes(**moderation, *f.db, f.events)) {
        served.insert(r.method + " " + r.pattern);
    }
    EXPECT_EQ(served, beacon::testing::ModuleSpecOperations("ops"));
    EXPECT_EQ(served.size(), 9u);
}

}  // namespace
}  // namespace beacon::ops

namespace beacon::ops {
namespace {

TEST(OpsHistory, SamplesAreKeptInTheDatabaseAndSurviveARestart) {
    Fixture f("history-api");
    auto done = f.NewJob();
    f.NewJob();  // stays queued
    auto before = f.NewJob();
    ASSERT_TRUE(f.db->FinishJob(before.id, core::JobState::kCompleted, std::nullopt, std::nullopt)
                    .ok());
    OpsOptions o;
    o.history_db = (f.dir / "ops_history.db").string();
    {
        auto ops = f.Ops(o);
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        ops->SampleNow();  // a process's first sample counts no completions (not its own)
        ASSERT_TRUE(
            f.db->FinishJob(done.id, core::JobState::kCompleted, std::nullopt, std::nullopt).ok());
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        ops->SampleNow();  // the completion since the first sample
    }
    auto ops = f.Ops(o);  // a restarted studio: nothing sampled in this process yet
    auto h = ops->History("queue_depth,jobs_completed,data_bytes", "24h");
    ASSERT_TRUE(h.ok()) << h.error().message;
    EXPECT_EQ((*h)["resolution_seconds"], 60);
    ASSERT_GE((*h)["series"]["queue_depth"].size(), 1u) << h->dump();
    // Both samples fell in one minute (unless the minute turned between them).
    double queued = 0, completed = 0;
    for (const auto& pt : (*h)["series"]["queue_depth"]) queued += pt[1].get<double>();
    for (const auto& pt : (*h)["series"]["jobs_completed"]) completed += pt[1].get<double>();
    EXPECT_GE(queued, 1.0);
    EXPECT_EQ(completed, 1.0);
    EXPECT_GT((*h)["series"]["data_bytes"][0][1].get<double>(), 0);  // beacon.db at least
    EXPECT_FALSE(h->at("series").contains("viewers"));               // only what was asked
    auto all = ops->History("", "");
    ASSERT_TRUE(all.ok());
    EXPECT_EQ(all->at("range"), "24h");
    EXPECT_TRUE(all->at("series").contains("disk_free_bytes"));
    EXPECT_FALSE(all->at("series").contains("gpu_utilization") &&
                 !all->at("series")["gpu_utilization"].empty());  // no nvidia-smi here
    EXPECT_EQ(ops->History("queue_depth", "30d")->at("resolution_seconds"), 3600);

    // Through the route: 200, and 400 naming what is wrong.
    std::map<std::string, server::ExtensionRoute> routes;
    for (auto& r : HttpRoutes(*ops)) routes[r.method + " " + r.pattern] = std::move(r);
    auto& route = routes.at("GET /api/v1/ops/history");
    EXPECT_EQ(route.access, server::RouteAccess::kUser);
    auto ask = [&](std::string series, std::string range) {
        auto req = MakeRequest("GET", "/api/v1/ops/history");
        if (!series.empty()) req.query["series"] = series;
        if (!range.empty()) req.query["range"] = range;
        return route.handle(req);
    };
    auto good = ask("queue_depth", "6h");
    EXPECT_EQ(good.status, 200u);
    EXPECT_FALSE(core::Json::parse(good.body)["series"]["queue_depth"].empty()) << good.body;
    auto bad_series = ask("queue_depth,content_17", "24h");
    EXPECT_EQ(bad_series.status, 400u);
    EXPECT_NE(bad_series.body.find("content_17"), std::string::npos);
    auto bad_range = ask("", "1y");
    EXPECT_EQ(bad_range.status, 400u);
    EXPECT_NE(bad_range.body.find("range"), std::string::npos);

    // A service without a history database says so.
    auto memory_only = f.Ops();
    auto none = memory_only->History("", "24h");
    ASSERT_FALSE(none.ok());
    EXPECT_EQ(none.error().code, core::ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace beacon::ops
