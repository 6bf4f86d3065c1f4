#pragma once
/// Real library items in the house format for LiveLoop's integration tests and benchmark:
/// encoded with ffmpeg (H.264 High, 25 fps, closed GOP = one segment, AAC-LC 48 kHz stereo) and
/// packaged by the product's own media::PackageHls (the renditions and segments.json that real
/// library items have).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "media/hls.hpp"
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

/// Encodes one item and packages it with the product's own HLS packaging (media::PackageHls:
/// video, aligned audio, muxed and subtitle renditions, segments.json), stores it; returns its
/// content id, or -1 with `error` set.
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
    fs::create_directories(dir);
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
    media::HlsLanguage lang;
    lang.code = spec.language;
    lang.original = true;
    if (spec.subtitles) {
        for (int i = 0; i * segment_seconds < spec.seconds; ++i) {
            lang.cues.push_back({i * static_cast<double>(segment_seconds),
                                 i * static_cast<double>(segment_seconds) + 0.8,
                                 spec.title + ", part " + std::to_string(i + 1)});
        }
    }
    media::MediaOptions opts;
    opts.segment_seconds = segment_seconds;
    opts.fps = 25;
    auto packaged = media::PackageHls(opts, mp4, {lang}, (dir / "hls").string(),
                                      media::RunOptions{});
    if (!packaged.ok()) {
        error = "packaging: " + packaged.error().message;
        return -1;
    }
    const std::string prefix = "library/" + std::to_string(id) + "/hls/";
    for (const auto& file : packaged->files) {
        auto st = store.PutFile(prefix + file, dir / "hls" / file);
        if (!st.ok()) {
            error = st.error().message;
            return -1;
        }
    }
    return id;
}

}  // namespace beacon::liveloop::testing
