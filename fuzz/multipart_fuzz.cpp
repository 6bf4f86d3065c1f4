// multipart/form-data bodies (Arcade uploads): the first line is the boundary, the rest the body.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "arcade/multipart.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto nl = text.find('\n');
    if (nl == std::string_view::npos) return 0;
    (void)beacon::arcade::ParseMultipart(text.substr(nl + 1), text.substr(0, nl));
    return 0;
}
