#pragma once
/// Internal: the route table and every handler. Handlers are blocking (database, hooks) and run on
/// the server's blocking pool, never on network threads.
#include <filesystem>
#include <mutex>
#include <unordered_map>
#include <string>
#include <vector>

#include "server/auth.hpp"
#include "server/http_types.hpp"
#include "server/router.hpp"
#include "server/server.hpp"

namespace beacon::server {

class Api {
public:
    Api(ServerDeps& deps, const ServerOptions& options);

    /// Routes, authenticates and answers one request. Never throws.
    Reply Handle(Request& req);
    /// Authenticates an events WebSocket upgrade (cookie, bearer header or ?token=).
    Identity AuthenticateWebSocket(const Request& req);
    /// True when the request targets the events WebSocket route.
    static bool IsEventsPath(std::string_view raw_path);

    std::vector<RouteInfo> Routes() const;

    /// A JSON error reply.
    static Reply Error(unsigned status, std::string_view code, std::string_view message);
    static Reply Error(const core::Error& e);
    static Reply Json(unsigned status, const core::Json& body);

    /// Serves a local file with ETag/Last-Modified, conditional GET and single Range.
    static Reply ServeFile(const std::filesystem::path& path, const Request& req,
                           std::string cache_control, std::string content_type = {});

private:
    enum class Access { kPublic, kUser, kUserOrStreamKey };
    using Method = Reply (Api::*)(Request&);
    struct Route {
        Access access = Access::kUser;
        Method method = nullptr;
    };

    void Add(const char* method, const char* pattern, Access access, Method fn);
    Identity Authenticate(const Request& req, bool allow_query_token, bool allow_stream_key);
    Reply Dispatch(Request& req);
    Reply Static(Request& req);
    std::string BaseUrl(const Request& req) const;
    /// Secure cookies when configured or when the public URL is https.
    bool SecureCookies() const;
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

    ServerDeps& deps_;
    const ServerOptions& options_;
    LoginThrottle throttle_;
    Router<Route> router_;
    /// GET /jobs/{id} bodies by job id, with the fingerprint they were built at.
    std::mutex job_cache_mu_;
    std::unordered_map<std::int64_t, std::pair<std::string, std::string>> job_cache_;
};

}  // namespace beacon::server
