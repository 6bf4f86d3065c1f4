#include <filesystem>
#include <functional>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "media/hls.hpp"
#include "media/hls_internal.hpp"
#include "media/ts_marker.hpp"

/// Languages of a packaged item: a dub or captions added as renditions, or removed.
namespace beacon::media {

using namespace hls_detail;  // NOLINT: helpers shared with hls.cpp
using core::Error;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> Lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        out.push_back(line);
    }
    return out;
}

std::string Joined(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& l : lines) out += l + "\n";
    return out;
}

bool IsMedia(const std::string& line, const char* type) {
    return line.rfind("#EXT-X-MEDIA:", 0) == 0 &&
           line.find(std::string("TYPE=") + type + ",") != std::string::npos;
}

std::string AudioLine(const AudioRendition& a) {
    return "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"aud\",NAME=" + Quoted(a.name) +
           ",LANGUAGE=" + Quoted(a.language) + ",DEFAULT=" + (a.original ? "YES" : "NO") +
           ",AUTOSELECT=YES,CHANNELS=\"2\",URI=" + Quoted(a.uri);
}

std::string SubtitleLine(const SubtitleRendition& s) {
    return "#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=" + Quoted(s.name) +
           ",LANGUAGE=" + Quoted(s.language) + ",DEFAULT=NO,AUTOSELECT=YES,FORCED=NO,URI=" +
           Quoted(s.uri);
}

core::Status ReplaceAtomically(const fs::path& target, const std::string& text) {
    const fs::path tmp = target.string() + ".tmp";
    BEACON_CHECK(WriteText(tmp, text));
    std::error_code ec;
    fs::rename(tmp, target, ec);
    if (ec) return Error::Unavailable("media: cannot replace " + target.string() + ": " + ec.message());
    return {};
}

/// How often one ffmpeg step of a language rendition is tried: an AAC encode (or the muxed
/// stream copy) that fails for a passing reason (a killed or starved ffmpeg, a full disk freed a
/// moment later) is run again from scratch; a bad input fails the same way every time.
constexpr int kEncodeAttempts = 3;

/// Runs `step` until it succeeds, at most kEncodeAttempts times; `reset` removes what a failed
/// attempt left. Cancellation and invalid input are not retried. The final error names the
/// step, the number of attempts and the last failure.
template <class Step>
auto Retried(const std::string& what, const std::function<void()>& reset, Step step)
    -> decltype(step()) {
    std::string last;
    for (int attempt = 1; attempt <= kEncodeAttempts; ++attempt) {
        reset();
        auto r = step();
        if (r.ok()) return r;
        const core::ErrorCode code = r.error().code;
        if (code == core::ErrorCode::kCanceled || code == core::ErrorCode::kInvalidArgument)
            return r;
        last = r.error().message;
    }
    reset();
    return Error::External("HLS packaging: " + what + " failed " +
                           std::to_string(kEncodeAttempts) + " times; last error: " + last);
}

}  // namespace

std::string MasterWithLanguage(const std::string& master, const AudioRendition* audio,
                               const SubtitleRendition* subtitles) {
    std::vector<std::string> lines = Lines(master);
    auto insert_after_last = [&lines](const char* type, const std::string& text) {
        std::size_t at = lines.size();
        std::size_t last = lines.size();
        for (std::size_t i = 0; i < lines.size(); ++i) {
            if (IsMedia(lines[i], type)) last = i;
            if (at == lines.size() && lines[i].rfind("#EXT-X-STREAM-INF:", 0) == 0) at = i;
        }
        if (last != lines.size()) at = last + 1;
        lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(at), text);
    };
    if (audio) insert_after_last("AUDIO", AudioLine(*audio));
    if (subtitles) {
        insert_after_last("SUBTITLES", SubtitleLine(*subtitles));
        for (auto& l : lines) {
            if (l.rfind("#EXT-X-STREAM-INF:", 0) == 0 && l.find("SUBTITLES=") == std::string::npos)
                l += ",SUBTITLES=\"subs\"";
        }
    }
    return Joined(lines);
}

std::string MasterWithoutLanguage(const std::string& master, const std::string& code) {
    std::vector<std::string> kept;
    bool subtitles_left = false;
    const std::string needle = ",LANGUAGE=" + Quoted(code) + ",";
    for (const auto& l : Lines(master)) {
        if (l.rfind("#EXT-X-MEDIA:", 0) == 0 && l.find(needle) != std::string::npos) continue;
        if (IsMedia(l, "SUBTITLES")) subtitles_left = true;
        kept.push_back(l);
    }
    if (!subtitles_left) {
        for (auto& l : kept) {
            if (l.rfind("#EXT-X-STREAM-INF:", 0) != 0) continue;
            const std::string attr = ",SUBTITLES=\"subs\"";
            if (auto p = l.find(attr); p != std::string::npos) l.erase(p, attr.size());
        }
    }
    return Joined(kept);
}

core::Result<HlsResult> AddHlsLanguage(const MediaOptions& opts, const std::string& hls_dir,
                                       const std::string& mp4, const HlsLanguage& lang,
                                       const RunOptions& run) {
    const fs::path root(hls_dir);
    if (lang.code.empty() ||
        lang.code.find_first_not_of("abcdefghijklmnopqrstuvwxyz-") != std::string::npos) {
        return Error::Invalid("media: bad language code '" + lang.code + "'");
    }
    if (lang.audio_file.empty() && lang.cues.empty()) {
        return Error::Invalid("media: language " + lang.code + " has neither audio nor captions");
    }
    BEACON_TRY(text, ReadText(root / "segments.json"));
    nlohmann::json manifest = nlohmann::json::parse(text, nullptr, false);
    if (manifest.is_discarded() || !manifest.is_object() || !manifest.contains("video")) {
        return Error::Invalid("media: " + (root / "segments.json").string() + " is not a package");
    }
    for (const char* kind : {"audio", "subtitles"}) {
        if (manifest.contains(kind) && manifest[kind].contains(lang.code)) {
            return Error::Conflict("the item already has language '" + lang.code +
                                   "' (remove it first)");
        }
    }
    BEACON_TRY(master_text, ReadText(root / "master.m3u8"));
    std::vector<Segment> video;
    for (const auto& e : manifest["video"]) {
        const std::string uri = e.value("uri", "");
        if (!uri.starts_with("video/")) return Error::Invalid("media: unexpected URI " + uri);
        video.push_back({uri.substr(6), e.value("duration", 0.0)});
    }
    if (video.empty()) return Error::Invalid("media: segments.json has no video");
    const double first_pts = manifest.value("first_pts", 0.0);
    RunOptions quiet = run;
    quiet.on_progress = nullptr;

    HlsResult result;
    result.first_pts = first_pts;
    const std::string adir = "audio_" + lang.code;
    const std::string mdir = "muxed_" + lang.code;
    const std::string sdir = "subs_" + lang.code;
    // Everything is written under a staging folder and moved into place only when complete, just
    // before segments.json and the master name it: a half-written rendition is never published.
    const std::string stage = ".staging_" + lang.code;
    const std::string adir_w = stage + "/" + adir;
    const std::string mdir_w = stage + "/" + mdir;
    const std::string sdir_w = stage + "/" + sdir;
    auto cleanup = [&root, &adir, &mdir, &sdir, &stage] {
        std::error_code ec;
        for (const auto& d : {adir, mdir, sdir, stage}) fs::remove_all(root / d, ec);
    };
    auto work = [&]() -> core::Status {
        cleanup();
        AudioRendition audio_r{lang.code, LanguageName(lang.code), false, adir + "/index.m3u8"};
        SubtitleRendition subs_r{lang.code, LanguageName(lang.code), sdir + "/index.m3u8"};
        std::vector<std::string> moves;
        if (!lang.audio_file.empty()) {
            BEACON_TRY(video_pts0, FirstPacketPts(opts, mp4, "v:0", quiet));
            const double want = first_pts - video_pts0 - 1024.0 / 48000.0;
            auto encode = [&](double offset) {
                return Retried(
                    "encoding " + adir + " (AAC)",
                    [&] {
                        std::error_code rm;
                        fs::remove_all(root / adir_w, rm);
                    },
                    [&] {
                        return Segment1(opts, lang.audio_file, "0:a:0", true, root / adir_w, quiet,
                                        video.size(), offset);
                    });
            };
            BEACON_TRY(audio, encode(0));
            BEACON_TRY(seg_a0,
                       FirstPacketPts(opts, (root / adir_w / audio[0].uri).string(), "a:0", quiet));
            double measured = seg_a0;
            double offset = 0;
            for (int attempt = 0; attempt < 3 && std::abs(want - measured) > 0.0005; ++attempt) {
                offset += want - measured;
                BEACON_TRY(fixed, encode(offset));
                audio = std::move(fixed);
                BEACON_TRY(again, FirstPacketPts(opts, (root / adir_w / audio[0].uri).string(),
                                                 "a:0", quiet));
                measured = again;
            }
            if (std::abs(want - measured) > 0.002) {
                return Error::External("HLS packaging: cannot align " + adir +
                                       " with the video (off by " +
                                       std::to_string((want - measured) * 1000) + " ms)");
            }
            if (audio.size() != video.size()) {
                return Error::External("HLS packaging: " + adir + " has " +
                                       std::to_string(audio.size()) + " segments, video has " +
                                       std::to_string(video.size()));
            }
            {
                const fs::path first = root / adir_w / audio[0].uri;
                BEACON_TRY(bytes, ReadText(first));
                MarkDiscontinuity(bytes);
                BEACON_CHECK(WriteText(first, bytes));
            }
            nlohmann::json aj = nlohmann::json::array();
            for (const auto& s : audio) {
                result.files.push_back(adir + "/" + s.uri);
                aj.push_back({{"uri", adir + "/" + s.uri}, {"duration", s.duration}});
            }
            result.files.push_back(adir + "/index.m3u8");
            manifest["audio"][lang.code] = aj;
            BEACON_TRY(muxed, Retried(
                                  "muxing " + mdir, [] {},
                                  [&] {
                                      return MakeMuxed(opts, root, video, adir_w, audio, mdir_w,
                                                       quiet);
                                  }));
            nlohmann::json mj = nlohmann::json::array();
            for (const auto& s : muxed.segments) {
                result.files.push_back(mdir + "/" + s.uri);
                mj.push_back({{"uri", mdir + "/" + s.uri}, {"duration", s.duration}});
            }
            result.files.push_back(mdir + "/index.m3u8");
            if (!manifest.contains("muxed") || !manifest["muxed"].is_object()) {
                manifest["muxed"] = nlohmann::json::object();
                manifest["muxed_first_pts"] = std::round(muxed.first_pts * 1e6) / 1e6;
            }
            manifest["muxed"][lang.code] = mj;
            moves.insert(moves.end(), {adir, mdir});
        }
        if (!lang.cues.empty()) {
            std::error_code ec;
            fs::create_directories(root / sdir_w, ec);
            if (ec) return Error::Unavailable("media: cannot create " + (root / sdir_w).string());
            auto texts = SubtitleSegments(lang.cues, video, first_pts);
            std::vector<Segment> subs;
            nlohmann::json sj = nlohmann::json::array();
            for (std::size_t i = 0; i < texts.size(); ++i) {
                char name[32];
                std::snprintf(name, sizeof name, "seg_%05zu.vtt", i);
                BEACON_CHECK(WriteText(root / sdir_w / name, texts[i]));
                subs.push_back({name, video[i].duration});
                result.files.push_back(sdir + "/" + name);
                sj.push_back({{"uri", sdir + "/" + name}, {"duration", video[i].duration}});
            }
            BEACON_CHECK(WriteText(root / sdir_w / "index.m3u8",
                                   WriteMediaPlaylist(subs, opts.segment_seconds)));
            result.files.push_back(sdir + "/index.m3u8");
            if (!manifest.contains("subtitles") || !manifest["subtitles"].is_object())
                manifest["subtitles"] = nlohmann::json::object();
            manifest["subtitles"][lang.code] = sj;
            moves.push_back(sdir);
        }
        // Complete: into place, then the manifest and the master name them.
        for (const auto& d : moves) {
            std::error_code ec;
            fs::rename(root / stage / d, root / d, ec);
            if (ec) {
                return Error::Unavailable("media: cannot move " + d + " into place: " +
                                          ec.message());
            }
        }
        std::error_code ec;
        fs::remove_all(root / stage, ec);
        result.manifest_json = manifest.dump(2);
        const std::string master = MasterWithLanguage(
            master_text, lang.audio_file.empty() ? nullptr : &audio_r,
            lang.cues.empty() ? nullptr : &subs_r);
        BEACON_CHECK(ReplaceAtomically(root / "segments.json", result.manifest_json));
        BEACON_CHECK(ReplaceAtomically(root / "master.m3u8", master));
        result.files.push_back("segments.json");
        result.files.push_back("master.m3u8");
        return {};
    };
    if (auto st = work(); !st.ok()) {
        cleanup();
        return std::move(st).error();
    }
    return result;
}

core::Status RemoveHlsLanguage(const std::string& hls_dir, const std::string& code) {
    const fs::path root(hls_dir);
    if (code.empty() || code.find_first_not_of("abcdefghijklmnopqrstuvwxyz-") != std::string::npos)
        return Error::Invalid("media: bad language code '" + code + "'");
    BEACON_TRY(text, ReadText(root / "segments.json"));
    nlohmann::json manifest = nlohmann::json::parse(text, nullptr, false);
    if (manifest.is_discarded() || !manifest.is_object())
        return Error::Invalid("media: segments.json is not JSON");
    bool found = false;
    for (const char* kind : {"audio", "subtitles", "muxed"}) {
        if (!manifest.contains(kind) || !manifest[kind].is_object()) continue;
        if (std::string(kind) == "audio" && !manifest[kind].empty() &&
            manifest[kind].begin().key() == code && manifest[kind].size() == 1) {
            return Error::Invalid("language '" + code + "' is the item's only audio");
        }
        if (manifest[kind].erase(code) > 0) found = true;
    }
    if (!found) return Error::NotFound("the item has no language '" + code + "'");
    BEACON_TRY(master_text, ReadText(root / "master.m3u8"));
    BEACON_CHECK(ReplaceAtomically(root / "segments.json", manifest.dump(2)));
    BEACON_CHECK(ReplaceAtomically(root / "master.m3u8", MasterWithoutLanguage(master_text, code)));
    std::error_code ec;
    for (const auto& d : {"audio_", "muxed_", "subs_"}) fs::remove_all(root / (d + code), ec);
    return {};
}

}  // namespace beacon::media
