// The events WebSocket: authenticated, replays from a sequence number, streams live events.
#include "server_test_client.hpp"

namespace beacon::server::testing {
namespace {

using core::Json;

class EventsTest : public ServerFixture {
protected:
    /// Reads messages until one satisfies pred (or none is left within the timeout).
    static std::optional<Json> NextMatching(WsClient& ws, const std::function<bool(const Json&)>& pred) {
        for (int i = 0; i < 100; ++i) {
            auto m = ws.Next();
            if (!m) return std::nullopt;
            if (pred(*m)) return m;
        }
        return std::nullopt;
    }
};

TEST_F(EventsTest, ReceivesJobUpdatedAfterGenerate) {
    auto h = Bearer();
    WsClient ws(port_, "/api/v1/events", h);
    auto g = Call("POST", "/api/v1/generate", R"({"prompt":"A lighthouse"})", h);
    ASSERT_EQ(g.status, 202u);
    std::int64_t id = g.Json()["job_id"];
    auto m = NextMatching(ws, [&](const Json& j) {
        return j.value("type", "") == "job.updated" && j["data"].value("id", 0) == id;
    });
    ASSERT_TRUE(m) << "no job.updated for job " << id;
    EXPECT_EQ((*m)["v"], 1);
    EXPECT_GT((*m)["seq"].get<std::uint64_t>(), 0u);
    EXPECT_EQ((*m)["data"]["status"], "queued");
}

TEST_F(EventsTest, ResumesFromASequenceNumberAfterReconnect) {
    auto h = Bearer();
    std::uint64_t first = events_.Publish("content.updated", Json{{"id", 1}});
    events_.Publish("content.updated", Json{{"id", 2}});
    events_.Publish("content.deleted", Json{{"id", 3}});
    WsClient ws(port_, "/api/v1/events?after=" + std::to_string(first), h);
    auto a = ws.Next();
    auto b = ws.Next();
    ASSERT_TRUE(a && b);
    EXPECT_EQ((*a)["seq"], first + 1);
    EXPECT_EQ((*a)["data"]["id"], 2);
    EXPECT_EQ((*b)["seq"], first + 2);
    EXPECT_EQ((*b)["type"], "content.deleted");
    // then live events follow, in order and without duplicates
    events_.Publish("playlist.updated", Json{{"id", 9}});
    auto c = ws.Next();
    ASSERT_TRUE(c);
    EXPECT_EQ((*c)["seq"], first + 3);
    EXPECT_EQ((*c)["type"], "playlist.updated");
}

TEST_F(EventsTest, ResumeMessageReplaysAndFutureSequenceAsksForResync) {
    auto h = Bearer();
    std::uint64_t s1 = events_.Publish("content.updated", Json{{"id", 1}});
    WsClient ws(port_, "/api/v1/events", h);
    ws.Send(Json{{"type", "resume"}, {"after", s1 - 1}}.dump());
    auto m = ws.Next();
    ASSERT_TRUE(m);
    EXPECT_EQ((*m)["seq"], s1);

    WsClient future(port_, "/api/v1/events?after=999999", h);
    auto r = future.Next();
    ASSERT_TRUE(r);
    EXPECT_EQ((*r)["type"], "resync");
    EXPECT_EQ((*r)["v"], 1);
}

TEST_F(EventsTest, AuthenticatesWithCookieOrQueryTokenAndRejectsOthers) {
    SetUpPassword();
    Bearer();
    EXPECT_THROW(WsClient(port_, "/api/v1/events", {}), boost::system::system_error);
    EXPECT_THROW(WsClient(port_, "/api/v1/events?token=bcn_nope", {}), boost::system::system_error);
    auto cross_site = Cookie(false);
    cross_site.emplace_back("Origin", "http://evil.example");
    EXPECT_THROW(WsClient(port_, "/api/v1/events", cross_site), boost::system::system_error);
    auto same_site = Cookie(false);
    same_site.emplace_back("Origin", "http://127.0.0.1:" + std::to_string(port_));
    WsClient by_cookie(port_, "/api/v1/events", same_site);
    WsClient by_query(port_, "/api/v1/events?token=" + token_, {});
    events_.Publish("content.updated", Json{{"id", 5}});
    auto a = by_cookie.Next();
    auto b = by_query.Next();
    ASSERT_TRUE(a && b);
    EXPECT_EQ((*a)["data"]["id"], 5);
    EXPECT_EQ((*b)["data"]["id"], 5);
    EXPECT_TRUE(Healthy());
}

TEST_F(EventsTest, ApiChangesPublishEvents) {
    auto h = Bearer();
    WsClient ws(port_, "/api/v1/events", h);
    auto created = Call("POST", "/api/v1/playlists", R"({"title":"Evening"})", h);
    ASSERT_EQ(created.status, 201u);
    auto m = NextMatching(ws, [](const Json& j) { return j.value("type", "") == "playlist.updated"; });
    ASSERT_TRUE(m);
    EXPECT_EQ((*m)["data"]["slug"], "evening");
}

class SlowClientTest : public EventsTest {
    void Configure(ServerOptions& o, ServerDeps&) override { o.ws_max_queue = 4; }
};

TEST_F(SlowClientTest, AClientTooFarBehindIsDisconnectedAndResumesWhereItLeftOff) {
    auto h = Bearer();
    const std::uint64_t before = events_.LastSeq();
    WsClient ws(port_, "/api/v1/events", h);
    // Published in one burst from this thread: far more than the queue bound.
    constexpr int kEvents = 200;
    std::string big(200 * 1024, 'x');
    for (int i = 0; i < kEvents; ++i) events_.Publish("content.updated", Json{{"id", i}, {"pad", big}});
    int received = 0;
    std::uint64_t last = before;
    while (auto m = ws.Next(30000)) {
        ++received;
        EXPECT_EQ((*m)["seq"], last + 1) << "events arrive in order, none skipped";
        last = (*m)["seq"];
    }
    // The server closed the connection itself, saying why, before the end of the burst.
    EXPECT_TRUE(ws.closed()) << "the slow client was not disconnected";
    EXPECT_EQ(ws.close_code(), 1008) << "policy error: too far behind";
    EXPECT_LT(received, kEvents);
    // Reconnecting after the last event it saw, the client gets every remaining event once.
    WsClient again(port_, "/api/v1/events?after=" + std::to_string(last), h);
    int rest = 0;
    while (last < before + kEvents) {
        auto m = again.Next(30000);
        ASSERT_TRUE(m) << "the resumed stream stopped after seq " << last;
        ASSERT_EQ((*m)["seq"], last + 1);
        last = (*m)["seq"];
        ++rest;
    }
    EXPECT_EQ(received + rest, kEvents);
    EXPECT_TRUE(Healthy());
}

/// Replays as far back as the history reaches (the default caps a replay at 1000 events).
class FullReplayTest : public EventsTest {
    void Configure(ServerOptions& o, ServerDeps&) override { o.ws_max_replay = 1 << 20; }
};

TEST_F(FullReplayTest, ResumingFromASequenceThatLeftTheHistoryAsksForAResync) {
    auto h = Bearer();
    // More events than the bus keeps (4096 by default): the first ones leave the history.
    const std::uint64_t first = events_.Publish("content.updated", Json{{"id", 0}});
    for (int i = 1; i < 4200; ++i) events_.Publish("content.updated", Json{{"id", i}});
    const std::uint64_t newest = events_.LastSeq();
    bool complete = true;
    auto kept = events_.Since(first, &complete);
    ASSERT_FALSE(complete) << "the history still holds the first event; publish more";
    ASSERT_FALSE(kept.empty());
    for (const std::string& target :
         {"/api/v1/events?after=" + std::to_string(first), std::string("/api/v1/events")}) {
        WsClient ws(port_, target, h);
        if (target.find("after=") == std::string::npos) {
            ws.Send(Json{{"type", "resume"}, {"after", first}}.dump());
        }
        // First a resync (some events are gone: refetch state), then what the history still
        // holds, oldest first, up to the newest; then live events.
        auto r = ws.Next();
        ASSERT_TRUE(r) << target;
        EXPECT_EQ((*r)["type"], "resync") << target;
        auto m = ws.Next();
        ASSERT_TRUE(m) << target;
        EXPECT_EQ((*m)["seq"], kept.front().seq) << target;
        std::uint64_t last = (*m)["seq"];
        while (last < newest) {
            auto n = ws.Next();
            ASSERT_TRUE(n) << target << " stopped after seq " << last;
            ASSERT_EQ((*n)["seq"], last + 1) << target;
            last = (*n)["seq"];
        }
    }
    // A client that is only a little behind gets no resync.
    WsClient near(port_, "/api/v1/events?after=" + std::to_string(newest - 1), h);
    auto n = near.Next();
    ASSERT_TRUE(n);
    EXPECT_EQ((*n)["seq"], newest);
}

}  // namespace
}  // namespace beacon::server::testing
