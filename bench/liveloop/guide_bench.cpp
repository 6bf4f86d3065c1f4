// Cost of guide.xml uncached: 24 h (guide_hours) of 10 s items on one channel, i.e. 8640
// programmes, through LiveLoopService (SQLite + filesystem store, projection of the schedule,
// rendering), and the renderer alone. Goal (issue 9): under 100 ms.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>

#include "liveloop/guide.hpp"
#include "liveloop/service.hpp"
#include "liveloop/test_support.hpp"
#include "storage/database.hpp"
#include "storage/object_store.hpp"

namespace {

using namespace beacon::liveloop;
constexpr UnixMillis kT0 = 1795932000000;

void BM_RenderXmltv24hOf10sItems(benchmark::State& st) {
    ChannelListing l{"main", "Main", 1, {}};
    for (int i = 0; i < 8640; ++i) {
        const UnixMillis start = kT0 + i * 10000LL;
        l.programmes.push_back({1 + i % 4, start, start + 10000, "Item " + std::to_string(i % 4),
                                "About item " + std::to_string(i % 4)});
    }
    const std::vector<ChannelListing> channels{l};
    std::size_t bytes = 0;
    for (auto _ : st) {
        auto xml = RenderXmltv(channels, "http://192.168.1.20:8080");
        bytes = xml.size();
        benchmark::DoNotOptimize(xml);
    }
    st.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_RenderXmltv24hOf10sItems)->Unit(benchmark::kMillisecond);

/// GET /live/guide.xml with the cache dropped before every request (as after any edit).
void BM_GuideXmlUncached24hOf10sItems(benchmark::State& st) {
    namespace fs = std::filesystem;
    const fs::path dir =
        fs::temp_directory_path() / ("beacon-guide-bench-" + std::to_string(getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    auto db = beacon::storage::OpenSqlite((dir / "b.db").string()).value();
    auto store = beacon::storage::OpenFilesystemStore(dir / "objects").value();
    std::vector<std::int64_t> ids;
    for (int i = 0; i < 4; ++i) {
        beacon::core::Content c;
        c.title = "Item " + std::to_string(i);
        c.description = "About item " + std::to_string(i);
        auto row = db->CreateContent(c).value();
        const std::string prefix = "library/" + std::to_string(row.id) + "/hls/";
        const auto manifest = testing::ManifestJson({4, 4, 2}, {"en"}, {});  // 10 s
        (void)store->Put(prefix + "segments.json", manifest);
        const ItemManifest m = ParseManifest(manifest).value();
        for (const auto& seg : m.video) (void)store->Put(prefix + seg.uri, "v");
        for (const auto& seg : m.audio[0].segments) (void)store->Put(prefix + seg.uri, "a");
        ids.push_back(row.id);
    }
    beacon::core::Playlist p;
    p.slug = "main";
    p.title = "Main";
    auto created = db->CreatePlaylist(p);
    if (!created.ok()) {
        st.SkipWithError(created.error().message.c_str());
        return;
    }
    p = created.value();
    p.items = ids;
    p.active = true;
    (void)db->UpdatePlaylist(p);
    std::atomic<UnixMillis> clock{kT0};
    LiveLoopOptions o;
    o.clock = [&] { return clock.load(); };
    o.guide_hours = 24;
    LiveLoopService svc(*db, *db, *store, o);
    std::size_t programmes = 0;
    for (auto _ : st) {
        svc.OnPlaylistChanged(p.id);
        auto a = svc.Handle("guide.xml", "", true, "0123456789abcdef", "http://h:8080");
        programmes = 0;
        for (auto pos = a.body.find("<programme "); pos != std::string::npos;
             pos = a.body.find("<programme ", pos + 1)) {
            ++programmes;
        }
        benchmark::DoNotOptimize(a);
    }
    st.counters["programmes"] = static_cast<double>(programmes);
    if (programmes == 0) {
        auto a = svc.Handle("main/video.m3u8", "", true, "k", "http://h:8080");
        st.SkipWithError(("no programmes: " + a.body.substr(0, 300)).c_str());
    }
    fs::remove_all(dir);
}
BENCHMARK(BM_GuideXmlUncached24hOf10sItems)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
