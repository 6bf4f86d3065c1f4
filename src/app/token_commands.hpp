#pragma once
/// `beacon token sessions|revoke|revoke-all`: the signed-token sign-ins (refresh families) in
/// the studio's database, listed and revoked from the command line. A `beacon serve` on the same
/// database sees a revocation within `[auth] revocation_sync_seconds`.
#include <functional>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "app/commands.hpp"

namespace beacon::app {

class TokenCommands {
public:
    /// Adds the subcommands to `token` (the `beacon token` command).
    TokenCommands(CLI::App* token, const std::function<void(CLI::App*)>& add_common);
    /// The exit status of the subcommand that was chosen, nullopt when none of these was.
    std::optional<int> Run(const CommonOptions& common);

private:
    int Sessions(const CommonOptions& common);
    int Revoke(const CommonOptions& common);
    int RevokeAll(const CommonOptions& common);

    CLI::App* sessions_ = nullptr;
    CLI::App* revoke_ = nullptr;
    CLI::App* revoke_all_ = nullptr;
    std::string user_;  // "" = every account (sessions), admin (revoke-all)
    std::string family_;
    bool json_ = false;
};

}  // namespace beacon::app
