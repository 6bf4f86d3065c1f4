#pragma once
/// Whisper adapters (engine "whisper"): whisper.cpp `POST /inference` or OpenAI-style
/// `POST /v1/audio/transcriptions` (speaches, LocalAI), verbose_json segments → cues.
/// Requests are queued (at most `max_concurrent` in flight per engine: whisper-server serves one
/// at a time). Silence and music: whisper.cpp is asked to suppress non-speech tokens with a
/// no-speech threshold (and to run its VAD with `vad`), and segments that are probably not speech
/// (no_speech_prob > 0.6 with avg_logprob < -1, Whisper's own rule) or that repeat the segment
/// before them word for word (the hallucination loop on silence) are dropped.
#include <algorithm>
#include <chrono>
#include <memory>
#include <string>

#include "engines/concurrency.hpp"
#include "engines/engines.hpp"
#include "engines/options.hpp"
#include "engines/http_client.hpp"

namespace beacon::engines {

class WhisperCaptionEngine final : public CaptionEngine {
public:
    WhisperCaptionEngine(WhisperOptions opts, const HttpClient& http)
        : opts_(std::move(opts)), http_(http), queue_(std::make_unique<Semaphore>(std::max(1, opts_.max_concurrent))) {}
    Result<CaptionResult> Caption(const CaptionRequest& req, std::stop_token stop) override;
    Provenance Describe() const override;
    /// Most requests that were in flight at once (tests, measurements).
    int MaxInFlight() const { return queue_->MaxInUse(); }

private:
    WhisperOptions opts_;
    const HttpClient& http_;
    std::unique_ptr<Semaphore> queue_;
};

/// True for whisper's non-speech segment texts: "[BLANK_AUDIO]", "[MUSIC]", "(silence)".
bool IsNonSpeechMarker(const std::string& text);

/// Segments of a verbose_json answer (either server) as cues; empty texts and non-speech markers
/// are dropped. (Caption() fails when nothing is left: the narration always speaks.)
Result<std::vector<Cue>> CuesFromVerboseJson(const Json& j);

/// `beacon doctor`: whisper.cpp GET /health (503 while loading); OpenAI-style GET /v1/models.
HealthCheck CheckWhisper(const WhisperOptions& opts, const HttpClient& http);

}  // namespace beacon::engines
