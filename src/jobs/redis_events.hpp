#pragma once
/// Carries job events between processes through Redis pub/sub, so that a job run by a
/// `beacon worker` on another machine reaches the server's WebSocket clients. Every local
/// event is published on one channel (with this process's origin id); every event from
/// another process is re-published on the local EventBus (with a local sequence number).
/// Losing Redis loses no job (jobs live in the database): events stay local until it is back,
/// and the bridge says so once and reconnects with backoff.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "core/result.hpp"
#include "jobs/event_bus.hpp"

namespace beacon::jobs {

struct RedisUrl {
    std::string host = "127.0.0.1";
    int port = 6379;
    std::string password;  // AUTH when set
    int db = 0;
};
/// Parses "redis://[:password@]host[:port][/db]".
core::Result<RedisUrl> ParseRedisUrl(const std::string& url);

class RedisEventBridge {
public:
    /// Starts forwarding at once (connecting in the background). `origin` names this process
    /// (events it sent are not taken back). `channel` is shared by every Beacon process.
    RedisEventBridge(EventBus& bus, RedisUrl url, std::string origin,
                     std::string channel = "beacon:events");
    ~RedisEventBridge();  // stops both threads
    RedisEventBridge(const RedisEventBridge&) = delete;
    RedisEventBridge& operator=(const RedisEventBridge&) = delete;

    /// True while the subscriber connection is up (for health reports and tests).
    bool connected() const { return subscribed_.load(); }
    /// Events sent to / taken from Redis so far.
    std::uint64_t sent() const { return sent_.load(); }
    std::uint64_t received() const { return received_.load(); }

private:
    void SendLoop(std::stop_token stop);
    void ReceiveLoop(std::stop_token stop);
    void Note(const std::string& what);

    EventBus& bus_;
    RedisUrl url_;
    std::string origin_;
    std::string channel_;
    std::uint64_t subscription_ = 0;

    std::mutex mu_;
    std::condition_variable_any cv_;
    std::deque<std::string> outbox_;  // JSON messages waiting for PUBLISH
    std::atomic<bool> subscribed_{false};
    std::atomic<std::uint64_t> sent_{0};
    std::atomic<std::uint64_t> received_{0};
    std::mutex note_mu_;
    std::string last_note_;

    std::jthread sender_;    // declared last: stop first
    std::jthread receiver_;
};

}  // namespace beacon::jobs
