// Routes and WebSockets of other modules (ServerDeps::routes/sockets): the server's shared
// plumbing (Host check, authentication by access, CSRF, body limits, 405) applies to them, and
// a module's socket can send, receive and close.
#include <atomic>
#include <mutex>

#include "server/api.hpp"
#include "server_test_client.hpp"

namespace beacon::server::testing {
namespace {

using core::Json;

/// Echoes every message back in upper case; "bye" makes it close the socket.
class Echo final : public SocketHandler {
public:
    explicit Echo(std::shared_ptr<SocketSink> sink) : sink_(std::move(sink)) {}
    void OnMessage(std::string_view text) override {
        if (text == "bye") {
            sink_->Send(R"({"closing":true})");
            sink_->Close(false, "done");
            return;
        }
        std::string up(text);
        for (auto& c : up) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        sink_->Send(Json{{"echo", up}}.dump());
    }
    void OnClose() override { ++closes; }
    static inline std::atomic<int> closes{0};

private:
    std::shared_ptr<SocketSink> sink_;
};

class ExtensionTest : public ServerFixture {
protected:
    void Configure(ServerOptions& options, ServerDeps& deps) override {
        options.max_body_bytes = 1024;
        deps.routes.push_back({"GET", "/api/v1/things/{id}", RouteAccess::kUser,
                               [](Request& req) {
                                   return Api::Json(200, Json{{"id", req.params.at("id")},
                                                              {"user", req.who.user_id}});
                               }});
        deps.routes.push_back({"POST", "/api/v1/things", RouteAccess::kUser, [](Request& req) {
                                   return Api::Json(201, Json{{"bytes", req.msg.body().size()}});
                               }, false, 4096});
        deps.routes.push_back({"GET", "/open/{name}", RouteAccess::kPublic, [](Request& req) {
                                   return Api::Json(200, Json{{"name", req.params.at("name")},
                                                              {"signed_in", req.who.authenticated()}});
                               }});
        deps.routes.push_back({"GET", "/anyhost", RouteAccess::kPublic,
                               [](Request&) { return Api::Json(200, Json::object()); }, true});
        deps.routes.push_back({"GET", "/boom", RouteAccess::kPublic, [](Request&) -> Reply {
                                   throw std::runtime_error("kaput");
                               }});
        deps.sockets.push_back({"/api/v1/echo/{room}/ws", [](Request& req,
                                                              std::shared_ptr<SocketSink> sink) {
                                    SocketOpen out;
                                    if (req.params.at("room") == "closed") {
                                        out.refusal = Api::Error(404, "not_found", "no such room");
                                        return out;
                                    }
                                    if (!req.who.authenticated() && req.Query("invite") != "yes") {
                                        out.refusal = Api::Error(401, "unauthorized", "invite needed");
                                        return out;
                                    }
                                    sink->Send(Json{{"hello", req.params.at("room")},
                                                    {"user", req.who.user_id}}
                                                   .dump());
                                    out.handler = std::make_shared<Echo>(sink);
                                    return out;
                                }});
    }
};

TEST_F(ExtensionTest, UserRoutesNeedCredentialsAndGetParams) {
    EXPECT_EQ(Get("/api/v1/things/7").status, 401u);
    auto r = Get("/api/v1/things/7", Bearer());
    ASSERT_EQ(r.status, 200u) << r.body;
    EXPECT_EQ(r.Json()["id"], "7");
    EXPECT_EQ(r.Json()["user"], user_id_);
    auto wrong = Call("DELETE", "/api/v1/things/7", "", Bearer());
    EXPECT_EQ(wrong.status, 405u);
}

TEST_F(ExtensionTest, CookieWritesNeedCsrfLikeCoreRoutes) {
    SetUpPassword();
    EXPECT_EQ(Call("POST", "/api/v1/things", "{}", Cookie(false)).status, 403u);
    EXPECT_EQ(Call("POST", "/api/v1/things", "{}", Cookie(true)).status, 201u);
}

TEST_F(ExtensionTest, RouteBodyLimitReplacesTheDefault) {
    auto h = Bearer();
    std::string three_k(3000, 'x');
    auto ok = Call("POST", "/api/v1/things", three_k, h);
    ASSERT_EQ(ok.status, 201u) << ok.body;
    EXPECT_EQ(ok.Json()["bytes"], 3000);
    EXPECT_EQ(Call("POST", "/api/v1/things", std::string(5000, 'x'), h).status, 413u);
    // the default (1024) still holds on core routes
    EXPECT_EQ(Call("POST", "/api/v1/generate", std::string(3000, 'x'), h).status, 413u);
}

TEST_F(ExtensionTest, PublicRoutesLearnTheCallerAndKeepTheHostCheck) {
    auto anon = Get("/open/x");
    ASSERT_EQ(anon.status, 200u);
    EXPECT_FALSE(anon.Json()["signed_in"].get<bool>());
    EXPECT_TRUE(Get("/open/x", Bearer()).Json()["signed_in"].get<bool>());
    Headers evil = {{"Host", "evil.example"}};
    EXPECT_EQ(Get("/open/x", evil).status, 400u);
    EXPECT_EQ(Get("/anyhost", evil).status, 200u);
}

TEST_F(ExtensionTest, HandlerExceptionsBecome500) {
    auto r = Get("/boom");
    EXPECT_EQ(r.status, 500u);
    EXPECT_NE(r.body.find("kaput"), std::string::npos);
    EXPECT_TRUE(Healthy());
}

TEST_F(ExtensionTest, SocketSendsReceivesAndCloses) {
    int closes_before = Echo::closes.load();
    {
        WsClient ws(port_, "/api/v1/echo/lobby/ws", Bearer());
        auto hello = ws.Next();
        ASSERT_TRUE(hello);
        EXPECT_EQ((*hello)["hello"], "lobby");
        EXPECT_EQ((*hello)["user"], user_id_);
        ws.Send("ping");
        auto echo = ws.Next();
        ASSERT_TRUE(echo);
        EXPECT_EQ((*echo)["echo"], "PING");
        ws.Send("bye");
        auto last = ws.Next();
        ASSERT_TRUE(last);
        EXPECT_EQ((*last)["closing"], true);  // queued messages go out before the close
        EXPECT_FALSE(ws.Next(5000));
        EXPECT_TRUE(ws.closed());
        EXPECT_EQ(ws.close_code(), 1000);
    }
    for (int i = 0; i < 100 && Echo::closes.load() == closes_before; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_EQ(Echo::closes.load(), closes_before + 1);
}

TEST_F(ExtensionTest, SocketRefusalsAreHttpAnswers) {
    Bearer();
    EXPECT_THROW(WsClient(port_, "/api/v1/echo/lobby/ws", {}), boost::system::system_error);
    EXPECT_THROW(WsClient(port_, "/api/v1/echo/closed/ws", Bearer()), boost::system::system_error);
    WsClient guest(port_, "/api/v1/echo/lobby/ws?invite=yes", {});
    auto hello = guest.Next();
    ASSERT_TRUE(hello);
    EXPECT_EQ((*hello)["user"], 0);
    // a plain GET on a socket path is not a route
    EXPECT_EQ(Get("/api/v1/echo/lobby/ws", Bearer()).status, 404u);
}

class GamesOriginTest : public ServerFixture {
protected:
    void Configure(ServerOptions& options, ServerDeps& deps) override {
        options.core_routes = false;
        deps.routes.push_back({"GET", "/play/{file+}", RouteAccess::kPublic, [](Request& req) {
                                   return Api::Json(200, Json{{"file", req.params.at("file")}});
                               }});
    }
};

TEST_F(GamesOriginTest, OnlyModuleRoutesAreAnswered) {
    EXPECT_EQ(Get("/play/a/index.html").status, 200u);
    EXPECT_EQ(Get("/healthz").status, 404u);
    EXPECT_EQ(Get("/api/v1/content", Bearer()).status, 404u);
    EXPECT_EQ(Get("/").status, 404u);
    EXPECT_THROW(WsClient(port_, "/api/v1/events", Bearer()), boost::system::system_error);
}

}  // namespace
}  // namespace beacon::server::testing
