#include "server/http_util.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <cstring>

#include <nlohmann/json.hpp>
#include <openssl/crypto.h>

#include "core/http_date.hpp"

namespace beacon::server {

unsigned HttpStatusFor(core::ErrorCode code) {
    using core::ErrorCode;
    switch (code) {
        case ErrorCode::kInvalidArgument: return 400;
        case ErrorCode::kUnauthorized: return 401;
        case ErrorCode::kForbidden: return 403;
        case ErrorCode::kNotFound: return 404;
        case ErrorCode::kConflict: return 409;
        case ErrorCode::kTooLarge: return 413;
        case ErrorCode::kRateLimited: return 429;
        case ErrorCode::kCanceled: return 409;
        case ErrorCode::kTimeout: return 504;
        case ErrorCode::kUnavailable: return 503;
        case ErrorCode::kExternal: return 502;
        case ErrorCode::kInternal: return 500;
    }
    return 500;
}

std::string ErrorJson(std::string_view code, std::string_view message) {
    nlohmann::json j = {{"error", {{"code", code}, {"message", message}}}};
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

namespace {

int HexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::optional<std::string> Decode(std::string_view s, bool plus_is_space) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c == '%') {
            if (i + 2 >= s.size()) return std::nullopt;
            int hi = HexValue(s[i + 1]);
            int lo = HexValue(s[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            char d = static_cast<char>(hi * 16 + lo);
            if (d == '\0') return std::nullopt;
            out.push_back(d);
            i += 2;
        } else if (c == '+' && plus_is_space) {
            out.push_back(' ');
        } else if (c == '\0') {
            return std::nullopt;
        } else {
            out.push_back(c);
        }
    }
    return out;
}

}  // namespace

std::optional<std::string> PercentDecode(std::string_view s) { return Decode(s, false); }
std::optional<std::string> QueryDecode(std::string_view s) { return Decode(s, true); }

std::optional<std::map<std::string, std::string, std::less<>>> ParseQuery(std::string_view query) {
    std::map<std::string, std::string, std::less<>> out;
    while (!query.empty()) {
        auto amp = query.find('&');
        std::string_view part = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        if (part.empty()) continue;
        auto eq = part.find('=');
        auto name = QueryDecode(part.substr(0, eq));
        auto value = QueryDecode(eq == std::string_view::npos ? std::string_view()
                                                              : part.substr(eq + 1));
        if (!name || !value) return std::nullopt;
        out.emplace(std::move(*name), std::move(*value));
    }
    return out;
}

void SplitTarget(std::string_view target, std::string_view& path, std::string_view& query) {
    auto q = target.find('?');
    path = target.substr(0, q);
    query = q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
    if (auto hash = query.find('#'); hash != std::string_view::npos) query = query.substr(0, hash);
}

std::optional<std::vector<std::string>> DecodePathSegments(std::string_view raw_path) {
    if (raw_path.empty() || raw_path.front() != '/') return std::nullopt;
    std::vector<std::string> out;
    raw_path.remove_prefix(1);
    while (true) {
        auto slash = raw_path.find('/');
        auto decoded = PercentDecode(raw_path.substr(0, slash));
        if (!decoded) return std::nullopt;
        if (*decoded == "." || *decoded == ".." ||
            decoded->find_first_of(std::string_view("/\\\0", 3)) != std::string::npos) {
            return std::nullopt;
        }
        out.push_back(std::move(*decoded));
        if (slash == std::string_view::npos) break;
        raw_path.remove_prefix(slash + 1);
    }
    return out;
}

namespace {

std::optional<std::uint64_t> ParseU64(std::string_view s) {
    if (s.empty() || s.size() > 19) return std::nullopt;
    std::uint64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
    return v;
}

std::string_view Trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

}  // namespace

RangeResult ParseRange(std::string_view header, std::uint64_t size) {
    RangeResult none;
    header = Trim(header);
    constexpr std::string_view kUnit = "bytes=";
    if (header.size() < kUnit.size()) return none;
    for (std::size_t i = 0; i < kUnit.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(header[i])) != kUnit[i]) return none;
    }
    std::string_view spec = Trim(header.substr(kUnit.size()));
    if (spec.find(',') != std::string_view::npos) return none;
    auto dash = spec.find('-');
    if (dash == std::string_view::npos) return none;
    std::string_view a = Trim(spec.substr(0, dash));
    std::string_view b = Trim(spec.substr(dash + 1));
    RangeResult out;
    if (a.empty()) {  // suffix range: the last n bytes
        auto n = ParseU64(b);
        if (!n) return none;
        if (*n == 0 || size == 0) return {RangeKind::kUnsatisfiable, {}};
        std::uint64_t len = std::min<std::uint64_t>(*n, size);
        return {RangeKind::kSatisfiable, {size - len, len}};
    }
    auto first = ParseU64(a);
    if (!first) return none;
    std::uint64_t last = size == 0 ? 0 : size - 1;
    if (!b.empty()) {
        auto l = ParseU64(b);
        if (!l || *l < *first) return none;
        last = std::min(*l, last);
    }
    if (*first >= size) return {RangeKind::kUnsatisfiable, {}};
    out.kind = RangeKind::kSatisfiable;
    out.range = {*first, last - *first + 1};
    return out;
}

std::string_view ContentTypeFor(std::string_view path) {
    auto slash = path.rfind('/');
    std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
    auto dot = name.rfind('.');
    if (dot == std::string_view::npos) return "application/octet-stream";
    std::string ext(name.substr(dot + 1));
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    static const std::map<std::string, std::string_view, std::less<>> kTypes = {
        {"mp4", "video/mp4"},
        {"m4v", "video/mp4"},
        {"m4a", "audio/mp4"},
        {"m3u8", "application/vnd.apple.mpegurl"},
        {"m3u", "audio/x-mpegurl"},
        {"ts", "video/mp2t"},
        {"m4s", "video/iso.segment"},
        {"vtt", "text/vtt; charset=utf-8"},
        {"jpg", "image/jpeg"},
        {"jpeg", "image/jpeg"},
        {"png", "image/png"},
        {"webp", "image/webp"},
        {"gif", "image/gif"},
        {"svg", "image/svg+xml"},
        {"ico", "image/x-icon"},
        {"json", "application/json"},
        {"map", "application/json"},
        {"webmanifest", "application/manifest+json"},
        {"wav", "audio/wav"},
        {"mp3", "audio/mpeg"},
        {"html", "text/html; charset=utf-8"},
        {"htm", "text/html; charset=utf-8"},
        {"js", "text/javascript; charset=utf-8"},
        {"mjs", "text/javascript; charset=utf-8"},
        {"css", "text/css; charset=utf-8"},
        {"txt", "text/plain; charset=utf-8"},
        {"xml", "application/xml"},
        {"woff", "font/woff"},
        {"woff2", "font/woff2"},
        {"ttf", "font/ttf"},
        {"otf", "font/otf"},
        {"wasm", "application/wasm"},
    };
    auto it = kTypes.find(ext);
    return it == kTypes.end() ? std::string_view("application/octet-stream") : it->second;
}

std::string HttpDate(std::time_t t) { return core::FormatHttpDate(t); }

std::optional<std::time_t> ParseHttpDate(std::string_view s) { return core::ParseHttpDate(s); }

bool IsLoopbackHost(std::string_view host) {
    if (host == "localhost" || host == "::1" || host == "[::1]") return true;
    return host.starts_with("127.");
}

std::string CookieValue(std::string_view header, std::string_view name) {
    while (!header.empty()) {
        auto semi = header.find(';');
        std::string_view part = Trim(header.substr(0, semi));
        header = semi == std::string_view::npos ? std::string_view() : header.substr(semi + 1);
        auto eq = part.find('=');
        if (eq == std::string_view::npos) continue;
        if (Trim(part.substr(0, eq)) == name) return std::string(Trim(part.substr(eq + 1)));
    }
    return {};
}

bool SecretEquals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::optional<std::int64_t> ParsePositiveId(std::string_view s) {
    if (s.empty() || s.front() < '0' || s.front() > '9') return std::nullopt;
    auto v = ParseInt64(s);
    if (!v.has_value() || v.value() <= 0) return std::nullopt;
    return v;
}

std::optional<std::int64_t> ParseInt64(std::string_view s) {
    if (s.empty() || s.size() > 20) return std::nullopt;
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
    return v;
}

}  // namespace beacon::server
