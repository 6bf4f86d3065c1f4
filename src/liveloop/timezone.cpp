#include "liveloop/timezone.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

namespace beacon::liveloop {

using core::Error;
using core::UnixMillis;

namespace {

constexpr std::int64_t kDaySeconds = 86400;

std::int64_t FloorDiv(std::int64_t a, std::int64_t b) {
    std::int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
    return q;
}

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

/// Reads the POSIX TZ grammar left to right.
class PosixReader {
public:
    explicit PosixReader(std::string_view s) : s_(s) {}
    bool AtEnd() const { return i_ >= s_.size(); }
    char Peek() const { return AtEnd() ? '\0' : s_[i_]; }
    bool Eat(char c) {
        if (Peek() != c) return false;
        ++i_;
        return true;
    }
    /// <quoted> or three or more letters.
    bool Name() {
        if (Eat('<')) {
            auto close = s_.find('>', i_);
            if (close == std::string_view::npos || close == i_) return false;
            i_ = close + 1;
            return true;
        }
        std::size_t start = i_;
        while (!AtEnd() && ((Peek() >= 'A' && Peek() <= 'Z') || (Peek() >= 'a' && Peek() <= 'z'))) {
            ++i_;
        }
        return i_ - start >= 3;
    }
    bool Number(int& out, int max) {
        if (!(Peek() >= '0' && Peek() <= '9')) return false;
        long v = 0;
        while (Peek() >= '0' && Peek() <= '9') {
            v = v * 10 + (s_[i_++] - '0');
            if (v > max) return false;
        }
        out = static_cast<int>(v);
        return true;
    }
    /// [+-]hh[:mm[:ss]] in seconds.
    bool Time(int& seconds, int max_hours) {
        int sign = 1;
        if (Eat('-')) {
            sign = -1;
        } else {
            Eat('+');
        }
        int h = 0, m = 0, sec = 0;
        if (!Number(h, max_hours)) return false;
        if (Eat(':')) {
            if (!Number(m, 59)) return false;
            if (Eat(':') && !Number(sec, 59)) return false;
        }
        seconds = sign * (h * 3600 + m * 60 + sec);
        return true;
    }
    bool Date(PosixTzRule::Date& d) {
        using Kind = PosixTzRule::Date::Kind;
        if (Eat('M')) {
            d.kind = Kind::kMonthWeekDay;
            if (!Number(d.month, 12) || d.month < 1 || !Eat('.') || !Number(d.week, 5) ||
                d.week < 1 || !Eat('.') || !Number(d.weekday, 6)) {
                return false;
            }
        } else if (Eat('J')) {
            d.kind = Kind::kJulian1;
            if (!Number(d.day, 365) || d.day < 1) return false;
        } else {
            d.kind = Kind::kJulian0;
            if (!Number(d.day, 365)) return false;
        }
        d.time_seconds = 7200;
        if (Eat('/') && !Time(d.time_seconds, 167)) return false;
        return true;
    }

private:
    std::string_view s_;
    std::size_t i_ = 0;
};

/// Local (wall-clock) seconds since the epoch at which `d` happens in `year`.
std::int64_t LocalSecondsOf(const PosixTzRule::Date& d, int year) {
    using Kind = PosixTzRule::Date::Kind;
    std::int64_t day = 0;
    switch (d.kind) {
        case Kind::kMonthWeekDay: {
            const std::int64_t first = DaysFromCivil(year, d.month, 1);
            const int first_weekday = static_cast<int>(((first % 7) + 7 + 4) % 7);  // Thursday
            int mday = 1 + (d.weekday - first_weekday + 7) % 7 + 7 * (d.week - 1);
            while (mday > DaysInMonth(year, d.month)) mday -= 7;
            day = first + mday - 1;
            break;
        }
        case Kind::kJulian1: {
            // Day 1..365, 29 February never counted: day 60 is always 1 March.
            int n = d.day;
            if (IsLeap(year) && n >= 60) ++n;
            day = DaysFromCivil(year, 1, 1) + n - 1;
            break;
        }
        case Kind::kJulian0:
            day = DaysFromCivil(year, 1, 1) + d.day;
            break;
    }
    return day * kDaySeconds + d.time_seconds;
}

int PosixOffsetAt(const PosixTzRule& r, std::int64_t t) {
    if (!r.has_dst) return r.std_offset_seconds;
    int year = 0, month = 0, day = 0;
    CivilFromDays(FloorDiv(t + r.std_offset_seconds, kDaySeconds), year, month, day);
    const std::int64_t start = LocalSecondsOf(r.start, year) - r.std_offset_seconds;
    const std::int64_t end = LocalSecondsOf(r.end, year) - r.dst_offset_seconds;
    const bool dst = start < end ? (t >= start && t < end) : !(t >= end && t < start);
    return dst ? r.dst_offset_seconds : r.std_offset_seconds;
}

std::int64_t ReadBe(std::string_view b, std::size_t at, int bytes) {
    std::uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(b[at + i]);
    if (bytes == 4) return static_cast<std::int32_t>(static_cast<std::uint32_t>(v));
    return static_cast<std::int64_t>(v);
}

core::Result<std::string> ReadFile(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) return Error::NotFound("cannot read " + p.string());
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::filesystem::path ZoneDir() {
    const char* dir = std::getenv("TZDIR");  // read once at start-up by Load's callers
    return dir && *dir ? std::filesystem::path(dir) : std::filesystem::path("/usr/share/zoneinfo");
}

bool SafeZoneName(std::string_view name) {
    if (name.empty() || name.size() > 128 || name.front() == '/' || name.back() == '/') {
        return false;
    }
    if (name.find("..") != std::string_view::npos || name.find("//") != std::string_view::npos) {
        return false;
    }
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '/' || c == '_' || c == '-' || c == '+';
    });
}

}  // namespace

std::int64_t DaysFromCivil(int y, int m, int d) {
    y -= m <= 2;
    const std::int64_t era = FloorDiv(y, 400);
    const std::int64_t yoe = y - era * 400;
    const std::int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void CivilFromDays(std::int64_t z, int& year, int& month, int& day) {
    z += 719468;
    const std::int64_t era = FloorDiv(z, 146097);
    const std::int64_t doe = z - era * 146097;
    const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const std::int64_t mp = (5 * doy + 2) / 153;
    day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    year = static_cast<int>(yoe + era * 400 + (month <= 2));
}

core::Result<PosixTzRule> ParsePosixTz(std::string_view s) {
    const std::string what = "POSIX TZ rule '" + std::string(s) + "'";
    PosixReader r(s);
    PosixTzRule rule;
    int posix = 0;
    if (!r.Name()) return Error::Invalid(what + ": expected a zone abbreviation");
    if (!r.Time(posix, 24)) return Error::Invalid(what + ": expected an offset");
    rule.std_offset_seconds = -posix;
    if (r.AtEnd()) return rule;
    if (!r.Name()) return Error::Invalid(what + ": expected a DST abbreviation");
    rule.has_dst = true;
    rule.dst_offset_seconds = rule.std_offset_seconds + 3600;
    const char c = r.Peek();
    if (c == '+' || c == '-' || (c >= '0' && c <= '9')) {
        if (!r.Time(posix, 24)) return Error::Invalid(what + ": bad DST offset");
        rule.dst_offset_seconds = -posix;
    }
    if (r.AtEnd()) {  // POSIX leaves it to the implementation; glibc and tzcode use US rules
        rule.start = {PosixTzRule::Date::Kind::kMonthWeekDay, 3, 2, 0, 0, 7200};
        rule.end = {PosixTzRule::Date::Kind::kMonthWeekDay, 11, 1, 0, 0, 7200};
        return rule;
    }
    if (!r.Eat(',') || !r.Date(rule.start) || !r.Eat(',') || !r.Date(rule.end) || !r.AtEnd()) {
        return Error::Invalid(what + ": expected ,start[/time],end[/time]");
    }
    return rule;
}

core::Result<std::shared_ptr<const TimeZone>> TimeZone::FromTzif(std::string_view b,
                                                                 std::string name) {
    const std::string what = "time zone file '" + name + "'";
    auto bad = [&](const char* why) { return Error::Invalid(what + ": " + why); };
    if (b.size() < 44 || b.substr(0, 4) != "TZif") return bad("not a TZif file");
    struct Counts {
        std::int64_t isut, isstd, leap, time, type, chars;
    };
    auto counts_at = [&](std::size_t at) {
        return Counts{ReadBe(b, at + 20, 4), ReadBe(b, at + 24, 4), ReadBe(b, at + 28, 4),
                      ReadBe(b, at + 32, 4), ReadBe(b, at + 36, 4), ReadBe(b, at + 40, 4)};
    };
    auto block_size = [](const Counts& c, int time_bytes) {
        return c.time * time_bytes + c.time + c.type * 6 + c.chars + c.leap * (time_bytes + 4) +
               c.isstd + c.isut;
    };
    Counts c = counts_at(0);
    if (c.time < 0 || c.type < 1 || c.type > 256 || c.chars < 0 || c.leap < 0 || c.isstd < 0 ||
        c.isut < 0 || c.time > 100000) {
        return bad("bad header counts");
    }
    std::size_t at = 44;
    int time_bytes = 4;
    if (b[4] >= '2') {
        at += static_cast<std::size_t>(block_size(c, 4));
        if (b.size() < at + 44 || b.substr(at, 4) != "TZif") return bad("truncated");
        c = counts_at(at);
        if (c.time < 0 || c.type < 1 || c.type > 256 || c.chars < 0 || c.leap < 0 || c.isstd < 0 ||
            c.isut < 0 || c.time > 100000) {
            return bad("bad version 2 header counts");
        }
        at += 44;
        time_bytes = 8;
    }
    const std::size_t end = at + static_cast<std::size_t>(block_size(c, time_bytes));
    if (b.size() < end) return bad("truncated");
    auto zone = std::make_shared<TimeZone>();
    zone->name_ = std::move(name);
    const std::size_t types_at = at + static_cast<std::size_t>(c.time * time_bytes + c.time);
    std::vector<int> type_offsets;
    for (std::int64_t i = 0; i < c.type; ++i) {
        type_offsets.push_back(
            static_cast<int>(ReadBe(b, types_at + static_cast<std::size_t>(i) * 6, 4)));
    }
    for (std::int64_t i = 0; i < c.time; ++i) {
        const std::int64_t t = ReadBe(b, at + static_cast<std::size_t>(i * time_bytes), time_bytes);
        const auto type =
            static_cast<unsigned char>(b[at + static_cast<std::size_t>(c.time * time_bytes + i)]);
        if (type >= type_offsets.size()) return bad("transition to an unknown type");
        if (!zone->transitions_.empty() && t <= zone->transitions_.back()) {
            return bad("transitions out of order");
        }
        zone->transitions_.push_back(t);
        zone->offsets_after_.push_back(type_offsets[type]);
    }
    zone->initial_offset_ = type_offsets[0];
    if (time_bytes == 8 && b.size() > end && b[end] == '\n') {
        const auto close = b.find('\n', end + 1);
        if (close != std::string_view::npos && close > end + 1) {
            auto rule = ParsePosixTz(b.substr(end + 1, close - end - 1));
            if (!rule.ok()) return bad("bad footer rule");
            zone->footer_ = rule.value();
            zone->has_footer_ = true;
        }
    }
    return std::shared_ptr<const TimeZone>(std::move(zone));
}

core::Result<std::shared_ptr<const TimeZone>> TimeZone::FromPosix(std::string_view rule) {
    BEACON_TRY(parsed, ParsePosixTz(rule));
    auto zone = std::make_shared<TimeZone>();
    zone->name_ = std::string(rule);
    zone->footer_ = parsed;
    zone->has_footer_ = true;
    return std::shared_ptr<const TimeZone>(std::move(zone));
}

std::shared_ptr<const TimeZone> TimeZone::Fixed(int offset_seconds) {
    auto zone = std::make_shared<TimeZone>();
    zone->name_ = "UTC" + std::string(offset_seconds < 0 ? "-" : "+") +
                  std::to_string(std::abs(offset_seconds) / 60) + "min";
    zone->initial_offset_ = offset_seconds;
    return zone;
}

core::Result<std::shared_ptr<const TimeZone>> TimeZone::Load(std::string_view name) {
    namespace fs = std::filesystem;
    if (name.empty()) {
        const char* tz = std::getenv("TZ");  // read once, at start-up
        if (tz && *tz) {
            std::string_view v = tz;
            if (v.front() == ':') v.remove_prefix(1);
            if (!v.empty() && v.front() == '/') {
                BEACON_TRY(bytes, ReadFile(fs::path(v)));
                return FromTzif(bytes, std::string(v));
            }
            if (SafeZoneName(v) && fs::is_regular_file(ZoneDir() / std::string(v))) {
                return Load(v);
            }
            return FromPosix(v);
        }
        if (tz) return Fixed(0);  // TZ set but empty: UTC, as in glibc
        std::error_code ec;
        if (!fs::exists("/etc/localtime", ec)) return Fixed(0);
        std::string zone_name = "localtime";
        const fs::path target = fs::read_symlink("/etc/localtime", ec);
        if (!ec) {
            const std::string t = target.string();
            const auto pos = t.find("zoneinfo/");
            if (pos != std::string::npos) zone_name = t.substr(pos + 9);
        }
        BEACON_TRY(bytes, ReadFile("/etc/localtime"));
        return FromTzif(bytes, zone_name);
    }
    if (!SafeZoneName(name)) {
        return Error::Invalid("'" + std::string(name) +
                              "' is not an IANA time zone name (like Europe/Berlin)");
    }
    const fs::path path = ZoneDir() / std::string(name);
    auto bytes = ReadFile(path);
    if (!bytes.ok()) {
        return Error::NotFound("unknown time zone '" + std::string(name) + "' (no " +
                               path.string() + "; is tzdata installed?)");
    }
    return FromTzif(*bytes, std::string(name));
}

int TimeZone::OffsetAt(UnixMillis t_ms) const {
    const std::int64_t t = FloorDiv(t_ms, 1000);
    if (transitions_.empty() || t >= transitions_.back()) {
        if (has_footer_) return PosixOffsetAt(footer_, t);
        return transitions_.empty() ? initial_offset_ : offsets_after_.back();
    }
    auto it = std::upper_bound(transitions_.begin(), transitions_.end(), t);
    if (it == transitions_.begin()) return initial_offset_;
    return offsets_after_[static_cast<std::size_t>(std::distance(transitions_.begin(), it) - 1)];
}

UnixMillis SlotInstantUtc(std::int64_t local_day, int minute_of_day, const TimeZone& zone) {
    const std::int64_t local_ms = local_day * kDaySeconds * 1000 + minute_of_day * 60000LL;
    constexpr std::int64_t kDayMs = kDaySeconds * 1000;
    // The offsets in force a day before and a day after (zones change at most once a day).
    const int before = zone.OffsetAt(local_ms - kDayMs);
    const int after = zone.OffsetAt(local_ms + kDayMs);
    const UnixMillis t_before = local_ms - before * 1000LL;
    const UnixMillis t_after = local_ms - after * 1000LL;
    const bool before_ok = zone.OffsetAt(t_before) == before;
    const bool after_ok = zone.OffsetAt(t_after) == after;
    if (before_ok && after_ok) return std::min(t_before, t_after);  // twice: the first
    if (before_ok) return t_before;
    if (after_ok) return t_after;
    return t_before;  // skipped: the offset before the jump moves it forward by the jump
}

}  // namespace beacon::liveloop
