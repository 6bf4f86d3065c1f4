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
#include "engines/options.hpp"
#include "engines/http_client.hpp"
#include "engines/pool.hpp"

namespace beacon::engines {

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
