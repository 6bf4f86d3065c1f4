#pragma once
/// LiveLoop's I/O edge: channels from the database, item manifests from the object store,
/// answers for GET /live/* and the "now playing" API. No thread of its own and nothing per
/// channel or viewer: work happens only when a channel is polled, and a polled channel's
/// playlists are computed once per segment tick and then served from memory.
///
/// Thread-safety: every public method may be called concurrently (one mutex; the hot path, a
/// cached playlist, holds it for a string copy; a cached segment takes no lock at all, see
/// TryCachedSegment). Methods may block on the database and the object store (the server calls
/// them on its blocking pool).
#include <array>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "core/mem_file.hpp"
#include "core/model.hpp"
#include "core/result.hpp"
#include "liveloop/guide.hpp"
#include "liveloop/hdhomerun.hpp"
#include "liveloop/playlist.hpp"
#include "liveloop/timeline.hpp"

namespace beacon::storage {
class ChannelStore;
class ContentStore;
class ObjectStore;
}  // namespace beacon::storage

namespace beacon::liveloop {

struct LiveLoopOptions {
    int window_segments = 15;   // segments per live media playlist ([liveloop] window_segments)
    int horizon_seconds = 30;   // committed timeline ahead of now ([liveloop] horizon_seconds)
    int target_duration = 4;    // EXT-X-TARGETDURATION, s; = [media] segment_seconds
    int guide_hours = 24;       // how far guide.xml and Now() look ahead (projected), hours
    int slot_utc_offset_minutes = 0;  // scheduled slot times are in UTC + this (no time_zone)
    /// Scheduled slot times are wall-clock times in this zone ([liveloop] time_zone); null:
    /// UTC + slot_utc_offset_minutes. Immutable, shared with every channel's schedule.
    std::shared_ptr<const TimeZone> time_zone;
    /// true: a new channel numbers its first segment and discontinuity with the Unix time in
    /// seconds (numbers would stay above those of a lost state). Off by default: hls.js 1.7.4
    /// never starts playing with sequence numbers that large (measured). false: from 0.
    bool number_from_clock = false;
    /// "http://host:port" for absolute URLs when Handle is given none (e.g. from public_url).
    std::function<std::string()> public_base_url;
    /// The wall clock (ms since the epoch); NowMillis when empty. Tests inject their own.
    std::function<core::UnixMillis()> clock;
    /// Moderation: true for an item held back from playout (flagged for review); called under
    /// the service's lock, so it must be cheap and never call back. Empty: none held back.
    /// Tell OnContentChanged when an item's answer changes.
    std::function<bool(std::int64_t content_id)> held_back;
    /// A folder on a disk file system (the data folder's tmp/): rewritten segments are cached
    /// in unnamed files there, sent from the page cache like a static server's files (cheaper
    /// per request than a memfd). Empty, or a file system without O_TMPFILE: sealed memfds.
    std::string segment_file_dir;
};

/// One step of an endless body (GET /live/<slug>/stream.ts): bytes to send now, or how long to
/// wait before asking again, or the end.
struct StreamChunk {
    std::string bytes;
    int wait_ms = 0;
    bool end = false;
};

/// An HTTP answer for GET /live/<path>.
struct LiveAnswer {
    unsigned status = 200;
    std::string content_type;
    std::string cache_control = "no-cache";
    std::string body;
    std::filesystem::path file;  // non-empty: send this file instead of body (unused today)
    /// When set: the body, an in-memory file shared with the segment cache (TryCachedSegment;
    /// body is empty), for the server to send with sendfile.
    std::shared_ptr<const core::MemFile> shared_file;
    /// Set for endless bodies: the server calls it (on its blocking pool, never concurrently
    /// for one answer) after each chunk has been written, so a slow client holds at most one
    /// segment in the server. Body and file are then unused.
    std::function<StreamChunk()> stream;
};

class LiveLoopService {
public:
    /// Reads channels (playlists, committed state) from `channels`, their items from `library`
    /// and the items' files from `store`; all three must outlive the service.
    LiveLoopService(storage::ChannelStore& channels, storage::ContentStore& library,
                    storage::ObjectStore& store, LiveLoopOptions options);
    ~LiveLoopService();
    LiveLoopService(const LiveLoopService&) = delete;
    LiveLoopService& operator=(const LiveLoopService&) = delete;

    /// Answers GET /live/<path_after_live>:
    ///   channels.m3u, guide.xml, logo.svg,
    ///   <slug>/index.m3u8 (multivariant: video + alternate audio and subtitle renditions, for
    ///   web players), <slug>/video.m3u8, <slug>/audio_<lang>.m3u8, <slug>/subs_<lang>.m3u8,
    ///   <slug>/muxed_<lang>.m3u8 and <slug>/tv.m3u8[?lang=xx] (video + audio in one TS per
    ///   segment, for IPTV clients; tv = the channel's first language), <slug>/stream.ts[?lang=]
    ///   (one endless MPEG-TS from the live edge), and the segments those playlists name:
    ///   <slug>/v/<msn>.ts, <slug>/a/<lang>/<msn>.ts, <slug>/m/<lang>/<msn>.ts,
    ///   <slug>/s/<lang>/<msn>.vtt: the library item's own segment with its PTS/DTS/PCR moved
    ///   onto the channel's continuous 90 kHz timeline (wall-clock based, wrapping at 2^33) and
    ///   its continuity counters chained to the previous item's, so players never see a
    ///   timestamp reset at an item boundary (no transcoding).
    /// `stream_key_for_urls`, when non-empty, is appended as ?key= to every URL written.
    /// `base_url` ("http://host:port") makes the M3U/XMLTV URLs absolute; empty:
    /// options.public_base_url(). `query` is the raw query string (only `lang` is read).
    /// Errors are the JSON error shape: 401 when !authenticated; 404 unknown path, undeclared
    /// rendition, unknown or inactive channel, a segment no longer (or not yet) published;
    /// 503 (with a message) when an active channel has nothing playable.
    LiveAnswer Handle(std::string_view path_after_live, std::string_view query,
                      bool authenticated, std::string_view stream_key_for_urls,
                      std::string_view base_url = {});

    /// A channel segment (<slug>/v/<msn>.ts, <slug>/{a,m}/<lang>/<msn>.ts, <slug>/s/<lang>/
    /// <msn>.vtt) answered from memory only, for a caller already authenticated: the channel is
    /// loaded, its window is current and the rewritten bytes are cached (shared_file), or the
    /// answer is a 404 decided from memory. Reads an immutable table that the locked paths
    /// publish atomically (never takes the lock, never reads the database or the object
    /// store); nullopt when Handle must answer instead. A segment is in the table only once
    /// Handle has answered it with the same checks, and OnContentChanged/OnPlaylistChanged
    /// withdraw the table before they return. When the window's time is up, one caller gets
    /// nullopt (its Handle refreshes the channel and publishes again) while the others keep
    /// answering cached segments for up to two segment durations.
    std::optional<LiveAnswer> TryCachedSegment(std::string_view path_after_live);

    /// For GET /api/v1/playlists/{id}/now:
    /// {"now":{content_id,title,start,end}|null,"next":[{content_id,title,start,end}...]}
    /// (RFC 3339 times; next = up to 5 entries, beyond the committed horizon projected with the
    /// schedule as it is now). NotFound for an unknown playlist.
    core::Result<core::Json> Now(std::int64_t playlist_id);

    /// A playlist was created, changed or deleted: caches are dropped; the next extension of the
    /// committed timeline uses the new schedule.
    void OnPlaylistChanged(std::int64_t playlist_id);
    /// A library item was changed or deleted: its manifest is read again at the next refresh
    /// (this call does no I/O, so it may run on an event-publishing thread). A deleted item
    /// leaves the future of every channel; segments already published stay listed.
    void OnContentChanged(std::int64_t content_id);

    /// The channels of channels.m3u as an HDHomeRun lineup lists them: number, name, slug and
    /// the absolute URL of /live/<slug>/stream.ts (+ ?key=`key` when non-empty). `base_url` as
    /// for Handle. Reads the database only.
    core::Result<std::vector<TunerChannel>> TunerChannels(std::string_view base_url,
                                                          std::string_view key);

private:
    struct Channel;
    struct FastTable;  // what TryCachedSegment reads (service_internal.hpp)
    struct CachedText {
        std::string body;
        core::UnixMillis until = 0;
    };

    core::Result<std::shared_ptr<Channel>> ChannelBySlugLocked(std::string_view slug);
    core::Result<std::shared_ptr<Channel>> ChannelByIdLocked(std::int64_t id);
    core::Result<std::shared_ptr<Channel>> LoadChannelLocked(std::int64_t id);
    /// Brings a channel up to `wall`: clock, catalog, reconcile, extension, persistence, window.
    core::Status RefreshLocked(Channel& ch, core::UnixMillis wall);
    void EnsureItemsLocked(Channel& ch);
    std::shared_ptr<const CatalogItem> LoadItemLocked(std::int64_t id);
    void PersistLocked(Channel& ch);
    std::vector<Programme> ProjectLocked(Channel& ch, core::UnixMillis from,
                                         core::UnixMillis until, std::size_t max);
    LiveAnswer ChannelPlaylistLocked(Channel& ch, std::string_view file, std::string_view key);
    /// One channel segment (rendition "v", "a/<lang>", "m/<lang>", "s/<lang>"), rewritten; a
    /// 200 is also published for TryCachedSegment.
    LiveAnswer SegmentLocked(Channel& ch, const std::string& rendition, std::int64_t msn,
                             std::unique_lock<std::mutex>& lock);
    /// Publishes `ch` (its window's times and its cached segments that are still on it) in the
    /// table TryCachedSegment reads, replacing what was there for it.
    void PublishLocked(Channel& ch);
    /// Withdraws channel `id` from that table (it is off, gone or changed).
    void UnpublishLocked(std::int64_t id);
    /// Per-PID CC additions for an occurrence of `rendition` (chained from the previous one
    /// when it continues it); memoised per channel.
    const std::array<std::uint8_t, 8192>& CcAddLocked(Channel& ch, const std::string& rendition,
                                                      std::size_t occurrence);
    /// The object-store key of segment `index` of `item` in `rendition`; empty when absent.
    static std::string SegmentKey(const CatalogItem& item, const std::string& rendition,
                                  std::size_t index);
    StreamChunk NextStreamChunk(const std::string& slug, const std::string& lang,
                                std::int64_t& next_msn);
    std::string BaseUrl(std::string_view given) const;
    core::UnixMillis Wall() const;

    storage::ChannelStore& channel_store_;
    storage::ContentStore& library_;
    storage::ObjectStore& store_;
    LiveLoopOptions options_;
    std::mutex mu_;
    std::map<std::int64_t, std::shared_ptr<Channel>> channels_;
    std::map<std::string, std::int64_t, std::less<>> slugs_;
    /// Playable (or gone-but-described) items, shared by channels.
    std::map<std::int64_t, std::shared_ptr<const CatalogItem>> items_;
    /// Items that could not be loaded, and when to try again.
    std::map<std::int64_t, core::UnixMillis> failed_;
    /// Items to read again at the next refresh (OnContentChanged).
    std::set<std::int64_t> changed_items_;
    std::map<std::string, CachedText, std::less<>> guide_cache_;
    /// Rewritten segments ("<channel id>/<rendition>/<msn>/<item>@<start>"), least recently
    /// used dropped first beyond kSegmentCacheBytes. Entries are shared with the published
    /// table, whose readers mark them used without the lock.
    struct CachedSegment {
        std::shared_ptr<const core::MemFile> file;  // unnamed file or memfd: sent with sendfile
        std::atomic<std::uint64_t> used{0};
    };
    std::map<std::string, std::shared_ptr<CachedSegment>, std::less<>> segment_cache_;
    std::size_t segment_cache_bytes_ = 0;
    std::atomic<std::uint64_t> segment_cache_tick_{0};
    /// The table TryCachedSegment reads: replaced whole under mu_, read without it.
    std::atomic<std::shared_ptr<const FastTable>> fast_;
};

}  // namespace beacon::liveloop
