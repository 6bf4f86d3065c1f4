#pragma once
/// Whisper adapters (engine "whisper"): whisper.cpp `POST /inference` or OpenAI-style
/// `POST /v1/audio/transcriptions` (speaches, LocalAI), verbose_json segments → cues.
#include <chrono>
#include <string>

#include "engines/engines.hpp"
#include "engines/http_client.hpp"

namespace beacon::engines {

struct WhisperOptions {
    std::string url = "http://127.0.0.1:8080";  // server base URL
    std::string api = "whispercpp";             // whispercpp | openai
    std::string model = "Systran/faster-whisper-small";  // openai api only (required there)
    std::string api_key;                        // openai api only, optional (Bearer)
    std::chrono::milliseconds timeout{300000};
    RetryPolicy retry;
};

class WhisperCaptionEngine final : public CaptionEngine {
public:
    WhisperCaptionEngine(WhisperOptions opts, const HttpClient& http) : opts_(std::move(opts)), http_(http) {}
    Result<CaptionResult> Caption(const CaptionRequest& req, std::stop_token stop) override;
    Provenance Describe() const override;

private:
    WhisperOptions opts_;
    const HttpClient& http_;
};

/// True for whisper's non-speech segment texts: "[BLANK_AUDIO]", "[MUSIC]", "(silence)".
bool IsNonSpeechMarker(const std::string& text);

/// Segments of a verbose_json answer (either server) as cues; empty texts and non-speech markers
/// are dropped. (Caption() fails when nothing is left: the narration always speaks.)
Result<std::vector<Cue>> CuesFromVerboseJson(const Json& j);

/// `beacon doctor`: whisper.cpp GET /health (503 while loading); OpenAI-style GET /v1/models.
HealthCheck CheckWhisper(const WhisperOptions& opts, const HttpClient& http);

}  // namespace beacon::engines
