// The HTTP API against a real server, SQLite database and object store.
#include <sys/socket.h>
#include <sys/time.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <fstream>
#include <thread>
#include <regex>
#include <set>
#include <sstream>

#include "server/auth.hpp"
#include "server_test_client.hpp"

namespace beacon::server::testing {
namespace {

using core::Json;

// ---- the contract: api/openapi.yaml ↔ the route table -------------------------------------------

/// "METHOD /path" for every operation in the spec (a line parser for the file's fixed layout:
/// paths at two spaces of indent, methods at four). A path marked `x-module: <name>` (right
/// under the path line) is served by that module's extension routes and checked by its own
/// test; it is left out here.
std::set<std::string> SpecOperations() {
    std::ifstream in(std::string(BEACON_SOURCE_DIR) + "/api/openapi.yaml");
    EXPECT_TRUE(in.good());
    std::set<std::string> ops;
    std::string line, path;
    bool in_paths = false;
    static const std::regex kPath(R"(^  (/\S*):\s*$)");
    static const std::regex kMethod(R"(^    (get|post|patch|put|delete):\s*$)");
    while (std::getline(in, line)) {
        if (line == "paths:") {
            in_paths = true;
            continue;
        }
        if (in_paths && !line.empty() && line[0] != ' ' && line[0] != '#') in_paths = false;
        if (!in_paths) continue;
        std::smatch m;
        if (std::regex_match(line, m, kPath)) {
            path = m[1];
        } else if (line.starts_with("    x-module:")) {
            path.clear();
        } else if (std::regex_match(line, m, kMethod) && !path.empty()) {
            std::string method = m[1];
            std::transform(method.begin(), method.end(), method.begin(), ::toupper);
            ops.insert(method + " " + path);
        }
    }
    return ops;
}

std::string Normalise(std::string pattern) {
    return std::regex_replace(pattern, std::regex(R"(\{(\w+)\+\})"), "{$1}");
}

class ApiTest : public ServerFixture {};

TEST_F(ApiTest, EveryRouteInTheSpecIsServedAndEveryServedRouteIsInTheSpec) {
    auto spec = SpecOperations();
    ASSERT_GT(spec.size(), 40u);
    std::set<std::string> served;
    for (const auto& r : server_->Routes()) served.insert(r.method + " " + Normalise(r.pattern));
    for (const auto& op : spec) EXPECT_TRUE(served.contains(op)) << "in spec, not served: " << op;
    for (const auto& op : served) EXPECT_TRUE(spec.contains(op)) << "served, not in spec: " << op;

    // And each spec operation reaches a handler over HTTP (not "no route" / 405).
    auto headers = Bearer();
    for (const auto& op : spec) {
        auto space = op.find(' ');
        std::string method = op.substr(0, space), path = op.substr(space + 1);
        path = std::regex_replace(path, std::regex(R"(\{key\})"), "library/1/video.mp4");
        path = std::regex_replace(path, std::regex(R"(\{slug\})"), "main");
        path = std::regex_replace(path, std::regex(R"(\{lang\})"), "en");
        path = std::regex_replace(path, std::regex(R"(\{\w+\})"), "999");
        if (op == "POST /api/v1/auth/logout") continue;  // would not hurt, but keep the token simple
        auto r = Call(method, path, method == "GET" || method == "DELETE" ? "" : "{}", headers);
        EXPECT_NE(r.status, 405u) << op;
        EXPECT_EQ(r.Json().is_object() && r.Json().contains("error")
                      ? r.Json()["error"].value("message", "").rfind("no route", 0)
                      : std::string::npos,
                  std::string::npos)
            << op << " → " << r.body;
        EXPECT_NE(r.status, 401u) << op;
    }
}

// ---- auth ------------------------------------------------------------------------------------------

TEST_F(ApiTest, AuthFlowSetupLoginCookieCsrfBearerLogout) {
    auto st = Get("/api/v1/auth/status");
    ASSERT_EQ(st.status, 200u);
    EXPECT_EQ(st.Json()["password_set"], false);
    EXPECT_EQ(Get("/api/v1/jobs").status, 401u);
    EXPECT_EQ(Get("/api/v1/jobs").ErrorCode(), "unauthorized");
    EXPECT_EQ(Call("POST", "/api/v1/auth/setup", R"({"password":"short"})").status, 400u);

    SetUpPassword("correct horse battery");
    EXPECT_EQ(Get("/api/v1/auth/status").Json()["password_set"], true);
    EXPECT_EQ(Call("POST", "/api/v1/auth/setup", R"({"password":"another password"})").status, 409u);

    // login sets a hardened cookie
    auto bad = Call("POST", "/api/v1/auth/login", R"({"password":"wrong password"})");
    EXPECT_EQ(bad.status, 401u);
    auto login = Call("POST", "/api/v1/auth/login", R"({"password":"correct horse battery"})");
    ASSERT_EQ(login.status, 200u) << login.body;
    std::string set_cookie = login.Header("set-cookie");
    EXPECT_TRUE(set_cookie.starts_with("beacon_session=")) << set_cookie;
    EXPECT_NE(set_cookie.find("HttpOnly"), std::string::npos);
    EXPECT_NE(set_cookie.find("SameSite=Strict"), std::string::npos);
    EXPECT_NE(set_cookie.find("Path=/"), std::string::npos);
    EXPECT_EQ(set_cookie.find("Secure"), std::string::npos);  // no TLS here
    EXPECT_EQ(login.Json()["user"]["name"], "admin");
    cookie_ = set_cookie.substr(0, set_cookie.find(';'));
    csrf_ = login.Json()["csrf_token"];

    auto me = Get("/api/v1/auth/me", Cookie(false));
    ASSERT_EQ(me.status, 200u);
    EXPECT_EQ(me.Json()["csrf_token"], csrf_);

    // CSRF: a cookie-authenticated state change needs the header
    EXPECT_EQ(Call("POST", "/api/v1/tokens", R"({"name":"cli"})", Cookie(false)).status, 403u);
    auto wrong = Cookie(false);
    wrong.emplace_back("X-CSRF-Token", "not-the-token");
    EXPECT_EQ(Call("POST", "/api/v1/tokens", R"({"name":"cli"})", wrong).status, 403u);
    auto created = Call("POST", "/api/v1/tokens", R"({"name":"cli"})", Cookie(true));
    ASSERT_EQ(created.status, 201u) << created.body;
    std::string token = created.Json()["token"];
    std::int64_t token_id = created.Json()["id"];

    // bearer: no CSRF needed, no csrf_token in /me
    Headers bearer{{"Authorization", "Bearer " + token}};
    EXPECT_EQ(Get("/api/v1/jobs", bearer).status, 200u);
    auto me2 = Get("/api/v1/auth/me", bearer);
    EXPECT_TRUE(me2.Json()["csrf_token"].is_null());
    EXPECT_EQ(Call("POST", "/api/v1/playlists", R"({"title":"By script"})", bearer).status, 201u);
    auto list = Get("/api/v1/tokens", bearer);
    ASSERT_EQ(list.status, 200u);
    EXPECT_EQ(list.Json()["items"].size(), 1u);
    EXPECT_FALSE(list.Json()["items"][0].contains("token"));
    EXPECT_EQ(Get("/api/v1/jobs", {{"Authorization", "Bearer bcn_wrong"}}).status, 401u);

    // password change
    EXPECT_EQ(Call("POST", "/api/v1/auth/password",
                   R"({"current_password":"nope nope","new_password":"new password 1"})", bearer)
                  .status,
              401u);
    EXPECT_EQ(Call("POST", "/api/v1/auth/password",
                   R"({"current_password":"correct horse battery","new_password":"new password 1"})",
                   bearer)
                  .status,
              200u);
    // changing the password ends existing sessions; log in again with the new one
    auto relogin = Call("POST", "/api/v1/auth/login", R"({"password":"new password 1"})");
    ASSERT_EQ(relogin.status, 200u);
    cookie_ = relogin.Header("set-cookie").substr(0, relogin.Header("set-cookie").find(';'));
    csrf_ = relogin.Json()["csrf_token"];

    // logout ends the session; the cookie stops working
    EXPECT_EQ(Call("POST", "/api/v1/auth/logout", "", Cookie(false)).status, 403u);
    auto out = Call("POST", "/api/v1/auth/logout", "", Cookie(true));
    EXPECT_EQ(out.status, 204u);
    EXPECT_NE(out.Header("set-cookie").find("Max-Age=0"), std::string::npos);
    EXPECT_EQ(Get("/api/v1/auth/me", Cookie(false)).status, 401u);

    // a revoked token stops working
    EXPECT_EQ(Call("DELETE", "/api/v1/tokens/" + std::to_string(token_id), "", bearer).status, 204u);
    EXPECT_EQ(Get("/api/v1/jobs", bearer).status, 401u);
}

class DeferredDeleteTest : public ServerFixture {
    void Configure(ServerOptions& o, ServerDeps&) override {
        o.media_delete_delay = std::chrono::seconds(300);
    }
};

TEST_F(DeferredDeleteTest, ADeletedItemsFilesStayUntilChannelsAreDoneWithThem) {
    auto h = Bearer();
    core::Content c;
    c.owner_id = user_id_;
    c.title = "On air";
    auto id = db_->CreateContent(c)->id;
    const std::string seg = "library/" + std::to_string(id) + "/hls/video/seg_00000.ts";
    ASSERT_TRUE(store_->Put(seg, "ts").ok());
    auto del = Call("DELETE", "/api/v1/content/" + std::to_string(id), "", h);
    ASSERT_EQ(del.status, 204u) << del.body;
    EXPECT_EQ(Get("/api/v1/content/" + std::to_string(id), h).status, 404u);
    EXPECT_TRUE(store_->Exists(seg)) << "a channel may still serve this published segment";
    EXPECT_TRUE(db_->TakeDueObjectDeletes(core::NowMillis())->empty());
    auto due = db_->TakeDueObjectDeletes(core::NowMillis() + 301'000);
    ASSERT_TRUE(due.ok());
    EXPECT_EQ(*due, (std::vector<std::string>{"library/" + std::to_string(id) + "/"}));
}

class ThrottleTest : public ServerFixture {
    void Configure(ServerOptions& o, ServerDeps&) override {
        o.login_free_failures = 3;
        o.login_lockout_base = std::chrono::seconds(30);
    }
};

TEST_F(ThrottleTest, RepeatedFailedLoginsAreThrottledWith429AndRetryAfter) {
    SetUpPassword("correct horse battery");
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(Call("POST", "/api/v1/auth/login", R"({"password":"guess guess"})").status, 401u);
    }
    auto r = Call("POST", "/api/v1/auth/login", R"({"password":"correct horse battery"})");
    EXPECT_EQ(r.status, 429u);
    EXPECT_EQ(r.ErrorCode(), "rate_limited");
    int retry_after = std::stoi(r.Header("retry-after"));
    EXPECT_GE(retry_after, 29);
    EXPECT_LE(retry_after, 30);
    EXPECT_TRUE(Healthy());
}

// ---- bad input ---------------------------------------------------------------------------------

TEST_F(ApiTest, BadInputGetsClearErrorsAndTheServerKeepsServing) {
    auto h = Bearer();
    struct Case {
        std::string method, target, body;
        unsigned status;
        std::string message_part;
    };
    std::vector<Case> cases = {
        {"POST", "/api/v1/generate", "{\"prompt\": ", 400, "malformed JSON"},
        {"POST", "/api/v1/generate", "[1,2]", 400, "JSON object"},
        {"POST", "/api/v1/generate", "", 400, "JSON object"},
        {"POST", "/api/v1/generate", R"({"prompt": 5})", 400, "'prompt' must be a string"},
        {"POST", "/api/v1/generate", R"({"prompt":"x","colour":"red"})", 400, "unknown field 'colour'"},
        {"POST", "/api/v1/generate", Json{{"prompt", std::string(4001, 'a')}}.dump(), 400, "longer than"},
        {"POST", "/api/v1/generate", R"({"prompt":"x","duration_target":0})", 400, "duration_target"},
        {"POST", "/api/v1/generate", R"({"prompt":"x","duration_target":"7"})", 400, "duration_target"},
        {"GET", "/api/v1/jobs/424242", "", 404, ""},
        {"GET", "/api/v1/jobs/abc", "", 400, "positive integer"},
        {"GET", "/api/v1/jobs?limit=0", "", 400, "limit"},
        {"GET", "/api/v1/jobs?state=bogus", "", 400, "state"},
        {"GET", "/api/v1/content/77", "", 404, ""},
        {"GET", "/api/v1/content?sort=random", "", 400, "sort"},
        {"PATCH", "/api/v1/content/77", R"({"title":"x"})", 404, ""},
        {"DELETE", "/api/v1/playlists/77", "", 404, ""},
        {"PUT", "/api/v1/jobs/1", "{}", 405, "not allowed"},
        {"DELETE", "/healthz", "", 405, "not allowed"},
        {"GET", "/api/v1/nothing-here", "", 404, "no route"},
        {"POST", "/somewhere", "{}", 404, "no route"},
        {"GET", "/api/v1/jobs?q=%zz", "", 400, "query"},
    };
    for (const auto& c : cases) {
        auto r = Call(c.method, c.target, c.body, h);
        EXPECT_EQ(r.status, c.status) << c.method << " " << c.target << " " << c.body << " → " << r.body;
        auto j = r.Json();
        ASSERT_TRUE(j.is_object() && j.contains("error")) << r.body;
        EXPECT_FALSE(j["error"]["code"].get<std::string>().empty());
        EXPECT_NE(j["error"]["message"].get<std::string>().find(c.message_part), std::string::npos)
            << r.body;
        EXPECT_EQ(r.Header("content-type"), "application/json");
        EXPECT_TRUE(Healthy()) << "after " << c.method << " " << c.target;
    }
    auto r405 = Call("PUT", "/api/v1/jobs/1", "{}", h);
    EXPECT_EQ(r405.Header("allow"), "GET, HEAD");
}

TEST_F(ApiTest, OversizedBodiesGet413WithoutBeingRead) {
    auto h = Bearer();
    // Announce 50 MB and send none of it: the server answers at once.
    auto r = SendRaw(port_, "POST /api/v1/generate HTTP/1.1\r\nHost: x\r\nAuthorization: " +
                                h[0].second + "\r\nContent-Type: application/json\r\n"
                                "Content-Length: 50000000\r\n\r\n");
    EXPECT_EQ(r.status, 413u);
    EXPECT_EQ(r.ErrorCode(), "too_large");
    // A body just over the limit, actually sent.
    std::string big = Json{{"prompt", std::string(70 * 1024, 'a')}}.dump();
    auto r2 = Call("POST", "/api/v1/generate", big, h);
    EXPECT_EQ(r2.status, 413u);
    // Chunked, over the limit.
    std::string chunk(70 * 1024, 'b');
    std::ostringstream raw;
    raw << "POST /api/v1/generate HTTP/1.1\r\nHost: x\r\nAuthorization: " << h[0].second
        << "\r\nTransfer-Encoding: chunked\r\n\r\n"
        << std::hex << chunk.size() << "\r\n" << chunk << "\r\n0\r\n\r\n";
    EXPECT_EQ(SendRaw(port_, raw.str()).status, 413u);
    EXPECT_TRUE(Healthy());
}

TEST_F(ApiTest, MalformedHttpGets400AndTheServerKeepsServing) {
    EXPECT_EQ(SendRaw(port_, "THIS IS NOT HTTP\r\n\r\n").status, 400u);
    EXPECT_EQ(SendRaw(port_, "GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n").status, 400u);
    std::string huge = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n";
    EXPECT_EQ(SendRaw(port_, huge).status, 431u);
    EXPECT_TRUE(Healthy());
}

TEST_F(ApiTest, KeepAliveServesSeveralRequestsOnOneConnection) {
    std::string two = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
    namespace asio = boost::asio;
    asio::io_context ioc;
    asio::ip::tcp::socket s(ioc);
    s.connect({asio::ip::make_address("127.0.0.1"), port_});
    asio::write(s, asio::buffer(two));
    boost::beast::flat_buffer buf;
    for (int i = 0; i < 2; ++i) {
        boost::beast::http::response<boost::beast::http::string_body> res;
        boost::beast::http::read(s, buf, res);
        EXPECT_EQ(res.result_int(), 200u);
        EXPECT_EQ(Json::parse(res.body())["status"], "ok");
    }
}

// ---- static web UI -----------------------------------------------------------------------------

TEST_F(ApiTest, WebUiStaticFilesAndSpaFallbackNeedNoAuth) {
    auto index = Get("/");
    ASSERT_EQ(index.status, 200u);
    EXPECT_NE(index.body.find("<title>Beacon</title>"), std::string::npos);
    EXPECT_EQ(index.Header("cache-control"), "no-cache");
    auto deep = Get("/library/12");
    EXPECT_EQ(deep.status, 200u);
    EXPECT_EQ(deep.body, index.body);
    auto asset = Get("/assets/app-1a2b3c.js");
    EXPECT_EQ(asset.status, 200u);
    EXPECT_EQ(asset.Header("content-type"), "text/javascript; charset=utf-8");
    EXPECT_NE(asset.Header("cache-control").find("immutable"), std::string::npos);
    EXPECT_EQ(Get("/assets/missing.js").status, 404u);
    EXPECT_EQ(Get("/favicon.ico").status, 404u);
}

// ---- media -------------------------------------------------------------------------------------

std::string Bytes(std::size_t n) {
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + i % 26);
    return s;
}

TEST_F(ApiTest, MediaServesRangesTypesAndCachingHeaders) {
    auto h = Bearer();
    std::string data = Bytes(1000);
    ASSERT_TRUE(store_->Put("library/1/video.mp4", data).ok());
    ASSERT_TRUE(store_->Put("library/1/hls/master.m3u8", "#EXTM3U\n").ok());
    ASSERT_TRUE(store_->Put("library/1/hls/video/seg_00000.ts", Bytes(188)).ok());

    auto full = Get("/media/library/1/video.mp4", h);
    ASSERT_EQ(full.status, 200u);
    EXPECT_EQ(full.body, data);
    EXPECT_EQ(full.Header("content-type"), "video/mp4");
    EXPECT_EQ(full.Header("accept-ranges"), "bytes");
    EXPECT_FALSE(full.Header("etag").empty());
    EXPECT_FALSE(full.Header("last-modified").empty());
    // Library files change in place (scene regeneration): revalidated, never immutable.
    EXPECT_EQ(full.Header("cache-control"), "private, no-cache");
    {
        ASSERT_TRUE(store_->Put("library/2/video.mp4", data).ok());
        auto first = Get("/media/library/2/video.mp4", h);
        const std::string etag = first.Header("etag");
        EXPECT_EQ(Get("/media/library/2/video.mp4", {h[0], {"If-None-Match", etag}}).status, 304u);
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        const std::string regenerated = Bytes(1200);
        ASSERT_TRUE(store_->Put("library/2/video.mp4", regenerated).ok());
        auto after = Get("/media/library/2/video.mp4", {h[0], {"If-None-Match", etag}});
        EXPECT_EQ(after.status, 200u) << "a browser holding the old bytes must get the new ones";
        EXPECT_EQ(after.body, regenerated);
        EXPECT_NE(after.Header("etag"), etag);
    }

    auto part = Get("/media/library/1/video.mp4", {h[0], {"Range", "bytes=10-19"}});
    EXPECT_EQ(part.status, 206u);
    EXPECT_EQ(part.body, data.substr(10, 10));
    EXPECT_EQ(part.Header("content-range"), "bytes 10-19/1000");
    auto tail = Get("/media/library/1/video.mp4", {h[0], {"Range", "bytes=-5"}});
    EXPECT_EQ(tail.status, 206u);
    EXPECT_EQ(tail.body, data.substr(995));
    auto open = Get("/media/library/1/video.mp4", {h[0], {"Range", "bytes=900-"}});
    EXPECT_EQ(open.body, data.substr(900));

    auto bad = Get("/media/library/1/video.mp4", {h[0], {"Range", "bytes=5000-"}});
    EXPECT_EQ(bad.status, 416u);
    EXPECT_EQ(bad.Header("content-range"), "bytes */1000");

    auto again = Get("/media/library/1/video.mp4", {h[0], {"If-None-Match", full.Header("etag")}});
    EXPECT_EQ(again.status, 304u);
    EXPECT_TRUE(again.body.empty());

    auto head = Call("HEAD", "/media/library/1/video.mp4", "", h);
    EXPECT_EQ(head.status, 200u);
    EXPECT_EQ(head.Header("content-length"), "1000");
    EXPECT_EQ(head.Header("accept-ranges"), "bytes");
    EXPECT_EQ(head.Header("etag"), full.Header("etag"));
    EXPECT_TRUE(head.body.empty());

    auto m3u8 = Get("/media/library/1/hls/master.m3u8", h);
    EXPECT_EQ(m3u8.Header("content-type"), "application/vnd.apple.mpegurl");
    EXPECT_EQ(m3u8.Header("cache-control"), "no-cache");
    auto seg = Get("/media/library/1/hls/video/seg_00000.ts", h);
    EXPECT_EQ(seg.Header("content-type"), "video/mp2t");
    EXPECT_EQ(seg.body.size(), 188u);

    EXPECT_EQ(Get("/media/library/1/missing.mp4", h).status, 404u);
    EXPECT_EQ(Get("/media/library/1/video.mp4").status, 401u);
}

TEST_F(ApiTest, MediaRangeEdgeCases) {
    auto h = Bearer();
    const std::string data = Bytes(1000);
    ASSERT_TRUE(store_->Put("library/1/video.mp4", data).ok());
    const std::string url = "/media/library/1/video.mp4";
    const std::string etag = Get(url, h).Header("etag");
    ASSERT_FALSE(etag.empty());

    // bytes=-0 asks for no bytes at all: unsatisfiable, with the file's size.
    auto zero = Get(url, {h[0], {"Range", "bytes=-0"}});
    EXPECT_EQ(zero.status, 416u);
    EXPECT_EQ(zero.Header("content-range"), "bytes */1000");
    EXPECT_EQ(zero.ErrorCode(), "range_not_satisfiable");

    // A suffix longer than the file is the whole file, as a 206.
    auto longer = Get(url, {h[0], {"Range", "bytes=-5000"}});
    EXPECT_EQ(longer.status, 206u);
    EXPECT_EQ(longer.Header("content-range"), "bytes 0-999/1000");
    EXPECT_EQ(longer.Header("content-length"), "1000");
    EXPECT_EQ(longer.body, data);

    // An end past the file is clipped to it.
    auto clipped = Get(url, {h[0], {"Range", "bytes=990-5000"}});
    EXPECT_EQ(clipped.status, 206u);
    EXPECT_EQ(clipped.Header("content-range"), "bytes 990-999/1000");
    EXPECT_EQ(clipped.body, data.substr(990));

    // If-Range with the current validator: the range applies.
    auto same = Get(url, {h[0], {"Range", "bytes=0-9"}, {"If-Range", etag}});
    EXPECT_EQ(same.status, 206u);
    EXPECT_EQ(same.body, data.substr(0, 10));
    // If-Range with a stale validator: the range is ignored and the whole, new file comes back.
    auto stale = Get(url, {h[0], {"Range", "bytes=0-9"}, {"If-Range", "\"stale-etag\""}});
    EXPECT_EQ(stale.status, 200u);
    EXPECT_EQ(stale.body, data);
    EXPECT_TRUE(stale.Header("content-range").empty());
    // ... and a stale validator never turns a bad range into a 416.
    auto stale_bad = Get(url, {h[0], {"Range", "bytes=5000-"}, {"If-Range", "\"stale-etag\""}});
    EXPECT_EQ(stale_bad.status, 200u);

    // HEAD with a range: the 206 headers of that range and no body.
    auto head = Call("HEAD", url, "", {h[0], {"Range", "bytes=10-19"}});
    EXPECT_EQ(head.status, 206u);
    EXPECT_EQ(head.Header("content-range"), "bytes 10-19/1000");
    EXPECT_EQ(head.Header("content-length"), "10");
    EXPECT_TRUE(head.body.empty());
    // HEAD of a missing file is a 404 without a body.
    auto missing = Call("HEAD", "/media/library/1/none.mp4", "", h);
    EXPECT_EQ(missing.status, 404u);
    EXPECT_TRUE(missing.body.empty());
    // The connection still serves after HEAD answers (no body bytes were left behind).
    EXPECT_TRUE(Healthy());
}

TEST_F(ApiTest, LargeMediaFileIsSentWhole) {
    auto h = Bearer();
    std::string data = Bytes(6 * 1024 * 1024 + 123);
    ASSERT_TRUE(store_->Put("library/2/video.mp4", data).ok());
    auto r = Get("/media/library/2/video.mp4", h);
    ASSERT_EQ(r.status, 200u);
    EXPECT_EQ(r.body.size(), data.size());
    EXPECT_TRUE(r.body == data);
}

TEST_F(ApiTest, PathTraversalNeverEscapesTheRoots) {
    auto h = Bearer();
    ASSERT_TRUE(store_->Put("library/1/video.mp4", "ok").ok());
    std::vector<std::string> attempts = {
        "/media/../secret.txt",
        "/media/%2e%2e/secret.txt",
        "/media/library/..%2f..%2fsecret.txt",
        "/media/library/%2E%2E/%2E%2E/secret.txt",
        "/media/library/1/..",
        "/media/library/.%2e/.%2e/secret.txt",
        "/media/LIBRARY/1/video.mp4",
        "/media/library/1/video.mp4%00.txt",
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/assets/..%2f..%2fsecret.txt",
        "/..%5csecret.txt",
    };
    for (const auto& a : attempts) {
        auto r = Get(a, h);
        EXPECT_TRUE(r.status == 400 || r.status == 404) << a << " → " << r.status;
        EXPECT_EQ(r.body.find("TOP SECRET"), std::string::npos) << a;
        EXPECT_TRUE(Healthy());
    }
}

// ---- stream key and LiveLoop hook ----------------------------------------------------------------

class LiveTest : public ServerFixture {
protected:
    void Configure(ServerOptions&, ServerDeps& deps) override {
        deps.live_handler = [this](const LiveRequest& r) -> core::Result<LiveResponse> {
            std::lock_guard lock(mu_);
            seen_.push_back(r);
            if (r.path == "nope/index.m3u8") return core::Error::NotFound("no channel nope");
            LiveResponse out;
            out.body = "#EXTM3U\n# " + r.path;
            return out;
        };
    }
    std::mutex mu_;
    std::vector<LiveRequest> seen_;
};

TEST_F(LiveTest, StreamKeyOpensLiveAndLibraryMediaOnly) {
    auto h = Bearer();
    ASSERT_TRUE(store_->Put("library/1/video.mp4", "library bytes").ok());
    ASSERT_TRUE(store_->Put("jobs/1/preview.mp4", "preview bytes").ok());
    auto sk = Get("/api/v1/stream-key", h);
    ASSERT_EQ(sk.status, 200u);
    std::string key = sk.Json()["key"];
    EXPECT_GE(key.size(), 20u);
    EXPECT_NE(sk.Json()["m3u_url"].get<std::string>().find("/live/channels.m3u?key=" + key),
              std::string::npos);
    EXPECT_EQ(Get("/api/v1/stream-key", h).Json()["key"], key);  // stable until rotated

    auto live = Get("/live/main/index.m3u8?key=" + key);
    ASSERT_EQ(live.status, 200u) << live.body;
    EXPECT_EQ(live.body, "#EXTM3U\n# main/index.m3u8");
    EXPECT_EQ(live.Header("content-type"), "application/vnd.apple.mpegurl");
    {
        std::lock_guard lock(mu_);
        ASSERT_EQ(seen_.size(), 1u);
        EXPECT_EQ(seen_[0].stream_key, key);
        EXPECT_EQ(seen_[0].query.at("key"), key);
        EXPECT_EQ(seen_[0].base_url, "http://127.0.0.1:" + std::to_string(port_));
    }
    EXPECT_EQ(Get("/live/main/audio_es.m3u8?key=" + key).status, 200u);
    EXPECT_EQ(Get("/live/channels.m3u?key=" + key).status, 200u);
    EXPECT_EQ(Get("/live/nope/index.m3u8?key=" + key).status, 404u);
    // The stream key opens channels only, never library or job media.
    EXPECT_EQ(Get("/media/library/1/video.mp4?key=" + key).status, 403u);
    EXPECT_EQ(Get("/media/jobs/1/preview.mp4?key=" + key).status, 403u);
    EXPECT_EQ(Get("/api/v1/jobs?key=" + key).status, 401u);
    EXPECT_EQ(Get("/live/main/index.m3u8").status, 401u);
    EXPECT_EQ(Get("/live/main/index.m3u8?key=wrong").status, 401u);

    auto rotated = Call("POST", "/api/v1/stream-key/rotate", "", h);
    ASSERT_EQ(rotated.status, 200u);
    EXPECT_NE(rotated.Json()["key"], key);
    EXPECT_EQ(Get("/live/main/index.m3u8?key=" + key).status, 401u);
    EXPECT_EQ(Get("/live/main/index.m3u8?key=" + rotated.Json()["key"].get<std::string>()).status, 200u);
}

TEST_F(ApiTest, MissingHooksAnswer503) {
    auto h = Bearer();
    EXPECT_EQ(Get("/live/main/index.m3u8", h).status, 503u);
    EXPECT_EQ(Get("/api/v1/engines", h).status, 503u);
    EXPECT_EQ(Get("/api/v1/voices", h).status, 503u);
    EXPECT_EQ(Get("/api/v1/engines", h).ErrorCode(), "unavailable");
}

// ---- jobs --------------------------------------------------------------------------------------

TEST_F(ApiTest, GenerateListGetCancelRetry) {
    auto h = Bearer();
    auto g = Call("POST", "/api/v1/generate", R"({"prompt":"A lighthouse at dawn","duration_target":5})", h);
    ASSERT_EQ(g.status, 202u) << g.body;
    std::int64_t id = g.Json()["job_id"];
    EXPECT_EQ(g.Json()["status"], "queued");
    EXPECT_EQ(g.Json()["job"]["duration_target"], 5.0);

    auto job = Get("/api/v1/jobs/" + std::to_string(id), h);
    ASSERT_EQ(job.status, 200u);
    EXPECT_EQ(job.Json()["prompt"], "A lighthouse at dawn");
    EXPECT_TRUE(job.Json()["logs"].is_array());
    EXPECT_TRUE(job.Json()["stages"].is_object());
    EXPECT_TRUE(job.Json()["assets"].is_array());

    ASSERT_TRUE(db_->AppendJobLog(id, "script", core::LogLevel::kInfo, "hello log").ok());
    auto logs = Get("/api/v1/jobs/" + std::to_string(id) + "/logs?after=0", h);
    ASSERT_EQ(logs.status, 200u);
    ASSERT_EQ(logs.Json()["items"].size(), 1u);
    EXPECT_EQ(logs.Json()["items"][0]["message"], "hello log");
    std::int64_t log_id = logs.Json()["items"][0]["id"];
    EXPECT_EQ(Get("/api/v1/jobs/" + std::to_string(id) + "/logs?after=" + std::to_string(log_id), h)
                  .Json()["items"].size(),
              0u);

    auto list = Get("/api/v1/jobs?state=queued&limit=10", h);
    ASSERT_EQ(list.status, 200u);
    EXPECT_EQ(list.Json()["total"], 1);
    EXPECT_EQ(list.Json()["limit"], 10);
    EXPECT_EQ(Get("/api/v1/jobs?state=completed", h).Json()["total"], 0);

    EXPECT_EQ(Call("POST", "/api/v1/jobs/" + std::to_string(id) + "/retry", "", h).status, 409u);
    auto cancel = Call("POST", "/api/v1/jobs/" + std::to_string(id) + "/cancel", "", h);
    ASSERT_EQ(cancel.status, 200u) << cancel.body;
    EXPECT_EQ(cancel.Json()["status"], "canceled");
    auto retry = Call("POST", "/api/v1/jobs/" + std::to_string(id) + "/retry", "", h);
    ASSERT_EQ(retry.status, 202u) << retry.body;
    EXPECT_EQ(retry.Json()["status"], "queued");

    auto regen = Call("POST", "/api/v1/jobs/" + std::to_string(id) + "/scenes/1/regenerate",
                      R"({"description":"closer"})", h);
    EXPECT_EQ(regen.status, 503u);
    EXPECT_EQ(Call("POST", "/api/v1/jobs/" + std::to_string(id) + "/scenes/1/regenerate",
                   R"({"colour":"red"})", h).status,
              400u);
    EXPECT_EQ(Call("POST", "/api/v1/jobs/" + std::to_string(id) + "/scenes/0/regenerate", "{}", h).status,
              400u);
}

// ---- content -----------------------------------------------------------------------------------

std::int64_t AddContent(storage::Database& db, std::int64_t owner, const std::string& title,
                        const std::string& prompt) {
    core::Content c;
    c.owner_id = owner;
    c.title = title;
    c.prompt = prompt;
    c.description = "test item";
    c.duration = 7;
    c.languages = {"en"};
    auto r = db.CreateContent(c);
    EXPECT_TRUE(r.ok());
    return r.ok() ? r->id : 0;
}

TEST_F(ApiTest, ContentSearchPatchPublishDelete) {
    auto h = Bearer();
    auto a = AddContent(*db_, user_id_, "Lighthouse at dawn", "a lighthouse on a cliff");
    auto b = AddContent(*db_, user_id_, "Desert caravan", "camels crossing dunes");
    ASSERT_TRUE(store_->Put("library/" + std::to_string(a) + "/video.mp4", "v").ok());
    ASSERT_TRUE(store_->Put("library/" + std::to_string(a) + "/hls/master.m3u8", "m").ok());

    auto all = Get("/api/v1/content?sort=title", h);
    ASSERT_EQ(all.status, 200u) << all.body;
    EXPECT_EQ(all.Json()["total"], 2);
    EXPECT_EQ(all.Json()["items"][0]["title"], "Desert caravan");
    auto found = Get("/api/v1/content?q=lighthouse", h);
    ASSERT_EQ(found.status, 200u) << found.body;
    ASSERT_EQ(found.Json()["items"].size(), 1u);
    EXPECT_EQ(found.Json()["items"][0]["id"], a);
    EXPECT_EQ(Get("/api/v1/content?q=camels", h).Json()["items"][0]["id"], b);
    EXPECT_EQ(Get("/api/v1/content?visibility=secret", h).status, 400u);
    EXPECT_EQ(Get("/api/v1/content?published=maybe", h).status, 400u);
    // The language filter (issue 13): items that have the language, original or added.
    {
        auto dubbed = *db_->GetContent(b);
        dubbed.languages = {"en", "es"};
        ASSERT_TRUE(db_->UpdateContent(dubbed).ok());
        auto es = Get("/api/v1/content?language=es", h);
        ASSERT_EQ(es.status, 200u) << es.body;
        ASSERT_EQ(es.Json()["items"].size(), 1u);
        EXPECT_EQ(es.Json()["items"][0]["id"], b);
        EXPECT_EQ(Get("/api/v1/content?language=en", h).Json()["total"], 2);
        EXPECT_EQ(Get("/api/v1/content?language=de", h).Json()["total"], 0);
        EXPECT_EQ(Get("/api/v1/content?language=es&q=lighthouse", h).Json()["total"], 0);
        EXPECT_EQ(Get("/api/v1/content?language=ES", h).status, 400u);
        EXPECT_EQ(Get("/api/v1/content?language=e%27s", h).status, 400u);
    }

    std::string url = "/api/v1/content/" + std::to_string(a);
    auto patched = Call("PATCH", url, R"({"title":"Lighthouse at dusk","visibility":"public"})", h);
    ASSERT_EQ(patched.status, 200u) << patched.body;
    EXPECT_EQ(patched.Json()["title"], "Lighthouse at dusk");
    EXPECT_EQ(patched.Json()["visibility"], "public");
    EXPECT_EQ(Call("PATCH", url, R"({"visibility":"secret"})", h).status, 400u);
    EXPECT_EQ(Call("PATCH", url, R"({"title":""})", h).status, 400u);
    EXPECT_EQ(Call("PATCH", url, R"({"title":7})", h).status, 400u);
    EXPECT_EQ(Call("PATCH", url, R"({"owner_id":7})", h).status, 400u);

    // publish is idempotent: the default channel holds the item once
    for (int i = 0; i < 2; ++i) {
        auto p = Call("POST", url + "/publish", "", h);
        ASSERT_EQ(p.status, 200u) << p.body;
        EXPECT_EQ(p.Json()["published"], true);
    }
    auto main = db_->DefaultPlaylist();
    ASSERT_TRUE(main.ok());
    EXPECT_EQ(std::count(main->items.begin(), main->items.end(), a), 1);
    EXPECT_EQ(Get("/api/v1/content?published=true", h).Json()["total"], 1);
    auto un = Call("DELETE", url + "/publish", "", h);
    EXPECT_EQ(un.Json()["published"], false);
    EXPECT_TRUE(db_->DefaultPlaylist()->items.empty());
    EXPECT_EQ(Call("POST", "/api/v1/content/999/publish", "", h).status, 404u);

    auto assets = Get(url + "/assets", h);
    ASSERT_EQ(assets.status, 200u);
    EXPECT_TRUE(assets.Json()["items"].is_array());

    ASSERT_EQ(Call("POST", url + "/publish", "", h).status, 200u);
    auto del = Call("DELETE", url, "", h);
    EXPECT_EQ(del.status, 204u) << del.body;
    EXPECT_EQ(Get(url, h).status, 404u);
    EXPECT_FALSE(store_->Exists("library/" + std::to_string(a) + "/video.mp4"));
    EXPECT_FALSE(store_->Exists("library/" + std::to_string(a) + "/hls/master.m3u8"));
    EXPECT_TRUE(db_->DefaultPlaylist()->items.empty());
    EXPECT_EQ(Call("DELETE", url, "", h).status, 404u);
    EXPECT_EQ(Get("/api/v1/content/" + std::to_string(b), h).status, 200u);
}

// ---- playlists ----------------------------------------------------------------------------------

class PlaylistTest : public ServerFixture {
protected:
    void Configure(ServerOptions&, ServerDeps& deps) override {
        deps.playlist_changed = [this](std::int64_t id) {
            std::lock_guard lock(mu_);
            changed_.push_back(id);
        };
        deps.channel_now = [this](std::int64_t id) -> core::Result<Json> {
            std::lock_guard lock(mu_);
            asked_now_.push_back(id);
            return Json{{"now", {{"content_id", 77}, {"title", "Channel answer"}}},
                        {"next", Json::array()}};
        };
    }
    std::mutex mu_;
    std::vector<std::int64_t> changed_;
    std::vector<std::int64_t> asked_now_;  // playlist ids the channel was asked about
};

TEST_F(PlaylistTest, CrudWithValidation) {
    auto h = Bearer();
    auto c1 = AddContent(*db_, user_id_, "One", "one");
    auto c2 = AddContent(*db_, user_id_, "Two", "two");

    auto created = Call("POST", "/api/v1/playlists", R"({"title":"Night Owls!"})", h);
    ASSERT_EQ(created.status, 201u) << created.body;
    EXPECT_EQ(created.Json()["slug"], "night-owls");
    EXPECT_EQ(created.Json()["hls_endpoint"], "/live/night-owls/index.m3u8");
    std::int64_t id = created.Json()["id"];
    auto second = Call("POST", "/api/v1/playlists", R"({"title":"Night owls"})", h);
    EXPECT_EQ(second.Json()["slug"], "night-owls-2");
    EXPECT_EQ(Call("POST", "/api/v1/playlists", R"({"title":"X","slug":"night-owls"})", h).status, 409u);
    EXPECT_EQ(Call("POST", "/api/v1/playlists", R"({"title":"X","slug":"Bad Slug"})", h).status, 400u);
    EXPECT_EQ(Call("POST", "/api/v1/playlists", R"({"title":"X","slug":")" + std::string(41, 'a') + "\"}", h)
                  .status,
              400u);
    EXPECT_EQ(Call("POST", "/api/v1/playlists", R"({"slug":"x"})", h).status, 400u);
    EXPECT_EQ(Call("POST", "/api/v1/playlists", R"({"title":"X","colour":1})", h).status, 400u);

    std::string url = "/api/v1/playlists/" + std::to_string(id);
    EXPECT_EQ(Call("PATCH", url, R"({"items":[424242]})", h).status, 400u);
    EXPECT_EQ(Call("PATCH", url, R"({"items":"1,2"})", h).status, 400u);
    EXPECT_EQ(Call("PATCH", url, R"({"loop_mode":"random"})", h).status, 400u);
    EXPECT_EQ(Call("PATCH", url, R"({"active":"yes"})", h).status, 400u);
    EXPECT_EQ(Call("PATCH", url, R"({"scheduled_slots":[{"time":"25:00","days":"daily","content_id":1}]})", h)
                  .status,
              400u);
    EXPECT_EQ(Call("PATCH", url, R"({"scheduled_slots":[{"time":"20:00","days":[7],"content_id":1}]})", h)
                  .status,
              400u);
    EXPECT_EQ(Call("PATCH", url, R"({"scheduled_slots":[{"time":"20:00","days":"daily"}]})", h).status, 400u);

    Json patch = {{"items", {c2, c1}},
                  {"loop_mode", "shuffle"},
                  {"active", false},
                  {"scheduled_slots", {{{"time", "20:00"}, {"days", {5, 1, 1}}, {"content_id", c1}},
                                       {{"time", "06:30"}, {"days", "daily"},
                                        {"playlist_id", second.Json()["id"]}}}}};
    auto p = Call("PATCH", url, patch.dump(), h);
    ASSERT_EQ(p.status, 200u) << p.body;
    EXPECT_EQ(p.Json()["items"], Json({c2, c1}));
    EXPECT_EQ(p.Json()["loop_mode"], "shuffle");
    EXPECT_EQ(p.Json()["active"], false);
    EXPECT_EQ(p.Json()["scheduled_slots"][0]["days"], Json({1, 5}));
    EXPECT_EQ(Get(url, h).Json()["items"], Json({c2, c1}));

    auto ins = Call("POST", url + "/insert", Json{{"content_id", c1}}.dump(), h);
    ASSERT_EQ(ins.status, 200u) << ins.body;
    ASSERT_EQ(ins.Json()["inserts"].size(), 1u);
    EXPECT_EQ(ins.Json()["inserts"][0]["at"], "next");
    auto later = Call("POST", url + "/insert", Json{{"content_id", c2}, {"at", "2099-01-01T21:00:00+01:00"}}.dump(), h);
    ASSERT_EQ(later.status, 200u) << later.body;
    EXPECT_EQ(later.Json()["inserts"][1]["at"], "2099-01-01T20:00:00.000Z");
    EXPECT_EQ(Call("POST", url + "/insert", Json{{"content_id", c2}, {"at", "tomorrow"}}.dump(), h).status, 400u);
    EXPECT_EQ(Call("POST", url + "/insert", Json{{"content_id", c2}, {"at", "2001-01-01T00:00:00Z"}}.dump(), h)
                  .status,
              400u);
    EXPECT_EQ(Call("POST", url + "/insert", Json{{"content_id", 424242}}.dump(), h).status, 400u);

    auto now = Get(url + "/now", h);
    ASSERT_EQ(now.status, 200u);
    EXPECT_EQ(now.Json()["now"]["title"], "Channel answer");  // the channel's own answer
    {
        std::lock_guard lock(mu_);
        EXPECT_EQ(asked_now_, std::vector<std::int64_t>{id});  // about this playlist, once
    }

    auto list = Get("/api/v1/playlists", h);
    EXPECT_GE(list.Json()["items"].size(), 2u);

    EXPECT_EQ(Call("DELETE", url, "", h).status, 204u);
    EXPECT_EQ(Get(url, h).status, 404u);
    EXPECT_EQ(Get(url + "/now", h).status, 404u);
    std::lock_guard lock(mu_);
    EXPECT_EQ(asked_now_.size(), 1u);  // a deleted playlist is not asked about
    EXPECT_GE(std::count(changed_.begin(), changed_.end(), id), 4);
}

}  // namespace
}  // namespace beacon::server::testing

namespace beacon::server::testing {
namespace {

TEST_F(ApiTest, ConcurrentClientsAllGetAnswers) {
    auto h = Bearer();
    ASSERT_EQ(Call("POST", "/api/v1/generate", R"({"prompt":"x"})", h).status, 202u);
    std::atomic<int> ok{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 25; ++i) {
                if (Send(port_, "GET", "/api/v1/jobs/1", "", h).status == 200) ++ok;
            }
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(ok.load(), 200);
}

class StopTest : public ServerFixture {
    void Configure(ServerOptions& o, ServerDeps&) override {
        // Far beyond the test's hang guards: only Stop can end these connections in time.
        o.idle_timeout = std::chrono::hours(1);
        o.ws_ping_interval = std::chrono::hours(1);
    }
};

TEST_F(StopTest, StopClosesOpenConnections) {
    auto h = Bearer();
    WsClient ws(port_, "/api/v1/events", h);
    namespace asio = boost::asio;
    asio::io_context ioc;
    asio::ip::tcp::socket idle(ioc);
    idle.connect({asio::ip::make_address("127.0.0.1"), port_});  // keep-alive, no request yet
    server_->Stop();  // returns (a hang here fails under ctest's timeout)
    // The WebSocket is closed by the server: read within a 30 s hang guard, far below the hour
    // of idle and ping timeouts.
    EXPECT_FALSE(ws.Next(30000));
    EXPECT_TRUE(ws.closed()) << "the WebSocket was not closed by the server";
    ::timeval tv{30, 0};
    ::setsockopt(idle.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char byte;
    const auto n = ::recv(idle.native_handle(), &byte, 1, 0);
    const int err = n < 0 ? errno : 0;
    EXPECT_TRUE(n == 0 || err == ECONNRESET)
        << "the idle connection was not closed by the server (recv " << n << ", errno " << err
        << ")";
    EXPECT_THROW(Send(port_, "GET", "/healthz"), boost::system::system_error);
    server_->Stop();  // idempotent
}

}  // namespace
}  // namespace beacon::server::testing
