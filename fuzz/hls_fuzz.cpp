// An item's segments.json (LiveLoop's manifest) and HLS media playlists (M3U).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "liveloop/manifest.hpp"
#include "media/hls.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    (void)beacon::liveloop::ParseManifest(text);
    (void)beacon::media::ParseMediaPlaylist(text);
    return 0;
}
