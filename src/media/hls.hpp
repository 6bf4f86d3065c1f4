#pragma once
/// HLS VOD packaging of a house-format MP4 into MPEG-TS segments (stream copy, no re-encode):
/// a video-only rendition, one audio-only rendition per language on the same grid, WebVTT
/// subtitle renditions with X-TIMESTAMP-MAP, the master playlist and segments.json (the
/// machine-readable manifest LiveLoop reads). Playlist text is made by pure functions.
#include <map>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "media/captions.hpp"
#include "media/options.hpp"
#include "media/runner.hpp"

namespace beacon::media {

struct Segment {
    std::string uri;      // relative to the playlist's folder (e.g. "seg_00000.ts")
    double duration = 0;  // seconds
};

/// Segments listed in a media playlist (EXTINF + URI lines); error on malformed input.
core::Result<std::vector<Segment>> ParseMediaPlaylist(const std::string& m3u8);

/// A VOD media playlist; TARGETDURATION = max(target, rounded EXTINFs).
std::string WriteMediaPlaylist(const std::vector<Segment>& segments, int target_duration);

struct AudioRendition {
    std::string language;   // "en"
    std::string name;       // "English"
    bool original = false;  // DEFAULT=YES only here
    std::string uri;        // "audio_en/index.m3u8"
};
struct SubtitleRendition {
    std::string language;
    std::string name;
    std::string uri;  // "subs_en/index.m3u8"
};
struct MasterSpec {
    int bandwidth = 0;  // peak bits per second (video + audio)
    int average_bandwidth = 0;
    std::string codecs;  // "avc1.640028,mp4a.40.2"
    int width = 0;
    int height = 0;
    int fps = 25;
    std::string video_uri = "video/index.m3u8";
    std::vector<AudioRendition> audio;
    std::vector<SubtitleRendition> subtitles;
};
std::string WriteMasterPlaylist(const MasterSpec& spec);

/// WebVTT segments on the video grid: each holds every cue shown during its span (full cue
/// times) and maps LOCAL 0 to `first_pts` seconds of MPEG-TS time.
std::vector<std::string> SubtitleSegments(const std::vector<Cue>& cues,
                                          const std::vector<Segment>& video_segments,
                                          double first_pts);

/// "avc1.PPCCLL" from profile name and level_idc (High, 40 → "avc1.640028").
std::string AvcCodecString(const std::string& profile, int level);
/// English name of a language code for NAME= (the code itself when unknown).
std::string LanguageName(const std::string& code);

struct HlsLanguage {
    std::string code;        // "en"
    std::string audio_file;  // a file with the language's audio (house AAC); empty = the MP4's
    std::vector<Cue> cues;   // captions in that language (may be empty: no subtitle rendition)
    bool original = false;
};

struct HlsResult {
    std::string manifest_json;       // segments.json text (also written to the folder)
    std::vector<std::string> files;  // every file written, relative to the folder
    double first_pts = 0;
};

/// Packages `mp4` (house format) into `out_dir` (created; should be empty): video/, audio_<l>/,
/// subs_<l>/, muxed_<l>/ (video + that language's audio in one TS per segment, for IPTV
/// clients), master.m3u8, segments.json.
core::Result<HlsResult> PackageHls(const MediaOptions& opts, const std::string& mp4,
                                   const std::vector<HlsLanguage>& languages,
                                   const std::string& out_dir, const RunOptions& run);

/// Upgrades an item packaged before muxed renditions existed: adds muxed_<lang>/ for every audio
/// language of `hls_dir`/segments.json (stream copy of its own video and audio segments, no
/// re-encode) and rewrites segments.json. Returns false when the item already has them.
core::Result<bool> AddMuxedRenditions(const MediaOptions& opts, const std::string& hls_dir,
                                      const RunOptions& run);

}  // namespace beacon::media

namespace beacon::media {

/// `master` (a master playlist WriteMasterPlaylist made) with an audio and/or a subtitle
/// rendition added (either may be null), each after the last of its type; the variant gains
/// SUBTITLES="subs" when it had none. Pure.
std::string MasterWithLanguage(const std::string& master, const AudioRendition* audio,
                               const SubtitleRendition* subtitles);
/// `master` without the renditions whose LANGUAGE is `code`; SUBTITLES= is dropped from the
/// variant when no subtitle rendition is left. Pure.
std::string MasterWithoutLanguage(const std::string& master, const std::string& code);

/// Adds language `lang` to the package in `hls_dir` (made by PackageHls from `mp4`): with
/// lang.audio_file, audio_<code>/ (AAC on the video's segment grid, aligned like PackageHls)
/// and muxed_<code>/; with lang.cues, subs_<code>/. The new folders are written first, then
/// segments.json and master.m3u8 are each replaced atomically (temp file + rename, master
/// last), so a reader sees the old package or the new one. A failure removes what it wrote.
/// Conflict when the package already has that language (remove it first).
core::Result<HlsResult> AddHlsLanguage(const MediaOptions& opts, const std::string& hls_dir,
                                       const std::string& mp4, const HlsLanguage& lang,
                                       const RunOptions& run);
/// Removes language `code` from the package: master.m3u8 and segments.json first (atomically),
/// then its folders. NotFound when the package has no such language; InvalidArgument for the
/// original (first) audio language.
core::Status RemoveHlsLanguage(const std::string& hls_dir, const std::string& code);

}  // namespace beacon::media
