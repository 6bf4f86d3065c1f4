#pragma once
/// Real library items in the house format for LiveLoop's integration tests and benchmark:
/// encoded with ffmpeg (H.264 High, 25 fps, closed GOP = one segment, AAC-LC 48 kHz stereo),
/// cut with -c copy into video-only and audio-only TS segments, described by a segments.json
/// written from the cut's own EXTINFs and the first video PTS (ffprobe).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "media/hls.hpp"
#include "media/ts_marker.hpp"
#include "storage/database.hpp"
#include "storage/object_store.hpp"

namespace beacon::liveloop::testing {

struct CommandResult {
    int rc = -1;
    std::string output;
};

inline CommandResult Run(const std::string& cmd) {
    CommandResult r;
    FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
    if (!p) return r;
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
    int status = ::pclose(p);
    r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

inline std::vector<std::pair<std::string, double>> ReadVodPlaylist(const std::filesystem::path& p) {
    std::ifstream in(p);
    std::vector<std::pair<std::string, double>> out;
    double dur = 0;
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("#EXTINF:", 0) == 0) {
            dur = std::stod(line.substr(8));
        } else if (!line.empty() && line[0] != '#') {
            out.emplace_back(line, dur);
        }
    }
    return out;
}

struct ItemSpec {
    std::string title;
    double seconds = 3.2;   // a multiple of 0.32 s: whole video frames and AAC frames
    int tone_hz = 440;
    bool subtitles = false;  // an "en" WebVTT track
    std::string language = "en";
};

/// Whether MakeHouseItem marks each rendition's first segment with the TS
/// discontinuity_indicator (ts_marker.hpp), as ingest should.
inline bool mark_item_start = true;

/// Encodes, cuts and stores one item; returns its content id, or -1 with `error` set.
inline std::int64_t MakeHouseItem(storage::Database& db, storage::ObjectStore& store,
                                  const std::filesystem::path& work, const ItemSpec& spec,
                                  int segment_seconds, std::string& error) {
    namespace fs = std::filesystem;
    core::Content c;
    c.title = spec.title;
    c.description = "Test item " + spec.title;
    auto row = db.CreateContent(c);
    if (!row.ok()) {
        error = row.error().message;
        return -1;
    }
    const std::int64_t id = row->id;
    const fs::path dir = work / ("item" + std::to_string(id));
    fs::create_directories(dir / "video");
    fs::create_directories(dir / ("audio_" + spec.language));
    const int gop = 25 * segment_seconds;
    char secs[32];
    std::snprintf(secs, sizeof secs, "%.2f", spec.seconds);
    const std::string mp4 = (dir / "item.mp4").string();
    auto enc = Run("ffmpeg -nostdin -y -hide_banner -loglevel error -f lavfi -i "
                   "testsrc2=size=320x180:rate=25 -f lavfi -i sine=frequency=" +
                   std::to_string(spec.tone_hz) + ":sample_rate=48000 -t " + secs +
                   " -map 0:v -map 1:a -c:v libx264 -profile:v high -pix_fmt yuv420p -preset "
                   "veryfast -g " + std::to_string(gop) + " -keyint_min " + std::to_string(gop) +
                   " -sc_threshold 0 -flags +cgop -c:a aac -b:a 96k -ar 48000 -ac 2 '" + mp4 + "'");
    if (enc.rc != 0) {
        error = "ffmpeg encode: " + enc.output;
        return -1;
    }
    auto cut = [&](const std::string& map, const std::string& folder) {
        return Run("ffmpeg -nostdin -y -hide_banner -loglevel error -i '" + mp4 + "' -map " + map +
                   " -c copy -f hls -hls_time " + std::to_string(segment_seconds) +
                   " -hls_playlist_type vod -hls_segment_filename '" +
                   (dir / folder / "seg_%05d.ts").string() + "' '" +
                   (dir / folder / "index.m3u8").string() + "'");
    };
    const std::string audio_folder = "audio_" + spec.language;
    for (auto [map, folder] : {std::pair<std::string, std::string>{"0:v", "video"},
                               {"0:a", audio_folder}}) {
        auto r = cut(map, folder);
        if (r.rc != 0) {
            error = "ffmpeg cut: " + r.output;
            return -1;
        }
    }
    auto probe = Run("ffprobe -v error -select_streams v:0 -show_entries stream=start_time -of "
                     "default=nw=1:nk=1 '" + (dir / "video" / "seg_00000.ts").string() + "'");
    const double first_pts = probe.rc == 0 ? std::stod(probe.output) : 0.0;
    nlohmann::ordered_json j;
    j["version"] = 1;
    j["segment_seconds"] = segment_seconds;
    j["fps"] = 25;
    j["width"] = 320;
    j["height"] = 180;
    j["duration"] = spec.seconds;
    j["video_codecs"] = "avc1.64000d";
    j["audio_codecs"] = "mp4a.40.2";
    j["first_pts"] = first_pts;
    const std::string prefix = "library/" + std::to_string(id) + "/hls/";
    auto add = [&](const std::string& folder) {
        nlohmann::ordered_json list = nlohmann::ordered_json::array();
        for (const auto& [name, dur] : ReadVodPlaylist(dir / folder / "index.m3u8")) {
            if (mark_item_start && list.empty()) {
                // What ingest does (see ts_marker.hpp): flag the item's CC jump.
                std::ifstream in(dir / folder / name, std::ios::binary);
                std::stringstream ss;
                ss << in.rdbuf();
                std::string bytes = ss.str();
                media::MarkDiscontinuity(bytes);
                std::ofstream(dir / folder / name, std::ios::binary | std::ios::trunc) << bytes;
            }
            list.push_back({{"uri", folder + "/" + name}, {"duration", dur}});
            (void)store.PutFile(prefix + folder + "/" + name, dir / folder / name);
        }
        return list;
    };
    j["video"] = add("video");
    j["audio"][spec.language] = add(audio_folder);
    {
        // The muxed (IPTV) rendition, made by the same code that upgrades old items.
        std::ofstream(dir / "segments.json", std::ios::binary | std::ios::trunc) << j.dump(2);
        media::MediaOptions opts;
        opts.segment_seconds = segment_seconds;
        auto muxed = media::AddMuxedRenditions(opts, dir.string(), media::RunOptions{});
        if (!muxed.ok()) {
            error = "muxed rendition: " + muxed.error().message;
            return -1;
        }
        std::ifstream in(dir / "segments.json");
        auto upgraded = nlohmann::ordered_json::parse(in);
        j["muxed"] = upgraded["muxed"];
        j["muxed_first_pts"] = upgraded["muxed_first_pts"];
        for (const auto& seg : j["muxed"][spec.language]) {
            const std::string uri = seg["uri"];
            (void)store.PutFile(prefix + uri, dir / uri);
        }
    }
    if (spec.subtitles) {
        nlohmann::ordered_json list = nlohmann::ordered_json::array();
        const auto mpegts = static_cast<long long>(first_pts * 90000 + 0.5);
        int i = 0;
        for (const auto& seg : j["video"]) {
            char name[64], cue[128];
            std::snprintf(name, sizeof name, "subs_en/seg_%05d.vtt", i);
            std::snprintf(cue, sizeof cue, "00:00:%02d.000 --> 00:00:%02d.800\n%s, part %d\n",
                          i * segment_seconds, i * segment_seconds, spec.title.c_str(), i + 1);
            (void)store.Put(prefix + name, "WEBVTT\nX-TIMESTAMP-MAP=LOCAL:00:00:00.000,MPEGTS:" +
                                               std::to_string(mpegts) + "\n\n" + cue);
            list.push_back({{"uri", name}, {"duration", seg["duration"]}});
            ++i;
        }
        j["subtitles"]["en"] = list;
    }
    auto st = store.Put(prefix + "segments.json", j.dump(2));
    if (!st.ok()) {
        error = st.error().message;
        return -1;
    }
    return id;
}

}  // namespace beacon::liveloop::testing
