#pragma once
// A small synchronous HTTP/WebSocket client (Boost.Beast) and a fixture that runs a real server
// on 127.0.0.1 with a real SQLite database and object store in a temporary directory.
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <gtest/gtest.h>

#include "core/model.hpp"
#include "jobs/event_bus.hpp"
#include "server/server.hpp"
#include "storage/database.hpp"
#include "storage/object_store.hpp"

namespace beacon::server::testing {

struct HttpResult {
    unsigned status = 0;
    std::map<std::string, std::string> headers;  // lowercase names; repeated names joined by "\n"
    std::string body;
    std::string Header(const std::string& lower_name) const {
        auto it = headers.find(lower_name);
        return it == headers.end() ? std::string() : it->second;
    }
    core::Json Json() const { return core::Json::parse(body, nullptr, false); }
    std::string ErrorCode() const {
        auto j = Json();
        return j.is_object() && j.contains("error") ? j["error"].value("code", "") : "";
    }
};

using Headers = std::vector<std::pair<std::string, std::string>>;

/// Sends one request on a fresh connection.
HttpResult Send(std::uint16_t port, const std::string& method, const std::string& target,
                const std::string& body = "", const Headers& headers = {});
/// Writes raw bytes and reads one response (or status 0 when the server closed without one).
HttpResult SendRaw(std::uint16_t port, const std::string& raw);

/// A WebSocket client with a read timeout.
class WsClient {
public:
    /// Connects and upgrades; throws boost::system::system_error on failure.
    WsClient(std::uint16_t port, const std::string& target, const Headers& headers);
    /// The next text message, or nullopt after `timeout_ms` or on close.
    std::optional<core::Json> Next(int timeout_ms = 10000);
    void Send(const std::string& text);
    /// True once the server ended the connection (close frame, end of stream or reset).
    bool closed() const { return closed_; }
    /// The code of the server's close frame (0 when it sent none).
    int close_code() const { return close_code_; }

private:
    bool closed_ = false;
    int close_code_ = 0;
    boost::asio::io_context ioc_;
    boost::beast::websocket::stream<boost::asio::ip::tcp::socket> ws_;
};

/// A running server on a temporary data directory.
class ServerFixture : public ::testing::Test {
protected:
    void SetUp() override;
    void TearDown() override;
    /// Override to change options or hooks before the server starts.
    virtual void Configure(ServerOptions&, ServerDeps&) {}

    HttpResult Get(const std::string& target, const Headers& h = {}) { return Send(port_, "GET", target, "", h); }
    HttpResult Call(const std::string& method, const std::string& target, const std::string& body = "",
                    Headers h = {}) {
        return Send(port_, method, target, body, h);
    }
    /// Sets up the password through the API; remembers cookie and CSRF token.
    void SetUpPassword(const std::string& password = "correct horse battery");
    /// Creates an API token through the database; returns "Authorization: Bearer" header list.
    Headers Bearer();
    Headers Cookie(bool with_csrf) const;
    bool Healthy() { return Get("/healthz").status == 200; }

    std::filesystem::path dir_;
    std::unique_ptr<storage::Database> db_;
    std::unique_ptr<storage::ObjectStore> store_;
    jobs::EventBus events_;
    std::unique_ptr<Server> server_;
    std::uint16_t port_ = 0;
    std::string cookie_;  // "beacon_session=..."
    std::string csrf_;
    std::string token_;
    std::int64_t user_id_ = 0;
};

}  // namespace beacon::server::testing
