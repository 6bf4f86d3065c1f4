// Request JSON bodies: any bytes through the parser, then the generate request's validation.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/model.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto body = beacon::core::Json::parse(text, nullptr, false);
    if (body.is_discarded()) return 0;
    auto req = beacon::core::ParseGenerateRequest(body);
    if (req.ok()) (void)beacon::core::ToJson(*req).dump();
    (void)beacon::core::ParseScript(body);
    return 0;
}
