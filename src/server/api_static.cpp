#include "server/api.hpp"
/// Files: the web UI, /media (object store), /live (LiveLoop), with Range and ETag.


#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cinttypes>
#include <cstdio>

#include "jobs/event_bus.hpp"
#include "server/api_validation.hpp"
#include "server/http_util.hpp"
#include "storage/database.hpp"
#include "storage/object_store.hpp"

namespace beacon::server {

using core::Json;
using namespace api_detail;

namespace {

std::string HexU64(std::uint64_t v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%" PRIx64, v);
    return buf;
}

}  // namespace

// ---- files -----------------------------------------------------------------------------------

FileDescriptor Api::OpenBeneath(const std::filesystem::path& root, std::string_view relative) {
    int dir = ::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) return FileDescriptor();
    FileDescriptor root_fd(dir);
    return OpenBeneathAt(dir, relative);
}

FileDescriptor Api::OpenBeneathAt(int dir, std::string_view relative) {
    // The kernel resolves the path and refuses any step (a symlink or "..") that leaves root.
    open_how how{};
    how.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
    std::string rel(relative);
    long fd = ::syscall(SYS_openat2, dir, rel.c_str(), &how, sizeof how);
    if (fd >= 0) return FileDescriptor(static_cast<int>(fd));
    if (errno != ENOSYS) return FileDescriptor();
    // Kernels before 5.6: no symlink is followed at all.
    int at = dir;
    FileDescriptor step;
    std::string_view rest = relative;
    while (!rest.empty()) {
        auto slash = rest.find('/');
        std::string part(rest.substr(0, slash));
        rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
        int flags = O_CLOEXEC | O_NOFOLLOW | (rest.empty() ? O_RDONLY : (O_PATH | O_DIRECTORY));
        int next = ::openat(at, part.c_str(), flags);
        if (next < 0) return FileDescriptor();
        step = FileDescriptor(next);
        at = next;
    }
    return step;
}

Reply Api::ServeFile(const std::filesystem::path& path, const Request& req,
                     std::string cache_control, const std::string& content_type) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Error(404, "not_found", "no such file");
    return ServeOpenFile(FileDescriptor(fd), path, req, std::move(cache_control), content_type);
}

Reply Api::ServeOpenFile(FileDescriptor file, const std::filesystem::path& path,
                         const Request& req, std::string cache_control,
                         const std::string& content_type) {
    const int fd = file.get();
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return Error(404, "not_found", "no such file");
    auto size = static_cast<std::uint64_t>(st.st_size);
    auto mtime_ns = static_cast<std::uint64_t>(st.st_mtim.tv_sec) * 1'000'000'000ULL +
                    static_cast<std::uint64_t>(st.st_mtim.tv_nsec);
    std::string etag = "\"" + HexU64(size) + "-" + HexU64(mtime_ns) + "\"";
    std::string last_modified = HttpDate(st.st_mtim.tv_sec);

    Reply r;
    r.content_type = content_type.empty() ? std::string(ContentTypeFor(path.string())) : content_type;
    r.AddHeader("ETag", etag);
    r.AddHeader("Last-Modified", last_modified);
    r.AddHeader("Cache-Control", std::move(cache_control));
    r.AddHeader("Accept-Ranges", "bytes");

    std::string inm = req.Header(http::field::if_none_match);
    bool not_modified = false;
    if (!inm.empty()) {
        not_modified = inm == "*" || inm.find(etag) != std::string::npos;
    } else if (auto ims = ParseHttpDate(req.Header(http::field::if_modified_since))) {
        not_modified = st.st_mtim.tv_sec <= *ims;
    }
    if (not_modified) {
        r.status = 304;
        r.content_type.clear();
        return r;
    }

    std::string range_header = req.Header(http::field::range);
    std::string if_range = req.Header(http::field::if_range);
    bool range_applies = !range_header.empty() &&
                         (if_range.empty() || if_range == etag || if_range == last_modified);
    RangeResult range = range_applies ? ParseRange(range_header, size) : RangeResult{};
    if (range.kind == RangeKind::kUnsatisfiable) {
        Reply e = Error(416, "range_not_satisfiable",
                        "the requested range is outside the file (" + std::to_string(size) +
                            " bytes)");
        e.AddHeader("Content-Range", "bytes */" + std::to_string(size));
        return e;
    }
    if (range.kind == RangeKind::kSatisfiable) {
        r.status = 206;
        r.file_offset = range.range.first;
        r.file_length = range.range.length;
        r.AddHeader("Content-Range", "bytes " + std::to_string(range.range.first) + "-" +
                                         std::to_string(range.range.first + range.range.length - 1) +
                                         "/" + std::to_string(size));
    } else {
        r.file_offset = 0;
        r.file_length = size;
    }
    r.file = std::move(file);
    return r;
}

Reply Api::Static(Request& req) {
    if (options_.web_root.empty()) {
        return Error(404, "not_found", "the web UI is not configured (no web root)");
    }
    const auto index = options_.web_root / "index.html";
    std::filesystem::path path = options_.web_root;
    bool root = req.segments.size() == 1 && req.segments[0].empty();
    bool hidden = false;
    for (const auto& seg : req.segments) {
        if (!seg.empty() && seg.front() == '.') hidden = true;
        if (!seg.empty()) path /= seg;
    }
    if (!root && !hidden) {
        struct stat st {};
        if (::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
            bool hashed = !req.segments.empty() && req.segments[0] == "assets";
            return ServeFile(path, req, hashed ? "public, max-age=31536000, immutable" : "no-cache");
        }
        const std::string& last = req.segments.back();
        bool looks_like_file = last.find('.') != std::string::npos;
        if (hidden || looks_like_file || req.segments[0] == "assets") {
            return Error(404, "not_found", "no such file: " + req.raw_path);
        }
    }
    if (hidden) return Error(404, "not_found", "no such file: " + req.raw_path);
    Reply r = ServeFile(index, req, "no-cache");
    if (r.status == 404) {
        return Error(404, "not_found",
                     "the web UI is not built (no index.html in the web root; build web/ first)");
    }
    return r;
}

Reply Api::Media(Request& req) {
    std::string key = req.params["key"];
    if (!ValidMediaKey(key)) {
        return Error(400, "invalid_argument", "invalid media key (lowercase a-z 0-9 / . _ - only)");
    }
    if (req.who.via == Identity::Via::kStreamKey) {
        // The key grants the channels' playlists and segments under /live/ (which serve only
        // what a channel published), never the library's files themselves.
        return Error(403, "forbidden",
                     "the stream key opens /live/ channels only; sign in for library media");
    }
    auto path = deps_.store.LocalPath(key);
    if (path.empty()) return Error(404, "not_found", "media is not stored on this machine: " + key);
    std::filesystem::path root = path;  // LocalPath is root/key
    for (auto n = std::count(key.begin(), key.end(), '/') + 1; n > 0; --n) root = root.parent_path();
    // The media root stays open (one open and close fewer per request); it never moves.
    int root_fd = -1;
    {
        std::lock_guard lock(media_root_mu_);
        if (!media_root_fd_.valid() || media_root_path_ != root) {
            int fd = ::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
            if (fd >= 0) {
                media_root_fd_ = FileDescriptor(fd);
                media_root_path_ = root;
            }
        }
        if (media_root_path_ == root) root_fd = media_root_fd_.get();
    }
    auto opened = root_fd >= 0 ? OpenBeneathAt(root_fd, key) : OpenBeneath(root, key);
    if (!opened.valid()) return Error(404, "not_found", "no media at " + key);
    std::string ext = std::filesystem::path(key).extension().string();
    // Library files are rewritten in place when a scene is regenerated (same key, new bytes),
    // so nothing here may be cached as immutable: browsers revalidate (ETag/Last-Modified,
    // a 304 without a body when unchanged) and get the new bytes after a change.
    std::string cache = ext == ".m3u8" ? "no-cache" : "private, no-cache";
    Reply r = ServeOpenFile(std::move(opened), path, req, cache);
    if (r.status == 404) return Error(404, "not_found", "no media at " + key);
    return r;
}

Reply Api::Live(Request& req) {
    if (!deps_.live_handler) {
        return Error(503, "unavailable", "LiveLoop is not running in this server");
    }
    LiveRequest live;
    for (std::size_t i = 1; i < req.segments.size(); ++i) {
        live.path += (i > 1 ? "/" : "") + req.segments[i];
    }
    live.query = req.query;
    live.authenticated = req.who.authenticated();
    live.user_id = req.who.user_id;
    live.stream_key = req.who.stream_key;
    if (live.stream_key.empty()) {
        auto user = deps_.db.GetUserById(req.who.user_id);
        if (user.ok()) live.stream_key = user->stream_key;
    }
    live.base_url = BaseUrl(req);
    auto res = deps_.live_handler(live);
    if (!res.ok()) return Error(res.error());
    LiveResponse& lr = *res;
    if (!lr.file.empty()) {
        Reply r = ServeFile(lr.file, req, lr.cache_control, lr.content_type);
        return r;
    }
    Reply r;
    r.status = lr.status;
    r.content_type = lr.content_type;
    r.body = std::move(lr.body);
    r.shared_body = std::move(lr.shared_body);
    r.stream = std::move(lr.stream);
    if (!lr.cache_control.empty()) r.AddHeader("Cache-Control", lr.cache_control);
    return r;
}

std::optional<Reply> Api::LiveFast(Request& req) {
    if (!deps_.live_cached) return std::nullopt;
    LiveRequest live;
    for (std::size_t i = 1; i < req.segments.size(); ++i) {
        live.path += (i > 1 ? "/" : "") + req.segments[i];
    }
    live.authenticated = req.who.authenticated();
    live.user_id = req.who.user_id;
    auto lr = deps_.live_cached(live);
    if (!lr) return std::nullopt;
    Reply r;
    r.status = lr->status;
    r.content_type = std::move(lr->content_type);
    r.body = std::move(lr->body);
    r.shared_body = std::move(lr->shared_body);
    if (lr->shared_file) {
        // The cached file itself, sent with sendfile from the cache's descriptor (kept open
        // by the shared pointer until the reply is written).
        r.file_offset = 0;
        r.file_length = lr->shared_file->size();
        r.shared_file = std::move(lr->shared_file);
    }
    if (!lr->cache_control.empty()) r.AddHeader("Cache-Control", lr->cache_control);
    return r;
}

std::optional<Reply> Api::MediaFast(Request& req) { return Media(req); }

Reply Api::Tuner(Request& req) {
    if (!deps_.tuner_handler) {
        return Error(404, "not_found",
                     "the HDHomeRun tuner is off ([liveloop] hdhomerun = true turns it on)");
    }
    LiveRequest tuner;
    tuner.path = req.segments.empty() ? std::string() : req.segments.back();
    tuner.query = req.query;
    tuner.base_url = BaseUrl(req);
    // The lineup's stream URLs carry the owner's stream key (made on first use, as in Settings).
    auto owner = deps_.db.GetUserByName("admin");
    if (owner.ok()) {
        if (owner->stream_key.empty()) {
            owner->stream_key = RandomToken(24);
            if (auto s = deps_.db.SetStreamKey(owner->id, owner->stream_key); !s.ok()) {
                return Error(s.error());
            }
        }
        tuner.user_id = owner->id;
        tuner.stream_key = owner->stream_key;
    }
    auto res = deps_.tuner_handler(tuner);
    if (!res.ok()) return Error(res.error());
    Reply r;
    r.status = res->status;
    r.content_type = res->content_type;
    r.body = std::move(res->body);
    r.AddHeader("Cache-Control", "no-store");
    return r;
}

Reply Api::EventsWithoutUpgrade(Request&) {
    return Error(400, "invalid_argument",
                 "GET /api/v1/events is a WebSocket: send an Upgrade: websocket request");
}

}  // namespace beacon::server
