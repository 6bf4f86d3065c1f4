// Job events between processes through a real redis-server started by this test: what one
// process publishes reaches the other's EventBus (and so its WebSocket clients), never echoes
// back, and flows again after Redis was killed and came back.
#include "jobs/redis_events.hpp"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "support/redis_server.hpp"

namespace beacon::jobs {
namespace {

using namespace std::chrono_literals;

/// Records what a bus delivers; waits (hang guard) for a count.
struct Seen {
    std::mutex mu;
    std::condition_variable cv;
    std::vector<Event> events;
    explicit Seen(EventBus& bus) {
        bus.Subscribe([this](const Event& e) {
            std::lock_guard lock(mu);
            events.push_back(e);
            cv.notify_all();
        });
    }
    bool WaitFor(std::size_t n, std::chrono::milliseconds limit = 10s) {
        std::unique_lock lock(mu);
        return cv.wait_for(lock, limit, [&] { return events.size() >= n; });
    }
    std::size_t size() {
        std::lock_guard lock(mu);
        return events.size();
    }
};

bool WaitUntil(const std::function<bool()>& f, std::chrono::milliseconds limit = 10s) {
    auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
        if (f()) return true;
        std::this_thread::sleep_for(20ms);
    }
    return f();
}

TEST(RedisUrl, ParsesHostPortPasswordAndDb) {
    auto u = ParseRedisUrl("redis://:s3cret@cache.lan:6380/2");
    ASSERT_TRUE(u.ok()) << u.error().message;
    EXPECT_EQ(u->host, "cache.lan");
    EXPECT_EQ(u->port, 6380);
    EXPECT_EQ(u->password, "s3cret");
    EXPECT_EQ(u->db, 2);
    EXPECT_EQ(ParseRedisUrl("redis://redis")->port, 6379);
    EXPECT_FALSE(ParseRedisUrl("http://redis:6379").ok());
    EXPECT_FALSE(ParseRedisUrl("redis://redis:99999").ok());
    EXPECT_FALSE(ParseRedisUrl("redis://:6379").ok());
}

TEST(RedisEventBridge, AWorkersEventsReachTheServerAndNeverEchoBack) {
    auto redis = testing::RedisServer::Start();
    ASSERT_TRUE(redis.ok()) << redis.error().message;
    auto url = *ParseRedisUrl((*redis)->Url());
    EventBus server_bus;
    EventBus worker_bus;
    Seen at_server(server_bus);
    Seen at_worker(worker_bus);
    RedisEventBridge server(server_bus, url, "server");
    RedisEventBridge worker(worker_bus, url, "worker-1");
    ASSERT_TRUE(WaitUntil([&] { return server.connected() && worker.connected(); }));

    worker_bus.Publish("job.updated", {{"id", 7}, {"status", "rendering_preview"}, {"progress", 40}});
    ASSERT_TRUE(at_server.WaitFor(1)) << "the worker's event reached the server's bus";
    {
        std::lock_guard lock(at_server.mu);
        EXPECT_EQ(at_server.events[0].type, "job.updated");
        EXPECT_EQ(at_server.events[0].data["progress"], 40);
        EXPECT_EQ(at_server.events[0].seq, 1u) << "numbered by the receiving bus";
    }
    server_bus.Publish("content.updated", {{"id", 3}});
    ASSERT_TRUE(at_worker.WaitFor(2));
    std::this_thread::sleep_for(300ms);
    EXPECT_EQ(at_server.size(), 2u) << "the server saw its own event once and the worker's once";
    EXPECT_EQ(at_worker.size(), 2u) << "no echo of the worker's event coming back";
    EXPECT_EQ(worker.sent(), 1u);
    EXPECT_EQ(server.received(), 1u);
}

TEST(RedisEventBridge, EventsFlowAgainAfterRedisComesBack) {
    auto redis = testing::RedisServer::Start();
    ASSERT_TRUE(redis.ok()) << redis.error().message;
    auto url = *ParseRedisUrl((*redis)->Url());
    EventBus server_bus;
    EventBus worker_bus;
    Seen at_server(server_bus);
    RedisEventBridge server(server_bus, url, "server");
    RedisEventBridge worker(worker_bus, url, "worker-1");
    ASSERT_TRUE(WaitUntil([&] { return server.connected() && worker.connected(); }));
    worker_bus.Publish("job.updated", {{"id", 1}});
    ASSERT_TRUE(at_server.WaitFor(1));

    (*redis)->Kill();
    ASSERT_TRUE(WaitUntil([&] { return !server.connected(); })) << "the loss is noticed";
    // Published while Redis is away: kept locally (the worker's own clients still see it).
    EXPECT_GT(worker_bus.Publish("job.updated", {{"id", 2}}), 0u);
    ASSERT_TRUE((*redis)->Restart().ok());
    ASSERT_TRUE(WaitUntil([&] { return server.connected(); }, 20s)) << "reconnected";
    worker_bus.Publish("job.updated", {{"id", 3}});
    // (The event from the outage may arrive too: it waits in the sender's outbox, but a
    // subscriber that re-subscribes later than the sender reconnects misses it.)
    auto has_three = [&] {
        std::lock_guard lock(at_server.mu);
        for (const auto& e : at_server.events) {
            if (e.data.value("id", 0) == 3) return true;
        }
        return false;
    };
    EXPECT_TRUE(WaitUntil(has_three, 20s)) << "events flow again after the outage";
}

}  // namespace
}  // namespace beacon::jobs
