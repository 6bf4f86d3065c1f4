#pragma once
/// Routes and WebSockets answered by other modules (Arcade, Verse, wiki facts, watch parties,
/// metrics...). A module builds its ExtensionRoutes/ExtensionSockets from its own service object;
/// `beacon serve` hands them to the Server in ServerDeps. The server does the plumbing every route
/// shares: Host check (DNS rebinding), authentication by `access`, CSRF for cookie sessions,
/// exceptions turned into 500, HEAD, 405 with Allow, and the request body limit.
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "server/http_types.hpp"

namespace beacon::server {

enum class RouteAccess {
    kPublic,           // anyone (the handler checks its own credentials, e.g. an invite token)
    kUser,             // a signed-in user: session cookie (+ X-CSRF-Token on writes) or bearer
    kUserOrStreamKey,  // as kUser, or ?key=<stream key> on GET/HEAD
};

/// One HTTP route of another module.
struct ExtensionRoute {
    std::string method;   // "GET", "POST", "PUT", "PATCH", "DELETE" (GET also answers HEAD)
    std::string pattern;  // router pattern (see router.hpp), e.g. "/api/v1/games/{id}"
    RouteAccess access = RouteAccess::kUser;
    /// Runs on the blocking pool (may block on the database or disk). `req.params` holds the
    /// pattern's parameters, `req.who` the caller (authenticated for kUser routes; for kPublic
    /// routes it is filled when the request carries valid user credentials, else empty).
    /// May throw: the server answers 500 with the message.
    std::function<Reply(Request&)> handle;
    /// Skip the Host check (for routes reached by address from other origins, like /media).
    bool any_host = false;
    /// Largest request body accepted on this route (0: ServerOptions::max_body_bytes). Bodies
    /// beyond it get 413 before the handler runs.
    std::size_t max_body_bytes = 0;
    /// Large uploads: the body is written to a new file under `spool_dir` as it arrives (never
    /// held in memory); the handler finds its path in `req.body_file` (req.msg.body() stays
    /// empty) and may move it away. The server removes the file after the reply.
    bool spool_body_to_file = false;
    std::string spool_dir;  // an existing folder (empty: the system's temporary folder)
};

/// The sending half of a module's WebSocket. Thread-safe; outlives the connection (Send then
/// returns false). Messages are queued and written in order; a client that falls more than
/// ServerOptions::ws_max_queue messages behind is disconnected.
class SocketSink {
public:
    virtual ~SocketSink() = default;
    /// Queues one text message. False when the socket is closed (or closing).
    virtual bool Send(std::string text) = 0;
    /// Closes the socket with a normal (1000) or policy (1008) close code and a short reason.
    virtual void Close(bool policy_violation, std::string reason) = 0;
};

/// The receiving half, implemented by the module.
class SocketHandler {
public:
    virtual ~SocketHandler() = default;
    /// One text message (at most 64 KiB). Runs on the connection's network thread: never block
    /// here (no database or disk); hand slow work to a thread of your own.
    virtual void OnMessage(std::string_view text) = 0;
    /// The connection ended (either side). Called once, also on a network thread.
    virtual void OnClose() = 0;
};

/// What `ExtensionSocket::open` answers: a handler to accept the upgrade, or a refusal (an HTTP
/// reply sent instead of 101, e.g. Api-style JSON 401/403/404).
struct SocketOpen {
    std::shared_ptr<SocketHandler> handler;
    Reply refusal;  // used when handler is null
};

/// One WebSocket route of another module.
struct ExtensionSocket {
    std::string pattern;  // router pattern, e.g. "/api/v1/parties/{id}/ws"
    /// Runs on the blocking pool before the 101 answer, after the Host and handshake checks.
    /// `req.who` is the caller when it sent user credentials (session cookie from a page of this
    /// server, bearer header or ?token=), otherwise empty: the module decides (e.g. ?invite=).
    /// `sink` may be used at once (messages queue until the handshake completes).
    std::function<SocketOpen(Request& req, std::shared_ptr<SocketSink> sink)> open;
};

}  // namespace beacon::server
