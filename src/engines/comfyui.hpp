#pragma once
/// ComfyUI adapter (engine "comfyui"): an API-format workflow template with placeholders
/// ({{prompt}}, {{negative_prompt}}, {{seed}}, {{checkpoint}}, {{width}}, {{height}}, {{steps}}),
/// POST /prompt with a client_id, progress from the /ws socket (hints only), the result from
/// /history/{id} and /view. The checkpoint must exist (/object_info/CheckpointLoaderSimple).
/// A template with {{batch_size}} and {{prompt_schedule}} takes several pictures in one prompt
/// (a batch latent; see docs/batches.md).
#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "engines/engines.hpp"
#include "engines/http_client.hpp"
#include "engines/pool.hpp"

namespace beacon::engines {

struct ComfyOptions {
    std::string host = "http://127.0.0.1:8188";
    /// More than one: a host pool (see pool.hpp); `host` is then unused. Each host gets
    /// `concurrency` slots.
    std::vector<std::string> hosts;
    std::string checkpoint = "v1-5-pruned-emaonly.safetensors";
    /// A checkpoint per style (the generate request's `style`); styles not listed use
    /// `checkpoint`.
    std::map<std::string, std::string> style_checkpoints;
    /// Most pictures in one prompt when the template takes a batch; 1 = one picture a prompt.
    int max_batch = 4;
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

/// True when the template can hold several pictures in one prompt: it has {{batch_size}} (the
/// latent's batch) and {{prompt_schedule}} (each latent's own prompt).
bool WorkflowTakesBatches(const Json& workflow);

class ComfyPictureEngine final : public HostPainter {
public:
    ComfyPictureEngine(ComfyOptions opts, const HttpClient& http);
    Result<PictureResult> Paint(const PictureRequest& req, const std::filesystem::path& out_dir,
                                const LogSink& log, std::stop_token stop) override;
    Provenance Describe() const override;
    /// The checkpoint for the request's style.
    std::string ModelFor(const PictureRequest& req) const override;
    /// checkpoint|workflow|WxH when the template takes batches, else "".
    std::string BatchKey(const PictureRequest& req) const override;
    int MaxBatch() const override { return batches_ ? std::max(1, opts_.max_batch) : 1; }
    std::vector<Result<PictureResult>> PaintBatch(const std::vector<PictureRequest>& reqs,
                                                  const std::vector<std::filesystem::path>& out_dirs,
                                                  const LogSink& log, std::stop_token stop) override;

private:
    /// The checkpoint is installed (the host's list is kept for 30 s).
    Status CheckCheckpoint(const std::string& checkpoint, std::stop_token stop) const;
    /// POST /prompt; on a retryable failure, sends again only if /queue and /history show that
    /// the prompt (found by client_id) was not queued. Returns the prompt id.
    Result<std::string> QueuePrompt(const HttpRequest& post, const std::string& client_id,
                                    const LogSink& say, std::stop_token stop) const;
    /// The id of a prompt sent with client_id that waits, runs or has run; nullopt if none.
    Result<std::optional<std::string>> FindQueuedPrompt(const std::string& client_id,
                                                        std::stop_token stop) const;
    ComfyOptions opts_;
    const HttpClient& http_;
    std::filesystem::path workflow_;
    bool batches_ = false;
    mutable std::mutex inventory_mu_;
    mutable std::vector<std::string> inventory_;
    mutable std::chrono::steady_clock::time_point inventory_at_{};
};

/// `beacon doctor`: /object_info answers and the checkpoint exists.
HealthCheck CheckComfy(const ComfyOptions& opts, const HttpClient& http);

}  // namespace beacon::engines
