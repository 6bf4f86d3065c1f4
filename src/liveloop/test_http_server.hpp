#pragma once
/// A tiny HTTP/1.1 server for LiveLoop's integration tests and benchmark: /live/* goes to a
/// LiveLoopService, /media/<key> serves object-store files. One thread per connection.
/// Test-only; the product's server lives in src/server.
#include <atomic>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast.hpp>

#include "liveloop/service.hpp"
#include "storage/object_store.hpp"

namespace beacon::liveloop::testing {

class TinyServer {
public:
    TinyServer(LiveLoopService& svc, storage::ObjectStore& store)
        : svc_(svc), store_(store), acceptor_(ioc_) {
        namespace asio = boost::asio;
        asio::ip::tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
        acceptor_.open(ep.protocol());
        acceptor_.set_option(asio::socket_base::reuse_address(true));
        acceptor_.bind(ep);
        acceptor_.listen();
        port_ = acceptor_.local_endpoint().port();
        accept_thread_ = std::thread([this] { AcceptLoop(); });
    }
    ~TinyServer() {
        stop_ = true;
        try {
            boost::asio::io_context ioc;
            boost::asio::ip::tcp::socket s(ioc);
            s.connect({boost::asio::ip::make_address("127.0.0.1"), port_});
        } catch (...) {
        }
        accept_thread_.join();
        std::lock_guard lock(mu_);
        for (auto& t : workers_) t.join();
    }
    unsigned short port() const { return port_; }
    std::string base() const { return "http://127.0.0.1:" + std::to_string(port_); }
    /// Requests answered so far.
    long requests() const { return requests_.load(); }

private:
    void AcceptLoop() {
        while (!stop_) {
            boost::asio::ip::tcp::socket socket(ioc_);
            boost::system::error_code ec;
            acceptor_.accept(socket, ec);
            if (ec || stop_) break;
            std::lock_guard lock(mu_);
            workers_.emplace_back([this, s = std::move(socket)]() mutable { Serve(std::move(s)); });
        }
    }

    void Serve(boost::asio::ip::tcp::socket socket) {
        namespace http = boost::beast::http;
        boost::beast::flat_buffer buffer;
        while (true) {
            http::request<http::string_body> req;
            boost::system::error_code ec;
            http::read(socket, buffer, req, ec);
            if (ec) break;
            http::response<http::string_body> res;
            res.version(req.version());
            res.keep_alive(req.keep_alive());
            std::string target(req.target());
            std::string query;
            if (auto q = target.find('?'); q != std::string::npos) {
                query = target.substr(q + 1);
                target.resize(q);
            }
            if (target.rfind("/live/", 0) == 0) {
                auto a = svc_.Handle(target.substr(6), query, true, "", base());
                if (a.stream && a.status == 200) {
                    // An endless body: chunks until the client goes away, then close.
                    const std::string head = "HTTP/1.1 200 OK\r\nContent-Type: " +
                                             a.content_type + "\r\nConnection: close\r\n\r\n";
                    boost::asio::write(socket, boost::asio::buffer(head), ec);
                    ++requests_;
                    while (!ec && !stop_) {
                        StreamChunk c = a.stream();
                        if (c.end) break;
                        if (!c.bytes.empty()) boost::asio::write(socket, boost::asio::buffer(c.bytes), ec);
                        if (c.wait_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(c.wait_ms));
                    }
                    break;
                }
                res.result(a.status);
                res.set(http::field::content_type, a.content_type);
                res.set(http::field::cache_control, a.cache_control);
                res.body() = std::move(a.body);
            } else if (target.rfind("/media/", 0) == 0 &&
                       storage::IsValidKey(target.substr(7)) && store_.Exists(target.substr(7))) {
                std::ifstream in(store_.LocalPath(target.substr(7)), std::ios::binary);
                std::stringstream ss;
                ss << in.rdbuf();
                res.result(200);
                const bool vtt = target.ends_with(".vtt");
                res.set(http::field::content_type, vtt ? "text/vtt" : "video/mp2t");
                res.set(http::field::cache_control, "public, max-age=31536000, immutable");
                res.body() = ss.str();
            } else {
                res.result(404);
                res.body() = "not found\n";
            }
            res.set(http::field::access_control_allow_origin, "*");
            res.prepare_payload();
            ++requests_;
            http::write(socket, res, ec);
            if (ec || !req.keep_alive()) break;
        }
        boost::system::error_code ignored;
        socket.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
    }

    LiveLoopService& svc_;
    storage::ObjectStore& store_;
    boost::asio::io_context ioc_;
    boost::asio::ip::tcp::acceptor acceptor_;
    unsigned short port_ = 0;
    std::atomic<bool> stop_{false};
    std::atomic<long> requests_{0};
    std::thread accept_thread_;
    std::mutex mu_;
    std::vector<std::thread> workers_;
};

}  // namespace beacon::liveloop::testing
