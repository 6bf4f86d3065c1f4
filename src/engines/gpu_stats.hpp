#pragma once
/// What remote GPU services report about their memory, for the dashboard and /metrics (never for
/// scheduling): ComfyUI's GET /system_stats (each torch device's total and free VRAM, bytes) and
/// Ollama's GET /api/ps (the models loaded now, their size and the part of it in VRAM, bytes).
/// Neither answer holds a utilisation percentage, so none is made up here. One short call each,
/// no retries: a host that does not answer is reported as an Error and the caller shows it down.
#include <chrono>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "engines/engines.hpp"
#include "engines/http_client.hpp"

namespace beacon::engines {

/// One entry of /system_stats' "devices".
struct ComfyDevice {
    std::string name;  // e.g. "cuda:0 NVIDIA GeForce RTX 4090 : cudaMallocAsync"
    std::string type;  // "cuda", "mps", "cpu", ...
    int index = 0;
    double vram_total = 0;        // bytes
    double vram_free = 0;         // bytes (free on the device plus free inside torch's cache)
    double torch_vram_total = 0;  // bytes reserved by torch's allocator
    double torch_vram_free = 0;   // bytes of that reserve not in use
    /// A short, bounded label: "<type>:<index>" ("cuda:0"); the name's first word when no type.
    std::string Label() const;
};

/// One entry of /api/ps' "models".
struct OllamaLoadedModel {
    std::string name;        // "llama3.2:latest"
    double size = 0;         // bytes the loaded model takes (RAM and VRAM)
    double size_vram = 0;    // bytes of it in VRAM
    std::string expires_at;  // RFC 3339, when it is unloaded unless used again
};

/// Parses a /system_stats body. kExternal when it is not JSON or has no "devices" array;
/// devices without numeric vram_total/vram_free are skipped.
Result<std::vector<ComfyDevice>> ParseComfySystemStats(std::string_view body);
/// Parses an /api/ps body. kExternal when it is not JSON or has no "models" array; models
/// without a name are skipped.
Result<std::vector<OllamaLoadedModel>> ParseOllamaPs(std::string_view body);

/// GET <host>/system_stats once, within `timeout` (connecting within half of it).
Result<std::vector<ComfyDevice>> FetchComfySystemStats(const HttpClient& http,
                                                       const std::string& host,
                                                       std::chrono::milliseconds timeout,
                                                       std::stop_token stop = {});
/// GET <host>/api/ps once, within `timeout` (connecting within half of it).
Result<std::vector<OllamaLoadedModel>> FetchOllamaPs(const HttpClient& http,
                                                     const std::string& host,
                                                     std::chrono::milliseconds timeout,
                                                     std::stop_token stop = {});

}  // namespace beacon::engines
