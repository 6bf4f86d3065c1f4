#pragma once
/// Typed, versioned events ({"type":"job.updated","v":1,"data":{...}}) with a sequence number.
/// Keeps the last N events so a WebSocket client that reconnects can resume from the last
/// sequence it saw. Thread-safe.
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/model.hpp"

namespace beacon::jobs {

/// What an event is about; its wire name (ToString) is the event's "type".
enum class EventType {
    kJobUpdated,       ///< "job.updated": a job's row (core::ToJson(Job))
    kJobLog,           ///< "job.log": one job log line
    kContentUpdated,   ///< "content.updated": a library item
    kContentDeleted,   ///< "content.deleted": {"id"}
    kPlaylistUpdated,  ///< "playlist.updated": a playlist, or {"id", "deleted": true}
};
std::string_view ToString(EventType t);
/// The type named `name` on the wire; nullopt for a name this build does not know.
std::optional<EventType> ParseEventType(std::string_view name);

struct Event {
    std::uint64_t seq = 0;
    std::string type;  // ToString(EventType), as sent to clients
    bool Is(EventType t) const { return type == ToString(t); }
    int v = 1;
    core::Json data;
    core::Json ToJson() const;  // {"seq":..,"type":..,"v":..,"data":..}
};

class EventBus {
public:
    explicit EventBus(std::size_t history = 4096) : history_(history) {}
    /// Publishes an event to every subscriber (called on the publishing thread; subscribers
    /// must not block) and keeps it for resumption. Returns its sequence number.
    std::uint64_t Publish(EventType type, core::Json data, int v = 1);
    /// Relays an event whose type came from another process (RedisEventBridge), as it came.
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
