#pragma once
/// Time zones for scheduled slots ("20:00 daily" is 20:00 on the wall clock of the configured
/// zone, before and after a daylight-saving change, without a restart). GCC 12's libstdc++ has
/// no C++20 chrono time zones and POSIX tzset() reads a process-global TZ, so the rules are read
/// here from the IANA database as the system ships it (TZif files under /usr/share/zoneinfo,
/// RFC 8536) including the POSIX TZ footer that gives the rule beyond the last transition.
/// A loaded TimeZone is immutable: all const methods may be called from any thread.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/model.hpp"
#include "core/result.hpp"

namespace beacon::liveloop {

/// A POSIX TZ rule such as "CET-1CEST,M3.5.0,M10.5.0/3" (the TZif footer, or a TZ variable).
struct PosixTzRule {
    /// When DST starts or ends in a year: Mm.w.d (month, week 1-5 with 5 = last, weekday
    /// 0 = Sunday), Jn (day 1-365, never counting 29 February) or n (day 0-365).
    struct Date {
        enum class Kind { kMonthWeekDay, kJulian1, kJulian0 } kind = Kind::kMonthWeekDay;
        int month = 0, week = 0, weekday = 0, day = 0;
        int time_seconds = 7200;  // local wall time of the change, default 02:00
    };
    int std_offset_seconds = 0;  // east of UTC (POSIX writes the opposite sign)
    bool has_dst = false;
    int dst_offset_seconds = 0;
    Date start, end;  // DST starts at `start` (standard time) and ends at `end` (DST time)
};

/// Parses a POSIX TZ string; errors say what is wrong.
core::Result<PosixTzRule> ParsePosixTz(std::string_view s);

class TimeZone {
public:
    /// Loads an IANA zone by name ("Europe/Berlin", "UTC") from $TZDIR or /usr/share/zoneinfo.
    /// An empty name is the system's local zone: $TZ when set (a zone name, ":name" or a POSIX
    /// rule), else /etc/localtime, else UTC. NotFound / Invalid with the name and the reason.
    static core::Result<std::shared_ptr<const TimeZone>> Load(std::string_view name);
    /// Parses TZif bytes (versions 1-4). `name` is only remembered.
    static core::Result<std::shared_ptr<const TimeZone>> FromTzif(std::string_view bytes,
                                                                  std::string name);
    /// A zone following only a POSIX rule (e.g. "EST5EDT,M3.2.0,M11.1.0").
    static core::Result<std::shared_ptr<const TimeZone>> FromPosix(std::string_view rule);
    /// UTC + a fixed offset (the former slot_utc_offset_minutes behaviour).
    static std::shared_ptr<const TimeZone> Fixed(int offset_seconds);

    const std::string& name() const { return name_; }
    /// The offset from UTC (seconds east) in force at instant `t`.
    int OffsetAt(core::UnixMillis t) const;

private:
    std::string name_;
    std::vector<std::int64_t> transitions_;  // UTC seconds, ascending
    std::vector<int> offsets_after_;         // offset in force from transitions_[i] on
    int initial_offset_ = 0;                 // before the first transition
    bool has_footer_ = false;
    PosixTzRule footer_;
};

/// Days since 1970-01-01 of a proleptic Gregorian date, and back.
std::int64_t DaysFromCivil(int year, int month, int day);
void CivilFromDays(std::int64_t days, int& year, int& month, int& day);

/// The UTC instant of local wall time `minute_of_day` on local date `local_day` (days since
/// 1970-01-01) in `zone`. A time skipped by a change to DST (02:30 when clocks jump from 02:00
/// to 03:00) is moved forward by the jump (03:30); a time that happens twice when DST ends is
/// its first (earlier) instant.
core::UnixMillis SlotInstantUtc(std::int64_t local_day, int minute_of_day, const TimeZone& zone);

}  // namespace beacon::liveloop
