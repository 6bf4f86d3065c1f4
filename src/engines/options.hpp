#pragma once
/// Every adapter's options, and which adapter serves each capability: plain data (std types,
/// chrono, core enums), no I/O. These structs are the beacon.toml sections themselves:
/// beacon_config parses [engines], [builtin], [ollama], [comfyui], [elevenlabs] and [whisper]
/// straight into them (it includes this header without linking beacon_engines), and src/app
/// hands them over as they are. Defaults here are the module's own; where beacon.toml documents
/// another default, config::Config's member initialiser says so (see config.hpp).
#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/enums.hpp"

namespace beacon::engines {

/// How a service's calls are retried: 429, 5xx and connection failures retry with capped
/// exponential backoff (Retry-After honoured up to max_retry_after); other failures do not.
struct RetryPolicy {
    int max_attempts = 3;
    std::chrono::milliseconds base_delay{500};
    std::chrono::milliseconds max_delay{8000};
    std::chrono::milliseconds max_retry_after{30000};
};

/// [engines]: which adapter each capability uses. Config accepts, per capability, builtin and
/// the one service named in the comment.
struct EngineSelection {
    core::Engine script = core::Engine::kBuiltin;       // builtin | ollama
    core::Engine voice = core::Engine::kBuiltin;        // builtin | elevenlabs
    core::Engine pictures = core::Engine::kBuiltin;     // builtin | comfyui
    core::Engine captions = core::Engine::kBuiltin;     // builtin | whisper
    core::Engine translation = core::Engine::kBuiltin;  // builtin | ollama
    core::Engine entities = core::Engine::kBuiltin;     // builtin | ollama
};

/// The built-in translator (not a config section).
struct ApertiumOptions {
    std::string binary = "apertium";                                // looked up on PATH
    std::filesystem::path modes_dir = "/usr/share/apertium/modes";  // where pairs' .mode files live
    std::chrono::milliseconds timeout{60000};
};

/// The built-in storyboard painter (not a config section).
struct StoryboardOptions {
    std::string heading_font = "Noto Serif, DejaVu Serif, Serif";
    std::string label_font = "Noto Sans, DejaVu Sans, Sans";
    double parallax_margin = 0.06;  // fraction of the width added on each side of depth layers
    bool write_layers = true;
};

/// [builtin]: the local engines.
struct BuiltinOptions {
    std::string voice = "slt";     // Flite voice name
    int pictures_concurrency = 2;  // scenes painted at once (storyboard frames)
    int voice_concurrency =
        2;  // scenes voiced at once; flite serialises synthesis, >1 overlaps file I/O
    ApertiumOptions apertium;
    StoryboardOptions storyboard;
};

/// [ollama]
struct OllamaOptions {
    std::string host = "http://127.0.0.1:11434";  // OLLAMA_HOST
    /// More than one: scripts go to a host pool (see pool.hpp); translation and entities use
    /// the first. Each host gets `concurrency` slots.
    std::vector<std::string> hosts;
    std::string model = "llama3.2";  // OLLAMA_MODEL
    std::chrono::milliseconds timeout{
        300000};          // timeout_seconds: whole request, generation included
    int concurrency = 1;  // simultaneous requests (wrap with Limited*)
    RetryPolicy retry;
    std::string keep_alive = "5m";
};

/// [comfyui]
struct ComfyOptions {
    std::string host = "http://127.0.0.1:8188";  // COMFYUI_HOST
    /// More than one: a host pool (see pool.hpp); `host` is then unused. Each host gets
    /// `concurrency` slots.
    std::vector<std::string> hosts;
    std::string checkpoint = "v1-5-pruned-emaonly.safetensors";  // COMFYUI_CHECKPOINT
    /// A checkpoint per style (the generate request's `style`); styles not listed use
    /// `checkpoint`.
    std::map<std::string, std::string> style_checkpoints;
    /// Most pictures in one prompt when the template takes a batch; 1 = one picture a prompt.
    int max_batch = 4;
    /// The API-format workflow template file; empty = templates/txt2img.json shipped with the
    /// sources.
    std::filesystem::path workflow;
    int steps = 20;  // sampler steps
    std::string negative_prompt = "blurry, low quality, text, watermark, signature";
    std::chrono::milliseconds timeout{600000};  // timeout_seconds: one picture, queue wait included
    int concurrency = 1;                        // one slot per GPU
    RetryPolicy retry;
    bool use_websocket = true;  // false: poll /history only
    std::chrono::milliseconds poll_interval{500};
};

/// [elevenlabs]
struct ElevenLabsOptions {
    std::string api_key;                              // ELEVEN_API_KEY (never logged)
    std::string voice_id;                             // ELEVEN_VOICE_ID
    std::string model_id = "eleven_multilingual_v2";  // ELEVEN_MODEL_ID
    std::string base_url = "https://api.elevenlabs.io";
    std::string output_format = "mp3_44100_128";  // mp3_* or wav_* (files the media stage reads)
    double stability = 0.5;
    double similarity_boost = 0.75;
    double style = 0.0;
    bool use_speaker_boost = true;
    double speed = 1.0;
    std::chrono::milliseconds timeout{120000};  // timeout_seconds, per request
    int concurrency = 2;                        // requests at once
    RetryPolicy retry;
};

/// [whisper]
struct WhisperOptions {
    std::string url = "http://127.0.0.1:8080";  // WHISPER_URL: server base URL
    std::string api = "whispercpp";  // whispercpp (/inference) | openai (/v1/audio/transcriptions)
    std::string model = "Systran/faster-whisper-small";  // openai api only (required there)
    std::string api_key;  // WHISPER_API_KEY: optional Bearer key, both apis
    bool vad =
        false;  // whisper.cpp: `vad=true` (the server must have been started with a VAD model)
    int max_concurrent = 1;  // requests in flight at once; the rest wait their turn
    std::chrono::milliseconds timeout{300000};  // timeout_seconds, per request
    RetryPolicy retry;
};

}  // namespace beacon::engines
