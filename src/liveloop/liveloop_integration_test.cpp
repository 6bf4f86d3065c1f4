// Reads a real LiveLoop channel (three ffmpeg-made items in the house format) with real
// clients: ffmpeg's HLS demuxer across item boundaries, xmllint against the XMLTV DTD, and an
// npm M3U parser. Labelled "integration": needs ffmpeg, ffprobe, xmllint (and node for the M3U).
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <regex>

#include "liveloop/service.hpp"
#include "liveloop/test_http_server.hpp"
#include "liveloop/test_media.hpp"
#include "storage/database.hpp"
#include "storage/object_store.hpp"

namespace beacon::liveloop {
namespace {

namespace fs = std::filesystem;

constexpr int kSegmentSeconds = 2;

class LiveLoopIntegration : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = new fs::path(fs::temp_directory_path() /
                            ("beacon-liveloop-it-" + std::to_string(::getpid())));
        fs::remove_all(*dir_);
        fs::create_directories(*dir_ / "work");
        db_ = storage::OpenSqlite((*dir_ / "beacon.db").string()).value().release();
        store_ = storage::OpenFilesystemStore(*dir_ / "objects").value().release();
        std::string error;
        const std::vector<testing::ItemSpec> specs{
            {"Alpha", 3.2, 440, true}, {"Beta", 2.56, 660, false}, {"Gamma", 1.92, 880, false}};
        for (const auto& spec : specs) {
            auto id = testing::MakeHouseItem(*db_, *store_, *dir_ / "work", spec, kSegmentSeconds,
                                             error);
            ASSERT_GT(id, 0) << error;
            items_.push_back(id);
        }
        core::Playlist p;
        p.slug = "main";
        p.title = "Beacon Main";
        auto row = db_->CreatePlaylist(p);
        ASSERT_TRUE(row.ok());
        p = row.value();
        p.items = items_;
        p.active = true;
        ASSERT_TRUE(db_->UpdatePlaylist(p).ok());
        LiveLoopOptions o;
        o.target_duration = kSegmentSeconds;
        o.window_segments = 15;
        o.horizon_seconds = 60;
        svc_ = new LiveLoopService(*db_, *store_, o);
        server_ = new testing::TinyServer(*svc_, *store_);
    }
    static void TearDownTestSuite() {
        delete server_;
        delete svc_;
        delete store_;
        delete db_;
        fs::remove_all(*dir_);
        delete dir_;
    }

    static inline fs::path* dir_ = nullptr;
    static inline storage::Database* db_ = nullptr;
    static inline storage::ObjectStore* store_ = nullptr;
    static inline LiveLoopService* svc_ = nullptr;
    static inline testing::TinyServer* server_ = nullptr;
    static inline std::vector<std::int64_t> items_;
};

TEST_F(LiveLoopIntegration, FfmpegReadsTheChannelAcrossItemBoundariesWithoutTimestampErrors) {
    const std::string url = server_->base() + "/live/main/index.m3u8";
    const auto video_before = svc_->Handle("main/video.m3u8", "", true, "").body;
    // Start at the head of the 30 s window (a dozen boundaries in the backlog), then follow the
    // live edge in real time for a few more.
    const std::string out = (*dir_ / "read.ts").string();
    // ffmpeg follows a live playlist until stopped: SIGINT after 16 s makes it finish the file
    // (exit status 255).
    auto r = testing::Run("timeout -s INT --preserve-status 16 ffmpeg -nostdin -hide_banner "
                          "-loglevel warning -live_start_index 0 -i '" + url + "' -map 0:v "
                          "-map 0:a -c copy -f mpegts -y '" + out + "'");
    if (const char* keep = std::getenv("LIVELOOP_IT_LOG")) std::ofstream(keep) << r.output;
    EXPECT_TRUE(r.rc == 0 || r.rc == 255) << r.rc << " " << r.output.substr(0, 3000);
    // Nothing but ffmpeg 5.1's notice that its HLS demuxer skips WebVTT renditions.
    std::istringstream lines(r.output);
    for (std::string line; std::getline(lines, line);) {
        if (line.empty() || line.find("Can't support the subtitle") != std::string::npos ||
            line.find("received signal 2") != std::string::npos) {
            continue;
        }
        ADD_FAILURE() << "ffmpeg: " << line;
    }
    // What it wrote covers the requested span, with DTS increasing in every stream.
    auto dur = testing::Run("ffprobe -v error -show_entries format=duration -of csv=p=0 '" + out + "'");
    EXPECT_GE(std::stod(dur.output), 36.0) << dur.output;  // backlog (~28 s) + live
    auto packets = testing::Run("ffprobe -v error -show_entries packet=stream_index,dts -of csv=p=0 '" +
                                out + "'");
    std::map<int, long long> last;
    std::istringstream pk(packets.output);
    int n = 0;
    for (std::string line; std::getline(pk, line);) {
        auto comma = line.find(',');
        if (comma == std::string::npos || line.substr(comma + 1) == "N/A") continue;
        const int stream = std::stoi(line.substr(0, comma));
        const long long dts = std::stoll(line.substr(comma + 1));
        if (last.count(stream)) {
            EXPECT_GT(dts, last[stream]) << "stream " << stream << " packet " << n;
        }
        last[stream] = dts;
        ++n;
    }
    EXPECT_EQ(last.size(), 2u);
    EXPECT_GT(n, 1000);
    const auto video_after = svc_->Handle("main/video.m3u8", "", true, "").body;
    auto count = [](const std::string& s, const std::string& what) {
        std::size_t n = 0;
        for (auto pos = s.find(what); pos != std::string::npos; pos = s.find(what, pos + 1)) ++n;
        return n;
    };
    EXPECT_GE(count(video_before, "#EXT-X-DISCONTINUITY\n"), 3u) << video_before;
    EXPECT_NE(video_before, video_after);  // the live edge moved while ffmpeg read
    RecordProperty("ffmpeg_output", r.output);
}

TEST_F(LiveLoopIntegration, EverySegmentOfEveryRenditionIsServed) {
    const auto master = svc_->Handle("main/index.m3u8", "", true, "").body;
    std::smatch m;
    std::vector<std::string> playlists{"video.m3u8"};
    std::string rest = master;
    while (std::regex_search(rest, m, std::regex("URI=\"([^\"]+)\""))) {
        playlists.push_back(m[1]);
        rest = m.suffix();
    }
    ASSERT_EQ(playlists.size(), 3u) << master;  // video, audio_en, subs_en
    for (const auto& pl : playlists) {
        const auto body = svc_->Handle("main/" + pl, "", true, "").body;
        std::istringstream in(body);
        int checked = 0;
        for (std::string line; std::getline(in, line);) {
            if (line.empty() || line[0] == '#') continue;
            const std::string url = line[0] == '/' ? server_->base() + line
                                                   : server_->base() + "/live/main/" + line;
            auto r = testing::Run("curl -s -o /dev/null -w '%{http_code}' '" + url + "'");
            EXPECT_EQ(r.output, "200") << url;
            ++checked;
        }
        EXPECT_GE(checked, 10) << pl;
    }
}

TEST_F(LiveLoopIntegration, GuideValidatesAgainstTheXmltvDtd) {
    const fs::path dtd = "/usr/share/xmltv/xmltv.dtd";  // Debian's xmltv-util
    if (!fs::exists(dtd)) GTEST_SKIP() << "xmltv-util's DTD is not installed";
    const auto guide = svc_->Handle("guide.xml", "", true, "k3y", server_->base());
    ASSERT_EQ(guide.status, 200u);
    const auto file = *dir_ / "guide.xml";
    std::ofstream(file) << guide.body;
    auto r = testing::Run("xmllint --noout --dtdvalid " + dtd.string() + " '" + file.string() + "'");
    EXPECT_EQ(r.rc, 0) << r.output << guide.body.substr(0, 2000);
    EXPECT_NE(guide.body.find("<title>Gamma</title>"), std::string::npos);
}

TEST_F(LiveLoopIntegration, ChannelListParsesWithAThirdPartyM3uParser) {
    const fs::path tools = fs::path(BEACON_SOURCE_DIR) / "tests/e2e/liveloop_tools";
    if (!fs::exists(tools / "node_modules/iptv-playlist-parser")) {
        GTEST_SKIP() << "run `npm ci` in tests/e2e/liveloop_tools first";
    }
    const auto m3u = svc_->Handle("channels.m3u", "", true, "k3y", server_->base());
    ASSERT_EQ(m3u.status, 200u);
    const auto file = *dir_ / "channels.m3u";
    std::ofstream(file) << m3u.body;
    auto r = testing::Run("node '" + (tools / "check_m3u.mjs").string() + "' '" + file.string() + "' '" +
                 server_->base() + "'");
    EXPECT_EQ(r.rc, 0) << r.output << m3u.body;
}

TEST_F(LiveLoopIntegration, HlsJsInChromiumPlaysAcrossBoundariesWithoutStalls) {
    const fs::path tools = fs::path(BEACON_SOURCE_DIR) / "tests/e2e/liveloop_tools";
    const fs::path web_modules = fs::path(BEACON_SOURCE_DIR) / "web/node_modules";
    const char* chromium = std::getenv("CHROMIUM_BIN");
    const fs::path browser = chromium ? chromium : "/usr/bin/chromium";
    if (!fs::exists(browser) || !fs::exists(web_modules / "playwright-core") ||
        !fs::exists(web_modules / "hls.js")) {
        GTEST_SKIP() << "needs chromium and web/node_modules (playwright-core, hls.js)";
    }
    // 24 s of playback: about nine item boundaries (items of 3.2, 2.56 and 1.92 s).
    auto r = testing::Run("timeout 120 node '" + (tools / "hlsjs_playback.mjs").string() + "' '" +
                          server_->base() + "/live/main/index.m3u8' 24 " +
                          std::to_string(kSegmentSeconds));
    EXPECT_EQ(r.rc, 0) << r.output;
    RecordProperty("hlsjs", r.output);
    std::cout << "hls.js: " << r.output;
}

}  // namespace
}  // namespace beacon::liveloop
