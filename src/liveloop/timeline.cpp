#include "liveloop/timeline.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <random>

namespace beacon::liveloop {

using core::Error;

namespace {

constexpr std::int64_t kDayMs = 86400000;

std::int64_t FloorDiv(std::int64_t a, std::int64_t b) {
    std::int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
    return q;
}

bool Contains(const std::vector<std::string>& v, const std::string& x) {
    return std::find(v.begin(), v.end(), x) != v.end();
}

const CatalogItem* Find(const Catalog& c, std::int64_t id) {
    auto it = c.find(id);
    return it == c.end() ? nullptr : it->second.get();
}

const CatalogItem* Playable(const Catalog& c, std::int64_t id) {
    const CatalogItem* item = Find(c, id);
    return (item && !item->gone) ? item : nullptr;
}

std::string_view ToString(Source s) {
    switch (s) {
        case Source::kSlot: return "slot";
        case Source::kInsert: return "insert";
        case Source::kLoop: break;
    }
    return "loop";
}

/// Deterministic Fisher-Yates (std::shuffle's distribution is implementation-defined).
std::vector<std::int64_t> Permute(std::vector<std::int64_t> v, std::uint64_t seed,
                                  std::int64_t cycle) {
    std::mt19937_64 rng(seed ^ (static_cast<std::uint64_t>(cycle) * 0x9E3779B97F4A7C15ULL));
    for (std::size_t i = v.size(); i > 1; --i) {
        std::size_t j = static_cast<std::size_t>(rng() % i);
        std::swap(v[i - 1], v[j]);
    }
    return v;
}

void Append(ChannelState& s, const CatalogItem& item, Source source) {
    Occurrence o;
    o.content_id = item.content_id;
    o.start = s.horizon;
    o.duration_ms = item.duration_ms;
    o.first_msn = s.next_msn;
    o.format = item.format;
    // A play that continues the previous one (same format, back to back in time and numbering,
    // not after a cut) keeps its discontinuity sequence: the served timestamps run on.
    const Occurrence* prev = s.occurrences.empty() ? nullptr : &s.occurrences.back();
    const bool continues = prev && !prev->cut && prev->end() == o.start &&
                           prev->first_msn + prev->segment_count == o.first_msn &&
                           !o.format.empty() && prev->format == o.format;
    o.dsn = continues ? prev->dsn : std::max(s.next_dsn, prev ? prev->dsn + 1 : 0);
    o.segment_count = static_cast<int>(item.manifest.video.size());
    o.source = source;
    s.occurrences.push_back(o);
    s.next_msn += o.segment_count;
    s.next_dsn = o.dsn + 1;
    s.horizon = o.end();
}

/// Rebuilds the loop cursor when the item list or the mode changed since the cycle was made.
void SyncCycle(ChannelState& s, const Schedule& sched) {
    if (s.cycle_items == sched.items && s.cycle_mode == sched.mode) return;
    const auto& items = sched.items;
    std::vector<std::int64_t> pending;
    if (sched.mode == LoopMode::kInOrder) {
        // Continue after the last loop item if it is still listed; otherwise at the first
        // still-listed item that was planned next; otherwise from the top.
        std::size_t pos = 0;
        bool found = false;
        if (s.last_loop_item) {
            auto it = std::find(items.begin(), items.end(), *s.last_loop_item);
            if (it != items.end()) {
                pos = static_cast<std::size_t>(it - items.begin()) + 1;
                found = true;
            }
        }
        if (!found) {
            for (auto id : s.pending) {
                auto it = std::find(items.begin(), items.end(), id);
                if (it != items.end()) {
                    pos = static_cast<std::size_t>(it - items.begin());
                    break;
                }
            }
        }
        pending.assign(items.begin() + static_cast<std::ptrdiff_t>(std::min(pos, items.size())),
                       items.end());
    } else if (s.cycle_mode == LoopMode::kShuffle) {
        // Same shuffle cycle: keep its remaining order, minus removed items; items added now
        // join the next cycle.
        for (auto id : s.pending) {
            if (std::find(items.begin(), items.end(), id) != items.end()) pending.push_back(id);
        }
    }
    s.pending = std::move(pending);
    s.cycle_items = items;
    s.cycle_mode = sched.mode;
}

const CatalogItem* NextLoopItem(ChannelState& s, const Schedule& sched, const Catalog& c) {
    SyncCycle(s, sched);
    if (sched.items.empty()) return nullptr;
    // Each item is tried at most twice (two cycles) before giving up: no playable item.
    std::size_t budget = 2 * sched.items.size() + 2;
    while (budget-- > 0) {
        if (s.pending.empty()) {
            if (sched.mode == LoopMode::kShuffle) {
                s.pending = Permute(sched.items, s.seed, s.cycle);
                if (s.pending.size() > 1 && s.last_loop_item &&
                    s.pending.front() == *s.last_loop_item) {
                    std::swap(s.pending.front(), s.pending.back());  // no repeat across cycles
                }
            } else {
                s.pending = sched.items;
            }
            ++s.cycle;
        }
        std::int64_t id = s.pending.front();
        s.pending.erase(s.pending.begin());
        if (const CatalogItem* item = Playable(c, id)) {
            s.last_loop_item = id;
            return item;
        }
    }
    return nullptr;
}

/// Slot instances in (after, upto], in time order, appended to the slot queue.
void FireSlots(ChannelState& s, const Schedule& sched, UnixMillis upto) {
    if (upto <= s.slots_done_until) return;
    // Slot times are wall-clock times in the schedule's zone (its rules for each date, so
    // "20:00" stays 20:00 across a DST change); without a zone, UTC + utc_offset_minutes.
    const auto fixed = sched.zone ? nullptr : TimeZone::Fixed(sched.utc_offset_minutes * 60);
    const TimeZone& zone = sched.zone ? *sched.zone : *fixed;
    std::vector<std::pair<UnixMillis, std::size_t>> due;
    const std::int64_t first_day =
        FloorDiv(s.slots_done_until + zone.OffsetAt(s.slots_done_until) * 1000LL, kDayMs) - 1;
    const std::int64_t last_day = FloorDiv(upto + zone.OffsetAt(upto) * 1000LL, kDayMs) + 1;
    for (std::int64_t d = first_day; d <= last_day && d - first_day < 400; ++d) {
        const int weekday = static_cast<int>(((d % 7) + 7 + 4) % 7);  // 1970-01-01: Thursday
        for (std::size_t i = 0; i < sched.slots.size(); ++i) {
            const Slot& slot = sched.slots[i];
            if (((slot.days >> weekday) & 1) == 0) continue;
            const UnixMillis t = SlotInstantUtc(d, slot.minute_of_day, zone);
            if (t > s.slots_done_until && t <= upto) due.emplace_back(t, i);
        }
    }
    std::sort(due.begin(), due.end());
    for (const auto& [t, i] : due) {
        const auto& ids = sched.slots[i].content_ids;
        s.slot_queue.insert(s.slot_queue.end(), ids.begin(), ids.end());
    }
    s.slots_done_until = upto;
}

std::pair<const CatalogItem*, Source> PickNext(ChannelState& s, const Schedule& sched,
                                               const Catalog& c) {
    const UnixMillis boundary = s.horizon;
    // 1. Manual inserts: "next" ones in list order, then timed ones that are due, by time.
    const Insert* best = nullptr;
    for (const auto& ins : sched.inserts) {
        if (Contains(s.consumed_inserts, ins.id)) continue;
        if (ins.at && *ins.at > boundary) continue;
        if (!best || (best->at && (!ins.at || *ins.at < *best->at))) best = &ins;
    }
    if (best) {
        s.consumed_inserts.push_back(best->id);
        if (const CatalogItem* item = Playable(c, best->content_id)) {
            return {item, Source::kInsert};
        }
        return {nullptr, Source::kInsert};  // consumed but unplayable: caller tries again
    }
    // 2. Scheduled slots due at or before this boundary.
    FireSlots(s, sched, boundary);
    while (!s.slot_queue.empty()) {
        std::int64_t id = s.slot_queue.front();
        s.slot_queue.erase(s.slot_queue.begin());
        if (const CatalogItem* item = Playable(c, id)) return {item, Source::kSlot};
    }
    // 3. The loop.
    return {NextLoopItem(s, sched, c), Source::kLoop};
}

bool IsUsable(const Occurrence& o, const CatalogItem* item) {
    if (o.cut) return item && static_cast<int>(item->manifest.video.size()) >= o.segment_count;
    return item && !item->gone &&
           static_cast<int>(item->manifest.video.size()) == o.segment_count &&
           item->duration_ms == o.duration_ms;
}

}  // namespace

// ---- schedule parsing ------------------------------------------------------------------------

std::optional<UnixMillis> ParseRfc3339(std::string_view s) {
    int y, mo, d, h, mi, sec;
    char rest[40] = {0};
    std::string str(s.substr(0, 60));
    if (std::sscanf(str.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%39s", &y, &mo, &d, &h, &mi, &sec,
                    rest) < 6) {
        return std::nullopt;
    }
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 || y < 1970 ||
        y > 9999) {
        return std::nullopt;
    }
    std::string_view r = rest;
    std::int64_t millis = 0;
    if (!r.empty() && r.front() == '.') {
        r.remove_prefix(1);
        int digits = 0;
        while (!r.empty() && r.front() >= '0' && r.front() <= '9') {
            if (digits < 3) millis = millis * 10 + (r.front() - '0');
            ++digits;
            r.remove_prefix(1);
        }
        if (digits == 0) return std::nullopt;
        for (int i = digits; i < 3; ++i) millis *= 10;
    }
    std::int64_t offset_min = 0;
    if (r == "Z" || r == "z") {
        offset_min = 0;
    } else if (r.size() == 6 && (r[0] == '+' || r[0] == '-') && r[3] == ':') {
        int oh = 0, om = 0;
        if (std::sscanf(std::string(r.substr(1)).c_str(), "%2d:%2d", &oh, &om) != 2 || oh > 23 ||
            om > 59) {
            return std::nullopt;
        }
        offset_min = (r[0] == '+' ? 1 : -1) * (oh * 60 + om);
    } else {
        return std::nullopt;
    }
    std::tm tm{};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    std::int64_t secs = timegm(&tm);
    return secs * 1000 + millis - offset_min * 60000;
}

core::Result<std::vector<Slot>> ParseSlots(const Json& j, const PlaylistItemsResolver& resolve) {
    std::vector<Slot> out;
    if (j.is_null()) return out;
    if (!j.is_array()) return Error::Invalid("scheduled_slots: expected an array");
    if (j.size() > 100) return Error::Invalid("scheduled_slots: at most 100 slots");
    for (std::size_t i = 0; i < j.size(); ++i) {
        const auto& e = j[i];
        const std::string where = "scheduled_slots[" + std::to_string(i) + "]";
        if (!e.is_object()) return Error::Invalid(where + ": expected an object");
        Slot slot;
        auto t = e.find("time");
        int hh = -1, mm = -1;
        char tail = 0;
        if (t == e.end() || !t->is_string() ||
            std::sscanf(t->get<std::string>().c_str(), "%2d:%2d%c", &hh, &mm, &tail) != 2 ||
            hh < 0 || hh > 23 || mm < 0 || mm > 59) {
            return Error::Invalid(where + ".time: expected \"HH:MM\"");
        }
        slot.minute_of_day = hh * 60 + mm;
        auto days = e.find("days");
        if (days == e.end() || days->is_null() || (days->is_string() && *days == "daily")) {
            slot.days = 0x7f;
        } else if (days->is_string() && *days == "weekdays") {
            slot.days = 0x3e;
        } else if (days->is_string() && *days == "weekends") {
            slot.days = 0x41;
        } else if (days->is_array() && !days->empty()) {
            slot.days = 0;
            for (const auto& d : *days) {
                if (!d.is_number_integer() || d.get<int>() < 0 || d.get<int>() > 6) {
                    return Error::Invalid(where + ".days: expected weekday numbers 0-6");
                }
                slot.days = static_cast<std::uint8_t>(slot.days | (1u << d.get<int>()));
            }
        } else {
            return Error::Invalid(where + ".days: expected \"daily\", \"weekdays\", "
                                          "\"weekends\" or [0-6]");
        }
        auto cid = e.find("content_id");
        auto pid = e.find("playlist_id");
        bool has_c = cid != e.end() && !cid->is_null();
        bool has_p = pid != e.end() && !pid->is_null();
        if (has_c == has_p) {
            return Error::Invalid(where + ": exactly one of content_id and playlist_id");
        }
        if (has_c) {
            if (!cid->is_number_integer()) return Error::Invalid(where + ".content_id: integer");
            slot.content_ids.push_back(cid->get<std::int64_t>());
        } else {
            if (!pid->is_number_integer()) return Error::Invalid(where + ".playlist_id: integer");
            if (resolve) slot.content_ids = resolve(pid->get<std::int64_t>());
        }
        out.push_back(std::move(slot));
    }
    return out;
}

core::Result<std::vector<Insert>> ParseInserts(const Json& j) {
    std::vector<Insert> out;
    if (j.is_null()) return out;
    if (!j.is_array()) return Error::Invalid("inserts: expected an array");
    if (j.size() > 1000) return Error::Invalid("inserts: at most 1000 entries");
    for (std::size_t i = 0; i < j.size(); ++i) {
        const auto& e = j[i];
        const std::string where = "inserts[" + std::to_string(i) + "]";
        if (!e.is_object()) return Error::Invalid(where + ": expected an object");
        Insert ins;
        auto cid = e.find("content_id");
        if (cid == e.end() || !cid->is_number_integer()) {
            return Error::Invalid(where + ".content_id: expected an integer");
        }
        ins.content_id = cid->get<std::int64_t>();
        auto at = e.find("at");
        if (at != e.end() && !at->is_null() && *at != "next") {
            if (!at->is_string()) return Error::Invalid(where + ".at: \"next\" or RFC 3339");
            ins.at = ParseRfc3339(at->get<std::string>());
            if (!ins.at) return Error::Invalid(where + ".at: \"next\" or RFC 3339");
        }
        auto id = e.find("id");
        if (id != e.end() && (id->is_string() || id->is_number_integer())) {
            ins.id = id->is_string() ? id->get<std::string>() : std::to_string(id->get<long long>());
        } else {
            ins.id = e.dump();
        }
        out.push_back(std::move(ins));
    }
    return out;
}

core::Result<Schedule> ScheduleFromPlaylist(const core::Playlist& p,
                                            const PlaylistItemsResolver& resolve,
                                            int utc_offset_minutes) {
    Schedule s;
    s.items = p.items;
    s.mode = p.loop_mode;
    BEACON_TRY(slots, ParseSlots(p.scheduled_slots, resolve));
    BEACON_TRY(inserts, ParseInserts(p.inserts));
    s.slots = std::move(slots);
    s.inserts = std::move(inserts);
    s.utc_offset_minutes = utc_offset_minutes;
    return s;
}

core::Result<std::shared_ptr<const CatalogItem>> MakeCatalogItem(std::int64_t content_id,
                                                                 std::string title,
                                                                 std::string description,
                                                                 ItemManifest manifest, int td,
                                                                 std::int64_t bandwidth) {
    if (manifest.MaxRoundedDuration() > td) {
        return Error::Invalid("item " + std::to_string(content_id) + " has a segment of " +
                              std::to_string(manifest.MaxRoundedDuration()) +
                              " s (rounded), longer than the channel's target duration of " +
                              std::to_string(td) + " s");
    }
    auto item = std::make_shared<CatalogItem>();
    item->content_id = content_id;
    item->title = std::move(title);
    item->description = std::move(description);
    double total = 0;
    for (const auto& seg : manifest.video) total += seg.duration;
    item->duration_ms = std::llround(total * 1000);
    char format[160];
    std::snprintf(format, sizeof format, "%dx%d@%.3f %s %s", manifest.width, manifest.height,
                  manifest.fps, manifest.video_codecs.c_str(), manifest.audio_codecs.c_str());
    item->format = format;
    item->manifest = std::move(manifest);
    item->bandwidth = bandwidth;
    return std::shared_ptr<const CatalogItem>(std::move(item));
}

// ---- state -------------------------------------------------------------------------------------

ChannelState NewChannelState(UnixMillis now, std::uint64_t seed, int target_duration,
                             std::int64_t backdate_ms) {
    ChannelState s;
    s.seed = seed;
    s.target_duration = target_duration;
    s.horizon = now - backdate_ms;
    s.slots_done_until = s.horizon;
    s.clock_floor = s.horizon;
    return s;
}

UnixMillis AdvanceClock(ChannelState& s, UnixMillis wall_now, std::int64_t tolerance_ms) {
    UnixMillis t = wall_now + s.skew_ms;
    if (t < s.clock_floor) {
        if (s.clock_floor - t > tolerance_ms) {
            s.skew_ms += s.clock_floor - t;  // a big jump back: keep running in channel time
        }
        return s.clock_floor;
    }
    s.clock_floor = t;
    return t;
}

bool Extend(ChannelState& s, const Schedule& schedule, const Catalog& catalog, UnixMillis now,
            UnixMillis until, const ExtendLimits& limits) {
    if (s.horizon < now - limits.max_backfill_ms) {
        s.horizon = now - limits.resume_backdate_ms;
        s.slots_done_until = std::max(s.slots_done_until, s.horizon);
    }
    // Forget consumed inserts the playlist no longer lists (keeps the state small).
    std::erase_if(s.consumed_inserts, [&](const std::string& id) {
        return std::none_of(schedule.inserts.begin(), schedule.inserts.end(),
                            [&](const Insert& i) { return i.id == id; });
    });
    bool appended = false;
    int failures = 0;
    while (s.horizon < until) {
        auto [item, source] = PickNext(s, schedule, catalog);
        if (!item) {
            // An unplayable insert was consumed: try again; otherwise nothing is playable.
            if (source == Source::kInsert && ++failures < 1000) continue;
            break;
        }
        Append(s, *item, source);
        appended = true;
    }
    return appended;
}

bool Reconcile(ChannelState& s, const Catalog& catalog, UnixMillis now) {
    auto& occ = s.occurrences;
    // Occurrences that ended before the one on air are fully published: left as they are.
    auto on_air = std::upper_bound(occ.begin(), occ.end(), now,
                                   [](UnixMillis t, const Occurrence& o) { return t < o.start; });
    std::size_t first = on_air == occ.begin() ? 0 : static_cast<std::size_t>(on_air - occ.begin()) - 1;
    std::size_t bad = occ.size();
    for (std::size_t i = first; i < occ.size(); ++i) {
        if (!IsUsable(occ[i], Find(catalog, occ[i].content_id))) {
            bad = i;
            break;
        }
    }
    if (bad == occ.size()) return false;
    // Valid occurrences after the bad one that nobody has seen: they are re-appended.
    std::vector<Occurrence> later;
    for (std::size_t i = bad + 1; i < occ.size(); ++i) {
        if (occ[i].start > now && IsUsable(occ[i], Find(catalog, occ[i].content_id))) {
            later.push_back(occ[i]);
        }
    }
    Occurrence o = occ[bad];
    occ.resize(bad);
    if (o.start > now) {
        s.horizon = o.start;
        s.next_msn = o.first_msn;
        s.next_dsn = o.dsn;
    } else {
        const CatalogItem* stale = Find(catalog, o.content_id);
        if (stale && static_cast<int>(stale->manifest.video.size()) == o.segment_count) {
            // Keep what was published; cut the rest.
            double cum = 0;
            int published = 0;
            for (const auto& seg : stale->manifest.video) {
                if (o.start + std::llround(cum * 1000) > now) break;
                cum += seg.duration;
                ++published;
            }
            o.segment_count = published;
            o.cut = true;
            o.duration_ms = std::llround(cum * 1000);
            occ.push_back(o);
            s.horizon = o.end();
            s.next_msn = o.first_msn + published;
        } else {
            // Unknown segments: forget the occurrence, skip its numbers, resume now.
            s.horizon = std::max(o.start, now);
            s.next_msn = o.first_msn + o.segment_count;
        }
        s.next_dsn = o.dsn + 1;
    }
    for (const auto& l : later) {
        const CatalogItem* item = Find(catalog, l.content_id);
        Append(s, *item, l.source);
    }
    return true;
}

void Prune(ChannelState& s, UnixMillis keep_after) {
    auto& occ = s.occurrences;
    auto it = std::find_if(occ.begin(), occ.end(),
                           [&](const Occurrence& o) { return o.end() >= keep_after; });
    occ.erase(occ.begin(), it);
}

bool LearnLanguages(ChannelState& s, const Catalog& catalog,
                    const std::vector<std::int64_t>& items) {
    bool changed = false;
    for (auto id : items) {
        const CatalogItem* item = Find(catalog, id);
        if (!item) continue;
        for (const auto& t : item->manifest.audio) {
            if (!Contains(s.audio_languages, t.language)) {
                s.audio_languages.push_back(t.language);
                changed = true;
            }
        }
        for (const auto& t : item->manifest.subtitles) {
            if (!Contains(s.subtitle_languages, t.language)) {
                s.subtitle_languages.push_back(t.language);
                changed = true;
            }
        }
    }
    return changed;
}

// ---- JSON --------------------------------------------------------------------------------------

Json ToJson(const ChannelState& s) {
    Json occ = Json::array();
    for (const auto& o : s.occurrences) {
        occ.push_back({{"content_id", o.content_id},
                       {"start", o.start},
                       {"duration_ms", o.duration_ms},
                       {"first_msn", o.first_msn},
                       {"dsn", o.dsn},
                       {"segments", o.segment_count},
                       {"source", ToString(o.source)},
                       {"cut", o.cut},
                       {"format", o.format}});
    }
    Json j{{"version", s.version},
           {"seed", s.seed},
           {"target_duration", s.target_duration},
           {"occurrences", occ},
           {"next_msn", s.next_msn},
           {"next_dsn", s.next_dsn},
           {"horizon", s.horizon},
           {"cycle", s.cycle},
           {"pending", s.pending},
           {"cycle_items", s.cycle_items},
           {"cycle_mode", ToString(s.cycle_mode)},
           {"last_loop_item", s.last_loop_item ? Json(*s.last_loop_item) : Json()},
           {"slot_queue", s.slot_queue},
           {"slots_done_until", s.slots_done_until},
           {"consumed_inserts", s.consumed_inserts},
           {"audio_languages", s.audio_languages},
           {"subtitle_languages", s.subtitle_languages},
           {"skew_ms", s.skew_ms},
           {"clock_floor", s.clock_floor}};
    return j;
}

core::Result<ChannelState> ParseChannelState(std::string_view text) {
    Json j = Json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return Error::Invalid("channel state: not a JSON object");
    try {
        ChannelState s;
        s.version = j.at("version").get<int>();
        if (s.version != 1) return Error::Invalid("channel state: unknown version");
        s.seed = j.at("seed").get<std::uint64_t>();
        s.target_duration = j.at("target_duration").get<int>();
        for (const auto& o : j.at("occurrences")) {
            Occurrence x;
            x.content_id = o.at("content_id").get<std::int64_t>();
            x.start = o.at("start").get<std::int64_t>();
            x.duration_ms = o.at("duration_ms").get<std::int64_t>();
            x.first_msn = o.at("first_msn").get<std::int64_t>();
            x.dsn = o.at("dsn").get<std::int64_t>();
            x.segment_count = o.at("segments").get<int>();
            const auto src = o.at("source").get<std::string>();
            x.source = src == "slot" ? Source::kSlot
                       : src == "insert" ? Source::kInsert
                                         : Source::kLoop;
            x.cut = o.value("cut", false);
            x.format = o.value("format", std::string());
            if (x.segment_count < 0 || x.duration_ms < 0) {
                return Error::Invalid("channel state: negative occurrence length");
            }
            s.occurrences.push_back(x);
        }
        s.next_msn = j.at("next_msn").get<std::int64_t>();
        s.next_dsn = j.at("next_dsn").get<std::int64_t>();
        s.horizon = j.at("horizon").get<std::int64_t>();
        s.cycle = j.at("cycle").get<std::int64_t>();
        s.pending = j.at("pending").get<std::vector<std::int64_t>>();
        s.cycle_items = j.at("cycle_items").get<std::vector<std::int64_t>>();
        s.cycle_mode = j.at("cycle_mode").get<LoopMode>();
        if (!j.at("last_loop_item").is_null()) {
            s.last_loop_item = j.at("last_loop_item").get<std::int64_t>();
        }
        s.slot_queue = j.at("slot_queue").get<std::vector<std::int64_t>>();
        s.slots_done_until = j.at("slots_done_until").get<std::int64_t>();
        s.consumed_inserts = j.at("consumed_inserts").get<std::vector<std::string>>();
        s.audio_languages = j.at("audio_languages").get<std::vector<std::string>>();
        s.subtitle_languages = j.at("subtitle_languages").get<std::vector<std::string>>();
        for (const auto* langs : {&s.audio_languages, &s.subtitle_languages}) {
            for (const auto& l : *langs) {
                if (!IsValidLanguageTag(l)) return Error::Invalid("channel state: bad language");
            }
        }
        s.skew_ms = j.at("skew_ms").get<std::int64_t>();
        s.clock_floor = j.at("clock_floor").get<std::int64_t>();
        return s;
    } catch (const Json::exception& e) {
        return Error::Invalid(std::string("channel state: ") + e.what());
    }
}

}  // namespace beacon::liveloop
