#pragma once
/// Internal to LiveLoopService's implementation files (service.cpp, service_segments.cpp):
/// shared helpers and the per-channel state. Not part of the module's interface.
#include <algorithm>
#include <array>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "liveloop/service.hpp"
#include "media/ts_rewrite.hpp"

namespace beacon::liveloop::internal {

using core::Error;
using core::ErrorCode;
using core::UnixMillis;

inline constexpr std::int64_t kRetryFailedItemMs = 60000;
inline constexpr std::int64_t kGuideCacheMs = 30000;
inline constexpr std::size_t kMaxNext = 5;
inline constexpr const char* kPlaylistType = "application/vnd.apple.mpegurl";
inline constexpr std::size_t kSegmentCacheBytes = 192u << 20;
inline constexpr std::int64_t kClockWrap = media::kTsClockWrap;

/// An error in the server's JSON error shape: {"error":{"code":...,"message":...}}.
inline LiveAnswer Text(unsigned status, std::string message) {
    LiveAnswer a;
    a.status = status;
    a.content_type = "application/json";
    a.cache_control = "no-store";
    const char* code = status == 400   ? "invalid_argument"
                       : status == 401 ? "unauthorized"
                       : status == 403 ? "forbidden"
                       : status == 404 ? "not_found"
                       : status == 503 ? "unavailable"
                                       : "internal";
    a.body = nlohmann::json{{"error", {{"code", code}, {"message", std::move(message)}}}}.dump(
        -1, ' ', false, nlohmann::json::error_handler_t::replace);
    return a;
}

inline LiveAnswer FromError(const Error& e) {
    switch (e.code) {
        case ErrorCode::kNotFound: return Text(404, e.message);
        case ErrorCode::kInvalidArgument: return Text(400, e.message);
        case ErrorCode::kUnavailable: return Text(503, e.message);
        default: return Text(500, e.message);
    }
}

inline bool IsSlug(std::string_view s) {
    return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    });
}

inline bool IsDigits(std::string_view s) {
    return !s.empty() && s.size() <= 15 &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

inline std::vector<std::string_view> Split(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    while (true) {
        auto pos = s.find(sep, start);
        out.push_back(s.substr(start, pos == std::string_view::npos ? pos : pos - start));
        if (pos == std::string_view::npos) break;
        start = pos + 1;
    }
    return out;
}

/// The channel's 90 kHz clock at wall-clock time `ms`: continuous across back-to-back plays.
inline std::int64_t ChannelClock(UnixMillis ms) {
    const std::int64_t v = (ms * 90) % kClockWrap;  // |ms * 90| < 2^63 for any real clock
    return v < 0 ? v + kClockWrap : v;
}

inline std::string QueryValue(std::string_view query, std::string_view name) {
    for (auto part : Split(query, '&')) {
        if (part.size() > name.size() && part.substr(0, name.size()) == name &&
            part[name.size()] == '=') {
            return std::string(part.substr(name.size() + 1));
        }
    }
    return {};
}

inline std::string ManifestKey(std::int64_t id) {
    return "library/" + std::to_string(id) + "/hls/segments.json";
}

}  // namespace beacon::liveloop::internal

namespace beacon::liveloop {

struct LiveLoopService::Channel {
    core::Playlist playlist;
    Schedule schedule;
    std::string schedule_error;
    ChannelState state;
    Catalog catalog;
    bool dirty = true;
    Window window;
    UnixMillis window_from = 0;
    UnixMillis window_until = 0;  // the window (and bodies) hold until then
    std::map<std::string, std::string, std::less<>> bodies;  // rendition + key → playlist
    UnixMillis persisted_at = 0;  // channel clock at the last write
    std::map<std::int64_t, std::string> item_errors;
    /// CC additions per (rendition, occurrence first MSN): see CcAddLocked.
    std::map<std::pair<std::string, std::int64_t>, std::array<std::uint8_t, 8192>> cc_add;
    /// Segments answered 200 from the cache, per (rendition, MSN), with the play they belong
    /// to: what PublishLocked may publish (while that play is still the MSN's).
    struct Answered {
        std::int64_t content_id = 0;
        UnixMillis start = 0;
        std::shared_ptr<CachedSegment> segment;
    };
    std::map<std::pair<std::string, std::int64_t>, Answered, std::less<>> answered;
};

/// An immutable snapshot per channel slug, read by TryCachedSegment without the lock.
struct LiveLoopService::FastTable {
    struct Segment {
        std::string rendition;  // "v", "a/<lang>", "m/<lang>", "s/<lang>"
        std::int64_t msn = 0;
        std::shared_ptr<CachedSegment> segment;
    };
    struct Channel {
        std::int64_t id = 0;
        // The channel clock as RefreshLocked left it (AdvanceClock's inputs).
        UnixMillis clock_floor = 0;
        UnixMillis skew_ms = 0;
        UnixMillis window_from = 0;
        UnixMillis window_until = 0;
        UnixMillis grace_until = 0;  // cached segments keep being answered until then
        std::int64_t first_msn = 0;  // the oldest play's first MSN
        std::int64_t end_msn = 0;    // one past the newest play's last MSN
        std::vector<Segment> segments;  // sorted by (rendition, msn)
        /// Set by the first reader that finds the window's time up: that one goes the long way
        /// (and refreshes); the others keep answering cached segments until grace_until.
        mutable std::atomic<bool> refresh_claimed{false};
    };
    std::map<std::string, std::shared_ptr<const Channel>, std::less<>> channels;  // by slug
};

}  // namespace beacon::liveloop
