#pragma once
/// Internal: the server's implementation, shared by server.cpp (listener, connection
/// accounting, lifecycle), server_http.cpp (HTTP/1.1 sessions and reply writing) and
/// server_websocket.cpp (the events WebSocket and modules' WebSockets).
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>

#include "server/api.hpp"
#include "server/http_util.hpp"
#include "server/server.hpp"

namespace beacon::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

/// A connection's byte stream: plain TCP, or TLS over it.
using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

inline constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
inline constexpr std::chrono::seconds kIoTimeout{30};

/// Descriptors kept free for everything but connections (database, media files, children's
/// pipes): the connection cap never goes above the open-file limit minus this.
inline constexpr std::size_t kReservedDescriptors = 64;

/// One events WebSocket: the bus subscriber pushes serialised events here; the writer drains it.
/// `mu` guards every field but `timer` (strand-only).
struct WsState {
    explicit WsState(const asio::any_io_executor& ex) : executor(ex), timer(ex) {}
    std::mutex mu;
    std::deque<std::pair<std::uint64_t, std::string>> queue;  // seq 0: control message
    std::uint64_t last_sent = 0;
    bool overflow = false;
    bool alive = true;
    bool closing = false;       // a module asked to close after the queued messages
    bool close_policy = false;  // 1008 instead of 1000
    std::string close_reason;
    std::uint64_t sub_id = 0;
    asio::any_io_executor executor;
    asio::steady_timer timer;

    /// Wakes the writer (posted to the connection's strand).
    void Wake(const std::shared_ptr<WsState>& self) {
        asio::post(executor, [self] { self->timer.cancel(); });
    }
};

class Server::Impl {
public:
    Impl(ServerDeps deps, ServerOptions options);

    ~Impl() { Stop(); }

    core::Status Start();

    void Stop();

    /// See Server::ReloadTls.
    core::Status ReloadTls();

    std::uint16_t port() const { return port_; }
    std::vector<RouteInfo> Routes() const { return api_.Routes(); }

private:
    // Coroutine hygiene for GCC 12: objects with destructors are never created as temporaries
    // inside a co_await expression (GCC 12 may destroy such temporaries twice). Lambdas and
    // arguments are named locals, passed by reference to the awaited coroutine.

    /// Runs f() on the blocking pool and resumes on the caller's strand with its result. f must
    /// be a named local that outlives the co_await.
    template <class F>
    asio::awaitable<std::invoke_result_t<F&>> RunOnPool(F& f) {
        co_return co_await RunOn(pool_, f);
    }
    template <class F>
    asio::awaitable<std::invoke_result_t<F&>> RunOn(asio::thread_pool& pool, F& f) {
        using R = std::invoke_result_t<F&>;
        auto task = [&f]() -> asio::awaitable<R> { co_return f(); };
        co_return co_await asio::co_spawn(pool, task, asio::use_awaitable);
    }

    /// Closes the connection that has waited longest for a request (conn_mu_ held). False when
    /// no connection is idle.
    bool ShedIdleLocked();

    /// Answers 503 on a connection over the cap, without reading from it, and closes it.
    template <class Socket>
    static void RefuseBusy(Socket& socket) {
        static const std::string kBusy = [] {
            std::string body = ErrorJson("unavailable",
                                         "the server is at its connection limit; try again");
            return "HTTP/1.1 503 Service Unavailable\r\nServer: beacon\r\n"
                   "Content-Type: application/json\r\nRetry-After: 1\r\nConnection: close\r\n"
                   "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
        }();
        [[maybe_unused]] auto sent =
            ::send(socket.native_handle(), kBusy.data(), kBusy.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
        boost::system::error_code ec;
        socket.close(ec);
    }

    asio::awaitable<void> Accept();

    /// A live connection's idle mark, written by its own thread without a lock (twice per
    /// request) and read by ShedIdleLocked: 0 busy, kShed once shed, otherwise the steady
    /// clock's nanoseconds when it began waiting for its next request.
    struct ConnState {
        static constexpr std::int64_t kShed = -1;
        std::atomic<std::int64_t> idle_since{0};
    };
    static std::int64_t IdleStamp();

    /// Marks a connection as waiting for its next request (sheddable) or busy; a shed one
    /// stays shed.
    static void SetIdle(ConnState& conn, bool idle);

    static void SetCommonHeaders(http::fields& f);

    /// The status line and header fields of a reply, as Beast would write them.
    static std::string HeadOf(const Reply& reply, unsigned version, bool keep_alive,
                              bool with_content_type, std::uint64_t content_length,
                              bool with_length);

    /// Writes the buffers: at once when the socket takes them (the usual case: one writev,
    /// no suspension), the rest when it becomes writable. False when the connection failed.
    asio::awaitable<bool> WriteAll(beast::tcp_stream& stream, std::string_view first,
                                   std::string_view second, bool more);

    /// Writes a reply; false when the connection failed. Over TLS every reply carries HSTS and
    /// files are read and written in chunks (no sendfile).
    template <class Stream>
    asio::awaitable<bool> WriteReply(Stream& stream, unsigned version, bool head,
                                     bool keep_alive, Reply& reply);
    /// A file body over TLS: the head, then the file read in chunks.
    asio::awaitable<bool> WriteFileTls(TlsStream& stream, const std::string& head, int fd,
                                       std::uint64_t offset, std::uint64_t length);

    /// An endless body (e.g. /live/<slug>/stream.ts): no length, chunks as the producer makes
    /// them, each written before the next is asked for (back-pressure), then the connection
    /// closes. Always returns false (the connection is done).
    template <class Stream>
    asio::awaitable<bool> WriteStream(Stream& stream, unsigned version, bool head, Reply& reply);

    /// Zero-copy body: sendfile(2) from the file to the socket, waiting for writability.
    asio::awaitable<bool> SendFile(beast::tcp_stream& stream, int fd, std::uint64_t offset,
                                   std::uint64_t length);

    /// Answers an error and closes (after a protocol error or an oversized body).
    // Callers pass named strings: GCC 12 mis-destroys some temporaries in co_await expressions.
    template <class Stream>
    asio::awaitable<void> FailAndClose(Stream& stream, unsigned status,
                                       const std::string& code, const std::string& message,
                                       bool drain);

    /// Tracks a live connection (its fd, for Stop) or a helper coroutine (fd -1).
    struct ConnectionGuard {
        Impl* self;
        int fd;
        ~ConnectionGuard() {
            std::lock_guard lock(self->conn_mu_);
            if (fd >= 0) {
                self->conn_fds_.erase(fd);
                self->conn_state_.erase(fd);
                self->shed_fds_.erase(fd);
            }
            if (--self->active_ == 0) self->conn_cv_.notify_all();
        }
    };

    /// One connection from accept to close. `tls` set: TLS with that context (held for the
    /// connection's life; a reload swaps in a new one for later connections).
    asio::awaitable<void> Session(tcp::socket socket, std::shared_ptr<asio::ssl::context> tls,
                                  std::shared_ptr<ConnState> conn);
    /// The request loop over an established stream; `buffer` holds bytes already read.
    template <class Stream>
    asio::awaitable<void> Serve(Stream& stream, ConnState& conn, const std::string& client,
                                beast::flat_buffer& buffer);
    /// The TLS context from options_.tls_cert/tls_key.
    core::Result<std::shared_ptr<asio::ssl::context>> LoadTls() const;
    /// The context new connections use; null without TLS.
    std::shared_ptr<asio::ssl::context> CurrentTls();

    /// Runs a password-hashing handler on its own bounded pool: argon2 never occupies the
    /// threads that serve everything else, and a flood beyond the queue gets 503 at once.
    template <class F>
    asio::awaitable<Reply> HandleOnPasswordPool(F& handle) {
        const std::size_t limit = static_cast<std::size_t>(std::max(1, options_.password_threads)) +
                                  options_.password_queue;
        bool admitted = false;
        {
            std::lock_guard lock(conn_mu_);
            if (password_inflight_ < limit) {
                ++password_inflight_;
                admitted = true;
            }
        }
        if (!admitted) {
            Reply busy = Api::Error(503, "unavailable",
                                    "too many sign-in requests at once; try again in a moment");
            busy.AddHeader("Retry-After", "1");
            co_return busy;
        }
        struct Release {
            Impl* self;
            ~Release() {
                std::lock_guard lock(self->conn_mu_);
                --self->password_inflight_;
            }
        } release{this};
        co_return co_await RunOn(password_pool_, handle);
    }

    /// RFC 9112 §6.3 and §3.2: a request whose body length cannot be known for certain, or
    /// without exactly one Host, is refused (and the connection closed) so that nothing of it
    /// is read as a second request. A message when refused.
    static std::optional<std::string> CheckFraming(const http::request_parser<http::string_body>::value_type& h);

    // ---- events WebSocket ------------------------------------------------------------------

    void Replay(const std::shared_ptr<WsState>& state, std::uint64_t after);

    /// Drains the queue into the socket until the reader ends (alive = false) or the client falls
    /// too far behind. Runs as its own coroutine on the connection's strand.
    template <class WebSocket>
    static asio::awaitable<void> WsWriter(std::shared_ptr<WebSocket> ws,
                                          std::shared_ptr<WsState> state, Impl* self);

    /// Takes over the connection (stream is moved from) for the events WebSocket.
    template <class Stream>
    asio::awaitable<void> ServeWebSocket(Stream& stream, Request& req);

    /// Takes over the connection for a module's WebSocket (ServerDeps::sockets).
    template <class Stream>
    asio::awaitable<void> ServeExtensionSocket(Stream& stream, Request& req,
                                               const ExtensionSocket& sock);

    ServerDeps deps_;
    ServerOptions options_;
    Api api_;
    std::mutex ws_mu_;
    std::set<std::shared_ptr<WsState>> ws_;
    std::mutex conn_mu_;  // guards the connection fields below
    std::condition_variable conn_cv_;
    std::set<int> conn_fds_;  // sockets of live connections (shut down by Stop)
    std::map<int, std::shared_ptr<ConnState>> conn_state_;  // idle marks of live connections
    std::set<int> shed_fds_;  // shut down to make room, not yet ended
    std::size_t max_connections_ = 1;
    std::size_t password_inflight_ = 0;  // password requests running or queued
    int active_ = 0;          // live connection and writer coroutines
    bool conn_stopping_ = false;
    bool started_ = false;
    bool stopped_ = false;
    std::atomic<std::uint16_t> port_{0};
    std::mutex tls_mu_;
    /// Shared: each TLS connection keeps the context it began with while a reload (another
    /// thread) replaces this one.
    std::shared_ptr<asio::ssl::context> tls_;
    asio::thread_pool pool_;  // joined before iocs_ are reset: its completions post into them
    asio::thread_pool password_pool_;  // argon2 only (see HandleOnPasswordPool)
    /// One per network thread, after what their coroutines touch; reset by Stop().
    std::vector<std::unique_ptr<asio::io_context>> iocs_;
    std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards_;
    std::size_t next_context_ = 0;  // Accept's only
    std::optional<tcp::acceptor> acceptor_;
    std::vector<std::thread> threads_;
};

}  // namespace beacon::server
