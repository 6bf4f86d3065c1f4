#pragma once
/// ElevenLabs adapter (engine "elevenlabs"): POST /v1/text-to-speech/{voice_id}/with-timestamps;
/// the character alignment becomes word timings. The API key is sent only in the xi-api-key
/// header and is never logged, stored in provenance or returned in an error.
#include <chrono>
#include <string>

#include "engines/engines.hpp"
#include "engines/http_client.hpp"
#include "engines/options.hpp"

namespace beacon::engines {

/// Words from a character alignment: split on whitespace; a word spans its first character's
/// start to its last character's end. Arrays of unequal length are an error.
Result<std::vector<WordTiming>> WordsFromAlignment(const Json& alignment);

class ElevenLabsVoiceEngine final : public VoiceEngine {
public:
    ElevenLabsVoiceEngine(ElevenLabsOptions opts, const HttpClient& http)
        : opts_(std::move(opts)), http_(http) {}
    /// req.voice overrides the configured voice_id when set.
    Result<VoiceResult> Speak(const VoiceRequest& req, const std::filesystem::path& out_dir,
                              std::stop_token stop) override;
    Result<std::vector<Voice>> ListVoices() override;
    Provenance Describe() const override;

private:
    ElevenLabsOptions opts_;
    const HttpClient& http_;
};

/// `beacon doctor`: GET /v1/voices/{voice_id} with the key (key accepted, voice exists), then
/// GET /v1/user/subscription: fails when no characters are left; an unreadable quota (a key
/// without the user_read permission) is reported but does not fail the check.
HealthCheck CheckElevenLabs(const ElevenLabsOptions& opts, const HttpClient& http);

}  // namespace beacon::engines
