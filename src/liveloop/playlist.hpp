#pragma once
/// Live HLS playlists from the committed timeline and the channel clock. Pure: no I/O.
///
/// Every playlist of a channel is computed from the same Window, so the media sequence,
/// discontinuity sequence, discontinuity positions and program date-times agree across the
/// video, audio and subtitle renditions by construction.
#include <cstdint>
#include <string>
#include <vector>

#include "liveloop/timeline.hpp"

namespace beacon::liveloop {

/// One segment position in the window (the same for every rendition).
struct WindowSegment {
    const Occurrence* occurrence = nullptr;
    const CatalogItem* item = nullptr;
    int index = 0;           // segment index inside the item
    UnixMillis start = 0;    // scheduled wall-clock start (the PDT)
    std::int64_t msn = 0;
    bool discontinuity = false;  // an item boundary precedes it (never on the first)
};

struct Window {
    std::vector<WindowSegment> segments;
    std::int64_t media_sequence = 0;
    std::int64_t discontinuity_sequence = 0;
    /// When the window changes next (the start of the first unpublished segment); the
    /// playlists can be cached until then.
    UnixMillis next_change = 0;
};

/// The last `window_segments` segments whose start <= now, from the contiguous run of
/// occurrences ending at the one on air (a numbering or time gap ends the window: see
/// Reconcile). Empty when nothing has started yet.
Window ComputeWindow(const ChannelState& s, const Catalog& catalog, UnixMillis now,
                     int window_segments);

enum class RenditionKind { kVideo, kAudio, kMuxed, kSubtitles };
struct Rendition {
    RenditionKind kind = RenditionKind::kVideo;
    std::string language;  // audio, muxed and subtitles only
};

/// How segment URIs are written: relative to the channel's playlists, one name per (rendition,
/// MSN): `v/<msn>.ts`, `a/<lang>/<msn>.ts`, `m/<lang>/<msn>.ts`, `s/<lang>/<msn>.vtt`. The
/// server answers them with the library item's own segment, its timestamps moved onto the
/// channel's timeline (see LiveLoopService::Handle).
struct UriScheme {
    std::string query;  // "" or "?key=..."
};

/// The live media playlist of one rendition. Audio and muxed fall back to the item's original
/// language; subtitles to empty WebVTT segments. EXTINF of each segment is the rendition's own
/// duration; PDT is the video grid's scheduled start.
std::string RenderMediaPlaylist(const Window& w, const Rendition& r, int target_duration,
                                const UriScheme& uris);

/// What the multivariant playlist announces.
struct MasterInfo {
    std::vector<std::string> audio_languages;     // first = DEFAULT
    std::vector<std::string> subtitle_languages;
    std::int64_t bandwidth = 0;
    int width = 0;
    int height = 0;
    double fps = 25;
    std::string video_codecs;
    std::string audio_codecs;
    std::string query;  // appended to the media playlist URIs
};
/// Summarises the catalog's items for the multivariant playlist (max resolution/bandwidth,
/// the first item's codecs).
MasterInfo DescribeChannel(const ChannelState& s, const Catalog& catalog,
                           const std::vector<std::int64_t>& items);
std::string RenderMasterPlaylist(const MasterInfo& info);

/// The body of an empty WebVTT segment whose cue clock maps to `mpegts` (90 kHz).
std::string EmptyWebVtt(std::int64_t mpegts);
/// A display name for a language tag ("en" → "English"); the tag itself when unknown.
std::string LanguageName(const std::string& tag);

}  // namespace beacon::liveloop
