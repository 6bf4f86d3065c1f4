#include "ops/history.hpp"

#include <gtest/gtest.h>

#include "ops/test_support.hpp"

namespace beacon::ops {
namespace {

constexpr std::int64_t kMin = 60'000;
constexpr std::int64_t kHour = 3'600'000;
constexpr std::int64_t kDay = 24 * kHour;
// A fixed, hour-aligned "now" far from the epoch: 2026-11-30 00:00 UTC.
constexpr std::int64_t kNow = 1'796'083'200'000;

std::unique_ptr<HistoryStore> Open(const std::filesystem::path& dir) {
    auto s = HistoryStore::Open((dir / "ops_history.db").string());
    EXPECT_TRUE(s.ok()) << s.error().message;
    return std::move(*s);
}

TEST(History, SamplesInOneMinuteAreAveragedOrSummedAndSurviveReopening) {
    auto dir = testing::TempDir("history-minute");
    {
        auto h = Open(dir);
        ASSERT_TRUE(h->Record(kNow + 5'000, {{"queue_depth", 2}, {"jobs_completed", 1}}).ok());
        ASSERT_TRUE(h->Record(kNow + 35'000, {{"queue_depth", 4}, {"jobs_completed", 2}}).ok());
        ASSERT_TRUE(h->Record(kNow + kMin + 1, {{"queue_depth", 9}}).ok());
        EXPECT_FALSE(h->Record(kNow, {{"content_17_views", 1}}).ok());  // only known series
    }
    auto h = Open(dir);  // a restarted studio
    auto q = h->Read("queue_depth", kNow - kHour, kNow + 2 * kMin);
    ASSERT_TRUE(q.ok()) << q.error().message;
    ASSERT_EQ(q->size(), 2u);
    EXPECT_EQ((*q)[0].t, kNow);
    EXPECT_DOUBLE_EQ((*q)[0].value, 3);  // mean of 2 and 4
    EXPECT_EQ((*q)[1].t, kNow + kMin);
    EXPECT_DOUBLE_EQ((*q)[1].value, 9);
    auto done = h->Read("jobs_completed", kNow - kHour, kNow + 2 * kMin);
    ASSERT_TRUE(done.ok());
    ASSERT_EQ(done->size(), 1u);
    EXPECT_DOUBLE_EQ((*done)[0].value, 3);  // a count: the sum
    EXPECT_FALSE(h->Read("nope", kNow - kDay, kNow).ok());
}

TEST(History, MinutesOlderThanADayFoldIntoHoursAndHoursOlderThan30DaysGo) {
    auto dir = testing::TempDir("history-compact");
    auto h = Open(dir);
    // Two days of one sample a minute: queue depth = hour of day, one job done each minute.
    const std::int64_t start = kNow - 2 * kDay;
    for (std::int64_t t = start; t < kNow; t += kMin) {
        double hour = static_cast<double>(((t - start) / kHour) % 24);
        ASSERT_TRUE(h->Record(t, {{"queue_depth", hour}, {"jobs_completed", 1}}).ok());
    }
    // And one old hour from 31 days ago.
    ASSERT_TRUE(h->Record(kNow - 31 * kDay, {{"queue_depth", 7}}).ok());
    ASSERT_EQ(*h->Rows(), 2 * 2 * 24 * 60 + 1);

    ASSERT_TRUE(h->Compact(kNow).ok());
    // Left: the last 24 h at 1 minute (2 series), the day before as 24 hourly buckets each.
    EXPECT_EQ(*h->Rows(), 2 * 24 * 60 + 2 * 24);
    auto recent = h->Read("queue_depth", kNow - kDay, kNow);
    ASSERT_TRUE(recent.ok());
    EXPECT_EQ(recent->size(), 24u * 60u);
    EXPECT_EQ(recent->front().t, kNow - kDay);

    auto month = h->Read("queue_depth", kNow - 30 * kDay, kNow);
    ASSERT_TRUE(month.ok());
    ASSERT_EQ(month->size(), 48u);  // hourly over the whole span: 24 folded + 24 from minutes
    EXPECT_EQ(month->front().t, start);
    for (std::size_t i = 0; i < month->size(); ++i) {
        EXPECT_DOUBLE_EQ((*month)[i].value, static_cast<double>(i % 24)) << i;  // means kept
    }
    auto done = h->Read("jobs_completed", kNow - 30 * kDay, kNow);
    ASSERT_TRUE(done.ok());
    ASSERT_EQ(done->size(), 48u);
    for (const auto& p : *done) EXPECT_DOUBLE_EQ(p.value, 60);  // sums kept: 60 jobs an hour

    // Compacting again changes nothing; an hour split by the cutoff folds in two runs.
    ASSERT_TRUE(h->Compact(kNow).ok());
    EXPECT_EQ(*h->Rows(), 2 * 24 * 60 + 2 * 24);
    ASSERT_TRUE(h->Compact(kNow + 30 * kMin).ok());
    auto split = h->Read("jobs_completed", kNow - 30 * kDay, kNow);
    ASSERT_TRUE(split.ok());
    ASSERT_EQ(split->size(), 48u);
    for (const auto& p : *split) EXPECT_DOUBLE_EQ(p.value, 60);

    // 30 days on, everything but the newest day's hours is gone.
    ASSERT_TRUE(h->Compact(kNow + 29 * kDay).ok());
    auto later = h->Read("queue_depth", kNow - 60 * kDay, kNow + 29 * kDay);
    ASSERT_TRUE(later.ok());
    ASSERT_FALSE(later->empty());
    EXPECT_GE(later->front().t, kNow + 29 * kDay - 30 * kDay);
    EXPECT_EQ(later->size(), 24u);
}

TEST(History, Ranges) {
    EXPECT_EQ(ParseHistoryRange("24h"), kDay);
    EXPECT_EQ(ParseHistoryRange("1h"), kHour);
    EXPECT_EQ(ParseHistoryRange("30d"), 30 * kDay);
    EXPECT_FALSE(ParseHistoryRange("1y").has_value());
    EXPECT_FALSE(ParseHistoryRange("").has_value());
}

}  // namespace
}  // namespace beacon::ops
