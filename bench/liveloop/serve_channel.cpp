// Serves a LiveLoop channel made of real house-format items for manual checks, Playwright and
// wrk: `liveloop_serve_channel <work dir> [port] [segment seconds]`. Prints the channel URL and
// serves until stdin closes or the process is killed. Also writes <work dir>/media/... so that
// nginx can serve the same files for comparison.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>

#include "liveloop/service.hpp"
#include "liveloop/test_http_server.hpp"
#include "liveloop/test_media.hpp"
#include "storage/database.hpp"
#include "storage/object_store.hpp"

int main(int argc, char** argv) {
    namespace fs = std::filesystem;
    using namespace beacon;
    if (argc < 2) {
        std::cerr << "usage: liveloop_serve_channel <work dir> [port-file] [segment seconds]\n";
        return 2;
    }
    const fs::path dir = argv[1];
    const int seg = argc > 3 ? std::stoi(argv[3]) : 2;
    fs::remove_all(dir);
    fs::create_directories(dir / "work");
    auto db = storage::OpenSqlite((dir / "beacon.db").string());
    auto store = storage::OpenFilesystemStore(dir / "objects");
    if (!db.ok() || !store.ok()) {
        std::cerr << "cannot open storage\n";
        return 1;
    }
    std::vector<std::int64_t> items;
    const std::vector<liveloop::testing::ItemSpec> specs{
        {"Alpha", 3.2, 440, true}, {"Beta", 2.56, 660, false}, {"Gamma", 1.92, 880, false}};
    for (const auto& spec : specs) {
        std::string error;
        auto id = liveloop::testing::MakeHouseItem(**db, **store, dir / "work", spec, seg, error);
        if (id < 0) {
            std::cerr << error << "\n";
            return 1;
        }
        items.push_back(id);
    }
    core::Playlist p;
    p.slug = "main";
    p.title = "Beacon Main";
    auto row = (*db)->CreatePlaylist(p);
    p = row.value();
    p.items = items;
    p.active = true;
    (void)(*db)->UpdatePlaylist(p);
    liveloop::LiveLoopOptions o;
    o.target_duration = seg;
    if (const char* v = std::getenv("LIVELOOP_NUMBER_FROM_CLOCK")) o.number_from_clock = v[0] == '1';
    liveloop::LiveLoopService svc(**db, **db, **store, o);
    liveloop::testing::TinyServer server(svc, **store);
    std::cout << server.base() << "/live/main/index.m3u8" << std::endl;
    if (argc > 2) {
        std::ofstream(argv[2]) << server.port() << "\n";
    }
    std::string line;
    while (std::getline(std::cin, line)) {
    }
    return 0;
}
