#include "server/server.hpp"
/// The listener, connection accounting and the server's lifecycle (see server_impl.hpp).
#include <fcntl.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <sys/resource.h>

#include <cstdio>

#include <openssl/ssl.h>

#include "jobs/event_bus.hpp"
#include "server/server_impl.hpp"

namespace beacon::server {

namespace {

/// Marks a descriptor close-on-exec: children (ffmpeg, tools) never inherit sockets.
void SetCloseOnExec(int fd) {
    int flags = ::fcntl(fd, F_GETFD);
    if (flags >= 0) ::fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}

/// True for addresses only this machine or its local network can reach: loopback, RFC 1918,
/// IPv4 link-local, IPv6 unique-local and link-local (and IPv4-mapped forms of these).
bool IsLocalNetwork(const asio::ip::address& a) {
    if (a.is_loopback()) return true;
    if (a.is_v6() && a.to_v6().is_v4_mapped()) {
        return IsLocalNetwork(asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6()));
    }
    if (a.is_v4()) {
        const auto b = a.to_v4().to_bytes();
        return b[0] == 10 || (b[0] == 172 && (b[1] & 0xF0) == 16) ||
               (b[0] == 192 && b[1] == 168) || (b[0] == 169 && b[1] == 254);
    }
    const auto b = a.to_v6().to_bytes();
    return (b[0] & 0xFE) == 0xFC || (b[0] == 0xFE && (b[1] & 0xC0) == 0x80);
}

/// An address that plain HTTP on `addr` would be reachable at beyond the local network: `addr`
/// itself, or for a wildcard (0.0.0.0, ::) the first such address of this machine's interfaces.
std::optional<std::string> BeyondLocalNetwork(const asio::ip::address& addr) {
    if (!addr.is_unspecified()) {
        if (IsLocalNetwork(addr)) return std::nullopt;
        return addr.to_string();
    }
    ifaddrs* list = nullptr;
    if (::getifaddrs(&list) != 0) return std::nullopt;
    std::optional<std::string> found;
    for (ifaddrs* i = list; i != nullptr && !found; i = i->ifa_next) {
        if (i->ifa_addr == nullptr) continue;
        asio::ip::address a;
        if (i->ifa_addr->sa_family == AF_INET && addr.is_v4()) {
            const auto* in = reinterpret_cast<const sockaddr_in*>(i->ifa_addr);
            a = asio::ip::address_v4(ntohl(in->sin_addr.s_addr));
        } else if (i->ifa_addr->sa_family == AF_INET6) {
            const auto* in6 = reinterpret_cast<const sockaddr_in6*>(i->ifa_addr);
            asio::ip::address_v6::bytes_type bytes;
            std::copy(std::begin(in6->sin6_addr.s6_addr), std::end(in6->sin6_addr.s6_addr),
                      bytes.begin());
            a = asio::ip::address_v6(bytes);
        } else {
            continue;
        }
        if (!IsLocalNetwork(a)) found = a.to_string();
    }
    ::freeifaddrs(list);
    return found;
}

}  // namespace

Server::Impl::Impl(ServerDeps deps, ServerOptions options)
    : deps_(std::move(deps)),
      options_(std::move(options)),
      api_(deps_, options_),
      pool_(static_cast<std::size_t>(std::max(1, options_.blocking_threads))),
      password_pool_(static_cast<std::size_t>(std::max(1, options_.password_threads))) {
    // Over TLS the session cookie is never sent in clear text (api_ reads options_ per request).
    if (!options_.tls_cert.empty()) options_.secure_cookies = true;
    // One context per network thread: a connection lives on one thread from accept to
    // close, and threads never contend for one scheduler queue.
    for (int i = 0; i < std::max(1, options_.threads); ++i) {
        iocs_.push_back(std::make_unique<asio::io_context>(1));
    }
}

core::Status Server::Impl::Start() {
    if (started_) return core::Error::Conflict("the server is already started");
    boost::system::error_code ec;
    const core::ListenAddress& listen = options_.listen;
    std::string host = listen.host == "localhost" ? "127.0.0.1" : listen.host;
    auto addr = asio::ip::make_address(host, ec);
    if (ec) {
        return core::Error::Invalid("cannot listen on '" + listen.host +
                                    "': not an IP address (use e.g. 127.0.0.1 or 0.0.0.0)");
    }
    tcp::endpoint ep(addr, listen.port);
    std::string where = listen.ToString();
    const bool with_tls = !options_.tls_cert.empty() || !options_.tls_key.empty();
    if (!with_tls && !options_.allow_insecure_remote) {
        if (auto beyond = BeyondLocalNetwork(addr)) {
            return core::Error::Invalid(
                "refusing to serve plain HTTP on " + where + ": it is reachable at " + *beyond +
                ", beyond loopback and the private LAN ranges, and passwords and tokens would "
                "cross the network unencrypted. Set [server] tls_cert and tls_key (TLS), listen "
                "on 127.0.0.1 or a LAN address, or set [server] allow_insecure_remote = true "
                "when a TLS proxy in front terminates the connections");
        }
    }
    if (with_tls) {
        auto loaded = LoadTls();
        if (!loaded.ok()) return loaded.error();
        std::lock_guard lock(tls_mu_);
        tls_ = std::move(*loaded);
    }
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
    if (!addr.is_loopback() && !with_tls) {
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

void Server::Impl::Stop() {
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

bool Server::Impl::ShedIdleLocked() {
    // The marks change under us (each connection writes its own): the oldest idle one is
    // claimed with a compare-exchange, and the scan runs again if it became busy meanwhile.
    for (int attempt = 0; attempt < 4; ++attempt) {
        int oldest_fd = -1;
        std::int64_t oldest = 0;
        for (const auto& [fd, conn] : conn_state_) {
            const std::int64_t since = conn->idle_since.load(std::memory_order_acquire);
            if (since > 0 && (oldest_fd < 0 || since < oldest)) {
                oldest_fd = fd;
                oldest = since;
            }
        }
        if (oldest_fd < 0) return false;
        std::int64_t expected = oldest;
        if (!conn_state_.at(oldest_fd)->idle_since.compare_exchange_strong(
                expected, ConnState::kShed, std::memory_order_acq_rel)) {
            continue;
        }
        ::shutdown(oldest_fd, SHUT_RDWR);  // its read fails and the session ends
        shed_fds_.insert(oldest_fd);
        return true;
    }
    return false;
}

asio::awaitable<void> Server::Impl::Accept() {
    asio::steady_timer backoff(acceptor_->get_executor());
    constexpr std::chrono::milliseconds kMinDelay{10}, kMaxDelay{1000};
    auto delay = kMinDelay;
    for (;;) {
        // Connections are dealt to the network threads in turn.
        asio::io_context& target = *iocs_[next_context_++ % iocs_.size()];
        // Its executor is the context's own: one thread runs each context, so a connection's
        // coroutines are serialised without a strand (whose bookkeeping every operation paid).
        auto [ec, socket] = co_await acceptor_->async_accept(target.get_executor(), kUseTuple);
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
        std::shared_ptr<ConnState> conn;
        {
            std::lock_guard lock(conn_mu_);
            if (conn_stopping_) co_return;
            if (conn_fds_.size() - shed_fds_.size() >= max_connections_ && !ShedIdleLocked()) {
                over = true;
            } else {
                ++active_;  // counted here so Stop waits for it even before it first runs
                conn_fds_.insert(socket.native_handle());
                conn = std::make_shared<ConnState>();
                conn->idle_since.store(IdleStamp(), std::memory_order_release);
                conn_state_[socket.native_handle()] = conn;
            }
        }
        if (over) {
            RefuseBusy(socket);
            continue;
        }
        auto ex = socket.get_executor();
        asio::co_spawn(ex, Session(tcp::socket(std::move(socket)), CurrentTls(), std::move(conn)),
                       asio::detached);
    }
}

std::int64_t Server::Impl::IdleStamp() {
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                        std::chrono::steady_clock::now().time_since_epoch())
                        .count();
    return std::max<std::int64_t>(1, static_cast<std::int64_t>(ns));
}

void Server::Impl::SetIdle(ConnState& conn, bool idle) {
    // No lock: only this connection's thread writes its mark, ShedIdleLocked may claim it.
    const std::int64_t want = idle ? IdleStamp() : 0;
    std::int64_t now = conn.idle_since.load(std::memory_order_relaxed);
    while (now != ConnState::kShed &&
           !conn.idle_since.compare_exchange_weak(now, want, std::memory_order_acq_rel,
                                                  std::memory_order_relaxed)) {
    }
}

core::Result<std::shared_ptr<asio::ssl::context>> Server::Impl::LoadTls() const {
    if (options_.tls_cert.empty() || options_.tls_key.empty()) {
        return core::Error::Invalid("TLS needs both a certificate file (tls_cert) and a key file "
                                    "(tls_key)");
    }
    auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
    boost::system::error_code ec;
    ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                         asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                         asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use,
                     ec);
    if (ctx->use_certificate_chain_file(options_.tls_cert.string(), ec); ec) {
        return core::Error::Invalid("cannot load the TLS certificate '" +
                                    options_.tls_cert.string() + "': " + ec.message());
    }
    if (ctx->use_private_key_file(options_.tls_key.string(), asio::ssl::context::pem, ec); ec) {
        return core::Error::Invalid("cannot load the TLS key '" + options_.tls_key.string() +
                                    "': " + ec.message());
    }
    if (::SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
        return core::Error::Invalid("the TLS key '" + options_.tls_key.string() +
                                    "' does not belong to the certificate '" +
                                    options_.tls_cert.string() + "'");
    }
    return ctx;
}

std::shared_ptr<asio::ssl::context> Server::Impl::CurrentTls() {
    std::lock_guard lock(tls_mu_);
    return tls_;
}

core::Status Server::Impl::ReloadTls() {
    if (options_.tls_cert.empty()) return core::Error::Invalid("TLS is not configured");
    auto loaded = LoadTls();
    if (!loaded.ok()) return loaded.error();
    std::lock_guard lock(tls_mu_);
    tls_ = std::move(*loaded);
    return {};
}

Server::Server(ServerDeps deps, ServerOptions options)
    : impl_(std::make_unique<Impl>(std::move(deps), std::move(options))) {}
Server::~Server() = default;
core::Status Server::Start() { return impl_->Start(); }
core::Status Server::ReloadTls() { return impl_->ReloadTls(); }
void Server::Stop() { impl_->Stop(); }
std::uint16_t Server::port() const { return impl_->port(); }
std::vector<RouteInfo> Server::Routes() const { return impl_->Routes(); }

}  // namespace beacon::server

