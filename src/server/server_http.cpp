#include "server/server_impl.hpp"
/// HTTP/1.1 sessions: reading requests, dispatching them, writing replies (writev, sendfile).
#include <sys/sendfile.h>
#include <sys/uio.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <filesystem>
#include <random>
#include <tuple>
#include <type_traits>
#include <vector>

namespace beacon::server {

namespace {

/// True when the paths hash a password (login, setup, password change): these run on their
/// own bounded pool.
bool HashesPassword(const Request& req) {
    return req.method == "POST" &&
           (req.raw_path == "/api/v1/auth/login" || req.raw_path == "/api/v1/auth/setup" ||
            req.raw_path == "/api/v1/auth/password");
}

/// True for errors of Beast's HTTP parser (malformed requests), not transport errors.
bool IsHttpParseError(const boost::system::error_code& ec) {
    return ec.category() == http::make_error_code(http::error::end_of_stream).category();
}

/// Reads the rest of a request body into a new file under `dir` (ExtensionRoute::
/// spool_body_to_file) instead of memory: the header goes to `header_out`, the file's path to
/// `path_out`. On any error the file is removed and `path_out` is empty; `file_error` tells a
/// file that could not be created (disk) from a failed read (client).
template <class Stream>
asio::awaitable<std::tuple<boost::system::error_code, std::size_t>> ReadBodyToFile(
    Stream& stream, beast::flat_buffer& buffer,
    http::request_parser<http::string_body>& parser, std::size_t limit, std::string dir,
    http::request<http::string_body>& header_out, std::string& path_out, bool& file_error) {
    std::error_code fec;
    std::filesystem::path folder =
        dir.empty() ? std::filesystem::temp_directory_path(fec) : std::filesystem::path(dir);
    std::random_device rd;
    const auto name = "body-" + std::to_string(rd()) + std::to_string(rd()) + ".part";
    const std::string path = (folder / name).string();
    http::request_parser<http::file_body> spool{std::move(parser)};
    spool.body_limit(limit);
    boost::system::error_code ec;
    spool.get().body().open(path.c_str(), beast::file_mode::write_new, ec);
    file_error = static_cast<bool>(ec);
    if (ec) co_return std::tuple{ec, std::size_t{0}};
    auto [rec, n] = co_await http::async_read(stream, buffer, spool, kUseTuple);
    spool.get().body().close();
    if (rec) {
        std::filesystem::remove(path, fec);
        co_return std::tuple{rec, n};
    }
    header_out = http::request<http::string_body>(std::move(spool.release().base()));
    path_out = path;
    co_return std::tuple{rec, n};
}

}  // namespace

void Server::Impl::SetCommonHeaders(http::fields& f) {
    f.set(http::field::server, "beacon");
    f.set("X-Content-Type-Options", "nosniff");
    f.set("Referrer-Policy", "same-origin");
}

std::string Server::Impl::HeadOf(const Reply& reply, unsigned version, bool keep_alive,
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

asio::awaitable<bool> Server::Impl::WriteAll(beast::tcp_stream& stream, std::string_view first,
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

template <class Stream>
asio::awaitable<bool> Server::Impl::WriteReply(Stream& stream, unsigned version, bool head,
                                               bool keep_alive, Reply& reply) {
    constexpr bool kTls = std::is_same_v<Stream, TlsStream>;
    beast::get_lowest_layer(stream).expires_after(kIoTimeout);
    if constexpr (kTls) {
        // Browsers that saw this over TLS keep to https for this host (RFC 6797).
        reply.AddHeader("Strict-Transport-Security", "max-age=31536000");
    }
    if (reply.stream && reply.status == 200) co_return co_await WriteStream(stream, version, head, reply);
    const int body_fd = reply.file.valid() ? reply.file.get()
                        : reply.shared_file ? reply.shared_file->fd()
                                            : -1;
    if (body_fd >= 0 && reply.status != 304) {
        std::string h = HeadOf(reply, version, keep_alive, true, reply.file_length, true);
        if constexpr (kTls) {
            co_return co_await WriteFileTls(stream, h, head ? -1 : body_fd,
                                            reply.file_offset, head ? 0 : reply.file_length);
        } else {
            // Headers held back (MSG_MORE) so that they leave in one segment with the file's
            // first bytes.
            bool ok = co_await WriteAll(stream, h, {}, !head && reply.file_length > 0);
            if (!ok) co_return false;
            if (head) co_return true;
            co_return co_await SendFile(stream, body_fd, reply.file_offset, reply.file_length);
        }
    }
    bool no_body = reply.status == 204 || reply.status == 304 || reply.status < 200;
    const std::string& body = reply.shared_body ? *reply.shared_body : reply.body;
    std::string h = HeadOf(reply, version, keep_alive, !no_body, body.size(), !no_body);
    std::string_view payload = no_body || head ? std::string_view() : std::string_view(body);
    if constexpr (kTls) {
        std::array<asio::const_buffer, 2> buffers{asio::buffer(h), asio::buffer(payload)};
        auto [ec, n] = co_await asio::async_write(stream, buffers, kUseTuple);
        co_return !ec;
    } else {
        co_return co_await WriteAll(stream, h, payload, false);
    }
}

asio::awaitable<bool> Server::Impl::WriteFileTls(TlsStream& stream, const std::string& head,
                                                 int fd, std::uint64_t offset,
                                                 std::uint64_t length) {
    auto [hec, hn] = co_await asio::async_write(stream, asio::buffer(head), kUseTuple);
    if (hec) co_return false;
    std::vector<char> chunk(static_cast<std::size_t>(std::min<std::uint64_t>(length, 256 << 10)));
    auto off = static_cast<off_t>(offset);
    while (length > 0) {
        const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(length, chunk.size()));
        ssize_t got = ::pread(fd, chunk.data(), want, off);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) co_return false;  // a read error, or the file shrank under us
        off += got;
        length -= static_cast<std::uint64_t>(got);
        beast::get_lowest_layer(stream).expires_after(kIoTimeout);
        auto [ec, n] = co_await asio::async_write(
            stream, asio::buffer(chunk.data(), static_cast<std::size_t>(got)), kUseTuple);
        if (ec) co_return false;
    }
    co_return true;
}

template <class Stream>
asio::awaitable<bool> Server::Impl::WriteStream(Stream& stream, unsigned version, bool head,
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
            beast::get_lowest_layer(stream).expires_after(kIoTimeout);
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

asio::awaitable<bool> Server::Impl::SendFile(beast::tcp_stream& stream, int fd, std::uint64_t offset,
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

template <class Stream>
asio::awaitable<void> Server::Impl::FailAndClose(Stream& stream, unsigned status,
                                   const std::string& code, const std::string& message,
                                   bool drain) {
    Reply r = Api::Error(status, code, message);
    r.close = true;
    co_await WriteReply(stream, 11, false, false, r);
    boost::system::error_code ec;
    beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_send, ec);
    if (drain) {  // read and drop what the client still sends so it sees our answer
        beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(2));
        std::array<char, 16384> sink;
        std::size_t total = 0;
        while (total < (64u << 20)) {
            auto [rec, n] = co_await stream.async_read_some(asio::buffer(sink), kUseTuple);
            if (rec) break;
            total += n;
        }
    }
    beast::get_lowest_layer(stream).socket().close(ec);
}

asio::awaitable<void> Server::Impl::Session(tcp::socket socket,
                                            std::shared_ptr<asio::ssl::context> tls,
                                            std::shared_ptr<ConnState> conn) {
    const int fd = socket.native_handle();  // registered by Accept
    bool stopping = false;
    {
        std::lock_guard lock(conn_mu_);
        stopping = conn_stopping_;
    }
    PlainStream stream(std::move(socket));
    std::optional<TlsStream> secure;  // TLS: takes `stream` over after the handshake
    ConnectionGuard guard{this, fd};  // after the streams: unregistered before the fd closes
    if (stopping) co_return;
    std::string client;
    {
        boost::system::error_code ec;
        auto ep = stream.socket().remote_endpoint(ec);
        if (!ec) client = ep.address().to_string();
    }
    beast::flat_buffer buffer;
    if (!tls) {
        co_await Serve(stream, *conn, client, buffer);
        co_return;
    }
    // A client that speaks plain HTTP to the TLS port gets an answer it can read, not a
    // failed handshake.
    stream.expires_after(std::chrono::seconds(10));
    SetIdle(*conn, true);
    auto [dec, is_tls] = co_await beast::async_detect_ssl(stream, buffer, kUseTuple);
    SetIdle(*conn, false);
    if (dec) co_return;
    if (!is_tls) {
        const std::string code = "invalid_argument";
        const std::string message = "this port speaks HTTPS: use https:// to reach it";
        co_await FailAndClose(stream, 400, code, message, true);
        co_return;
    }
    secure.emplace(std::move(stream), *tls);
    beast::get_lowest_layer(*secure).expires_after(std::chrono::seconds(10));
    auto [hec, used] = co_await secure->async_handshake(asio::ssl::stream_base::server,
                                                        buffer.data(), kUseTuple);
    if (hec) co_return;  // no common protocol, a client that does not trust us, a timeout
    buffer.consume(used);
    co_await Serve(*secure, *conn, client, buffer);
}

template <class Stream>
asio::awaitable<void> Server::Impl::Serve(Stream& stream, ConnState& conn,
                                          const std::string& client,
                                          beast::flat_buffer& buffer) {
    for (;;) {
        http::request_parser<http::string_body> parser;
        parser.header_limit(16 * 1024);
        parser.body_limit(api_.MaxBodyLimit());
        beast::get_lowest_layer(stream).expires_after(options_.idle_timeout);
        SetIdle(conn, true);
        auto [ec, n] = co_await http::async_read_header(stream, buffer, parser, kUseTuple);
        SetIdle(conn, false);
        const std::string too_large_code = "too_large";
        std::size_t body_limit = api_.MaxBodyLimit();
        if (!ec && !parser.is_done()) {
            // Routes of other modules (uploads) may take larger bodies than the API's (a
            // request without a body needs no route lookup here).
            body_limit = api_.BodyLimitFor(parser.get().method_string(), parser.get().target());
            parser.body_limit(body_limit);
        }
        auto too_large = [&body_limit] {  // built only when needed (not per request)
            return "the request body is larger than " + std::to_string(body_limit) + " bytes";
        };
        if (ec == http::error::body_limit) {  // Content-Length over the limit
            const std::string message = too_large();  // named: see FailAndClose
            co_await FailAndClose(stream, 413, too_large_code, message, true);
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
        http::request<http::string_body> spooled_msg;  // the header, when the body went to a file
        std::string spooled;                           // that file
        if (auto bad = CheckFraming(header)) {
            co_await FailAndClose(stream, 400, "invalid_argument", *bad, false);
            co_return;
        }
        if (auto len = parser.content_length(); len && *len > body_limit) {
            const std::string message = too_large();  // named: see FailAndClose
            co_await FailAndClose(stream, 413, too_large_code, message, true);
            co_return;
        }
        if (!parser.is_done()) {
            auto expect = header[http::field::expect];
            if (beast::iequals(expect, "100-continue")) {
                http::response<http::empty_body> cont{http::status::continue_, header.version()};
                auto [cec, cn] = co_await http::async_write(stream, cont, kUseTuple);
                if (cec) co_return;
            }
            beast::get_lowest_layer(stream).expires_after(kIoTimeout);
            const ExtensionRoute* spool =
                api_.SpoolingRouteFor(header.method_string(), header.target());
            bool file_error = false;
            auto [bec, bn] =
                spool ? co_await ReadBodyToFile(stream, buffer, parser, body_limit,
                                                spool->spool_dir, spooled_msg, spooled, file_error)
                      : co_await http::async_read(stream, buffer, parser, kUseTuple);
            if (file_error) {
                co_await FailAndClose(stream, 503, "unavailable",
                                      "cannot store the request body: " + bec.message(), false);
                co_return;
            }
            if (bec == http::error::body_limit) {
                const std::string message = too_large();  // named: see FailAndClose
                co_await FailAndClose(stream, 413, too_large_code, message, true);
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
        req.msg = spooled.empty() ? parser.release() : std::move(spooled_msg);
        req.body_file = spooled;
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
        if (!spooled.empty()) {  // the handler is done with it (it may have moved it)
            std::error_code rec;
            std::filesystem::remove(spooled, rec);
        }
        keep_alive = keep_alive && !reply.close;
        bool ok = co_await WriteReply(stream, version, head, keep_alive, reply);
        if (!ok || !keep_alive) break;
    }
    boost::system::error_code ec;
    beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_send, ec);
}

std::optional<std::string> Server::Impl::CheckFraming(const http::request_parser<http::string_body>::value_type& h) {
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

// Also written by server_websocket.cpp (refused upgrades).
template asio::awaitable<bool> Server::Impl::WriteReply<PlainStream>(PlainStream&, unsigned, bool,
                                                                     bool, Reply&);
template asio::awaitable<bool> Server::Impl::WriteReply<TlsStream>(TlsStream&, unsigned, bool,
                                                                   bool, Reply&);

}  // namespace beacon::server
