#pragma once
/// Watch parties: an in-memory, server-authoritative group state machine (idle, waiting,
/// paused, playing) with commands scheduled in server time, members, chat with history, host
/// handoff and automatic promotion, bounded group waits, limits and resume by sequence number.
/// See docs/party.md for the protocol. All state sits behind one mutex; nothing here blocks
/// (no disk, no database), so it runs on WebSocket network threads.
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/model.hpp"
#include "core/result.hpp"
#include "party/invite.hpp"
#include "server/extension.hpp"

namespace beacon::party {

using core::Json;

struct PartyOptions {
    std::size_t max_parties = 100;         // parties at once on this server
    std::size_t max_members = 50;          // connected members per party
    double min_schedule_ms = 500;          // a command starts at now + max(2 x highest RTT, this)
    double max_schedule_ms = 3000;         // ... but never later than now + this
    double group_wait_ms = 8000;           // after a seek/start: wait this long for everyone ready
    double rebuffer_wait_ms = 5000;        // a member stalling mid-play holds the group this long
    double promote_after_ms = 3000;        // host gone this long: the longest-present member hosts
    double empty_end_ms = 15 * 60 * 1000;  // nobody connected this long: the party ends
    std::int64_t invite_ttl_ms = 24 * 3600 * 1000LL;  // invite tokens expire after this
    std::size_t chat_history = 100;        // chat messages kept for late joiners
    std::size_t chat_max_chars = 500;      // longest chat text (UTF-8 bytes)
    std::size_t max_message_bytes = 4096;  // longest client message
    std::size_t name_max_chars = 40;       // longest display name (bytes)
    double chat_per_second = 2, chat_burst = 5;           // per member
    double messages_per_second = 20, messages_burst = 40;  // per member, all message types
    std::size_t replay_events = 500;       // broadcast events kept for resume
    bool tick_thread = true;               // run timers on an own thread (tests tick by hand)
};

/// What a party plays: a library item (with a host) or a LiveLoop channel (no host: members
/// align on the stream's wall clock).
struct PartyTarget {
    std::int64_t content_id = 0;  // library item, or 0
    std::string channel;          // channel slug, or empty
    std::string title;
    double duration = 0;  // seconds; 0 unknown
    Json media = Json::object();  // media URLs for signed-in members (see http.cpp)
};

struct CreatedParty {
    std::string id;
    std::string invite_token;
    std::int64_t invite_expires_ms = 0;
};

/// Who opens a socket: a signed-in user (user_id > 0) or an invite holder with a name.
/// rejoin_member/rejoin_secret reclaim an earlier membership (after a reconnect); after_seq
/// replays broadcast events the client missed.
struct JoinSpec {
    std::int64_t user_id = 0;
    std::string name;
    std::int64_t rejoin_member = 0;
    std::string rejoin_secret;
    std::optional<std::uint64_t> after_seq;
};

class PartyService;

/// One member's socket; the server calls it on network threads.
class Connection : public server::SocketHandler {
public:
    Connection(PartyService& service, std::string party_id, std::int64_t member_id,
               std::uint64_t generation)
        : service_(service),
          party_id_(std::move(party_id)),
          member_id_(member_id),
          generation_(generation) {}
    void OnMessage(std::string_view text) override;
    void OnClose() override;
    std::int64_t member_id() const { return member_id_; }

private:
    PartyService& service_;
    std::string party_id_;
    std::int64_t member_id_;
    std::uint64_t generation_;
};

class PartyService {
public:
    /// `now_ms`: the server clock in Unix milliseconds (fractional; injectable for tests).
    PartyService(PartyOptions options, std::function<double()> now_ms = {},
                 std::string secret = InviteSigner::RandomSecret());
    ~PartyService();  // stops the timer thread
    PartyService(const PartyService&) = delete;
    PartyService& operator=(const PartyService&) = delete;

    core::Result<CreatedParty> Create(std::int64_t owner_user_id, PartyTarget target);
    /// The party's public description (no secrets). kNotFound when absent or ended.
    core::Result<Json> Describe(std::string_view party_id) const;
    /// The owner (or any signed-in user: Beacon has one household) ends it; every member gets
    /// {"type":"ended"} and is disconnected.
    core::Status End(std::string_view party_id);
    /// A new invite token for the party (the owner's "copy link").
    core::Result<CreatedParty> Invite(std::string_view party_id);
    /// Ok when `token` is a valid invite for this live party.
    core::Status CheckInvite(std::string_view party_id, std::string_view token) const;
    /// The library item a party plays (0 for a channel). kNotFound when absent.
    core::Result<PartyTarget> Target(std::string_view party_id) const;

    /// Admits a member: hello (snapshot) is queued on `sink` before this returns. kNotFound,
    /// kConflict (party full), kInvalidArgument (bad name).
    core::Result<std::shared_ptr<Connection>> Join(std::string_view party_id, JoinSpec spec,
                                                   std::shared_ptr<server::SocketSink> sink);
    /// One client message / the end of one connection (`generation` names the connection, so
    /// a replaced socket's late close or message is ignored).
    void HandleMessage(std::string_view party_id, std::int64_t member_id, std::uint64_t generation,
                       std::string_view text);
    void HandleClose(std::string_view party_id, std::int64_t member_id, std::uint64_t generation);

    /// Runs timers: group-wait deadlines, host promotion, empty parties, latency updates.
    void Tick();
    double Now() const { return now_(); }
    std::size_t PartyCount() const;
    /// Members connected now, over all parties (for /metrics: beacon_party_members).
    std::size_t MemberCount() const;

private:
    struct Bucket {
        double tokens = 0;
        double at = 0;
        bool Take(double now, double per_second, double burst);
    };
    struct Member {
        std::int64_t id = 0;
        std::string name;
        std::int64_t user_id = 0;
        std::string secret;
        double joined_at = 0;
        bool connected = false;
        double left_at = 0;
        std::shared_ptr<server::SocketSink> sink;
        std::uint64_t generation = 0;  // bumped per connection, so an old socket's close is ignored
        bool buffering = false;
        std::uint64_t ready_seq = 0;  // last state seq this member applied and is ready for
        bool catching_up = false;
        double rtt_ms = 0;
        double reported_rtt_ms = 0;  // as last published in members
        Bucket all, chat;
        double last_error_at = -1e18;
    };
    enum class Phase { kIdle, kWaiting, kPaused, kPlaying };
    struct Party {
        std::string id;
        std::int64_t owner_user_id = 0;
        PartyTarget target;
        bool live = false;
        double created_at = 0;
        std::int64_t host = 0;  // member id; 0 none
        bool anyone_controls = false;
        // Authoritative media state: at server time `at` the position is `position`.
        Phase phase = Phase::kIdle;
        bool playing = false;
        double position = 0;
        double at = 0;
        double rate = 1;
        std::string audio;
        std::string captions;
        bool resume_playing = false;
        double wait_deadline = 0;
        std::uint64_t wait_seq = 0;  // state seq members must be ready for
        std::uint64_t state_seq = 0;
        std::string state_by;
        std::string state_reason = "created";
        std::map<std::int64_t, Member> members;
        std::int64_t next_member = 1;
        std::uint64_t seq = 0;
        std::deque<std::pair<std::uint64_t, std::string>> events;
        std::deque<Json> chat;
        double empty_since = 0;
        double members_sent_at = 0;
    };

    Party* Find(std::string_view id);
    const Party* Find(std::string_view id) const;
    double PositionAt(const Party& p, double t) const;
    double ScheduleDelay(const Party& p) const;
    std::size_t ConnectedCount(const Party& p) const;
    Json StateJson(const Party& p) const;
    Json MembersJson(const Party& p) const;
    Json DescribeLocked(const Party& p) const;
    /// Sends `msg` (with a new seq) to every connected member and keeps it for resume.
    std::uint64_t Broadcast(Party& p, Json msg);
    void BroadcastState(Party& p, std::string reason, std::string by);
    void SendTo(Member& m, const Json& msg);
    void SendError(Member& m, std::string_view code, std::string_view message);
    void Replay(Party& p, Member& m, std::uint64_t after);
    /// Commands (the caller checked permission).
    void Play(Party& p, std::optional<double> position, const std::string& by);
    void Pause(Party& p, const std::string& by);
    void Seek(Party& p, double position, const std::string& by);
    void StartWaiting(Party& p, double position, bool resume_playing, double wait_ms,
                      const std::string& reason, const std::string& by);
    void SetRate(Party& p, double rate, const std::string& by);
    /// Resumes (or settles paused) when everyone not catching up is ready; with `force`, marks
    /// those still not ready as catching up first.
    void MaybeFinishWait(Party& p, bool force);
    std::vector<std::int64_t> NotReady(const Party& p) const;
    void Promote(Party& p, std::int64_t member_id, const std::string& reason, const std::string& by);
    void OnRequest(Party& p, Member& m, const Json& msg);
    void EndLocked(Party& p, const std::string& reason);

    PartyOptions options_;
    std::function<double()> now_;
    InviteSigner signer_;
    mutable std::mutex mu_;
    std::map<std::string, Party, std::less<>> parties_;
    std::uint64_t next_generation_ = 1;
    // Declared last: stops first.
    std::jthread ticker_;
};

}  // namespace beacon::party
