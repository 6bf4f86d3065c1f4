#pragma once
/// Built-in voice through Flite's C library (engine "flite"): speech as native-rate 16-bit mono
/// WAV, word timings read from the synthesiser's utterance (Token/Word/Segment relations), not
/// estimated. Thread-safe: Flite keeps global state, so synthesis is serialised by a mutex.
#include <string>
#include <vector>

#include "engines/engines.hpp"

namespace beacon::engines {

struct FliteOptions {
    std::string default_voice = "slt";  // slt | kal | kal16 | awb | rms
    std::size_t max_chars = 5000;       // longer text is an error (split it into lines first)
};

class FliteVoiceEngine final : public VoiceEngine {
public:
    explicit FliteVoiceEngine(FliteOptions opts = {});
    /// Writes `flite_<voice>_<hash>.wav` into out_dir. Words carry their punctuation.
    Result<VoiceResult> Speak(const VoiceRequest& req, const std::filesystem::path& out_dir,
                              std::stop_token stop) override;
    /// The voices compiled in (all English).
    Result<std::vector<Voice>> ListVoices() override;
    Provenance Describe() const override;
    /// Loads the default voice and synthesises a word.
    HealthCheck Check();

private:
    FliteOptions opts_;
};

/// Writes 16-bit PCM mono WAV. Exposed for tests and other engines.
core::Status WriteWav16(const std::filesystem::path& path, const short* samples, std::size_t count,
                        int sample_rate);

}  // namespace beacon::engines
