#include "server_test_client.hpp"

#include <sys/socket.h>
#include <sys/time.h>

#include <atomic>
#include <fstream>
#include <random>

#include <boost/asio/connect.hpp>
#include <boost/beast/http.hpp>

#include "server/auth.hpp"

namespace beacon::server::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

void SetReadTimeout(tcp::socket& s, int ms) {
    timeval tv{ms / 1000, (ms % 1000) * 1000};
    ::setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

HttpResult ReadResponse(tcp::socket& socket, beast::flat_buffer& buffer, bool head) {
    HttpResult out;
    http::response_parser<http::string_body> parser;
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    parser.skip(head);
    beast::error_code ec;
    http::read(socket, buffer, parser, ec);
    if (ec && !parser.is_header_done()) return out;
    auto& res = parser.get();
    out.status = res.result_int();
    for (const auto& f : res) {
        std::string name(f.name_string());
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        auto& slot = out.headers[name];
        slot += (slot.empty() ? "" : "\n") + std::string(f.value());
    }
    out.body = res.body();
    return out;
}

}  // namespace

HttpResult Send(std::uint16_t port, const std::string& method, const std::string& target,
                const std::string& body, const Headers& headers) {
    asio::io_context ioc;
    tcp::socket socket(ioc);
    socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    SetReadTimeout(socket, 20000);
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
    for (const auto& [k, v] : headers) req.set(k, v);
    req.body() = body;
    if (!body.empty() || method == "POST" || method == "PATCH" || method == "PUT") {
        req.prepare_payload();
        if (!body.empty() && req.find(http::field::content_type) == req.end()) {
            req.set(http::field::content_type, "application/json");
        }
    }
    http::write(socket, req);
    beast::flat_buffer buffer;
    return ReadResponse(socket, buffer, method == "HEAD");
}

HttpResult SendRaw(std::uint16_t port, const std::string& raw) {
    asio::io_context ioc;
    tcp::socket socket(ioc);
    socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    SetReadTimeout(socket, 20000);
    beast::error_code ec;
    asio::write(socket, asio::buffer(raw), ec);
    beast::flat_buffer buffer;
    return ReadResponse(socket, buffer, false);
}

WsClient::WsClient(std::uint16_t port, const std::string& target, const Headers& headers)
    : ws_(ioc_) {
    ws_.next_layer().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    ws_.set_option(beast::websocket::stream_base::decorator(
        [headers](beast::websocket::request_type& req) {
            for (const auto& [k, v] : headers) req.set(k, v);
        }));
    ws_.handshake("127.0.0.1:" + std::to_string(port), target);
}

std::optional<core::Json> WsClient::Next(int timeout_ms) {
    SetReadTimeout(ws_.next_layer(), timeout_ms);
    beast::flat_buffer buffer;
    beast::error_code ec;
    ws_.read(buffer, ec);
    if (ec) {
        if (ec == beast::websocket::error::closed || ec == asio::error::eof ||
            ec == asio::error::connection_reset || ec == asio::error::broken_pipe) {
            closed_ = true;
            close_code_ = ws_.reason().code;
        }
        return std::nullopt;
    }
    return core::Json::parse(beast::buffers_to_string(buffer.data()), nullptr, false);
}

void WsClient::Send(const std::string& text) { ws_.write(asio::buffer(text)); }

void ServerFixture::SetUp() {
    static std::atomic<int> counter{0};
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() /
           ("beacon-server-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) +
            "-" + std::to_string(rd()));
    std::filesystem::create_directories(dir_ / "web" / "assets");
    std::ofstream(dir_ / "web" / "index.html") << "<!doctype html><title>Beacon</title>";
    std::ofstream(dir_ / "web" / "assets" / "app-1a2b3c.js") << "console.log('beacon')";
    std::ofstream(dir_ / "secret.txt") << "TOP SECRET";
    auto db = storage::OpenSqlite((dir_ / "beacon.db").string());
    ASSERT_TRUE(db.ok()) << db.error().message;
    db_ = std::move(*db);
    auto store = storage::OpenFilesystemStore(dir_ / "media");
    ASSERT_TRUE(store.ok()) << store.error().message;
    store_ = std::move(*store);
    ServerOptions options;
    options.listen = {"127.0.0.1", 0};
    options.web_root = dir_ / "web";
    options.max_body_bytes = 64 * 1024;
    options.threads = 2;
    options.blocking_threads = 2;
    options.password_params = PasswordParams{1, 1024, 1};  // cheap hashes keep tests fast
    ServerDeps deps{*db_, *store_, events_};
    Configure(options, deps);
    server_ = std::make_unique<Server>(deps, options);
    auto st = server_->Start();
    ASSERT_TRUE(st.ok()) << st.error().message;
    port_ = server_->port();
    ASSERT_NE(port_, 0);
}

void ServerFixture::TearDown() {
    if (server_) server_->Stop();
    server_.reset();
    store_.reset();
    db_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
}

void ServerFixture::SetUpPassword(const std::string& password) {
    auto r = Call("POST", "/api/v1/auth/setup", core::Json{{"password", password}}.dump());
    ASSERT_EQ(r.status, 200u) << r.body;
    std::string set_cookie = r.Header("set-cookie");
    cookie_ = set_cookie.substr(0, set_cookie.find(';'));
    csrf_ = r.Json()["csrf_token"].get<std::string>();
    user_id_ = r.Json()["user"]["id"].get<std::int64_t>();
}

Headers ServerFixture::Bearer() {
    if (token_.empty()) {
        if (user_id_ == 0) {
            auto u = db_->GetOrCreateUser("admin");
            EXPECT_TRUE(u.ok());
            user_id_ = u->id;
        }
        token_ = NewApiToken();
        auto t = db_->CreateToken(user_id_, "tests", HashToken(token_));
        EXPECT_TRUE(t.ok());
    }
    return {{"Authorization", "Bearer " + token_}};
}

Headers ServerFixture::Cookie(bool with_csrf) const {
    Headers h{{"Cookie", cookie_}};
    if (with_csrf) h.emplace_back("X-CSRF-Token", csrf_);
    return h;
}

}  // namespace beacon::server::testing
