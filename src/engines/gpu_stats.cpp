#include "engines/gpu_stats.hpp"

#include <algorithm>

namespace beacon::engines {

namespace {

double Number(const Json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_number() ? it->get<double>() : -1;
}

std::string Text(const Json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Result<Json> ArrayIn(std::string_view body, const char* key, const char* what) {
    Json j = Json::parse(body, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains(key) || !j[key].is_array()) {
        return core::Error::External(std::string(what) + ": the answer has no \"" + key +
                                     "\" list");
    }
    return j[key];
}

Result<HttpResponse> GetOnce(const HttpClient& http, const std::string& url,
                             std::chrono::milliseconds timeout, std::stop_token stop,
                             const char* service) {
    HttpRequest req;
    req.url = url;
    req.timeout = timeout;
    req.connect_timeout = std::max(std::chrono::milliseconds(1), timeout / 2);
    BEACON_TRY(resp, http.Send(req, stop));
    if (resp.status < 200 || resp.status >= 300) {
        return ErrorFromResponse(ServiceCall{service, nullptr}, url, resp);
    }
    return resp;
}

}  // namespace

std::string ComfyDevice::Label() const {
    if (!type.empty()) return type + ":" + std::to_string(index);
    std::string first = name.substr(0, name.find(' '));
    return first.empty() ? std::to_string(index) : first;
}

Result<std::vector<ComfyDevice>> ParseComfySystemStats(std::string_view body) {
    BEACON_TRY(list, ArrayIn(body, "devices", "ComfyUI /system_stats"));
    std::vector<ComfyDevice> out;
    for (const Json& d : list) {
        if (!d.is_object()) continue;
        ComfyDevice dev;
        dev.name = Text(d, "name");
        dev.type = Text(d, "type");
        double index = Number(d, "index");
        dev.index = index >= 0 ? static_cast<int>(index) : static_cast<int>(out.size());
        dev.vram_total = Number(d, "vram_total");
        dev.vram_free = Number(d, "vram_free");
        if (dev.vram_total < 0 || dev.vram_free < 0) continue;
        dev.torch_vram_total = std::max(0.0, Number(d, "torch_vram_total"));
        dev.torch_vram_free = std::max(0.0, Number(d, "torch_vram_free"));
        out.push_back(std::move(dev));
    }
    return out;
}

Result<std::vector<OllamaLoadedModel>> ParseOllamaPs(std::string_view body) {
    BEACON_TRY(list, ArrayIn(body, "models", "Ollama /api/ps"));
    std::vector<OllamaLoadedModel> out;
    for (const Json& m : list) {
        if (!m.is_object()) continue;
        OllamaLoadedModel model;
        model.name = Text(m, "name");
        if (model.name.empty()) model.name = Text(m, "model");
        if (model.name.empty()) continue;
        model.size = std::max(0.0, Number(m, "size"));
        model.size_vram = std::max(0.0, Number(m, "size_vram"));
        model.expires_at = Text(m, "expires_at");
        out.push_back(std::move(model));
    }
    return out;
}

Result<std::vector<ComfyDevice>> FetchComfySystemStats(const HttpClient& http,
                                                       const std::string& host,
                                                       std::chrono::milliseconds timeout,
                                                       std::stop_token stop) {
    BEACON_TRY(resp, GetOnce(http, JoinUrl(host, "/system_stats"), timeout, stop, "ComfyUI"));
    return ParseComfySystemStats(resp.body);
}

Result<std::vector<OllamaLoadedModel>> FetchOllamaPs(const HttpClient& http,
                                                     const std::string& host,
                                                     std::chrono::milliseconds timeout,
                                                     std::stop_token stop) {
    BEACON_TRY(resp, GetOnce(http, JoinUrl(host, "/api/ps"), timeout, stop, "Ollama"));
    return ParseOllamaPs(resp.body);
}

}  // namespace beacon::engines
