#pragma once
/// Wiring of the ops module (src/ops): the `backup`, `cleanup` and `secret` subcommands, stored
/// secrets applied to the config, and for `beacon serve` the metrics/dashboard routes, the
/// request observer, the daily job quota and nightly backups.
#include <functional>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>

#include <CLI/CLI.hpp>

#include "app/commands.hpp"
#include "config/config.hpp"
#include "core/result.hpp"

namespace beacon::server {
struct ServerDeps;
class Server;
}  // namespace beacon::server
namespace beacon::jobs {
class EventBus;
}
namespace beacon::ops {
class OpsService;
}
namespace beacon::engines {
class Engines;
}
namespace beacon::party {
class PartyService;
}

namespace beacon::app {

/// The ops subcommands: backup create|restore|verify, cleanup, secret set|remove|list.
class OpsCommands {
public:
    OpsCommands(CLI::App& cli, const std::function<void(CLI::App*)>& add_common);
    /// The exit status of the subcommand that was chosen, nullopt when none of these was.
    std::optional<int> Run(const CommonOptions& common);

private:
    CLI::App* backup_create_ = nullptr;
    CLI::App* backup_restore_ = nullptr;
    CLI::App* backup_verify_ = nullptr;
    CLI::App* cleanup_ = nullptr;
    CLI::App* secret_set_ = nullptr;
    CLI::App* secret_remove_ = nullptr;
    CLI::App* secret_list_ = nullptr;
    CLI::App* secret_rotate_ = nullptr;
    std::string to_;
    std::string from_;
    bool force_ = false;
    bool full_ = false;
    bool dry_run_ = false;
    int days_ = 7;
    std::string secret_name_;
};

/// The secretbox key file: [secrets] key_file, else <data_dir>/secret.key.
std::filesystem::path SecretKeyFile(const config::Config& cfg);
/// Fills [elevenlabs] api_key from the encrypted store when neither the file nor ELEVEN_API_KEY
/// set it. An error when a stored secret cannot be read (key missing or wrong).
core::Status ApplyStoredSecrets(config::Config& cfg);

/// `beacon serve`'s ops part. Lives as long as the server.
class OpsWiring {
public:
    /// Nullptr (with a warning on stderr) when the ops service cannot open the database, e.g.
    /// with the PostgreSQL backend: the server runs without /metrics then.
    static std::unique_ptr<OpsWiring> Open(const config::Config& cfg, jobs::EventBus& events);
    ~OpsWiring();
    /// Adds GET /metrics and /api/v1/ops/summary, the request observer and the quota check.
    void AddTo(server::ServerDeps& deps);
    /// After the server is built: its route table (to count requests by pattern).
    void Started(const server::Server& http);
    /// The daily quota for `jobs` more jobs at once (a batch).
    core::Status AdmitJobs(int jobs);
    /// Per-host figures of the engines' host pools (ComfyUI, Ollama) in /metrics
    /// (beacon_pool_host_*{service,host}) and in the dashboard's summary ("pools"), and the
    /// engines' failed calls (beacon_engine_errors_total{service,class}).
    /// `engines` must outlive this object.
    void WatchPools(const engines::Engines& engines);
    /// Asks the hosts of the remote engines in use (ComfyUI /system_stats, Ollama /api/ps) for
    /// their GPU figures every [metrics] gpu_poll_seconds on a thread of its own (called by
    /// WatchPools; nothing is asked when no remote engine is selected or the interval is 0).
    void WatchGpuHosts(const engines::Engines& engines);
    /// Watch-party figures in /metrics (beacon_party_members, beacon_parties). `parties` must
    /// outlive the server (collectors run on scrapes).
    void WatchParties(const party::PartyService& parties);

private:
    OpsWiring() = default;
    config::Config cfg_;
    std::unique_ptr<ops::OpsService> ops_;
    std::jthread nightly_;  // last: stops first
};

}  // namespace beacon::app
