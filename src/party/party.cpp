#include "party/party.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>

namespace beacon::party {

namespace {

std::string RandomHex(std::size_t bytes) {
    std::string raw(bytes, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1) {
        throw std::runtime_error("no random bytes");
    }
    static const char* kDigits = "0123456789abcdef";
    std::string out;
    for (unsigned char c : raw) {
        out += kDigits[c >> 4];
        out += kDigits[c & 15];
    }
    return out;
}

double SystemNowMs() {
    using namespace std::chrono;
    return static_cast<double>(
               duration_cast<microseconds>(system_clock::now().time_since_epoch()).count()) /
           1000.0;
}

std::string Trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' ||
                          s.front() == '\r')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' ||
                          s.back() == '\r')) {
        s.remove_suffix(1);
    }
    return std::string(s);
}

/// Control characters (other than newline and tab in chat) are refused.
bool HasControl(std::string_view s, bool allow_newline) {
    for (unsigned char c : s) {
        if (c == 0x7f) return true;
        if (c < 0x20 && !(allow_newline && (c == '\n' || c == '\t'))) return true;
    }
    return false;
}

const char* PhaseName(int phase) {
    static const char* kNames[] = {"idle", "waiting", "paused", "playing"};
    return kNames[phase];
}

}  // namespace

void Connection::OnMessage(std::string_view text) {
    service_.HandleMessage(party_id_, member_id_, generation_, text);
}

void Connection::OnClose() { service_.HandleClose(party_id_, member_id_, generation_); }

bool PartyService::Bucket::Take(double now, double per_second, double burst) {
    if (at == 0) tokens = burst;
    tokens = std::min(burst, tokens + (now - at) / 1000.0 * per_second);
    at = now;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
}

PartyService::PartyService(PartyOptions options, std::function<double()> now_ms,
                           std::string secret)
    : options_(options),
      now_(now_ms ? std::move(now_ms) : std::function<double()>(SystemNowMs)),
      signer_(std::move(secret)) {
    if (options_.tick_thread) {
        ticker_ = std::jthread([this](std::stop_token stop) {
            std::mutex m;
            std::condition_variable_any cv;
            while (!stop.stop_requested()) {
                Tick();
                std::unique_lock lock(m);
                cv.wait_for(lock, stop, std::chrono::milliseconds(200), [] { return false; });
            }
        });
    }
}

PartyService::~PartyService() {
    if (ticker_.joinable()) {
        ticker_.request_stop();
        ticker_.join();
    }
}

PartyService::Party* PartyService::Find(std::string_view id) {
    auto it = parties_.find(id);
    return it == parties_.end() ? nullptr : &it->second;
}

const PartyService::Party* PartyService::Find(std::string_view id) const {
    auto it = parties_.find(id);
    return it == parties_.end() ? nullptr : &it->second;
}

std::size_t PartyService::PartyCount() const {
    std::lock_guard lock(mu_);
    return parties_.size();
}

std::size_t PartyService::MemberCount() const {
    std::lock_guard lock(mu_);
    std::size_t n = 0;
    for (const auto& [id, p] : parties_) n += ConnectedCount(p);
    return n;
}

core::Result<CreatedParty> PartyService::Create(std::int64_t owner_user_id, PartyTarget target) {
    std::lock_guard lock(mu_);
    if (parties_.size() >= options_.max_parties) {
        return core::Error{core::ErrorCode::kConflict,
                           "too many parties at once (" + std::to_string(options_.max_parties) +
                               "); end one first"};
    }
    Party p;
    p.id = RandomHex(8);
    p.owner_user_id = owner_user_id;
    p.live = !target.channel.empty();
    p.target = std::move(target);
    p.created_at = now_();
    p.empty_since = p.created_at;
    p.at = p.created_at;
    CreatedParty out;
    out.id = p.id;
    out.invite_expires_ms = static_cast<std::int64_t>(p.created_at) + options_.invite_ttl_ms;
    out.invite_token = signer_.Issue(p.id, out.invite_expires_ms);
    parties_.emplace(p.id, std::move(p));
    return out;
}

core::Result<CreatedParty> PartyService::Invite(std::string_view party_id) {
    std::lock_guard lock(mu_);
    if (!Find(party_id)) return core::Error::NotFound("no party " + std::string(party_id));
    CreatedParty out;
    out.id = std::string(party_id);
    out.invite_expires_ms = static_cast<std::int64_t>(now_()) + options_.invite_ttl_ms;
    out.invite_token = signer_.Issue(party_id, out.invite_expires_ms);
    return out;
}

core::Status PartyService::CheckInvite(std::string_view party_id, std::string_view token) const {
    BEACON_CHECK(signer_.Check(token, party_id, static_cast<std::int64_t>(now_())));
    std::lock_guard lock(mu_);
    if (!Find(party_id)) return core::Error::NotFound("no party " + std::string(party_id));
    return {};
}

core::Result<PartyTarget> PartyService::Target(std::string_view party_id) const {
    std::lock_guard lock(mu_);
    const Party* p = Find(party_id);
    if (!p) return core::Error::NotFound("no party " + std::string(party_id));
    return p->target;
}

core::Result<Json> PartyService::Describe(std::string_view party_id) const {
    std::lock_guard lock(mu_);
    const Party* p = Find(party_id);
    if (!p) return core::Error::NotFound("no party " + std::string(party_id));
    return DescribeLocked(*p);
}

Json PartyService::DescribeLocked(const Party& p) const {
    return Json{{"id", p.id},
                {"kind", p.live ? "channel" : "item"},
                {"content_id", p.target.content_id},
                {"channel", p.target.channel},
                {"title", p.target.title},
                {"duration", p.target.duration},
                {"live", p.live},
                {"host", p.host},
                {"anyone_controls", p.anyone_controls},
                {"member_count", ConnectedCount(p)},
                {"max_members", options_.max_members},
                {"created_at", p.created_at},
                {"state", StateJson(p)}};
}

core::Status PartyService::End(std::string_view party_id) {
    std::lock_guard lock(mu_);
    Party* p = Find(party_id);
    if (!p) return core::Error::NotFound("no party " + std::string(party_id));
    EndLocked(*p, "ended by the owner");
    return {};
}

void PartyService::EndLocked(Party& p, const std::string& reason) {
    Broadcast(p, Json{{"type", "ended"}, {"v", 1}, {"reason", reason}});
    for (auto& [id, m] : p.members) {
        if (m.sink) m.sink->Close(false, "party ended");
        m.sink.reset();
        m.connected = false;
    }
    std::string id = p.id;
    parties_.erase(id);
}

double PartyService::PositionAt(const Party& p, double t) const {
    double pos = p.position;
    if (p.playing && t > p.at) pos += (t - p.at) / 1000.0 * p.rate;
    if (p.target.duration > 0) pos = std::min(pos, p.target.duration);
    return std::max(0.0, pos);
}

double PartyService::ScheduleDelay(const Party& p) const {
    double highest = 0;
    for (const auto& [id, m] : p.members) {
        if (m.connected) highest = std::max(highest, m.rtt_ms);
    }
    return std::min(options_.max_schedule_ms, std::max(2 * highest, options_.min_schedule_ms));
}

std::size_t PartyService::ConnectedCount(const Party& p) const {
    std::size_t n = 0;
    for (const auto& [id, m] : p.members) n += m.connected ? 1 : 0;
    return n;
}

std::vector<std::int64_t> PartyService::NotReady(const Party& p) const {
    std::vector<std::int64_t> out;
    for (const auto& [id, m] : p.members) {
        if (!m.connected || m.catching_up) continue;
        if (m.buffering || m.ready_seq < p.wait_seq) out.push_back(id);
    }
    return out;
}

Json PartyService::StateJson(const Party& p) const {
    Json j{{"type", "state"},
           {"v", 1},
           {"seq", p.state_seq},
           {"state", PhaseName(static_cast<int>(p.phase))},
           {"playing", p.playing},
           {"position", p.position},
           {"at", p.at},
           {"rate", p.rate},
           {"audio", p.audio},
           {"captions", p.captions},
           {"live", p.live},
           {"by", p.state_by},
           {"reason", p.state_reason}};
    if (p.phase == Phase::kWaiting) {
        j["waiting_for"] = NotReady(p);
        j["wait_deadline"] = p.wait_deadline;
        j["resume_playing"] = p.resume_playing;
    } else {
        j["waiting_for"] = Json::array();
    }
    return j;
}

Json PartyService::MembersJson(const Party& p) const {
    Json list = Json::array();
    for (const auto& [id, m] : p.members) {
        if (!m.connected && id != p.host) continue;
        list.push_back({{"id", id},
                        {"name", m.name},
                        {"host", id == p.host},
                        {"owner", m.user_id != 0 && m.user_id == p.owner_user_id},
                        {"connected", m.connected},
                        {"buffering", m.buffering},
                        {"catching_up", m.catching_up},
                        {"latency_ms", std::round(m.rtt_ms / 2)},
                        {"joined_at", m.joined_at}});
    }
    return Json{{"type", "members"}, {"v", 1}, {"host", p.host}, {"members", list}};
}

std::uint64_t PartyService::Broadcast(Party& p, Json msg) {
    std::uint64_t seq = ++p.seq;
    msg["seq"] = seq;
    std::string text = msg.dump();
    for (auto& [id, m] : p.members) {
        if (m.connected && m.sink) m.sink->Send(text);
    }
    p.events.emplace_back(seq, std::move(text));
    while (p.events.size() > options_.replay_events) p.events.pop_front();
    return seq;
}

void PartyService::BroadcastState(Party& p, std::string reason, std::string by) {
    p.state_reason = std::move(reason);
    p.state_by = std::move(by);
    p.state_seq = p.seq + 1;
    if (p.phase == Phase::kWaiting) p.wait_seq = p.state_seq;
    Broadcast(p, StateJson(p));
}

void PartyService::SendTo(Member& m, const Json& msg) {
    if (m.connected && m.sink) m.sink->Send(msg.dump());
}

void PartyService::SendError(Member& m, std::string_view code, std::string_view message) {
    SendTo(m, Json{{"type", "error"}, {"v", 1}, {"code", code}, {"message", message}});
}

void PartyService::Replay(Party& p, Member& m, std::uint64_t after) {
    if (after >= p.seq) {
        if (after > p.seq) SendTo(m, Json{{"type", "resync"}, {"v", 1}, {"seq", p.seq}});
        return;
    }
    if (p.events.empty() || p.events.front().first > after + 1) {
        // Too far behind: the hello snapshot stands in for what was missed.
        SendTo(m, Json{{"type", "resync"}, {"v", 1}, {"seq", p.seq}});
        return;
    }
    for (const auto& [seq, text] : p.events) {
        if (seq > after && m.sink) m.sink->Send(text);
    }
}

core::Result<std::shared_ptr<Connection>> PartyService::Join(
    std::string_view party_id, JoinSpec spec, std::shared_ptr<server::SocketSink> sink) {
    std::lock_guard lock(mu_);
    Party* pp = Find(party_id);
    if (!pp) return core::Error::NotFound("no party " + std::string(party_id));
    Party& p = *pp;
    double now = now_();
    Member* m = nullptr;
    if (spec.rejoin_member > 0) {
        auto it = p.members.find(spec.rejoin_member);
        if (it != p.members.end() &&
            ((!spec.rejoin_secret.empty() && spec.rejoin_secret == it->second.secret) ||
             (spec.user_id != 0 && spec.user_id == it->second.user_id))) {
            m = &it->second;
        }
    }
    if (!m && spec.user_id != 0) {
        // The signed-in owner coming back takes up their earlier membership.
        for (auto& [id, other] : p.members) {
            if (other.user_id == spec.user_id && !other.connected) {
                m = &other;
                break;
            }
        }
    }
    std::string name = Trim(spec.name);
    if (!m) {
        if (name.empty() && spec.user_id != 0) name = "Owner";
        if (name.empty() || name.size() > options_.name_max_chars || HasControl(name, false)) {
            return core::Error::Invalid("a display name of 1 to " +
                                        std::to_string(options_.name_max_chars) +
                                        " characters is required");
        }
        if (ConnectedCount(p) >= options_.max_members) {
            return core::Error::Conflict("the party is full (" +
                                         std::to_string(options_.max_members) + " members)");
        }
        Member fresh;
        fresh.id = p.next_member++;
        fresh.name = name;
        fresh.user_id = spec.user_id;
        fresh.secret = RandomHex(16);
        fresh.joined_at = now;
        // Joining a party already under way: catch up alone; the group never waits for it.
        fresh.catching_up = p.phase != Phase::kIdle;
        m = &p.members.emplace(fresh.id, std::move(fresh)).first->second;
    } else {
        if (m->connected && m->sink) m->sink->Close(false, "replaced by a new connection");
        if (!name.empty() && name.size() <= options_.name_max_chars && !HasControl(name, false)) {
            m->name = name;
        }
        m->catching_up = p.phase != Phase::kIdle;
        m->buffering = false;
    }
    m->connected = true;
    m->sink = std::move(sink);
    m->generation = next_generation_++;
    if (p.host == 0 && !p.live) p.host = m->id;

    Json history = Json::array();
    for (const auto& c : p.chat) history.push_back(c);
    Json hello{{"type", "hello"},
               {"v", 1},
               {"you", {{"id", m->id}, {"name", m->name}, {"rejoin", m->secret}}},
               {"party", DescribeLocked(p)},
               {"state", StateJson(p)},
               {"chat", history},
               {"seq", p.seq},
               {"server_time", now}};
    SendTo(*m, hello);
    if (spec.after_seq) Replay(p, *m, *spec.after_seq);
    Broadcast(p, MembersJson(p));
    p.members_sent_at = now;
    auto conn = std::make_shared<Connection>(*this, p.id, m->id, m->generation);
    return conn;
}

void PartyService::HandleClose(std::string_view party_id, std::int64_t member_id,
                               std::uint64_t generation) {
    std::lock_guard lock(mu_);
    Party* p = Find(party_id);
    if (!p) return;
    auto it = p->members.find(member_id);
    if (it == p->members.end() || it->second.generation != generation || !it->second.connected) {
        return;
    }
    Member& m = it->second;
    m.connected = false;
    m.sink.reset();
    m.buffering = false;
    m.left_at = now_();
    if (ConnectedCount(*p) == 0) p->empty_since = m.left_at;
    // A member who left never holds the group.
    if (p->phase == Phase::kWaiting) MaybeFinishWait(*p, false);
    Broadcast(*p, MembersJson(*p));
}

void PartyService::HandleMessage(std::string_view party_id, std::int64_t member_id,
                                 std::uint64_t generation, std::string_view text) {
    std::lock_guard lock(mu_);
    Party* pp = Find(party_id);
    if (!pp) return;
    Party& p = *pp;
    auto it = p.members.find(member_id);
    if (it == p.members.end() || it->second.generation != generation || !it->second.connected) {
        return;
    }
    Member& m = it->second;
    double now = now_();
    if (!m.all.Take(now, options_.messages_per_second, options_.messages_burst)) {
        if (now - m.last_error_at >= 1000) {
            m.last_error_at = now;
            SendError(m, "rate_limited", "too many messages; slow down");
        }
        return;
    }
    if (text.size() > options_.max_message_bytes) {
        return SendError(m, "too_large",
                         "messages are limited to " + std::to_string(options_.max_message_bytes) +
                             " bytes");
    }
    Json msg = Json::parse(text, nullptr, false);
    if (!msg.is_object() || !msg.contains("type") || !msg["type"].is_string()) {
        return SendError(m, "invalid_message", "expected a JSON object with a string \"type\"");
    }
    const std::string type = msg["type"];
    std::string by = std::to_string(m.id);
    if (type == "time") {
        if (!msg.contains("t0") || !msg["t0"].is_number()) {
            return SendError(m, "invalid_message", "time needs a numeric t0");
        }
        if (msg.contains("rtt") && msg["rtt"].is_number()) {
            double rtt = msg["rtt"];
            if (rtt >= 0 && rtt <= 60000) m.rtt_ms = rtt;
        }
        Json reply{{"type", "time"}, {"v", 1}, {"t0", msg["t0"]}, {"t1", now}, {"t2", now_()}};
        if (msg.contains("id")) reply["id"] = msg["id"];
        return SendTo(m, reply);
    }
    if (type == "request") return OnRequest(p, m, msg);
    if (type == "buffering") {
        if (m.buffering) return;
        m.buffering = true;
        if (p.phase == Phase::kPlaying && !m.catching_up) {
            StartWaiting(p, PositionAt(p, now), true, options_.rebuffer_wait_ms, "buffering", by);
        }
        Broadcast(p, MembersJson(p));
        return;
    }
    if (type == "ready") {
        std::uint64_t seq = p.state_seq;
        if (msg.contains("seq") && msg["seq"].is_number_unsigned()) {
            seq = std::min<std::uint64_t>(msg["seq"].get<std::uint64_t>(), p.state_seq);
        }
        bool changed = m.buffering || (m.catching_up && seq >= p.state_seq);
        m.buffering = false;
        m.ready_seq = std::max(m.ready_seq, seq);
        if (m.catching_up && seq >= p.state_seq) m.catching_up = false;
        if (p.phase == Phase::kWaiting) MaybeFinishWait(p, false);
        if (changed) Broadcast(p, MembersJson(p));
        return;
    }
    if (type == "chat") {
        if (!msg.contains("text") || !msg["text"].is_string()) {
            return SendError(m, "invalid_message", "chat needs a string text");
        }
        std::string body = Trim(msg["text"].get<std::string>());
        if (body.empty()) return SendError(m, "invalid_message", "chat text is empty");
        if (body.size() > options_.chat_max_chars || HasControl(body, true)) {
            return SendError(m, "too_long",
                             "chat messages are plain text of at most " +
                                 std::to_string(options_.chat_max_chars) + " characters");
        }
        if (!m.chat.Take(now, options_.chat_per_second, options_.chat_burst)) {
            return SendError(m, "rate_limited", "chat is limited; wait a moment");
        }
        Json chat{{"type", "chat"}, {"v", 1},        {"from", m.id},
                  {"name", m.name}, {"text", body}, {"at", now}};
        chat["seq"] = Broadcast(p, chat);
        p.chat.push_back(std::move(chat));
        while (p.chat.size() > options_.chat_history) p.chat.pop_front();
        return;
    }
    if (type == "handoff") {
        if (p.live) return SendError(m, "live_party", "a channel party has no host");
        if (m.id != p.host && !(m.user_id != 0 && m.user_id == p.owner_user_id)) {
            return SendError(m, "not_host", "only the host hands off control");
        }
        if (!msg.contains("to") || !msg["to"].is_number_integer()) {
            return SendError(m, "invalid_message", "handoff needs a member id in \"to\"");
        }
        auto target = p.members.find(msg["to"].get<std::int64_t>());
        if (target == p.members.end() || !target->second.connected) {
            return SendError(m, "not_found", "no such member here");
        }
        return Promote(p, target->first, "handoff", by);
    }
    if (type == "settings") {
        if (m.id != p.host) return SendError(m, "not_host", "only the host changes settings");
        if (msg.contains("anyone_controls") && msg["anyone_controls"].is_boolean()) {
            p.anyone_controls = msg["anyone_controls"];
        }
        Broadcast(p, Json{{"type", "settings"}, {"v", 1}, {"anyone_controls", p.anyone_controls}});
        return;
    }
    if (type == "resume") {
        if (!msg.contains("after") || !msg["after"].is_number_unsigned()) {
            return SendError(m, "invalid_message", "resume needs a sequence number in \"after\"");
        }
        return Replay(p, m, msg["after"].get<std::uint64_t>());
    }
    if (type == "leave") {
        bool was_host = m.id == p.host;
        if (m.sink) m.sink->Close(false, "left the party");
        m.sink.reset();
        m.connected = false;
        m.left_at = now;
        std::int64_t gone = m.id;
        p.members.erase(gone);  // `m` is gone from here on
        if (ConnectedCount(p) == 0) p.empty_since = now;
        if (p.phase == Phase::kWaiting) MaybeFinishWait(p, false);
        if (was_host) {
            p.host = 0;
            const Member* next = nullptr;
            for (const auto& [id, other] : p.members) {
                if (other.connected && (!next || other.joined_at < next->joined_at)) next = &other;
            }
            if (next) return Promote(p, next->id, "host_left", std::to_string(gone));
        }
        Broadcast(p, MembersJson(p));
        return;
    }
    SendError(m, "unknown_type", "unknown message type: " + type);
}

}  // namespace beacon::party
