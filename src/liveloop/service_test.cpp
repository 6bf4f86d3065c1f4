#include "liveloop/service.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <regex>
#include <thread>
#include <vector>

#include "liveloop/test_support.hpp"
#include "storage/database.hpp"
#include "storage/object_store.hpp"
#include "support/memory_database.hpp"

namespace beacon::liveloop {
namespace {

namespace fs = std::filesystem;
constexpr UnixMillis kT0 = 1795932000000;  // 2026-11-29T06:00:00Z

/// The metadata store in memory (the fake the storage contract holds to SQLite's semantics), a
/// real filesystem store in a temp folder, and a controllable clock.
class ServiceTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("beacon-liveloop-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        db_ = std::make_unique<beacon::testing::MemoryDatabase>();
        auto store = storage::OpenFilesystemStore(dir_ / "objects");
        ASSERT_TRUE(store.ok()) << store.error().message;
        store_ = std::move(store).value();
    }
    void TearDown() override { fs::remove_all(dir_); }

    std::unique_ptr<LiveLoopService> MakeService(std::string segment_file_dir = {}) {
        LiveLoopOptions o;
        o.segment_file_dir = std::move(segment_file_dir);
        o.window_segments = 5;
        o.horizon_seconds = 60;
        o.clock = [this] { return clock_.load(); };
        o.public_base_url = [] { return std::string("http://beacon.test:8080/"); };
        return std::make_unique<LiveLoopService>(*db_, *db_, *store_, o);
    }

    /// A library row with HLS packaging (segment files hold placeholder bytes of a known size).
    std::int64_t AddItem(const std::string& title, const std::vector<double>& durations,
                         const std::vector<std::string>& audio,
                         const std::vector<std::string>& subs = {}) {
        core::Content c;
        c.title = title;
        c.description = "About " + title;
        auto row = db_->CreateContent(c);
        EXPECT_TRUE(row.ok());
        const std::string prefix = "library/" + std::to_string(row->id) + "/hls/";
        const std::string manifest = testing::ManifestJson(durations, audio, subs);
        EXPECT_TRUE(store_->Put(prefix + "segments.json", manifest).ok());
        auto m = ParseManifest(manifest).value();
        for (const auto& s : m.video) EXPECT_TRUE(store_->Put(prefix + s.uri, std::string(50000, 'v')).ok());
        for (const auto& t : m.audio) {
            for (const auto& s : t.segments) EXPECT_TRUE(store_->Put(prefix + s.uri, std::string(2000, 'a')).ok());
        }
        return row->id;
    }

    std::int64_t AddChannel(const std::string& slug, std::vector<std::int64_t> items,
                            bool active = true) {
        core::Playlist p;
        p.slug = slug;
        p.title = "Channel " + slug;
        p.items = std::move(items);
        p.active = active;
        auto row = db_->CreatePlaylist(p);
        EXPECT_TRUE(row.ok()) << row.error().message;
        // CreatePlaylist may not store items/active: make sure.
        p.id = row->id;
        EXPECT_TRUE(db_->UpdatePlaylist(p).ok());
        return row->id;
    }

    static std::int64_t Tag(const std::string& body, const std::string& tag) {
        auto pos = body.find(tag + ":");
        if (pos == std::string::npos) return -1;
        return std::stoll(body.substr(pos + tag.size() + 1));
    }

    fs::path dir_;
    std::unique_ptr<storage::Database> db_;
    std::unique_ptr<storage::ObjectStore> store_;
    std::atomic<UnixMillis> clock_{kT0};
};

TEST_F(ServiceTest, AnswersOnlyAuthenticatedCallersAndKnownPaths) {
    auto svc = MakeService();
    EXPECT_EQ(svc->Handle("channels.m3u", "", false, "").status, 401u);
    EXPECT_EQ(svc->Handle("nope/index.m3u8", "", true, "").status, 404u);
    for (const char* hostile : {"../etc/passwd", "main/../../x", "main/audio_../x.m3u8",
                                "main/audio_EN.m3u8", "MAIN/index.m3u8", "", "/", "main/",
                                "main/empty/1/x.vtt", "main/empty/../1.vtt", "main/seg/x.ts",
                                "main/v/../1.ts", "main/a/EN/1.ts", "main/m/en/-1.ts",
                                "main/s/en/1.ts", "main/v/1.vtt", "main/v/99999999999999999.ts"}) {
        auto a = svc->Handle(hostile, "", true, "");
        EXPECT_GE(a.status, 400u) << hostile;
        EXPECT_LT(a.status, 500u) << hostile;
    }
    auto logo = svc->Handle("logo.svg", "", true, "");
    EXPECT_EQ(logo.status, 200u);
    EXPECT_EQ(logo.content_type, "image/svg+xml");
    EXPECT_NE(logo.body.find("<svg"), std::string::npos);
}

TEST_F(ServiceTest, AnItemHeldBackByModerationIsNotPlayedUntilReleased) {
    const auto a = AddItem("Flagged", {4, 4}, {"en"});
    AddChannel("mod", {a});
    std::atomic<bool> held{true};
    LiveLoopOptions o;
    o.window_segments = 5;
    o.horizon_seconds = 60;
    o.clock = [this] { return clock_.load(); };
    o.held_back = [&held, a](std::int64_t id) { return id == a && held.load(); };
    LiveLoopService svc(*db_, *db_, *store_, o);
    auto refused = svc.Handle("mod/video.m3u8", "", true, "");
    EXPECT_EQ(refused.status, 503u);
    EXPECT_NE(refused.body.find("flagged for review"), std::string::npos) << refused.body;
    held = false;  // approved: moderation tells LiveLoop the item changed
    svc.OnContentChanged(a);
    auto played = svc.Handle("mod/video.m3u8", "", true, "");
    EXPECT_EQ(played.status, 200u) << played.body;
}

TEST_F(ServiceTest, InactiveChannelIs404AndEmptyChannelIs503WithAReason) {
    AddChannel("off", {}, false);
    auto svc = MakeService();
    EXPECT_EQ(svc->Handle("off/index.m3u8", "", true, "").status, 404u);
    const auto broken = AddItem("Broken", {4}, {"en"});
    ASSERT_TRUE(store_->Put("library/" + std::to_string(broken) + "/hls/segments.json", "{").ok());
    AddChannel("empty", {broken, 999});
    auto a = svc->Handle("empty/video.m3u8", "", true, "");
    EXPECT_EQ(a.status, 503u);
    EXPECT_NE(a.body.find("nothing playable"), std::string::npos) << a.body;
    EXPECT_NE(a.body.find("segments.json"), std::string::npos) << a.body;
}

TEST_F(ServiceTest, ServesAgreeingRenditionsWithKeysAndAFullWindow) {
    const auto a = AddItem("Alpha", {4, 4, 3}, {"en", "es"}, {"en"});
    const auto b = AddItem("Beta", {4, 2}, {"fr"});
    AddChannel("main", {a, b});
    auto svc = MakeService();
    auto master = svc->Handle("main/index.m3u8", "", true, "k/1");
    ASSERT_EQ(master.status, 200u) << master.body;
    EXPECT_EQ(master.content_type, "application/vnd.apple.mpegurl");
    EXPECT_EQ(master.cache_control, "no-cache");
    EXPECT_NE(master.body.find("URI=\"audio_en.m3u8?key=k%2F1\""), std::string::npos) << master.body;
    EXPECT_NE(master.body.find("LANGUAGE=\"fr\""), std::string::npos);
    EXPECT_NE(master.body.find("URI=\"subs_en.m3u8?key=k%2F1\""), std::string::npos);
    EXPECT_NE(master.body.find("video.m3u8?key=k%2F1"), std::string::npos);
    auto video = svc->Handle("main/video.m3u8", "", true, "k/1").body;
    auto fr = svc->Handle("main/audio_fr.m3u8", "", true, "k/1").body;
    auto subs = svc->Handle("main/subs_en.m3u8", "", true, "k/1").body;
    EXPECT_EQ(Tag(video, "#EXT-X-MEDIA-SEQUENCE"), Tag(fr, "#EXT-X-MEDIA-SEQUENCE"));
    EXPECT_EQ(Tag(video, "#EXT-X-DISCONTINUITY-SEQUENCE"),
              Tag(subs, "#EXT-X-DISCONTINUITY-SEQUENCE"));
    // Numbering of a new channel starts at 0, 20 s back (a full window): A's segments at 0, 4,
    // 8 s, B's at 11, 15 s, A again at 17 s = MSN 5 is on air; the window holds MSN 1..5.
    EXPECT_EQ(Tag(video, "#EXT-X-MEDIA-SEQUENCE"), 1);
    EXPECT_EQ(Tag(video, "#EXT-X-DISCONTINUITY-SEQUENCE"), 0);
    // A full window right away (the timeline is backdated), segments referenced directly.
    EXPECT_EQ(std::count(video.begin(), video.end(), '\n') -
                  std::count(video.begin(), video.end(), '#'),
              5);
    // Segments are named by the channel (rendition + MSN); the server maps them to the items.
    EXPECT_NE(video.find("\nv/1.ts?key=k%2F1\n"), std::string::npos) << video;
    EXPECT_NE(fr.find("\na/fr/5.ts?key=k%2F1\n"), std::string::npos) << fr;
    EXPECT_NE(subs.find("\ns/en/3.vtt?key=k%2F1\n"), std::string::npos) << subs;
    // MSN 3 is item b's first segment; b has no subtitles: an empty WebVTT whose clock maps to
    // b's start on the channel timeline (06:00:11 - 20 s backdate = 05:59:51 → 90 kHz, mod 2^33).
    auto vtt = svc->Handle("main/s/en/3.vtt", "", true, "");
    EXPECT_EQ(vtt.status, 200u) << vtt.body;
    const std::int64_t b_start = kT0 - 20000 + 11000;
    EXPECT_EQ(vtt.body, EmptyWebVtt((b_start * 90) % (std::int64_t{1} << 33)));
    // Undeclared renditions and segments outside the channel are JSON 404s.
    for (const char* missing : {"main/audio_de.m3u8", "main/subs_fr.m3u8", "main/muxed_de.m3u8",
                                "main/v/999999.ts", "main/a/en/999999.ts", "main/s/en/x.vtt"}) {
        auto r = svc->Handle(missing, "", true, "");
        EXPECT_EQ(r.status, 404u) << missing;
        EXPECT_EQ(r.content_type, "application/json") << missing;
        EXPECT_NE(r.body.find("\"error\""), std::string::npos) << missing;
    }
    // Not yet published: 404, never the future's bytes.
    EXPECT_EQ(svc->Handle("main/v/8.ts", "", true, "").status, 404u);
    // Placeholder bytes are not MPEG-TS: a clear 503, not garbage.
    auto bad = svc->Handle("main/v/1.ts", "", true, "");
    EXPECT_EQ(bad.status, 503u);
    EXPECT_NE(bad.body.find("188-byte"), std::string::npos) << bad.body;
}

TEST_F(ServiceTest, CachedSegmentsAreAnsweredFromMemoryOnlyWhileTheWindowIsCurrent) {
    const auto a = AddItem("Alpha", {4, 4, 3}, {"en"}, {"en"});
    const std::string vtt = "WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:126000,LOCAL:00:00:00.000\n\n"
                            "00:00:00.500 --> 00:00:02.000\nHello\n";
    ASSERT_TRUE(store_->Put("library/" + std::to_string(a) + "/hls/subs_en/seg_00001.vtt", vtt).ok());
    const auto id = AddChannel("main", {a});
    auto svc = MakeService();
    // Nothing loaded yet: the caller must go the long way (Handle).
    EXPECT_FALSE(svc->TryCachedSegment("main/s/en/1.vtt"));
    auto full = svc->Handle("main/s/en/1.vtt", "", true, "");
    ASSERT_EQ(full.status, 200u) << full.body;
    // Now in the cache: the same bytes, in a sealed in-memory file the server sends with
    // sendfile (no copy per request).
    auto fast = svc->TryCachedSegment("main/s/en/1.vtt");
    ASSERT_TRUE(fast);
    EXPECT_EQ(fast->status, 200u);
    EXPECT_TRUE(fast->body.empty());
    ASSERT_TRUE(fast->shared_file);
    EXPECT_EQ(fast->shared_file->size(), full.body.size());
    auto cached = fast->shared_file->Read();
    ASSERT_TRUE(cached.ok());
    EXPECT_EQ(*cached, full.body);
    {
        // What a reply gets: its own descriptor of the same bytes, which nobody can change.
        const int fd = fast->shared_file->Dup();
        ASSERT_GE(fd, 0);
        std::string got(full.body.size(), '\0');
        EXPECT_EQ(::pread(fd, got.data(), got.size(), 0), static_cast<ssize_t>(got.size()));
        EXPECT_EQ(got, full.body);
        EXPECT_LT(::pwrite(fd, "x", 1, 0), 0);
        EXPECT_NE(::ftruncate(fd, 0), 0);
        ::close(fd);
    }
    // The long way answers the cached bytes too.
    EXPECT_EQ(svc->Handle("main/s/en/1.vtt", "", true, "").body, full.body);
    EXPECT_EQ(fast->content_type, "text/vtt; charset=utf-8");
    // A segment not cached is left to Handle; one not on the channel is a 404 from memory.
    EXPECT_FALSE(svc->TryCachedSegment("main/v/1.ts"));
    auto gone = svc->TryCachedSegment("main/v/999999.ts");
    ASSERT_TRUE(gone);
    EXPECT_EQ(gone->status, 404u);
    EXPECT_FALSE(svc->TryCachedSegment("main/index.m3u8"));
    EXPECT_FALSE(svc->TryCachedSegment("other/v/1.ts"));
    // A changed channel is refreshed by Handle first, as is a window whose time is up.
    svc->OnPlaylistChanged(id);
    EXPECT_FALSE(svc->TryCachedSegment("main/s/en/1.vtt"));
    ASSERT_EQ(svc->Handle("main/s/en/1.vtt", "", true, "").status, 200u);
    ASSERT_TRUE(svc->TryCachedSegment("main/s/en/1.vtt"));
    clock_ += 3600 * 1000;
    EXPECT_FALSE(svc->TryCachedSegment("main/s/en/1.vtt"));
}

TEST_F(ServiceTest, CachedSegmentsLiveInUnnamedFilesOfTheGivenFolder) {
    const auto a = AddItem("Alpha", {4, 4, 3}, {"en"}, {"en"});
    const std::string vtt = "WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:126000,LOCAL:00:00:00.000\n\n"
                            "00:00:00.500 --> 00:00:02.000\nHello\n";
    ASSERT_TRUE(store_->Put("library/" + std::to_string(a) + "/hls/subs_en/seg_00001.vtt", vtt).ok());
    AddChannel("main", {a});
    const fs::path folder = dir_ / "segment-files";
    fs::create_directories(folder);
    auto svc = MakeService(folder.string());
    auto full = svc->Handle("main/s/en/1.vtt", "", true, "");
    ASSERT_EQ(full.status, 200u) << full.body;
    auto fast = svc->TryCachedSegment("main/s/en/1.vtt");
    ASSERT_TRUE(fast);
    ASSERT_TRUE(fast->shared_file);
    // A file of the page cache (what sendfile sends fastest), with no name left in the folder.
    EXPECT_TRUE(fast->shared_file->on_disk());
    EXPECT_TRUE(fs::is_empty(folder));
    auto cached = fast->shared_file->Read();
    ASSERT_TRUE(cached.ok());
    EXPECT_EQ(*cached, full.body);
    EXPECT_EQ(svc->Handle("main/s/en/1.vtt", "", true, "").body, full.body);
    // Without a folder (or one that cannot hold files), segments are kept in memory as before.
    auto in_memory = MakeService((dir_ / "missing").string());
    ASSERT_EQ(in_memory->Handle("main/s/en/1.vtt", "", true, "").body, full.body);
    auto mem = in_memory->TryCachedSegment("main/s/en/1.vtt");
    ASSERT_TRUE(mem && mem->shared_file);
    EXPECT_FALSE(mem->shared_file->on_disk());
    EXPECT_EQ(mem->shared_file->Read().value(), full.body);
}

TEST_F(ServiceTest, PlaylistsAreCachedPerSegmentTickAndOnlyMoveForward) {
    const auto a = AddItem("Alpha", {4, 4, 3}, {"en"});
    const auto b = AddItem("Beta", {4, 2}, {"en"});
    AddChannel("main", {a, b});
    auto svc = MakeService();
    std::string last = svc->Handle("main/video.m3u8", "", true, "").body;
    std::int64_t msn = Tag(last, "#EXT-X-MEDIA-SEQUENCE");
    std::int64_t dsn = Tag(last, "#EXT-X-DISCONTINUITY-SEQUENCE");
    int changes = 0;
    for (int i = 0; i < 400; ++i) {
        clock_ += 500;
        if (i % 97 == 0) clock_ -= 3000;  // small clock step back
        auto body = svc->Handle("main/video.m3u8", "", true, "").body;
        EXPECT_GE(Tag(body, "#EXT-X-MEDIA-SEQUENCE"), msn);
        EXPECT_GE(Tag(body, "#EXT-X-DISCONTINUITY-SEQUENCE"), dsn);
        msn = Tag(body, "#EXT-X-MEDIA-SEQUENCE");
        dsn = Tag(body, "#EXT-X-DISCONTINUITY-SEQUENCE");
        changes += body != last;
        last = body;
    }
    // 200 s of polls every 0.5 s: the playlist changed about once per segment, not per poll.
    EXPECT_GT(changes, 40);
    EXPECT_LT(changes, 80);
}

TEST_F(ServiceTest, RestartContinuesWhereTheClockSaysWithForwardNumbering) {
    const auto a = AddItem("Alpha", {4, 4, 3}, {"en"});
    const auto b = AddItem("Beta", {4, 2}, {"en"});
    AddChannel("main", {a, b});
    std::string before;
    {
        auto svc = MakeService();
        for (int i = 0; i < 30; ++i) {
            clock_ += 1000;
            before = svc->Handle("main/video.m3u8", "", true, "").body;
        }
    }
    clock_ += 2000;
    auto svc = MakeService();
    auto after = svc->Handle("main/video.m3u8", "", true, "").body;
    const auto msn0 = Tag(before, "#EXT-X-MEDIA-SEQUENCE");
    const auto msn1 = Tag(after, "#EXT-X-MEDIA-SEQUENCE");
    EXPECT_GE(msn1, msn0);
    EXPECT_LE(msn1 - msn0, 2);
    // The segments both playlists list are identical (same MSN → same URI and PDT).
    auto lines = [](const std::string& s) {
        std::vector<std::string> out;
        std::istringstream in(s);
        for (std::string l; std::getline(in, l);) {
            if (l.rfind("#EXT-X-PROGRAM", 0) == 0 || (!l.empty() && l[0] != '#')) out.push_back(l);
        }
        return out;
    };
    auto x = lines(before), y = lines(after);
    const auto shift = static_cast<std::size_t>(2 * (msn1 - msn0));
    ASSERT_GT(x.size(), shift);
    for (std::size_t i = shift; i < x.size(); ++i) EXPECT_EQ(x[i], y[i - shift]);
    // A big clock jump back after the restart: numbers still never go back.
    clock_ -= 3600000;
    auto jumped = svc->Handle("main/video.m3u8", "", true, "").body;
    EXPECT_GE(Tag(jumped, "#EXT-X-MEDIA-SEQUENCE"), msn1);
    clock_ += 8000;
    auto later = svc->Handle("main/video.m3u8", "", true, "").body;
    EXPECT_GT(Tag(later, "#EXT-X-MEDIA-SEQUENCE"), msn1);
}

TEST_F(ServiceTest, EditsReachTheFutureAndDeletedItemsLeaveIt) {
    const auto a = AddItem("Alpha", {4, 4, 3}, {"en"});
    const auto b = AddItem("Beta", {4, 2}, {"en"});
    const auto c = AddItem("Gamma", {4}, {"de"});
    const auto id = AddChannel("main", {a, b});
    auto svc = MakeService();
    ASSERT_EQ(svc->Handle("main/video.m3u8", "", true, "").status, 200u);
    auto p = db_->GetPlaylist(id).value();
    p.items = {c};
    ASSERT_TRUE(db_->UpdatePlaylist(p).ok());
    svc->OnPlaylistChanged(id);
    // Gamma is German only: the channel learns the language when Gamma reaches the timeline.
    bool seen_gamma = false;
    for (int i = 0; i < 60 && !seen_gamma; ++i) {
        clock_ += 4000;
        ASSERT_EQ(svc->Handle("main/video.m3u8", "", true, "").status, 200u);
        auto now = svc->Now(id);
        seen_gamma = now.ok() && (*now)["now"].is_object() && (*now)["now"]["content_id"] == c;
    }
    EXPECT_TRUE(seen_gamma);
    EXPECT_EQ(svc->Handle("main/audio_de.m3u8", "", true, "").status, 200u);
    auto now = svc->Now(id);
    ASSERT_TRUE(now.ok());
    EXPECT_EQ((*now)["now"]["content_id"], c);
    EXPECT_EQ((*now)["now"]["title"], "Gamma");
    EXPECT_EQ((*now)["next"].size(), 5u);
    // The item is deleted (row and files): it leaves the future; the channel has nothing
    // else, so after what was published it has nothing to play.
    ASSERT_TRUE(db_->DeleteContent(c).ok());
    ASSERT_TRUE(store_->Delete("library/" + std::to_string(c) + "/").ok());
    svc->OnContentChanged(c);
    p.items = {a};
    ASSERT_TRUE(db_->UpdatePlaylist(p).ok());
    svc->OnPlaylistChanged(id);
    clock_ += 4000;
    auto body = svc->Handle("main/video.m3u8", "", true, "").body;
    clock_ += 60000;
    body = svc->Handle("main/video.m3u8", "", true, "").body;
    ASSERT_NE(body.find("#EXTINF"), std::string::npos) << body;
    auto after = svc->Now(id);
    ASSERT_TRUE(after.ok());
    EXPECT_EQ((*after)["now"]["content_id"], a);
    for (const auto& n : (*after)["next"]) EXPECT_NE(n["content_id"], c);
}

TEST_F(ServiceTest, ChannelListAndGuideUseAbsoluteUrlsAndTheCommittedTimeline) {
    const auto a = AddItem("Alpha & <Omega>", {4, 4, 3}, {"en"});
    AddChannel("main", {a});
    AddChannel("quiet", {a}, false);
    auto svc = MakeService();
    auto m3u = svc->Handle("channels.m3u", "", true, "sk");
    ASSERT_EQ(m3u.status, 200u);
    EXPECT_EQ(m3u.body.rfind("#EXTM3U url-tvg=\"http://beacon.test:8080/live/guide.xml?key=sk\"", 0), 0u)
        << m3u.body;
    EXPECT_NE(m3u.body.find("tvg-id=\"main.beacon\""), std::string::npos);
    EXPECT_NE(m3u.body.find("group-title=\"Beacon\",Channel main\n"
                            "http://beacon.test:8080/live/main/tv.m3u8?key=sk\n"),
              std::string::npos) << m3u.body;
    EXPECT_EQ(m3u.body.find("quiet"), std::string::npos);
    auto guide = svc->Handle("guide.xml", "", true, "sk", "https://tv.example");
    ASSERT_EQ(guide.status, 200u);
    EXPECT_NE(guide.body.find("<title>Alpha &amp; &lt;Omega&gt;</title>"), std::string::npos);
    EXPECT_NE(guide.body.find("start=\"20261129055951 +0000\""), std::string::npos) << guide.body.substr(0, 800);
    EXPECT_NE(guide.body.find("<icon src=\"https://tv.example/live/logo.svg\"/>"), std::string::npos);
    EXPECT_EQ(guide.body.find("sk"), std::string::npos) << "the stream key leaked into guide.xml";
    // The logo those URLs name answers without a key.
    EXPECT_EQ(svc->Handle("logo.svg", "", false, "").status, 200u);
}

TEST_F(ServiceTest, GuideListsGuideHoursOfProgrammesHoweverShortTheItems) {
    const auto a = AddItem("Ten", {4, 4, 2}, {"en"});  // 10 s: 8640 programmes in 24 h
    AddChannel("main", {a});
    auto svc = MakeService();
    auto guide = svc->Handle("guide.xml", "", true, "sk");
    ASSERT_EQ(guide.status, 200u);
    std::vector<std::string> starts;
    for (auto pos = guide.body.find("<programme start=\""); pos != std::string::npos;
         pos = guide.body.find("<programme start=\"", pos + 1)) {
        starts.push_back(guide.body.substr(pos + 18, 14));
    }
    ASSERT_GE(starts.size(), 8640u);
    EXPECT_LE(starts.size(), 8642u);
    EXPECT_LE(starts.front(), "20261129060000");
    EXPECT_GE(starts.back(), "20261130055950");  // 24 h on
}

TEST_F(ServiceTest, TunerChannelsAreTheM3uChannelsWithStreamUrls) {
    const auto a = AddItem("A", {4, 4, 3}, {"en"});
    const auto main_id = AddChannel("main", {a});
    AddChannel("quiet", {a}, false);
    auto svc = MakeService();
    auto channels = svc->TunerChannels("", "s k");
    ASSERT_TRUE(channels.ok()) << channels.error().message;
    ASSERT_EQ(channels->size(), 1u);
    const TunerChannel& c = channels->front();
    EXPECT_EQ(c.number, static_cast<int>(main_id));
    EXPECT_EQ(c.name, "Channel main");
    EXPECT_EQ(c.slug, "main");
    EXPECT_EQ(c.url, "http://beacon.test:8080/live/main/stream.ts?key=s%20k");
    auto m3u = svc->Handle("channels.m3u", "", true, "s k");
    EXPECT_NE(m3u.body.find("tvg-chno=\"" + std::to_string(c.number) + "\" tvg-name=\"" + c.name +
                            "\""),
              std::string::npos)
        << m3u.body;
    EXPECT_EQ(svc->TunerChannels("http://10.0.0.2:9", "")->front().url,
              "http://10.0.0.2:9/live/main/stream.ts");
}

TEST_F(ServiceTest, SlotsFollowTheConfiguredTimeZoneAcrossADstChange) {
    const auto loop = AddItem("Loop", {4, 4, 2}, {"en"});
    const auto news = AddItem("News", {4}, {"en"});
    const auto id = AddChannel("main", {loop});
    auto p = db_->GetPlaylist(id).value();
    p.scheduled_slots = Json::parse(
        R"([{"time":"20:00","days":"daily","content_id":)" + std::to_string(news) + "}]");
    ASSERT_TRUE(db_->UpdatePlaylist(p).ok());
    clock_ = 1774699200000;  // 2026-03-28T12:00:00Z; Berlin moves to CEST on the 29th
    LiveLoopOptions o;
    o.clock = [this] { return clock_.load(); };
    o.guide_hours = 48;
    o.time_zone = TimeZone::Load("Europe/Berlin").value();
    LiveLoopService svc(*db_, *db_, *store_, o);
    auto guide = svc.Handle("guide.xml", "", true, "k", "http://h");
    ASSERT_EQ(guide.status, 200u);
    std::vector<std::string> news_starts;
    const std::string title = "<title>News</title>";
    for (auto pos = guide.body.find(title); pos != std::string::npos;
         pos = guide.body.find(title, pos + 1)) {
        const auto start = guide.body.rfind("<programme start=\"", pos);
        news_starts.push_back(guide.body.substr(start + 18, 14));
    }
    // 20:00 CET = 19:00Z, then 20:00 CEST = 18:00Z (at the first boundary after: 10 s items).
    ASSERT_EQ(news_starts.size(), 2u) << guide.body.substr(0, 2000);
    EXPECT_GE(news_starts[0], "20260328190000");
    EXPECT_LE(news_starts[0], "20260328190010");
    EXPECT_GE(news_starts[1], "20260329180000");
    EXPECT_LE(news_starts[1], "20260329180010");
}

// The table TryCachedSegment reads is published whole while readers run: a reader gets a
// segment's complete bytes or nothing, and once a change that withdraws segments has returned
// (a channel switched off, an item held back) no reader gets them until Handle has answered
// them again.
TEST_F(ServiceTest, PublishedSegmentTableIsWholeForConcurrentReadersAndWithdrawnAtOnce) {
    const std::vector<double> durations = {4, 4, 3};
    const auto a = AddItem("Alpha", durations, {"en"}, {"en"});
    const auto b = AddItem("Beta", durations, {"en"}, {"en"});
    for (auto id : {a, b}) {
        for (std::size_t i = 0; i < durations.size(); ++i) {
            char name[64];
            std::snprintf(name, sizeof name, "library/%lld/hls/subs_en/seg_%05zu.vtt",
                          static_cast<long long>(id), i);
            const std::string vtt = "WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:126000,LOCAL:00:00:00.000\n\n"
                                    "00:00:00.500 --> 00:00:02.000\nItem " +
                                    std::to_string(id) + " cue " + std::to_string(i) + "\n";
            ASSERT_TRUE(store_->Put(name, vtt).ok());
        }
    }
    const auto channel = AddChannel("main", {a, b});
    std::atomic<bool> hold_a{false};
    LiveLoopOptions o;
    o.window_segments = 5;
    o.horizon_seconds = 60;
    o.clock = [this] { return clock_.load(); };
    o.held_back = [&](std::int64_t id) { return id == a && hold_a.load(); };
    auto svc = std::make_unique<LiveLoopService>(*db_, *db_, *store_, o);

    // What the long way answers: the bytes per published MSN, and whose item they are.
    std::map<std::int64_t, std::string> expected;
    std::map<std::int64_t, std::int64_t> item_of;
    for (std::int64_t msn = 0; msn < 20; ++msn) {
        auto r = svc->Handle("main/s/en/" + std::to_string(msn) + ".vtt", "", true, "");
        if (r.status != 200) continue;
        expected[msn] = r.body;
        item_of[msn] = r.body.find("Item " + std::to_string(a) + " ") != std::string::npos ? a : b;
    }
    ASSERT_GE(expected.size(), 3u);
    ASSERT_TRUE(std::any_of(item_of.begin(), item_of.end(), [&](auto& kv) { return kv.second == a; }));
    auto republish = [&] {
        for (const auto& [msn, body] : expected) {
            auto r = svc->Handle("main/s/en/" + std::to_string(msn) + ".vtt", "", true, "");
            ASSERT_EQ(r.status, 200u) << r.body;
            ASSERT_EQ(r.body, body);
        }
    };

    // Odd while a withdrawal is in force (set only after the call that withdrew returned).
    std::atomic<int> channel_off{0};
    std::atomic<int> a_held{0};
    std::atomic<bool> stop{false};
    std::atomic<long> served{0}, torn{0}, after_off{0}, after_hold{0};
    std::vector<std::thread> readers;
    for (int t = 0; t < 3; ++t) {
        readers.emplace_back([&] {
            while (!stop.load()) {
                for (const auto& [msn, body] : expected) {
                    const int off0 = channel_off.load(), held0 = a_held.load();
                    auto r = svc->TryCachedSegment("main/s/en/" + std::to_string(msn) + ".vtt");
                    const int off1 = channel_off.load(), held1 = a_held.load();
                    if (!r || r->status != 200) continue;
                    ++served;
                    auto bytes = r->shared_file ? r->shared_file->Read()
                                                : core::Result<std::string>(core::Error::NotFound("none"));
                    if (!bytes.ok() || *bytes != body || r->content_type != "text/vtt; charset=utf-8") ++torn;
                    if (off0 == off1 && off0 % 2 == 1) ++after_off;
                    if (held0 == held1 && held0 % 2 == 1 && item_of.at(msn) == a) ++after_hold;
                }
            }
        });
    }
    for (int round = 0; round < 30; ++round) {
        republish();
        // The channel switched off: nothing of it is answered from memory any more.
        core::Playlist p = db_->GetPlaylist(channel).value();
        p.active = false;
        ASSERT_TRUE(db_->UpdatePlaylist(p).ok());
        svc->OnPlaylistChanged(channel);
        ++channel_off;
        for (const auto& [msn, body] : expected) {
            auto r = svc->TryCachedSegment("main/s/en/" + std::to_string(msn) + ".vtt");
            EXPECT_FALSE(r && r->status == 200) << msn;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));  // readers run meanwhile
        EXPECT_EQ(svc->Handle("main/s/en/" + std::to_string(expected.begin()->first) + ".vtt", "",
                              true, "").status, 404u);
        ++channel_off;
        p.active = true;
        ASSERT_TRUE(db_->UpdatePlaylist(p).ok());
        svc->OnPlaylistChanged(channel);
        republish();
        // An item held back for review: its segments leave the table at once.
        hold_a = true;
        svc->OnContentChanged(a);
        ++a_held;
        for (const auto& [msn, item] : item_of) {
            if (item != a) continue;
            auto r = svc->TryCachedSegment("main/s/en/" + std::to_string(msn) + ".vtt");
            EXPECT_FALSE(r && r->status == 200) << msn;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        ++a_held;
        hold_a = false;
        svc->OnContentChanged(a);
    }
    // Published again, and left so until the readers have been served from it (on a loaded
    // machine they may not have run inside any of the short windows above; hang guard 30 s).
    republish();
    for (int i = 0; i < 3000 && served.load() == 0; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    stop = true;
    for (auto& t : readers) t.join();
    EXPECT_GT(served.load(), 0);  // the readers did read published segments
    EXPECT_EQ(torn.load(), 0);
    EXPECT_EQ(after_off.load(), 0);
    EXPECT_EQ(after_hold.load(), 0);
}

}  // namespace
}  // namespace beacon::liveloop
