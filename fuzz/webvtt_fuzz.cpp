// WebVTT captions (uploaded or from Whisper).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engines/captions.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    (void)beacon::engines::ParseWebVtt(text);
    return 0;
}
