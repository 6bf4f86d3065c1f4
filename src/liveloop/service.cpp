#include "liveloop/service.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "liveloop/guide.hpp"
#include "liveloop/service_internal.hpp"
#include "media/ts_rewrite.hpp"
#include "storage/channel_store.hpp"
#include "storage/content_store.hpp"
#include "storage/object_store.hpp"

namespace beacon::liveloop {

using core::Error;
using core::ErrorCode;
using core::UnixMillis;

using namespace internal;  // NOLINT: the implementation files share these helpers

LiveLoopService::LiveLoopService(storage::ChannelStore& channels, storage::ContentStore& library,
                                 storage::ObjectStore& store, LiveLoopOptions options)
    : channel_store_(channels), library_(library), store_(store), options_(std::move(options)) {
    options_.window_segments = std::clamp(options_.window_segments, 3, 1000);
    options_.horizon_seconds = std::max(options_.horizon_seconds, 10);
    options_.target_duration = std::clamp(options_.target_duration, 1, 60);
    options_.guide_hours = std::clamp(options_.guide_hours, 1, 24 * 14);
}

LiveLoopService::~LiveLoopService() = default;

UnixMillis LiveLoopService::Wall() const {
    return options_.clock ? options_.clock() : core::NowMillis();
}

std::string LiveLoopService::BaseUrl(std::string_view given) const {
    std::string base(given);
    if (base.empty() && options_.public_base_url) base = options_.public_base_url();
    while (!base.empty() && base.back() == '/') base.pop_back();
    return base;
}

// ---- channels ---------------------------------------------------------------------------------

core::Result<std::shared_ptr<LiveLoopService::Channel>> LiveLoopService::LoadChannelLocked(
    std::int64_t id) {
    BEACON_TRY(playlist, channel_store_.GetPlaylist(id));
    auto ch = std::make_shared<Channel>();
    ch->playlist = playlist;
    const UnixMillis wall = Wall();
    const int td = options_.target_duration;
    bool fresh = true;
    auto text = channel_store_.GetChannelState(id);
    if (text.ok() && !text->empty()) {
        auto parsed = ParseChannelState(*text);
        if (parsed.ok() && parsed->target_duration == td) {
            ch->state = std::move(parsed).value();
            fresh = false;
        }
    }
    if (fresh) {
        std::random_device rd;
        const std::uint64_t seed = (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
        ch->state = NewChannelState(wall, seed, td,
                                    static_cast<std::int64_t>(options_.window_segments) * td *
                                        1000);
        if (options_.number_from_clock) {
            ch->state.next_msn = wall / 1000;
            ch->state.next_dsn = wall / 1000;
        }
    }
    channels_[id] = ch;
    slugs_[playlist.slug] = id;
    return ch;
}

core::Result<std::shared_ptr<LiveLoopService::Channel>> LiveLoopService::ChannelByIdLocked(
    std::int64_t id) {
    auto it = channels_.find(id);
    if (it != channels_.end()) return it->second;
    return LoadChannelLocked(id);
}

core::Result<std::shared_ptr<LiveLoopService::Channel>> LiveLoopService::ChannelBySlugLocked(
    std::string_view slug) {
    auto it = slugs_.find(slug);
    if (it != slugs_.end()) {
        auto ch = ChannelByIdLocked(it->second);
        if (ch.ok() && (*ch)->playlist.slug == slug) return ch;
        slugs_.erase(std::string(slug));
    }
    auto p = channel_store_.GetPlaylistBySlug(std::string(slug));
    if (!p.ok()) {
        if (p.error().code == ErrorCode::kNotFound) {
            return Error::NotFound("no channel '" + std::string(slug) + "'");
        }
        return p.error();
    }
    slugs_[p->slug] = p->id;
    return ChannelByIdLocked(p->id);
}

std::shared_ptr<const CatalogItem> LiveLoopService::LoadItemLocked(std::int64_t id) {
    auto content = library_.GetContent(id);
    if (!content.ok()) {
        failed_[id] = Wall() + kRetryFailedItemMs;
        for (auto& [cid, ch] : channels_) ch->item_errors[id] = content.error().message;
        return nullptr;
    }
    auto fail = [&](const std::string& why) -> std::shared_ptr<const CatalogItem> {
        failed_[id] = Wall() + kRetryFailedItemMs;
        for (auto& [cid, ch] : channels_) {
            ch->item_errors[id] = "item " + std::to_string(id) + " (" + content->title + "): " + why;
        }
        return nullptr;
    };
    if (options_.held_back && options_.held_back(id)) return fail("flagged for review");
    auto text = store_.Get(ManifestKey(id));
    if (!text.ok()) return fail("no HLS packaging (" + ManifestKey(id) + "): " + text.error().message);
    auto manifest = ParseManifest(*text);
    if (!manifest.ok()) return fail(ManifestKey(id) + ": " + manifest.error().message);
    // Peak bit rate of video + original audio per segment, from the files' sizes.
    std::int64_t bandwidth = 0;
    const std::string prefix = "library/" + std::to_string(id) + "/hls/";
    const auto& m = manifest.value();
    for (std::size_t i = 0; i < m.video.size(); ++i) {
        auto v = store_.Size(prefix + m.video[i].uri);
        auto a = store_.Size(prefix + m.audio.front().segments[i].uri);
        if (!v.ok() || !a.ok()) return fail("segment " + m.video[i].uri + " is missing");
        const double bits = static_cast<double>(*v + *a) * 8;
        bandwidth = std::max(bandwidth, static_cast<std::int64_t>(bits / m.video[i].duration));
    }
    auto item = MakeCatalogItem(id, content->title, content->description,
                                std::move(manifest).value(), options_.target_duration, bandwidth);
    if (!item.ok()) return fail(item.error().message);
    failed_.erase(id);
    for (auto& [cid, ch] : channels_) ch->item_errors.erase(id);
    return item.value();
}

void LiveLoopService::EnsureItemsLocked(Channel& ch) {
    std::set<std::int64_t> ids(ch.schedule.items.begin(), ch.schedule.items.end());
    for (const auto& slot : ch.schedule.slots) ids.insert(slot.content_ids.begin(), slot.content_ids.end());
    for (const auto& ins : ch.schedule.inserts) ids.insert(ins.content_id);
    for (const auto& o : ch.state.occurrences) ids.insert(o.content_id);
    ids.insert(ch.state.slot_queue.begin(), ch.state.slot_queue.end());
    // Items changed or deleted since the last refresh: read again; one that cannot be read any
    // more stays described (gone) so that what was published keeps its numbering.
    for (auto id : changed_items_) {
        auto it = items_.find(id);
        if (it == items_.end()) continue;
        if (auto fresh = LoadItemLocked(id)) {
            it->second = fresh;
        } else if (!it->second->gone) {
            auto gone = std::make_shared<CatalogItem>(*it->second);
            gone->gone = true;
            it->second = gone;
        }
    }
    changed_items_.clear();
    const UnixMillis wall = Wall();
    Catalog cat;
    for (auto id : ids) {
        auto it = items_.find(id);
        if (it != items_.end()) {
            cat[id] = it->second;
            continue;
        }
        auto f = failed_.find(id);
        if (f != failed_.end() && f->second > wall) continue;
        if (auto item = LoadItemLocked(id)) {
            items_[id] = item;
            cat[id] = item;
        }
    }
    ch.catalog = std::move(cat);
}

void LiveLoopService::PersistLocked(Channel& ch) {
    auto st = channel_store_.PutChannelState(ch.playlist.id, ToJson(ch.state).dump());
    if (st.ok()) ch.persisted_at = ch.state.clock_floor;
}

core::Status LiveLoopService::RefreshLocked(Channel& ch, UnixMillis wall) {
    if (ch.dirty) {
        UnpublishLocked(ch.playlist.id);  // published again once refreshed
        auto p = channel_store_.GetPlaylist(ch.playlist.id);
        if (!p.ok()) return p.error();
        if (p->slug != ch.playlist.slug) slugs_.erase(ch.playlist.slug);
        ch.playlist = p.value();
        slugs_[ch.playlist.slug] = ch.playlist.id;
        auto sched = ScheduleFromPlaylist(
            ch.playlist,
            [this](std::int64_t pid) {
                auto other = channel_store_.GetPlaylist(pid);
                return other.ok() ? other->items : std::vector<std::int64_t>{};
            },
            options_.slot_utc_offset_minutes);
        if (sched.ok()) {
            ch.schedule = std::move(sched).value();
            ch.schedule.zone = options_.time_zone;
            ch.schedule_error.clear();
        } else {
            ch.schedule_error = sched.error().message;  // keep playing the previous schedule
        }
        ch.dirty = false;
        ch.window_until = 0;
    }
    if (!ch.playlist.active) {
        UnpublishLocked(ch.playlist.id);
        return Error::NotFound("channel '" + ch.playlist.slug + "' is off");
    }
    const int td = options_.target_duration;
    const UnixMillis now = AdvanceClock(ch.state, wall, 2LL * td * 1000);
    if (now >= ch.window_from && now < ch.window_until) return {};

    EnsureItemsLocked(ch);
    const std::int64_t horizon_ms = options_.horizon_seconds * 1000LL;
    bool changed = Reconcile(ch.state, ch.catalog, now);
    if (ch.state.horizon < now + horizon_ms / 2 || changed) {
        changed |= Extend(ch.state, ch.schedule, ch.catalog, now, now + horizon_ms);
    }
    std::vector<std::int64_t> ids = ch.schedule.items;
    for (const auto& o : ch.state.occurrences) ids.push_back(o.content_id);
    changed |= LearnLanguages(ch.state, ch.catalog, ids);
    Prune(ch.state, now - (static_cast<std::int64_t>(options_.window_segments) * td * 1000 +
                           600000));
    if (changed || now - ch.persisted_at >= td * 1000LL) PersistLocked(ch);

    ch.window = ComputeWindow(ch.state, ch.catalog, now, options_.window_segments);
    ch.window_from = now;
    // Re-check at the next segment, and at least every minute (items that failed to load).
    ch.window_until = std::min(ch.window.next_change, now + kRetryFailedItemMs);
    ch.bodies.clear();
    PublishLocked(ch);
    return {};
}

// ---- answers ----------------------------------------------------------------------------------

LiveAnswer LiveLoopService::ChannelPlaylistLocked(Channel& ch, std::string_view file,
                                                  std::string_view key) {
    Rendition r;
    bool master = false;
    auto strip = [&](std::string_view prefix) {
        std::string_view lang = file.substr(prefix.size(), file.size() - prefix.size() - 5);
        return lang;
    };
    if (file == "index.m3u8") {
        master = true;
    } else if (file == "video.m3u8") {
        r.kind = RenditionKind::kVideo;
    } else if (file.starts_with("audio_") && file.ends_with(".m3u8")) {
        r.kind = RenditionKind::kAudio;
        r.language = std::string(strip("audio_"));
    } else if (file.starts_with("subs_") && file.ends_with(".m3u8")) {
        r.kind = RenditionKind::kSubtitles;
        r.language = std::string(strip("subs_"));
    } else if (file.starts_with("muxed_") && file.ends_with(".m3u8")) {
        r.kind = RenditionKind::kMuxed;
        r.language = std::string(strip("muxed_"));
    } else {
        return Text(404, "no such LiveLoop file");
    }
    if (r.kind != RenditionKind::kVideo) {
        const auto& declared = r.kind == RenditionKind::kSubtitles ? ch.state.subtitle_languages
                                                                   : ch.state.audio_languages;
        if (!IsValidLanguageTag(r.language) ||
            std::find(declared.begin(), declared.end(), r.language) == declared.end()) {
            return Text(404, "channel '" + ch.playlist.slug + "' has no " +
                                 (r.kind == RenditionKind::kSubtitles ? "subtitles" : "audio") +
                                 " in '" + r.language.substr(0, 16) + "'");
        }
    }
    if (ch.window.segments.empty()) {
        std::string why = "channel '" + ch.playlist.slug + "' has nothing playable yet";
        if (!ch.schedule_error.empty()) why += "; schedule: " + ch.schedule_error;
        int n = 0;
        for (const auto& [id, e] : ch.item_errors) {
            if (n++ == 3) break;
            why += "; " + e;
        }
        LiveAnswer a = Text(503, why);
        a.cache_control = "no-store";
        return a;
    }
    std::string cache_key = std::string(file) + '\n' + std::string(key);
    auto hit = ch.bodies.find(cache_key);
    LiveAnswer a;
    a.content_type = kPlaylistType;
    if (hit != ch.bodies.end()) {
        a.body = hit->second;
        return a;
    }
    const std::string query = key.empty() ? std::string() : "?key=" + UrlEncode(key);
    if (master) {
        MasterInfo info = DescribeChannel(ch.state, ch.catalog, ch.schedule.items);
        info.query = query;
        a.body = RenderMasterPlaylist(info);
    } else {
        UriScheme uris;
        uris.query = query;
        a.body = RenderMediaPlaylist(ch.window, r, options_.target_duration, uris);
    }
    if (ch.bodies.size() > 64) ch.bodies.clear();
    ch.bodies.emplace(std::move(cache_key), a.body);
    return a;
}

std::vector<Programme> LiveLoopService::ProjectLocked(Channel& ch, UnixMillis from,
                                                      UnixMillis until, std::size_t max) {
    ChannelState copy = ch.state;
    Extend(copy, ch.schedule, ch.catalog, from, until);
    std::vector<Programme> out;
    for (const auto& o : copy.occurrences) {
        if (o.end() <= from) continue;
        if (o.start >= until || out.size() >= max) break;
        auto it = ch.catalog.find(o.content_id);
        Programme p;
        p.content_id = o.content_id;
        p.start = o.start;
        p.stop = o.end();
        if (it != ch.catalog.end()) {
            p.title = it->second->title;
            p.description = it->second->description;
        }
        out.push_back(std::move(p));
    }
    return out;
}

LiveAnswer LiveLoopService::Handle(std::string_view path, std::string_view query,
                                   bool authenticated, std::string_view key,
                                   std::string_view base_url) {
    if (path == "logo.svg") {  // public: guide.xml and the M3U link it without a key
        LiveAnswer a;
        a.content_type = "image/svg+xml";
        a.cache_control = "public, max-age=86400";
        a.body = std::string(LogoSvg());
        return a;
    }
    if (!authenticated) {
        LiveAnswer a = Text(401, "sign in, or add ?key=<stream key> (Settings → Stream key)");
        a.cache_control = "no-store";
        return a;
    }
    const UnixMillis wall = Wall();
    std::unique_lock lock(mu_);
    if (path == "channels.m3u" || path == "guide.xml") {
        const bool guide = path == "guide.xml";
        const std::string base = BaseUrl(base_url);
        const std::string cache_key = std::string(path) + '\n' + base + '\n' + std::string(key);
        auto hit = guide_cache_.find(cache_key);
        LiveAnswer a;
        a.content_type = guide ? "application/xml; charset=utf-8" : "audio/x-mpegurl; charset=utf-8";
        if (hit != guide_cache_.end() && wall < hit->second.until) {
            a.body = hit->second.body;
            return a;
        }
        auto playlists = channel_store_.ListPlaylists();
        if (!playlists.ok()) return FromError(playlists.error());
        std::vector<ChannelListing> listings;
        for (const auto& p : *playlists) {
            if (!p.active || !IsSlug(p.slug)) continue;
            ChannelListing l{p.slug, p.title, static_cast<int>(p.id), {}, {}};
            if (!guide) {
                // The languages the channel has learnt from its items (default first).
                if (auto ch = ChannelByIdLocked(p.id); ch.ok()) {
                    (*ch)->dirty = true;
                    if (RefreshLocked(**ch, wall).ok()) l.languages = (*ch)->state.audio_languages;
                }
            }
            if (guide) {
                auto ch = ChannelByIdLocked(p.id);
                if (ch.ok()) {
                    (*ch)->dirty = true;  // the listing came from the database just now
                    if (RefreshLocked(**ch, wall).ok()) {
                        const UnixMillis now = (*ch)->state.clock_floor;
                        // guide_hours of programmes, however short the items.
                        l.programmes =
                            ProjectLocked(**ch, now, now + options_.guide_hours * 3600000LL,
                                          std::numeric_limits<std::size_t>::max());
                    }
                }
            }
            listings.push_back(std::move(l));
        }
        a.body = guide ? RenderXmltv(listings, base) : RenderM3u(listings, base, key);
        if (guide_cache_.size() > 32) guide_cache_.clear();
        guide_cache_[cache_key] = CachedText{a.body, wall + kGuideCacheMs};
        return a;
    }
    auto parts = Split(path, '/');
    if (parts.size() < 2 || !IsSlug(parts[0])) return Text(404, "no such LiveLoop path");
    if (parts.size() == 4 && parts[1] == "empty" && IsDigits(parts[2]) &&
        parts[3].ends_with(".vtt") && IsDigits(parts[3].substr(0, parts[3].size() - 4))) {
        LiveAnswer a;
        a.content_type = "text/vtt; charset=utf-8";
        a.cache_control = "public, max-age=31536000, immutable";
        a.body = EmptyWebVtt(std::stoll(std::string(parts[2])));
        return a;
    }
    // Segments: <slug>/v/<msn>.ts, <slug>/{a,m}/<lang>/<msn>.ts, <slug>/s/<lang>/<msn>.vtt.
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
    } else if (parts.size() != 2) {
        return Text(404, "no such LiveLoop path");
    }
    std::string_view msn_text = file.substr(0, file.rfind('.'));
    if (!rendition.empty() && !IsDigits(msn_text)) return Text(404, "no such LiveLoop segment");
    if (parts[1] == "stream.ts") {
        // Checked here so that an unknown channel is a 404, not an empty stream.
        auto known = ChannelBySlugLocked(parts[0]);
        if (!known.ok()) return FromError(known.error());
        auto st = RefreshLocked(**known, wall);
        if (!st.ok()) return FromError(st.error());
        std::string lang = QueryValue(query, "lang");
        const auto& langs = (*known)->state.audio_languages;
        if (lang.empty() && !langs.empty()) lang = langs.front();
        if (std::find(langs.begin(), langs.end(), lang) == langs.end()) {
            return Text(404, "channel '" + std::string(parts[0]) + "' has no audio in '" +
                                 lang.substr(0, 16) + "'");
        }
        LiveAnswer a;
        a.content_type = "video/mp2t";
        a.cache_control = "no-store";
        auto next = std::make_shared<std::int64_t>(-1);
        a.stream = [this, slug = std::string(parts[0]), lang, next]() {
            return NextStreamChunk(slug, lang, *next);
        };
        return a;
    }
    auto ch = ChannelBySlugLocked(parts[0]);
    if (!ch.ok()) return FromError(ch.error());
    auto st = RefreshLocked(**ch, wall);
    if (!st.ok()) {
        if (st.error().code == ErrorCode::kNotFound) {
            UnpublishLocked((*ch)->playlist.id);
            channels_.erase((*ch)->playlist.id);  // off or deleted: costs nothing from now on
        }
        return FromError(st.error());
    }
    if (!rendition.empty()) {
        return SegmentLocked(**ch, rendition, std::stoll(std::string(msn_text)), lock);
    }
    if (parts[1] == "tv.m3u8") {
        std::string lang = QueryValue(query, "lang");
        const auto& langs = (**ch).state.audio_languages;
        if (lang.empty() && !langs.empty()) lang = langs.front();
        const std::string muxed = "muxed_" + lang + ".m3u8";
        return ChannelPlaylistLocked(**ch, muxed, key);
    }
    return ChannelPlaylistLocked(**ch, parts[1], key);
}

// ---- segments ---------------------------------------------------------------------------------
core::Result<core::Json> LiveLoopService::Now(std::int64_t playlist_id) {
    const UnixMillis wall = Wall();
    std::lock_guard lock(mu_);
    BEACON_TRY(ch, ChannelByIdLocked(playlist_id));
    auto st = RefreshLocked(*ch, wall);
    core::Json out{{"now", nullptr}, {"next", core::Json::array()}};
    if (!st.ok()) {
        if (st.error().code == ErrorCode::kNotFound && ch->playlist.active == false) return out;
        return st.error();
    }
    const UnixMillis now = ch->state.clock_floor;
    auto programmes = ProjectLocked(*ch, now, now + options_.guide_hours * 3600000LL,
                                    kMaxNext + 1);
    for (const auto& p : programmes) {
        core::Json e{{"content_id", p.content_id},
                     {"title", p.title},
                     {"start", core::FormatTimestamp(p.start)},
                     {"end", core::FormatTimestamp(p.stop)}};
        if (p.start <= now) {
            out["now"] = std::move(e);
        } else if (out["next"].size() < kMaxNext) {
            out["next"].push_back(std::move(e));
        }
    }
    return out;
}

void LiveLoopService::OnPlaylistChanged(std::int64_t playlist_id) {
    std::lock_guard lock(mu_);
    // Nothing is answered without the lock until each channel was refreshed (slugs may move).
    fast_.store(nullptr, std::memory_order_release);
    auto it = channels_.find(playlist_id);
    if (it != channels_.end()) it->second->dirty = true;
    slugs_.clear();
    guide_cache_.clear();
    // A playlist named by another channel's slot may have changed too.
    for (auto& [id, ch] : channels_) {
        if (!ch->schedule.slots.empty()) ch->dirty = true;
    }
}

void LiveLoopService::OnContentChanged(std::int64_t content_id) {
    std::lock_guard lock(mu_);
    // Withdrawn before this returns: no request after it gets the item's bytes without the
    // checks of a refresh, and its segments are published again only once answered again.
    fast_.store(nullptr, std::memory_order_release);
    failed_.erase(content_id);
    if (items_.count(content_id)) changed_items_.insert(content_id);  // re-read at next refresh
    for (auto& [id, ch] : channels_) {
        ch->window_until = 0;
        std::erase_if(ch->answered,
                      [&](const auto& kv) { return kv.second.content_id == content_id; });
    }
    guide_cache_.clear();
}

core::Result<std::vector<TunerChannel>> LiveLoopService::TunerChannels(std::string_view base_url,
                                                                       std::string_view key) {
    auto playlists = channel_store_.ListPlaylists();
    if (!playlists.ok()) return playlists.error();
    const std::string base = BaseUrl(base_url);
    const std::string q = key.empty() ? std::string() : "?key=" + UrlEncode(key);
    std::vector<TunerChannel> out;
    for (const auto& p : *playlists) {  // the channels of channels.m3u, numbered alike
        if (!p.active || !IsSlug(p.slug)) continue;
        out.push_back({static_cast<int>(p.id), ChannelName(p.title, p.slug), p.slug,
                       base + "/live/" + p.slug + "/stream.ts" + q});
    }
    return out;
}

}  // namespace beacon::liveloop
