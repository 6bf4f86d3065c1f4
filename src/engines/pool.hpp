#pragma once
/// Host pools: several ComfyUI (or Ollama) hosts behind one engine. Each host has its own slots
/// (concurrency); a call goes to the least-loaded host that is up and able to do it; a host that
/// stops answering is taken out of rotation and tried again after a growing back-off; a call whose
/// host fails is re-run on another host of the same service. When no host can do it the call
/// fails naming every host and what it said (never a fallback to another engine).
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stop_token>
#include <string>
#include <vector>

#include "engines/engines.hpp"

namespace beacon::engines {

/// What a pool knows about one host, for doctor, the engines panel and the dashboard.
struct HostStatus {
    std::string host;
    bool up = true;          // false: out of rotation until retry_at
    int slots = 1;
    int in_flight = 0;
    std::int64_t done = 0;    // calls that succeeded on this host
    std::int64_t failed = 0;  // calls that failed on this host (host or request failures)
    std::int64_t retry_at_ms = 0;  // steady-clock ms when a down host is tried again
    double per_minute = 0;    // successful calls per minute over this pool's life
    std::string last_error;
};

/// Chooses hosts. Thread-safe. Pure bookkeeping: knows nothing of HTTP.
class HostPool {
public:
    using Clock = std::function<std::chrono::steady_clock::time_point()>;
    struct Host {
        std::string name;
        int slots = 1;
    };
    explicit HostPool(std::vector<Host> hosts, Clock clock = nullptr,
                      std::chrono::milliseconds first_backoff = std::chrono::seconds(2),
                      std::chrono::milliseconds max_backoff = std::chrono::seconds(60));

    /// Takes a slot on the best host not in `exclude`: up hosts first (least loaded, then
    /// fewest failures); a down host only when every other candidate is down and its back-off
    /// has passed. Waits while candidates exist but all their slots are taken. nullopt when stop
    /// is requested or no candidate is left (all excluded).
    std::optional<std::size_t> Acquire(const std::set<std::size_t>& exclude, std::stop_token stop);
    /// Gives the slot back. host_down: the host did not answer (connection refused, timeout,
    /// 5xx): it leaves rotation with a doubled back-off. A success brings it back at once.
    void Release(std::size_t host, bool ok, bool host_down, const std::string& error = {});

    std::size_t size() const { return hosts_.size(); }
    const std::string& name(std::size_t i) const { return hosts_[i].name; }
    std::vector<HostStatus> Status() const;

private:
    struct State {
        std::string name;
        int slots = 1;
        int in_flight = 0;
        bool up = true;
        std::chrono::steady_clock::time_point retry_at{};
        std::chrono::milliseconds backoff{0};
        std::int64_t done = 0;
        std::int64_t failed = 0;
        std::string last_error;
    };
    std::chrono::steady_clock::time_point Now() const;

    mutable std::mutex mu_;
    std::condition_variable_any cv_;
    std::vector<State> hosts_;
    Clock clock_;
    std::chrono::milliseconds first_backoff_;
    std::chrono::milliseconds max_backoff_;
    std::chrono::steady_clock::time_point started_;
};

/// True when an error means the host itself is not answering (as opposed to the request being
/// refused by a healthy host).
bool IsHostDown(const core::Error& e);

/// Pictures from several hosts: `engines[i]` talks to host i (borrowed, same order as pool).
class PooledPictureEngine final : public PictureEngine {
public:
    PooledPictureEngine(std::vector<PictureEngine*> engines, HostPool& pool, std::string service)
        : engines_(std::move(engines)), pool_(pool), service_(std::move(service)) {}
    Result<PictureResult> Paint(const PictureRequest& req, const std::filesystem::path& out_dir,
                                const LogSink& log, std::stop_token stop) override;
    Provenance Describe() const override;

private:
    std::vector<PictureEngine*> engines_;
    HostPool& pool_;
    std::string service_;
};

/// Scripts from several hosts (Ollama).
class PooledScriptWriter final : public ScriptWriter {
public:
    PooledScriptWriter(std::vector<ScriptWriter*> writers, HostPool& pool, std::string service)
        : writers_(std::move(writers)), pool_(pool), service_(std::move(service)) {}
    Result<ScriptResult> Write(const ScriptRequest& req, const LogSink& log,
                               std::stop_token stop) override;
    Provenance Describe() const override;

private:
    std::vector<ScriptWriter*> writers_;
    HostPool& pool_;
    std::string service_;
};

/// Runs `call` on pool hosts until one succeeds: a failed host is excluded for this call and the
/// next candidate tried. The error, when all fail, names each host and its answer.
template <class T>
Result<T> RunOnPool(HostPool& pool, const std::string& service, const LogSink& log,
                    std::stop_token stop, const std::function<Result<T>(std::size_t)>& call) {
    std::set<std::size_t> tried;
    std::string why;
    bool retryable = false;
    for (;;) {
        auto host = pool.Acquire(tried, stop);
        if (!host) {
            if (stop.stop_requested()) return core::Error::Canceled(service + ": canceled");
            return core::Error{core::ErrorCode::kUnavailable,
                               "no " + service + " host could do it: " + why, retryable};
        }
        Result<T> r = call(*host);
        if (r.ok()) {
            pool.Release(*host, true, false);
            return r;
        }
        if (r.error().code == core::ErrorCode::kCanceled || stop.stop_requested()) {
            pool.Release(*host, false, false, r.error().message);
            return r;
        }
        bool down = IsHostDown(r.error());
        pool.Release(*host, false, down, r.error().message);
        retryable = retryable || r.error().retryable;
        why += (why.empty() ? "" : "; ") + pool.name(*host) + ": " + r.error().message;
        tried.insert(*host);
        if (tried.size() < pool.size() && log) {
            log(service + " host " + pool.name(*host) + " failed (" + r.error().message +
                "); trying another host");
        }
    }
}

}  // namespace beacon::engines
