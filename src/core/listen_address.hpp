#pragma once
/// A listen address, parsed once: "host:port", "[v6]:port" (brackets required around an IPv6
/// address, kept off `host`). Pure, no name resolution.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace beacon::core {

struct ListenAddress {
    std::string host = "127.0.0.1";  ///< an IP address or a name, IPv6 without brackets
    std::uint16_t port = 8080;       ///< 0: pick a free port
    bool operator==(const ListenAddress&) const = default;

    /// "host:port", with brackets around an IPv6 host: what ParseListenAddress reads back.
    std::string ToString() const;
    /// The host as written in a URL authority ("[::1]" for IPv6).
    std::string UrlHost() const;
};

/// Invalid (with the reason) unless `text` is HOST:PORT with a non-empty host, a decimal port
/// of at most 65535, and an IPv6 host in brackets ("[::1]:8080"; a bare "::1:8080" is refused).
Result<ListenAddress> ParseListenAddress(std::string_view text);

}  // namespace beacon::core
