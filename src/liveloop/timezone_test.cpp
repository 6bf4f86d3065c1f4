#include "liveloop/timezone.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "liveloop/test_support.hpp"
#include "liveloop/timeline.hpp"

namespace beacon::liveloop {
namespace {

/// "2026-03-29T01:00:00Z" in ms.
UnixMillis Utc(int y, int mo, int d, int h, int mi, int s = 0) {
    return (DaysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s) * 1000LL;
}

std::shared_ptr<const TimeZone> Zone(const char* name) {
    auto z = TimeZone::Load(name);
    if (!z.ok()) throw std::runtime_error(z.error().message);
    return z.value();
}

TEST(TimeZone, CivilDaysRoundTrip) {
    EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
    EXPECT_EQ(DaysFromCivil(2026, 11, 29), 20786);
    EXPECT_EQ(DaysFromCivil(1969, 12, 31), -1);
    for (std::int64_t d = -800000; d < 800000; d += 997) {
        int y = 0, m = 0, day = 0;
        CivilFromDays(d, y, m, day);
        EXPECT_EQ(DaysFromCivil(y, m, day), d);
    }
}

TEST(TimeZone, BerlinOffsetsChangeAtTheTransitionInstants) {
    auto berlin = Zone("Europe/Berlin");
    EXPECT_EQ(berlin->name(), "Europe/Berlin");
    EXPECT_EQ(berlin->OffsetAt(Utc(2026, 1, 15, 12, 0)), 3600);
    EXPECT_EQ(berlin->OffsetAt(Utc(2026, 3, 29, 0, 59, 59)), 3600);
    EXPECT_EQ(berlin->OffsetAt(Utc(2026, 3, 29, 1, 0)), 7200);
    EXPECT_EQ(berlin->OffsetAt(Utc(2026, 10, 25, 0, 59, 59)), 7200);
    EXPECT_EQ(berlin->OffsetAt(Utc(2026, 10, 25, 1, 0)), 3600);
    // Beyond the file's table (if any), the footer rule answers.
    EXPECT_EQ(berlin->OffsetAt(Utc(2061, 7, 1, 0, 0)), 7200);
    EXPECT_EQ(berlin->OffsetAt(Utc(2061, 12, 1, 0, 0)), 3600);
}

TEST(TimeZone, SlotInstantsFollowBerlinsRulesForEachDate) {
    auto z = Zone("Europe/Berlin");
    const int eight_pm = 20 * 60;
    EXPECT_EQ(SlotInstantUtc(DaysFromCivil(2026, 3, 28), eight_pm, *z), Utc(2026, 3, 28, 19, 0));
    EXPECT_EQ(SlotInstantUtc(DaysFromCivil(2026, 3, 29), eight_pm, *z), Utc(2026, 3, 29, 18, 0));
    EXPECT_EQ(SlotInstantUtc(DaysFromCivil(2026, 10, 24), eight_pm, *z), Utc(2026, 10, 24, 18, 0));
    EXPECT_EQ(SlotInstantUtc(DaysFromCivil(2026, 10, 25), eight_pm, *z), Utc(2026, 10, 25, 19, 0));
    // 02:30 does not exist on 29 March (02:00 → 03:00): it fires at 03:30 CEST.
    EXPECT_EQ(SlotInstantUtc(DaysFromCivil(2026, 3, 29), 150, *z), Utc(2026, 3, 29, 1, 30));
    // 02:30 happens twice on 25 October: the first one (CEST).
    EXPECT_EQ(SlotInstantUtc(DaysFromCivil(2026, 10, 25), 150, *z), Utc(2026, 10, 25, 0, 30));
    // Just outside the ambiguous hour.
    EXPECT_EQ(SlotInstantUtc(DaysFromCivil(2026, 10, 25), 3 * 60, *z), Utc(2026, 10, 25, 2, 0));
    EXPECT_EQ(SlotInstantUtc(DaysFromCivil(2026, 10, 25), 60 + 59, *z), Utc(2026, 10, 24, 23, 59));
}

TEST(TimeZone, SlotInstantsFollowNewYorksRulesForEachDate) {
    auto z = Zone("America/New_York");
    const int eight_pm = 20 * 60;
    EXPECT_EQ(SlotInstantUtc(DaysFromCivil(2026, 3, 7), eight_pm, *z), Utc(2026, 3, 8, 1, 0));
    EXPECT_EQ(SlotInstantUtc(DaysFromCivil(2026, 3, 8), eight_pm, *z), Utc(2026, 3, 9, 0, 0));
    EXPECT_EQ(SlotInstantUtc(DaysFromCivil(2026, 10, 31), eight_pm, *z), Utc(2026, 11, 1, 0, 0));
    EXPECT_EQ(SlotInstantUtc(DaysFromCivil(2026, 11, 1), eight_pm, *z), Utc(2026, 11, 2, 1, 0));
    EXPECT_EQ(SlotInstantUtc(DaysFromCivil(2026, 3, 8), 150, *z), Utc(2026, 3, 8, 7, 30));
    EXPECT_EQ(SlotInstantUtc(DaysFromCivil(2026, 11, 1), 90, *z), Utc(2026, 11, 1, 5, 30));
    // Midnight slots, whose UTC instant is on the next UTC day.
    EXPECT_EQ(SlotInstantUtc(DaysFromCivil(2026, 7, 4), 0, *z), Utc(2026, 7, 4, 4, 0));
}

TEST(TimeZone, PosixRulesAgreeWithTheDatabaseHourByHour) {
    struct Pair {
        const char* zone;
        const char* rule;
    };
    for (const Pair& p : {Pair{"Europe/Berlin", "CET-1CEST,M3.5.0,M10.5.0/3"},
                          Pair{"America/New_York", "EST5EDT,M3.2.0,M11.1.0"},
                          Pair{"Australia/Sydney", "AEST-10AEDT,M10.1.0,M4.1.0/3"},
                          Pair{"Asia/Kolkata", "IST-5:30"}, Pair{"America/Sao_Paulo", "<-03>3"}}) {
        auto file = Zone(p.zone);
        auto rule = TimeZone::FromPosix(p.rule);
        ASSERT_TRUE(rule.ok()) << rule.error().message;
        for (UnixMillis t = Utc(2026, 1, 1, 0, 0); t < Utc(2028, 1, 1, 0, 0); t += 3600000) {
            ASSERT_EQ((*rule)->OffsetAt(t), file->OffsetAt(t)) << p.zone << " at " << t;
        }
    }
}

TEST(TimeZone, ParsesPosixRulesAndNamesWhatIsWrong) {
    auto r = ParsePosixTz("CET-1CEST,M3.5.0,M10.5.0/3");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->std_offset_seconds, 3600);
    EXPECT_EQ(r->dst_offset_seconds, 7200);
    EXPECT_EQ(r->start.month, 3);
    EXPECT_EQ(r->start.week, 5);
    EXPECT_EQ(r->end.time_seconds, 3 * 3600);
    r = ParsePosixTz("<+0330>-3:30");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->std_offset_seconds, 3 * 3600 + 1800);
    EXPECT_FALSE(r->has_dst);
    r = ParsePosixTz("EST5EDT");  // no rule: US rules
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->start.month, 3);
    EXPECT_EQ(r->end.month, 11);
    for (const char* bad : {"", "CET", "C-1", "CET-1CEST,M13.1.0,M10.5.0", "CET-1CEST,M3.5.0",
                            "CET-1CEST,M3.5.0,M10.5.0/3x"}) {
        auto e = ParsePosixTz(bad);
        EXPECT_FALSE(e.ok()) << bad;
        if (!e.ok()) {
            EXPECT_NE(e.error().message.find("POSIX TZ rule"), std::string::npos);
        }
    }
}

TEST(TimeZone, UnknownOrUnsafeNamesAreRefused) {
    auto z = TimeZone::Load("Mars/Olympus_Mons");
    ASSERT_FALSE(z.ok());
    EXPECT_NE(z.error().message.find("unknown time zone 'Mars/Olympus_Mons'"), std::string::npos);
    EXPECT_FALSE(TimeZone::Load("../../etc/passwd").ok());
    EXPECT_FALSE(TimeZone::Load("/etc/localtime").ok());
    EXPECT_FALSE(TimeZone::FromTzif("not a tzif file at all, not even close to it, no", "x").ok());
    auto utc = Zone("UTC");
    EXPECT_EQ(utc->OffsetAt(Utc(2026, 6, 1, 0, 0)), 0);
    EXPECT_EQ(TimeZone::Fixed(-300 * 60)->OffsetAt(Utc(2026, 6, 1, 0, 0)), -18000);
}

TEST(TimeZone, TheLocalZoneComesFromTz) {
    const char* old = std::getenv("TZ");
    const std::string saved = old ? old : "";
    setenv("TZ", "America/New_York", 1);
    auto z = TimeZone::Load("");
    ASSERT_TRUE(z.ok());
    EXPECT_EQ((*z)->name(), "America/New_York");
    EXPECT_EQ((*z)->OffsetAt(Utc(2026, 7, 1, 0, 0)), -4 * 3600);
    setenv("TZ", "IST-5:30", 1);
    z = TimeZone::Load("");
    ASSERT_TRUE(z.ok());
    EXPECT_EQ((*z)->OffsetAt(Utc(2026, 7, 1, 0, 0)), 5 * 3600 + 1800);
    if (old) {
        setenv("TZ", saved.c_str(), 1);
    } else {
        unsetenv("TZ");
    }
}

/// The instants at which a slot's item started, over three days across a DST change.
std::set<UnixMillis> SlotStarts(const std::shared_ptr<const TimeZone>& zone, UnixMillis from,
                                UnixMillis until) {
    Catalog cat;
    cat[1] = testing::Item(1, std::vector<double>(15, 4.0));  // a 60 s loop item
    cat[9] = testing::Item(9, {4});
    Schedule sched{{1}};
    sched.slots =
        ParseSlots(nlohmann::json::parse(R"([{"time":"20:00","content_id":9}])"), {}).value();
    sched.zone = zone;
    auto s = NewChannelState(from, 1, 4, 0);
    std::set<UnixMillis> starts;
    for (UnixMillis now = from; now < until; now += 3600000) {
        EXPECT_TRUE(Extend(s, sched, cat, now, now + 3600000));
        for (const auto& o : s.occurrences) {
            if (o.source == Source::kSlot) starts.insert(o.start);
        }
    }
    return starts;
}

void ExpectStartsNear(const std::set<UnixMillis>& starts, const std::vector<UnixMillis>& due) {
    ASSERT_EQ(starts.size(), due.size());
    auto it = starts.begin();
    for (UnixMillis t : due) {
        // At the first boundary at or after the slot time (loop items are 60 s long).
        EXPECT_GE(*it, t);
        EXPECT_LT(*it, t + 60000);
        ++it;
    }
}

TEST(TimeZone, ChannelSlotsStayAtTheWallClockTimeAcrossBerlinsSpringChange) {
    auto starts =
        SlotStarts(Zone("Europe/Berlin"), Utc(2026, 3, 27, 12, 0), Utc(2026, 3, 30, 12, 0));
    ExpectStartsNear(starts,
                     {Utc(2026, 3, 27, 19, 0), Utc(2026, 3, 28, 19, 0), Utc(2026, 3, 29, 18, 0)});
}

TEST(TimeZone, ChannelSlotsStayAtTheWallClockTimeAcrossNewYorksFallChange) {
    auto starts =
        SlotStarts(Zone("America/New_York"), Utc(2026, 10, 31, 12, 0), Utc(2026, 11, 3, 12, 0));
    ExpectStartsNear(starts,
                     {Utc(2026, 11, 1, 0, 0), Utc(2026, 11, 2, 1, 0), Utc(2026, 11, 3, 1, 0)});
}

TEST(TimeZone, WithoutAZoneSlotsKeepTheFixedOffset) {
    auto starts = SlotStarts(nullptr, Utc(2026, 3, 27, 12, 0), Utc(2026, 3, 30, 12, 0));
    ExpectStartsNear(starts,
                     {Utc(2026, 3, 27, 20, 0), Utc(2026, 3, 28, 20, 0), Utc(2026, 3, 29, 20, 0)});
}

}  // namespace
}  // namespace beacon::liveloop
