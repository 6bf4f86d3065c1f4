#include "server/server_impl.hpp"
/// WebSockets: the events stream (replay, resume, back-pressure) and modules' sockets.
#include <cstdio>
#include <exception>

#include "jobs/event_bus.hpp"

namespace beacon::server {

namespace {

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

}  // namespace

void Server::Impl::Replay(const std::shared_ptr<WsState>& state, std::uint64_t after) {
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

template <class WebSocket>
asio::awaitable<void> Server::Impl::WsWriter(std::shared_ptr<WebSocket> ws,
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

template <class Stream>
asio::awaitable<void> Server::Impl::ServeWebSocket(Stream& stream, Request& req) {
    using WebSocket = websocket::stream<Stream>;
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

template <class Stream>
asio::awaitable<void> Server::Impl::ServeExtensionSocket(Stream& stream, Request& req,
                                           const ExtensionSocket& sock) {
    using WebSocket = websocket::stream<Stream>;
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
        co_await WriteReply(ws->next_layer(), version, false, false, opened.refusal);
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

template asio::awaitable<void> Server::Impl::ServeWebSocket<PlainStream>(PlainStream&, Request&);
template asio::awaitable<void> Server::Impl::ServeWebSocket<TlsStream>(TlsStream&, Request&);
template asio::awaitable<void> Server::Impl::ServeExtensionSocket<PlainStream>(
    PlainStream&, Request&, const ExtensionSocket&);
template asio::awaitable<void> Server::Impl::ServeExtensionSocket<TlsStream>(
    TlsStream&, Request&, const ExtensionSocket&);

}  // namespace beacon::server
