// beacon.toml: any text through the TOML parser and the typed, validated config.
#include <cstddef>
#include <cstdint>
#include <string>

#include "config/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    (void)beacon::config::Parse(text, {}, "fuzz.toml");
    return 0;
}
