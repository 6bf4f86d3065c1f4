#pragma once
/// The Arcade's HTTP routes: the studio's API (/api/v1/games...) and the games' own origin
/// (/play/{id}/{version}/{file+}, /beacon-game.js), served by a second Server without core routes
/// so that a game can reach no cookie, page or API of the studio.
#include <string>
#include <vector>

#include "arcade/service.hpp"
#include "server/extension.hpp"

namespace beacon::arcade {

/// The studio's routes (signed-in users). `max_upload_bytes` bounds one upload request.
std::vector<server::ExtensionRoute> StudioRoutes(ArcadeService& arcade, std::size_t max_upload_bytes);

struct GameOriginOptions {
    /// Origins allowed to embed games (CSP frame-ancestors) and to talk to the SDK, e.g.
    /// "http://127.0.0.1:8080". Empty: no page may embed a game.
    std::vector<std::string> studio_origins;
};

/// The game origin's routes (public: game files are not secrets; the studio's credentials are
/// never used there). When the game origin names each game ("g{id}"), a game's files are only
/// served on its own host name.
std::vector<server::ExtensionRoute> GameOriginRoutes(ArcadeService& arcade, GameOriginOptions options);

/// The headers a game file is served with: strict CSP (own origin only, frame-ancestors the
/// studio), nosniff, no referrer; COOP/COEP/CORP when the game asks for threads.
std::vector<std::pair<std::string, std::string>> GameFileHeaders(
    const Game& game, const std::vector<std::string>& studio_origins);

/// The host-game SDK script served as /beacon-game.js.
std::string SdkScript(const std::vector<std::string>& studio_origins);

}  // namespace beacon::arcade
