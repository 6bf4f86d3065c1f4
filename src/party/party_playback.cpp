/// PartyService: the playback commands (play, pause, seek, rate), the group wait, host
/// promotion and the periodic tick.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <string>

#include "party/party.hpp"

namespace beacon::party {

void PartyService::OnRequest(Party& p, Member& m, const Json& msg) {
    if (p.live) {
        return SendError(m, "live_party",
                         "a channel party follows the channel's clock; nobody controls playback");
    }
    if (m.id != p.host && !p.anyone_controls) {
        return SendError(m, "not_host", "only the host controls playback");
    }
    std::string action = msg.value("action", "");
    std::string by = std::to_string(m.id);
    auto number = [&](const char* key) -> std::optional<double> {
        if (!msg.contains(key) || !msg[key].is_number()) return std::nullopt;
        double v = msg[key];
        if (!std::isfinite(v)) return std::nullopt;
        return v;
    };
    auto clamp_position = [&](double v) {
        v = std::max(0.0, v);
        return p.target.duration > 0 ? std::min(v, p.target.duration) : v;
    };
    if (action == "play") {
        auto pos = number("position");
        return Play(p, pos ? std::optional<double>(clamp_position(*pos)) : std::nullopt, by);
    }
    if (action == "pause") return Pause(p, by);
    if (action == "seek") {
        auto pos = number("position");
        if (!pos) return SendError(m, "invalid_request", "seek needs a numeric position");
        return Seek(p, clamp_position(*pos), by);
    }
    if (action == "rate") {
        auto rate = number("rate");
        if (!rate || *rate < 0.25 || *rate > 4) {
            return SendError(m, "invalid_request", "rate must be between 0.25 and 4");
        }
        return SetRate(p, *rate, by);
    }
    if (action == "audio" || action == "captions") {
        if (!msg.contains("track") || !msg["track"].is_string() ||
            msg["track"].get<std::string>().size() > 64) {
            return SendError(m, "invalid_request", action + " needs a string track (\"\": off)");
        }
        (action == "audio" ? p.audio : p.captions) = msg["track"];
        return BroadcastState(p, action, by);
    }
    SendError(m, "invalid_request", "unknown action: " + action);
}

void PartyService::Play(Party& p, std::optional<double> position, const std::string& by) {
    double now = now_();
    if (position && (p.phase == Phase::kPlaying ||
                     std::abs(*position - PositionAt(p, now)) > 0.001)) {
        // Playing from another point is a seek that resumes.
        return StartWaiting(p, *position, true, options_.group_wait_ms, "seek", by);
    }
    if (p.phase == Phase::kPlaying) return;
    if (p.phase == Phase::kWaiting) {
        // Play pressed while the group waits: go now, whoever is not ready catches up.
        p.resume_playing = true;
        return MaybeFinishWait(p, true);
    }
    bool stalled = false;
    for (const auto& [id, m] : p.members) stalled |= m.connected && !m.catching_up && m.buffering;
    if (stalled) {
        return StartWaiting(p, p.position, true, options_.group_wait_ms, "play", by);
    }
    p.position = PositionAt(p, now);
    p.at = now + ScheduleDelay(p);
    p.playing = true;
    p.phase = Phase::kPlaying;
    BroadcastState(p, "play", by);
}

void PartyService::Pause(Party& p, const std::string& by) {
    double now = now_();
    if (p.phase == Phase::kPlaying) {
        double t = now + ScheduleDelay(p);
        p.position = PositionAt(p, t);
        p.at = t;
    } else {
        p.position = PositionAt(p, now);
        p.at = now;
    }
    p.playing = false;
    p.resume_playing = false;
    p.phase = Phase::kPaused;
    BroadcastState(p, "pause", by);
}

void PartyService::Seek(Party& p, double position, const std::string& by) {
    bool resume = p.phase == Phase::kPlaying || (p.phase == Phase::kWaiting && p.resume_playing);
    StartWaiting(p, position, resume, options_.group_wait_ms, "seek", by);
}

void PartyService::SetRate(Party& p, double rate, const std::string& by) {
    double now = now_();
    if (p.phase == Phase::kPlaying) {
        double t = now + ScheduleDelay(p);
        p.position = PositionAt(p, t);
        p.at = t;
    }
    p.rate = rate;
    BroadcastState(p, "rate", by);
}

void PartyService::StartWaiting(Party& p, double position, bool resume_playing, double wait_ms,
                                const std::string& reason, const std::string& by) {
    double now = now_();
    p.position = position;
    p.at = now;
    p.playing = false;
    p.phase = Phase::kWaiting;
    p.resume_playing = resume_playing;
    p.wait_deadline = now + wait_ms;
    BroadcastState(p, reason, by);
}

void PartyService::MaybeFinishWait(Party& p, bool force) {
    if (p.phase != Phase::kWaiting) return;
    auto late = NotReady(p);
    if (!late.empty()) {
        if (!force) return;
        for (auto id : late) p.members[id].catching_up = true;
    }
    double now = now_();
    if (p.resume_playing) {
        p.at = now + ScheduleDelay(p);
        p.playing = true;
        p.phase = Phase::kPlaying;
    } else {
        p.at = now;
        p.phase = Phase::kPaused;
    }
    BroadcastState(p, late.empty() ? "ready" : "wait_timeout", "");
    if (!late.empty()) Broadcast(p, MembersJson(p));
}

void PartyService::Promote(Party& p, std::int64_t member_id, const std::string& reason,
                           const std::string& by) {
    p.host = member_id;
    auto it = p.members.find(member_id);
    Broadcast(p, Json{{"type", "host"},
                      {"v", 1},
                      {"host", member_id},
                      {"name", it == p.members.end() ? "" : it->second.name},
                      {"reason", reason},
                      {"by", by}});
    Broadcast(p, MembersJson(p));
    p.members_sent_at = now_();
}

void PartyService::Tick() {
    std::lock_guard lock(mu_);
    double now = now_();
    std::vector<std::string> ended;
    for (auto& [id, p] : parties_) {
        if (p.phase == Phase::kWaiting && now >= p.wait_deadline) MaybeFinishWait(p, true);
        if (p.host != 0) {
            auto host = p.members.find(p.host);
            bool gone = host == p.members.end() ||
                        (!host->second.connected && now - host->second.left_at >= options_.promote_after_ms);
            if (gone) {
                const Member* next = nullptr;
                for (const auto& [mid, m] : p.members) {
                    if (m.connected && (!next || m.joined_at < next->joined_at)) next = &m;
                }
                if (next) Promote(p, next->id, "host_disconnected", "");
            }
        }
        // Members gone for a long time are forgotten (no rejoin after that).
        for (auto it = p.members.begin(); it != p.members.end();) {
            bool stale = !it->second.connected && it->first != p.host &&
                         now - it->second.left_at > options_.empty_end_ms;
            it = stale ? p.members.erase(it) : std::next(it);
        }
        if (ConnectedCount(p) == 0 && now - p.empty_since >= options_.empty_end_ms) {
            ended.push_back(id);
            continue;
        }
        // Latency shown in the members list follows the clients' measurements.
        if (now - p.members_sent_at >= 2000) {
            bool moved = false;
            for (auto& [mid, m] : p.members) {
                if (m.connected && std::abs(m.rtt_ms - m.reported_rtt_ms) > 10) moved = true;
            }
            if (moved) {
                for (auto& [mid, m] : p.members) m.reported_rtt_ms = m.rtt_ms;
                Broadcast(p, MembersJson(p));
                p.members_sent_at = now;
            }
        }
    }
    for (const auto& id : ended) {
        if (Party* p = Find(id)) EndLocked(*p, "nobody was left");
    }
}

}  // namespace beacon::party
