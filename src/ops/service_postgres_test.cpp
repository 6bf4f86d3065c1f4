// Metrics and quotas on PostgreSQL (issue 18): OpsService reads the studio's PostgreSQL database
// (no beacon.db in the data folder), so /metrics and the daily quota count the jobs every process
// on that database created. Against a real cluster started by this binary.
#include <gtest/gtest.h>
#include <unistd.h>

#include "jobs/event_bus.hpp"
#include "ops/service.hpp"
#include "ops/test_support.hpp"
#include "storage/database.hpp"
#include "storage/postgres_database.hpp"
#include "support/postgres_cluster.hpp"

namespace beacon::ops {
namespace {

namespace fs = std::filesystem;

bool Has(const std::string& text, const std::string& line) {
    return text.find(line) != std::string::npos;
}

TEST(OpsServicePostgres, MetricsAndQuotaCountEveryProcesssJobs) {
    auto cluster = beacon::testing::PostgresCluster::Shared();
    ASSERT_TRUE(cluster.ok()) << cluster.error().message;
    const std::string name = "ops_" + std::to_string(::getpid());
    ASSERT_TRUE((*cluster)->CreateDatabase(name).ok());
    const std::string url = (*cluster)->Url(name);
    // Two studio processes' handles on the one database.
    auto one = storage::OpenPostgres(url, 1);
    auto two = storage::OpenPostgres(url, 1);
    ASSERT_TRUE(one.ok() && two.ok());
    auto user = (*one)->GetOrCreateUser("admin");
    ASSERT_TRUE(user.ok());
    auto req = core::ParseGenerateRequest({{"prompt", "a lighthouse"}});
    ASSERT_TRUE(req.ok());
    ASSERT_TRUE((*one)->CreateJob(user->id, *req).ok());
    auto failed = (*two)->CreateJob(user->id, *req);
    ASSERT_TRUE(failed.ok());
    ASSERT_TRUE((*two)
                    ->FinishJob(failed->id, core::JobState::kFailed, core::Error::External("no"),
                                std::nullopt)
                    .ok());
    core::Content item;
    item.owner_id = user->id;
    item.title = "Harbour";
    ASSERT_TRUE((*two)->CreateContent(item).ok());

    jobs::EventBus events;
    OpsOptions o;
    o.data_dir = testing::TempDir("ops-pg");  // no beacon.db: the database is PostgreSQL's
    o.database = url;
    o.jobs_per_day = 3;
    o.nvidia_smi = (o.data_dir / "no-nvidia-smi").string();
    auto ops = OpsService::Open(o, events);
    ASSERT_TRUE(ops.ok()) << ops.error().message;
    std::string text = (*ops)->RenderMetrics();
    EXPECT_TRUE(Has(text, "beacon_jobs{state=\"queued\"} 1\n")) << text;
    EXPECT_TRUE(Has(text, "beacon_jobs{state=\"failed\"} 1\n")) << text;
    EXPECT_TRUE(Has(text, "beacon_jobs_by_kind{kind=\"generate\",state=\"queued\"} 1\n")) << text;
    EXPECT_TRUE(Has(text, "beacon_quota_jobs_today 2\n")) << text;
    EXPECT_TRUE(Has(text, "beacon_quota_jobs_per_day 3\n")) << text;
    EXPECT_TRUE(Has(text, "beacon_library_items 1\n")) << text;

    // The quota counts the jobs created through either process.
    EXPECT_TRUE((*ops)->AdmitJob().ok());
    ASSERT_TRUE((*one)->CreateJob(user->id, *req).ok());
    auto refused = (*ops)->AdmitJob();
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, core::ErrorCode::kRateLimited);
    EXPECT_NE(refused.error().message.find("3 of 3"), std::string::npos) << refused.error().message;
    fs::remove_all(o.data_dir);
}

}  // namespace
}  // namespace beacon::ops
