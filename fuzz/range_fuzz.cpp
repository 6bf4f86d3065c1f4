// Request headers and targets: Range (against a size from the first 8 bytes), query strings,
// HTTP dates and path ids.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "server/http_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::uint64_t file_size = 0;
    if (size >= 8) {
        std::memcpy(&file_size, data, 8);
        data += 8;
        size -= 8;
    }
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto r = beacon::server::ParseRange(text, file_size);
    if (r.kind == beacon::server::RangeKind::kSatisfiable) {
        // The contract: a satisfiable range lies inside the file.
        if (r.range.length == 0 || r.range.first >= file_size ||
            r.range.length > file_size - r.range.first) {
            __builtin_trap();
        }
    }
    (void)beacon::server::ParseRange(text, 1000);
    (void)beacon::server::ParseQuery(text);
    (void)beacon::server::ParseHttpDate(text);
    (void)beacon::server::ParsePositiveId(text);
    return 0;
}
