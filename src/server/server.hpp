#pragma once
/// `beacon serve`'s HTTP + WebSocket front: the JSON API, media files with Range, LiveLoop
/// playlists (through a hook), the events WebSocket and the web UI's static files.
/// Boost.Beast with C++20 coroutines; network threads never block: database calls and hooks run
/// on a separate blocking pool.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/listen_address.hpp"
#include "server/body_chunk.hpp"
#include "core/mem_file.hpp"
#include "core/model.hpp"
#include "core/result.hpp"
#include "server/auth.hpp"
#include "server/extension.hpp"

namespace beacon::storage {
class Database;
class ObjectStore;
}  // namespace beacon::storage
namespace beacon::jobs {
class EventBus;
class WorkerPool;
}  // namespace beacon::jobs

namespace beacon::server {

class AccessTokens;

/// A GET under /live/ handed to the LiveLoop module. Only authenticated callers get this far.
struct LiveRequest {
    std::string path;      // after "/live/", decoded, e.g. "main/index.m3u8" or "channels.m3u"
    std::map<std::string, std::string, std::less<>> query;  // decoded query parameters
    bool authenticated = false;  // always true today (the server answers 401 before the hook)
    std::int64_t user_id = 0;
    std::string stream_key;  // the user's stream key (to embed in M3U/playlist URLs); may be empty
    std::string base_url;    // "http://host:port" (public_url when configured) for absolute URLs
};

/// The LiveLoop module's answer: a body, or a local file to send (zero-copy).
struct LiveResponse {
    unsigned status = 200;
    std::string content_type = "application/vnd.apple.mpegurl";
    std::string cache_control = "no-cache";
    std::string body;
    std::shared_ptr<const std::string> shared_body;  // when set: the body, from a cache
    /// When set: the body is this in-memory file (shared with a cache), sent with sendfile.
    std::shared_ptr<const core::MemFile> shared_file;
    std::filesystem::path file;  // when non-empty, sent instead of body (Range supported)
    std::function<BodyChunk()> stream;  // when set: an endless body (see Reply::stream)
};

/// What the server works on. References must outlive the Server. Hooks belong to other modules;
/// an empty hook makes its routes answer 503. Hooks run on the blocking pool (never on network
/// threads) and may be called concurrently.
struct ServerDeps {
    storage::Database& db;
    storage::ObjectStore& store;
    jobs::EventBus& events;
    jobs::WorkerPool* workers = nullptr;  // optional: Notify after enqueue, Cancel running jobs

    /// GET /live/* (LiveLoop): playlists, M3U, XMLTV.
    std::function<core::Result<LiveResponse>(const LiveRequest&)> live_handler;
    /// GET /live/* answered from memory on a network thread (a cached channel segment): must
    /// never block. nullopt: live_handler answers on the blocking pool. Optional.
    std::function<std::optional<LiveResponse>(const LiveRequest&)> live_cached;
    /// The HDHomeRun tuner API (GET /discover.json, /lineup_status.json, /lineup.json,
    /// /device.xml; POST /lineup.post), answered without sign-in: `path` is the file name,
    /// `stream_key` the owner's (for the lineup's URLs), `query` holds ?scan=. Empty: those
    /// routes answer 404 ([liveloop] hdhomerun is off).
    std::function<core::Result<LiveResponse>(const LiveRequest&)> tuner_handler;
    /// POST /api/v1/jobs/{id}/scenes/{n}/regenerate; edits is a validated object with any of
    /// description (string), lines (array of strings), seed (integer).
    std::function<core::Result<core::Job>(std::int64_t job_id, int scene, const core::Json& edits)>
        regenerate_scene;
    /// GET /api/v1/engines: an array of {capability, engine, builtin, ok, detail}.
    std::function<core::Result<core::Json>()> engine_health;
    /// GET /api/v1/voices: an array of {id, name, language}.
    std::function<core::Result<core::Json>()> list_voices;
    /// GET /api/v1/playlists/{id}/now: {"now":{content_id,title,start,end}|null,"next":[...]}.
    std::function<core::Result<core::Json>(std::int64_t playlist_id)> channel_now;
    /// Told after a playlist was created, changed or deleted through the API.
    std::function<void(std::int64_t playlist_id)> playlist_changed;

    /// Routes and WebSockets of other modules (see extension.hpp), added beside the core ones.
    /// A pattern that collides with another route is a programming error (abort at start).
    std::vector<ExtensionRoute> routes;
    std::vector<ExtensionSocket> sockets;

    /// Told of every answered HTTP request (not WebSocket upgrades) with its status and the
    /// seconds from the request being read to the reply being ready (before its body is sent).
    /// Runs on network threads too (fast answers): must be cheap and never block.
    std::function<void(const Request& req, unsigned status, double seconds)> on_request;
    /// Asked before POST /api/v1/generate queues a job (quotas): an error refuses it (e.g.
    /// RateLimited with retry_after → 429 with Retry-After). Empty: every job is admitted.
    std::function<core::Status()> admit_job;
    /// Verse (issue 17): resolves a generate body's `world_id` / `world_camera` for the caller
    /// to the world the job renders from (Invalid → 400, another user's or no world → 404).
    /// Empty: those fields are refused as unknown.
    std::function<core::Result<core::Json>(std::int64_t user_id, const core::Json& body)> pin_world;
    /// Moderation (src/ops/moderation_http.hpp): with `done` false, asked before an item is
    /// published to LiveLoop (`action` "publish") or made public ("share"); a reply refuses it
    /// (409). With `done` true, told after a publish, share or delete succeeded (audit log).
    /// Empty: everything is allowed.
    std::function<std::optional<Reply>(const Request& req, std::string_view action,
                                       std::int64_t content_id, bool done)>
        moderation;
    /// Signed access tokens with refresh (src/server/auth_tokens.hpp). Null: the /auth/token,
    /// /auth/refresh and /auth/revoke routes answer 501 and only opaque tokens are accepted.
    AccessTokens* access_tokens = nullptr;
};

struct ServerOptions {
    /// The address Start binds (parsed once, e.g. config's [server] listen); port 0 picks a
    /// free port (see Server::port()). Default 127.0.0.1:8080.
    core::ListenAddress listen;
    std::filesystem::path web_root;  // the built web UI (web/dist); empty or missing: no UI
    /// Origins allowed to read /live/* cross-origin ("*" = any); empty: no CORS headers.
    std::vector<std::string> live_cors_origins = {"*"};
    std::size_t max_body_bytes = 1 << 20;  // larger request bodies get 413
    int threads = 2;           // network threads
    int blocking_threads = 4;  // database / hook threads
    std::string public_url;    // e.g. "https://beacon.example"; empty: from the Host header
    bool secure_cookies = false;  // add Secure to the session cookie (also when public_url is https)
    PasswordParams password_params;  // for passwords set through the API
    int login_free_failures = 5;
    std::chrono::milliseconds login_lockout_base{1000};
    std::chrono::milliseconds login_lockout_cap{15 * 60 * 1000};
    std::chrono::hours session_lifetime{24 * 30};
    std::chrono::seconds idle_timeout{60};  // keep-alive connections idle this long are closed
    std::size_t ws_max_queue = 1024;  // events queued for a slow WebSocket client before dropping it
    /// A `resume` (or ?after=) further behind than this many events is not replayed: the client
    /// gets {"type":"resync"} and refetches.
    std::size_t ws_max_replay = 1000;
    /// HTTP connections at once. At the cap (or when the process runs out of descriptors) the
    /// connection idle the longest is closed to make room; with none idle a new one gets 503.
    std::size_t max_connections = 1000;
    /// Host header values accepted besides loopback names, the listen address (any IP address
    /// when listening on a wildcard address) and public_url's host. Others get 400 (DNS
    /// rebinding). Entries are host names without port; "*" accepts any.
    std::vector<std::string> allowed_hosts;
    /// Password hashing (login, setup, password change) runs on its own threads; requests beyond
    /// `password_threads + password_queue` waiting get 503 at once.
    int password_threads = 2;
    std::size_t password_queue = 16;
    /// Failed logins per minute from all addresses together before every login waits (429).
    int login_global_failures_per_minute = 60;
    /// Failed sign-ins per account name (server::AccountThrottle): free failures in a row, then
    /// a lockout from `base` doubling up to `cap`; addresses that signed in to the account
    /// within `login_trusted_address_for` are not held by it.
    int login_account_free_failures = 10;
    std::chrono::milliseconds login_account_lockout_base{1000};
    std::chrono::milliseconds login_account_lockout_cap{15 * 60 * 1000};
    std::chrono::hours login_trusted_address_for{24 * 30};
    std::chrono::seconds ws_ping_interval{20};
    /// A deleted library item's files stay this long (0: deleted at once) so that channels can
    /// finish serving segments they already published; Database::TakeDueObjectDeletes says when.
    std::chrono::seconds media_delete_delay{0};
    /// False: only ServerDeps::routes/sockets are answered (no API, media, live or web UI): a
    /// second Server on its own origin, e.g. for Arcade games.
    bool core_routes = true;
    /// TLS: PEM certificate chain and private key files (both set, or neither for plain HTTP).
    /// With TLS every answer carries HSTS and session cookies are Secure; a plain HTTP request
    /// to the port gets 400. Re-read by Server::ReloadTls.
    std::filesystem::path tls_cert;
    std::filesystem::path tls_key;
    /// Without TLS, Start refuses an address that is neither loopback nor a private LAN range
    /// (or a wildcard on a machine with such an address) unless this is true.
    bool allow_insecure_remote = false;
};

/// One route as registered: for the spec check and for docs.
struct RouteInfo {
    std::string method;   // GET, POST, PATCH, DELETE
    std::string pattern;  // e.g. "/api/v1/jobs/{id}", "/media/{key+}"
};

class Server {
public:
    Server(ServerDeps deps, ServerOptions options);
    ~Server();  // Stop()s
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    /// Binds, listens and starts the network threads. Warns on stderr when the address is not a
    /// loopback one. Error when the address cannot be bound, when the TLS files cannot be
    /// loaded, or when plain HTTP would be reachable beyond the LAN (see allow_insecure_remote).
    core::Status Start();
    /// Re-reads the TLS certificate and key files (SIGHUP): connections accepted afterwards use
    /// them; the listener and open connections are untouched. On error the current certificate
    /// stays. Invalid when TLS is off. Thread-safe.
    core::Status ReloadTls();
    /// Stops accepting, closes connections, joins threads. Idempotent.
    void Stop();
    /// The bound port (useful with port 0); 0 before Start.
    std::uint16_t port() const;

    /// Every route the server answers (the WebSocket included; not the static-file fallback).
    std::vector<RouteInfo> Routes() const;

private:
    class Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace beacon::server
