#include "liveloop/timeline.hpp"

#include <gtest/gtest.h>

#include <set>

#include "liveloop/test_support.hpp"

namespace beacon::liveloop {
namespace {

using testing::Item;

constexpr UnixMillis kT0 = 1795932000000;  // 2026-11-29T06:00:00Z (a Sunday)

Catalog ThreeItems() {
    return {{1, Item(1, {4, 4, 3})}, {2, Item(2, {4, 2.5})}, {3, Item(3, {1.5})}};
}

std::vector<std::int64_t> Ids(const ChannelState& s, std::size_t from = 0) {
    std::vector<std::int64_t> out;
    for (std::size_t i = from; i < s.occurrences.size(); ++i) {
        out.push_back(s.occurrences[i].content_id);
    }
    return out;
}

TEST(Timeline, InOrderLoopNumbersEveryOccurrence) {
    auto cat = ThreeItems();
    Schedule sched{{1, 2, 3}};
    auto s = NewChannelState(kT0, 7, 4, 0);
    ASSERT_TRUE(Extend(s, sched, cat, kT0, kT0 + 40000));
    EXPECT_EQ(Ids(s), (std::vector<std::int64_t>{1, 2, 3, 1, 2, 3, 1}));
    const auto& o = s.occurrences;
    EXPECT_EQ(o[0].start, kT0);
    EXPECT_EQ(o[1].start, kT0 + 11000);
    EXPECT_EQ(o[2].start, kT0 + 17500);
    EXPECT_EQ(o[3].start, kT0 + 19000);
    EXPECT_EQ(o[3].first_msn, 3 + 2 + 1);
    // Back to back and of one format: one timeline, no discontinuity anywhere.
    for (std::size_t i = 0; i < o.size(); ++i) EXPECT_EQ(o[i].dsn, 0);
    EXPECT_EQ(s.horizon, o.back().end());
    EXPECT_GE(s.horizon, kT0 + 40000);
}

TEST(Timeline, AFormatChangeIsADiscontinuityAndOnlyThat) {
    Catalog cat;
    cat[1] = testing::Item(1, {4, 4});
    cat[2] = testing::Item(2, {4}, {"en"}, {}, 4, 640);  // another resolution
    cat[3] = testing::Item(3, {2});
    Schedule sched{{1, 3, 2, 1}};
    auto s = NewChannelState(kT0, 7, 4, 0);
    ASSERT_TRUE(Extend(s, sched, cat, kT0, kT0 + 18000));
    const auto& o = s.occurrences;
    ASSERT_GE(o.size(), 4u);
    EXPECT_EQ(o[0].dsn, 0);
    EXPECT_EQ(o[1].dsn, 0);  // 1 -> 3: same format
    EXPECT_EQ(o[2].dsn, 1);  // 3 -> 2: 640 wide
    EXPECT_EQ(o[3].dsn, 2);  // 2 -> 1: back to 1280
    // The format survives a restart (persisted), so numbering after it stays the same.
    auto back = ParseChannelState(ToJson(s).dump());
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(back->occurrences[2].format, o[2].format);
    EXPECT_NE(o[2].format, o[1].format);
}

TEST(Timeline, ShuffleHasNoRepeatsWithinOrAcrossCyclesAndIsDeterministic) {
    Catalog cat;
    std::vector<std::int64_t> items;
    for (int i = 1; i <= 6; ++i) {
        cat[i] = Item(i, {2});
        items.push_back(i);
    }
    Schedule sched{items, LoopMode::kShuffle};
    auto a = NewChannelState(kT0, 42, 4, 0);
    auto b = NewChannelState(kT0, 42, 4, 0);
    auto c = NewChannelState(kT0, 43, 4, 0);
    ASSERT_TRUE(Extend(a, sched, cat, kT0, kT0 + 2000 * 60));
    ASSERT_TRUE(Extend(b, sched, cat, kT0, kT0 + 2000 * 60));
    ASSERT_TRUE(Extend(c, sched, cat, kT0, kT0 + 2000 * 60));
    EXPECT_EQ(Ids(a), Ids(b));
    EXPECT_NE(Ids(a), Ids(c));
    auto ids = Ids(a);
    ASSERT_EQ(ids.size(), 60u);
    for (std::size_t cycle = 0; cycle < 10; ++cycle) {
        std::set<std::int64_t> seen(ids.begin() + cycle * 6, ids.begin() + cycle * 6 + 6);
        EXPECT_EQ(seen.size(), 6u) << "cycle " << cycle;
    }
    for (std::size_t i = 1; i < ids.size(); ++i) EXPECT_NE(ids[i], ids[i - 1]);
    std::set<std::vector<std::int64_t>> orders;
    for (std::size_t cycle = 0; cycle < 10; ++cycle) {
        orders.insert(std::vector<std::int64_t>(ids.begin() + cycle * 6,
                                                ids.begin() + cycle * 6 + 6));
    }
    EXPECT_GT(orders.size(), 5u);  // cycles are reshuffled
}

TEST(Timeline, EditsChangeOnlyTheFutureBeyondTheHorizon) {
    auto cat = ThreeItems();
    Schedule sched{{1, 2, 3}};
    auto s = NewChannelState(kT0, 1, 4, 0);
    ASSERT_TRUE(Extend(s, sched, cat, kT0, kT0 + 20000));
    const auto committed = Ids(s);
    const auto horizon = s.horizon;
    sched.items = {3, 2};
    ASSERT_TRUE(Extend(s, sched, cat, kT0 + 5000, kT0 + 45000));
    auto all = Ids(s);
    ASSERT_GT(all.size(), committed.size());
    EXPECT_EQ(std::vector<std::int64_t>(all.begin(), all.begin() + committed.size()), committed);
    EXPECT_EQ(s.occurrences[committed.size()].start, horizon);
    // The last loop item was 1 (gone from the list): continues with the first planned one
    // still listed (2), then wraps to the new order.
    EXPECT_EQ(all[committed.size()], 2);
    EXPECT_EQ(all[committed.size() + 1], 3);
}

TEST(Timeline, InOrderContinuesAfterTheLastPlayedItemWhenTheListIsReordered) {
    auto cat = ThreeItems();
    cat[4] = Item(4, {3});
    Schedule sched{{1, 2, 3}};
    auto s = NewChannelState(kT0, 1, 4, 0);
    ASSERT_TRUE(Extend(s, sched, cat, kT0, kT0 + 1));  // plays 1
    sched.items = {4, 1, 3, 2};
    ASSERT_TRUE(Extend(s, sched, cat, kT0, s.horizon + 1));
    ASSERT_TRUE(Extend(s, sched, cat, kT0, s.horizon + 1));
    ASSERT_TRUE(Extend(s, sched, cat, kT0, s.horizon + 1));
    EXPECT_EQ(Ids(s), (std::vector<std::int64_t>{1, 3, 2, 4}));
}

TEST(Timeline, SlotFiresAtTheFirstBoundaryAtOrAfterItsTime) {
    auto cat = ThreeItems();
    cat[9] = Item(9, {4, 4});
    Schedule sched{{1}};
    // 06:00:20 local daily; offset 0.
    auto slots = ParseSlots(nlohmann::json::parse(R"([{"time":"06:01","content_id":9}])"), {});
    ASSERT_TRUE(slots.ok()) << slots.error().message;
    sched.slots = slots.value();
    auto s = NewChannelState(kT0, 1, 4, 0);
    ASSERT_TRUE(Extend(s, sched, cat, kT0, kT0 + 120000));
    // Item 1 is 11 s: boundaries at 0, 11, ..., 55, 66. 06:01:00 = 60 s → plays at 66 s.
    int found = 0;
    for (const auto& o : s.occurrences) {
        if (o.content_id == 9) {
            ++found;
            EXPECT_EQ(o.start, kT0 + 66000);
            EXPECT_EQ(o.source, Source::kSlot);
        }
    }
    EXPECT_EQ(found, 1);
    // A slot on other weekdays only (kT0 is a Sunday = 0) does not fire.
    Schedule other{{1}};
    other.slots = ParseSlots(nlohmann::json::parse(
                                 R"([{"time":"06:01","days":[1,2],"playlist_id":5}])"),
                             [](std::int64_t) { return std::vector<std::int64_t>{9, 3}; })
                      .value();
    auto t = NewChannelState(kT0, 1, 4, 0);
    ASSERT_TRUE(Extend(t, other, cat, kT0, kT0 + 120000));
    for (auto id : Ids(t)) EXPECT_EQ(id, 1);
    // The same slot a day later (Monday) fires, with the playlist's items in order.
    auto u = NewChannelState(kT0 + 86400000, 1, 4, 0);
    ASSERT_TRUE(Extend(u, other, cat, kT0 + 86400000, kT0 + 86400000 + 120000));
    auto ids = Ids(u);
    auto it = std::find(ids.begin(), ids.end(), 9);
    ASSERT_NE(it, ids.end());
    ASSERT_NE(it + 1, ids.end());
    EXPECT_EQ(*(it + 1), 3);
}

TEST(Timeline, UtcOffsetShiftsSlotTimes) {
    auto cat = ThreeItems();
    cat[9] = Item(9, {4});
    Schedule sched{{1}};
    sched.slots = ParseSlots(nlohmann::json::parse(R"([{"time":"07:01","content_id":9}])"), {})
                      .value();
    sched.utc_offset_minutes = 60;  // 07:01 at UTC+1 = 06:01Z
    auto s = NewChannelState(kT0, 1, 4, 0);
    ASSERT_TRUE(Extend(s, sched, cat, kT0, kT0 + 120000));
    auto ids = Ids(s);
    EXPECT_EQ(std::count(ids.begin(), ids.end(), 9), 1);
}

TEST(Timeline, InsertsPlayOnceBeyondTheHorizonNextBeforeTimed) {
    auto cat = ThreeItems();
    cat[7] = Item(7, {2});
    cat[8] = Item(8, {2});
    Schedule sched{{1}};
    auto s = NewChannelState(kT0, 1, 4, 0);
    ASSERT_TRUE(Extend(s, sched, cat, kT0, kT0 + 30000));  // 1,1,1 up to 33 s
    const auto horizon = s.horizon;
    sched.inserts = ParseInserts(nlohmann::json::parse(
                                     R"([{"id":"a","content_id":8,"at":"2026-11-29T06:00:40Z"},
                                         {"id":"b","content_id":7,"at":"next"},
                                         {"id":"c","content_id":9999}])"))
                        .value();
    ASSERT_TRUE(Extend(s, sched, cat, kT0 + 1000, kT0 + 80000));
    std::vector<std::pair<std::int64_t, UnixMillis>> after;
    for (const auto& o : s.occurrences) {
        if (o.start >= horizon) after.emplace_back(o.content_id, o.start);
    }
    ASSERT_GE(after.size(), 4u);
    EXPECT_EQ(after[0].first, 7);  // next
    EXPECT_EQ(after[0].second, horizon);
    EXPECT_EQ(after[1].first, 1);  // 35 s: 06:00:40 not yet due
    EXPECT_EQ(after[2].first, 8);  // at 46 s, first boundary after 40 s
    EXPECT_EQ(after[3].first, 1);
    int sevens = 0;
    for (const auto& [id, t] : after) sevens += id == 7;
    EXPECT_EQ(sevens, 1);
    EXPECT_EQ(s.consumed_inserts.size(), 3u);  // the unplayable one is consumed too
}

TEST(Timeline, StateRoundTripsThroughJsonAndContinuesIdentically) {
    auto cat = ThreeItems();
    Schedule sched{{1, 2, 3}, LoopMode::kShuffle};
    auto a = NewChannelState(kT0, 99, 4, 60000);
    ASSERT_TRUE(Extend(a, sched, cat, kT0, kT0 + 50000));
    auto text = ToJson(a).dump();
    auto b = ParseChannelState(text);
    ASSERT_TRUE(b.ok()) << b.error().message;
    EXPECT_EQ(ToJson(b.value()).dump(), text);
    ASSERT_TRUE(Extend(a, sched, cat, kT0, kT0 + 500000));
    ASSERT_TRUE(Extend(b.value(), sched, cat, kT0, kT0 + 500000));
    EXPECT_EQ(ToJson(a), ToJson(b.value()));
    EXPECT_FALSE(ParseChannelState("{}").ok());
    EXPECT_FALSE(ParseChannelState("garbage").ok());
}

TEST(Timeline, ClockNeverGoesBackwards) {
    auto s = NewChannelState(kT0, 1, 4, 0);
    EXPECT_EQ(AdvanceClock(s, kT0 + 10000, 8000), kT0 + 10000);
    EXPECT_EQ(AdvanceClock(s, kT0 + 5000, 8000), kT0 + 10000);  // small step back: hold
    EXPECT_EQ(s.skew_ms, 0);
    EXPECT_EQ(AdvanceClock(s, kT0 + 12000, 8000), kT0 + 12000);
    EXPECT_EQ(AdvanceClock(s, kT0 - 3600000, 8000), kT0 + 12000);  // big jump back: skew
    EXPECT_EQ(s.skew_ms, 3612000);
    EXPECT_EQ(AdvanceClock(s, kT0 - 3600000 + 4000, 8000), kT0 + 16000);  // keeps running
}

TEST(Timeline, LongGapsResumeWithoutFillingEveryOccurrence) {
    auto cat = ThreeItems();
    Schedule sched{{1, 2, 3}};
    auto s = NewChannelState(kT0, 1, 4, 0);
    ASSERT_TRUE(Extend(s, sched, cat, kT0, kT0 + 20000));
    auto last = s.occurrences.back();
    const UnixMillis later = kT0 + 30LL * 86400000;
    ASSERT_TRUE(Extend(s, sched, cat, later, later + 120000));
    Prune(s, later - 600000);
    ASSERT_FALSE(s.occurrences.empty());
    EXPECT_EQ(s.occurrences.front().start, later - 60000);
    EXPECT_EQ(s.occurrences.front().first_msn, last.first_msn + last.segment_count);
    EXPECT_EQ(s.occurrences.front().dsn, last.dsn + 1);
    EXPECT_LT(s.occurrences.size(), 40u);
}

TEST(Timeline, NothingPlayableLeavesTheHorizonAlone) {
    Catalog empty;
    Schedule sched{{1, 2}};
    auto s = NewChannelState(kT0, 1, 4, 0);
    EXPECT_FALSE(Extend(s, sched, empty, kT0, kT0 + 20000));
    EXPECT_EQ(s.horizon, kT0);
    EXPECT_TRUE(s.occurrences.empty());
}

TEST(Timeline, ReconcileDropsTheUnseenFutureOfADeletedItem) {
    auto cat = ThreeItems();
    Schedule sched{{1, 2, 3}};
    auto s = NewChannelState(kT0, 1, 4, 0);
    ASSERT_TRUE(Extend(s, sched, cat, kT0, kT0 + 60000));
    // Item 2 is deleted at 12 s, while it is on air (11 s .. 17.5 s): its published segment
    // (11 s) stays, the rest is cut, the future moves up.
    cat[2] = testing::Gone(cat[2]);
    sched.items = {1, 3};
    const UnixMillis now = kT0 + 12000;
    ASSERT_TRUE(Reconcile(s, cat, now));
    ASSERT_TRUE(Extend(s, sched, cat, now, now + 60000));
    const auto& o = s.occurrences;
    ASSERT_GE(o.size(), 3u);
    EXPECT_EQ(o[1].content_id, 2);
    EXPECT_TRUE(o[1].cut);
    EXPECT_EQ(o[1].segment_count, 1);
    EXPECT_EQ(o[1].duration_ms, 4000);
    EXPECT_EQ(o[2].start, kT0 + 15000);
    EXPECT_EQ(o[2].first_msn, o[1].first_msn + 1);
    EXPECT_EQ(o[2].dsn, o[1].dsn + 1);
    for (std::size_t i = 2; i < o.size(); ++i) EXPECT_NE(o[i].content_id, 2);
    EXPECT_FALSE(Reconcile(s, cat, now + 1000));  // stable
    // Without a stale manifest (restart): forgotten, numbers skipped, resumes at now.
    cat.erase(2);
    auto t = NewChannelState(kT0, 1, 4, 0);
    ASSERT_TRUE(Extend(t, Schedule{{1, 2, 3}}, ThreeItems(), kT0, kT0 + 60000));
    const auto o1 = t.occurrences[1];
    ASSERT_TRUE(Reconcile(t, cat, now));
    EXPECT_EQ(t.occurrences[1].start, now);
    EXPECT_EQ(t.occurrences[1].first_msn, o1.first_msn + o1.segment_count);
    EXPECT_EQ(t.occurrences[1].dsn, o1.dsn + 1);
}

TEST(Timeline, ParsesRfc3339) {
    EXPECT_EQ(ParseRfc3339("2026-11-29T06:00:00Z"), kT0);
    EXPECT_EQ(ParseRfc3339("2026-11-29T06:00:00.250Z"), kT0 + 250);
    EXPECT_EQ(ParseRfc3339("2026-11-29T07:30:00+01:30"), kT0);
    EXPECT_FALSE(ParseRfc3339("2026-11-29 06:00"));
    EXPECT_FALSE(ParseRfc3339("2026-13-29T06:00:00Z"));
    EXPECT_FALSE(ParseRfc3339("2026-11-29T06:00:00"));
}

TEST(Timeline, RejectsBadSlotsAndInserts) {
    auto bad = [](const char* text) {
        return !ParseSlots(nlohmann::json::parse(text), {}).ok();
    };
    EXPECT_TRUE(bad(R"([{"time":"25:00","content_id":1}])"));
    EXPECT_TRUE(bad(R"([{"time":"20:00"}])"));
    EXPECT_TRUE(bad(R"([{"time":"20:00","content_id":1,"playlist_id":2}])"));
    EXPECT_TRUE(bad(R"([{"time":"20:00","content_id":1,"days":[7]}])"));
    EXPECT_TRUE(bad(R"([{"time":"20:00x","content_id":1}])"));
    EXPECT_TRUE(bad(R"({"time":"20:00"})"));
    EXPECT_FALSE(bad(R"([{"time":"20:00","content_id":1,"days":"weekends"}])"));
    EXPECT_FALSE(ParseInserts(nlohmann::json::parse(R"([{"content_id":"x"}])")).ok());
    EXPECT_FALSE(ParseInserts(nlohmann::json::parse(R"([{"content_id":1,"at":"soon"}])")).ok());
}

}  // namespace
}  // namespace beacon::liveloop
