#pragma once
/// Host pools: several ComfyUI (or Ollama) hosts behind one engine. Each host has its own slots
/// (concurrency); a call goes to the least-loaded host that is up and able to do it; a host that
/// stops answering is taken out of rotation and tried again after a growing back-off; a call whose
/// host fails is re-run on another host of the same service. When no host can do it the call
/// fails naming every host and what it said (never a fallback to another engine).
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stop_token>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "engines/engines.hpp"

namespace beacon::engines {

/// What a pool knows about one host, for doctor, the engines panel and the dashboard.
struct HostStatus {
    std::string host;
    bool up = true;  // false: out of rotation until retry_at
    int slots = 1;
    int in_flight = 0;
    std::int64_t done = 0;         // calls that succeeded on this host
    std::int64_t failed = 0;       // calls that failed on this host (host or request failures)
    std::int64_t retry_at_ms = 0;  // steady-clock ms when a down host is tried again
    /// Work units (pictures) finished per minute over the last 5 minutes (or the pool's life
    /// when younger). A ComfyUI prompt with a batch latent counts each of its pictures.
    double per_minute = 0;
    std::int64_t units = 0;  // work units (pictures) finished on this host
    int queued_units = 0;    // work units in the prompts sent to it and not finished
    std::int64_t model_switches =
        0;              // times a call needed another model than the last (first load too)
    std::string model;  // the model (checkpoint) its last call needed; "" if none yet
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
    void Release(std::size_t host, bool ok, bool host_down, const std::string& error = {},
                 int units = 1);

    /// For schedulers that choose work per host (PooledPictureEngine): whether `host` may take
    /// a call for work that has already failed on `exclude`: a free slot, and up, or down with
    /// its back-off passed while no other host outside `exclude` is up (Acquire's rules).
    bool CanTake(std::size_t host, const std::set<std::size_t>& exclude) const;
    /// Takes a slot on `host` for a call of `units` work units that needs `model` loaded
    /// (counted as a switch when it differs from the host's last model; "" = none needed).
    void Take(std::size_t host, int units, const std::string& model);
    /// The model the host's last call needed ("" before any).
    std::string Model(std::size_t host) const;
    /// Slots of up hosts other than `except` whose last call needed `model`.
    int SlotsWithModel(const std::string& model, std::size_t except) const;
    /// True when `a` ranks before `b` for new work as Acquire ranks hosts: smaller share of
    /// slots in use, then fewer failures, then the order of the hosts.
    bool Prefers(std::size_t a, std::size_t b) const;
    /// Up hosts (for sharing a batch out fairly).
    int UpHosts() const;
    /// Work units waiting in Beacon for a host (set by the scheduler; doctor and /metrics).
    void SetWaiting(std::size_t units);
    std::size_t Waiting() const;

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
        std::int64_t units = 0;
        int queued_units = 0;
        std::int64_t switches = 0;
        std::string model;
        std::deque<std::pair<std::chrono::steady_clock::time_point, int>> recent;  // last 5 min
        std::string last_error;
        // When each call in flight was handed out, oldest first: a host runs its queue in order,
        // so a release ends the oldest.
        std::deque<std::chrono::steady_clock::time_point> taken;
    };
    /// The order in which free hosts get work: least loaded by share of slots in use; at equal
    /// load the one whose oldest call in flight was handed out first (it frees a slot sooner:
    /// without this, the last picture of a batch went to the first host in the list even when
    /// the other was about to finish); then fewest failures; then the order of the hosts.
    bool RanksBeforeLocked(std::size_t a, std::size_t b) const;
    std::chrono::steady_clock::time_point Now() const;
    bool CanTakeLocked(std::size_t host, const std::set<std::size_t>& exclude,
                       std::chrono::steady_clock::time_point now) const;

    mutable std::mutex mu_;
    std::condition_variable_any cv_;
    std::vector<State> hosts_;
    Clock clock_;
    std::chrono::milliseconds first_backoff_;
    std::chrono::milliseconds max_backoff_;
    std::chrono::steady_clock::time_point started_;
    std::size_t waiting_ = 0;
};

/// True when an error means the host itself is not answering (as opposed to the request being
/// refused by a healthy host).
bool IsHostDown(const core::Error& e);

/// A picture engine bound to one host that says what a picture needs loaded and can paint
/// several pictures in one call (a ComfyUI prompt with a batch latent).
class HostPainter : public PictureEngine {
public:
    /// The model the picture needs loaded on the host (a ComfyUI checkpoint); "" = none.
    virtual std::string ModelFor(const PictureRequest& req) const = 0;
    /// Pictures with the same non-empty key may share one call; "" = this one goes alone.
    virtual std::string BatchKey(const PictureRequest& req) const = 0;
    /// The most pictures one call may hold (1 = no batches).
    virtual int MaxBatch() const = 0;
    /// Paints `reqs` (all with the same BatchKey) in one call: one result per request, in
    /// order; out_dirs[i] receives picture i.
    virtual std::vector<Result<PictureResult>> PaintBatch(
        const std::vector<PictureRequest>& reqs, const std::vector<std::filesystem::path>& out_dirs,
        const LogSink& log, std::stop_token stop) = 0;
};

/// Pictures from several hosts: `engines[i]` talks to host i (borrowed, same order as pool).
/// Pictures wait in one queue; each host slot has a thread that takes work for its host:
/// pictures for the model the host has loaded first (so a host does not switch checkpoints back
/// and forth), then a model no other host has loaded, then another host's model only when more
/// pictures wait for it than twice the slots that have it loaded. Pictures with the same batch
/// key go together, up to MaxBatch and no more than a fair share of the up hosts. A host that
/// lacks the model is not given that model's pictures again for a minute. A host never holds more
/// prompts than its slots, so a cancel is quick; a canceled picture leaves the queue at once, and
/// a prompt whose pictures were all canceled is interrupted.
class PooledPictureEngine final : public PictureEngine {
public:
    PooledPictureEngine(std::vector<PictureEngine*> engines, HostPool& pool, std::string service);
    ~PooledPictureEngine() override;
    Result<PictureResult> Paint(const PictureRequest& req, const std::filesystem::path& out_dir,
                                const LogSink& log, std::stop_token stop) override;
    Provenance Describe() const override;

private:
    struct Item;
    struct Lack {
        std::chrono::steady_clock::time_point at;
        std::string why;
    };
    /// Chooses and marks running the next pictures for `host` (mu_ held); empty when none.
    std::vector<std::shared_ptr<Item>> PickFor(std::size_t host);
    bool Lacks(std::size_t host, const std::string& model) const;  // mu_ held
    /// After a failure on a host: the item waits again, or ends when no host is left (mu_ held).
    void Requeue(const std::shared_ptr<Item>& item, std::size_t host, const core::Error& e);
    void Work(std::stop_token stop, std::size_t host);

    std::vector<PictureEngine*> engines_;
    std::vector<std::unique_ptr<HostPainter>> adapters_;  // for engines that are not HostPainters
    std::vector<HostPainter*> painters_;
    HostPool& pool_;
    std::string service_;
    std::mutex mu_;
    std::condition_variable_any cv_;
    std::uint64_t epoch_ = 0;  // bumped on every change a worker may act on
    std::uint64_t next_seq_ = 0;
    std::deque<std::shared_ptr<Item>> waiting_;
    std::vector<std::map<std::string, Lack>> lacks_;  // per host: model -> when it was refused
    std::vector<std::jthread> workers_;               // last: stop first
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
