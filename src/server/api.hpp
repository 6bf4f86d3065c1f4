#pragma once
/// Internal: the route table and every handler. Handlers are blocking (database, hooks) and run on
/// the server's blocking pool; a few cheap answers (HandleFast) are given on the network thread.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <string>
#include <vector>

#include "server/auth.hpp"
#include "server/credential_cache.hpp"
#include "server/extension.hpp"
#include "server/http_types.hpp"
#include "server/router.hpp"
#include "server/server.hpp"

namespace beacon::server {

class Api {
public:
    Api(ServerDeps& deps, const ServerOptions& options);
    ~Api();
    Api(const Api&) = delete;
    Api& operator=(const Api&) = delete;

    /// Routes, authenticates and answers one request. Never throws.
    Reply Handle(Request& req);
    /// The same answer as Handle, given only when it needs no database, hook or other blocking
    /// work: GET/HEAD of /healthz, the web UI's files, /media files (open + fstat), a cached
    /// job detail or library page, a cached LiveLoop segment, with credentials known to the
    /// in-memory cache. Runs on the network thread. nullopt: call Handle on the blocking pool.
    std::optional<Reply> HandleFast(Request& req);
    /// Authenticates an events WebSocket upgrade (cookie, bearer header or ?token=). An
    /// unauthenticated Identity for wrong credentials; an error (503) when storage fails or the
    /// Host header is not one of this server's names.
    core::Result<Identity> AuthenticateWebSocket(const Request& req);
    /// True when the request targets the events WebSocket route (only with core routes).
    bool IsEventsPath(std::string_view raw_path) const;
    /// The module WebSocket route for these decoded segments (params filled), or null.
    const ExtensionSocket* FindSocket(const std::vector<std::string>& segments,
                                      PathParams& params) const;
    /// Checks the Host header and authenticates a module WebSocket upgrade: an error reply when
    /// refused, otherwise req.who is set (empty when no valid user credentials came with it).
    std::optional<Reply> PrepareSocket(Request& req);
    /// The request body limit of the route a request target ("/path?query") reaches:
    /// the route's own max_body_bytes, else ServerOptions::max_body_bytes.
    std::size_t BodyLimitFor(std::string_view method, std::string_view target) const;
    /// The module route answering `method target` when it spools its bodies to a file, else null.
    const ExtensionRoute* SpoolingRouteFor(std::string_view method, std::string_view target) const;
    /// The largest body limit of any route (the parser's limit before the route is known).
    std::size_t MaxBodyLimit() const { return max_body_limit_; }

    std::vector<RouteInfo> Routes() const;

    /// A JSON error reply.
    static Reply Error(unsigned status, std::string_view code, std::string_view message);
    static Reply Error(const core::Error& e);
    static Reply Json(unsigned status, const core::Json& body);

    /// Serves a local file with ETag/Last-Modified, conditional GET and single Range.
    static Reply ServeFile(const std::filesystem::path& path, const Request& req,
                           std::string cache_control, const std::string& content_type = {});
    /// The same for a file already open; `path` names it (content type by extension).
    static Reply ServeOpenFile(FileDescriptor file, const std::filesystem::path& path,
                               const Request& req, std::string cache_control,
                               const std::string& content_type = {});
    /// Opens root/relative for reading without ever leaving root: a symlink or ".." that
    /// points outside it is refused (openat2 RESOLVE_BENEATH). Invalid when refused or absent.
    static FileDescriptor OpenBeneath(const std::filesystem::path& root, std::string_view relative);
    /// The same beneath a directory already open (O_PATH is enough).
    static FileDescriptor OpenBeneathAt(int root_dir, std::string_view relative);

private:
    enum class Access { kPublic, kUser, kUserOrStreamKey };
    using Method = Reply (Api::*)(Request&);
    /// A handler's answer from memory, or nullopt when the blocking handler must run.
    using FastMethod = std::optional<Reply> (Api::*)(Request&);
    struct Route {
        Access access = Access::kUser;
        Method method = nullptr;
        const ExtensionRoute* extension = nullptr;  // a module's route (method is null)
        FastMethod fast = nullptr;                  // answers on the network thread when it can
    };

    void Add(const char* method, const char* pattern, Access access, Method fn,
             FastMethod fast = nullptr);
    /// Who is calling. Never writes: a storage failure is an error (503), never "signed out".
    /// Credentials the database confirmed are remembered (credentials_).
    core::Result<Identity> Authenticate(const Request& req, bool allow_query_token,
                                        bool allow_stream_key);
    /// Who is calling, from the credential cache only: nullopt when a credential came that the
    /// cache does not know (the database must be asked).
    std::optional<Identity> AuthenticateFromCache(const Request& req, bool allow_stream_key);
    std::optional<Reply> DispatchFast(Request& req);
    /// An error reply when the Host header names none of this server's names (DNS rebinding).
    std::optional<Reply> CheckHost(const Request& req) const;
    std::optional<std::string> HostProblem(const Request& req) const;
    /// Setup and login: a JSON body from a page of this server (or from no page at all).
    std::optional<Reply> CheckCredentialPost(const Request& req) const;
    Reply Dispatch(Request& req);
    Reply Static(Request& req);
    std::string BaseUrl(const Request& req) const;
    /// Secure cookies when configured or when the public URL is https.
    bool SecureCookies() const;
    /// CORS headers for /live/* (options.live_cors_origins); answers preflights.
    void AddLiveCors(const Request& req, Reply& r) const;
    void PlaylistChanged(const core::Playlist& p);

    // health and auth
    Reply Health(Request& req);
    Reply AuthStatus(Request& req);
    Reply AuthSetup(Request& req);
    Reply AuthLogin(Request& req);
    Reply AuthLogout(Request& req);
    Reply AuthMe(Request& req);
    Reply AuthPassword(Request& req);
    Reply ListTokens(Request& req);
    Reply CreateToken(Request& req);
    Reply DeleteToken(Request& req);
    Reply GetStreamKey(Request& req);
    Reply RotateStreamKey(Request& req);
    Reply StartSession(const core::User& user, const Request& req);
    // signed access tokens (api_auth_tokens.cpp)
    Reply AuthToken(Request& req);
    Reply AuthRefresh(Request& req);
    Reply AuthRevoke(Request& req);
    Reply AuthTokenFamilies(Request& req);
    Reply AuthKeys(Request& req);
    Reply AuthRotateKey(Request& req);
    /// The caller of a signed access token, from memory; an unauthenticated Identity when it
    /// is not valid.
    Identity AccessTokenIdentity(std::string_view token) const;
    Reply StreamKeyReply(const core::User& user, const Request& req);
    // jobs
    Reply Generate(Request& req);
    Reply ListJobs(Request& req);
    Reply GetJob(Request& req);
    Reply GetJobLogs(Request& req);
    Reply CancelJob(Request& req);
    Reply RetryJob(Request& req);
    Reply RegenerateScene(Request& req);
    // content
    Reply ListContent(Request& req);
    Reply GetContent(Request& req);
    Reply PatchContent(Request& req);
    Reply DeleteContent(Request& req);
    Reply PublishContent(Request& req);
    Reply UnpublishContent(Request& req);
    Reply ContentAssets(Request& req);
    Reply SetPublished(std::int64_t id, bool published);
    // engines
    Reply Engines(Request& req);
    Reply Voices(Request& req);
    Reply System(Request& req);
    // playlists
    Reply ListPlaylists(Request& req);
    Reply CreatePlaylist(Request& req);
    Reply GetPlaylist(Request& req);
    Reply PatchPlaylist(Request& req);
    Reply DeletePlaylist(Request& req);
    Reply InsertIntoPlaylist(Request& req);
    Reply PlaylistNow(Request& req);
    // events, media, live
    Reply EventsWithoutUpgrade(Request& req);
    Reply Media(Request& req);
    Reply Live(Request& req);
    Reply Tuner(Request& req);
    // answers from memory (see HandleFast)
    std::optional<Reply> HealthFast(Request& req);
    std::optional<Reply> MediaFast(Request& req);
    std::optional<Reply> GetJobFast(Request& req);
    std::optional<Reply> ListContentFast(Request& req);
    std::optional<Reply> LiveFast(Request& req);
    struct CachedBody;
    /// True when a cached body may be answered from memory now (callers hold its lock).
    bool StillAnswerable(CachedBody& c, std::chrono::steady_clock::time_point now) const;

    ServerDeps& deps_;
    const ServerOptions& options_;
    LoginThrottle throttle_;
    AccountThrottle account_throttle_;  // failed sign-ins per account name
    Router<Route> router_;
    Router<const ExtensionSocket*> socket_router_;
    std::size_t max_body_limit_ = 0;
    /// API tokens, sessions and stream keys the database confirmed (revoked at once by token
    /// delete, logout, password change and stream-key rotation).
    CredentialCache credentials_;
    /// Bumped by every event on the bus and after every state-changing request: a cached body
    /// built at an older generation is not answered from memory.
    std::atomic<std::uint64_t> generation_{0};
    std::uint64_t bus_subscription_ = 0;
    struct CachedBody {
        std::shared_ptr<const std::string> body;
        std::string fingerprint;  // job details: what the database said when it was built
        bool final = false;       // job details: completed, failed or canceled
        std::uint64_t generation = 0;
        std::chrono::steady_clock::time_point checked{};
        bool refreshing = false;  // past its time, one request was sent to the database
    };
    /// GET /jobs/{id} bodies by job id, with the fingerprint they were built at.
    std::mutex job_cache_mu_;
    std::unordered_map<std::int64_t, CachedBody> job_cache_;
    /// The object store's root, kept open for /media (see Media).
    std::mutex media_root_mu_;
    FileDescriptor media_root_fd_;
    std::filesystem::path media_root_path_;
    /// GET /content bodies by query string.
    std::mutex content_cache_mu_;
    std::unordered_map<std::string, CachedBody> content_cache_;
};

}  // namespace beacon::server
