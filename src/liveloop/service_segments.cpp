#include <algorithm>
#include <cmath>
#include <set>
#include <string>

#include "liveloop/service.hpp"
#include "liveloop/service_internal.hpp"
#include "media/ts_rewrite.hpp"
#include "storage/object_store.hpp"

/// LiveLoopService: channel segments (rewritten onto the channel clock, cached as unnamed
/// files or sealed in-memory files) and the endless stream.ts.
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
    if (!IsDigits(msn_text)) return std::nullopt;
    const std::int64_t msn = std::stoll(std::string(msn_text));
    // No lock: the table is immutable once published, and replaced whole.
    const std::shared_ptr<const FastTable> table = fast_.load(std::memory_order_acquire);
    if (!table) return std::nullopt;
    auto found = table->channels.find(parts[0]);
    if (found == table->channels.end()) return std::nullopt;
    const FastTable::Channel& ch = *found->second;
    // The channel clock as AdvanceClock would give it (a big jump back: the long way).
    const UnixMillis t = Wall() + ch.skew_ms;
    if (t < ch.clock_floor && ch.clock_floor - t > 2LL * options_.target_duration * 1000) {
        return std::nullopt;
    }
    const UnixMillis now = std::max(t, ch.clock_floor);
    if (now < ch.window_from || now >= ch.grace_until) return std::nullopt;
    const bool current = now < ch.window_until;
    // The first caller past the window's end refreshes the channel (Handle) for everyone.
    if (!current && !ch.refresh_claimed.exchange(true, std::memory_order_acq_rel)) {
        return std::nullopt;
    }
    auto hit = std::lower_bound(ch.segments.begin(), ch.segments.end(), std::pair(rendition, msn),
                                [](const FastTable::Segment& s, const auto& key) {
                                    const int c = s.rendition.compare(key.first);
                                    return c < 0 || (c == 0 && s.msn < key.second);
                                });
    if (hit != ch.segments.end() && hit->rendition == rendition && hit->msn == msn) {
        hit->segment->used.store(segment_cache_tick_.fetch_add(1, std::memory_order_relaxed) + 1,
                                 std::memory_order_relaxed);
        LiveAnswer a;
        a.cache_control = "private, max-age=3600";
        a.content_type = rendition[0] == 's' ? "text/vtt; charset=utf-8" : "video/mp2t";
        a.shared_file = hit->segment->file;
        return a;
    }
    // Decided from memory while the window is current (as SegmentLocked decides them).
    if (current && msn < ch.first_msn) {
        return Text(404, "segment " + std::to_string(msn) + " is no longer on the channel");
    }
    if (current && msn >= ch.end_msn) {
        return Text(404, "segment " + std::to_string(msn) + " is not on the channel");
    }
    return std::nullopt;
}

void LiveLoopService::PublishLocked(Channel& ch) {
    auto fresh = std::make_shared<FastTable::Channel>();
    fresh->id = ch.playlist.id;
    fresh->clock_floor = ch.state.clock_floor;
    fresh->skew_ms = ch.state.skew_ms;
    fresh->window_from = ch.window_from;
    fresh->window_until = ch.window_until;
    const std::int64_t td_ms = options_.target_duration * 1000LL;
    fresh->grace_until = ch.window_until + 2 * td_ms;
    const auto& occ = ch.state.occurrences;
    if (!occ.empty()) {
        fresh->first_msn = occ.front().first_msn;
        fresh->end_msn = occ.back().first_msn + occ.back().segment_count;
    }
    // What RefreshLocked prunes by grace_until: not published (the long way decides those).
    const UnixMillis keep_after =
        fresh->grace_until + 2 * td_ms -
        (static_cast<std::int64_t>(options_.window_segments) * td_ms + 600000);
    for (auto it = ch.answered.begin(); it != ch.answered.end();) {
        const std::int64_t msn = it->first.second;
        auto after = std::upper_bound(
            occ.begin(), occ.end(), msn,
            [](std::int64_t m, const Occurrence& o) { return m < o.first_msn; });
        const Occurrence* o = after == occ.begin() ? nullptr : &*std::prev(after);
        // Only while the MSN still names the very play that was answered.
        if (!o || msn >= o->first_msn + o->segment_count ||
            o->content_id != it->second.content_id || o->start != it->second.start) {
            it = ch.answered.erase(it);
            continue;
        }
        if (o->end() >= keep_after) {
            fresh->segments.push_back(FastTable::Segment{it->first.first, msn, it->second.segment});
        }
        ++it;
    }
    // ch.answered is ordered by (rendition, msn): so is the table.
    auto table = std::make_shared<FastTable>();
    if (auto old = fast_.load(std::memory_order_acquire)) table->channels = old->channels;
    std::erase_if(table->channels, [&](const auto& kv) { return kv.second->id == fresh->id; });
    if (ch.playlist.active && !ch.dirty && IsSlug(ch.playlist.slug)) {
        table->channels[ch.playlist.slug] = std::move(fresh);
    }
    fast_.store(std::move(table), std::memory_order_release);
}

void LiveLoopService::UnpublishLocked(std::int64_t id) {
    auto old = fast_.load(std::memory_order_acquire);
    if (!old) return;
    auto table = std::make_shared<FastTable>(*old);
    std::erase_if(table->channels, [&](const auto& kv) { return kv.second->id == id; });
    fast_.store(std::move(table), std::memory_order_release);
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
                                          std::int64_t msn, std::unique_lock<std::mutex>& lock) {
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
    // Answered from now on without the lock (TryCachedSegment), while this play is the MSN's.
    const std::int64_t play_item = o.content_id;
    const UnixMillis play_start = o.start;
    auto remember = [&](const std::shared_ptr<CachedSegment>& seg) {
        auto& slot = ch.answered[std::make_pair(rendition, msn)];
        if (slot.segment == seg && slot.content_id == play_item && slot.start == play_start) return;
        slot = Channel::Answered{play_item, play_start, seg};
        PublishLocked(ch);
    };
    auto hit = segment_cache_.find(cache_key);
    if (hit != segment_cache_.end()) {
        hit->second->used.store(segment_cache_tick_.fetch_add(1, std::memory_order_relaxed) + 1,
                                std::memory_order_relaxed);
        auto bytes = hit->second->file->Read();
        if (bytes.ok()) {
            remember(hit->second);
            a.body = std::move(bytes).value();
            return a;
        }
        // Unreadable (out of memory): drop the entry and rewrite the segment again below.
        segment_cache_bytes_ -= hit->second->file->size();
        segment_cache_.erase(hit);
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
    // Kept as an unnamed file (segment_file_dir) or a sealed in-memory file: the network
    // threads send it with sendfile, as a static server sends a file, instead of copying the
    // bytes into the socket per request. A file that cannot be made (out of memory, disk or
    // descriptors) leaves the segment uncached.
    auto file = core::MemFile::Create(body, "beacon-live-segment", options_.segment_file_dir);
    if (file.ok()) {
        auto& slot = segment_cache_[cache_key];  // another request may have filled it meanwhile
        if (slot) segment_cache_bytes_ -= slot->file->size();
        slot = std::make_shared<CachedSegment>();
        slot->file = std::move(file).value();
        slot->used.store(segment_cache_tick_.fetch_add(1, std::memory_order_relaxed) + 1,
                         std::memory_order_relaxed);
        segment_cache_bytes_ += slot->file->size();
        const auto fresh = slot;
        std::set<std::int64_t> touched;  // channels that published an evicted segment
        while (segment_cache_bytes_ > kSegmentCacheBytes && segment_cache_.size() > 1) {
            auto oldest = segment_cache_.begin();
            for (auto it = segment_cache_.begin(); it != segment_cache_.end(); ++it) {
                if (it->second->used.load(std::memory_order_relaxed) <
                    oldest->second->used.load(std::memory_order_relaxed)) {
                    oldest = it;
                }
            }
            for (auto& [id, other] : channels_) {
                if (std::erase_if(other->answered, [&](const auto& kv) {
                        return kv.second.segment == oldest->second;
                    }) > 0) {
                    touched.insert(id);
                }
            }
            segment_cache_bytes_ -= oldest->second->file->size();
            segment_cache_.erase(oldest);
        }
        for (auto id : touched) {
            if (id != ch.playlist.id) PublishLocked(*channels_.at(id));
        }
        // `o` may be stale (the lock was released): PublishLocked checks the play again.
        if (segment_cache_.count(cache_key) > 0) {
            remember(fresh);
        } else if (touched.count(ch.playlist.id) > 0) {
            PublishLocked(ch);
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
