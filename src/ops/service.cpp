#include "ops/service.hpp"

#include <algorithm>
#include <condition_variable>

#include "jobs/event_bus.hpp"
#include "server/http_types.hpp"
#include "server/router.hpp"
#include "server/server.hpp"
#include "storage/module_db.hpp"

namespace beacon::ops {

namespace fs = std::filesystem;
using core::Json;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char* kStates[] = {"queued",    "generating_script", "rendering_preview",
                                   "rendering_final", "composing", "completed",
                                   "failed",    "canceled"};

bool IsWorkingState(std::string_view s) {
    return s == "generating_script" || s == "rendering_preview" || s == "rendering_final" ||
           s == "composing";
}

bool IsTerminalState(std::string_view s) {
    return s == "completed" || s == "failed" || s == "canceled";
}

/// Bounded label values: known methods, route patterns, or a class for the rest.
std::string MethodLabel(std::string_view m) {
    for (const char* known : {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}) {
        if (m == known) return known;
    }
    return "other";
}

std::string RouteLabel(const server::Request& req, std::string_view pattern) {
    if (!pattern.empty()) return std::string(pattern);
    if (req.raw_path.starts_with("/api/")) return "unmatched_api";
    if (req.raw_path.starts_with("/live/")) return "/live/{path+}";
    if (req.raw_path.starts_with("/media/")) return "/media/{key+}";
    return "static";
}

std::int64_t NextUtcMidnightMs(std::int64_t now_ms) {
    constexpr std::int64_t kDay = 86400000;
    return (now_ms / kDay + 1) * kDay;
}

}  // namespace

/// The studio's database (SQLite beacon.db or PostgreSQL), read only: ModuleDb speaks both with
/// one set of statements and serialises its connection's use.
struct OpsService::Db {
    std::unique_ptr<storage::ModuleDb> db;
};

LivePath ClassifyLivePath(std::string_view p) {
    LivePath out;
    if (!p.starts_with("/live/")) return out;
    p.remove_prefix(6);
    auto slash = p.find('/');
    if (slash == std::string_view::npos || slash == 0) return out;
    std::string_view channel = p.substr(0, slash);
    std::string_view file = p.substr(p.rfind('/') + 1);
    auto ends = [&](std::string_view ext) { return file.ends_with(ext); };
    out.playlist = ends(".m3u8");
    out.segment = ends(".ts") || ends(".m4s") || ends(".aac") || ends(".mp4") || ends(".vtt");
    if (out.playlist || out.segment) out.channel = std::string(channel);
    return out;
}

core::Result<std::unique_ptr<OpsService>> OpsService::Open(OpsOptions options,
                                                           jobs::EventBus& events) {
    auto db = std::make_unique<Db>();
    std::string where = options.database;
    if (where.empty()) {
        fs::path file = options.data_dir / "beacon.db";
        if (!fs::exists(file)) return core::Error::NotFound("no database at " + file.string());
        where = file.string();
    }
    BEACON_TRY(opened_db, storage::ModuleDb::Open(where));
    db->db = std::move(opened_db);
    std::unique_ptr<HistoryStore> history;
    if (!options.history_db.empty()) {
        BEACON_TRY(opened, HistoryStore::Open(options.history_db));
        history = std::move(opened);
    }
    std::unique_ptr<OpsService> ops(new OpsService(std::move(options), events, std::move(db)));
    ops->history_store_ = std::move(history);
    return ops;
}

double OpsService::CompletedBetween(std::int64_t from_ms, std::int64_t to_ms) {
    auto t = db_->db->Query("SELECT count(*) FROM jobs WHERE status = 'completed' AND "
                            "updated_at >= ? AND updated_at < ?",
                            storage::Args().Add(from_ms).Add(to_ms));
    return t.ok() && !t->empty() ? static_cast<double>(t->Int(0, 0)) : 0;
}

OpsService::OpsService(OpsOptions options, jobs::EventBus& events, std::unique_ptr<Db> db)
    : options_(std::move(options)), events_(events), db_(std::move(db)) {
    auto& r = registry_;
    using T = MetricType;
    http_requests_ = &r.Add("beacon_http_requests_total",
                            "HTTP requests answered, by method, route pattern and status code.",
                            T::kCounter, {"method", "route", "status"});
    http_duration_ = &r.Add("beacon_http_request_duration_seconds",
                            "Time from dispatch to the reply being ready (bodies of files and "
                            "streams are sent after), by method and route pattern.",
                            T::kHistogram, {"method", "route"}, DurationBuckets());
    jobs_by_state_ = &r.Add("beacon_jobs", "Jobs in the database by state (every state listed).",
                            T::kGauge, {"state"});
    jobs_by_kind_ = &r.Add("beacon_jobs_by_kind",
                           "Jobs in the database by kind (generate, localize, import) and state.",
                           T::kGauge, {"kind", "state"});
    queue_oldest_ = &r.Add("beacon_queue_oldest_job_age_seconds",
                           "Age of the oldest queued job (0 when the queue is empty).", T::kGauge);
    jobs_finished_ = &r.Add("beacon_jobs_finished_total",
                            "Jobs this process saw end, by final state.", T::kCounter, {"state"});
    stage_duration_ = &r.Add("beacon_job_stage_duration_seconds",
                             "Time a job spent in each working stage (seen by this process).",
                             T::kHistogram, {"stage"}, JobDurationBuckets());
    job_duration_ = &r.Add("beacon_job_duration_seconds",
                           "Time from a job's creation to its completion (round trip).",
                           T::kHistogram, {}, JobDurationBuckets());
    disk_free_ = &r.Add("beacon_disk_free_bytes",
                        "Bytes available to Beacon on the data folder's file system.", T::kGauge);
    disk_total_ = &r.Add("beacon_disk_size_bytes", "Size of the data folder's file system.",
                         T::kGauge);
    data_bytes_ = &r.Add("beacon_storage_bytes",
                         "Bytes in the data folder by class (database, media, tmp); refreshed "
                         "at most once a minute.",
                         T::kGauge, {"class"});
    content_items_ = &r.Add("beacon_library_items", "Library items (not pending).", T::kGauge);
    live_segments_ = &r.Add("beacon_liveloop_segments_served_total",
                            "LiveLoop media segments served, by channel.", T::kCounter,
                            {"channel"});
    live_viewers_ = &r.Add("beacon_liveloop_viewers",
                           "Distinct players that fetched a channel's playlist in the last 30 s.",
                           T::kGauge, {"channel"});
    cpu_seconds_ = &r.Add("process_cpu_seconds_total", "Total user and system CPU time spent.",
                          T::kCounter);
    rss_bytes_ = &r.Add("process_resident_memory_bytes", "Resident memory size.", T::kGauge);
    open_fds_ = &r.Add("process_open_fds", "Open file descriptors.", T::kGauge);
    max_fds_ = &r.Add("process_max_fds", "Limit on open file descriptors.", T::kGauge);
    start_time_ = &r.Add("process_start_time_seconds",
                         "Start time of the process since the Unix epoch.", T::kGauge);
    gpu_util_ = &r.Add("beacon_gpu_utilization_ratio",
                       "GPU utilisation (0..1) as nvidia-smi reports it.", T::kGauge,
                       {"gpu", "name"});
    gpu_mem_used_ = &r.Add("beacon_gpu_memory_used_bytes", "GPU memory in use.", T::kGauge,
                           {"gpu", "name"});
    gpu_mem_total_ = &r.Add("beacon_gpu_memory_size_bytes", "GPU memory in all.", T::kGauge,
                            {"gpu", "name"});
    quota_used_ = &r.Add("beacon_quota_jobs_today", "Jobs created since 00:00 UTC.", T::kGauge);
    quota_limit_ = &r.Add("beacon_quota_jobs_per_day",
                          "The [quotas] jobs_per_day limit (absent when unlimited).", T::kGauge);

    qoe_ = std::make_unique<QoeMetrics>(r);

    r.AddCollector([this] { CollectDatabase(); });
    r.AddCollector([this] { CollectDisk(); });
    r.AddCollector([this] { CollectProcess(); });
    r.AddCollector([this] { CollectGpu(); });
    r.AddCollector([this] { CollectViewers(); });

    subscription_ = events_.Subscribe([this](const jobs::Event& e) {
        if (e.type == "job.updated") OnJobEvent(e.data);
        if (e.type == "content.updated" || e.type == "content.deleted") {
            std::lock_guard lock(mu_);
            data_bytes_at_ = {};  // media changed: walk again at the next scrape
        }
    });
}

OpsService::~OpsService() {
    events_.Unsubscribe(subscription_);
    if (sampler_.joinable()) {
        sampler_.request_stop();
        sampler_.join();
    }
}

void OpsService::OnJobEvent(const Json& job) {
    if (!job.is_object()) return;
    std::int64_t id = job.value("id", std::int64_t{0});
    std::string state = job.value("status", std::string());
    if (id == 0 || state.empty()) return;
    auto now = Clock::now();
    {
        std::lock_guard lock(mu_);
        auto it = jobs_.find(id);
        if (it != jobs_.end() && it->second.state == state) return;
        if (it != jobs_.end() && IsWorkingState(it->second.state)) {
            stage_duration_->Observe({it->second.state},
                                     std::chrono::duration<double>(now - it->second.since).count());
        }
        if (!IsTerminalState(state)) {
            jobs_[id] = JobTrack{state, now};
            return;
        }
        data_bytes_at_ = {};  // a job's files arrived or went: walk media again
        if (it != jobs_.end()) {
            jobs_finished_->Inc({state});
            jobs_.erase(it);
        }
    }
    if (state != "completed") return;
    // The round trip comes from the row (created_at → now), for jobs created anywhere. Outside
    // mu_: the request observer on network threads never waits for the database.
    auto t = db_->db->Query("SELECT created_at FROM jobs WHERE id = ?", storage::Args().Add(id));
    if (t.ok() && !t->empty()) {
        double rtt = static_cast<double>(core::NowMillis() - t->Int(0, 0)) / 1000.0;
        if (rtt >= 0) job_duration_->Observe({}, rtt);
    }
}

namespace {

/// Routes whose first and third segments are plain literals are indexed by method and those
/// two segments (nearly all of /api/v1/...), so a request tries a handful of patterns, not all.
std::string RouteKey(std::string_view method, std::string_view first, std::string_view third) {
    std::string k(method);
    k += '|';
    k += first;
    k += '|';
    k += third;
    return k;
}

bool Literal(const server::PatternSegment& s) { return s.name.empty() && !s.rest; }

}  // namespace

void OpsService::SetRoutes(const std::vector<server::RouteInfo>& routes) {
    routes_.clear();
    route_index_.clear();
    unindexed_.clear();
    for (const auto& r : routes) {
        auto parsed = server::ParsePattern(r.pattern);
        if (parsed) routes_.push_back({r.method, r.pattern, std::move(*parsed)});
    }
    for (std::size_t i = 0; i < routes_.size(); ++i) {
        const auto& p = routes_[i].parsed;
        bool rest_early = false;
        for (std::size_t j = 0; j < p.size() && j < 3; ++j) rest_early = rest_early || p[j].rest;
        if (!p.empty() && Literal(p[0]) && (p.size() < 3 || Literal(p[2])) && !rest_early) {
            route_index_[RouteKey(routes_[i].method, p[0].prefix,
                                  p.size() < 3 ? std::string_view() : std::string_view(p[2].prefix))]
                .push_back(i);
        } else {
            unindexed_.push_back(i);
        }
    }
}

std::string OpsService::PatternFor(const server::Request& req) const {
    std::string_view method = req.method == "HEAD" ? std::string_view("GET") : req.method;
    const ParsedRoute* best = nullptr;
    int best_score = -1;
    server::PathParams params;
    auto consider = [&](std::size_t i) {
        const auto& r = routes_[i];
        if (r.method != method) return;
        params.clear();
        int score = server::MatchPattern(r.parsed, req.segments, params);
        if (score > best_score) {
            best_score = score;
            best = &r;
        }
    };
    const auto& seg = req.segments;
    if (!seg.empty()) {
        auto it = route_index_.find(
            RouteKey(method, seg[0], seg.size() < 3 ? std::string_view() : std::string_view(seg[2])));
        if (it != route_index_.end()) {
            for (std::size_t i : it->second) consider(i);
        }
    }
    for (std::size_t i : unindexed_) consider(i);
    return best ? best->pattern : std::string();
}

void OpsService::ObserveRequest(const server::Request& req, unsigned status, double seconds) {
    // Runs on the network threads for every request. The route class is the one the server's
    // router matched (Request::route); patterns are matched here only for requests that never
    // reached the router or matched none. Label tuples are kept per thread: once a thread has
    // seen a label, observing it again allocates nothing.
    thread_local LabelValues labels(3), timing(2), channel(1);
    labels[0] = MethodLabel(req.method);
    if (!req.route.empty()) {
        labels[1].assign(req.route);
    } else {
        labels[1] = RouteLabel(req, PatternFor(req));
    }
    labels[2] = std::to_string(status);
    http_requests_->Inc(labels);
    timing[0] = labels[0];
    timing[1] = labels[1];
    http_duration_->Observe(timing, seconds);
    if (status != 200 && status != 206) return;  // only channels that exist get a label
    LivePath live = ClassifyLivePath(req.raw_path);
    if (live.channel.empty()) return;
    if (live.segment) {
        channel[0] = live.channel;
        live_segments_->Inc(channel);
    }
    if (live.playlist) {
        std::string who = req.client + "|" + req.Query("key") + "|" +
                          std::to_string(req.who.user_id);
        std::lock_guard lock(mu_);
        viewers_[live.channel][who] = Clock::now();
    }
}

void OpsService::CollectViewers() {
    auto cutoff = Clock::now() - std::chrono::seconds(30);
    std::lock_guard lock(mu_);
    live_viewers_->Clear();
    for (auto it = viewers_.begin(); it != viewers_.end();) {
        auto& who = it->second;
        std::erase_if(who, [&](const auto& kv) { return kv.second < cutoff; });
        live_viewers_->Set({it->first}, static_cast<double>(who.size()));
        it = who.empty() ? viewers_.erase(it) : std::next(it);
    }
}

void OpsService::CollectDatabase() {
    std::map<std::string, double> counts;                            // by state
    std::map<std::pair<std::string, std::string>, double> by_kind;  // (kind, state)
    double oldest_ms = 0, today = 0, items = 0;
    {
        auto& db = *db_->db;
        {
            // Databases made before job kinds existed have no kind column: all "generate".
            auto t = db.Query("SELECT status, kind, count(*) FROM jobs GROUP BY status, kind");
            if (!t.ok()) t = db.Query("SELECT status, 'generate', count(*) FROM jobs GROUP BY status");
            for (int r = 0; t.ok() && r < t->size(); ++r) {
                double n = static_cast<double>(t->Int(r, 2));
                counts[t->Text(r, 0)] += n;
                by_kind[{t->Text(r, 1), t->Text(r, 0)}] += n;
            }
        }
        std::int64_t now = core::NowMillis();
        if (auto t = db.Query("SELECT min(created_at) FROM jobs WHERE status = 'queued'");
            t.ok() && !t->empty() && !t->IsNull(0, 0)) {
            oldest_ms = static_cast<double>(now - t->Int(0, 0));
        }
        if (auto t = db.Query("SELECT count(*) FROM jobs WHERE created_at >= ?",
                              storage::Args().Add(NextUtcMidnightMs(now) - 86400000));
            t.ok() && !t->empty()) {
            today = static_cast<double>(t->Int(0, 0));
        }
        // (pending is 0/1 on SQLite, a boolean on PostgreSQL: NOT reads both.)
        if (auto t = db.Query("SELECT count(*) FROM content WHERE NOT pending"); t.ok() && !t->empty()) {
            items = static_cast<double>(t->Int(0, 0));
        }
    }
    for (const char* s : kStates) jobs_by_state_->Set({s}, counts[s]);
    jobs_by_kind_->Clear();
    for (const auto& [key, n] : by_kind) jobs_by_kind_->Set({key.first, key.second}, n);
    queue_oldest_->Set({}, std::max(0.0, oldest_ms / 1000.0));
    quota_used_->Set({}, today);
    if (options_.jobs_per_day > 0) quota_limit_->Set({}, options_.jobs_per_day);
    content_items_->Set({}, items);
}

std::string OpsService::RenderMetrics() { return registry_.Render(); }

core::Status OpsService::AdmitJob(int jobs) {
    if (options_.jobs_per_day <= 0) return {};
    std::int64_t now = core::NowMillis();
    std::int64_t reset = NextUtcMidnightMs(now);
    std::int64_t today = 0;
    {
        BEACON_TRY(t, db_->db->Query("SELECT count(*) FROM jobs WHERE created_at >= ?",
                                     storage::Args().Add(reset - 86400000)));
        if (!t.empty()) today = t.Int(0, 0);
    }
    jobs = std::max(1, jobs);
    if (today + jobs <= options_.jobs_per_day) return {};
    const std::string asked =
        jobs == 1 ? std::string()
                  : " for " + std::to_string(jobs) + " more (" +
                        std::to_string(std::max<std::int64_t>(0, options_.jobs_per_day - today)) +
                        " left)";
    core::Error e{core::ErrorCode::kRateLimited,
                  "the daily job quota is used up" + asked + " (" + std::to_string(today) + " of " +
                      std::to_string(options_.jobs_per_day) +
                      " jobs today, [quotas] jobs_per_day); it resets at 00:00 UTC, in " +
                      std::to_string((reset - now + 59999) / 60000) + " min"};
    e.retryable = true;
    e.retry_after = std::chrono::milliseconds(reset - now);
    return e;
}

void OpsService::SampleNow() {
    CollectDatabase();
    CollectDisk();
    CollectViewers();
    auto gpus = Gpus();
    HistoryPoint p;
    p.t = core::NowMillis();
    p.queued = jobs_by_state_->Value({"queued"});
    for (const char* s : kStates) {
        if (IsWorkingState(s)) p.running += jobs_by_state_->Value({s});
    }
    p.data_bytes = DataBytes();
    p.disk_free = disk_free_->Value({});
    p.disk_total = disk_total_->Value({});
    if (!gpus.empty()) {
        p.gpu_util = p.gpu_mem_used = p.gpu_mem_total = 0;
        for (const auto& g : gpus) {
            p.gpu_util += g.utilization / static_cast<double>(gpus.size());
            p.gpu_mem_used += g.memory_used_bytes;
            p.gpu_mem_total += g.memory_total_bytes;
        }
    }
    SampleGpuHosts(p);
    std::unique_lock lock(mu_);
    for (const auto& [channel, who] : viewers_) p.viewers += static_cast<double>(who.size());
    history_.push_back(p);
    while (history_.size() > options_.history_samples) history_.pop_front();
    lock.unlock();
    RecordHistory(p);
}

void OpsService::StartSampling() {
    if (sampler_.joinable()) return;
    sampler_ = std::jthread([this](std::stop_token stop) {
        std::mutex m;
        std::condition_variable_any cv;
        while (!stop.stop_requested()) {
            SampleNow();
            std::unique_lock lock(m);
            cv.wait_for(lock, stop, options_.sample_interval, [] { return false; });
        }
    });
}

void OpsService::AddSummaryPart(std::string key, std::function<Json()> part) {
    summary_parts_.emplace_back(std::move(key), std::move(part));
}

Json OpsService::Summary() {
    bool stale = false;
    {
        std::lock_guard lock(mu_);
        stale = history_.empty() ||
                core::NowMillis() - history_.back().t >=
                    std::chrono::duration_cast<std::chrono::milliseconds>(options_.sample_interval)
                        .count();
    }
    if (stale) SampleNow();
    Json out;
    out["now"] = core::NowMillis();
    Json states = Json::object();
    for (const char* s : kStates) states[s] = jobs_by_state_->Value({s});
    out["jobs"] = states;
    out["queue"] = {{"queued", jobs_by_state_->Value({"queued"})},
                    {"oldest_age_seconds", queue_oldest_->Value({})}};
    out["disk"] = {{"free_bytes", disk_free_->Value({})},
                   {"size_bytes", disk_total_->Value({})},
                   {"database_bytes", data_bytes_->Value({"database"})},
                   {"media_bytes", data_bytes_->Value({"media"})},
                   {"tmp_bytes", data_bytes_->Value({"tmp"})}};
    out["quota"] = {{"jobs_today", quota_used_->Value({})},
                    {"jobs_per_day", options_.jobs_per_day > 0 ? Json(options_.jobs_per_day)
                                                               : Json()}};
    Json gpus = Json::array();
    for (const auto& g : Gpus()) {
        gpus.push_back({{"index", g.index},
                        {"name", g.name},
                        {"utilization", g.utilization},
                        {"memory_used_bytes", g.memory_used_bytes},
                        {"memory_size_bytes", g.memory_total_bytes}});
    }
    out["gpus"] = gpus;
    // Round trips of the last 50 completed jobs (creation → last update), oldest first.
    Json rtts = Json::array();
    {
        auto t = db_->db->Query(
            "SELECT id, created_at, updated_at FROM (SELECT id, created_at, updated_at FROM jobs "
            "WHERE status = 'completed' ORDER BY updated_at DESC LIMIT 50) AS recent "
            "ORDER BY updated_at");
        for (int r = 0; t.ok() && r < t->size(); ++r) {
            rtts.push_back({{"job_id", t->Int(r, 0)},
                            {"finished_at", t->Int(r, 2)},
                            {"seconds", static_cast<double>(t->Int(r, 2) - t->Int(r, 1)) / 1000.0}});
        }
    }
    out["job_rtts"] = rtts;
    Json history = Json::array();
    {
        std::lock_guard lock(mu_);
        // At most 240 points: every n-th sample of the kept history.
        std::size_t step = std::max<std::size_t>(1, (history_.size() + 239) / 240);
        for (std::size_t i = history_.size() % step; i < history_.size(); i += step) {
            const auto& p = history_[i];
            Json point = {{"t", p.t},
                          {"queued", p.queued},
                          {"running", p.running},
                          {"data_bytes", p.data_bytes},
                          {"disk_free_bytes", p.disk_free},
                          {"viewers", p.viewers}};
            if (p.gpu_util >= 0) {
                point["gpu_utilization"] = p.gpu_util;
                point["gpu_memory_used_bytes"] = p.gpu_mem_used;
                point["gpu_memory_size_bytes"] = p.gpu_mem_total;
            }
            if (!p.labelled.empty()) point["gpu_hosts"] = p.labelled;
            history.push_back(point);
        }
    }
    out["history"] = history;
    for (const auto& [key, part] : summary_parts_) out[key] = part();
    return out;
}

}  // namespace beacon::ops
