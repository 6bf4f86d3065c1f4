// Items packaged before muxed renditions existed get them from AddMuxedRenditions (what
// `beacon serve` runs once at start-up). Needs ffmpeg and ffprobe: labelled integration.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "media/hls.hpp"
#include "media/ts_rewrite.hpp"

namespace beacon::media {
namespace {

namespace fs = std::filesystem;

std::string Read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

TEST(HlsUpgrade, AddsMuxedRenditionsToAnOldItemOnceAndTheyMatchTheVideoGrid) {
    const fs::path dir = fs::temp_directory_path() / ("beacon-hls-upgrade-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    const std::string mp4 = (dir / "item.mp4").string();
    ASSERT_EQ(std::system(("ffmpeg -nostdin -y -hide_banner -loglevel error -f lavfi -i "
                           "testsrc2=size=320x180:rate=25 -f lavfi -i sine=frequency=440:"
                           "sample_rate=48000 -t 5 -map 0:v -map 1:a -c:v libx264 -profile:v high "
                           "-pix_fmt yuv420p -preset veryfast -g 50 -keyint_min 50 -sc_threshold 0 "
                           "-c:a aac -b:a 96k -ar 48000 -ac 2 '" + mp4 + "'").c_str()),
              0);
    MediaOptions opts;
    opts.segment_seconds = 2;
    HlsLanguage en;
    en.code = "en";
    en.original = true;
    auto packaged = PackageHls(opts, mp4, {en}, (dir / "hls").string(), RunOptions{});
    ASSERT_TRUE(packaged.ok()) << packaged.error().message;
    const fs::path hls = dir / "hls";
    auto manifest = nlohmann::json::parse(Read(hls / "segments.json"));
    ASSERT_TRUE(manifest.contains("muxed"));
    const auto fresh_muxed = manifest["muxed"]["en"];
    // Make it an item from before muxed renditions.
    manifest.erase("muxed");
    manifest.erase("muxed_first_pts");
    std::ofstream(hls / "segments.json", std::ios::trunc) << manifest.dump(2);
    fs::remove_all(hls / "muxed_en");

    auto added = AddMuxedRenditions(opts, hls.string(), RunOptions{});
    ASSERT_TRUE(added.ok()) << added.error().message;
    EXPECT_TRUE(*added);
    auto upgraded = nlohmann::json::parse(Read(hls / "segments.json"));
    ASSERT_TRUE(upgraded.contains("muxed"));
    const auto& muxed = upgraded["muxed"]["en"];
    ASSERT_EQ(muxed.size(), upgraded["video"].size());
    ASSERT_EQ(muxed.size(), fresh_muxed.size());
    for (std::size_t i = 0; i < muxed.size(); ++i) {
        EXPECT_NEAR(muxed[i]["duration"].get<double>(), upgraded["video"][i]["duration"].get<double>(),
                    0.05);
        const std::string ts = Read(hls / muxed[i]["uri"].get<std::string>());
        // Video and audio in each segment.
        EXPECT_GE(FirstPts(ts, 0x100), 0) << i;
        EXPECT_GE(FirstPts(ts, 0x101), 0) << i;
    }
    // muxed_first_pts is the muxed segments' own first video PTS (the server moves them by it),
    // and audio sits against video exactly as in the separate renditions.
    const std::string m0 = Read(hls / muxed[0]["uri"].get<std::string>());
    EXPECT_NEAR(upgraded["muxed_first_pts"].get<double>(), FirstPts(m0, 0x100) / 90000.0, 0.0005);
    const std::string v0 = Read(hls / upgraded["video"][0]["uri"].get<std::string>());
    const std::string a0 = Read(hls / upgraded["audio"]["en"][0]["uri"].get<std::string>());
    EXPECT_NEAR(static_cast<double>(FirstPts(m0, 0x101) - FirstPts(m0, 0x100)),
                static_cast<double>(FirstPts(a0, 0x100) - FirstPts(v0, 0x100)), 90.0)
        << "audio moved against video in the muxed rendition";
    // Everything else of the manifest is as it was.
    for (const char* key : {"video", "audio", "first_pts", "duration"}) {
        EXPECT_EQ(upgraded[key], manifest[key]) << key;
    }
    // A second run changes nothing.
    auto again = AddMuxedRenditions(opts, hls.string(), RunOptions{});
    ASSERT_TRUE(again.ok());
    EXPECT_FALSE(*again);
    // A broken manifest is an error, not a crash.
    std::ofstream(hls / "segments.json", std::ios::trunc) << "{";
    EXPECT_FALSE(AddMuxedRenditions(opts, hls.string(), RunOptions{}).ok());
    fs::remove_all(dir);
}

}  // namespace
}  // namespace beacon::media
