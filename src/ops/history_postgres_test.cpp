// The dashboard history store on PostgreSQL (storage::ModuleDb): the same buckets, folding and
// retention as on SQLite (history_test.cpp), against a real cluster the test starts.
#include <unistd.h>

#include <gtest/gtest.h>

#include "ops/history.hpp"
#include "tests/support/postgres_cluster.hpp"

namespace beacon::ops {
namespace {

constexpr std::int64_t kMin = 60'000;
constexpr std::int64_t kHour = 3'600'000;
constexpr std::int64_t kDay = 24 * kHour;
constexpr std::int64_t kNow = 1'796'083'200'000;  // 2026-11-30 00:00 UTC

TEST(HistoryPostgres, BucketsFoldingAndRetentionAsOnSqlite) {
    auto cluster = beacon::testing::PostgresCluster::Shared();
    ASSERT_TRUE(cluster.ok()) << cluster.error().message;
    const std::string db = "ops_history_" + std::to_string(::getpid());
    ASSERT_TRUE((*cluster)->CreateDatabase(db).ok());
    const std::string url = (*cluster)->Url(db);
    {
        auto h = HistoryStore::Open(url);
        ASSERT_TRUE(h.ok()) << h.error().message;
        // Two days of one sample a minute, then one more sample in the last minute.
        for (std::int64_t t = kNow - 2 * kDay; t < kNow; t += kMin) {
            ASSERT_TRUE((*h)->Record(t, {{"queue_depth", 2}, {"jobs_completed", 1}}).ok());
        }
        ASSERT_TRUE((*h)->Record(kNow - kMin + 30'000, {{"queue_depth", 4}}).ok());
        ASSERT_TRUE((*h)->Compact(kNow).ok());
    }
    auto h = HistoryStore::Open(url);  // a second process on the same database
    ASSERT_TRUE(h.ok()) << h.error().message;
    EXPECT_EQ(*(*h)->Rows(), 2 * 24 * 60 + 2 * 24);
    auto last = (*h)->Read("queue_depth", kNow - kHour, kNow);
    ASSERT_TRUE(last.ok()) << last.error().message;
    ASSERT_EQ(last->size(), 60u);
    EXPECT_DOUBLE_EQ(last->back().value, 3);  // mean of 2 and 4
    auto month = (*h)->Read("jobs_completed", kNow - 30 * kDay, kNow);
    ASSERT_TRUE(month.ok());
    ASSERT_EQ(month->size(), 48u);
    for (const auto& p : *month) EXPECT_DOUBLE_EQ(p.value, 60);
    ASSERT_TRUE((*h)->Compact(kNow + 29 * kDay).ok());
    EXPECT_EQ(*(*h)->Rows(), 2 * 24);  // the older day's hours are past 30 days
}

TEST(HistoryPostgres, LabelledGpuSeriesAreStoredAndFound) {
    auto cluster = beacon::testing::PostgresCluster::Shared();
    ASSERT_TRUE(cluster.ok()) << cluster.error().message;
    const std::string db = "ops_history_gpu_" + std::to_string(::getpid());
    ASSERT_TRUE((*cluster)->CreateDatabase(db).ok());
    auto h = HistoryStore::Open((*cluster)->Url(db));
    ASSERT_TRUE(h.ok()) << h.error().message;
    const std::string used0 = "gpu_device_memory_used_bytes|comfyui|gpu1:8188|cuda:0";
    const std::string used1 = "gpu_device_memory_used_bytes|comfyui|gpu1:8188|cuda:1";
    ASSERT_TRUE(
        (*h)->Record(kNow, {{used0, 2}, {used1, 5}, {"ollama_vram_bytes|gpu2:11434", 3}}).ok());
    ASSERT_TRUE((*h)->Record(kNow + 1000, {{used0, 4}}).ok());
    auto names = (*h)->LabelledNames("gpu_device_memory_used_bytes", kNow - kHour);
    ASSERT_TRUE(names.ok()) << names.error().message;
    EXPECT_EQ(*names, (std::vector<std::string>{used0, used1}));
    auto points = (*h)->Read(used0, kNow - kMin, kNow + kMin);
    ASSERT_TRUE(points.ok());
    ASSERT_EQ(points->size(), 1u);
    EXPECT_DOUBLE_EQ((*points)[0].value, 3);
}

}  // namespace
}  // namespace beacon::ops
