#include "app/worker_remote.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <iomanip>
#include <iostream>

#include "app/serve.hpp"
#include "storage/module_db.hpp"
#include "jobs/kinds.hpp"
#include "pipeline/import.hpp"
#include "pipeline/localize.hpp"
#include "pipeline/pipeline.hpp"
#include "remote/client.hpp"
#include "remote/http.hpp"
#include "server/auth.hpp"
#include "storage/cached_store.hpp"

namespace beacon::app {

namespace fs = std::filesystem;

namespace {

core::Result<config::Config> LoadWorkerConfig(const CommonOptions& common) {
    const bool required = !common.config_file.empty();
    const fs::path file = required ? fs::path(common.config_file) : fs::path("beacon.toml");
    auto cfg = config::Load(file, config::ProcessEnvironment(), required);
    if (!cfg.ok()) return cfg;
    if (!common.data_dir.empty()) cfg->data_dir = common.data_dir;
    return cfg;
}

std::string HostName() {
    char host[256] = {0};
    gethostname(host, sizeof host - 1);
    return host;
}

core::Result<std::unique_ptr<remote::Registry>> OpenRegistry(const CommonOptions& common) {
    BEACON_TRY(cfg, LoadWorkerConfig(common));
    std::error_code ec;
    fs::create_directories(cfg.data_dir, ec);
    return remote::Registry::Open(
        storage::ModuleDbLocation(cfg.database.url, (cfg.data_dir / "remote.db").string()));
}

}  // namespace

// ---- the studio's side ------------------------------------------------------------------------

core::Result<std::unique_ptr<RemoteWiring>> RemoteWiring::Open(Runtime& rt) {
    // NOLINTNEXTLINE(modernize-make-unique): the constructor is private to Open
    auto w = std::unique_ptr<RemoteWiring>(new RemoteWiring());
    // On PostgreSQL every studio process shares the registry (its tables in that database).
    BEACON_TRY(registry, remote::Registry::Open(storage::ModuleDbLocation(
                             rt.cfg.database.url, (rt.cfg.data_dir / "remote.db").string())));
    w->registry_ = std::move(registry);
    remote::RemoteOptions o;
    // A remote worker that sends nothing for a lease is silent: its job goes back to the queue.
    o.silent_after = std::chrono::seconds(rt.cfg.jobs.lease_seconds);
    // Uploads being received, beside the media cache (emptied at start: a crash's leftovers).
    o.upload_dir = rt.cfg.data_dir / "remote-uploads";
    std::error_code ec;
    fs::remove_all(o.upload_dir, ec);
    fs::create_directories(o.upload_dir, ec);
    if (ec) o.upload_dir.clear();
    w->service_ =
        std::make_unique<remote::RemoteService>(*rt.db, *rt.store, rt.events, *w->registry_, o);
    return w;
}

void RemoteWiring::AddTo(server::ServerDeps& deps) {
    for (auto& r : remote::HttpRoutes(*service_)) deps.routes.push_back(std::move(r));
    service_->StartWatchdog();
}

// ---- the CLI ----------------------------------------------------------------------------------

RemoteWorkerCommands::RemoteWorkerCommands(CLI::App& cli, CLI::App* worker,
                                           const std::function<void(CLI::App*)>& add_common) {
    worker->add_option("--server", server_,
                       "the studio's URL (http(s)://host:port): work for it over HTTP only, with "
                       "no database or bucket access");
    worker->add_option("--token", token_,
                       "with --server: a registration token (beacon worker-token create, or "
                       "Settings > Workers); default $BEACON_WORKER_TOKEN");
    worker->add_option("--name", name_, "with --server: how the studio lists it (default host)");

    auto* wt = cli.add_subcommand("worker-token", "registration tokens for remote workers");
    wt->require_subcommand(1);
    token_create_ = wt->add_subcommand(
        "create", "create a registration token for `beacon worker --server`; printed last");
    add_common(token_create_);
    token_create_->add_option("--name", token_name_, "a label for the token");
    token_revoke_ = wt->add_subcommand(
        "revoke", "revoke a registration token and every worker registered with it");
    add_common(token_revoke_);
    token_revoke_->add_option("id", token_id_, "the token's id (beacon workers lists them)")
        ->required();
    token_list_ = cli.add_subcommand("workers", "list remote workers and registration tokens");
    add_common(token_list_);
}

std::optional<int> RemoteWorkerCommands::Run(const CommonOptions& common) {
    if (!*token_create_ && !*token_revoke_ && !*token_list_) return std::nullopt;
    auto registry = OpenRegistry(common);
    if (!registry.ok()) return std::cerr << "beacon: " << registry.error().message << "\n", 1;
    if (*token_create_) {
        auto cfg = LoadWorkerConfig(common);
        if (!cfg.ok()) return std::cerr << "beacon: " << cfg.error().message << "\n", 1;
        // The studio's database is not needed to make a token: only the registry's tables.
        std::string token = "bwr_" + server::RandomToken(32);
        auto row = (*registry)->CreateRegistrationToken(token_name_, server::HashToken(token));
        if (!row.ok()) return std::cerr << "beacon: " << row.error().message << "\n", 1;
        std::cerr << "Registration token '" << token_name_ << "' (id " << row->id
                  << ") created. On the worker machine run\n  beacon worker --server "
                     "http(s)://THIS-STUDIO:PORT --token <token>\nIt is shown once:\n";
        std::cout << token << "\n";
        return 0;
    }
    if (*token_revoke_) {
        if (auto st = (*registry)->RevokeRegistrationToken(token_id_); !st.ok()) {
            return std::cerr << "beacon: " << st.error().message << "\n", 1;
        }
        std::cout << "Registration token " << token_id_
                  << " revoked; its workers are refused from their next call.\n";
        return 0;
    }
    auto tokens = (*registry)->ListRegistrationTokens();
    auto workers = (*registry)->ListWorkers();
    if (!tokens.ok() || !workers.ok()) {
        return std::cerr << "beacon: cannot read the workers' registry\n", 1;
    }
    std::cout << "registration tokens:\n";
    for (const auto& t : *tokens) {
        std::cout << "  " << std::setw(4) << t.id << "  " << std::left << std::setw(24) << t.name
                  << std::right << (t.revoked_at ? "revoked" : "valid  ") << "  " << t.workers
                  << " worker(s)\n";
    }
    std::cout << "workers:\n";
    for (const auto& w : *workers) {
        std::cout << "  " << std::setw(4) << w.id << "  " << std::left << std::setw(20) << w.name
                  << std::setw(20) << w.host << std::setw(9) << w.state << std::right
                  << "last heartbeat " << core::FormatTimestamp(w.last_seen)
                  << (w.current_job ? "  job " + std::to_string(*w.current_job) : std::string())
                  << "  " << w.jobs_done << " done\n";
    }
    return 0;
}

int RemoteWorkerCommands::RunWorker(const CommonOptions& common) {
    // Termination signals go to WaitForTerminationSignal only (blocked before any thread).
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    if (token_.empty()) {
        if (const char* env = std::getenv("BEACON_WORKER_TOKEN")) token_ = env;
    }
    if (token_.empty()) {
        std::cerr << "beacon worker: --server needs --token (or BEACON_WORKER_TOKEN): a "
                     "registration token from `beacon worker-token create` on the studio\n";
        return 2;
    }
    auto cfg = LoadWorkerConfig(common);
    if (!cfg.ok()) return std::cerr << "beacon worker: " << cfg.error().message << "\n", 1;
    remote::StudioClient client(server_);
    const std::string host = HostName();
    auto reg = remote::RegisterWorker(client, token_, name_.empty() ? host : name_, host);
    if (!reg.ok()) {
        if (reg.error().code == core::ErrorCode::kUnauthorized) {
            std::cerr << "beacon worker: the studio at " << client.base_url()
                      << " refused the registration token (HTTP 401: " << reg.error().message
                      << "). Create one with `beacon worker-token create` on the studio (or "
                         "Settings > Workers) and pass it with --token.\n";
            return 3;
        }
        std::cerr << "beacon worker: cannot register with the studio: " << reg.error().message
                  << "\n";
        return 1;
    }
    std::atomic<bool> refused{false};
    client.OnUnauthorized([&refused, &client](const std::string& why) {
        std::cerr << "beacon worker: the studio at " << client.base_url()
                  << " no longer accepts this worker (HTTP 401: " << why
                  << "); its registration token was revoked. Stopping.\n";
        refused = true;
        ::kill(::getpid(), SIGTERM);
    });

    remote::JobTokens tokens;
    auto rt = std::make_unique<Runtime>();
    rt->cfg = *cfg;
    rt->cfg.jobs.workers = std::max(1, rt->cfg.jobs.workers);
    // The studio's watchdog decides when this worker counts as silent; heartbeats go at a third.
    rt->cfg.jobs.lease_seconds = std::max(2, reg->lease_seconds);
    std::error_code ec;
    fs::create_directories(rt->cfg.data_dir, ec);
    if (ec) {
        std::cerr << "beacon worker: cannot create " << rt->cfg.data_dir << ": " << ec.message()
                  << "\n";
        return 1;
    }
    rt->db = remote::MakeRemoteDatabase(client, tokens);
    // Media: the studio's store, with this machine's cache (ffmpeg needs files on disk).
    auto store = storage::OpenCachedStore(remote::MakeRemoteStore(client, tokens),
                                          rt->cfg.data_dir / "media");
    if (!store.ok()) return std::cerr << "beacon worker: " << store.error().message << "\n", 1;
    rt->store = std::move(*store);
    if (auto st = StartWorkers(*rt, "remote-" + std::to_string(reg->worker_id)); !st.ok()) {
        std::cerr << "beacon worker: " << st.error().message << "\n";
        return 1;
    }
    std::cerr << "beacon worker: registered with " << client.base_url() << " as worker "
              << reg->worker_id << " (" << (name_.empty() ? host : name_) << "); "
              << rt->cfg.jobs.workers << " job(s) at once, cache and scratch in "
              << fs::absolute(rt->cfg.data_dir).string() << "; Ctrl-C stops\n";
    WaitForTerminationSignal();
    std::cerr << "beacon worker: stopping; a running job goes back to the studio's queue\n";
    rt->workers->Stop();
    if (!refused) {
        (void)client.Call("POST", "/api/v1/remote/signoff", client.worker_token(), "{}");
    }
    rt.reset();
    return refused ? 3 : 0;
}

}  // namespace beacon::app
