#include "engines/pool.hpp"

#include <algorithm>
#include <limits>

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
                    if (!earliest_retry || h.retry_at < *earliest_retry) earliest_retry = h.retry_at;
                    continue;
                }
            }
            if (h.in_flight >= h.slots) continue;
            if (!best) {
                best = i;
                continue;
            }
            const State& b = hosts_[*best];
            // Least loaded by share of slots in use, then fewest failures, then order.
            double load = static_cast<double>(h.in_flight) / h.slots;
            double best_load = static_cast<double>(b.in_flight) / b.slots;
            if (load < best_load || (load == best_load && h.failed < b.failed)) best = i;
        }
        if (best) {
            ++hosts_[*best].in_flight;
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

void HostPool::Release(std::size_t host, bool ok, bool host_down, const std::string& error) {
    {
        std::lock_guard lock(mu_);
        State& h = hosts_.at(host);
        if (h.in_flight > 0) --h.in_flight;
        if (ok) {
            ++h.done;
            h.up = true;
            h.backoff = std::chrono::milliseconds(0);
        } else {
            ++h.failed;
            h.last_error = error.substr(0, 300);
            if (host_down) {
                h.backoff = h.backoff.count() == 0 ? first_backoff_
                                                   : std::min(max_backoff_, h.backoff * 2);
                h.up = false;
                h.retry_at = Now() + h.backoff;
            }
        }
    }
    cv_.notify_all();
}

std::vector<HostStatus> HostPool::Status() const {
    std::lock_guard lock(mu_);
    std::vector<HostStatus> out;
    const auto now = Now();
    double minutes =
        std::max(1.0 / 60, std::chrono::duration<double>(now - started_).count() / 60.0);
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
        s.per_minute = static_cast<double>(h.done) / minutes;
        s.last_error = h.last_error;
        out.push_back(std::move(s));
    }
    return out;
}

bool IsHostDown(const core::Error& e) {
    // Unavailable: connection refused/reset, 5xx, a dead socket; Timeout: no answer in time.
    return e.code == core::ErrorCode::kUnavailable || e.code == core::ErrorCode::kTimeout;
}

Result<PictureResult> PooledPictureEngine::Paint(const PictureRequest& req,
                                                 const std::filesystem::path& out_dir,
                                                 const LogSink& log, std::stop_token stop) {
    std::function<Result<PictureResult>(std::size_t)> call = [&](std::size_t i) {
        auto r = engines_.at(i)->Paint(req, out_dir, log, stop);
        if (r.ok()) r->provenance.parameters["host"] = pool_.name(i);
        return r;
    };
    return RunOnPool<PictureResult>(pool_, service_, log, stop, call);
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
