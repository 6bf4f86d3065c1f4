#include "server/server.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <cerrno>
#include <cstdio>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include "jobs/event_bus.hpp"
#include "server/api.hpp"
#include "server/http_util.hpp"

namespace beacon::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::chrono::seconds kIoTimeout{30};

/// Descriptors kept free for everything but connections (database, media files, children's
/// pipes): the connection cap never goes above the open-file limit minus this.
constexpr std::size_t kReservedDescriptors = 64;

/// Marks a descriptor close-on-exec: children (ffmpeg, tools) never inherit sockets.
void SetCloseOnExec(int fd) {
    int flags = ::fcntl(fd, F_GETFD);
    if (flags >= 0) ::fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}

/// True when the paths hash a password (login, setup, password change): these run on their
/// own bounded pool.
bool HashesPassword(const Request& req) {
    return req.method == "POST" &&
           (req.raw_path == "/api/v1/auth/login" || req.raw_path == "/api/v1/auth/setup" ||
            req.raw_path == "/api/v1/auth/password");
}

/// Checks an upgrade request the way RFC 6455 §4.2.1 asks, so that a bad handshake gets the
/// JSON error shape rather than Beast's plain-text answer. Empty when acceptable.
std::optional<Reply> CheckWebSocketHandshake(const Request& req) {
    if (req.msg.version() != 11) {
        return Api::Error(400, "invalid_argument", "a WebSocket handshake must use HTTP/1.1");
    }
    std::string version(req.Header(http::field::sec_websocket_version));
    if (version != "13") {
        Reply r = Api::Error(426, "upgrade_required",
                             "unsupported Sec-WebSocket-Version '" + version + "': use 13");
        r.AddHeader("Sec-WebSocket-Version", "13");
        return r;
    }
    std::string key(req.Header(http::field::sec_websocket_key));
    bool key_ok = key.size() == 24 && key.ends_with("==");
    for (std::size_t i = 0; key_ok && i < 22; ++i) {
        char c = key[i];
        key_ok = std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/';
    }
    if (!key_ok) {
        return Api::Error(400, "invalid_argument",
                          "missing or malformed Sec-WebSocket-Key (base64 of 16 bytes)");
    }
    return std::nullopt;
}

/// True for errors of Beast's HTTP parser (malformed requests), not transport errors.
bool IsHttpParseError(const boost::system::error_code& ec) {
    return ec.category() == http::make_error_code(http::error::end_of_stream).category();
}

/// One events WebSocket: the bus subscriber pushes serialised events here; the writer drains it.
/// `mu` guards every field but `timer` (strand-only).
struct WsState {
    explicit WsState(asio::any_io_executor ex) : executor(ex), timer(ex) {}
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

}  // namespace

class Server::Impl {
public:
    Impl(ServerDeps deps, ServerOptions options)
        : deps_(std::move(deps)),
          options_(std::move(options)),
          api_(deps_, options_),
          pool_(static_cast<std::size_t>(std::max(1, options_.blocking_threads))),
          password_pool_(static_cast<std::size_t>(std::max(1, options_.password_threads))) {
        // One context per network thread: a connection lives on one thread from accept to
        // close, and threads never contend for one scheduler queue.
        for (int i = 0; i < std::max(1, options_.threads); ++i) {
            iocs_.push_back(std::make_unique<asio::io_context>(1));
        }
    }

    ~Impl() { Stop(); }

    core::Status Start() {
        if (started_) return core::Error::Conflict("the server is already started");
        boost::system::error_code ec;
        std::string host = options_.host == "localhost" ? "127.0.0.1" : options_.host;
        if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
            host = host.substr(1, host.size() - 2);
        }
        auto addr = asio::ip::make_address(host, ec);
        if (ec) {
            return core::Error::Invalid("cannot listen on '" + options_.host +
                                        "': not an IP address (use e.g. 127.0.0.1 or 0.0.0.0)");
        }
        tcp::endpoint ep(addr, options_.port);
        std::string where = options_.host + ":" + std::to_string(options_.port);
        acceptor_.emplace(asio::make_strand(*iocs_.front()));
        if (acceptor_->open(ep.protocol(), ec); ec) {
            return core::Error::Unavailable("cannot listen on " + where + ": " + ec.message(), false);
        }
        SetCloseOnExec(acceptor_->native_handle());
        acceptor_->set_option(asio::socket_base::reuse_address(true), ec);
        if (acceptor_->bind(ep, ec); ec) {
            return core::Error::Unavailable("cannot listen on " + where + ": " + ec.message(), false);
        }
        if (acceptor_->listen(asio::socket_base::max_listen_connections, ec); ec) {
            return core::Error::Unavailable("cannot listen on " + where + ": " + ec.message(), false);
        }
        port_ = acceptor_->local_endpoint().port();
        if (!addr.is_loopback()) {
            std::fprintf(stderr,
                         "beacon: warning: listening on %s:%u, reachable beyond this machine. "
                         "Anyone on the network can reach the login page; use a strong password "
                         "and TLS in front (public_url https://...).\n",
                         addr.to_string().c_str(), static_cast<unsigned>(port_));
        }
        max_connections_ = std::max<std::size_t>(1, options_.max_connections);
        if (rlimit lim{}; ::getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY) {
            auto fds = static_cast<std::size_t>(lim.rlim_cur);
            std::size_t room = fds > 2 * kReservedDescriptors ? fds - kReservedDescriptors : fds / 2;
            max_connections_ = std::max<std::size_t>(1, std::min(max_connections_, room));
        }
        asio::co_spawn(acceptor_->get_executor(), Accept(), asio::detached);
        started_ = true;
        for (auto& ioc : iocs_) {
            guards_.push_back(asio::make_work_guard(*ioc));
            threads_.emplace_back([ctx = ioc.get()] { ctx->run(); });
        }
        return {};
    }

    void Stop() {
        {
            std::lock_guard lock(ws_mu_);
            if (!started_ || stopped_) return;
            stopped_ = true;
            for (const auto& ws : ws_) {
                std::lock_guard state_lock(ws->mu);
                ws->alive = false;
            }
            for (const auto& ws : ws_) deps_.events.Unsubscribe(ws->sub_id);
        }
        // Graceful: stop accepting, shut every connection down (their coroutines see the end of
        // the stream and finish), wait for them, then stop the threads.
        asio::post(acceptor_->get_executor(), [this] {
            boost::system::error_code ec;
            acceptor_->close(ec);
        });
        {
            std::unique_lock lock(conn_mu_);
            conn_stopping_ = true;
            for (int fd : conn_fds_) ::shutdown(fd, SHUT_RDWR);
            conn_cv_.wait_for(lock, std::chrono::seconds(5), [this] { return active_ == 0; });
        }
        for (auto& ioc : iocs_) ioc->stop();
        for (auto& t : threads_) t.join();
        threads_.clear();
        pool_.join();
        password_pool_.join();
        // Destroying the context destroys the suspended connection coroutines, which closes
        // their sockets (clients see the connection end) and runs their clean-ups.
        acceptor_.reset();
        guards_.clear();
        iocs_.clear();
    }

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
    bool ShedIdleLocked() {
        auto oldest = idle_since_.end();
        for (auto it = idle_since_.begin(); it != idle_since_.end(); ++it) {
            if (oldest == idle_since_.end() || it->second < oldest->second) oldest = it;
        }
        if (oldest == idle_since_.end()) return false;
        ::shutdown(oldest->first, SHUT_RDWR);  // its read fails and the session ends
        shed_fds_.insert(oldest->first);
        idle_since_.erase(oldest);
        return true;
    }

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

    asio::awaitable<void> Accept() {
        asio::steady_timer backoff(acceptor_->get_executor());
        constexpr std::chrono::milliseconds kMinDelay{10}, kMaxDelay{1000};
        auto delay = kMinDelay;
        for (;;) {
            // Connections are dealt to the network threads in turn.
            asio::io_context& target = *iocs_[next_context_++ % iocs_.size()];
            auto [ec, socket] = co_await acceptor_->async_accept(asio::make_strand(target), kUseTuple);
            if (ec) {
                if (ec == asio::error::operation_aborted || !acceptor_->is_open()) co_return;
                // Out of descriptors (EMFILE, ENFILE) or buffers: retrying at once would spin
                // (the listening socket stays readable). Close the connection idle longest to
                // make room, and wait a little longer each time nothing frees up.
                bool exhausted = ec == asio::error::no_descriptors || ec.value() == ENFILE ||
                                 ec == asio::error::no_buffer_space ||
                                 ec == asio::error::no_memory;
                bool shed = false;
                if (exhausted) {
                    std::lock_guard lock(conn_mu_);
                    shed = ShedIdleLocked();
                }
                backoff.expires_after(shed ? kMinDelay : delay);
                co_await backoff.async_wait(kUseTuple);
                if (!shed) delay = std::min(delay * 2, kMaxDelay);
                continue;
            }
            delay = kMinDelay;
            SetCloseOnExec(socket.native_handle());
            {
                // Replies are written whole (headers and body in one writev, or headers held
                // back with MSG_MORE before sendfile): Nagle would only delay their last bytes.
                boost::system::error_code ignored;
                socket.set_option(tcp::no_delay(true), ignored);
                socket.native_non_blocking(true, ignored);
            }
            bool over = false;
            {
                std::lock_guard lock(conn_mu_);
                if (conn_stopping_) co_return;
                if (conn_fds_.size() - shed_fds_.size() >= max_connections_ && !ShedIdleLocked()) {
                    over = true;
                } else {
                    ++active_;  // counted here so Stop waits for it even before it first runs
                    conn_fds_.insert(socket.native_handle());
                    idle_since_[socket.native_handle()] = std::chrono::steady_clock::now();
                }
            }
            if (over) {
                RefuseBusy(socket);
                continue;
            }
            auto ex = socket.get_executor();
            asio::co_spawn(ex, Session(tcp::socket(std::move(socket))), asio::detached);
        }
    }

    /// Marks a connection as waiting for its next request (sheddable) or busy.
    void SetIdle(int fd, bool idle) {
        std::lock_guard lock(conn_mu_);
        if (shed_fds_.contains(fd)) return;
        if (idle) {
            idle_since_[fd] = std::chrono::steady_clock::now();
        } else {
            idle_since_.erase(fd);
        }
    }

    static void SetCommonHeaders(http::fields& f) {
        f.set(http::field::server, "beacon");
        f.set("X-Content-Type-Options", "nosniff");
        f.set("Referrer-Policy", "same-origin");
    }

    /// The status line and header fields of a reply, as Beast would write them.
    static std::string HeadOf(const Reply& reply, unsigned version, bool keep_alive,
                              bool with_content_type, std::uint64_t content_length,
                              bool with_length) {
        std::string h;
        h.reserve(256);
        h += version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
        h += std::to_string(reply.status);
        h += ' ';
        h += http::obsolete_reason(static_cast<http::status>(reply.status));
        h += "\r\nServer: beacon\r\nX-Content-Type-Options: nosniff\r\n"
             "Referrer-Policy: same-origin\r\n";
        auto field = [&h](std::string_view name, std::string_view value) {
            // Values come from this program; a line break would end the header block.
            if (name.find_first_of("\r\n:") != std::string_view::npos ||
                value.find_first_of("\r\n") != std::string_view::npos) {
                return;
            }
            h += name;
            h += ": ";
            h += value;
            h += "\r\n";
        };
        if (with_content_type && !reply.content_type.empty()) field("Content-Type", reply.content_type);
        for (const auto& [k, v] : reply.headers) field(k, v);
        if (version == 10 && keep_alive) h += "Connection: keep-alive\r\n";
        if (version != 10 && !keep_alive) h += "Connection: close\r\n";
        if (with_length) {
            h += "Content-Length: ";
            h += std::to_string(content_length);
            h += "\r\n";
        }
        h += "\r\n";
        return h;
    }

    /// Writes the buffers: at once when the socket takes them (the usual case: one writev,
    /// no suspension), the rest when it becomes writable. False when the connection failed.
    asio::awaitable<bool> WriteAll(beast::tcp_stream& stream, std::string_view first,
                                   std::string_view second, bool more) {
        std::array<iovec, 2> iov{iovec{const_cast<char*>(first.data()), first.size()},
                                 iovec{const_cast<char*>(second.data()), second.size()}};
        std::size_t total = first.size() + second.size();
        std::size_t done = 0;
        const int fd = stream.socket().native_handle();
        for (;;) {
            msghdr msg{};
            std::size_t skip = done;
            std::array<iovec, 2> left{};
            std::size_t n_left = 0;
            for (const auto& v : iov) {
                if (skip >= v.iov_len) {
                    skip -= v.iov_len;
                    continue;
                }
                left[n_left++] = iovec{static_cast<char*>(v.iov_base) + skip, v.iov_len - skip};
                skip = 0;
            }
            msg.msg_iov = left.data();
            msg.msg_iovlen = n_left;
            ssize_t n = ::sendmsg(fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT | (more ? MSG_MORE : 0));
            if (n >= 0) {
                done += static_cast<std::size_t>(n);
                if (done == total) co_return true;
                continue;
            }
            if (errno == EINTR) continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK) co_return false;
            break;
        }
        // The socket is full: the rest through asio, which waits for writability (timeout set
        // by the caller on the stream). The caller keeps the bytes alive until this returns.
        std::array<asio::const_buffer, 2> rest{};
        if (done < first.size()) {
            rest[0] = asio::buffer(first.data() + done, first.size() - done);
            rest[1] = asio::buffer(second.data(), second.size());
        } else {
            const std::size_t skip = done - first.size();
            rest[0] = asio::buffer(second.data() + skip, second.size() - skip);
        }
        auto [ec, n] = co_await asio::async_write(stream, rest, kUseTuple);
        co_return !ec;
    }

    /// Writes a reply; false when the connection failed.
    asio::awaitable<bool> WriteReply(beast::tcp_stream& stream, unsigned version, bool head,
                                     bool keep_alive, Reply& reply) {
        stream.expires_after(kIoTimeout);
        if (reply.stream && reply.status == 200) co_return co_await WriteStream(stream, version, head, reply);
        if (reply.file.valid() && reply.status != 304) {
            std::string h = HeadOf(reply, version, keep_alive, true, reply.file_length, true);
            // Headers held back (MSG_MORE) so that they leave in one segment with the file's
            // first bytes.
            bool ok = co_await WriteAll(stream, h, {}, !head && reply.file_length > 0);
            if (!ok) co_return false;
            if (head) co_return true;
            co_return co_await SendFile(stream, reply.file.get(), reply.file_offset, reply.file_length);
        }
        bool no_body = reply.status == 204 || reply.status == 304 || reply.status < 200;
        const std::string& body = reply.shared_body ? *reply.shared_body : reply.body;
        std::string h = HeadOf(reply, version, keep_alive, !no_body, body.size(), !no_body);
        std::string_view payload = no_body || head ? std::string_view() : std::string_view(body);
        co_return co_await WriteAll(stream, h, payload, false);
    }

    /// An endless body (e.g. /live/<slug>/stream.ts): no length, chunks as the producer makes
    /// them, each written before the next is asked for (back-pressure), then the connection
    /// closes. Always returns false (the connection is done).
    asio::awaitable<bool> WriteStream(beast::tcp_stream& stream, unsigned version, bool head,
                                      Reply& reply) {
        http::response<http::empty_body> res{http::status::ok, version};
        SetCommonHeaders(res);
        if (!reply.content_type.empty()) res.set(http::field::content_type, reply.content_type);
        for (const auto& [k, v] : reply.headers) res.insert(k, v);
        res.keep_alive(false);
        http::response_serializer<http::empty_body> sr{res};
        auto [ec, n] = co_await http::async_write_header(stream, sr, kUseTuple);
        if (ec || head) co_return false;
        asio::steady_timer timer(co_await asio::this_coro::executor);
        auto next = reply.stream;
        while (true) {  // Stop() shuts the socket down: the next write fails
            BodyChunk chunk = co_await RunOnPool(next);
            if (chunk.end) break;
            if (!chunk.bytes.empty()) {
                stream.expires_after(kIoTimeout);
                auto buffer = asio::buffer(chunk.bytes);
                auto [wec, wn] = co_await asio::async_write(stream, buffer, kUseTuple);
                if (wec) break;
            }
            if (chunk.wait_ms > 0) {
                timer.expires_after(std::chrono::milliseconds(chunk.wait_ms));
                auto [tec] = co_await timer.async_wait(kUseTuple);
                if (tec) break;
            }
        }
        co_return false;
    }

    /// Zero-copy body: sendfile(2) from the file to the socket, waiting for writability.
    asio::awaitable<bool> SendFile(beast::tcp_stream& stream, int fd, std::uint64_t offset,
                                   std::uint64_t length) {
        auto& sock = stream.socket();
        if (!sock.native_non_blocking()) {  // set at accept; asked of asio, not the kernel
            boost::system::error_code ec;
            sock.native_non_blocking(true, ec);
            if (ec) co_return false;
        }
        off_t off = static_cast<off_t>(offset);
        asio::steady_timer timer(co_await asio::this_coro::executor);
        std::uint64_t since_yield = 0;
        while (length > 0) {
            std::size_t chunk = static_cast<std::size_t>(std::min<std::uint64_t>(length, 4 << 20));
            ssize_t n = ::sendfile(sock.native_handle(), fd, &off, chunk);
            if (n > 0) {
                length -= static_cast<std::uint64_t>(n);
                since_yield += static_cast<std::uint64_t>(n);
                if (since_yield >= (16u << 20)) {  // let other connections on this thread run
                    since_yield = 0;
                    auto executor = co_await asio::this_coro::executor;
                    co_await asio::post(executor, asio::use_awaitable);
                }
                continue;
            }
            if (n == 0) co_return false;  // the file shrank under us
            if (errno == EINTR) continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK) co_return false;
            // A client that stops reading: the timer cancels the wait.
            timer.expires_after(kIoTimeout);
            timer.async_wait([&sock](const boost::system::error_code& tec) {
                if (!tec) {
                    boost::system::error_code ignored;
                    sock.cancel(ignored);
                }
            });
            auto [wec] = co_await sock.async_wait(tcp::socket::wait_write, kUseTuple);
            timer.cancel();
            if (wec) co_return false;
        }
        co_return true;
    }

    /// Answers an error and closes (after a protocol error or an oversized body).
    // Callers pass named strings: GCC 12 mis-destroys some temporaries in co_await expressions.
    asio::awaitable<void> FailAndClose(beast::tcp_stream& stream, unsigned status,
                                       const std::string& code, const std::string& message,
                                       bool drain) {
        Reply r = Api::Error(status, code, message);
        r.close = true;
        co_await WriteReply(stream, 11, false, false, r);
        boost::system::error_code ec;
        stream.socket().shutdown(tcp::socket::shutdown_send, ec);
        if (drain) {  // read and drop what the client still sends so it sees our answer
            stream.expires_after(std::chrono::seconds(2));
            std::array<char, 16384> sink;
            std::size_t total = 0;
            while (total < (64u << 20)) {
                auto [rec, n] = co_await stream.async_read_some(asio::buffer(sink), kUseTuple);
                if (rec) break;
                total += n;
            }
        }
        stream.socket().close(ec);
    }

    /// Tracks a live connection (its fd, for Stop) or a helper coroutine (fd -1).
    struct ConnectionGuard {
        Impl* self;
        int fd;
        ~ConnectionGuard() {
            std::lock_guard lock(self->conn_mu_);
            if (fd >= 0) {
                self->conn_fds_.erase(fd);
                self->idle_since_.erase(fd);
                self->shed_fds_.erase(fd);
            }
            if (--self->active_ == 0) self->conn_cv_.notify_all();
        }
    };

    asio::awaitable<void> Session(tcp::socket socket) {
        const int fd = socket.native_handle();  // registered by Accept
        bool stopping = false;
        {
            std::lock_guard lock(conn_mu_);
            stopping = conn_stopping_;
        }
        beast::tcp_stream stream(std::move(socket));
        ConnectionGuard guard{this, fd};  // after stream: unregistered before the fd closes
        if (stopping) co_return;
        std::string client;
        {
            boost::system::error_code ec;
            auto ep = stream.socket().remote_endpoint(ec);
            if (!ec) client = ep.address().to_string();
        }
        beast::flat_buffer buffer;
        for (;;) {
            http::request_parser<http::string_body> parser;
            parser.header_limit(16 * 1024);
            parser.body_limit(api_.MaxBodyLimit());
            stream.expires_after(options_.idle_timeout);
            SetIdle(fd, true);
            auto [ec, n] = co_await http::async_read_header(stream, buffer, parser, kUseTuple);
            SetIdle(fd, false);
            const std::string too_large_code = "too_large";
            std::size_t body_limit = api_.MaxBodyLimit();
            if (!ec) {
                // Routes of other modules (uploads) may take larger bodies than the API's.
                body_limit = api_.BodyLimitFor(parser.get().method_string(), parser.get().target());
                parser.body_limit(body_limit);
            }
            const std::string too_large = "the request body is larger than " +
                                          std::to_string(body_limit) + " bytes";
            if (ec == http::error::body_limit) {  // Content-Length over the limit
                co_await FailAndClose(stream, 413, too_large_code, too_large, true);
                co_return;
            }
            if (ec) {
                if (IsHttpParseError(ec) &&
                    ec != http::error::end_of_stream && ec != http::error::partial_message) {
                    bool too_big = ec == http::error::header_limit;
                    unsigned status = too_big ? 431 : 400;
                    std::string code = too_big ? "too_large" : "invalid_argument";
                    std::string message = too_big ? std::string("request headers are too large")
                                                  : "malformed HTTP request: " + ec.message();
                    co_await FailAndClose(stream, status, code, message,
                                          false);
                }
                co_return;
            }
            auto& header = parser.get();
            if (auto bad = CheckFraming(header)) {
                co_await FailAndClose(stream, 400, "invalid_argument", *bad, false);
                co_return;
            }
            if (auto len = parser.content_length(); len && *len > body_limit) {
                co_await FailAndClose(stream, 413, too_large_code, too_large, true);
                co_return;
            }
            if (!parser.is_done()) {
                auto expect = header[http::field::expect];
                if (beast::iequals(expect, "100-continue")) {
                    http::response<http::empty_body> cont{http::status::continue_, header.version()};
                    auto [cec, cn] = co_await http::async_write(stream, cont, kUseTuple);
                    if (cec) co_return;
                }
                stream.expires_after(kIoTimeout);
                auto [bec, bn] = co_await http::async_read(stream, buffer, parser, kUseTuple);
                if (bec == http::error::body_limit) {
                    co_await FailAndClose(stream, 413, too_large_code, too_large, true);
                    co_return;
                }
                if (bec) {
                    if (IsHttpParseError(bec) && bec != http::error::partial_message) {
                        std::string code = "invalid_argument";
                        std::string message = "malformed HTTP request body: " + bec.message();
                        co_await FailAndClose(stream, 400, code, message,
                                              false);
                    }
                    co_return;
                }
            }

            Request req;
            req.msg = parser.release();
            req.client = client;
            req.method = std::string(req.msg.method_string());
            std::string_view path, query;
            SplitTarget(req.msg.target(), path, query);
            req.raw_path = std::string(path);
            unsigned version = req.msg.version();
            bool head = req.msg.method() == http::verb::head;
            bool keep_alive = req.msg.keep_alive();

            Reply reply;
            const auto started = std::chrono::steady_clock::now();
            auto segments = DecodePathSegments(path);
            auto parsed_query = ParseQuery(query);
            if (!segments) {
                reply = Api::Error(400, "invalid_argument",
                                   "invalid path (bad escape, '.' or '..' segment, or encoded '/')");
            } else if (!parsed_query) {
                reply = Api::Error(400, "invalid_argument", "invalid query string (bad escape)");
            } else {
                req.segments = std::move(*segments);
                req.query = std::move(*parsed_query);
                if (api_.IsEventsPath(req.raw_path) && websocket::is_upgrade(req.msg)) {
                    co_await ServeWebSocket(stream, req);
                    co_return;
                }
                if (websocket::is_upgrade(req.msg)) {
                    if (const ExtensionSocket* sock = api_.FindSocket(req.segments, req.params)) {
                        co_await ServeExtensionSocket(stream, req, *sock);
                        co_return;
                    }
                }
                // Cheap and cached answers are given here, on the network thread; the rest
                // (database, hooks, password hashing) on the blocking pools.
                std::optional<Reply> fast = api_.HandleFast(req);
                auto handle = [this, &req] { return api_.Handle(req); };
                if (fast) {
                    reply = std::move(*fast);
                } else if (HashesPassword(req)) {
                    reply = co_await HandleOnPasswordPool(handle);
                } else {
                    reply = co_await RunOnPool(handle);
                }
            }
            if (deps_.on_request) {
                deps_.on_request(req, reply.status,
                                 std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                                               started).count());
            }
            keep_alive = keep_alive && !reply.close;
            bool ok = co_await WriteReply(stream, version, head, keep_alive, reply);
            if (!ok || !keep_alive) break;
        }
        boost::system::error_code ec;
        stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    }

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
    static std::optional<std::string> CheckFraming(const http::request_parser<http::string_body>::value_type& h) {
        auto te = h.count(http::field::transfer_encoding);
        if (te > 0) {
            std::string value(h[http::field::transfer_encoding]);
            auto trim = [](std::string& v) {
                while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.pop_back();
                while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.erase(0, 1);
            };
            trim(value);
            if (te > 1 || !beast::iequals(value, "chunked")) {
                return "unsupported Transfer-Encoding '" + value.substr(0, 100) +
                       "': only 'chunked' is accepted";
            }
            if (h.count(http::field::content_length) > 0) {
                return "a request must not have both Transfer-Encoding and Content-Length";
            }
            if (h.version() < 11) return "Transfer-Encoding needs HTTP/1.1";
        }
        if (h.count(http::field::host) != 1) return "a request needs exactly one Host header";
        return std::nullopt;
    }

    // ---- events WebSocket ------------------------------------------------------------------

    void Replay(const std::shared_ptr<WsState>& state, std::uint64_t after) {
        bool complete = true;
        auto events = deps_.events.Since(after, &complete);
        bool resync = !complete || after > deps_.events.LastSeq();
        std::deque<std::pair<std::uint64_t, std::string>> front;
        if (events.size() > options_.ws_max_replay) {
            // Too far behind to replay: the client refetches its state instead, and live
            // events continue from here.
            core::Json msg = {{"type", "resync"},
                              {"v", 1},
                              {"reason", std::to_string(events.size()) +
                                             " events were missed (more than " +
                                             std::to_string(options_.ws_max_replay) +
                                             " are not replayed): refetch"}};
            front.emplace_back(0, msg.dump());
            after = events.back().seq;
            events.clear();
        } else if (resync) {
            core::Json msg = {{"type", "resync"},
                              {"v", 1},
                              {"reason", "events after " + std::to_string(after) +
                                             " are no longer kept: refetch"}};
            front.emplace_back(0, msg.dump());
        }
        for (const auto& e : events) front.emplace_back(e.seq, e.ToJson().dump(-1, ' ', false, core::Json::error_handler_t::replace));
        {
            std::lock_guard lock(state->mu);
            state->queue.insert(state->queue.begin(), front.begin(), front.end());
            state->last_sent = after;
        }
        state->Wake(state);
    }

    using WebSocket = websocket::stream<beast::tcp_stream>;

    /// Drains the queue into the socket until the reader ends (alive = false) or the client falls
    /// too far behind. Runs as its own coroutine on the connection's strand.
    static asio::awaitable<void> WsWriter(std::shared_ptr<WebSocket> ws,
                                          std::shared_ptr<WsState> state, Impl* self) {
        ConnectionGuard guard{self, -1};
        for (;;) {
            std::deque<std::pair<std::uint64_t, std::string>> batch;
            bool overflow = false;
            {
                std::lock_guard lock(state->mu);
                if (!state->alive) co_return;
                batch.swap(state->queue);
                overflow = state->overflow;
            }
            if (overflow) {
                websocket::close_reason reason(websocket::close_code::policy_error,
                                               "too far behind; reconnect with ?after=<last seq>");
                co_await ws->async_close(reason, kUseTuple);
                co_return;
            }
            if (batch.empty()) {
                bool closing = false;
                std::string reason_text;
                bool policy = false;
                {
                    std::lock_guard lock(state->mu);
                    closing = state->closing && state->queue.empty();
                    reason_text = state->close_reason;
                    policy = state->close_policy;
                }
                if (closing) {
                    websocket::close_reason reason(policy ? websocket::close_code::policy_error
                                                          : websocket::close_code::normal,
                                                   reason_text);
                    co_await ws->async_close(reason, kUseTuple);
                    co_return;
                }
                state->timer.expires_at(asio::steady_timer::time_point::max());
                co_await state->timer.async_wait(kUseTuple);
                continue;
            }
            for (auto& [seq, text] : batch) {
                {
                    std::lock_guard lock(state->mu);
                    if (!state->alive) co_return;
                    if (seq != 0 && seq <= state->last_sent) continue;
                    if (seq != 0) state->last_sent = seq;
                }
                ws->text(true);
                auto [ec, n] = co_await ws->async_write(asio::buffer(text), kUseTuple);
                if (ec) {
                    boost::system::error_code ignored;
                    beast::get_lowest_layer(*ws).socket().close(ignored);  // ends the reader
                    co_return;
                }
            }
        }
    }

    /// Takes over the connection (stream is moved from) for the events WebSocket.
    asio::awaitable<void> ServeWebSocket(beast::tcp_stream& stream, Request& req) {
        unsigned version = req.msg.version();
        std::optional<std::uint64_t> after;
        if (req.HasQuery("after")) {
            auto v = ParseInt64(req.Query("after"));
            if (!v || *v < 0) {
                Reply r = Api::Error(400, "invalid_argument",
                                     "query parameter 'after' must be a non-negative integer");
                co_await WriteReply(stream, version, false, false, r);
                co_return;
            }
            after = static_cast<std::uint64_t>(*v);
        }
        if (auto bad = CheckWebSocketHandshake(req)) {
            co_await WriteReply(stream, version, false, false, *bad);
            co_return;
        }
        // optional: what the pool hands back must be default-constructible
        auto authenticate = [this, &req] {
            return std::optional<core::Result<Identity>>(api_.AuthenticateWebSocket(req));
        };
        auto authenticated = co_await RunOnPool(authenticate);
        core::Result<Identity> auth = std::move(*authenticated);
        if (!auth.ok()) {
            Reply r = Api::Error(auth.error());
            co_await WriteReply(stream, version, false, false, r);
            co_return;
        }
        Identity who = *auth;
        if (!who.authenticated()) {
            Reply r = Api::Error(core::Error{core::ErrorCode::kUnauthorized,
                                             "sign in first (session cookie, Authorization: Bearer "
                                             "<token> or ?token=<token>)"});
            co_await WriteReply(stream, version, false, false, r);
            co_return;
        }
        auto ws = std::make_shared<WebSocket>(std::move(stream));
        beast::get_lowest_layer(*ws).expires_never();
        websocket::stream_base::timeout timeouts{};
        timeouts.handshake_timeout = std::chrono::seconds(10);
        timeouts.idle_timeout = options_.ws_ping_interval * 2;
        timeouts.keep_alive_pings = true;
        ws->set_option(timeouts);
        ws->set_option(websocket::stream_base::decorator(
            [](websocket::response_type& res) { res.set(http::field::server, "beacon"); }));
        ws->read_message_max(64 * 1024);
        auto state = std::make_shared<WsState>(ws->get_executor());
        const std::size_t max_queue = options_.ws_max_queue;
        {
            std::lock_guard lock(ws_mu_);
            if (stopped_) co_return;
            std::weak_ptr<WsState> weak = state;
            state->sub_id = deps_.events.Subscribe([weak, max_queue](const jobs::Event& e) {
                auto s = weak.lock();
                if (!s) return;
                std::lock_guard l(s->mu);
                if (!s->alive) return;
                if (s->queue.size() >= max_queue) {
                    s->overflow = true;
                } else {
                    s->queue.emplace_back(e.seq, e.ToJson().dump(-1, ' ', false,
                                                                 core::Json::error_handler_t::replace));
                }
                s->Wake(s);
            });
            ws_.insert(state);
        }
        struct Cleanup {
            Impl* self;
            std::shared_ptr<WsState> state;
            ~Cleanup() {
                {
                    std::lock_guard lock(state->mu);
                    state->alive = false;
                }
                self->deps_.events.Unsubscribe(state->sub_id);
                std::lock_guard lock(self->ws_mu_);
                self->ws_.erase(state);
            }
        } cleanup{this, state};
        // Subscribed before the 101 answer: every event published after the client sees the
        // handshake reaches it.
        auto [aec] = co_await ws->async_accept(req.msg, kUseTuple);
        if (aec) co_return;  // checked above: only a transport failure gets here

        if (after) {
            auto replay = [this, &state, a = *after] {
                Replay(state, a);
                return 0;
            };
            co_await RunOnPool(replay);
        }
        {
            std::lock_guard lock(conn_mu_);
            ++active_;
        }
        asio::co_spawn(ws->get_executor(), WsWriter(ws, state, this), asio::detached);

        // Reader: client messages ({"type":"resume","after":N}); ends when the connection does.
        beast::flat_buffer buffer;
        for (;;) {
            buffer.clear();
            auto [ec, n] = co_await ws->async_read(buffer, kUseTuple);
            if (ec) break;
            auto msg = core::Json::parse(beast::buffers_to_string(buffer.data()), nullptr, false);
            if (msg.is_object() && msg.value("type", "") == "resume") {
                auto it = msg.find("after");
                if (it != msg.end() && it->is_number_unsigned()) {
                    std::uint64_t a = it->get<std::uint64_t>();
                    auto replay = [this, &state, a] {
                        Replay(state, a);
                        return 0;
                    };
                    co_await RunOnPool(replay);
                }
            }
        }
        {
            std::lock_guard lock(state->mu);
            state->alive = false;
        }
        state->timer.cancel();  // on the strand: the writer wakes, sees !alive and ends
        boost::system::error_code ec;
        beast::get_lowest_layer(*ws).socket().close(ec);
    }

    /// The sending half handed to a module: queues into the connection's WsState.
    class Sink final : public SocketSink {
    public:
        Sink(std::shared_ptr<WsState> state, std::size_t max_queue)
            : state_(std::move(state)), max_queue_(max_queue) {}
        bool Send(std::string text) override {
            {
                std::lock_guard lock(state_->mu);
                if (!state_->alive || state_->closing) return false;
                if (state_->queue.size() >= max_queue_) {
                    state_->overflow = true;
                } else {
                    state_->queue.emplace_back(0, std::move(text));
                }
            }
            state_->Wake(state_);
            return true;
        }
        void Close(bool policy_violation, std::string reason) override {
            {
                std::lock_guard lock(state_->mu);
                if (!state_->alive || state_->closing) return;
                state_->closing = true;
                state_->close_policy = policy_violation;
                state_->close_reason = reason.substr(0, 120);
            }
            state_->Wake(state_);
        }

    private:
        std::shared_ptr<WsState> state_;
        std::size_t max_queue_;
    };

    /// Takes over the connection for a module's WebSocket (ServerDeps::sockets).
    asio::awaitable<void> ServeExtensionSocket(beast::tcp_stream& stream, Request& req,
                                               const ExtensionSocket& sock) {
        unsigned version = req.msg.version();
        if (auto bad = CheckWebSocketHandshake(req)) {
            co_await WriteReply(stream, version, false, false, *bad);
            co_return;
        }
        auto ws = std::make_shared<WebSocket>(std::move(stream));
        auto state = std::make_shared<WsState>(ws->get_executor());
        auto sink = std::make_shared<Sink>(state, options_.ws_max_queue);
        auto open = [this, &req, &sock, &sink] {
            SocketOpen out;
            try {
                if (auto refused = api_.PrepareSocket(req)) {
                    out.refusal = std::move(*refused);
                    return out;
                }
                out = sock.open(req, sink);
                if (!out.handler && out.refusal.status < 400) {
                    out.refusal = Api::Error(403, "forbidden", "the WebSocket was refused");
                }
            } catch (const std::exception& e) {
                out.handler.reset();
                out.refusal = Api::Error(500, "internal", std::string("internal error: ") + e.what());
            }
            return out;
        };
        SocketOpen opened = co_await RunOnPool(open);
        if (!opened.handler) {
            {
                std::lock_guard lock(state->mu);
                state->alive = false;
            }
            co_await WriteReply(beast::get_lowest_layer(*ws), version, false, false, opened.refusal);
            co_return;
        }
        std::shared_ptr<SocketHandler> handler = std::move(opened.handler);
        beast::get_lowest_layer(*ws).expires_never();
        websocket::stream_base::timeout timeouts{};
        timeouts.handshake_timeout = std::chrono::seconds(10);
        timeouts.idle_timeout = options_.ws_ping_interval * 2;
        timeouts.keep_alive_pings = true;
        ws->set_option(timeouts);
        ws->set_option(websocket::stream_base::decorator(
            [](websocket::response_type& res) { res.set(http::field::server, "beacon"); }));
        ws->read_message_max(64 * 1024);
        {
            std::lock_guard lock(ws_mu_);
            if (stopped_) {
                handler->OnClose();
                co_return;
            }
            ws_.insert(state);
        }
        struct Cleanup {
            Impl* self;
            std::shared_ptr<WsState> state;
            std::shared_ptr<SocketHandler> handler;
            ~Cleanup() {
                {
                    std::lock_guard lock(state->mu);
                    state->alive = false;
                }
                handler->OnClose();
                std::lock_guard lock(self->ws_mu_);
                self->ws_.erase(state);
            }
        } cleanup{this, state, handler};
        auto [aec] = co_await ws->async_accept(req.msg, kUseTuple);
        if (aec) co_return;
        {
            std::lock_guard lock(conn_mu_);
            ++active_;
        }
        asio::co_spawn(ws->get_executor(), WsWriter(ws, state, this), asio::detached);
        beast::flat_buffer buffer;
        for (;;) {
            buffer.clear();
            auto [ec, n] = co_await ws->async_read(buffer, kUseTuple);
            if (ec) break;
            if (!ws->got_text()) continue;
            std::string text = beast::buffers_to_string(buffer.data());
            try {
                handler->OnMessage(text);
            } catch (const std::exception& e) {
                std::fprintf(stderr, "beacon: WebSocket %s: unexpected exception: %s\n",
                             req.raw_path.c_str(), e.what());
                break;
            }
        }
        {
            std::lock_guard lock(state->mu);
            state->alive = false;
        }
        state->timer.cancel();
        boost::system::error_code ec;
        beast::get_lowest_layer(*ws).socket().close(ec);
    }

    ServerDeps deps_;
    ServerOptions options_;
    Api api_;
    std::mutex ws_mu_;
    std::set<std::shared_ptr<WsState>> ws_;
    std::mutex conn_mu_;  // guards the connection fields below
    std::condition_variable conn_cv_;
    std::set<int> conn_fds_;  // sockets of live connections (shut down by Stop)
    std::map<int, std::chrono::steady_clock::time_point> idle_since_;  // waiting for a request
    std::set<int> shed_fds_;  // shut down to make room, not yet ended
    std::size_t max_connections_ = 1;
    std::size_t password_inflight_ = 0;  // password requests running or queued
    int active_ = 0;          // live connection and writer coroutines
    bool conn_stopping_ = false;
    bool started_ = false;
    bool stopped_ = false;
    std::atomic<std::uint16_t> port_{0};
    asio::thread_pool pool_;  // joined before iocs_ are reset: its completions post into them
    asio::thread_pool password_pool_;  // argon2 only (see HandleOnPasswordPool)
    /// One per network thread, after what their coroutines touch; reset by Stop().
    std::vector<std::unique_ptr<asio::io_context>> iocs_;
    std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards_;
    std::size_t next_context_ = 0;  // Accept's only
    std::optional<tcp::acceptor> acceptor_;
    std::vector<std::thread> threads_;
};

Server::Server(ServerDeps deps, ServerOptions options)
    : impl_(std::make_unique<Impl>(std::move(deps), std::move(options))) {}
Server::~Server() = default;
core::Status Server::Start() { return impl_->Start(); }
void Server::Stop() { impl_->Stop(); }
std::uint16_t Server::port() const { return impl_->port(); }
std::vector<RouteInfo> Server::Routes() const { return impl_->Routes(); }

}  // namespace beacon::server
