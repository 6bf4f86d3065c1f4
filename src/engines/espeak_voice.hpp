#pragma once
/// Built-in multilingual voice through eSpeak NG (engine "espeak-ng"): runs the `espeak-ng`
/// program as a child process (argv vector, no shell, text on stdin) and writes 16-bit mono WAV.
/// Speaks the ~100 languages eSpeak NG ships; used for dubs in languages Flite does not speak.
/// Word timings are not reported (empty `words`); callers time whole lines. Thread-safe.
#include <chrono>
#include <string>
#include <vector>

#include "engines/engines.hpp"

namespace beacon::engines {

struct EspeakOptions {
    std::string binary = "espeak-ng";  // looked up on PATH
    int words_per_minute = 165;        // eSpeak's -s at rate 1.0
    std::chrono::milliseconds timeout{60000};
};

class EspeakVoiceEngine final : public VoiceEngine {
public:
    explicit EspeakVoiceEngine(EspeakOptions opts = {}) : opts_(std::move(opts)) {}
    /// req.voice: an eSpeak voice name ("es", "fr", "de"); empty = req.language. A voice eSpeak
    /// does not have is an InvalidArgument naming it.
    Result<VoiceResult> Speak(const VoiceRequest& req, const std::filesystem::path& out_dir,
                              std::stop_token stop) override;
    /// The same at `rate` × the normal speaking rate (0.5..2; faster speech, not a stretch).
    Result<VoiceResult> SpeakAt(const VoiceRequest& req, double rate,
                                const std::filesystem::path& out_dir, std::stop_token stop);
    /// Every voice `espeak-ng --voices` lists: id = language code, language = that code.
    Result<std::vector<Voice>> ListVoices() override;
    Provenance Describe() const override;
    HealthCheck Check();

private:
    EspeakOptions opts_;
};

/// Parses `espeak-ng --voices` output into voices (pure; exposed for tests).
std::vector<VoiceEngine::Voice> ParseEspeakVoices(const std::string& listing);
/// Duration in seconds of a PCM WAV file (RIFF header); error when it is not one.
Result<double> WavDuration(const std::filesystem::path& wav);

}  // namespace beacon::engines
