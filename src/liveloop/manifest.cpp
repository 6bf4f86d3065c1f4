#include "liveloop/manifest.hpp"

#include <algorithm>
#include <limits>
#include <cmath>

#include <nlohmann/json.hpp>

namespace beacon::liveloop {

using core::Error;
using OJson = nlohmann::ordered_json;

namespace {

constexpr std::size_t kMaxSegments = 100000;
constexpr double kMaxSegmentSeconds = 3600;

core::Result<std::vector<SegmentRef>> ParseSegments(const OJson& list, const std::string& field) {
    if (!list.is_array()) return Error::Invalid(field + ": expected an array");
    if (list.size() > kMaxSegments) return Error::Invalid(field + ": too many segments");
    std::vector<SegmentRef> out;
    out.reserve(list.size());
    for (std::size_t i = 0; i < list.size(); ++i) {
        const auto& s = list[i];
        const std::string where = field + "[" + std::to_string(i) + "]";
        if (!s.is_object()) return Error::Invalid(where + ": expected an object");
        auto uri = s.find("uri");
        auto dur = s.find("duration");
        if (uri == s.end() || !uri->is_string()) {
            return Error::Invalid(where + ".uri: expected a string");
        }
        if (dur == s.end() || !dur->is_number()) {
            return Error::Invalid(where + ".duration: expected a number");
        }
        SegmentRef ref{uri->get<std::string>(), dur->get<double>()};
        if (!IsSafeRelativeUri(ref.uri)) {
            return Error::Invalid(where + ".uri: not a relative path inside hls/");
        }
        if (!std::isfinite(ref.duration) || ref.duration <= 0 ||
            ref.duration > kMaxSegmentSeconds) {
            return Error::Invalid(where + ".duration: must be in (0, 3600]");
        }
        out.push_back(std::move(ref));
    }
    return out;
}

core::Result<std::vector<Track>> ParseTracks(const OJson& j, const std::string& field,
                                             std::size_t video_count,
                                             std::vector<std::string>& warnings) {
    std::vector<Track> out;
    if (j.is_null()) return out;
    if (!j.is_object()) return Error::Invalid(field + ": expected an object keyed by language");
    for (const auto& [lang, list] : j.items()) {
        if (!IsValidLanguageTag(lang)) {
            return Error::Invalid(field + ": bad language tag '" + lang.substr(0, 32) + "'");
        }
        BEACON_TRY(segments, ParseSegments(list, field + "." + lang));
        if (segments.size() != video_count) {
            warnings.push_back(field + "." + lang + ": " + std::to_string(segments.size()) +
                               " segments, video has " + std::to_string(video_count) +
                               "; track dropped");
            continue;
        }
        out.push_back(Track{lang, std::move(segments)});
    }
    return out;
}

template <class T>
core::Result<T> Optional(const OJson& j, const char* key, T fallback) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return fallback;
    if constexpr (std::is_same_v<T, std::string>) {
        if (!it->is_string()) return Error::Invalid(std::string(key) + ": expected a string");
    } else {
        if (!it->is_number()) return Error::Invalid(std::string(key) + ": expected a number");
        if constexpr (std::is_integral_v<T>) {
            // A float or an integer beyond T's range would be undefined behaviour to convert
            // (found by the segments.json fuzzer: "width": 1.28e44).
            const double v = it->template get<double>();
            if (!(v >= static_cast<double>(std::numeric_limits<T>::min()) &&
                  v <= static_cast<double>(std::numeric_limits<T>::max()))) {
                return Error::Invalid(std::string(key) + ": out of range");
            }
            if (it->is_number_float()) return static_cast<T>(v);
        }
    }
    return it->template get<T>();
}

}  // namespace

bool IsSafeRelativeUri(std::string_view uri) {
    if (uri.empty() || uri.size() > 256 || uri.front() == '/') return false;
    if (uri.find("..") != std::string_view::npos || uri.find("//") != std::string_view::npos) {
        return false;
    }
    return std::all_of(uri.begin(), uri.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '/' || c == '.' ||
               c == '_' || c == '-';
    });
}

bool IsValidLanguageTag(std::string_view lang) {
    if (lang.empty() || lang.size() > 16) return false;
    return std::all_of(lang.begin(), lang.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    });
}

const Track* ItemManifest::Audio(std::string_view language) const {
    for (const auto& t : audio) {
        if (t.language == language) return &t;
    }
    return nullptr;
}

const Track* ItemManifest::Subtitles(std::string_view language) const {
    for (const auto& t : subtitles) {
        if (t.language == language) return &t;
    }
    return nullptr;
}

const Track* ItemManifest::Muxed(std::string_view language) const {
    for (const auto& t : muxed) {
        if (t.language == language) return &t;
    }
    return nullptr;
}

int ItemManifest::MaxRoundedDuration() const {
    // Rounded as written in EXTINF (milliseconds), then to the nearest integer.
    double max = 0;
    for (const auto& s : video) max = std::max(max, s.duration);
    for (const auto* tracks : {&audio, &subtitles, &muxed}) {
        for (const auto& t : *tracks) {
            for (const auto& s : t.segments) max = std::max(max, s.duration);
        }
    }
    return static_cast<int>(std::lround(std::round(max * 1000) / 1000));
}

core::Result<ItemManifest> ParseManifest(std::string_view text) {
    OJson j = OJson::parse(text, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) return Error::Invalid("segments.json: not valid JSON");
    if (!j.is_object()) return Error::Invalid("segments.json: expected an object");
    ItemManifest m;
    BEACON_TRY(version, Optional<int>(j, "version", 0));
    if (version != 1) return Error::Invalid("version: expected 1");
    m.version = version;
    BEACON_TRY(seg_s, Optional<double>(j, "segment_seconds", 4.0));
    BEACON_TRY(fps, Optional<double>(j, "fps", 25.0));
    BEACON_TRY(width, Optional<int>(j, "width", 0));
    BEACON_TRY(height, Optional<int>(j, "height", 0));
    BEACON_TRY(duration, Optional<double>(j, "duration", 0.0));
    BEACON_TRY(first_pts, Optional<double>(j, "first_pts", 0.0));
    BEACON_TRY(muxed_first_pts, Optional<double>(j, "muxed_first_pts", first_pts));
    BEACON_TRY(vcodecs, Optional<std::string>(j, "video_codecs", ""));
    BEACON_TRY(acodecs, Optional<std::string>(j, "audio_codecs", ""));
    BEACON_TRY(original, Optional<std::string>(j, "original_language", ""));
    if (!std::isfinite(seg_s) || seg_s <= 0 || seg_s > kMaxSegmentSeconds) {
        return Error::Invalid("segment_seconds: must be in (0, 3600]");
    }
    if (!std::isfinite(fps) || fps <= 0 || fps > 1000) return Error::Invalid("fps: out of range");
    if (width < 0 || width > 16384 || height < 0 || height > 16384) {
        return Error::Invalid("width/height: out of range");
    }
    if (!std::isfinite(first_pts) || first_pts < 0 || first_pts > 95443) {
        return Error::Invalid("first_pts: out of range");
    }
    if (!std::isfinite(muxed_first_pts) || muxed_first_pts < 0 || muxed_first_pts > 95443) {
        return Error::Invalid("muxed_first_pts: out of range");
    }
    auto codec_ok = [](const std::string& s) {
        return s.size() < 64 && std::all_of(s.begin(), s.end(), [](char c) {
                   return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == ',';
               });
    };
    if (!codec_ok(vcodecs) || !codec_ok(acodecs)) {
        return Error::Invalid("video_codecs/audio_codecs: unexpected characters");
    }
    m.segment_seconds = seg_s;
    m.fps = fps;
    m.width = width;
    m.height = height;
    m.first_pts = first_pts;
    m.muxed_first_pts = muxed_first_pts;
    m.video_codecs = vcodecs;
    m.audio_codecs = acodecs;

    auto video = j.find("video");
    if (video == j.end()) return Error::Invalid("video: missing");
    BEACON_TRY(vsegs, ParseSegments(*video, "video"));
    if (vsegs.empty()) return Error::Invalid("video: no segments");
    m.video = std::move(vsegs);
    double total = 0;
    for (const auto& s : m.video) total += s.duration;
    m.duration = (std::isfinite(duration) && duration > 0) ? duration : total;

    auto audio = j.find("audio");
    BEACON_TRY(atracks, ParseTracks(audio == j.end() ? OJson() : *audio, "audio",
                                    m.video.size(), m.warnings));
    m.audio = std::move(atracks);
    if (m.audio.empty()) return Error::Invalid("audio: no audio track on the video's grid");
    if (!original.empty()) {
        auto it = std::find_if(m.audio.begin(), m.audio.end(),
                               [&](const Track& t) { return t.language == original; });
        if (it == m.audio.end()) {
            return Error::Invalid("original_language: no audio track '" +
                                  original.substr(0, 32) + "'");
        }
        std::rotate(m.audio.begin(), it, it + 1);
    }
    auto subs = j.find("subtitles");
    BEACON_TRY(stracks, ParseTracks(subs == j.end() ? OJson() : *subs, "subtitles",
                                    m.video.size(), m.warnings));
    m.subtitles = std::move(stracks);
    auto muxed = j.find("muxed");
    BEACON_TRY(mtracks, ParseTracks(muxed == j.end() ? OJson() : *muxed, "muxed",
                                    m.video.size(), m.warnings));
    m.muxed = std::move(mtracks);
    return m;
}

}  // namespace beacon::liveloop
