#pragma once
/// Typed, versioned events ({"type":"job.updated","v":1,"data":{...}}) with a sequence number.
/// Keeps the last N events so a WebSocket client that reconnects can resume from the last
/// sequence it saw. Thread-safe.
#include <cstdint>
#include <functional>
#include <mutex>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "core/model.hpp"

namespace beacon::jobs {

struct Event {
    std::uint64_t seq = 0;
    std::string type;  // job.updated | job.log | content.updated | content.deleted | playlist.updated
    int v = 1;
    core::Json data;
    core::Json ToJson() const;  // {"seq":..,"type":..,"v":..,"data":..}
};

class EventBus {
public:
    explicit EventBus(std::size_t history = 4096) : history_(history) {}
    /// Publishes an event to every subscriber (called on the publishing thread; subscribers
    /// must not block) and keeps it for resumption. Returns its sequence number.
    std::uint64_t Publish(std::string type, core::Json data, int v = 1);
    /// Events with seq > after, oldest first. `complete` is false when some were already dropped
    /// from history (the client should refetch state).
    std::vector<Event> Since(std::uint64_t after, bool* complete = nullptr) const;
    std::uint64_t LastSeq() const;

    using Subscriber = std::function<void(const Event&)>;
    /// Returns an id for Unsubscribe.
    std::uint64_t Subscribe(Subscriber s);
    void Unsubscribe(std::uint64_t id);

private:
    std::mutex publish_mu_;
    mutable std::mutex mu_;
    std::size_t history_;
    std::deque<Event> events_;
    std::uint64_t seq_ = 0;
    std::uint64_t next_sub_ = 1;
    std::map<std::uint64_t, Subscriber> subs_;
};

}  // namespace beacon::jobs
