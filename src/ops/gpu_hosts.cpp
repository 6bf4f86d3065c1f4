#include "ops/gpu_hosts.hpp"

#include <algorithm>
#include <condition_variable>
#include <map>

#include "core/model.hpp"

namespace beacon::ops {

std::string HostLabel(std::string_view url) {
    auto scheme = url.find("://");
    std::string_view rest = scheme == std::string_view::npos ? url : url.substr(scheme + 3);
    rest = rest.substr(0, rest.find('/'));
    auto at = rest.rfind('@');  // never a user name or password in a label
    if (at != std::string_view::npos) rest = rest.substr(at + 1);
    return rest.empty() ? std::string(url) : std::string(rest);
}

GpuHostPoller::GpuHostPoller(std::vector<Target> targets, std::chrono::milliseconds interval)
    : targets_(std::move(targets)), interval_(interval) {
    // Two URLs of one service on the same host:port (paths behind a proxy) keep apart: "#2".
    std::map<std::pair<std::string, std::string>, int> seen;
    for (auto& t : targets_) {
        int n = ++seen[{t.service, t.host}];
        if (n > 1) t.host += "#" + std::to_string(n);
    }
    for (const auto& t : targets_) {
        GpuHostReport r;
        r.service = t.service;
        r.host = t.host;
        reports_.push_back(std::move(r));
    }
}

GpuHostPoller::~GpuHostPoller() {
    if (thread_.joinable()) {
        thread_.request_stop();
        thread_.join();
    }
}

void GpuHostPoller::PollOnce(std::stop_token stop) {
    for (std::size_t i = 0; i < targets_.size() && !stop.stop_requested(); ++i) {
        auto got = targets_[i].probe(stop);
        if (stop.stop_requested()) return;
        std::lock_guard lock(mu_);
        auto& r = reports_[i];
        r.polled = true;
        r.at_ms = core::NowMillis();
        r.up = got.ok();
        r.error = got.ok() ? std::string() : got.error().message;
        r.figures = got.ok() ? std::move(*got) : GpuHostFigures{};
        if (r.figures.devices.size() > kMaxGpuSeriesPerHost) {
            r.figures.devices.resize(kMaxGpuSeriesPerHost);
        }
        if (r.figures.models.size() > kMaxGpuSeriesPerHost) {
            // The largest first; the rest summed into one "other" entry.
            auto& m = r.figures.models;
            std::sort(m.begin(), m.end(),
                      [](const auto& a, const auto& b) { return a.bytes > b.bytes; });
            LoadedModelFigures other{"other", 0, 0, ""};
            for (std::size_t k = kMaxGpuSeriesPerHost - 1; k < m.size(); ++k) {
                other.bytes += m[k].bytes;
                other.vram_bytes += m[k].vram_bytes;
            }
            m.resize(kMaxGpuSeriesPerHost - 1);
            m.push_back(std::move(other));
        }
    }
}

void GpuHostPoller::Start() {
    if (thread_.joinable() || targets_.empty()) return;
    thread_ = std::jthread([this](std::stop_token stop) {
        std::mutex m;
        std::condition_variable_any cv;
        while (!stop.stop_requested()) {
            auto next = std::chrono::steady_clock::now() + interval_;
            PollOnce(stop);
            std::unique_lock lock(m);
            cv.wait_until(lock, stop, next, [] { return false; });
        }
    });
}

std::vector<GpuHostReport> GpuHostPoller::Reports() const {
    std::lock_guard lock(mu_);
    return reports_;
}

}  // namespace beacon::ops
