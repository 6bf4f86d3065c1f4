#pragma once
/// Remote workers in the binary: `beacon worker --server URL --token T` (a worker that reaches
/// the studio over HTTP(S) only), `beacon worker-token create|revoke`, `beacon workers`, and the
/// studio's side (routes, the stalled-job watchdog) wired into `beacon serve`.
#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "app/commands.hpp"
#include "app/runtime.hpp"
#include "remote/registry.hpp"
#include "remote/service.hpp"
#include "server/server.hpp"

namespace beacon::app {

/// The studio's remote-worker module: remote.db in the data folder, the service, its watchdog.
class RemoteWiring {
public:
    static core::Result<std::unique_ptr<RemoteWiring>> Open(Runtime& rt);
    /// Appends the routes to deps and starts the watchdog.
    void AddTo(server::ServerDeps& deps);

private:
    std::unique_ptr<remote::Registry> registry_;
    std::unique_ptr<remote::RemoteService> service_;  // last: its watchdog stops first
};

/// The worker subcommand's remote options and the worker-token / workers subcommands.
class RemoteWorkerCommands {
public:
    RemoteWorkerCommands(CLI::App& cli, CLI::App* worker,
                         const std::function<void(CLI::App*)>& add_common);
    /// True when `beacon worker` was given --server (then RunWorker runs it).
    bool remote() const { return !server_.empty(); }
    int RunWorker(const CommonOptions& common);
    /// The exit status of worker-token / workers, nullopt when neither was chosen.
    std::optional<int> Run(const CommonOptions& common);

private:
    std::string server_;
    std::string token_;
    std::string name_;
    CLI::App* token_create_ = nullptr;
    CLI::App* token_revoke_ = nullptr;
    CLI::App* token_list_ = nullptr;
    std::string token_name_ = "worker";
    std::int64_t token_id_ = 0;
};

}  // namespace beacon::app
