// OpsService's view of the remote GPU hosts (ops/gpu_hosts.hpp): the poller's last answers as
// gauges, as the summary's "gpu_hosts" and as labelled history series. Reads only what the
// poller keeps: a scrape or a sample never waits for a host.
#include "ops/service.hpp"

namespace beacon::ops {

using core::Json;

void OpsService::WatchGpuHosts(std::unique_ptr<GpuHostPoller> poller) {
    if (!poller || gpu_hosts_) return;
    using T = MetricType;
    auto& r = registry_;
    gpu_host_up_ = &r.Add("beacon_gpu_host_up",
                          "1 when the remote GPU host's last figures request (ComfyUI "
                          "/system_stats, Ollama /api/ps) answered, 0 when it did not.",
                          T::kGauge, {"service", "host"});
    gpu_host_total_ = &r.Add("beacon_gpu_memory_total_bytes",
                             "VRAM of a remote ComfyUI host's device (/system_stats vram_total).",
                             T::kGauge, {"service", "host", "device"});
    gpu_host_free_ = &r.Add("beacon_gpu_memory_free_bytes",
                            "Free VRAM of a remote ComfyUI host's device (/system_stats "
                            "vram_free).",
                            T::kGauge, {"service", "host", "device"});
    ollama_model_bytes_ = &r.Add("beacon_ollama_loaded_model_bytes",
                                 "Memory a model loaded on an Ollama host takes (/api/ps size).",
                                 T::kGauge, {"host", "model"});
    ollama_model_vram_ = &r.Add("beacon_ollama_loaded_model_vram_bytes",
                                "VRAM a model loaded on an Ollama host takes (/api/ps size_vram).",
                                T::kGauge, {"host", "model"});
    ollama_models_ = &r.Add("beacon_ollama_loaded_models",
                            "Models loaded on an Ollama host (/api/ps).", T::kGauge, {"host"});
    gpu_hosts_ = std::move(poller);
    r.AddCollector([this] { CollectGpuHosts(); });
    AddSummaryPart("gpu_hosts", [this] {
        Json out = Json::array();
        for (const auto& h : gpu_hosts_->Reports()) {
            Json devices = Json::array();
            for (const auto& d : h.figures.devices) {
                devices.push_back({{"device", d.device},
                                   {"name", d.name},
                                   {"total_bytes", d.total_bytes},
                                   {"free_bytes", d.free_bytes},
                                   {"used_bytes", d.total_bytes - d.free_bytes}});
            }
            Json models = Json::array();
            for (const auto& m : h.figures.models) {
                models.push_back({{"model", m.model},
                                  {"bytes", m.bytes},
                                  {"vram_bytes", m.vram_bytes},
                                  {"expires_at", m.expires_at}});
            }
            out.push_back({{"service", h.service},
                           {"host", h.host},
                           {"state", !h.polled ? "unknown"
                                     : h.up    ? "up"
                                               : "down"},
                           {"error", h.error},
                           {"at", h.at_ms},
                           {"devices", std::move(devices)},
                           {"models", std::move(models)}});
        }
        return out;
    });
    gpu_hosts_->Start();
}

void OpsService::CollectGpuHosts() {
    if (!gpu_hosts_) return;
    gpu_host_up_->Clear();
    gpu_host_total_->Clear();
    gpu_host_free_->Clear();
    ollama_model_bytes_->Clear();
    ollama_model_vram_->Clear();
    ollama_models_->Clear();
    for (const auto& h : gpu_hosts_->Reports()) {
        if (!h.polled) continue;  // unknown yet: no sample rather than a false "down"
        gpu_host_up_->Set({h.service, h.host}, h.up ? 1 : 0);
        if (!h.up) continue;
        for (const auto& d : h.figures.devices) {
            gpu_host_total_->Set({h.service, h.host, d.device}, d.total_bytes);
            gpu_host_free_->Set({h.service, h.host, d.device}, d.free_bytes);
        }
        if (h.service == "ollama") {
            ollama_models_->Set({h.host}, static_cast<double>(h.figures.models.size()));
            for (const auto& m : h.figures.models) {
                ollama_model_bytes_->Set({h.host, m.model}, m.bytes);
                ollama_model_vram_->Set({h.host, m.model}, m.vram_bytes);
            }
        }
    }
}

void OpsService::SampleGpuHosts(HistoryPoint& p) {
    if (!gpu_hosts_) return;
    for (const auto& h : gpu_hosts_->Reports()) {
        if (!h.up) continue;  // down or unknown: a gap in the plot, not a zero
        for (const auto& d : h.figures.devices) {
            const std::vector<std::string> labels{h.service, h.host, d.device};
            p.labelled[LabelledSeries("gpu_device_memory_used_bytes", labels)] =
                d.total_bytes - d.free_bytes;
            p.labelled[LabelledSeries("gpu_device_memory_size_bytes", labels)] = d.total_bytes;
        }
        if (h.service == "ollama") {
            double vram = 0, bytes = 0;
            for (const auto& m : h.figures.models) vram += m.vram_bytes, bytes += m.bytes;
            p.labelled[LabelledSeries("ollama_vram_bytes", {h.host})] = vram;
            p.labelled[LabelledSeries("ollama_loaded_bytes", {h.host})] = bytes;
        }
    }
}

}  // namespace beacon::ops
