#include "core/listen_address.hpp"

namespace beacon::core {

std::string ListenAddress::UrlHost() const {
    return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

std::string ListenAddress::ToString() const { return UrlHost() + ":" + std::to_string(port); }

Result<ListenAddress> ParseListenAddress(std::string_view text) {
    const std::string quoted = "\"" + std::string(text) + "\"";
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0) {
        return Error::Invalid("must be HOST:PORT (got " + quoted + ")");
    }
    std::string_view host = text.substr(0, colon);
    std::string_view port = text.substr(colon + 1);
    if (host.front() == '[') {
        if (host.size() < 3 || host.back() != ']') {
            return Error::Invalid("has an unclosed [ in its host (got " + quoted + ")");
        }
        host = host.substr(1, host.size() - 2);
    } else if (host.find(':') != std::string_view::npos) {
        return Error::Invalid("must put an IPv6 host in brackets, e.g. [::1]:8080 (got " + quoted +
                              ")");
    }
    if (host.find_first_of("[] \t/") != std::string_view::npos) {
        return Error::Invalid("has a bad host (got " + quoted + ")");
    }
    if (port.empty() || port.size() > 5 ||
        port.find_first_not_of("0123456789") != std::string_view::npos ||
        std::stol(std::string(port)) > 65535) {
        return Error::Invalid("has a bad port (got \"" + std::string(port) + "\")");
    }
    return ListenAddress{std::string(host),
                         static_cast<std::uint16_t>(std::stol(std::string(port)))};
}

}  // namespace beacon::core
