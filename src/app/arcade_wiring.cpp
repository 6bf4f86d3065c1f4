#include "app/arcade_wiring.hpp"

#include <fstream>
#include <iostream>
#include <sstream>

#include "app/runtime.hpp"
#include "arcade/http.hpp"
#include "arcade/samples.hpp"
#include "core/model.hpp"
#include "server/http_util.hpp"

#ifndef BEACON_ARCADE_SAMPLES
#define BEACON_ARCADE_SAMPLES "games/samples"
#endif

namespace beacon::app {

namespace fs = std::filesystem;

namespace {

constexpr const char* kDefaultGamesListen = "127.0.0.1:8091";

arcade::ArcadeOptions OptionsFrom(const config::Config& cfg) {
    arcade::ArcadeOptions o;
    o.dir = cfg.data_dir / "arcade";
    o.database = cfg.database.url;  // on PostgreSQL the catalogue is shared by every process
    o.limits.max_files = static_cast<std::size_t>(cfg.arcade.max_files);
    o.limits.max_total_bytes = static_cast<std::uint64_t>(cfg.arcade.max_total_mb) << 20;
    o.limits.max_file_bytes = static_cast<std::uint64_t>(cfg.arcade.max_file_mb) << 20;
    o.game_origin = cfg.arcade.public_url;
    return o;
}

/// host and port of a HOST:PORT listen value ("[::1]:8091" → "::1").
std::pair<std::string, std::uint16_t> SplitListen(const std::string& listen) {
    auto colon = listen.rfind(':');
    std::string host = listen.substr(0, colon);
    if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
    return {host, static_cast<std::uint16_t>(std::stoi(listen.substr(colon + 1)))};
}

std::string HostForUrl(const std::string& host) {
    return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

/// "https://beacon.example/path" → "https://beacon.example".
/// The games' listen address: [arcade] listen, or the default 127.0.0.1:8091.
std::string GamesListen(const config::Config& cfg) {
    return cfg.arcade.listen.empty() ? std::string(kDefaultGamesListen) : cfg.arcade.listen;
}

std::string OriginOf(const std::string& url) {
    auto scheme = url.find("://");
    if (scheme == std::string::npos) return url;
    auto slash = url.find('/', scheme + 3);
    return slash == std::string::npos ? url : url.substr(0, slash);
}

}  // namespace

core::Result<std::unique_ptr<ArcadeWiring>> ArcadeWiring::Open(const config::Config& cfg) {
    if (!cfg.arcade.enabled) return std::unique_ptr<ArcadeWiring>();
    std::unique_ptr<ArcadeWiring> w(new ArcadeWiring(cfg));
    auto options = OptionsFrom(cfg);
    // Game files and covers: in the media store, shared like media (S3 or a common folder).
    BEACON_TRY(store, OpenObjectStore(cfg));
    w->store_ = std::move(store);
    options.store = w->store_.get();
    if (options.game_origin.empty()) {
        // Until the listener has its port: the configured one.
        auto [host, port] = SplitListen(GamesListen(cfg));
        options.game_origin = "http://g{id}.localhost:" + std::to_string(port);
    }
    BEACON_TRY(service, arcade::ArcadeService::Open(std::move(options)));
    w->service_ = std::move(service);
    if (cfg.arcade.samples) {
        auto added = arcade::InstallSamples(*w->service_, BEACON_ARCADE_SAMPLES);
        if (!added.ok()) {
            std::cerr << "beacon: arcade: " << added.error().message << "\n";
        } else if (*added > 0) {
            std::cerr << "beacon: arcade: installed " << *added << " sample game(s)\n";
        }
    }
    return w;
}

ArcadeWiring::~ArcadeWiring() {
    if (games_) games_->Stop();
}

void ArcadeWiring::AddStudioRoutes(server::ServerDeps& deps) {
    for (auto& r : arcade::StudioRoutes(*service_,
                                        static_cast<std::size_t>(cfg_.arcade.max_upload_mb) << 20)) {
        deps.routes.push_back(std::move(r));
    }
}

void ArcadeWiring::StartGames(server::ServerDeps& studio_deps, std::uint16_t studio_port) {
    const std::string& studio_host = cfg_.server.listen.host;
    arcade::GameOriginOptions origin_options;
    if (!cfg_.server.public_url.empty()) {
        origin_options.studio_origins.push_back(OriginOf(cfg_.server.public_url));
    }
    const std::string port = std::to_string(studio_port);
    if (server::IsLoopbackHost(studio_host) || studio_host == "0.0.0.0" || studio_host == "::") {
        // (No "[::1]": CSP source expressions cannot name an IPv6 literal.)
        for (const char* h : {"http://127.0.0.1:", "http://localhost:"}) {
            origin_options.studio_origins.push_back(h + port);
        }
    }
    if (!server::IsLoopbackHost(studio_host) && studio_host != "0.0.0.0" && studio_host != "::") {
        origin_options.studio_origins.push_back("http://" + HostForUrl(studio_host) + ":" + port);
    }
    for (const auto& h : cfg_.server.allowed_hosts) {
        if (h != "*") origin_options.studio_origins.push_back("http://" + h + ":" + port);
    }

    game_deps_ = std::make_unique<server::ServerDeps>(
        server::ServerDeps{studio_deps.db, studio_deps.store, studio_deps.events, nullptr});
    game_deps_->routes = arcade::GameOriginRoutes(*service_, origin_options);
    server::ServerOptions so;
    auto [host, port_number] = SplitListen(GamesListen(cfg_));
    so.listen = {host, port_number};
    so.core_routes = false;
    so.allowed_hosts = {"*"};  // each game's host name is checked by the play route
    so.max_body_bytes = 16 << 10;
    so.threads = 1;
    games_ = std::make_unique<server::Server>(*game_deps_, so);
    auto st = games_->Start();
    if (!st.ok() && cfg_.arcade.listen.empty()) {
        // The default port is taken (another Beacon?): any free port, so games still play here.
        so.listen.port = 0;
        games_ = std::make_unique<server::Server>(*game_deps_, so);
        st = games_->Start();
    }
    if (!st.ok()) {
        std::cerr << "beacon: arcade: games cannot be played: " << st.error().message
                  << " (set [arcade] listen to a free HOST:PORT)\n";
        games_.reset();
        return;
    }
    if (cfg_.arcade.public_url.empty()) {
        const bool loopback = server::IsLoopbackHost(host);
        service_->SetGameOrigin(loopback ? "http://g{id}.localhost:" + std::to_string(games_->port())
                                         : "http://" + HostForUrl(host) + ":" +
                                               std::to_string(games_->port()));
    }
    std::cerr << "beacon: arcade games on " << service_->options().game_origin
              << " (listening on " << HostForUrl(host) << ":" << games_->port() << ")\n";
}

int GameAdd(const CommonOptions& common, const GameAddOptions& o) {
    bool required = !common.config_file.empty();
    auto cfg = config::Load(required ? fs::path(common.config_file) : fs::path("beacon.toml"),
                            config::ProcessEnvironment(), required);
    if (!cfg.ok()) return std::cerr << "beacon: " << cfg.error().message << "\n", 1;
    if (!common.data_dir.empty()) cfg->data_dir = common.data_dir;
    auto options = OptionsFrom(*cfg);
    if (options.game_origin.empty()) {
        options.game_origin = "http://g{id}.localhost:" + std::to_string(SplitListen(GamesListen(*cfg)).second);
    }
    // The studio's media store (S3 when configured), so every studio serves the game.
    auto store = OpenObjectStore(*cfg);
    if (!store.ok()) return std::cerr << "beacon: " << store.error().message << "\n", 1;
    options.store = store->get();
    auto service = arcade::ArcadeService::Open(options);
    if (!service.ok()) return std::cerr << "beacon: " << service.error().message << "\n", 1;
    arcade::NewGame game;
    game.title = o.title.empty() ? fs::path(o.zip).stem().string() : o.title;
    game.description = o.description;
    if (!o.entry.empty()) game.entry = o.entry;
    game.threads = o.threads;
    if (!o.cover.empty()) {
        std::ifstream in(o.cover, std::ios::binary);
        if (!in) return std::cerr << "beacon: cannot read " << o.cover << "\n", 1;
        std::stringstream ss;
        ss << in.rdbuf();
        game.cover = ss.str();
    }
    if (!fs::is_regular_file(o.zip)) return std::cerr << "beacon: no such file " << o.zip << "\n", 1;
    auto added = (*service)->Add(o.zip, std::move(game));
    if (!added.ok()) {
        std::cerr << "beacon: " << o.zip << ": " << added.error().message << "\n";
        return added.error().code == core::ErrorCode::kInvalidArgument ||
                       added.error().code == core::ErrorCode::kTooLarge
                   ? 2
                   : 1;
    }
    core::Json out = {{"id", added->id}, {"title", added->title}, {"version", added->version},
                      {"files", added->files}, {"play_url", (*service)->PlayUrl(*added)}};
    std::cout << out.dump() << "\n";
    return 0;
}

}  // namespace beacon::app
