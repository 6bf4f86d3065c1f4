// Verse world documents: parse, migrate and validate (asset hashes resolve to a small cost).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "verse/document.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto lookup = [](std::string_view hash) -> std::optional<beacon::verse::AssetCost> {
        if (hash.size() != 64) return std::nullopt;
        return beacon::verse::AssetCost{"model", 100, 1, 0};
    };
    auto checked = beacon::verse::CheckDocument(text, lookup);
    if (checked.ok()) {
        // Canonical bytes are a fixed point: checking them again gives the same bytes.
        auto again = beacon::verse::CheckDocument(std::string_view(checked->canonical), lookup);
        if (!again.ok() || again->canonical != checked->canonical) __builtin_trap();
    }
    return 0;
}
