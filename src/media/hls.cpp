#include "media/hls.hpp"
#include "media/hls_internal.hpp"
#include "media/ts_marker.hpp"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "media/assembly.hpp"
#include "media/command.hpp"
#include "media/probe.hpp"

namespace beacon::media {
namespace hls_detail {

using core::Error;
namespace fs = std::filesystem;

std::string Fixed(double v, int digits) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", digits, v);
    return buf;
}

core::Status WriteText(const fs::path& p, const std::string& text) {
    std::ofstream f(p, std::ios::binary | std::ios::trunc);
    f << text;
    f.close();
    if (!f) return Error::Unavailable("media: cannot write " + p.string());
    return {};
}

core::Result<std::string> ReadText(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    if (!f) return Error::External("media: ffmpeg did not write " + p.string());
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

std::string Quoted(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c != '"' && c != '\n' && c != '\r') out += c;
    }
    return "\"" + out + "\"";
}

/// Cuts the mapped streams of `inputs` into TS segments under dir, returns the segments.
/// `copyts`: keep the inputs' timestamps (inputs that are already cut TS renditions).
core::Result<std::vector<Segment>> SegmentStreams(const MediaOptions& opts,
                                                  const std::vector<std::string>& inputs,
                                                  const std::vector<std::string>& maps,
                                                  bool encode_audio, bool copyts,
                                                  const fs::path& dir, const RunOptions& run,
                                                  std::size_t grid_count,
                                                  double ts_offset) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return Error::Unavailable("media: cannot create " + dir.string() + ": " + ec.message());
    FfmpegCommand cmd(opts.ffmpeg);
    if (copyts) cmd.Flag("-copyts");
    for (const auto& input : inputs) cmd.AddInput(input);
    for (const auto& map : maps) cmd.Map(map);
    if (encode_audio) {
        AudioCodec ac;
        ac.bitrate_kbps = opts.audio_bitrate_kbps;
        cmd.Options(ac.Args());
    } else {
        cmd.Option("-c", "copy");
    }
    const fs::path tmp_playlist = dir / "ffmpeg.m3u8";
    if (ts_offset != 0) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.6f", ts_offset);
        cmd.Option("-output_ts_offset", buf);
    }
    cmd.Option("-f", "hls")
        .Option("-hls_time", std::to_string(opts.segment_seconds))
        .Option("-hls_playlist_type", "vod")
        .Option("-hls_list_size", "0")
        .Option("-hls_segment_type", "mpegts")
        .Option("-hls_flags", "independent_segments")
        .Option("-hls_segment_filename", (dir / "seg_%05d.ts").string())
        .Output(tmp_playlist.string());
    RunOptions r = run;
    r.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(opts.timeout);
    BEACON_TRY(out, Run(opts, cmd.Argv(), r));
    (void)out;
    BEACON_TRY(text, ReadText(tmp_playlist));
    BEACON_TRY(segments, ParseMediaPlaylist(text));
    fs::remove(tmp_playlist, ec);
    // AAC priming makes a TS audio track ~1 frame longer than the video span; the hls muxer then
    // cuts a sliver of a segment at the end. Append it to the previous segment (TS segments of
    // one mux concatenate byte-wise) so every rendition has the same grid.
    while (grid_count > 0 && segments.size() > grid_count && segments.size() >= 2 &&
           segments.back().duration < 0.5 * opts.segment_seconds) {
        Segment tail = segments.back();
        segments.pop_back();
        {
            std::ifstream in(dir / tail.uri, std::ios::binary);
            std::ofstream out(dir / segments.back().uri, std::ios::binary | std::ios::app);
            out << in.rdbuf();
            if (!out) return Error::Unavailable("media: cannot merge " + tail.uri);
        }
        fs::remove(dir / tail.uri, ec);
        segments.back().duration += tail.duration;
    }
    if (segments.empty())
        return Error::External("ffmpeg hls: no segments written in " + dir.string());
    for (const auto& s : segments) {
        if (!fs::exists(dir / s.uri)) return Error::External("ffmpeg hls: missing " + s.uri);
    }
    BEACON_CHECK(WriteText(dir / "index.m3u8", WriteMediaPlaylist(segments, opts.segment_seconds)));
    return segments;
}

/// Cuts one stream of `input` into TS segments under dir, returns the segments.
core::Result<std::vector<Segment>> Segment1(const MediaOptions& opts, const std::string& input,
                                            const std::string& map, bool encode_audio,
                                            const fs::path& dir, const RunOptions& run,
                                            std::size_t grid_count, double ts_offset) {
    return SegmentStreams(opts, {input}, {map}, encode_audio, false, dir, run, grid_count,
                          ts_offset);
}

/// Presentation time of the first packet of one stream ("v:0", "a:0") of a file.
core::Result<double> FirstPacketPts(const MediaOptions& opts, const std::string& file,
                                    const std::string& stream, const RunOptions& run) {
    std::vector<std::string> argv = {opts.ffprobe,
                                     "-v",
                                     "error",
                                     "-select_streams",
                                     stream,
                                     "-show_entries",
                                     "packet=pts_time",
                                     "-read_intervals",
                                     "%+#1",
                                     "-of",
                                     "csv=p=0",
                                     file};
    BEACON_TRY(out, Run(opts, argv, run));
    char* end = nullptr;
    double v = std::strtod(out.stdout_text.c_str(), &end);
    if (end == out.stdout_text.c_str()) {
        return Error::External("ffprobe: no " + stream + " packet in " + file);
    }
    return v;
}

/// "concat:a|b|..." of a rendition's TS segments (one mux's segments concatenate byte-wise).
std::string ConcatInput(const fs::path& dir, const std::vector<Segment>& segments) {
    std::string in = "concat:";
    for (std::size_t i = 0; i < segments.size(); ++i) {
        in += (i ? "|" : "") + (dir / segments[i].uri).string();
    }
    return in;
}

/// muxed_<lang>/: the video rendition and the language's audio rendition (already cut and
/// aligned) in one TS per segment, stream copy with their timestamps kept, on the video grid.
core::Result<Muxed> MakeMuxed(const MediaOptions& opts, const fs::path& root,
                              const std::vector<Segment>& video, const std::string& adir,
                              const std::vector<Segment>& audio, const std::string& mdir,
                              const RunOptions& run) {
    std::error_code ec;
    fs::remove_all(root / mdir, ec);
    BEACON_TRY(segments,
               SegmentStreams(opts, {ConcatInput(root / "video", video),
                                     ConcatInput(root / adir, audio)},
                              {"0:v:0", "1:a:0"}, false, true, root / mdir, run, video.size()));
    if (segments.size() != video.size()) {
        return Error::External("HLS packaging: " + mdir + " has " +
                               std::to_string(segments.size()) + " segments, video has " +
                               std::to_string(video.size()));
    }
    Muxed m;
    BEACON_TRY(pts, FirstPacketPts(opts, (root / mdir / segments[0].uri).string(), "v:0", run));
    m.first_pts = pts;
    m.segments = std::move(segments);
    // The item's CC jump at a channel boundary, flagged as for the other renditions.
    const fs::path first = root / mdir / m.segments[0].uri;
    BEACON_TRY(bytes, ReadText(first));
    MarkDiscontinuity(bytes);
    BEACON_CHECK(WriteText(first, bytes));
    return m;
}

}  // namespace hls_detail

using namespace hls_detail;  // NOLINT: shared with hls_languages.cpp

core::Result<std::vector<Segment>> ParseMediaPlaylist(const std::string& m3u8) {
    std::istringstream in(m3u8);
    std::string line;
    std::vector<Segment> out;
    bool first = true;
    double pending = -1;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (first) {
            if (line != "#EXTM3U") return Error::External("m3u8: missing #EXTM3U");
            first = false;
            continue;
        }
        if (line.empty()) continue;
        if (line.rfind("#EXTINF:", 0) == 0) {
            char* end = nullptr;
            pending = std::strtod(line.c_str() + 8, &end);
            if (end == line.c_str() + 8 || !(pending >= 0)) {
                return Error::External("m3u8: bad EXTINF: " + line);
            }
        } else if (line[0] != '#') {
            if (pending < 0) return Error::External("m3u8: URI without EXTINF: " + line);
            out.push_back({line, pending});
            pending = -1;
        }
    }
    if (first) return Error::External("m3u8: empty playlist");
    return out;
}

std::string WriteMediaPlaylist(const std::vector<Segment>& segments, int target_duration) {
    int td = target_duration;
    for (const auto& s : segments) td = std::max(td, static_cast<int>(std::lround(s.duration)));
    std::string out = "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:" + std::to_string(td) +
                      "\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n";
    for (const auto& s : segments) out += "#EXTINF:" + Fixed(s.duration, 6) + ",\n" + s.uri + "\n";
    out += "#EXT-X-ENDLIST\n";
    return out;
}

std::string WriteMasterPlaylist(const MasterSpec& spec) {
    std::string out = "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-INDEPENDENT-SEGMENTS\n";
    for (const auto& a : spec.audio) {
        out += "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"aud\",NAME=" + Quoted(a.name) +
               ",LANGUAGE=" + Quoted(a.language) + ",DEFAULT=" + (a.original ? "YES" : "NO") +
               ",AUTOSELECT=YES,CHANNELS=\"2\",URI=" + Quoted(a.uri) + "\n";
    }
    for (const auto& s : spec.subtitles) {
        out += "#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=" + Quoted(s.name) +
               ",LANGUAGE=" + Quoted(s.language) +
               ",DEFAULT=NO,AUTOSELECT=YES,FORCED=NO,URI=" + Quoted(s.uri) + "\n";
    }
    out += "#EXT-X-STREAM-INF:BANDWIDTH=" + std::to_string(spec.bandwidth);
    if (spec.average_bandwidth > 0) {
        out += ",AVERAGE-BANDWIDTH=" + std::to_string(spec.average_bandwidth);
    }
    out += ",CODECS=" + Quoted(spec.codecs) + ",RESOLUTION=" + std::to_string(spec.width) + "x" +
           std::to_string(spec.height) + ",FRAME-RATE=" + Fixed(spec.fps, 3);
    if (!spec.audio.empty()) out += ",AUDIO=\"aud\"";
    if (!spec.subtitles.empty()) out += ",SUBTITLES=\"subs\"";
    out += "\n" + spec.video_uri + "\n";
    return out;
}

std::vector<std::string> SubtitleSegments(const std::vector<Cue>& cues,
                                          const std::vector<Segment>& video_segments,
                                          double first_pts) {
    std::vector<std::string> out;
    const long long mpegts = std::llround(first_pts * 90000.0);
    const std::string map = "X-TIMESTAMP-MAP=LOCAL:00:00:00.000,MPEGTS:" + std::to_string(mpegts);
    double t0 = 0;
    for (const auto& seg : video_segments) {
        double t1 = t0 + seg.duration;
        std::vector<Cue> in;
        for (const auto& c : cues) {
            if (c.end > t0 && c.start < t1) in.push_back(c);
        }
        out.push_back(CuesToWebVtt(in, map));
        t0 = t1;
    }
    return out;
}

std::string AvcCodecString(const std::string& profile, int level) {
    std::string p = "64";
    if (profile == "Main") p = "4d";
    if (profile == "Baseline" || profile == "Constrained Baseline") p = "42";
    char buf[16];
    std::snprintf(buf, sizeof buf, "%02x", level > 0 && level < 256 ? level : 40);
    return "avc1." + p + "00" + buf;
}

std::string LanguageName(const std::string& code) {
    static const std::map<std::string, std::string> kNames = {
        {"en", "English"},  {"es", "Español"},   {"fr", "Français"}, {"de", "Deutsch"},
        {"it", "Italiano"}, {"pt", "Português"}, {"ca", "Català"},   {"nl", "Nederlands"},
        {"ja", "日本語"},   {"zh", "中文"},      {"ru", "Русский"}};
    auto it = kNames.find(code);
    return it == kNames.end() ? code : it->second;
}

core::Result<HlsResult> PackageHls(const MediaOptions& opts, const std::string& mp4,
                                   const std::vector<HlsLanguage>& languages,
                                   const std::string& out_dir, const RunOptions& run) {
    const fs::path root(out_dir);
    if (languages.empty())
        return Error::Invalid("media: HLS packaging needs at least one language");
    RunOptions quiet = run;
    quiet.on_progress = nullptr;
    BEACON_TRY(info, Probe(opts, mp4, quiet));
    const StreamInfo* v = info.First("video");
    if (!v) return Error::Invalid("media: " + mp4 + " has no video stream");
    if (!info.First("audio")) return Error::Invalid("media: " + mp4 + " has no audio stream");

    HlsResult result;
    BEACON_TRY(video, Segment1(opts, mp4, "0:v:0", false, root / "video", quiet));
    for (const auto& s : video) result.files.push_back("video/" + s.uri);
    result.files.push_back("video/index.m3u8");
    BEACON_TRY(seg0, Probe(opts, (root / "video" / video[0].uri).string(), quiet));
    const StreamInfo* v0 = seg0.First("video");
    result.first_pts = v0 ? v0->start_time : seg0.start_time;
    BEACON_TRY(video_pts0, FirstPacketPts(opts, mp4, "v:0", quiet));

    nlohmann::json manifest = {{"version", 1},
                               {"segment_seconds", opts.segment_seconds},
                               {"fps", opts.fps},
                               {"width", v->width},
                               {"height", v->height}};
    double duration = 0;
    nlohmann::json vj = nlohmann::json::array();
    for (const auto& s : video) {
        duration += s.duration;
        vj.push_back({{"uri", "video/" + s.uri}, {"duration", s.duration}});
    }
    MasterSpec master;
    master.codecs = AvcCodecString(v->profile, v->level) + ",mp4a.40.2";
    master.width = v->width;
    master.height = v->height;
    master.fps = opts.fps;
    manifest["duration"] = std::round(duration * 1e6) / 1e6;
    manifest["video_codecs"] = AvcCodecString(v->profile, v->level);
    manifest["audio_codecs"] = "mp4a.40.2";
    manifest["video"] = vj;
    manifest["audio"] = nlohmann::json::object();
    manifest["subtitles"] = nlohmann::json::object();

    std::vector<double> seg_bits(video.size(), 0);
    for (std::size_t i = 0; i < video.size(); ++i) {
        std::error_code ec;
        seg_bits[i] = 8.0 * static_cast<double>(fs::file_size(root / "video" / video[i].uri, ec));
    }
    double total_bits = 0;
    for (double b : seg_bits) total_bits += b;

    std::size_t original_index = 0;
    for (std::size_t i = languages.size(); i-- > 0;) {
        if (languages[i].original) original_index = i;
    }
    for (std::size_t li = 0; li < languages.size(); ++li) {
        const HlsLanguage& lang = languages[li];
        const bool original = li == original_index;
        if (lang.code.empty() ||
            lang.code.find_first_not_of("abcdefghijklmnopqrstuvwxyz-") != std::string::npos) {
            return Error::Invalid("media: bad language code '" + lang.code + "'");
        }
        const std::string adir = "audio_" + lang.code;
        const bool from_mp4 = lang.audio_file.empty();
        const std::string audio_input = from_mp4 ? mp4 : lang.audio_file;
        BEACON_TRY(audio, Segment1(opts, audio_input, "0:a:0", !from_mp4, root / adir, quiet,
                                   video.size()));
        // Each output muxer shifts its own timestamps to start non-negative: video by its
        // B-frame delay, audio by its AAC priming, so separately cut renditions drift apart by
        // tens of ms. Put the audio back where it sits relative to the video in the MP4.
        {
            BEACON_TRY(a0, from_mp4 ? FirstPacketPts(opts, mp4, "a:0", quiet)
                                    : core::Result<double>(-1024.0 / 48000.0));
            BEACON_TRY(seg_a0,
                       FirstPacketPts(opts, (root / adir / audio[0].uri).string(), "a:0", quiet));
            const double want = result.first_pts - video_pts0 + a0;
            double measured = seg_a0;
            double offset = 0;
            // The muxer's shift depends on whether timestamps are negative, so converge in a
            // few audio-only stream copies (usually two).
            for (int attempt = 0; attempt < 3 && std::abs(want - measured) > 0.0005; ++attempt) {
                offset += want - measured;
                std::error_code rm;
                fs::remove_all(root / adir, rm);
                BEACON_TRY(fixed, Segment1(opts, audio_input, "0:a:0", !from_mp4, root / adir,
                                           quiet, video.size(), offset));
                audio = std::move(fixed);
                BEACON_TRY(again, FirstPacketPts(opts, (root / adir / audio[0].uri).string(), "a:0",
                                                 quiet));
                measured = again;
            }
            if (std::abs(want - measured) > 0.002) {
                return Error::External("HLS packaging: cannot align audio_" + lang.code +
                                       " with the video (off by " +
                                       std::to_string((want - measured) * 1000) + " ms)");
            }
        }
        nlohmann::json aj = nlohmann::json::array();
        for (std::size_t i = 0; i < audio.size(); ++i) {
            result.files.push_back(adir + "/" + audio[i].uri);
            aj.push_back({{"uri", adir + "/" + audio[i].uri}, {"duration", audio[i].duration}});
            if (original) {
                std::error_code ec;
                double b = 8.0 * static_cast<double>(fs::file_size(root / adir / audio[i].uri, ec));
                total_bits += b;
                if (i < seg_bits.size()) seg_bits[i] += b;
            }
        }
        result.files.push_back(adir + "/index.m3u8");
        manifest["audio"][lang.code] = aj;
        {
            const std::string mdir = "muxed_" + lang.code;
            BEACON_TRY(muxed, MakeMuxed(opts, root, video, adir, audio, mdir, quiet));
            nlohmann::json mj = nlohmann::json::array();
            for (const auto& seg : muxed.segments) {
                result.files.push_back(mdir + "/" + seg.uri);
                mj.push_back({{"uri", mdir + "/" + seg.uri}, {"duration", seg.duration}});
            }
            result.files.push_back(mdir + "/index.m3u8");
            if (!manifest.contains("muxed")) {
                manifest["muxed"] = nlohmann::json::object();
                manifest["muxed_first_pts"] = std::round(muxed.first_pts * 1e6) / 1e6;
            }
            manifest["muxed"][lang.code] = mj;
        }
        master.audio.push_back(
            {lang.code, LanguageName(lang.code), original, adir + "/index.m3u8"});

        if (!lang.cues.empty()) {
            const std::string sdir = "subs_" + lang.code;
            std::error_code ec;
            fs::create_directories(root / sdir, ec);
            if (ec) return Error::Unavailable("media: cannot create " + (root / sdir).string());
            auto texts = SubtitleSegments(lang.cues, video, result.first_pts);
            std::vector<Segment> subs;
            nlohmann::json sj = nlohmann::json::array();
            for (std::size_t i = 0; i < texts.size(); ++i) {
                char name[32];
                std::snprintf(name, sizeof name, "seg_%05zu.vtt", i);
                BEACON_CHECK(WriteText(root / sdir / name, texts[i]));
                subs.push_back({name, video[i].duration});
                result.files.push_back(sdir + "/" + name);
                sj.push_back({{"uri", sdir + "/" + name}, {"duration", video[i].duration}});
            }
            BEACON_CHECK(WriteText(root / sdir / "index.m3u8",
                                   WriteMediaPlaylist(subs, opts.segment_seconds)));
            result.files.push_back(sdir + "/index.m3u8");
            manifest["subtitles"][lang.code] = sj;
            master.subtitles.push_back({lang.code, LanguageName(lang.code), sdir + "/index.m3u8"});
        }
    }
    double peak = 0;
    for (std::size_t i = 0; i < video.size(); ++i) {
        if (video[i].duration > 0) peak = std::max(peak, seg_bits[i] / video[i].duration);
    }
    master.bandwidth = static_cast<int>(std::ceil(peak * 1.1));
    master.average_bandwidth =
        duration > 0 ? static_cast<int>(std::ceil(total_bits / duration)) : 0;
    manifest["first_pts"] = std::round(result.first_pts * 1e6) / 1e6;
    // Each item is muxed on its own, so its TS continuity counters restart; flag the jump on
    // each TS rendition's first segment so that clients reading a LiveLoop channel (items
    // back to back) expect it instead of reporting corrupt packets.
    for (const auto& entry : std::filesystem::directory_iterator(root)) {
        auto first = entry.path() / "seg_00000.ts";
        if (!entry.is_directory() || !std::filesystem::exists(first)) continue;
        std::ifstream in(first, std::ios::binary);
        std::string ts((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        in.close();
        MarkDiscontinuity(ts);
        BEACON_CHECK(WriteText(first, ts));
    }
    BEACON_CHECK(WriteText(root / "master.m3u8", WriteMasterPlaylist(master)));
    result.files.push_back("master.m3u8");
    result.manifest_json = manifest.dump(2);
    BEACON_CHECK(WriteText(root / "segments.json", result.manifest_json));
    result.files.push_back("segments.json");
    return result;
}

core::Result<bool> AddMuxedRenditions(const MediaOptions& opts, const std::string& hls_dir,
                                      const RunOptions& run) {
    const fs::path root(hls_dir);
    BEACON_TRY(text, ReadText(root / "segments.json"));
    nlohmann::json manifest = nlohmann::json::parse(text, nullptr, false);
    if (manifest.is_discarded() || !manifest.is_object()) {
        return Error::Invalid("media: " + (root / "segments.json").string() + " is not JSON");
    }
    if (manifest.contains("muxed") && manifest["muxed"].is_object() && !manifest["muxed"].empty()) {
        return false;
    }
    // Segments of one rendition, relative to its folder, from the manifest's "<dir>/<file>" URIs.
    auto segments_of = [](const nlohmann::json& list, const std::string& dir)
        -> core::Result<std::vector<Segment>> {
        std::vector<Segment> out;
        if (!list.is_array()) return Error::Invalid("media: segments.json: " + dir + " is not a list");
        for (const auto& e : list) {
            const std::string uri = e.value("uri", "");
            if (!uri.starts_with(dir + "/") || uri.find("..") != std::string::npos) {
                return Error::Invalid("media: segments.json: unexpected URI " + uri);
            }
            out.push_back({uri.substr(dir.size() + 1), e.value("duration", 0.0)});
        }
        return out;
    };
    BEACON_TRY(video, segments_of(manifest.value("video", nlohmann::json()), "video"));
    if (video.empty()) return Error::Invalid("media: segments.json has no video");
    if (!manifest.contains("audio") || !manifest["audio"].is_object()) {
        return Error::Invalid("media: segments.json has no audio");
    }
    RunOptions quiet = run;
    quiet.on_progress = nullptr;
    nlohmann::json muxed_all = nlohmann::json::object();
    double first_pts = -1;
    for (const auto& [lang, list] : manifest["audio"].items()) {
        if (lang.empty() || lang.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") !=
                                std::string::npos) {
            return Error::Invalid("media: segments.json: bad language '" + lang + "'");
        }
        const std::string adir = "audio_" + lang;
        BEACON_TRY(audio, segments_of(list, adir));
        const std::string mdir = "muxed_" + lang;
        BEACON_TRY(muxed, MakeMuxed(opts, root, video, adir, audio, mdir, quiet));
        nlohmann::json mj = nlohmann::json::array();
        for (const auto& seg : muxed.segments) {
            mj.push_back({{"uri", mdir + "/" + seg.uri}, {"duration", seg.duration}});
        }
        muxed_all[lang] = mj;
        if (first_pts < 0) first_pts = muxed.first_pts;
    }
    manifest["muxed"] = muxed_all;
    manifest["muxed_first_pts"] = std::round(first_pts * 1e6) / 1e6;
    // Replaced atomically: a crash leaves the old manifest (and unused muxed files), never half.
    BEACON_CHECK(WriteText(root / "segments.json.tmp", manifest.dump(2)));
    std::error_code ec;
    fs::rename(root / "segments.json.tmp", root / "segments.json", ec);
    if (ec) return Error::Unavailable("media: cannot replace segments.json: " + ec.message());
    return true;
}

}  // namespace beacon::media
