#include "jobs/event_bus.hpp"

namespace beacon::jobs {

std::string_view ToString(EventType t) {
    switch (t) {
        case EventType::kJobUpdated:
            return "job.updated";
        case EventType::kJobLog:
            return "job.log";
        case EventType::kContentUpdated:
            return "content.updated";
        case EventType::kContentDeleted:
            return "content.deleted";
        case EventType::kPlaylistUpdated:
            return "playlist.updated";
    }
    return "unknown";
}

std::optional<EventType> ParseEventType(std::string_view name) {
    for (auto t : {EventType::kJobUpdated, EventType::kJobLog, EventType::kContentUpdated,
                   EventType::kContentDeleted, EventType::kPlaylistUpdated}) {
        if (ToString(t) == name) return t;
    }
    return std::nullopt;
}

std::uint64_t EventBus::Publish(EventType type, core::Json data, int v) {
    return Publish(std::string(ToString(type)), std::move(data), v);
}

core::Json Event::ToJson() const {
    return core::Json{{"seq", seq}, {"type", type}, {"v", v}, {"data", data}};
}

std::uint64_t EventBus::Publish(std::string type, core::Json data, int v) {
    // Held for the whole publish so every subscriber sees events in sequence order.
    std::lock_guard publish(publish_mu_);
    Event e;
    std::vector<Subscriber> subs;
    {
        std::lock_guard lock(mu_);
        e = Event{++seq_, std::move(type), v, std::move(data)};
        events_.push_back(e);
        while (events_.size() > history_) events_.pop_front();
        subs.reserve(subs_.size());
        for (auto& [_, s] : subs_) subs.push_back(s);
    }
    for (auto& s : subs) s(e);
    return e.seq;
}

std::vector<Event> EventBus::Since(std::uint64_t after, bool* complete) const {
    std::lock_guard lock(mu_);
    std::vector<Event> out;
    if (complete) {
        // A sequence from the future (another process before a restart) cannot be resumed.
        *complete = after <= seq_ && (events_.empty() || after + 1 >= events_.front().seq);
    }
    for (const auto& e : events_) {
        if (e.seq > after) out.push_back(e);
    }
    return out;
}

std::uint64_t EventBus::LastSeq() const {
    std::lock_guard lock(mu_);
    return seq_;
}

std::uint64_t EventBus::Subscribe(Subscriber s) {
    std::lock_guard lock(mu_);
    std::uint64_t id = next_sub_++;
    subs_.emplace(id, std::move(s));
    return id;
}

void EventBus::Unsubscribe(std::uint64_t id) {
    std::lock_guard lock(mu_);
    subs_.erase(id);
}

}  // namespace beacon::jobs
