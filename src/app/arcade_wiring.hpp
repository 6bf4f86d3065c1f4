#pragma once
/// Wires the Arcade (src/arcade) from [arcade]: the game API on the studio's server and a second
/// server, on its own origin, that serves only game files.
#include <cstdint>
#include <memory>
#include <string>

#include "app/commands.hpp"
#include "arcade/service.hpp"
#include "config/config.hpp"
#include "server/server.hpp"

namespace beacon::app {

class ArcadeWiring {
public:
    /// Opens <data>/arcade, keeping game files and covers in the media store [storage] selects
    /// (S3 or data/media, as every studio on the database shares it). Null (and nothing to do)
    /// when [arcade] enabled = false.
    static core::Result<std::unique_ptr<ArcadeWiring>> Open(const config::Config& cfg);
    ~ArcadeWiring();

    /// Adds the studio's /api/v1/games routes.
    void AddStudioRoutes(server::ServerDeps& deps);
    /// Starts the games' server once the studio's port is known (frame-ancestors names the
    /// studio's origins). A listener that cannot bind is reported on stderr, not fatal: the
    /// rest of Beacon keeps working and the Arcade's pages say games cannot be played.
    void StartGames(server::ServerDeps& studio_deps, std::uint16_t studio_port);

private:
    explicit ArcadeWiring(const config::Config& cfg) : cfg_(cfg) {}
    const config::Config& cfg_;
    std::unique_ptr<storage::ObjectStore> store_;  // before the service: it outlives it
    std::unique_ptr<arcade::ArcadeService> service_;
    std::unique_ptr<server::ServerDeps> game_deps_;
    std::unique_ptr<server::Server> games_;
};

struct GameAddOptions {
    std::string zip;
    std::string title;
    std::string description;
    std::string entry;
    std::string cover;  // a picture file
    bool threads = false;
};

/// `beacon game add FILE.zip`: adds a game (prints its id and play URL as JSON).
int GameAdd(const CommonOptions& common, const GameAddOptions& options);

}  // namespace beacon::app
