#pragma once
/// ComfyUI adapter (engine "comfyui"): an API-format workflow template with placeholders
/// ({{prompt}}, {{negative_prompt}}, {{seed}}, {{checkpoint}}, {{width}}, {{height}}, {{steps}}),
/// POST /prompt with a client_id, progress from the /ws socket (hints only), the result from
/// /history/{id} and /view. The checkpoint must exist (/object_info/CheckpointLoaderSimple).
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "engines/engines.hpp"
#include "engines/http_client.hpp"

namespace beacon::engines {

struct ComfyOptions {
    std::string host = "http://127.0.0.1:8188";
    /// More than one: a host pool (see pool.hpp); `host` is then unused. Each host gets
    /// `concurrency` slots.
    std::vector<std::string> hosts;
    std::string checkpoint = "v1-5-pruned-emaonly.safetensors";
    /// The workflow template file; empty = templates/txt2img.json shipped with the sources.
    std::filesystem::path workflow;
    int steps = 20;
    std::string negative_prompt = "blurry, low quality, text, watermark, signature";
    std::chrono::milliseconds timeout{600000};  // one picture, queue wait included
    int concurrency = 1;                         // one slot per GPU
    RetryPolicy retry;
    bool use_websocket = true;  // false: poll /history only
    std::chrono::milliseconds poll_interval{500};
};

/// The shipped default template (templates/txt2img.json).
std::filesystem::path DefaultComfyWorkflow();

/// Fills the placeholders: a string that is exactly "{{seed}}" (etc.) becomes the number;
/// placeholders inside longer strings are replaced textually. Unknown placeholders are an error.
Result<Json> FillWorkflow(const Json& workflow, const Json& values);

class ComfyPictureEngine final : public PictureEngine {
public:
    ComfyPictureEngine(ComfyOptions opts, const HttpClient& http) : opts_(std::move(opts)), http_(http) {}
    Result<PictureResult> Paint(const PictureRequest& req, const std::filesystem::path& out_dir,
                                const LogSink& log, std::stop_token stop) override;
    Provenance Describe() const override;

private:
    Status CheckCheckpoint(std::stop_token stop) const;
    /// POST /prompt; on a retryable failure, sends again only if /queue and /history show that
    /// the prompt (found by client_id) was not queued. Returns the prompt id.
    Result<std::string> QueuePrompt(const HttpRequest& post, const std::string& client_id,
                                    const LogSink& say, std::stop_token stop) const;
    /// The id of a prompt sent with client_id that waits, runs or has run; nullopt if none.
    Result<std::optional<std::string>> FindQueuedPrompt(const std::string& client_id,
                                                        std::stop_token stop) const;
    ComfyOptions opts_;
    const HttpClient& http_;
};

/// `beacon doctor`: /object_info answers and the checkpoint exists.
HealthCheck CheckComfy(const ComfyOptions& opts, const HttpClient& http);

}  // namespace beacon::engines
