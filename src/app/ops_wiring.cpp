#include "app/ops_wiring.hpp"

#include <termios.h>
#include <unistd.h>

#include <condition_variable>
#include <ctime>
#include <iostream>
#include <mutex>

#include "engines/factory.hpp"
#include "engines/gpu_stats.hpp"
#include "ops/backup.hpp"
#include "ops/cleanup.hpp"
#include "ops/http.hpp"
#include "ops/secrets.hpp"
#include "ops/service.hpp"
#include "party/party.hpp"
#include "pipeline/cache_stats.hpp"
#include "server/server.hpp"
#include "storage/module_db.hpp"

namespace beacon::app {

namespace fs = std::filesystem;

namespace {

core::Result<config::Config> LoadOpsConfig(const CommonOptions& common) {
    bool required = !common.config_file.empty();
    fs::path file = required ? fs::path(common.config_file) : fs::path("beacon.toml");
    auto cfg = config::Load(file, config::ProcessEnvironment(), required);
    if (!cfg.ok()) return cfg;
    if (!common.data_dir.empty()) cfg->data_dir = common.data_dir;
    return cfg;
}

fs::path BackupDir(const config::Config& cfg) {
    return cfg.backup.dir.empty() ? cfg.data_dir / "backups" : fs::path(cfg.backup.dir);
}

/// The backup settings of a config: [database] url; the S3 service of s3:// backups ([backup]
/// s3_endpoint and its keys, else [storage]'s); the studio's media bucket when [storage]
/// s3_endpoint is set (backups read the media through it, restores put them back into it).
ops::BackupOptions BackupOptionsFor(const config::Config& cfg, bool full) {
    ops::BackupOptions o{.database_url = cfg.database.url, .full = full};
    const auto& b = cfg.backup;
    const auto& st = cfg.storage;
    if (!b.s3.endpoint.empty()) {
        o.s3 = storage::S3Options{b.s3};
    } else if (!st.s3.endpoint.empty()) {
        o.s3 = storage::S3Options{st.s3};
    }
    if (!st.s3.endpoint.empty()) o.media_s3 = storage::S3Options{st.s3};
    return o;
}

ops::SecretStore Secrets(const config::Config& cfg) {
    return ops::SecretStore(cfg.data_dir / "secrets.json", SecretKeyFile(cfg));
}

int Fail(const std::string& message) {
    std::cerr << "beacon: " << message << "\n";
    return 1;
}

std::string HumanBytes(double b) {
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    while (b >= 1024 && u < 4) b /= 1024, ++u;
    char buf[32];
    std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", b, units[u]);
    return buf;
}

/// One line from stdin, without echo on a terminal.
std::optional<std::string> ReadSecretLine(const std::string& prompt) {
    bool tty = isatty(STDIN_FILENO);
    termios old{};
    if (tty) {
        std::cerr << prompt << std::flush;
        tcgetattr(STDIN_FILENO, &old);
        termios quiet = old;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    }
    std::string line;
    bool ok = static_cast<bool>(std::getline(std::cin, line));
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSANOW, &old);
        std::cerr << "\n";
    }
    if (!ok) return std::nullopt;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    return line;
}

/// Milliseconds until the next HH:MM UTC.
std::int64_t MillisUntil(const std::string& at) {
    int hh = std::stoi(at.substr(0, 2));
    int mm = std::stoi(at.substr(3, 2));
    std::int64_t now = core::NowMillis();
    std::int64_t day = now / 86400000 * 86400000;
    std::int64_t next = day + (hh * 60 + mm) * 60000LL;
    if (next <= now) next += 86400000;
    return next - now;
}

}  // namespace

fs::path SecretKeyFile(const config::Config& cfg) {
    return cfg.secrets.key_file.empty() ? cfg.data_dir / "secret.key" : fs::path(cfg.secrets.key_file);
}

core::Status ApplyStoredSecrets(config::Config& cfg) {
    if (!cfg.elevenlabs.api_key.empty()) return {};
    std::error_code ec;
    if (!fs::exists(cfg.data_dir / "secrets.json", ec)) return {};
    BEACON_TRY(value, Secrets(cfg).Get("elevenlabs"));
    if (value) cfg.elevenlabs.api_key = *value;
    return {};
}

OpsCommands::OpsCommands(CLI::App& cli, const std::function<void(CLI::App*)>& add_common) {
    auto* backup = cli.add_subcommand("backup", "back up or restore a data folder");
    backup->require_subcommand(1);
    backup_create_ = backup->add_subcommand(
        "create", "copy the database (consistent while serving), media (from S3 when [storage] "
                  "s3_endpoint is set) and sealed secrets, with a SHA-256 manifest, into a folder "
                  "or an S3 bucket; prints the backup folder or URL");
    add_common(backup_create_);
    backup_create_->add_option("--to", to_,
                               "parent folder, or s3://bucket/prefix (S3 service from [backup] "
                               "s3_endpoint, else [storage]); default [backup] dir, else "
                               "DATA/backups");
    backup_create_->add_flag("--full", full_,
                             "copy every file (by default media unchanged since the newest "
                             "backup in the same place are hard-linked from it, or on S3 copied "
                             "inside the bucket, not uploaded again)");
    backup_restore_ = backup->add_subcommand(
        "restore", "verify a backup and restore it into --data (refused when that folder is not "
                   "empty, unless --force); media go into [storage]'s bucket when s3_endpoint is "
                   "set (it must be empty unless --force), else into DATA/media");
    add_common(backup_restore_);
    backup_restore_->add_option("backup", from_,
                                "the backup folder (beacon-backup-...), its URL "
                                "s3://bucket/prefix/beacon-backup-..., or s3://bucket/prefix "
                                "(the newest complete backup there)")
        ->required();
    backup_restore_->add_flag("--force", force_, "replace a non-empty data folder (kept beside it)");
    backup_verify_ = backup->add_subcommand("verify", "check a backup against its manifest");
    add_common(backup_verify_);
    backup_verify_->add_option("backup", from_, "the backup folder or s3:// URL")->required();

    cleanup_ = cli.add_subcommand(
        "cleanup", "remove orphaned media objects and old scratch files of finished jobs");
    add_common(cleanup_);
    cleanup_->add_flag("--dry-run", dry_run_, "only list what would be removed");
    cleanup_->add_option("--days", days_, "scratch older than this many days (default 7)")
        ->check(CLI::Range(0, 3650));

    auto* secret = cli.add_subcommand("secret", "service keys stored encrypted in the data folder");
    secret->require_subcommand(1);
    secret_set_ = secret->add_subcommand(
        "set", "store a key (read from the terminal without echo, or from stdin)");
    add_common(secret_set_);
    secret_set_->add_option("name", secret_name_, "elevenlabs")->required();
    secret_remove_ = secret->add_subcommand("remove", "forget a stored key");
    add_common(secret_remove_);
    secret_remove_->add_option("name", secret_name_, "elevenlabs")->required();
    secret_list_ = secret->add_subcommand("list", "names of the stored keys (never values)");
    add_common(secret_list_);
    secret_rotate_ = secret->add_subcommand(
        "rotate-key", "a new key file; every stored value is sealed again with it");
    add_common(secret_rotate_);
}

std::optional<int> OpsCommands::Run(const CommonOptions& common) {
    bool any = *backup_create_ || *backup_restore_ || *backup_verify_ || *cleanup_ ||
               *secret_set_ || *secret_remove_ || *secret_list_ ||
               *secret_rotate_;
    if (!any) return std::nullopt;
    if (*backup_verify_) {
        ops::BackupOptions verify_options;
        if (ops::IsS3Url(from_)) {
            auto c = LoadOpsConfig(common);
            if (!c.ok()) return Fail(c.error().message);
            verify_options = BackupOptionsFor(*c, false);
        }
        auto v = ops::VerifyBackup(from_, verify_options);
        if (!v.ok()) return Fail(v.error().message);
        std::cout << "ok: " << v->files << " files, " << HumanBytes(static_cast<double>(v->bytes))
                  << " match the manifest\n";
        return 0;
    }
    auto cfg = LoadOpsConfig(common);
    if (!cfg.ok()) return Fail(cfg.error().message);
    // [database] url: the PostgreSQL database goes into the backup as a pg_dump archive and is
    // restored with pg_restore into that (new, empty) database. [storage] s3_endpoint: the
    // media are read from (and restored into) that bucket.
    const ops::BackupOptions backup_options = BackupOptionsFor(*cfg, full_);
    if (*backup_create_) {
        auto made = ops::CreateBackup(cfg->data_dir, to_.empty() ? BackupDir(*cfg) : fs::path(to_),
                                      backup_options);
        if (!made.ok()) return Fail(made.error().message);
        std::cerr << "beacon: backed up " << made->files << " files ("
                  << HumanBytes(static_cast<double>(made->bytes)) << ")";
        if (made->linked_files > 0) {
            std::cerr << ", of which " << made->linked_files << " files ("
                      << HumanBytes(static_cast<double>(made->linked_bytes))
                      << ") unchanged since " << made->base.filename().string()
                      << (ops::IsS3Url(made->dir.string())
                              ? " were copied inside the bucket, not uploaded"
                              : " were linked, not copied");
        }
        std::cerr << "; the secret key file is "
                  << "not in backups: keep a copy of " << SecretKeyFile(*cfg).string() << "\n";
        std::cout << made->dir.string() << "\n";
        return 0;
    }
    if (*backup_restore_) {
        auto done = ops::RestoreBackup(from_, cfg->data_dir, force_, backup_options);
        if (!done.ok()) return Fail(done.error().message);
        std::cout << "restored " << done->files << " files ("
                  << HumanBytes(static_cast<double>(done->bytes)) << ") into "
                  << done->dir.string() << "\n";
        return 0;
    }
    if (*cleanup_) {
        auto report = ops::Cleanup(cfg->data_dir, days_, dry_run_);
        if (!report.ok()) return Fail(report.error().message);
        for (const auto& item : report->items) {
            std::cout << (dry_run_ ? "would remove " : "removed ") << item.path.string() << " ("
                      << HumanBytes(static_cast<double>(item.bytes)) << "): " << item.reason
                      << "\n";
        }
        std::cout << (dry_run_ ? "would free " : "freed ")
                  << HumanBytes(static_cast<double>(report->bytes)) << " in "
                  << report->items.size() << " place(s)\n";
        return 0;
    }
    if (*secret_rotate_) {
        auto n = Secrets(*cfg).RotateKey();
        if (!n.ok()) return Fail(n.error().message);
        std::cerr << "beacon: new key in " << SecretKeyFile(*cfg).string() << "; " << *n
                  << " stored value(s) sealed again (a running beacon serve reads the key on "
                     "each use). Old backups still need the old key.\n";
        return 0;
    }
    if (!ops::IsKnownSecret(secret_name_) && !*secret_list_) {
        return Fail("unknown secret '" + secret_name_ + "' (known: elevenlabs)");
    }
    auto store = Secrets(*cfg);
    if (*secret_set_) {
        auto value = ReadSecretLine("Value for " + secret_name_ + ": ");
        if (!value || value->empty()) return Fail("no value given on standard input");
        if (auto st = store.Set(secret_name_, *value); !st.ok()) return Fail(st.error().message);
        std::cerr << "beacon: " << secret_name_ << " stored encrypted in "
                  << (cfg->data_dir / "secrets.json").string() << " (key "
                  << SecretKeyFile(*cfg).string() << ")\n";
        return 0;
    }
    if (*secret_remove_) {
        if (auto st = store.Remove(secret_name_); !st.ok()) return Fail(st.error().message);
        return 0;
    }
    auto names = store.Names();
    if (!names.ok()) return Fail(names.error().message);
    for (const auto& n : *names) std::cout << n << "\n";
    return 0;
}

std::unique_ptr<OpsWiring> OpsWiring::Open(const config::Config& cfg, jobs::EventBus& events) {
    ops::OpsOptions o;
    o.data_dir = cfg.data_dir;
    o.metrics_token = cfg.metrics.token;
    o.jobs_per_day = cfg.quotas.jobs_per_day;
    o.database = cfg.database.url;  // on PostgreSQL: counts and quotas over every process's jobs
    o.nvidia_smi = cfg.metrics.nvidia_smi;
    o.history_db = storage::ModuleDbLocation(cfg.database.url,
                                             (cfg.data_dir / "ops_history.db").string());
    auto service = ops::OpsService::Open(o, events);
    if (!service.ok()) {
        std::cerr << "beacon: metrics and quotas are off: " << service.error().message << "\n";
        return nullptr;
    }
    std::unique_ptr<OpsWiring> w(new OpsWiring());
    w->cfg_ = cfg;
    w->ops_ = std::move(*service);
    {
        auto* cache = &w->ops_->registry().Add(
            "beacon_asset_cache_lookups_total",
            "Lookups in the pipeline's content-addressed asset cache (voices, pictures, finals) "
            "by result: hit (reused) or miss (made anew).",
            ops::MetricType::kCounter, {"result"});
        w->ops_->registry().AddCollector([cache] {
            auto c = pipeline::AssetCacheStats();
            cache->Set({"hit"}, static_cast<double>(c.hits));
            cache->Set({"miss"}, static_cast<double>(c.misses));
        });
    }
    w->ops_->StartSampling();
    if (cfg.backup.nightly) {
        w->nightly_ = std::jthread([c = cfg](std::stop_token stop) {
            std::mutex m;
            std::condition_variable_any cv;
            while (!stop.stop_requested()) {
                std::unique_lock lock(m);
                if (cv.wait_for(lock, stop, std::chrono::milliseconds(MillisUntil(c.backup.at)),
                                [] { return false; })) {
                    break;
                }
                if (stop.stop_requested()) break;
                auto made = ops::CreateBackup(c.data_dir, BackupDir(c), BackupOptionsFor(c, false));
                if (!made.ok()) {
                    std::cerr << "beacon: nightly backup failed: " << made.error().message << "\n";
                    continue;
                }
                std::cerr << "beacon: nightly backup " << made->dir.string() << "\n";
                if (ops::IsS3Url(BackupDir(c).string())) {
                    auto removed = ops::PruneS3Backups(BackupDir(c).string(), c.backup.keep_days,
                                                       std::chrono::system_clock::now(),
                                                       BackupOptionsFor(c, false));
                    if (!removed.ok()) {
                        std::cerr << "beacon: pruning old backups failed: "
                                  << removed.error().message << "\n";
                        continue;
                    }
                    for (const auto& old : *removed) {
                        std::cerr << "beacon: removed old backup " << old << "\n";
                    }
                    continue;
                }
                for (const auto& old : ops::PruneBackups(BackupDir(c), c.backup.keep_days,
                                                         std::chrono::system_clock::now())) {
                    std::cerr << "beacon: removed old backup " << old.string() << "\n";
                }
            }
        });
    }
    return w;
}

OpsWiring::~OpsWiring() = default;

void OpsWiring::WatchPools(const engines::Engines& engines) {
    if (!ops_) return;
    using T = ops::MetricType;
    auto& r = ops_->registry();
    const std::vector<std::string> labels{"service", "host"};
    auto* up = &r.Add("beacon_pool_host_up", "1 while the host is in rotation, 0 while it is out.",
                      T::kGauge, labels);
    auto* units = &r.Add("beacon_pool_host_work_done_total",
                         "Pictures (ComfyUI) or calls (Ollama) the host finished.", T::kCounter,
                         labels);
    auto* rate = &r.Add("beacon_pool_host_work_per_minute",
                        "Pictures (ComfyUI) or calls (Ollama) per minute over the last 5 minutes.",
                        T::kGauge, labels);
    auto* queued = &r.Add("beacon_pool_host_queue_depth",
                          "Pictures or calls sent to the host and not finished.", T::kGauge, labels);
    auto* slots = &r.Add("beacon_pool_host_slots", "Prompts or calls the host may hold at once.",
                         T::kGauge, labels);
    auto* switches = &r.Add("beacon_pool_host_checkpoint_switches_total",
                            "Times the host was given work for another checkpoint than its last.",
                            T::kCounter, labels);
    auto* failed = &r.Add("beacon_pool_host_failures_total", "Calls that failed on the host.",
                          T::kCounter, labels);
    auto* waiting = &r.Add("beacon_pool_waiting", "Pictures waiting in Beacon for a host.",
                           T::kGauge, {"service"});
    auto* engine_errors = &r.Add("beacon_engine_errors_total",
                                 "Engine calls that failed, by service and error class "
                                 "(timeout, unavailable, external_error, ...); canceled calls are not "
                                 "counted.",
                                 T::kCounter, {"service", "class"});
    r.AddCollector([&engines, engine_errors] {
        for (const auto& e : engines.errors().Snapshot()) {
            engine_errors->Set({e.service, e.error_class}, static_cast<double>(e.count));
        }
    });
    r.AddCollector([&engines, up, units, rate, queued, slots, switches, failed, waiting] {
        for (const auto& [service, pool] : engines.Pools()) {
            waiting->Set({service}, static_cast<double>(pool->Waiting()));
            for (const auto& st : pool->Status()) {
                const ops::LabelValues l{service, st.host};
                up->Set(l, st.up ? 1 : 0);
                units->Set(l, static_cast<double>(st.units));
                rate->Set(l, st.per_minute);
                queued->Set(l, st.queued_units);
                slots->Set(l, st.slots);
                switches->Set(l, static_cast<double>(st.model_switches));
                failed->Set(l, static_cast<double>(st.failed));
            }
        }
    });
    WatchGpuHosts(engines);
    ops_->AddSummaryPart("pools", [&engines] {
        core::Json out = core::Json::array();
        for (const auto& [service, pool] : engines.Pools()) {
            for (const auto& st : pool->Status()) {
                out.push_back({{"service", service},
                               {"host", st.host},
                               {"up", st.up},
                               {"done", st.units},
                               {"per_minute", st.per_minute},
                               {"queue_depth", st.queued_units},
                               {"slots", st.slots},
                               {"checkpoint_switches", st.model_switches},
                               {"checkpoint", st.model},
                               {"waiting", pool->Waiting()}});
            }
        }
        return out;
    });
}

void OpsWiring::WatchGpuHosts(const engines::Engines& engines) {
    if (cfg_.metrics.gpu_poll_seconds <= 0) return;
    const auto& o = engines.options();
    const auto urls = [](const std::vector<std::string>& hosts, const std::string& host) {
        return hosts.empty() ? std::vector<std::string>{host} : hosts;
    };
    // One client for the poller's thread (HttpClient is thread-safe and holds no connection);
    // shared by the probes, which live as long as the poller.
    auto http = std::make_shared<const engines::HttpClient>();
    const std::chrono::seconds interval(cfg_.metrics.gpu_poll_seconds);
    const auto timeout = std::min<std::chrono::milliseconds>(std::chrono::seconds(3), interval);
    std::vector<ops::GpuHostPoller::Target> targets;
    if (o.select.pictures == core::Engine::kComfyUi) {
        for (const auto& url : urls(o.comfyui.hosts, o.comfyui.host)) {
            targets.push_back({"comfyui", ops::HostLabel(url),
                               [http, url, timeout](std::stop_token stop)
                                   -> core::Result<ops::GpuHostFigures> {
                                   BEACON_TRY(devices, engines::FetchComfySystemStats(
                                                           *http, url, timeout, stop));
                                   ops::GpuHostFigures f;
                                   for (const auto& d : devices) {
                                       f.devices.push_back(
                                           {d.Label(), d.name, d.vram_total, d.vram_free});
                                   }
                                   return f;
                               }});
        }
    }
    const auto& s = o.select;
    if (s.script == core::Engine::kOllama || s.translation == core::Engine::kOllama ||
        s.entities == core::Engine::kOllama) {
        for (const auto& url : urls(o.ollama.hosts, o.ollama.host)) {
            targets.push_back({"ollama", ops::HostLabel(url),
                               [http, url, timeout](std::stop_token stop)
                                   -> core::Result<ops::GpuHostFigures> {
                                   BEACON_TRY(models,
                                              engines::FetchOllamaPs(*http, url, timeout, stop));
                                   ops::GpuHostFigures f;
                                   for (const auto& m : models) {
                                       f.models.push_back(
                                           {m.name, m.size, m.size_vram, m.expires_at});
                                   }
                                   return f;
                               }});
        }
    }
    if (targets.empty()) return;  // no remote engine: nothing is asked
    ops_->WatchGpuHosts(std::make_unique<ops::GpuHostPoller>(std::move(targets), interval));
}

void OpsWiring::WatchParties(const party::PartyService& parties) {
    if (!ops_) return;
    auto& r = ops_->registry();
    auto* members = &r.Add("beacon_party_members",
                           "Members connected to watch parties now, over all parties.",
                           ops::MetricType::kGauge);
    auto* count = &r.Add("beacon_parties", "Watch parties open now.", ops::MetricType::kGauge);
    r.AddCollector([&parties, members, count] {
        members->Set({}, static_cast<double>(parties.MemberCount()));
        count->Set({}, static_cast<double>(parties.PartyCount()));
    });
}

void OpsWiring::AddTo(server::ServerDeps& deps) {
    for (auto& r : ops::HttpRoutes(*ops_)) deps.routes.push_back(std::move(r));
    deps.on_request = [ops = ops_.get()](const server::Request& req, unsigned status,
                                         double seconds) {
        ops->ObserveRequest(req, status, seconds);
    };
    deps.admit_job = [ops = ops_.get()]() { return ops->AdmitJob(); };
}

void OpsWiring::Started(const server::Server& http) { ops_->SetRoutes(http.Routes()); }

core::Status OpsWiring::AdmitJobs(int jobs) { return ops_->AdmitJob(jobs); }

}  // namespace beacon::app
