#pragma once
/// Internal: the request/reply shapes handlers work with (Beast message inside, our fields around).
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/beast/http.hpp>

#include "core/mem_file.hpp"
#include "server/body_chunk.hpp"
#include "server/router.hpp"

namespace beacon::server {

namespace http = boost::beast::http;

/// Who is calling, and how they proved it.
struct Identity {
    enum class Via { kNone, kSession, kBearer, kStreamKey };
    Via via = Via::kNone;
    std::int64_t user_id = 0;
    std::string csrf_token;    // sessions only
    std::string session_hash;  // sessions only
    std::string stream_key;    // stream-key callers only
    std::int64_t token_id = 0;    // opaque API token callers: the token's id
    std::string access_family;    // signed access token callers: the token's refresh family
    bool authenticated() const { return via != Via::kNone; }
};

struct Request {
    http::request<http::string_body> msg;
    std::string method;  // "GET", "POST", ...
    std::string raw_path;
    std::vector<std::string> segments;  // decoded path segments
    std::map<std::string, std::string, std::less<>> query;
    PathParams params;
    /// The pattern of the route the router matched ("/live/{slug}/v/{file}"), once it did; empty
    /// before dispatch and when none matched. Points into the router, which outlives requests.
    std::string_view route;
    std::string client;  // remote address, for throttling
    Identity who;
    /// The body's file when the route spools bodies to disk (ExtensionRoute::spool_body_to_file)
    /// and the request had one; empty otherwise.
    std::string body_file;

    std::string Header(http::field f) const {
        auto it = msg.find(f);
        return it == msg.end() ? std::string() : std::string(it->value());
    }
    std::string Header(std::string_view name) const {
        auto it = msg.find(name);
        return it == msg.end() ? std::string() : std::string(it->value());
    }
    std::string Query(std::string_view name) const {
        auto it = query.find(name);
        return it == query.end() ? std::string() : it->second;
    }
    bool HasQuery(std::string_view name) const { return query.find(name) != query.end(); }
};

/// An open file descriptor; closes on destruction. Move-only.
class FileDescriptor {
public:
    FileDescriptor() = default;
    explicit FileDescriptor(int fd) : fd_(fd) {}
    FileDescriptor(FileDescriptor&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
    FileDescriptor& operator=(FileDescriptor&& o) noexcept;
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    ~FileDescriptor();
    int get() const { return fd_; }
    bool valid() const { return fd_ >= 0; }

private:
    int fd_ = -1;
};

struct Reply {
    unsigned status = 200;
    std::string content_type = "application/json";
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    /// When set: the body, shared with a cache (sent instead of `body`, never copied).
    std::shared_ptr<const std::string> shared_body;
    FileDescriptor file;  // when valid: send [file_offset, file_offset + file_length) as the body
    std::uint64_t file_offset = 0;
    std::uint64_t file_length = 0;
    /// When set (and `file` is not): the body is [file_offset, file_offset + file_length) of
    /// this in-memory file shared with a cache, sent from the cache's own descriptor (sendfile
    /// and pread take explicit offsets): no dup and close per request.
    std::shared_ptr<const core::MemFile> shared_file;
    bool close = false;  // close the connection after this reply
    /// When set (status 200): an endless body with no length, sent until `stream` says end or
    /// the client goes away, then the connection closes. Called on the blocking pool, once per
    /// chunk and only after the previous chunk was written (a slow client holds one chunk).
    std::function<BodyChunk()> stream;

    void AddHeader(std::string name, std::string value) {
        headers.emplace_back(std::move(name), std::move(value));
    }
};

}  // namespace beacon::server
