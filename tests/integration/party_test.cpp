// Watch parties through a real server: HTTP routes and real WebSockets (Beast clients), real
// SQLite and object store. Lifecycle, invite scope, limits, handoff and promotion, resume.
#include <chrono>
#include <fstream>
#include <regex>
#include <set>
#include <thread>

#include "tests/support/spec_modules.hpp"
#include "party/http.hpp"
#include "party/party.hpp"
#include "server_test_client.hpp"

namespace beacon::server::testing {
namespace {

using core::Json;

class PartyServerTest : public ServerFixture {
protected:
    void Configure(ServerOptions&, ServerDeps& deps) override {
        party::PartyOptions o;
        o.max_members = MaxMembers();
        o.promote_after_ms = 2000;
        parties_ = std::make_unique<party::PartyService>(o);
        for (auto& r : party::HttpRoutes(*parties_, {*db_, *db_, *store_, {}})) deps.routes.push_back(r);
        for (auto& s : party::Sockets(*parties_)) deps.sockets.push_back(s);
    }
    virtual std::size_t MaxMembers() const { return 4; }

    /// A library item with an HLS playlist, one segment and captions on disk.
    std::int64_t AddItem() {
        core::Content c;
        c.owner_id = user_id_;
        c.title = "Lighthouse";
        c.duration = 30;
        c.languages = {"en"};
        auto made = db_->CreateContent(c);
        EXPECT_TRUE(made.ok());
        std::int64_t id = made->id;
        std::string lib = "library/" + std::to_string(id) + "/";
        c = *made;
        c.hls_key = lib + "hls/master.m3u8";
        c.vtt_key = lib + "captions_en.vtt";
        EXPECT_TRUE(db_->UpdateContent(c).ok());
        auto dir = dir_ / "media" / "library" / std::to_string(id);
        std::filesystem::create_directories(dir / "hls");
        std::ofstream(dir / "hls" / "master.m3u8")
            << "#EXTM3U\n#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"a\",NAME=\"en\",URI=\"audio_en.m3u8\"\n"
               "#EXT-X-STREAM-INF:BANDWIDTH=100000,AUDIO=\"a\"\nvideo.m3u8\n";
        std::ofstream(dir / "hls" / "video.m3u8")
            << "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\nv0.ts\n#EXT-X-ENDLIST\n";
        std::ofstream(dir / "hls" / "v0.ts") << std::string(188, 'G');
        std::ofstream(dir / "captions_en.vtt") << "WEBVTT\n";
        return id;
    }
    Json CreateParty(std::int64_t content_id) {
        auto r = Call("POST", "/api/v1/parties", Json{{"content_id", content_id}}.dump(), Bearer());
        EXPECT_EQ(r.status, 201u) << r.body;
        return r.Json();
    }
    std::string GuestWs(const Json& party, const std::string& name, const std::string& extra = "") {
        return "/api/v1/parties/" + party["id"].get<std::string>() + "/ws?invite=" +
               party["invite_token"].get<std::string>() + "&name=" + name + extra;
    }
    std::string OwnerWs(const Json& party) {
        return "/api/v1/parties/" + party["id"].get<std::string>() + "/ws?name=Owner";
    }
    /// Reads until a message of `type` (or nothing more arrives within the timeout).
    static std::optional<Json> NextOf(WsClient& ws, const std::string& type, int timeout_ms = 10000) {
        for (int i = 0; i < 500; ++i) {
            auto m = ws.Next(timeout_ms);
            if (!m) return std::nullopt;
            if ((*m)["type"] == type) return m;
        }
        return std::nullopt;
    }

    std::unique_ptr<party::PartyService> parties_;
};

TEST_F(PartyServerTest, LifecycleCreateDescribeJoinAndEnd) {
    auto item = AddItem();
    auto p = CreateParty(item);
    std::string id = p["id"];
    EXPECT_NE(p["join_url"].get<std::string>().find("/party/" + id + "?invite=pi1."),
              std::string::npos);
    EXPECT_EQ(Get("/api/v1/parties/" + id).status, 401u);
    auto d = Get("/api/v1/parties/" + id + "?invite=" + p["invite_token"].get<std::string>());
    ASSERT_EQ(d.status, 200u) << d.body;
    EXPECT_EQ(d.Json()["content_id"], item);
    EXPECT_EQ(d.Json()["you_are"], "guest");
    EXPECT_EQ(d.Json()["media"]["hls"], "/api/v1/parties/" + id +
                                            "/media/hls/master.m3u8?invite=" +
                                            p["invite_token"].get<std::string>());
    EXPECT_EQ(d.Json()["media"]["captions"][0]["lang"], "en");

    WsClient owner(port_, OwnerWs(p), Bearer());
    auto hello = NextOf(owner, "hello");
    ASSERT_TRUE(hello);
    EXPECT_EQ((*hello)["party"]["host"], (*hello)["you"]["id"]);
    WsClient guest(port_, GuestWs(p, "Gus"), {});
    ASSERT_TRUE(NextOf(guest, "hello"));
    auto members = NextOf(owner, "members");
    ASSERT_TRUE(members);
    while ((*members)["members"].size() < 2) members = NextOf(owner, "members");
    EXPECT_EQ((*members)["members"][1]["name"], "Gus");

    EXPECT_EQ(Call("DELETE", "/api/v1/parties/" + id, "", Bearer()).status, 204u);
    auto ended = NextOf(guest, "ended");
    ASSERT_TRUE(ended);
    EXPECT_FALSE(guest.Next(5000));
    EXPECT_TRUE(guest.closed());
    EXPECT_EQ(Get("/api/v1/parties/" + id, Bearer()).status, 404u);
}

TEST_F(PartyServerTest, AnInviteOpensItsPartyAndItsMediaOnlyNothingElse) {
    auto item = AddItem();
    auto p = CreateParty(item);
    auto other = CreateParty(item);
    std::string id = p["id"];
    std::string invite = p["invite_token"];
    std::string lib = "/media/library/" + std::to_string(item) + "/hls/master.m3u8";
    Headers as_bearer{{"Authorization", "Bearer " + invite}};
    // Every other route answers an invite exactly as it answers no credentials at all (401 or
    // 403 where sign-in is needed), however the invite is presented.
    int checked = 0;
    for (const auto& route : server_->Routes()) {
        if (route.pattern.starts_with("/api/v1/parties")) continue;
        std::string path;
        for (const auto& seg : SplitPath(route.pattern)) {
            path += "/" + (seg.starts_with("{") ? (seg.ends_with("+}") ? std::string("library/") +
                                                       std::to_string(item) + "/hls/master.m3u8"
                                                                       : std::to_string(item))
                                                 : seg);
        }
        auto baseline = Call(route.method, path);
        for (const std::string& q : {"?token=" + invite, "?key=" + invite, "?invite=" + invite}) {
            auto r = Call(route.method, path + q);
            bool same = r.status == baseline.status ||
                        (baseline.status == 401u && r.status == 403u);
            EXPECT_TRUE(same) << route.method << " " << path << q << " → " << r.status
                              << " (without credentials: " << baseline.status << ")";
        }
        auto r = Call(route.method, path, "", as_bearer);
        EXPECT_TRUE(r.status == baseline.status || (baseline.status == 401u && r.status == 403u))
            << route.method << " " << path << " (bearer) → " << r.status;
        if (baseline.status == 401u) ++checked;
    }
    EXPECT_GT(checked, 20) << "the route table should hold many signed-in routes";
    EXPECT_EQ(Get(lib + "?invite=" + invite).status, 401u);
    EXPECT_EQ(Call("POST", "/api/v1/parties", Json{{"content_id", item}}.dump(), as_bearer).status,
              401u);
    EXPECT_EQ(Call("DELETE", "/api/v1/parties/" + id + "?invite=" + invite).status, 401u);
    EXPECT_THROW(WsClient(port_, "/api/v1/events?token=" + invite, {}), boost::system::system_error);
    // Another party's routes and socket: 403.
    std::string oid = other["id"];
    EXPECT_EQ(Get("/api/v1/parties/" + oid + "?invite=" + invite).status, 403u);
    EXPECT_EQ(Get("/api/v1/parties/" + oid + "/media/hls/master.m3u8?invite=" + invite).status,
              403u);
    EXPECT_THROW(WsClient(port_, GuestWs(Json{{"id", oid}, {"invite_token", invite}}, "x"), {}),
                 boost::system::system_error);
    // Its own media: the playlist names every URI with the invite; segments and captions play.
    auto m = Get("/api/v1/parties/" + id + "/media/hls/master.m3u8?invite=" + invite);
    ASSERT_EQ(m.status, 200u) << m.body;
    EXPECT_NE(m.body.find("URI=\"audio_en.m3u8?invite=" + invite + "\""), std::string::npos);
    EXPECT_NE(m.body.find("\nvideo.m3u8?invite=" + invite + "\n"), std::string::npos);
    auto v = Get("/api/v1/parties/" + id + "/media/hls/video.m3u8?invite=" + invite);
    EXPECT_NE(v.body.find("v0.ts?invite=" + invite), std::string::npos);
    auto seg = Get("/api/v1/parties/" + id + "/media/hls/v0.ts",
                   {{"X-Party-Invite", invite}, {"Range", "bytes=0-9"}});
    EXPECT_EQ(seg.status, 206u);
    EXPECT_EQ(seg.body, std::string(10, 'G'));
    EXPECT_EQ(Get("/api/v1/parties/" + id + "/media/captions_en.vtt?invite=" + invite).status, 200u);
    EXPECT_EQ(Get("/api/v1/parties/" + id + "/media/hls/v0.ts").status, 401u);
    // Nothing outside the item's folder.
    for (std::string path : {"../2/hls/master.m3u8", "..%2f..%2fsecret.txt", ".hidden"}) {
        auto r = Get("/api/v1/parties/" + id + "/media/" + path + "?invite=" + invite);
        EXPECT_TRUE(r.status == 400u || r.status == 404u) << path << " → " << r.status;
    }
    // A tampered or expired-looking invite is refused.
    std::string forged = invite;
    forged.back() = forged.back() == '0' ? '1' : '0';
    EXPECT_EQ(Get("/api/v1/parties/" + id + "?invite=" + forged).status, 403u);
}

TEST_F(PartyServerTest, PlaybackIsScheduledForEveryoneAndChatReachesAll) {
    auto p = CreateParty(AddItem());
    WsClient owner(port_, OwnerWs(p), Bearer());
    auto hello = NextOf(owner, "hello");
    ASSERT_TRUE(hello);
    WsClient guest(port_, GuestWs(p, "Gus"), {});
    ASSERT_TRUE(NextOf(guest, "hello"));
    owner.Send(R"({"type":"time","t0":123.5,"id":1})");
    auto t = NextOf(owner, "time");
    ASSERT_TRUE(t);
    EXPECT_EQ((*t)["t0"], 123.5);
    EXPECT_LE((*t)["t1"].get<double>(), (*t)["t2"].get<double>());

    owner.Send(R"({"type":"request","action":"play"})");
    auto s = NextOf(guest, "state");
    ASSERT_TRUE(s);
    EXPECT_EQ((*s)["state"], "playing");
    // "at" is at least 500 ms after the server's reply time measured just before.
    EXPECT_GE((*s)["at"].get<double>(), (*t)["t2"].get<double>() + 500);
    guest.Send(R"({"type":"request","action":"pause"})");
    auto e = NextOf(guest, "error");
    ASSERT_TRUE(e);
    EXPECT_EQ((*e)["code"], "not_host");

    guest.Send(R"({"type":"chat","text":"hi all"})");
    auto c = NextOf(owner, "chat");
    ASSERT_TRUE(c);
    EXPECT_EQ((*c)["text"], "hi all");
    EXPECT_EQ((*c)["name"], "Gus");
    guest.Send(Json{{"type", "chat"}, {"text", std::string(600, 'x')}}.dump());
    auto tl = NextOf(guest, "error");
    ASSERT_TRUE(tl);
    EXPECT_EQ((*tl)["code"], "too_long");
    // A late joiner gets the history.
    WsClient late(port_, GuestWs(p, "Late"), {});
    auto lh = NextOf(late, "hello");
    ASSERT_TRUE(lh);
    ASSERT_EQ((*lh)["chat"].size(), 1u);
    EXPECT_EQ((*lh)["chat"][0]["text"], "hi all");
    EXPECT_EQ((*lh)["state"]["state"], "playing");
}

TEST_F(PartyServerTest, MembersAreCappedAndNamesRequired) {
    auto p = CreateParty(AddItem());
    std::vector<std::unique_ptr<WsClient>> in;
    for (int i = 0; i < 4; ++i) {
        in.push_back(std::make_unique<WsClient>(port_, GuestWs(p, "m" + std::to_string(i)),
                                                Headers{}));
        ASSERT_TRUE(NextOf(*in.back(), "hello"));
    }
    EXPECT_THROW(WsClient(port_, GuestWs(p, "fifth"), {}), boost::system::system_error);
    in.pop_back();  // one leaves: room for one more
    bool admitted = false;
    for (int i = 0; i < 50 && !admitted; ++i) {
        try {
            WsClient again(port_, GuestWs(p, "fifth"), {});
            admitted = NextOf(again, "hello").has_value();
        } catch (const boost::system::system_error&) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }
    EXPECT_TRUE(admitted);
    auto nameless = "/api/v1/parties/" + p["id"].get<std::string>() + "/ws?invite=" +
                    p["invite_token"].get<std::string>();
    EXPECT_THROW(WsClient(port_, nameless, {}), boost::system::system_error);
}

TEST_F(PartyServerTest, HandoffThenAGoneHostIsReplacedWithinFiveSecondsAndResumeReplays) {
    auto p = CreateParty(AddItem());
    auto owner = std::make_unique<WsClient>(port_, OwnerWs(p), Bearer());
    auto oh = NextOf(*owner, "hello");
    ASSERT_TRUE(oh);
    WsClient a(port_, GuestWs(p, "Ann"), {});
    auto ah = NextOf(a, "hello");
    ASSERT_TRUE(ah);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    auto b = std::make_unique<WsClient>(port_, GuestWs(p, "Bob"), Headers{});
    auto bh = NextOf(*b, "hello");
    ASSERT_TRUE(bh);
    std::int64_t bob = (*bh)["you"]["id"];
    std::int64_t ann = (*ah)["you"]["id"];

    owner->Send(Json{{"type", "handoff"}, {"to", bob}}.dump());
    auto h = NextOf(a, "host");
    ASSERT_TRUE(h);
    EXPECT_EQ((*h)["host"], bob);
    EXPECT_EQ((*h)["reason"], "handoff");
    b->Send(R"({"type":"request","action":"play"})");
    auto s = NextOf(a, "state");
    ASSERT_TRUE(s);
    EXPECT_EQ((*s)["state"], "playing");
    std::uint64_t seen = (*s)["seq"];

    // Bob's connection drops (no goodbye): Ann, the longest present guest... but the owner
    // joined first, so the owner hosts again within 5 s.
    auto dropped = std::chrono::steady_clock::now();
    b.reset();
    auto promoted = NextOf(a, "host", 8000);
    ASSERT_TRUE(promoted);
    auto took = std::chrono::steady_clock::now() - dropped;
    EXPECT_LE(took, std::chrono::seconds(5));
    EXPECT_EQ((*promoted)["reason"], "host_disconnected");
    EXPECT_EQ((*promoted)["host"], (*oh)["you"]["id"]);
    owner.reset();
    promoted = NextOf(a, "host", 8000);
    ASSERT_TRUE(promoted);
    EXPECT_EQ((*promoted)["host"], ann);
    // The playback never stopped for that.
    auto d = Get("/api/v1/parties/" + p["id"].get<std::string>(), Bearer());
    EXPECT_EQ(d.Json()["state"]["state"], "playing");

    // Bob comes back with his rejoin secret and the last sequence he saw: missed events replay.
    a.Send(R"({"type":"chat","text":"welcome back"})");
    ASSERT_TRUE(NextOf(a, "chat"));
    WsClient back(port_, GuestWs(p, "Bob", "&member=" + std::to_string(bob) + "&rejoin=" +
                                                (*bh)["you"]["rejoin"].get<std::string>() +
                                                "&after=" + std::to_string(seen)), {});
    auto bh2 = NextOf(back, "hello");
    ASSERT_TRUE(bh2);
    EXPECT_EQ((*bh2)["you"]["id"], bob);
    std::vector<std::string> replayed;
    for (auto m = back.Next(3000); m; m = back.Next(1000)) {
        replayed.push_back((*m)["type"]);
        if ((*m)["type"] == "chat") break;
    }
    EXPECT_NE(std::find(replayed.begin(), replayed.end(), "host"), replayed.end());
    EXPECT_EQ(replayed.back(), "chat");
}

/// A channel party with a stand-in LiveLoop hook: guests get the channel's playlists with the
/// invite on every URI, and nothing else of /live.
class PartyLiveTest : public ServerFixture {
protected:
    void Configure(ServerOptions&, ServerDeps& deps) override {
        parties_ = std::make_unique<party::PartyService>(party::PartyOptions{});
        auto live = [this](const LiveRequest& r) -> core::Result<LiveResponse> {
            asked_.push_back(r.path);
            LiveResponse out;
            if (r.path.ends_with(".m3u8")) {
                out.body = "#EXTM3U\n#EXT-X-PROGRAM-DATE-TIME:2026-01-01T00:00:00Z\n#EXTINF:4,\nv/12.ts\n";
            } else {
                out.content_type = "video/mp2t";
                out.body = "TS";
            }
            return out;
        };
        for (auto& r : party::HttpRoutes(*parties_, {*db_, *db_, *store_, live})) deps.routes.push_back(r);
        for (auto& s : party::Sockets(*parties_)) deps.sockets.push_back(s);
    }
    std::unique_ptr<party::PartyService> parties_;
    std::vector<std::string> asked_;
};

TEST_F(PartyLiveTest, GuestsGetTheirChannelOnlyWithTheInviteOnEveryUri) {
    core::Playlist pl;
    pl.slug = "main";
    pl.title = "Main";
    ASSERT_TRUE(db_->CreatePlaylist(pl).ok());
    auto r = Call("POST", "/api/v1/parties", Json{{"channel", "main"}}.dump(), Bearer());
    ASSERT_EQ(r.status, 201u) << r.body;
    std::string id = r.Json()["id"], invite = r.Json()["invite_token"];
    auto d = Get("/api/v1/parties/" + id + "?invite=" + invite);
    EXPECT_EQ(d.Json()["live"], true);
    EXPECT_EQ(d.Json()["host"], 0);
    std::string base = "/api/v1/parties/" + id + "/live/";
    auto m = Get(base + "main/index.m3u8?invite=" + invite);
    ASSERT_EQ(m.status, 200u) << m.body;
    EXPECT_NE(m.body.find("\nv/12.ts?invite=" + invite + "\n"), std::string::npos) << m.body;
    EXPECT_EQ(Get(base + "main/v/12.ts?invite=" + invite).body, "TS");
    // Not the endless stream, not another channel, not without the invite.
    EXPECT_EQ(Get(base + "main/stream.ts?invite=" + invite).status, 404u);
    EXPECT_EQ(Get(base + "other/index.m3u8?invite=" + invite).status, 404u);
    EXPECT_EQ(Get(base + "main/index.m3u8").status, 401u);
    EXPECT_EQ(asked_, (std::vector<std::string>{"main/index.m3u8", "main/v/12.ts"}));
    // A channel party takes no playback requests.
    WsClient g(port_, "/api/v1/parties/" + id + "/ws?invite=" + invite + "&name=Gus", {});
    ASSERT_TRUE(g.Next());
    g.Send(R"({"type":"request","action":"pause"})");
    std::optional<Json> e;
    for (int i = 0; i < 5 && !(e && (*e)["type"] == "error"); ++i) e = g.Next();
    ASSERT_TRUE(e);
    EXPECT_EQ((*e)["code"], "live_party");
}


TEST_F(PartyServerTest, EveryPartyRouteIsInTheSpecAndNoMore) {
    std::set<std::string> served;
    for (const auto& r : server_->Routes()) {
        if (!r.pattern.starts_with("/api/v1/parties")) continue;
        served.insert(r.method + " " +
                      std::regex_replace(r.pattern, std::regex(R"(\{(\w+)\+\})"), "{$1}"));
    }
    // The socket is a GET (upgrade) in the spec.
    for (const auto& ws : party::Sockets(*parties_)) served.insert("GET " + ws.pattern);
    auto spec = beacon::testing::ModuleSpecOperations("party");
    EXPECT_EQ(spec.size(), 7u);
    EXPECT_EQ(served, spec);
}

class PartyFiftyTest : public PartyServerTest {
protected:
    std::size_t MaxMembers() const override { return 50; }
};

TEST_F(PartyFiftyTest, FiftyMembersAllReceiveCommandsAndChatAndTheFiftyFirstIsRefused) {
    auto p = CreateParty(AddItem());
    std::vector<std::unique_ptr<WsClient>> members;
    members.push_back(std::make_unique<WsClient>(port_, OwnerWs(p), Bearer()));
    ASSERT_TRUE(NextOf(*members.back(), "hello"));
    for (int i = 1; i < 50; ++i) {
        members.push_back(std::make_unique<WsClient>(port_, GuestWs(p, "g" + std::to_string(i)),
                                                     Headers{}));
    }
    EXPECT_THROW(WsClient(port_, GuestWs(p, "g50"), {}), boost::system::system_error);
    members[0]->Send(R"({"type":"request","action":"play"})");
    members[7]->Send(R"({"type":"chat","text":"fifty strong"})");
    // The two come from different connections: either may arrive first.
    int states = 0, chats = 0;
    for (auto& m : members) {
        bool state = false, chat = false;
        for (int i = 0; i < 500 && !(state && chat); ++i) {
            auto msg = m->Next(10000);
            if (!msg) break;
            state |= (*msg)["type"] == "state" && (*msg)["state"] == "playing";
            chat |= (*msg)["type"] == "chat" && (*msg)["text"] == "fifty strong";
        }
        states += state ? 1 : 0;
        chats += chat ? 1 : 0;
    }
    EXPECT_EQ(states, 50);
    EXPECT_EQ(chats, 50);
}

}  // namespace
}  // namespace beacon::server::testing
