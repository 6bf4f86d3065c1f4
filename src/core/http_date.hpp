#pragma once
/// The one HTTP-date (RFC 9110 IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT") formatter and
/// parser: Last-Modified / If-Modified-Since on /media, Retry-After from services.
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace beacon::core {

/// `t` (seconds since the epoch) as an IMF-fixdate.
std::string FormatHttpDate(std::time_t t);
/// An IMF-fixdate (surrounding spaces allowed) as seconds since the epoch; nullopt for anything
/// else (the obsolete RFC 850 and asctime forms included) or an impossible date.
std::optional<std::time_t> ParseHttpDate(std::string_view s);

}  // namespace beacon::core
