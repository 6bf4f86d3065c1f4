#include <algorithm>
#include <cmath>
#include <string>
#include <thread>

#include "liveloop/service.hpp"
#include "liveloop/service_internal.hpp"
#include "media/ts_rewrite.hpp"
#include "storage/database.hpp"
#include "storage/object_store.hpp"

/// LiveLoopService: channel segments (rewritten onto the channel clock, cached as sealed
/// in-memory files) and the endless stream.ts.
namespace beacon::liveloop {

using namespace internal;  // NOLINT: the implementation files share these helpers

std::optional<LiveAnswer> LiveLoopService::TryCachedSegment(std::string_view path) {
    auto parts = Split(path, '/');
    if (parts.size() < 3 || !IsSlug(parts[0])) return std::nullopt;
    std::string rendition;
    std::string_view file = parts.back();
    if (parts.size() == 3 && parts[1] == "v" && file.ends_with(".ts")) {
        rendition = "v";
    } else if (parts.size() == 4 && (parts[1] == "a" || parts[1] == "m") &&
               IsValidLanguageTag(parts[2]) && file.ends_with(".ts")) {
        rendition = std::string(parts[1]) + "/" + std::string(parts[2]);
    } else if (parts.size() == 4 && parts[1] == "s" && IsValidLanguageTag(parts[2]) &&
               file.ends_with(".vtt")) {
        rendition = "s/" + std::string(parts[2]);
    } else {
        return std::nullopt;
    }
    std::string_view msn_text = file.substr(0, file.rfind('.'));
    if (!IsDigits(msn_text) || msn_text.size() > 18) return std::nullopt;
    const UnixMillis wall = Wall();
    // The lock is only tried (a network thread never waits behind a refresh that reads the
    // database), a few times with a yield: other fast answers hold it for microseconds, and
    // giving up at the first collision sent a share of the requests the long way.
    std::unique_lock lock(mu_, std::defer_lock);
    for (int attempt = 0; attempt < 4 && !lock.try_lock(); ++attempt) std::this_thread::yield();
    if (!lock.owns_lock() || !changed_items_.empty()) return std::nullopt;
    auto slug = slugs_.find(parts[0]);
    if (slug == slugs_.end()) return std::nullopt;
    auto found = channels_.find(slug->second);
    if (found == channels_.end()) return std::nullopt;
    Channel& ch = *found->second;
    if (ch.dirty || !ch.playlist.active) return std::nullopt;
    // What RefreshLocked does when nothing is due: no reading, no writing.
    const UnixMillis now = AdvanceClock(ch.state, wall, 2LL * options_.target_duration * 1000);
    if (now < ch.window_from || now >= ch.window_until) return std::nullopt;
    LiveAnswer a = SegmentLocked(ch, rendition, std::stoll(std::string(msn_text)), lock, true);
    if (a.status == 0) return std::nullopt;
    return a;
}


std::string LiveLoopService::SegmentKey(const CatalogItem& item, const std::string& rendition,
                                        std::size_t index) {
    const ItemManifest& m = item.manifest;
    const SegmentRef* ref = nullptr;
    if (rendition == "v") {
        if (index < m.video.size()) ref = &m.video[index];
    } else if (rendition.size() > 2) {
        const std::string lang = rendition.substr(2);
        const Track* t = nullptr;
        if (rendition[0] == 'a') {
            t = m.Audio(lang);
            if (!t && !m.audio.empty()) t = &m.audio.front();
        } else if (rendition[0] == 'm') {
            t = m.Muxed(lang);
            if (!t && !m.audio.empty()) t = m.Muxed(m.OriginalLanguage());
            if (!t && !m.muxed.empty()) t = &m.muxed.front();
        } else if (rendition[0] == 's') {
            t = m.Subtitles(lang);
        }
        if (t && index < t->segments.size()) ref = &t->segments[index];
    }
    if (!ref) return {};
    return "library/" + std::to_string(item.content_id) + "/hls/" + ref->uri;
}

const std::array<std::uint8_t, 8192>& LiveLoopService::CcAddLocked(Channel& ch,
                                                                   const std::string& rendition,
                                                                   std::size_t i) {
    const auto& occ = ch.state.occurrences;
    const auto key = std::make_pair(rendition, occ[i].first_msn);
    auto found = ch.cc_add.find(key);
    if (found != ch.cc_add.end()) return found->second;
    // Forget occurrences that left the state.
    for (auto it = ch.cc_add.begin(); it != ch.cc_add.end();) {
        it = it->first.second < occ.front().first_msn ? ch.cc_add.erase(it) : std::next(it);
    }
    std::array<std::uint8_t, 8192> add{};
    // Chain from the previous play when this one continues it; the chain is anchored (zero) at
    // the first play of the current window, or at a real discontinuity.
    const std::int64_t window_first =
        ch.window.segments.empty() ? occ[i].first_msn : ch.window.segments.front().msn;
    if (i > 0 && occ[i - 1].dsn == occ[i].dsn &&
        occ[i - 1].first_msn + occ[i - 1].segment_count > window_first) {
        const auto prev_add = CcAddLocked(ch, rendition, i - 1);
        auto prev_item = ch.catalog.find(occ[i - 1].content_id);
        auto item = ch.catalog.find(occ[i].content_id);
        if (prev_item != ch.catalog.end() && item != ch.catalog.end() &&
            occ[i - 1].segment_count > 0) {
            auto last_key = SegmentKey(*prev_item->second, rendition,
                                       static_cast<std::size_t>(occ[i - 1].segment_count - 1));
            auto first_key = SegmentKey(*item->second, rendition, 0);
            auto last = last_key.empty() ? core::Result<std::string>(Error::NotFound("none"))
                                         : store_.Get(last_key);
            auto first = first_key.empty() ? core::Result<std::string>(Error::NotFound("none"))
                                           : store_.Get(first_key);
            if (last.ok() && first.ok()) {
                auto lc = media::ScanContinuity(*last);
                auto fc = media::ScanContinuity(*first);
                if (lc.ok() && fc.ok()) add = media::ChainContinuity(*lc, prev_add, *fc);
            }
        }
    }
    return ch.cc_add.emplace(key, add).first->second;
}

LiveAnswer LiveLoopService::SegmentLocked(Channel& ch, const std::string& rendition,
                                          std::int64_t msn, std::unique_lock<std::mutex>& lock,
                                          bool cached_only) {
    const auto& occ = ch.state.occurrences;
    auto after = std::upper_bound(occ.begin(), occ.end(), msn,
                                  [](std::int64_t m, const Occurrence& o) { return m < o.first_msn; });
    if (after == occ.begin()) return Text(404, "segment " + std::to_string(msn) + " is no longer on the channel");
    const std::size_t oi = static_cast<std::size_t>(after - occ.begin()) - 1;
    const Occurrence& o = occ[oi];
    if (msn >= o.first_msn + o.segment_count) {
        return Text(404, "segment " + std::to_string(msn) + " is not on the channel");
    }
    auto found = ch.catalog.find(o.content_id);
    if (found == ch.catalog.end()) return Text(404, "segment " + std::to_string(msn) + " is gone");
    const std::shared_ptr<const CatalogItem> item = found->second;
    const auto index = static_cast<std::size_t>(msn - o.first_msn);
    if (index >= item->manifest.video.size()) return Text(404, "segment is gone");
    double cum = 0;
    for (std::size_t k = 0; k < index; ++k) cum += item->manifest.video[k].duration;
    const UnixMillis seg_start = o.start + std::llround(cum * 1000);
    if (seg_start > ch.state.clock_floor + 1000) {
        return Text(404, "segment " + std::to_string(msn) + " is not published yet");
    }
    // The play (item and start) is part of the key: a channel whose state was reset numbers
    // from 0 again, and its MSNs must not find the old plays' bytes.
    const std::string cache_key = std::to_string(ch.playlist.id) + "/" + rendition + "/" +
                                  std::to_string(msn) + "/" + std::to_string(o.content_id) +
                                  "@" + std::to_string(o.start);
    LiveAnswer a;
    a.cache_control = "private, max-age=3600";
    const bool vtt = rendition[0] == 's';
    a.content_type = vtt ? "text/vtt; charset=utf-8" : "video/mp2t";
    auto hit = segment_cache_.find(cache_key);
    if (hit != segment_cache_.end()) {
        hit->second.used = ++segment_cache_tick_;
        if (cached_only) {
            a.shared_file = hit->second.file;
            return a;
        }
        auto bytes = hit->second.file->Read();
        if (bytes.ok()) {
            a.body = std::move(bytes).value();
            return a;
        }
        // Unreadable (out of memory): drop the entry and rewrite the segment again below.
        segment_cache_bytes_ -= hit->second.file->size();
        segment_cache_.erase(hit);
    }
    if (cached_only) {
        a.status = 0;
        return a;
    }
    const std::int64_t first_pts = std::llround(
        (rendition[0] == 'm' ? item->manifest.muxed_first_pts : item->manifest.first_pts) * 90000);
    const std::int64_t offset = ChannelClock(o.start) - first_pts;
    const std::string key = SegmentKey(*item, rendition, index);
    if (key.empty() && vtt) {
        a.body = EmptyWebVtt(ChannelClock(o.start));
        return a;
    }
    if (key.empty()) {
        return Text(503, "item " + std::to_string(item->content_id) +
                             " has no muxed rendition yet (it is being prepared)");
    }
    media::TsShift shift;
    shift.clock_offset = offset;
    if (!vtt) {
        shift.cc_add = CcAddLocked(ch, rendition, oi);
        // The item's first packets carry the discontinuity indicator from ingest: true only
        // where the stream really jumps.
        shift.clear_discontinuity = oi > 0 && occ[oi - 1].dsn == o.dsn;
    }
    lock.unlock();
    auto bytes = store_.Get(key);
    std::string body;
    std::string failure;
    if (!bytes.ok()) {
        failure = bytes.error().message;
    } else if (vtt) {
        body = media::ShiftWebVtt(*bytes, offset);
    } else {
        body = std::move(bytes).value();
        if (index == 0 && rendition[0] != 'v') {
            // AAC's priming frame sits before the first video frame; on a channel it would
            // overlap the previous item's last audio frame (audio DTS going back at every
            // boundary). Dropped here, so audio runs on exactly as video does.
            auto dropped = media::DropLeadingAudio(body, first_pts);
            if (!dropped.ok()) failure = key + ": " + dropped.error().message;
        }
        auto st = media::ShiftTs(body, shift);
        if (failure.empty() && !st.ok()) failure = key + ": " + st.error().message;
    }
    lock.lock();
    if (!failure.empty()) return Text(503, "segment " + std::to_string(msn) + ": " + failure);
    // Kept as a sealed in-memory file: the network threads send it with sendfile, as a static
    // server sends a file, instead of copying the bytes into the socket per request. A memfd
    // that cannot be made (out of memory or descriptors) leaves the segment uncached.
    auto file = core::MemFile::Create(body, "beacon-live-segment");
    if (file.ok()) {
        auto& slot = segment_cache_[cache_key];  // another request may have filled it meanwhile
        if (slot.file) segment_cache_bytes_ -= slot.file->size();
        slot = CachedSegment{std::move(file).value(), ++segment_cache_tick_};
        segment_cache_bytes_ += slot.file->size();
        while (segment_cache_bytes_ > kSegmentCacheBytes && segment_cache_.size() > 1) {
            auto oldest = segment_cache_.begin();
            for (auto it = segment_cache_.begin(); it != segment_cache_.end(); ++it) {
                if (it->second.used < oldest->second.used) oldest = it;
            }
            segment_cache_bytes_ -= oldest->second.file->size();
            segment_cache_.erase(oldest);
        }
    }
    a.body = std::move(body);
    return a;
}

StreamChunk LiveLoopService::NextStreamChunk(const std::string& slug, const std::string& lang,
                                             std::int64_t& next_msn) {
    std::unique_lock lock(mu_);
    auto ch = ChannelBySlugLocked(slug);
    if (!ch.ok()) return StreamChunk{{}, 0, true};
    auto st = RefreshLocked(**ch, Wall());
    if (!st.ok()) return StreamChunk{{}, 0, true};
    const Window& w = (*ch)->window;
    if (w.segments.empty()) return StreamChunk{{}, 1000, false};
    const std::int64_t last = w.segments.back().msn;
    // Start one segment behind the live edge (a segment of margin), and jump to it when the
    // reader fell out of what the channel still holds.
    const std::int64_t oldest = (*ch)->state.occurrences.front().first_msn;
    if (next_msn < 0 || next_msn < oldest) {
        next_msn = w.segments.size() >= 2 ? w.segments[w.segments.size() - 2].msn : last;
    }
    if (next_msn > last) {
        const UnixMillis now = (*ch)->state.clock_floor;
        const auto wait = std::clamp<std::int64_t>(w.next_change - now, 20, 1000);
        return StreamChunk{{}, static_cast<int>(wait), false};
    }
    const std::string rendition = "m/" + lang;
    LiveAnswer a = SegmentLocked(**ch, rendition, next_msn, lock);
    ++next_msn;
    if (a.status != 200) return StreamChunk{{}, 20, false};  // skipped numbers: the next one
    return StreamChunk{std::move(a.body), 0, false};
}

}  // namespace beacon::liveloop
