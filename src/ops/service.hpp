#pragma once
/// Beacon's operational view: the metrics it exposes (GET /metrics), the dashboard summary
/// (GET /api/v1/ops/summary) with a coarse in-memory history, and the daily job quota.
/// Reads the database through a connection of its own (aggregate queries the core Database
/// interface has no use for), the process from /proc, the GPU from nvidia-smi when present.
#include <chrono>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "core/model.hpp"
#include "core/result.hpp"
#include "ops/gpu_hosts.hpp"
#include "ops/history.hpp"
#include "ops/metrics.hpp"
#include "ops/qoe.hpp"

namespace beacon::jobs {
class EventBus;
}
namespace beacon::server {
struct Request;
struct RouteInfo;
struct PatternSegment;
}

namespace beacon::ops {

struct OpsOptions {
    std::filesystem::path data_dir;  // holds beacon.db, media/, tmp/
    /// Bearer token that may read /metrics besides signed-in users; "" = users only.
    std::string metrics_token;
    /// Jobs accepted per UTC day (all users together); 0 = no limit.
    int jobs_per_day = 0;
    /// The nvidia-smi program; "" or not found = no GPU series.
    std::string nvidia_smi = "nvidia-smi";
    /// How often the dashboard history is sampled, and how many samples are kept.
    std::chrono::seconds sample_interval{15};
    std::size_t history_samples = 24 * 60 * 4;  // 24 h at 15 s
    /// Where the dashboard history is kept across restarts (ops/history.hpp): a SQLite file or a
    /// postgresql:// URL; "" = in memory only.
    std::string history_db;
    /// The studio's database the job and library counts are read from: a postgresql:// URL
    /// ([database] url), or "" for <data_dir>/beacon.db.
    std::string database;
};

/// One GPU as nvidia-smi reports it.
struct GpuSample {
    std::string index;
    std::string name;
    double utilization = 0;  // 0..1
    double memory_used_bytes = 0;
    double memory_total_bytes = 0;
};
/// Parses `nvidia-smi --query-gpu=index,name,utilization.gpu,memory.used,memory.total
/// --format=csv,noheader,nounits` output (MiB, percent). Lines that do not parse are skipped.
std::vector<GpuSample> ParseNvidiaSmi(std::string_view csv);

/// The live-channel part of a request path: "/live/<channel>/..." → channel and whether it is a
/// media segment (.ts/.m4s/.aac/.mp4/.vtt) or a playlist (.m3u8). Empty channel otherwise.
struct LivePath {
    std::string channel;
    bool segment = false;
    bool playlist = false;
};
LivePath ClassifyLivePath(std::string_view raw_path);

class OpsService {
public:
    /// Opens its own database connection (the file must exist: `beacon serve` has opened it) and
    /// subscribes to job events. `events` must outlive the service.
    static core::Result<std::unique_ptr<OpsService>> Open(OpsOptions options,
                                                         jobs::EventBus& events);
    ~OpsService();
    OpsService(const OpsService&) = delete;
    OpsService& operator=(const OpsService&) = delete;

    /// The server's route table: requests are counted by the pattern they match (never by
    /// their path). Call once, before requests arrive.
    void SetRoutes(const std::vector<server::RouteInfo>& routes);
    /// Counts one answered HTTP request (ServerDeps::on_request; cheap, never blocks).
    void ObserveRequest(const server::Request& req, unsigned status, double seconds);
    /// The most specific route pattern `req` matches; "" when none.
    std::string PatternFor(const server::Request& req) const;
    /// The Prometheus exposition text of every series.
    std::string RenderMetrics();
    /// The dashboard's JSON: now, queue, jobs by state, disk, GPUs, recent job RTTs, history.
    core::Json Summary();
    /// Ok when `jobs` more jobs may be queued today (a batch asks for all of its items at once);
    /// RateLimited (429, retry_after = until the next UTC midnight) when they would go beyond
    /// [quotas] jobs_per_day.
    core::Status AdmitJob(int jobs = 1);
    /// Takes one history sample now (the background thread does this every sample_interval).
    void SampleNow();
    /// GET /api/v1/ops/history: the kept series (comma-separated names; "" = all) over `range`
    /// ("1h", "6h", "24h" (default), "7d", "30d"). kInvalidArgument for an unknown name or
    /// range, kUnavailable when no history database is kept.
    core::Result<core::Json> History(std::string_view series, std::string_view range);
    /// Starts the sampling thread (history and GPU). Stops with the service.
    void StartSampling();
    /// Adds `key` to the dashboard's summary, filled by `part` at each request (another
    /// module's figures, e.g. the picture hosts). Call before requests arrive.
    void AddSummaryPart(std::string key, std::function<core::Json()> part);
    /// Takes the remote GPU hosts' poller and starts it (when it has hosts): their last figures
    /// go into /metrics (beacon_gpu_host_up, beacon_gpu_memory_{total,free}_bytes,
    /// beacon_ollama_loaded_model{,_vram}_bytes, beacon_ollama_loaded_models), the summary
    /// ("gpu_hosts") and the history (LabelledHistorySeries). Call once, before requests arrive.
    void WatchGpuHosts(std::unique_ptr<GpuHostPoller> poller);

    const OpsOptions& options() const { return options_; }
    Registry& registry() { return registry_; }
    /// The web players' QoE reports (POST /api/v1/qoe).
    QoeMetrics& qoe() { return *qoe_; }

private:
    struct Db;
    struct HistoryPoint {
        std::int64_t t = 0;  // unix ms
        double queued = 0, running = 0, data_bytes = 0, disk_free = 0, disk_total = 0;
        double gpu_util = -1, gpu_mem_used = -1, gpu_mem_total = -1;  // -1: no GPU
        double viewers = 0;
        std::map<std::string, double> labelled;  // remote GPU series (LabelledHistorySeries)
    };

    OpsService(OpsOptions options, jobs::EventBus& events, std::unique_ptr<Db> db);
    void OnJobEvent(const core::Json& job);
    void RecordHistory(const HistoryPoint& p);  // into history_store_ (service_history.cpp)
    double CompletedBetween(std::int64_t from_ms, std::int64_t to_ms);  // jobs rows
    void CollectDatabase();
    void CollectDisk();
    void CollectProcess();
    void CollectGpu();
    void CollectViewers();
    void CollectGpuHosts();
    void SampleGpuHosts(HistoryPoint& p);
    std::vector<GpuSample> Gpus();
    double DataBytes();  // cached for a minute (walks media/)

    OpsOptions options_;
    jobs::EventBus& events_;
    std::unique_ptr<Db> db_;
    std::uint64_t subscription_ = 0;
    Registry registry_;
    Family* http_requests_;
    Family* http_duration_;
    Family* jobs_by_state_;
    Family* jobs_by_kind_;
    Family* queue_oldest_;
    Family* jobs_finished_;
    Family* stage_duration_;
    Family* job_duration_;
    Family* disk_free_;
    Family* disk_total_;
    Family* data_bytes_;
    Family* content_items_;
    Family* live_segments_;
    Family* live_viewers_;
    Family* cpu_seconds_;
    Family* rss_bytes_;
    Family* open_fds_;
    Family* max_fds_;
    Family* start_time_;
    Family* gpu_util_;
    Family* gpu_mem_used_;
    Family* gpu_mem_total_;
    Family* quota_used_;
    Family* quota_limit_;
    std::unique_ptr<QoeMetrics> qoe_;
    std::unique_ptr<HistoryStore> history_store_;  // null: history in memory only
    std::int64_t history_recorded_at_ = 0;         // unix ms of the last sample stored (mu_)
    std::int64_t history_compacted_at_ = 0;        // (mu_)

    struct ParsedRoute {
        std::string method;
        std::string pattern;
        std::vector<server::PatternSegment> parsed;
    };
    std::vector<ParsedRoute> routes_;
    std::unordered_map<std::string, std::vector<std::size_t>> route_index_;  // see SetRoutes
    std::vector<std::size_t> unindexed_;

    std::mutex walk_mu_;  // one DataBytes walk at a time
    std::mutex mu_;
    struct JobTrack {
        std::string state;
        std::chrono::steady_clock::time_point since;
    };
    std::unordered_map<std::int64_t, JobTrack> jobs_;  // non-terminal jobs seen in events
    // channel → viewer key (address + credential) → last playlist fetch
    std::map<std::string, std::map<std::string, std::chrono::steady_clock::time_point>> viewers_;
    std::deque<HistoryPoint> history_;
    std::vector<GpuSample> gpus_;
    std::chrono::steady_clock::time_point gpus_at_{};
    double data_bytes_cached_ = 0;
    std::chrono::steady_clock::time_point data_bytes_at_{};
    std::vector<std::pair<std::string, std::function<core::Json()>>> summary_parts_;
    std::unique_ptr<GpuHostPoller> gpu_hosts_;  // null: no remote GPU host watched
    Family* gpu_host_up_ = nullptr;
    Family* gpu_host_total_ = nullptr;
    Family* gpu_host_free_ = nullptr;
    Family* ollama_model_bytes_ = nullptr;
    Family* ollama_model_vram_ = nullptr;
    Family* ollama_models_ = nullptr;
    std::jthread sampler_;  // last: stops first
};

}  // namespace beacon::ops
