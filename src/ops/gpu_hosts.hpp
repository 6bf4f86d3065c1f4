#pragma once
/// GPU figures of the remote engine hosts (ComfyUI's /system_stats, Ollama's /api/ps), asked for
/// at a coarse interval on a thread of its own, so a slow or dead host never holds up a job, a
/// scrape or a page: /metrics, the dashboard and its history read the last answers kept here. A
/// host that does not answer is reported down (with the reason) and has no figures; nothing
/// fails. The calls themselves are probes handed in by the wiring (src/app), so this module
/// speaks no HTTP. Thread-safe.
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <stop_token>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/result.hpp"

namespace beacon::ops {

/// One GPU of a ComfyUI host (bytes).
struct GpuDeviceFigures {
    std::string device;  // bounded label, "cuda:0"
    std::string name;    // the service's own name of it (summary only, never a label)
    double total_bytes = 0;
    double free_bytes = 0;
};

/// One model an Ollama host holds loaded (bytes).
struct LoadedModelFigures {
    std::string model;
    double bytes = 0;
    double vram_bytes = 0;
    std::string expires_at;  // RFC 3339 as the host said it
};

/// What one probe found.
struct GpuHostFigures {
    std::vector<GpuDeviceFigures> devices;
    std::vector<LoadedModelFigures> models;
};

/// The last poll of one host.
struct GpuHostReport {
    std::string service;     // "comfyui" | "ollama"
    std::string host;        // "host:port" (HostLabel of its URL)
    bool polled = false;     // false until its first answer or failure: state unknown
    bool up = false;         // the last poll answered
    std::string error;       // why the last poll failed
    std::int64_t at_ms = 0;  // unix ms of the last poll
    GpuHostFigures figures;  // empty when down
};

/// "host:port" of a URL ("http://gpu1:8188/" → "gpu1:8188"); the URL itself when it has none.
std::string HostLabel(std::string_view url);

/// At most this many devices per host and models per host are kept (label cardinality).
inline constexpr std::size_t kMaxGpuSeriesPerHost = 16;

class GpuHostPoller {
public:
    using Probe = std::function<core::Result<GpuHostFigures>(std::stop_token)>;
    struct Target {
        std::string service;  // "comfyui" | "ollama"
        std::string host;     // label (HostLabel)
        Probe probe;
    };
    /// `interval`: time between the starts of two rounds over every host. A host label that
    /// repeats within a service gets "#2", "#3", ... so every target has series of its own.
    GpuHostPoller(std::vector<Target> targets, std::chrono::milliseconds interval);
    ~GpuHostPoller();
    GpuHostPoller(const GpuHostPoller&) = delete;
    GpuHostPoller& operator=(const GpuHostPoller&) = delete;

    /// Asks every host once, one after the other, now (the thread does this each interval).
    void PollOnce(std::stop_token stop = {});
    /// Starts the polling thread (a first round at once). Stops with the object.
    void Start();
    /// The last report of every host, in the order of the targets.
    std::vector<GpuHostReport> Reports() const;
    bool empty() const { return targets_.empty(); }
    std::chrono::milliseconds interval() const { return interval_; }

private:
    std::vector<Target> targets_;
    std::chrono::milliseconds interval_;
    mutable std::mutex mu_;
    std::vector<GpuHostReport> reports_;  // (mu_)
    std::jthread thread_;                 // last: stops first
};

}  // namespace beacon::ops
