#include "engines/pool.hpp"

#include <algorithm>
#include <limits>
#include <numeric>

namespace beacon::engines {

using SteadyClock = std::chrono::steady_clock;

HostPool::HostPool(std::vector<Host> hosts, HostPool::Clock clock,
                   std::chrono::milliseconds first_backoff, std::chrono::milliseconds max_backoff)
    : clock_(std::move(clock)), first_backoff_(first_backoff), max_backoff_(max_backoff) {
    for (auto& h : hosts) {
        State s;
        s.name = std::move(h.name);
        s.slots = std::max(1, h.slots);
        hosts_.push_back(std::move(s));
    }
    started_ = Now();
}

SteadyClock::time_point HostPool::Now() const { return clock_ ? clock_() : SteadyClock::now(); }

std::optional<std::size_t> HostPool::Acquire(const std::set<std::size_t>& exclude,
                                             std::stop_token stop) {
    std::unique_lock lock(mu_);
    for (;;) {
        if (stop.stop_requested()) return std::nullopt;
        const auto now = Now();
        std::optional<std::size_t> best;
        bool candidates = false;
        bool any_up = false;
        for (std::size_t i = 0; i < hosts_.size(); ++i) {
            if (exclude.contains(i)) continue;
            candidates = true;
            if (hosts_[i].up) any_up = true;
        }
        if (!candidates) return std::nullopt;
        std::optional<SteadyClock::time_point> earliest_retry;
        for (std::size_t i = 0; i < hosts_.size(); ++i) {
            if (exclude.contains(i)) continue;
            const State& h = hosts_[i];
            if (!h.up) {
                // Out of rotation: only when no up host remains, and only once its back-off passed.
                if (any_up) continue;
                if (h.retry_at > now) {
                    if (!earliest_retry || h.retry_at < *earliest_retry)
                        earliest_retry = h.retry_at;
                    continue;
                }
            }
            if (h.in_flight >= h.slots) continue;
            if (!best) {
                best = i;
                continue;
            }
            if (RanksBeforeLocked(i, *best)) best = i;
        }
        if (best) {
            ++hosts_[*best].in_flight;
            ++hosts_[*best].queued_units;
            hosts_[*best].taken.push_back(now);
            return best;
        }
        // Wait for a slot, a host coming back, or stop.
        std::stop_callback wake(stop, [this] { cv_.notify_all(); });
        if (earliest_retry && clock_ == nullptr) {
            cv_.wait_until(lock, *earliest_retry);
        } else {
            cv_.wait_for(lock, std::chrono::milliseconds(50));
        }
    }
}

void HostPool::Release(std::size_t host, bool ok, bool host_down, const std::string& error,
                       int units) {
    {
        std::lock_guard lock(mu_);
        State& h = hosts_.at(host);
        if (h.in_flight > 0) --h.in_flight;
        if (!h.taken.empty()) h.taken.pop_front();
        h.queued_units = std::max(0, h.queued_units - std::max(1, units));
        if (ok) {
            ++h.done;
            h.units += units;
            const auto now = Now();
            h.recent.emplace_back(now, units);
            while (!h.recent.empty() && now - h.recent.front().first > std::chrono::minutes(5)) {
                h.recent.pop_front();
            }
            h.up = true;
            h.backoff = std::chrono::milliseconds(0);
        } else {
            ++h.failed;
            h.last_error = error.substr(0, 300);
            if (host_down) {
                h.backoff =
                    h.backoff.count() == 0 ? first_backoff_ : std::min(max_backoff_, h.backoff * 2);
                h.up = false;
                h.retry_at = Now() + h.backoff;
            }
        }
    }
    cv_.notify_all();
}

bool HostPool::CanTakeLocked(std::size_t host, const std::set<std::size_t>& exclude,
                             SteadyClock::time_point now) const {
    const State& h = hosts_.at(host);
    if (exclude.contains(host) || h.in_flight >= h.slots) return false;
    if (h.up) return true;
    if (h.retry_at > now) return false;
    for (std::size_t i = 0; i < hosts_.size(); ++i) {
        if (i != host && !exclude.contains(i) && hosts_[i].up) return false;
    }
    return true;
}

bool HostPool::CanTake(std::size_t host, const std::set<std::size_t>& exclude) const {
    std::lock_guard lock(mu_);
    return CanTakeLocked(host, exclude, Now());
}

void HostPool::Take(std::size_t host, int units, const std::string& model) {
    std::lock_guard lock(mu_);
    State& h = hosts_.at(host);
    ++h.in_flight;
    h.taken.push_back(Now());
    h.queued_units += std::max(1, units);
    if (!model.empty() && model != h.model) {
        ++h.switches;
        h.model = model;
    }
}

std::string HostPool::Model(std::size_t host) const {
    std::lock_guard lock(mu_);
    return hosts_.at(host).model;
}

int HostPool::SlotsWithModel(const std::string& model, std::size_t except) const {
    std::lock_guard lock(mu_);
    int slots = 0;
    for (std::size_t i = 0; i < hosts_.size(); ++i) {
        if (i != except && hosts_[i].up && hosts_[i].model == model) slots += hosts_[i].slots;
    }
    return slots;
}

bool HostPool::Prefers(std::size_t a, std::size_t b) const {
    std::lock_guard lock(mu_);
    return RanksBeforeLocked(a, b);
}

bool HostPool::RanksBeforeLocked(std::size_t a, std::size_t b) const {
    const State& x = hosts_.at(a);
    const State& y = hosts_.at(b);
    const double lx = static_cast<double>(x.in_flight) / x.slots;
    const double ly = static_cast<double>(y.in_flight) / y.slots;
    if (lx != ly) return lx < ly;
    if (!x.taken.empty() && !y.taken.empty() && x.taken.front() != y.taken.front())
        return x.taken.front() < y.taken.front();
    if (x.failed != y.failed) return x.failed < y.failed;
    return a < b;
}

int HostPool::UpHosts() const {
    std::lock_guard lock(mu_);
    return static_cast<int>(
        std::count_if(hosts_.begin(), hosts_.end(), [](const State& h) { return h.up; }));
}

void HostPool::SetWaiting(std::size_t units) {
    std::lock_guard lock(mu_);
    waiting_ = units;
}

std::size_t HostPool::Waiting() const {
    std::lock_guard lock(mu_);
    return waiting_;
}

std::vector<HostStatus> HostPool::Status() const {
    std::lock_guard lock(mu_);
    std::vector<HostStatus> out;
    const auto now = Now();
    const double life_minutes =
        std::max(1.0 / 60, std::chrono::duration<double>(now - started_).count() / 60.0);
    const double minutes = std::min(5.0, life_minutes);
    for (const auto& h : hosts_) {
        HostStatus s;
        s.host = h.name;
        s.up = h.up;
        s.slots = h.slots;
        s.in_flight = h.in_flight;
        s.done = h.done;
        s.failed = h.failed;
        s.retry_at_ms = h.up ? 0
                             : std::chrono::duration_cast<std::chrono::milliseconds>(
                                   h.retry_at.time_since_epoch())
                                   .count();
        int recent = 0;
        for (const auto& [at, n] : h.recent) {
            if (now - at <= std::chrono::minutes(5)) recent += n;
        }
        s.per_minute = recent / minutes;
        s.units = h.units;
        s.queued_units = h.queued_units;
        s.model_switches = h.switches;
        s.model = h.model;
        s.last_error = h.last_error;
        out.push_back(std::move(s));
    }
    return out;
}

bool IsHostDown(const core::Error& e) {
    // Unavailable: connection refused/reset, 5xx, a dead socket; Timeout: no answer in time.
    return e.code == core::ErrorCode::kUnavailable || e.code == core::ErrorCode::kTimeout;
}

namespace {

/// A plain engine seen as a HostPainter: no model, no batches.
class SinglePainter final : public HostPainter {
public:
    explicit SinglePainter(PictureEngine& engine) : engine_(engine) {}
    Result<PictureResult> Paint(const PictureRequest& req, const std::filesystem::path& out_dir,
                                const LogSink& log, std::stop_token stop) override {
        return engine_.Paint(req, out_dir, log, stop);
    }
    Provenance Describe() const override { return engine_.Describe(); }
    std::string ModelFor(const PictureRequest&) const override { return {}; }
    std::string BatchKey(const PictureRequest&) const override { return {}; }
    int MaxBatch() const override { return 1; }
    std::vector<Result<PictureResult>> PaintBatch(const std::vector<PictureRequest>& reqs,
                                                  const std::vector<std::filesystem::path>& dirs,
                                                  const LogSink& log,
                                                  std::stop_token stop) override {
        std::vector<Result<PictureResult>> out;
        for (std::size_t i = 0; i < reqs.size(); ++i) {
            out.push_back(engine_.Paint(reqs[i], dirs[i], log, stop));
        }
        return out;
    }

private:
    PictureEngine& engine_;
};

constexpr auto kLackForgotten = std::chrono::minutes(1);
/// How long a canceled Paint() waits for its stopped prompt to leave the host (the engine's
/// queue delete and interrupt calls take 3 s each at most).
constexpr auto kCancelWait = std::chrono::seconds(10);

}  // namespace

/// One picture waiting for, or on, a host. Shared between the Paint() call that waits for it and
/// the worker thread that paints it: a canceled Paint() returns at once and leaves the worker
/// the last owner.
struct PooledPictureEngine::Item {
    enum class State { kWaiting, kRunning, kDone };
    PictureRequest req;
    std::filesystem::path out_dir;
    std::string model;
    std::string key;
    std::uint64_t seq = 0;
    State state = State::kWaiting;
    std::set<std::size_t> tried;
    std::string why;
    bool retryable = false;
    std::optional<Result<PictureResult>> result;
    // The job's log: used only while the caller waits (log_mu guards abandoned and each call).
    LogSink log;
    std::mutex log_mu;
    bool abandoned = false;
    // The prompt this picture is in: stopped when every picture in it was canceled.
    std::shared_ptr<std::stop_source> group_stop;
    std::shared_ptr<int> group_live;  // pictures of the prompt still wanted (mu_ guards)
    void Say(const std::string& line) {
        std::lock_guard lock(log_mu);
        if (!abandoned && log) log(line);
    }
};

PooledPictureEngine::PooledPictureEngine(std::vector<PictureEngine*> engines, HostPool& pool,
                                         std::string service)
    : engines_(std::move(engines)), pool_(pool), service_(std::move(service)) {
    for (PictureEngine* e : engines_) {
        if (auto* p = dynamic_cast<HostPainter*>(e)) {
            painters_.push_back(p);
        } else {
            adapters_.push_back(std::make_unique<SinglePainter>(*e));
            painters_.push_back(adapters_.back().get());
        }
    }
    lacks_.resize(engines_.size());
    for (std::size_t h = 0; h < engines_.size() && h < pool_.size(); ++h) {
        const int slots = pool_.Status()[h].slots;
        for (int s = 0; s < slots; ++s) {
            workers_.emplace_back([this, h](std::stop_token stop) { Work(stop, h); });
        }
    }
}

PooledPictureEngine::~PooledPictureEngine() {
    for (auto& w : workers_) w.request_stop();
    cv_.notify_all();
    workers_.clear();
}

bool PooledPictureEngine::Lacks(std::size_t host, const std::string& model) const {
    auto it = lacks_[host].find(model);
    return it != lacks_[host].end() &&
           std::chrono::steady_clock::now() - it->second.at < kLackForgotten;
}

std::vector<std::shared_ptr<PooledPictureEngine::Item>> PooledPictureEngine::PickFor(
    std::size_t host) {
    std::vector<std::shared_ptr<Item>> candidates;
    for (const auto& item : waiting_) {
        if (item->tried.contains(host) || Lacks(host, item->model)) continue;
        if (!pool_.CanTake(host, item->tried)) continue;
        candidates.push_back(item);
    }
    if (candidates.empty()) return {};
    // Which model: the one loaded here; else one no other host has loaded; else another host's
    // model only when more wait for it than twice the slots that have it loaded.
    const std::string loaded = pool_.Model(host);
    std::optional<std::string> model;
    for (const auto& c : candidates) {
        if (c->model == loaded) {
            model = loaded;
            break;
        }
    }
    if (!model) {
        for (const auto& c : candidates) {
            if (loaded.empty() || pool_.SlotsWithModel(c->model, host) == 0) {
                model = c->model;
                break;
            }
        }
    }
    if (!model) {
        const std::string& m = candidates.front()->model;
        const auto backlog = std::count_if(waiting_.begin(), waiting_.end(),
                                           [&](const auto& i) { return i->model == m; });
        if (backlog > 2 * pool_.SlotsWithModel(m, host)) model = m;
    }
    if (!model) return {};
    // Another free host as placed for this work that ranks first takes it (its worker was woken
    // too): least loaded, then fewest failures, then the order of the hosts.
    for (const auto& c : candidates) {
        if (c->model != *model) continue;
        for (std::size_t j = 0; j < painters_.size(); ++j) {
            if (j == host || Lacks(j, *model) || !pool_.CanTake(j, c->tried)) continue;
            if (pool_.Model(j) == loaded && pool_.Prefers(j, host)) return {};
        }
        break;
    }
    // The oldest picture of that model, and those that may share its prompt.
    std::vector<std::shared_ptr<Item>> group;
    for (const auto& c : candidates) {
        if (c->model != *model) continue;
        if (group.empty()) {
            group.push_back(c);
            continue;
        }
        if (!group.front()->key.empty() && c->key == group.front()->key) group.push_back(c);
    }
    // A fair share: a batch does not take what another up host could paint meanwhile.
    const int up = std::max(1, pool_.UpHosts());
    const int share = static_cast<int>((group.size() + static_cast<std::size_t>(up) - 1) /
                                       static_cast<std::size_t>(up));
    const int n =
        std::max(1, std::min({painters_[host]->MaxBatch(), share, static_cast<int>(group.size())}));
    group.resize(static_cast<std::size_t>(n));
    auto stop = std::make_shared<std::stop_source>();
    auto live = std::make_shared<int>(n);
    for (const auto& g : group) {
        g->state = Item::State::kRunning;
        g->group_stop = stop;
        g->group_live = live;
        std::erase(waiting_, g);
    }
    pool_.Take(host, n, *model);
    pool_.SetWaiting(waiting_.size());
    return group;
}

void PooledPictureEngine::Requeue(const std::shared_ptr<Item>& item, std::size_t host,
                                  const core::Error& e) {
    item->tried.insert(host);
    item->retryable = item->retryable || e.retryable;
    item->why += (item->why.empty() ? "" : "; ") + pool_.name(host) + ": " + e.message;
    if (e.code == core::ErrorCode::kNotFound) {
        lacks_[host][item->model] = Lack{std::chrono::steady_clock::now(), e.message};
    }
    // Hosts left: not tried for this picture and not known to lack its model.
    bool left = false;
    for (std::size_t h = 0; h < painters_.size(); ++h) {
        if (item->tried.contains(h)) continue;
        if (Lacks(h, item->model)) {
            const std::string& why = lacks_[h][item->model].why;
            if (item->why.find(why) == std::string::npos) {
                item->why += "; " + pool_.name(h) + ": " + why;
            }
            continue;
        }
        left = true;
    }
    if (!left) {
        item->state = Item::State::kDone;
        item->result = Result<PictureResult>(
            core::Error{core::ErrorCode::kUnavailable,
                        "no " + service_ + " host could do it: " + item->why, item->retryable});
        return;
    }
    item->Say(service_ + " host " + pool_.name(host) + " failed (" + e.message +
              "); trying another host");
    item->state = Item::State::kWaiting;
    item->group_stop.reset();
    item->group_live.reset();
    // Back in its place by age: it has waited longest.
    auto at = std::find_if(waiting_.begin(), waiting_.end(),
                           [&](const auto& w) { return w->seq > item->seq; });
    waiting_.insert(at, item);
    pool_.SetWaiting(waiting_.size());
}

void PooledPictureEngine::Work(std::stop_token stop, std::size_t host) {
    std::unique_lock lock(mu_);
    while (!stop.stop_requested()) {
        auto group = PickFor(host);
        if (group.empty()) {
            const auto seen = epoch_;
            // A down host's back-off ends without an event: look again after a while.
            cv_.wait_for(lock, stop, std::chrono::milliseconds(200),
                         [&] { return epoch_ != seen; });
            continue;
        }
        std::vector<PictureRequest> reqs;
        std::vector<std::filesystem::path> dirs;
        for (const auto& g : group) {
            reqs.push_back(g->req);
            dirs.push_back(g->out_dir);
        }
        auto group_stop = group.front()->group_stop;
        lock.unlock();
        std::stop_callback on_shutdown(stop, [&] { group_stop->request_stop(); });
        LogSink say = [&group](const std::string& line) {
            for (const auto& g : group) g->Say(line);
        };
        auto results = painters_[host]->PaintBatch(reqs, dirs, say, group_stop->get_token());
        lock.lock();
        int ok = 0;
        std::optional<core::Error> failure;
        for (std::size_t i = 0; i < group.size(); ++i) {
            Result<PictureResult>& r = results.at(i);
            if (r.ok()) {
                ++ok;
                r->provenance.parameters["host"] = pool_.name(host);
            } else if (!failure) {
                failure = r.error();
            }
        }
        const bool down = ok == 0 && failure && IsHostDown(*failure);
        pool_.Release(host, ok > 0, down, failure ? failure->message : std::string(),
                      ok > 0 ? ok : static_cast<int>(group.size()));
        for (std::size_t i = 0; i < group.size(); ++i) {
            const auto& item = group[i];
            Result<PictureResult>& r = results.at(i);
            if (item->abandoned) {  // canceled: nobody reads the result
                item->state = Item::State::kDone;
                continue;
            }
            const bool canceled = !r.ok() && (r.error().code == core::ErrorCode::kCanceled ||
                                              group_stop->stop_requested());
            if (r.ok() || canceled) {
                item->state = Item::State::kDone;
                item->result = std::move(r);
            } else {
                Requeue(item, host, r.error());
            }
        }
        ++epoch_;
        cv_.notify_all();
    }
}

Result<PictureResult> PooledPictureEngine::Paint(const PictureRequest& req,
                                                 const std::filesystem::path& out_dir,
                                                 const LogSink& log, std::stop_token stop) {
    if (painters_.empty()) return core::Error::Invalid(service_ + ": no hosts");
    auto item = std::make_shared<Item>();
    item->req = req;
    item->out_dir = out_dir;
    item->log = log;
    item->model = painters_.front()->ModelFor(req);
    item->key = painters_.front()->BatchKey(req);
    std::unique_lock lock(mu_);
    item->seq = next_seq_++;
    // Every host known to lack the model: fail now, naming them.
    bool any = false;
    for (std::size_t h = 0; h < painters_.size(); ++h) {
        if (!Lacks(h, item->model)) {
            any = true;
        } else {
            item->why +=
                (item->why.empty() ? "" : "; ") + pool_.name(h) + ": " + lacks_[h][item->model].why;
        }
    }
    if (!any) {
        return core::Error{core::ErrorCode::kNotFound,
                           "no " + service_ + " host could do it: " + item->why, false};
    }
    waiting_.push_back(item);
    pool_.SetWaiting(waiting_.size());
    ++epoch_;
    cv_.notify_all();
    cv_.wait(lock, stop, [&] { return item->state == Item::State::kDone; });
    if (item->state == Item::State::kDone) return std::move(*item->result);
    // Canceled: out of the queue now; a prompt already sent is interrupted once none of its
    // pictures is wanted.
    {
        std::lock_guard log_lock(item->log_mu);
        item->abandoned = true;
    }
    if (item->state == Item::State::kWaiting) {
        std::erase(waiting_, item);
        pool_.SetWaiting(waiting_.size());
    } else if (item->group_live && --*item->group_live == 0) {
        // Nobody wants this prompt any more: stop it and wait (bounded) until the host's
        // engine has taken it out of the host's queue or interrupted it, so that a canceled
        // job leaves no work behind on the GPU once its cancel is done.
        item->group_stop->request_stop();
        cv_.wait_for(lock, kCancelWait, [&] { return item->state == Item::State::kDone; });
    }
    return core::Error::Canceled(service_ + ": canceled");
}

Provenance PooledPictureEngine::Describe() const {
    Provenance p = engines_.front()->Describe();
    Json hosts = Json::array();
    for (std::size_t i = 0; i < pool_.size(); ++i) hosts.push_back(pool_.name(i));
    p.parameters["hosts"] = hosts;
    return p;
}

Result<ScriptResult> PooledScriptWriter::Write(const ScriptRequest& req, const LogSink& log,
                                               std::stop_token stop) {
    std::function<Result<ScriptResult>(std::size_t)> call = [&](std::size_t i) {
        return writers_.at(i)->Write(req, log, stop);
    };
    return RunOnPool<ScriptResult>(pool_, service_, log, stop, call);
}

Provenance PooledScriptWriter::Describe() const {
    Provenance p = writers_.front()->Describe();
    Json hosts = Json::array();
    for (std::size_t i = 0; i < pool_.size(); ++i) hosts.push_back(pool_.name(i));
    p.parameters["hosts"] = hosts;
    return p;
}

}  // namespace beacon::engines
