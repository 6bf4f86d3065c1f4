// Cost of LiveLoop's work per poll: computing and rendering a live media playlist (what a
// cache miss costs, once per segment tick per rendition), a cache hit through the service, the
// timeline extension and the state's JSON round trip (persisted every few seconds while
// polled).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>

#include "liveloop/playlist.hpp"
#include "liveloop/service.hpp"
#include "liveloop/test_support.hpp"
#include "storage/database.hpp"
#include "storage/object_store.hpp"

namespace {

using namespace beacon::liveloop;
constexpr UnixMillis kT0 = 1795932000000;

struct Fixture {
    Catalog cat;
    Schedule sched;
    ChannelState state = NewChannelState(kT0, 1, 4, 60000);
    Fixture() {
        // 20 items of 30-90 s, two audio languages and subtitles on half of them.
        for (int i = 1; i <= 20; ++i) {
            std::vector<double> d(static_cast<std::size_t>(8 + i % 15), 4.0);
            d.back() = 2.56;
            cat[i] = testing::Item(i, d, i % 2 ? std::vector<std::string>{"en", "es"}
                                               : std::vector<std::string>{"en"},
                                   i % 2 ? std::vector<std::string>{"en"}
                                         : std::vector<std::string>{});
            sched.items.push_back(i);
        }
        Extend(state, sched, cat, kT0, kT0 + 120000);
        LearnLanguages(state, cat, sched.items);
    }
};

void BM_WindowAndRenderVideo(benchmark::State& st) {
    Fixture f;
    UriScheme uris;
    uris.query = "?key=0123456789abcdef";
    UnixMillis now = kT0 + 30000;
    for (auto _ : st) {
        auto w = ComputeWindow(f.state, f.cat, now, 15);
        auto text = RenderMediaPlaylist(w, {RenditionKind::kVideo, ""}, 4, uris);
        benchmark::DoNotOptimize(text);
        now += 1;
        if (now > kT0 + 100000) now = kT0 + 30000;
    }
}
BENCHMARK(BM_WindowAndRenderVideo);

void BM_RenderAllRenditions(benchmark::State& st) {
    Fixture f;
    UriScheme uris;
    auto w = ComputeWindow(f.state, f.cat, kT0 + 60000, 15);
    for (auto _ : st) {
        for (const Rendition& r : {Rendition{RenditionKind::kVideo, ""},
                                   Rendition{RenditionKind::kAudio, "en"},
                                   Rendition{RenditionKind::kAudio, "es"},
                                   Rendition{RenditionKind::kSubtitles, "en"}}) {
            auto text = RenderMediaPlaylist(w, r, 4, uris);
            benchmark::DoNotOptimize(text);
        }
    }
}
BENCHMARK(BM_RenderAllRenditions);

void BM_ExtendOneHour(benchmark::State& st) {
    Fixture f;
    for (auto _ : st) {
        ChannelState s = NewChannelState(kT0, 1, 4, 0);
        Extend(s, f.sched, f.cat, kT0, kT0 + 3600000);
        benchmark::DoNotOptimize(s);
    }
}
BENCHMARK(BM_ExtendOneHour);

void BM_StateJsonRoundTrip(benchmark::State& st) {
    Fixture f;
    for (auto _ : st) {
        auto text = ToJson(f.state).dump();
        auto back = ParseChannelState(text);
        benchmark::DoNotOptimize(back);
    }
}
BENCHMARK(BM_StateJsonRoundTrip);

/// A poll through LiveLoopService (SQLite + filesystem store on /tmp), mostly cache hits: the
/// clock advances 10 ms per poll, so a segment tick (4 s) recomputes once per 400 polls.
void BM_ServicePoll(benchmark::State& st) {
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() / ("beacon-ll-bench-" + std::to_string(getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    auto db = beacon::storage::OpenSqlite((dir / "b.db").string()).value();
    auto store = beacon::storage::OpenFilesystemStore(dir / "objects").value();
    std::vector<std::int64_t> ids;
    for (int i = 0; i < 5; ++i) {
        beacon::core::Content c;
        c.title = "Item " + std::to_string(i);
        auto row = db->CreateContent(c).value();
        const std::string prefix = "library/" + std::to_string(row.id) + "/hls/";
        const auto manifest = testing::ManifestJson({4, 4, 4, 4, 4, 4, 2.56}, {"en"}, {"en"});
        (void)store->Put(prefix + "segments.json", manifest);
        const ItemManifest m = ParseManifest(manifest).value();
        for (const auto& s : m.video) (void)store->Put(prefix + s.uri, std::string(40000, 'v'));
        for (const auto& s : m.audio[0].segments) (void)store->Put(prefix + s.uri, "a");
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
    LiveLoopService svc(*db, *db, *store, o);
    for (auto _ : st) {
        auto a = svc.Handle("main/video.m3u8", "", true, "0123456789abcdef");
        benchmark::DoNotOptimize(a);
        clock += 10;
    }
    fs::remove_all(dir);
}
BENCHMARK(BM_ServicePoll);

}  // namespace

BENCHMARK_MAIN();
