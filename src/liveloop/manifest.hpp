#pragma once
/// The machine-readable description of one library item's HLS packaging
/// (`library/<id>/hls/segments.json`, see the shared layout). LiveLoop reads this instead of
/// parsing the item's VOD playlists. Pure: no I/O.
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace beacon::liveloop {

/// One segment file, relative to the item's hls/ folder, and its exact duration in seconds.
struct SegmentRef {
    std::string uri;
    double duration = 0;
};

/// One language's segments (audio-only TS or WebVTT), on the same grid as the video.
struct Track {
    std::string language;
    std::vector<SegmentRef> segments;
};

struct ItemManifest {
    int version = 1;
    double segment_seconds = 4;
    double fps = 25;
    int width = 0;
    int height = 0;
    double duration = 0;  // seconds
    std::string video_codecs;  // e.g. avc1.640028; empty when the manifest does not say
    std::string audio_codecs;  // e.g. mp4a.40.2
    std::vector<SegmentRef> video;
    /// Audio tracks in the order of the file; the first is the original language unless the
    /// manifest names `original_language`, in which case that track is moved first.
    std::vector<Track> audio;
    std::vector<Track> subtitles;
    /// Video + one language's audio in one TS per segment (for IPTV clients and stream.ts), on
    /// the video grid; empty for items packaged before muxed renditions existed.
    std::vector<Track> muxed;
    double first_pts = 0;  // seconds: the first video PTS (for X-TIMESTAMP-MAP)
    double muxed_first_pts = 0;  // seconds: the first video PTS of the muxed segments
    /// Tracks dropped because they do not follow the video grid (their segment count differs).
    std::vector<std::string> warnings;

    /// The track for `language`, or nullptr.
    const Track* Audio(std::string_view language) const;
    const Track* Subtitles(std::string_view language) const;
    const Track* Muxed(std::string_view language) const;
    /// The original audio language (audio[0]).
    const std::string& OriginalLanguage() const { return audio.front().language; }
    /// The largest EXTINF of any track, rounded to the nearest integer (what TARGETDURATION
    /// must cover).
    int MaxRoundedDuration() const;
};

/// Parses and validates segments.json. Errors (kInvalidArgument) name the offending field:
/// wrong types, version != 1, no video segments, a non-positive or non-finite duration, a URI
/// that is not a relative store path ([a-z0-9/._-], no "..", no leading '/'), a language tag
/// that is not [a-z0-9-]{1,16}, or no audio track on the video grid (a channel cannot play an
/// item without audio: MSE waits for it). Audio or subtitle tracks whose segment count differs
/// from the video's are dropped with a warning.
core::Result<ItemManifest> ParseManifest(std::string_view text);

/// True when `uri` is a safe relative path inside the item's hls/ folder.
bool IsSafeRelativeUri(std::string_view uri);
/// True when `lang` is a language tag LiveLoop accepts in names and URLs: [a-z0-9-]{1,16}.
bool IsValidLanguageTag(std::string_view lang);

}  // namespace beacon::liveloop
