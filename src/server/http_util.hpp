#pragma once
/// Pure HTTP helpers: error → status mapping, error bodies, percent-decoding, query strings,
/// Range headers, content types, dates. No I/O.
#include <cstdint>
#include <ctime>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace beacon::server {

/// The HTTP status for an error code (the one place this mapping lives).
unsigned HttpStatusFor(core::ErrorCode code);

/// `{"error":{"code":code,"message":message}}` as text.
std::string ErrorJson(std::string_view code, std::string_view message);

/// Decodes %XX escapes (and nothing else: '+' stays '+'). nullopt for a malformed escape or an
/// encoded NUL byte.
std::optional<std::string> PercentDecode(std::string_view s);
/// Like PercentDecode for query components: '+' means space.
std::optional<std::string> QueryDecode(std::string_view s);

/// Parses "a=1&b=x%20y". A repeated name keeps the first value. nullopt on a malformed escape.
std::optional<std::map<std::string, std::string, std::less<>>> ParseQuery(std::string_view query);

/// Splits a request target into path and query (without '?').
void SplitTarget(std::string_view target, std::string_view& path, std::string_view& query);

/// Decodes each '/'-separated segment of a raw path. nullopt when an escape is malformed, a
/// decoded segment contains '/' or '\\' or NUL, or a segment is "." or "..".
std::optional<std::vector<std::string>> DecodePathSegments(std::string_view raw_path);

/// A single byte range [first, first + length).
struct ByteRange {
    std::uint64_t first = 0;
    std::uint64_t length = 0;
};
enum class RangeKind { kNone, kSatisfiable, kUnsatisfiable };
struct RangeResult {
    RangeKind kind = RangeKind::kNone;
    ByteRange range;
};
/// Interprets a Range header against a file size. Syntax errors and multiple ranges are ignored
/// (kNone: serve the whole file, as RFC 9110 allows); a range starting at or past the end is
/// kUnsatisfiable.
RangeResult ParseRange(std::string_view header, std::uint64_t size);

/// Content type by file extension (lowercase match), application/octet-stream otherwise.
std::string_view ContentTypeFor(std::string_view path);

/// IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT".
std::string HttpDate(std::time_t t);
/// Parses an IMF-fixdate; nullopt when malformed.
std::optional<std::time_t> ParseHttpDate(std::string_view s);

/// True for 127.0.0.0/8, ::1 and "localhost".
bool IsLoopbackHost(std::string_view host);

/// The value of a cookie in a Cookie header, or empty.
std::string CookieValue(std::string_view header, std::string_view name);

/// Constant-time equality for secrets.
bool SecretEquals(std::string_view a, std::string_view b);

/// Parses a positive decimal int64 ("1".."9223372036854775807"); nullopt otherwise.
std::optional<std::int64_t> ParsePositiveId(std::string_view s);
/// Parses a decimal int64 (optional leading '-'); nullopt otherwise.
std::optional<std::int64_t> ParseInt64(std::string_view s);

}  // namespace beacon::server
