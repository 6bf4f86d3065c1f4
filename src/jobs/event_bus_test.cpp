#include "jobs/event_bus.hpp"

#include <gtest/gtest.h>

namespace beacon::jobs {
namespace {

TEST(EventBus, NumbersEventsAndResumesFromASequence) {
    EventBus bus(3);
    std::vector<std::uint64_t> delivered;
    auto sub = bus.Subscribe([&](const Event& e) { delivered.push_back(e.seq); });
    for (int i = 0; i < 5; ++i) bus.Publish("job.updated", {{"id", i}});
    EXPECT_EQ(delivered, (std::vector<std::uint64_t>{1, 2, 3, 4, 5}));
    bool complete = false;
    auto since = bus.Since(3, &complete);
    ASSERT_EQ(since.size(), 2u);
    EXPECT_EQ(since[0].seq, 4u);
    EXPECT_TRUE(complete);
    bus.Since(1, &complete);  // events 2 fell out of the 3-event history
    EXPECT_FALSE(complete);
    bus.Since(99, &complete);  // a sequence from another process life
    EXPECT_FALSE(complete);
    EXPECT_EQ(since[0].ToJson()["type"], "job.updated");
    EXPECT_EQ(since[0].ToJson()["v"], 1);
    bus.Unsubscribe(sub);
    bus.Publish("job.log", {});
    EXPECT_EQ(delivered.size(), 5u);
}

TEST(EventBus, TypedEventsKeepTheirWireNames) {
    EventBus bus;
    std::vector<std::string> types;
    bus.Subscribe([&](const Event& e) { types.push_back(e.type); });
    bus.Publish(EventType::kJobUpdated, {{"id", 1}});
    bus.Publish(EventType::kPlaylistUpdated, {{"id", 2}, {"deleted", true}});
    EXPECT_EQ(types, (std::vector<std::string>{"job.updated", "playlist.updated"}));
    auto since = bus.Since(0);
    ASSERT_EQ(since.size(), 2u);
    EXPECT_TRUE(since[1].Is(EventType::kPlaylistUpdated));
    EXPECT_FALSE(since[1].Is(EventType::kJobUpdated));
    for (auto t : {EventType::kJobUpdated, EventType::kJobLog, EventType::kContentUpdated,
                   EventType::kContentDeleted, EventType::kPlaylistUpdated}) {
        EXPECT_EQ(ParseEventType(ToString(t)), t) << ToString(t);
    }
    EXPECT_FALSE(ParseEventType("job.exploded").has_value());
}

}  // namespace
}  // namespace beacon::jobs
