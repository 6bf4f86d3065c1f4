#pragma once
/// The channel's committed history and how it grows: the schedule (loop, slots, manual
/// inserts) is turned into an append-only timeline of item occurrences, each numbered (first
/// media sequence number, discontinuity sequence number) so that every playlist is a pure
/// function of (timeline, now). Pure: no I/O, no clock of its own.
///
/// Rules (see docs in README.md beside this file):
/// - Occurrences are appended at the end of the timeline, never edited, except that the part of
///   the timeline no viewer can have seen yet (segments starting after the channel clock) may
///   be dropped when its item disappears (Reconcile).
/// - The timeline is extended with the schedule as it is at extension time; so edits change
///   only the future beyond the committed horizon.
/// - At every boundary the next occurrence is, in priority order: due manual inserts ("next"
///   first, then timed ones by time), due scheduled slots (by slot time), then the loop.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/model.hpp"
#include "core/result.hpp"
#include "liveloop/manifest.hpp"
#include "liveloop/timezone.hpp"

namespace beacon::liveloop {

using core::Json;
using core::UnixMillis;

using core::LoopMode;  // one type program-wide (core/enums.hpp)

/// "20:00 daily: item or playlist X". Fires at the first occurrence boundary at or after the
/// slot time (a slot never cuts the item on air); its items then play in order, after which
/// the loop resumes where it left off.
struct Slot {
    int minute_of_day = 0;      // wall-clock time in Schedule::zone
    std::uint8_t days = 0x7f;   // bit d set = fires on weekday d (0 = Sunday)
    std::vector<std::int64_t> content_ids;
};

/// A manual interstitial: plays at the first boundary beyond the committed horizon ("next",
/// at = nullopt) or at the first boundary at or after `at` that is beyond the horizon.
struct Insert {
    std::string id;  // identity, so that an insert plays once
    std::int64_t content_id = 0;
    std::optional<UnixMillis> at;
};

struct Schedule {
    std::vector<std::int64_t> items;
    LoopMode mode = LoopMode::kInOrder;
    std::vector<Slot> slots;
    std::vector<Insert> inserts;
    int utc_offset_minutes = 0;  // slot times are in UTC + this offset (when zone is null)
    /// Slot times are wall-clock times in this zone (immutable, shared between schedules).
    std::shared_ptr<const TimeZone> zone;
};

/// Resolves another playlist's items (for slots naming a playlist); empty when unknown.
using PlaylistItemsResolver = std::function<std::vector<std::int64_t>(std::int64_t)>;

/// Parses scheduled_slots: [{"time":"HH:MM","days":"daily"|"weekdays"|"weekends"|[0-6],
/// "content_id"?:N,"playlist_id"?:N}]. Errors name the slot and field.
core::Result<std::vector<Slot>> ParseSlots(const Json& j, const PlaylistItemsResolver& resolve);
/// Parses inserts: [{"id"?:..., "content_id":N, "at"?:"next"|RFC3339}]. Without an id, the
/// identity is the canonical JSON of the entry (so two identical anonymous entries are one).
core::Result<std::vector<Insert>> ParseInserts(const Json& j);
/// Parses "2026-11-29T20:00:00Z" / "...+01:00" / with fractional seconds.
std::optional<UnixMillis> ParseRfc3339(std::string_view s);
core::Result<Schedule> ScheduleFromPlaylist(const core::Playlist& p,
                                            const PlaylistItemsResolver& resolve,
                                            int utc_offset_minutes);

/// What the core knows about a playable library item.
struct CatalogItem {
    std::int64_t content_id = 0;
    std::string title;
    std::string description;
    ItemManifest manifest;
    std::int64_t duration_ms = 0;   // sum of video EXTINFs, rounded to ms
    std::int64_t bandwidth = 0;     // peak bits/s of video + original audio (0 = unknown)
    /// Codec parameters ("WxH@fps video audio"): consecutive plays of items with the same format
    /// continue one timeline; a change of format is an EXT-X-DISCONTINUITY.
    std::string format;
    /// The item's files or row disappeared after it was committed: it is never scheduled again,
    /// the unseen part of its occurrences is dropped (Reconcile), and segments already
    /// published are still listed (so numbering stays contiguous).
    bool gone = false;
};
/// Items known to be playable in this channel (parsed manifest, every EXTINF within the
/// channel's target duration). Absent = not playable (deleted, broken, unknown).
using Catalog = std::map<std::int64_t, std::shared_ptr<const CatalogItem>>;
/// Builds a catalog entry; errors when the item cannot be played with target duration `td`.
core::Result<std::shared_ptr<const CatalogItem>> MakeCatalogItem(std::int64_t content_id,
                                                                 std::string title,
                                                                 std::string description,
                                                                 ItemManifest manifest, int td,
                                                                 std::int64_t bandwidth);

enum class Source { kLoop, kSlot, kInsert };

/// One play of one item on the channel.
struct Occurrence {
    std::int64_t content_id = 0;
    UnixMillis start = 0;
    std::int64_t duration_ms = 0;
    std::int64_t first_msn = 0;     // media sequence number of its first segment
    /// Discontinuity sequence number of all its segments: the previous occurrence's when it
    /// continues it (back to back in time and numbering, same format), else one more.
    std::int64_t dsn = 0;
    int segment_count = 0;
    Source source = Source::kLoop;
    bool cut = false;  // cut short by Reconcile after its item vanished mid-play
    std::string format;  // the item's CatalogItem::format when it was appended
    UnixMillis end() const { return start + duration_ms; }
};

/// Everything LiveLoop persists per channel (Database::PutChannelState), as JSON.
struct ChannelState {
    int version = 1;
    std::uint64_t seed = 0;
    int target_duration = 4;
    /// Occurrences still of interest (ending after the retention point), in time order.
    std::vector<Occurrence> occurrences;
    std::int64_t next_msn = 0;      // first MSN of the next appended occurrence
    std::int64_t next_dsn = 0;      // DSN of the next appended occurrence
    UnixMillis horizon = 0;         // end of the committed timeline = start of the next one
    // Loop cursor.
    std::int64_t cycle = 0;                 // shuffle cycles started
    std::vector<std::int64_t> pending;      // rest of the current cycle
    std::vector<std::int64_t> cycle_items;  // the item list the cycle was made from
    LoopMode cycle_mode = LoopMode::kInOrder;
    std::optional<std::int64_t> last_loop_item;
    std::vector<std::int64_t> slot_queue;   // items of fired slots still to play
    // Slots and inserts.
    UnixMillis slots_done_until = 0;        // slot instances at or before this have been handled
    std::vector<std::string> consumed_inserts;
    // Rendition sets: only grow, so that a rendition a player was given never disappears.
    std::vector<std::string> audio_languages;
    std::vector<std::string> subtitle_languages;
    // Channel clock: channel_now = wall + skew, never decreasing (see AdvanceClock).
    std::int64_t skew_ms = 0;
    UnixMillis clock_floor = 0;  // the channel clock never goes below this (persisted watermark)
};

Json ToJson(const ChannelState& s);
core::Result<ChannelState> ParseChannelState(std::string_view text);

/// A fresh channel whose timeline starts `backdate_ms` before `now` (so that the first
/// playlist already has a full window).
ChannelState NewChannelState(UnixMillis now, std::uint64_t seed, int target_duration,
                             std::int64_t backdate_ms);

/// Maps the wall clock to the channel clock, which never goes backwards: a backward step of
/// up to `tolerance_ms` holds the channel still until the wall clock catches up; a larger one
/// is absorbed into skew_ms, so the channel keeps running (PDT then runs ahead of the wall
/// clock by the jump). Returns the channel clock and raises clock_floor to it.
UnixMillis AdvanceClock(ChannelState& s, UnixMillis wall_now, std::int64_t tolerance_ms);

struct ExtendLimits {
    /// A gap longer than this (channel off, process down, clock jump) is not filled
    /// occurrence by occurrence: the timeline resumes `resume_backdate_ms` before now with
    /// numbering continuing (+1), and the loop position where it stopped.
    std::int64_t max_backfill_ms = 6LL * 3600 * 1000;
    std::int64_t resume_backdate_ms = 60000;
};

/// Appends occurrences until the horizon reaches `until` (the channel clock plus the horizon).
/// `now` is the channel clock: inserts and slots due at or before the horizon fire at the next
/// boundary. Items absent from the catalog are skipped. Returns false when nothing could be
/// appended (no playable item), in which case the horizon stays where it was.
bool Extend(ChannelState& s, const Schedule& schedule, const Catalog& catalog, UnixMillis now,
            UnixMillis until, const ExtendLimits& limits = {});

/// Drops the unseen part of the timeline that references items that are gone (or absent from
/// the catalog, or whose segment count changed): such an occurrence starting after `now` is
/// removed; one already on air is cut after its last published segment when its manifest is
/// still known (a `gone` entry), or removed with its numbers skipped when it is not. The valid
/// occurrences after it move earlier and are renumbered (nobody has seen them). Returns true
/// when anything changed.
bool Reconcile(ChannelState& s, const Catalog& catalog, UnixMillis now);

/// Forgets occurrences that ended before `keep_after`.
void Prune(ChannelState& s, UnixMillis keep_after);

/// Adds the languages of the catalog's items referenced by `items` to the channel's rendition
/// sets (append-only; original languages first in order of first appearance).
bool LearnLanguages(ChannelState& s, const Catalog& catalog,
                    const std::vector<std::int64_t>& items);

}  // namespace beacon::liveloop
