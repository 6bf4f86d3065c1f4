// The party state machine on a hand-driven clock, with sockets that record what they were sent.
#include "party/party.hpp"

#include <gtest/gtest.h>

namespace beacon::party {
namespace {

class RecordingSink : public server::SocketSink {
public:
    bool Send(std::string text) override {
        if (closed) return false;
        messages.push_back(Json::parse(text));
        return true;
    }
    void Close(bool, std::string) override { closed = true; }
    /// The last message of `type` (null when none).
    Json Last(const std::string& type) const {
        for (auto it = messages.rbegin(); it != messages.rend(); ++it) {
            if ((*it)["type"] == type) return *it;
        }
        return nullptr;
    }
    int Count(const std::string& type) const {
        int n = 0;
        for (const auto& m : messages) n += m["type"] == type ? 1 : 0;
        return n;
    }
    std::vector<Json> messages;
    bool closed = false;
};

struct Client {
    std::shared_ptr<RecordingSink> sink;
    std::shared_ptr<Connection> conn;
    std::int64_t id = 0;
    std::string rejoin;
    void Say(const Json& j) const { conn->OnMessage(j.dump()); }
};

class PartyTest : public ::testing::Test {
protected:
    PartyTest() : service_(Options(), [this] { return now_; }, std::string(32, 's')) {}
    static PartyOptions Options() {
        PartyOptions o;
        o.tick_thread = false;
        o.max_members = 4;
        return o;
    }
    std::string NewParty(std::string channel = "") {
        PartyTarget t;
        if (channel.empty()) {
            t.content_id = 7;
            t.duration = 120;
        } else {
            t.channel = channel;
        }
        auto c = service_.Create(1, t);
        EXPECT_TRUE(c.ok());
        return c->id;
    }
    Client Join(const std::string& party, const std::string& name, JoinSpec spec = {}) {
        Client c;
        c.sink = std::make_shared<RecordingSink>();
        spec.name = name;
        auto j = service_.Join(party, spec, c.sink);
        EXPECT_TRUE(j.ok()) << (j.ok() ? "" : j.error().message);
        if (!j.ok()) return c;
        c.conn = *j;
        auto hello = c.sink->Last("hello");
        c.id = hello["you"]["id"];
        c.rejoin = hello["you"]["rejoin"];
        return c;
    }
    static void Ready(const Client& c) {
        c.Say({{"type", "ready"}, {"seq", c.sink->Last("state")["seq"]}});
    }
    static Json Member(const Client& observer, std::int64_t id) {
        Json members = observer.sink->Last("members")["members"];
        for (const auto& m : members) {
            if (m["id"] == id) return m;
        }
        return nullptr;
    }

    double now_ = 1'000'000;
    PartyService service_;
};

TEST_F(PartyTest, FirstJoinerHostsAndHelloCarriesTheSnapshot) {
    auto id = NewParty();
    auto a = Join(id, "Ann");
    auto hello = a.sink->Last("hello");
    EXPECT_EQ(hello["party"]["host"], a.id);
    EXPECT_EQ(hello["state"]["state"], "idle");
    EXPECT_EQ(hello["v"], 1);
    auto b = Join(id, "Bob");
    EXPECT_EQ(b.sink->Last("hello")["party"]["host"], a.id);
    // Both see both members.
    EXPECT_EQ(a.sink->Last("members")["members"].size(), 2u);
    EXPECT_TRUE(Member(a, a.id)["host"].get<bool>());
}

TEST_F(PartyTest, PlayIsScheduledAtNowPlusTwiceTheHighestPingButAtLeast500ms) {
    auto id = NewParty();
    auto a = Join(id, "Ann");
    auto b = Join(id, "Bob");
    a.Say({{"type", "request"}, {"action", "play"}});
    auto s = b.sink->Last("state");
    EXPECT_EQ(s["state"], "playing");
    EXPECT_TRUE(s["playing"].get<bool>());
    EXPECT_DOUBLE_EQ(s["at"].get<double>(), now_ + 500);
    EXPECT_EQ(s["by"], std::to_string(a.id));

    b.Say({{"type", "time"}, {"t0", 1}, {"rtt", 400}});
    EXPECT_EQ(b.sink->Last("time")["t0"], 1);
    a.Say({{"type", "request"}, {"action", "pause"}});
    s = b.sink->Last("state");
    EXPECT_EQ(s["state"], "paused");
    // Paused 800 ms from now, at the position the media will have reached then.
    EXPECT_DOUBLE_EQ(s["at"].get<double>(), now_ + 800);
    EXPECT_NEAR(s["position"].get<double>(), 0.3, 1e-9);
}

TEST_F(PartyTest, SeekWaitsForEveryoneReadyThenResumesOnce) {
    auto id = NewParty();
    auto a = Join(id, "Ann");
    auto b = Join(id, "Bob");
    a.Say({{"type", "request"}, {"action", "play"}});
    now_ += 10'000;
    a.Say({{"type", "request"}, {"action", "seek"}, {"position", 42.5}});
    auto s = b.sink->Last("state");
    EXPECT_EQ(s["state"], "waiting");
    EXPECT_EQ(s["position"], 42.5);
    EXPECT_EQ(s["waiting_for"].size(), 2u);
    int states = b.sink->Count("state");
    Ready(a);
    EXPECT_EQ(b.sink->Count("state"), states) << "resumed before Bob was ready";
    Ready(b);
    s = b.sink->Last("state");
    EXPECT_EQ(s["state"], "playing");
    EXPECT_EQ(s["position"], 42.5);
    EXPECT_EQ(s["reason"], "ready");
    EXPECT_EQ(b.sink->Count("state"), states + 1);
    // A repeated ready does not restart anything.
    Ready(b);
    EXPECT_EQ(b.sink->Count("state"), states + 1);
}

TEST_F(PartyTest, AStalledMemberHoldsTheGroupAtMostTheWaitThenCatchesUpAlone) {
    auto id = NewParty();
    auto a = Join(id, "Ann");
    auto b = Join(id, "Bob");
    a.Say({{"type", "request"}, {"action", "play"}});
    Ready(a);
    Ready(b);
    now_ += 3000;
    b.Say({{"type", "buffering"}});
    auto s = a.sink->Last("state");
    EXPECT_EQ(s["state"], "waiting");
    EXPECT_EQ(s["reason"], "buffering");
    EXPECT_NEAR(s["position"].get<double>(), 2.5, 1e-9);
    EXPECT_TRUE(Member(a, b.id)["buffering"].get<bool>());
    Ready(a);
    now_ += 4999;
    service_.Tick();
    EXPECT_EQ(a.sink->Last("state")["state"], "waiting");
    now_ += 1;
    service_.Tick();
    s = a.sink->Last("state");
    EXPECT_EQ(s["state"], "playing");
    EXPECT_EQ(s["reason"], "wait_timeout");
    EXPECT_TRUE(Member(a, b.id)["catching_up"].get<bool>());
    // Bob stalling again while catching up never stops the group.
    int states = a.sink->Count("state");
    b.Say({{"type", "buffering"}});
    EXPECT_EQ(a.sink->Count("state"), states);
    Ready(b);
    EXPECT_FALSE(Member(a, b.id)["catching_up"].get<bool>());
}

TEST_F(PartyTest, OnlyTheHostControlsUnlessTheHostAllowsEveryone) {
    auto id = NewParty();
    auto a = Join(id, "Ann");
    auto b = Join(id, "Bob");
    b.Say({{"type", "request"}, {"action", "play"}});
    EXPECT_EQ(b.sink->Last("error")["code"], "not_host");
    EXPECT_EQ(a.sink->Last("state"), nullptr);
    b.Say({{"type", "settings"}, {"anyone_controls", true}});
    EXPECT_EQ(b.sink->Count("error"), 2);
    a.Say({{"type", "settings"}, {"anyone_controls", true}});
    b.Say({{"type", "request"}, {"action", "play"}});
    EXPECT_EQ(a.sink->Last("state")["state"], "playing");
}

TEST_F(PartyTest, HandoffIsImmediateAndAGoneHostIsReplacedByTheLongestPresentMember) {
    auto id = NewParty();
    auto a = Join(id, "Ann");
    now_ += 1;
    auto b = Join(id, "Bob");
    now_ += 1;
    auto c = Join(id, "Cy");
    a.Say({{"type", "handoff"}, {"to", c.id}});
    EXPECT_EQ(b.sink->Last("host")["host"], c.id);
    EXPECT_EQ(b.sink->Last("host")["reason"], "handoff");
    a.Say({{"type", "request"}, {"action", "play"}});
    EXPECT_EQ(a.sink->Last("error")["code"], "not_host");

    // Cy's connection drops: Cy stays host for the grace period, then Ann (joined first) hosts.
    c.conn->OnClose();
    now_ += 2999;
    service_.Tick();
    EXPECT_EQ(b.sink->Last("host")["host"], c.id);
    now_ += 1;
    service_.Tick();
    EXPECT_EQ(b.sink->Last("host")["host"], a.id);
    EXPECT_EQ(b.sink->Last("host")["reason"], "host_disconnected");
}

TEST_F(PartyTest, AHostBackWithinTheGraceKeepsControlAndResumesFromItsSequence) {
    auto id = NewParty();
    auto a = Join(id, "Ann");
    auto b = Join(id, "Bob");
    std::uint64_t seen = a.sink->messages.back()["seq"];
    a.conn->OnClose();
    b.Say({{"type", "chat"}, {"text", "where did you go?"}});
    now_ += 1000;
    service_.Tick();
    JoinSpec back;
    back.rejoin_member = a.id;
    back.rejoin_secret = a.rejoin;
    back.after_seq = seen;
    auto a2 = Join(id, "", back);
    EXPECT_EQ(a2.id, a.id);
    EXPECT_EQ(a2.sink->Last("hello")["party"]["host"], a.id);
    // The missed chat is replayed after hello (as well as in the history).
    ASSERT_GE(a2.sink->messages.size(), 2u);
    EXPECT_EQ(a2.sink->messages[1]["type"], "members");  // Ann's leaving, missed
    EXPECT_EQ(a2.sink->Last("chat")["text"], "where did you go?");
    // A wrong secret does not take over the membership.
    JoinSpec thief;
    thief.rejoin_member = a.id;
    thief.rejoin_secret = "guess";
    auto t = Join(id, "Mallory", thief);
    EXPECT_NE(t.id, a.id);
    // A sequence from the future asks for a resync.
    a2.Say({{"type", "resume"}, {"after", 999999}});
    EXPECT_EQ(a2.sink->messages.back()["type"], "resync");
}

TEST_F(PartyTest, ChatHasHistoryForLateJoinersAndLimits) {
    auto id = NewParty();
    auto a = Join(id, "Ann");
    a.Say({{"type", "chat"}, {"text", "  hello <b>there</b> "}});
    auto m = a.sink->Last("chat");
    EXPECT_EQ(m["text"], "hello <b>there</b>");
    EXPECT_EQ(m["name"], "Ann");
    EXPECT_DOUBLE_EQ(m["at"].get<double>(), now_);
    auto b = Join(id, "Bob");
    ASSERT_EQ(b.sink->Last("hello")["chat"].size(), 1u);
    EXPECT_EQ(b.sink->Last("hello")["chat"][0]["text"], "hello <b>there</b>");

    a.Say({{"type", "chat"}, {"text", std::string(501, 'x')}});
    EXPECT_EQ(a.sink->Last("error")["code"], "too_long");
    a.Say({{"type", "chat"}, {"text", "bell\x07"}});
    EXPECT_EQ(a.sink->Count("error"), 2);
    for (int i = 0; i < 10; ++i) a.Say({{"type", "chat"}, {"text", "spam"}});
    EXPECT_EQ(a.sink->Last("error")["code"], "rate_limited");
    EXPECT_EQ(b.sink->Count("chat"), 4) << "burst of 5 allowed, then limited";
    a.conn->OnMessage(std::string(5000, ' '));
    EXPECT_EQ(a.sink->Last("error")["code"], "too_large");
    a.conn->OnMessage("not json");
    EXPECT_EQ(a.sink->Last("error")["code"], "invalid_message");
}

TEST_F(PartyTest, MembersAreLimitedAndNamesRequired) {
    auto id = NewParty();
    for (int i = 0; i < 4; ++i) Join(id, "M" + std::to_string(i));
    auto sink = std::make_shared<RecordingSink>();
    JoinSpec spec;
    spec.name = "Fifth";
    auto full = service_.Join(id, spec, sink);
    ASSERT_FALSE(full.ok());
    EXPECT_EQ(full.error().code, core::ErrorCode::kConflict);
    spec.name = "  ";
    auto nameless = service_.Join(NewParty(), spec, sink);
    ASSERT_FALSE(nameless.ok());
    EXPECT_EQ(nameless.error().code, core::ErrorCode::kInvalidArgument);
}

TEST_F(PartyTest, MemberCountIsTheConnectedMembersOfEveryParty) {
    EXPECT_EQ(service_.MemberCount(), 0u);
    auto one = NewParty();
    auto two = NewParty("main");
    auto a = Join(one, "Ann");
    auto b = Join(one, "Bob");
    auto c = Join(two, "Cy");
    EXPECT_EQ(service_.MemberCount(), 3u);
    b.conn->OnClose();  // a dropped connection is no longer a member present
    EXPECT_EQ(service_.MemberCount(), 2u);
    ASSERT_TRUE(service_.End(two).ok());
    EXPECT_EQ(service_.MemberCount(), 1u);
}

TEST_F(PartyTest, AChannelPartyHasNoHostAndNobodyControlsIt) {
    auto id = NewParty("main");
    auto a = Join(id, "Ann");
    EXPECT_EQ(a.sink->Last("hello")["party"]["host"], 0);
    EXPECT_TRUE(a.sink->Last("hello")["state"]["live"].get<bool>());
    a.Say({{"type", "request"}, {"action", "pause"}});
    EXPECT_EQ(a.sink->Last("error")["code"], "live_party");
    a.Say({{"type", "chat"}, {"text", "hi"}});
    EXPECT_EQ(a.sink->Last("chat")["text"], "hi");
}

TEST_F(PartyTest, EndingDisconnectsEveryoneAndAnEmptyPartyEndsByItself) {
    auto id = NewParty();
    auto a = Join(id, "Ann");
    ASSERT_TRUE(service_.End(id).ok());
    EXPECT_EQ(a.sink->Last("ended")["type"], "ended");
    EXPECT_TRUE(a.sink->closed);
    EXPECT_FALSE(service_.Describe(id).ok());

    auto id2 = NewParty();
    auto b = Join(id2, "Bob");
    b.conn->OnClose();
    now_ += 15 * 60 * 1000 - 1;
    service_.Tick();
    EXPECT_TRUE(service_.Describe(id2).ok());
    now_ += 1;
    service_.Tick();
    EXPECT_FALSE(service_.Describe(id2).ok());
}

TEST_F(PartyTest, InvitesAreScopedToTheirParty) {
    auto one = service_.Create(1, PartyTarget{7, "", "x", 10, Json::object()});
    auto two = service_.Create(1, PartyTarget{8, "", "y", 10, Json::object()});
    ASSERT_TRUE(one.ok() && two.ok());
    EXPECT_TRUE(service_.CheckInvite(one->id, one->invite_token).ok());
    EXPECT_FALSE(service_.CheckInvite(two->id, one->invite_token).ok());
    now_ += 24.0 * 3600 * 1000;
    EXPECT_FALSE(service_.CheckInvite(one->id, one->invite_token).ok());
}

}  // namespace
}  // namespace beacon::party

namespace beacon::party {
namespace {

TEST_F(PartyTest, AudioTrackCaptionsAndSpeedArePartyWide) {
    auto id = NewParty();
    auto a = Join(id, "Ann");
    auto b = Join(id, "Bob");
    a.Say({{"type", "request"}, {"action", "audio"}, {"track", "Español"}});
    EXPECT_EQ(b.sink->Last("state")["audio"], "Español");
    a.Say({{"type", "request"}, {"action", "captions"}, {"track", "fr"}});
    EXPECT_EQ(b.sink->Last("state")["captions"], "fr");
    EXPECT_EQ(b.sink->Last("state")["audio"], "Español");
    a.Say({{"type", "request"}, {"action", "play"}});
    now_ += 2000;
    a.Say({{"type", "request"}, {"action", "rate"}, {"rate", 1.5}});
    auto s = b.sink->Last("state");
    EXPECT_EQ(s["rate"], 1.5);
    // The rate change is scheduled too: from `at` on, the position moves 1.5 s per second.
    EXPECT_DOUBLE_EQ(s["at"].get<double>(), now_ + 500);
    EXPECT_NEAR(s["position"].get<double>(), 2.0, 1e-9);
    a.Say({{"type", "request"}, {"action", "rate"}, {"rate", 9}});
    EXPECT_EQ(a.sink->Last("error")["code"], "invalid_request");
    // A late joiner gets all of it in its hello.
    auto c = Join(id, "Cy");
    auto hs = c.sink->Last("hello")["state"];
    EXPECT_EQ(hs["audio"], "Español");
    EXPECT_EQ(hs["captions"], "fr");
    EXPECT_EQ(hs["rate"], 1.5);
}

}  // namespace
}  // namespace beacon::party
