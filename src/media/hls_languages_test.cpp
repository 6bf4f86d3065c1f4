// A language rendition's AAC encode survives a transient ffmpeg failure (retried, bounded), and a
// failure that does not pass leaves the package exactly as it was: no half-written rendition is
// ever published. The ffmpeg here is a wrapper script that fails the first N AAC encodes after
// writing a broken segment (what a killed ffmpeg leaves), then runs the real one. Needs ffmpeg
// and ffprobe: labelled integration.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "media/hls.hpp"
#include "media/hls_internal.hpp"

namespace beacon::media {
namespace {

namespace fs = std::filesystem;

std::string Read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

class HlsLanguageRetry : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("beacon-hls-language-" + std::to_string(::getpid()));
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        mp4_ = (dir_ / "item.mp4").string();
        ASSERT_EQ(std::system(("ffmpeg -nostdin -y -hide_banner -loglevel error -f lavfi -i "
                               "testsrc2=size=320x180:rate=25 -f lavfi -i sine=frequency=440:"
                               "sample_rate=48000 -t 5 -map 0:v -map 1:a -c:v libx264 -profile:v "
                               "high -pix_fmt yuv420p -preset veryfast -g 50 -keyint_min 50 "
                               "-sc_threshold 0 -c:a aac -b:a 96k -ar 48000 -ac 2 '" +
                               mp4_ + "'")
                                  .c_str()),
                  0);
        dub_ = (dir_ / "dub_es.m4a").string();
        ASSERT_EQ(std::system(("ffmpeg -nostdin -y -hide_banner -loglevel error -f lavfi -i "
                               "sine=frequency=660:sample_rate=48000 -t 5 -c:a aac -ar 48000 -ac 2 '" +
                               dub_ + "'")
                                  .c_str()),
                  0);
        opts_.segment_seconds = 2;
        HlsLanguage en;
        en.code = "en";
        en.original = true;
        auto packaged = PackageHls(opts_, mp4_, {en}, (dir_ / "hls").string(), RunOptions{});
        ASSERT_TRUE(packaged.ok()) << packaged.error().message;
    }
    void TearDown() override { fs::remove_all(dir_); }

    /// An ffmpeg that fails its first `fails` AAC encodes, each after writing a broken segment
    /// where the real one would go; every other run is the real ffmpeg.
    std::string FlakyFfmpeg(int fails) {
        const fs::path script = dir_ / "ffmpeg-flaky.sh";
        const fs::path count = dir_ / "aac-runs";
        std::ofstream(script) << "#!/bin/bash\n"
                                 "aac=0; seg=''; prev=''\n"
                                 "for a in \"$@\"; do\n"
                                 "  [[ \"$prev\" == -c:a && \"$a\" == aac ]] && aac=1\n"
                                 "  [[ \"$prev\" == -hls_segment_filename ]] && seg=\"$a\"\n"
                                 "  prev=\"$a\"\n"
                                 "done\n"
                                 "if [[ $aac == 1 ]]; then\n"
                                 "  [[ -e '" + (dir_ / "hls" / "audio_es").string() + "' ]] && "
                                 "echo visible >> '" + (dir_ / "visible").string() + "'\n"
                                 "  n=$(cat '" + count.string() + "' 2>/dev/null || echo 0)\n"
                                 "  echo $((n + 1)) > '" + count.string() + "'\n"
                                 "  if (( n < " + std::to_string(fails) + " )); then\n"
                                 "    mkdir -p \"$(dirname \"$seg\")\"\n"
                                 "    printf 'half' > \"$(dirname \"$seg\")/seg_00000.ts\"\n"
                                 "    echo 'simulated transient failure' >&2; exit 1\n"
                                 "  fi\n"
                                 "fi\n"
                                 "exec ffmpeg \"$@\"\n";
        fs::permissions(script, fs::perms::owner_all);
        return script.string();
    }
    int AacRuns() const { return std::atoi(Read(dir_ / "aac-runs").c_str()); }

    fs::path dir_;
    std::string mp4_;
    std::string dub_;
    MediaOptions opts_;
};

TEST_F(HlsLanguageRetry, ATransientAacFailureIsRetriedAndTheRenditionIsWhole) {
    MediaOptions flaky = opts_;
    flaky.ffmpeg = FlakyFfmpeg(1);
    HlsLanguage es;
    es.code = "es";
    es.audio_file = dub_;
    es.cues = {{0.5, 2.0, "Hola."}};
    const fs::path hls = dir_ / "hls";
    auto added = AddHlsLanguage(flaky, hls.string(), mp4_, es, RunOptions{});
    ASSERT_TRUE(added.ok()) << added.error().message;
    EXPECT_GE(AacRuns(), 2);  // the failed one and the one that worked (plus alignment runs)

    auto manifest = nlohmann::json::parse(Read(hls / "segments.json"));
    ASSERT_TRUE(manifest["audio"].contains("es"));
    ASSERT_EQ(manifest["audio"]["es"].size(), manifest["video"].size());
    for (const auto& s : manifest["audio"]["es"]) {
        const fs::path seg = hls / s["uri"].get<std::string>();
        EXPECT_NE(Read(seg), "half") << seg;
        auto pts = hls_detail::FirstPacketPts(opts_, seg.string(), "a:0", RunOptions{});
        EXPECT_TRUE(pts.ok()) << seg << ": " << (pts.ok() ? "" : pts.error().message);
    }
    EXPECT_NE(Read(hls / "master.m3u8").find("URI=\"audio_es/index.m3u8\""), std::string::npos);
    EXPECT_FALSE(fs::exists(hls / ".staging_es"));
    // While it was being encoded, audio_es/ was not where players look for it.
    EXPECT_FALSE(fs::exists(dir_ / "visible"));
}

TEST_F(HlsLanguageRetry, AFailureThatDoesNotPassPublishesNothingAndSaysSo) {
    MediaOptions flaky = opts_;
    flaky.ffmpeg = FlakyFfmpeg(100);
    const fs::path hls = dir_ / "hls";
    const std::string master = Read(hls / "master.m3u8");
    const std::string manifest = Read(hls / "segments.json");
    HlsLanguage es;
    es.code = "es";
    es.audio_file = dub_;
    es.cues = {{0.5, 2.0, "Hola."}};
    auto added = AddHlsLanguage(flaky, hls.string(), mp4_, es, RunOptions{});
    ASSERT_FALSE(added.ok());
    EXPECT_NE(added.error().message.find("encoding audio_es (AAC) failed 3 times"),
              std::string::npos)
        << added.error().message;
    EXPECT_NE(added.error().message.find("exit status 1"), std::string::npos)
        << added.error().message;
    EXPECT_EQ(AacRuns(), 3);  // bounded
    EXPECT_EQ(Read(hls / "master.m3u8"), master);
    EXPECT_EQ(Read(hls / "segments.json"), manifest);
    for (const char* d : {"audio_es", "muxed_es", "subs_es", ".staging_es"})
        EXPECT_FALSE(fs::exists(hls / d)) << d;
}

}  // namespace
}  // namespace beacon::media
