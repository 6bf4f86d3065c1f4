#include "liveloop/playlist.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace beacon::liveloop {

namespace {

constexpr UnixMillis kNever = std::numeric_limits<UnixMillis>::max();

const CatalogItem* Find(const Catalog& c, std::int64_t id) {
    auto it = c.find(id);
    return it == c.end() ? nullptr : it->second.get();
}

bool Describes(const Occurrence& o, const CatalogItem* item) {
    return item && static_cast<int>(item->manifest.video.size()) >= o.segment_count &&
           o.segment_count > 0;
}

void AppendExtinf(std::string& out, double seconds) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "#EXTINF:%.3f,\n", seconds);
    out += buf;
}

}  // namespace

Window ComputeWindow(const ChannelState& s, const Catalog& catalog, UnixMillis now,
                     int window_segments) {
    Window w;
    w.next_change = kNever;
    const auto& occ = s.occurrences;
    // The occurrence on air: the last one that has started.
    auto on_air = std::upper_bound(occ.begin(), occ.end(), now,
                                   [](UnixMillis t, const Occurrence& o) { return t < o.start; });
    if (on_air != occ.end()) w.next_change = on_air->start;
    if (on_air == occ.begin()) return w;
    std::size_t i = static_cast<std::size_t>(on_air - occ.begin()) - 1;

    std::vector<WindowSegment> rev;
    rev.reserve(static_cast<std::size_t>(std::max(window_segments, 1)));
    bool first_occurrence = true;
    while (true) {
        const Occurrence& o = occ[i];
        const CatalogItem* item = Find(catalog, o.content_id);
        if (!Describes(o, item)) break;
        // Segment starts from the video grid.
        std::vector<UnixMillis> starts;
        starts.reserve(static_cast<std::size_t>(o.segment_count));
        double cum = 0;
        for (int k = 0; k < o.segment_count; ++k) {
            starts.push_back(o.start + std::llround(cum * 1000));
            cum += item->manifest.video[static_cast<std::size_t>(k)].duration;
        }
        int last = o.segment_count - 1;
        if (first_occurrence) {
            while (last >= 0 && starts[static_cast<std::size_t>(last)] > now) --last;
            if (last + 1 < o.segment_count) {
                w.next_change = starts[static_cast<std::size_t>(last) + 1];
            }
            first_occurrence = false;
        }
        for (int k = last; k >= 0 && static_cast<int>(rev.size()) < window_segments; --k) {
            WindowSegment seg;
            seg.occurrence = &o;
            seg.item = item;
            seg.index = k;
            seg.start = starts[static_cast<std::size_t>(k)];
            seg.msn = o.first_msn + k;
            rev.push_back(seg);
        }
        if (static_cast<int>(rev.size()) >= window_segments || i == 0) break;
        const Occurrence& prev = occ[i - 1];
        if (prev.first_msn + prev.segment_count != o.first_msn || prev.end() != o.start ||
            (prev.dsn != o.dsn && prev.dsn + 1 != o.dsn)) {
            break;  // not contiguous (a cut, see Reconcile): the window starts here
        }
        --i;
    }
    w.segments.assign(rev.rbegin(), rev.rend());
    for (std::size_t k = 1; k < w.segments.size(); ++k) {
        w.segments[k].discontinuity =
            w.segments[k].occurrence->dsn != w.segments[k - 1].occurrence->dsn;
    }
    if (!w.segments.empty()) {
        w.media_sequence = w.segments.front().msn;
        w.discontinuity_sequence = w.segments.front().occurrence->dsn;
    }
    return w;
}

std::string RenderMediaPlaylist(const Window& w, const Rendition& r, int target_duration,
                                const UriScheme& uris) {
    std::string out;
    out.reserve(160 + w.segments.size() * 160);
    out += "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:";
    out += std::to_string(target_duration);
    out += "\n#EXT-X-MEDIA-SEQUENCE:";
    out += std::to_string(w.media_sequence);
    out += "\n#EXT-X-DISCONTINUITY-SEQUENCE:";
    out += std::to_string(w.discontinuity_sequence);
    out += '\n';
    for (const auto& seg : w.segments) {
        const ItemManifest& m = seg.item->manifest;
        const auto k = static_cast<std::size_t>(seg.index);
        if (seg.discontinuity) out += "#EXT-X-DISCONTINUITY\n";
        out += "#EXT-X-PROGRAM-DATE-TIME:";
        out += core::FormatTimestamp(seg.start);
        out += '\n';
        // Served segments run on the video's grid (the audio's priming frame is dropped and
        // every rendition moves by the same offset), so every rendition lists the video's
        // durations: players' fragment-time estimates never drift between renditions. Which
        // file a name stands for (a language the item lacks falls back to its original, a
        // missing subtitle to an empty WebVTT) is the server's business.
        const char* folder = r.kind == RenditionKind::kAudio       ? "a/"
                             : r.kind == RenditionKind::kMuxed     ? "m/"
                             : r.kind == RenditionKind::kSubtitles ? "s/"
                                                                   : "v/";
        AppendExtinf(out, m.video[k].duration);
        out += folder;
        if (r.kind != RenditionKind::kVideo) {
            out += r.language;
            out += '/';
        }
        out += std::to_string(seg.msn);
        out += r.kind == RenditionKind::kSubtitles ? ".vtt" : ".ts";
        out += uris.query;
        out += '\n';
    }
    return out;
}

MasterInfo DescribeChannel(const ChannelState& s, const Catalog& catalog,
                           const std::vector<std::int64_t>& items) {
    MasterInfo info;
    info.audio_languages = s.audio_languages;
    info.subtitle_languages = s.subtitle_languages;
    auto consider = [&](const CatalogItem* item) {
        if (!item) return;
        const ItemManifest& m = item->manifest;
        info.bandwidth = std::max(info.bandwidth, item->bandwidth);
        if (static_cast<std::int64_t>(m.width) * m.height >
            static_cast<std::int64_t>(info.width) * info.height) {
            info.width = m.width;
            info.height = m.height;
        }
        info.fps = m.fps;
        if (info.video_codecs.empty()) info.video_codecs = m.video_codecs;
        if (info.audio_codecs.empty()) info.audio_codecs = m.audio_codecs;
    };
    for (const auto& o : s.occurrences) consider(Find(catalog, o.content_id));
    for (auto id : items) consider(Find(catalog, id));
    if (info.bandwidth <= 0) info.bandwidth = 5000000;  // unknown sizes: a safe upper bound
    if (info.video_codecs.empty()) info.video_codecs = "avc1.640028";  // the house format
    if (info.audio_codecs.empty()) info.audio_codecs = "mp4a.40.2";
    return info;
}

std::string RenderMasterPlaylist(const MasterInfo& info) {
    std::string out = "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-INDEPENDENT-SEGMENTS\n";
    for (std::size_t i = 0; i < info.audio_languages.size(); ++i) {
        const auto& l = info.audio_languages[i];
        out += "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"aud\",LANGUAGE=\"" + l + "\",NAME=\"" +
               LanguageName(l) + "\",DEFAULT=" + (i == 0 ? "YES" : "NO") +
               ",AUTOSELECT=YES,CHANNELS=\"2\",URI=\"audio_" + l + ".m3u8" + info.query +
               "\"\n";
    }
    for (const auto& l : info.subtitle_languages) {
        out += "#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",LANGUAGE=\"" + l + "\",NAME=\"" +
               LanguageName(l) + "\",DEFAULT=NO,AUTOSELECT=YES,FORCED=NO,URI=\"subs_" + l +
               ".m3u8" + info.query + "\"\n";
    }
    char buf[64];
    out += "#EXT-X-STREAM-INF:BANDWIDTH=" + std::to_string(info.bandwidth) + ",CODECS=\"" +
           info.video_codecs + "," + info.audio_codecs + "\"";
    if (info.width > 0 && info.height > 0) {
        out += ",RESOLUTION=" + std::to_string(info.width) + "x" + std::to_string(info.height);
    }
    std::snprintf(buf, sizeof buf, ",FRAME-RATE=%.3f", info.fps);
    out += buf;
    if (!info.audio_languages.empty()) out += ",AUDIO=\"aud\"";
    if (!info.subtitle_languages.empty()) out += ",SUBTITLES=\"subs\"";
    out += "\nvideo.m3u8" + info.query + "\n";
    return out;
}

std::string EmptyWebVtt(std::int64_t mpegts) {
    return "WEBVTT\nX-TIMESTAMP-MAP=LOCAL:00:00:00.000,MPEGTS:" + std::to_string(mpegts) +
           "\n\n";
}

std::string LanguageName(const std::string& tag) {
    static const std::pair<const char*, const char*> kNames[] = {
        {"en", "English"},  {"es", "Español"},   {"fr", "Français"}, {"de", "Deutsch"},
        {"it", "Italiano"}, {"pt", "Português"}, {"nl", "Nederlands"}, {"ja", "日本語"},
        {"zh", "中文"},      {"ko", "한국어"},     {"ru", "Русский"},  {"ar", "العربية"},
        {"hi", "हिन्दी"},      {"ca", "Català"},    {"sv", "Svenska"},  {"pl", "Polski"},
    };
    for (const auto& [code, name] : kNames) {
        if (tag == code) return name;
    }
    return tag;
}

}  // namespace beacon::liveloop
