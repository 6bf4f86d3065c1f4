// Zip archives (Arcade games): extraction with its limits into a fresh folder, and the entry
// path normalisation on the raw bytes.
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "arcade/extract.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    namespace fs = std::filesystem;
    std::string_view text(reinterpret_cast<const char*>(data), size);
    (void)beacon::arcade::NormalizeEntryPath(text, 200);
    static const fs::path root = fs::temp_directory_path() / ("beacon-zip-fuzz-" + std::to_string(::getpid()));
    fs::create_directories(root);
    const fs::path zip = root / "in.zip";
    {
        std::ofstream out(zip, std::ios::binary | std::ios::trunc);
        out.write(text.data(), static_cast<std::streamsize>(text.size()));
    }
    beacon::arcade::ExtractLimits limits;
    limits.max_files = 50;
    limits.max_total_bytes = 1 << 20;
    limits.max_file_bytes = 1 << 19;
    auto report = beacon::arcade::ExtractZip(zip, root / "out", limits);
    if (report.ok()) {
        // Everything extracted stays inside the destination, and nothing is a link. Compared by
        // path components: "..dex.html" is an ordinary name inside the folder (an earlier
        // string-prefix check trapped on it).
        const fs::path base = fs::canonical(root / "out");
        for (const auto& e : fs::recursive_directory_iterator(root / "out")) {
            if (e.is_symlink()) __builtin_trap();
            const fs::path p = fs::weakly_canonical(e.path());
            auto [b, q] = std::mismatch(base.begin(), base.end(), p.begin(), p.end());
            if (b != base.end()) __builtin_trap();
        }
    }
    std::error_code ec;
    fs::remove_all(root / "out", ec);
    return 0;
}
