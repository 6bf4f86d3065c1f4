#include "engines/espeak_voice.hpp"

#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

#include "engines/apertium.hpp"

namespace beacon::engines {
namespace {

using core::Error;
namespace fs = std::filesystem;

std::uint32_t Le32(const unsigned char* p) {
    return p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}

}  // namespace

std::vector<VoiceEngine::Voice> ParseEspeakVoices(const std::string& listing) {
    std::vector<VoiceEngine::Voice> out;
    std::istringstream in(listing);
    std::string line;
    bool header = true;
    while (std::getline(in, line)) {
        if (header) {
            header = false;
            if (line.find("Language") != std::string::npos) continue;
        }
        std::istringstream f(line);
        std::string pty, lang, gender, name;
        if (!(f >> pty >> lang >> gender >> name)) continue;
        out.push_back({lang, name, lang});
    }
    return out;
}

Result<double> WavDuration(const fs::path& wav) {
    std::ifstream f(wav, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    const auto* b = reinterpret_cast<const unsigned char*>(bytes.data());
    if (bytes.size() < 12 || std::memcmp(b, "RIFF", 4) != 0 || std::memcmp(b + 8, "WAVE", 4) != 0) {
        return Error::External("not a WAV file: " + wav.string());
    }
    std::uint32_t byte_rate = 0;
    std::size_t pos = 12;
    while (pos + 8 <= bytes.size()) {
        const std::uint32_t size = Le32(b + pos + 4);
        if (std::memcmp(b + pos, "fmt ", 4) == 0 && pos + 20 <= bytes.size()) {
            byte_rate = Le32(b + pos + 16);
        } else if (std::memcmp(b + pos, "data", 4) == 0) {
            if (byte_rate == 0) return Error::External("WAV without fmt chunk: " + wav.string());
            // eSpeak writes 0x7fffffff-ish sizes when streaming; trust the file length then.
            const std::size_t avail = bytes.size() - (pos + 8);
            const std::size_t data = std::min<std::size_t>(size, avail);
            return static_cast<double>(data) / byte_rate;
        }
        pos += 8 + size + (size & 1);
    }
    return Error::External("WAV without data chunk: " + wav.string());
}

Result<VoiceResult> EspeakVoiceEngine::Speak(const VoiceRequest& req, const fs::path& out_dir,
                                             std::stop_token stop) {
    return SpeakAt(req, 1.0, out_dir, stop);
}

Result<VoiceResult> EspeakVoiceEngine::SpeakAt(const VoiceRequest& req, double rate,
                                               const fs::path& out_dir, std::stop_token stop) {
    if (req.text.empty()) return Error::Invalid("espeak-ng: nothing to say");
    const std::string voice = req.voice.empty() ? req.language : req.voice;
    if (voice.empty() || voice.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-_+") !=
                             std::string::npos) {
        return Error::Invalid("espeak-ng: bad voice name '" + voice.substr(0, 32) + "'");
    }
    rate = std::clamp(rate, 0.5, 2.0);
    const int wpm = static_cast<int>(std::lround(opts_.words_per_minute * rate));
    std::error_code ec;
    fs::create_directories(out_dir, ec);
    const fs::path wav = out_dir / ("espeak_" + voice + "_" + std::to_string(wpm) + "_" +
                                    std::to_string(std::hash<std::string>{}(req.text)) + ".wav");
    BEACON_TRY(r, RunProcess({opts_.binary, "-v", voice, "-s", std::to_string(wpm), "-w",
                              wav.string(), "--stdin"},
                             req.text, opts_.timeout, stop));
    if (stop.stop_requested()) return Error::Canceled("espeak-ng: canceled");
    if (r.exit_code != 0) {
        if (r.err.find("voice does not exist") != std::string::npos) {
            return Error::Invalid("espeak-ng has no voice '" + voice + "'");
        }
        return Error::External("espeak-ng exited " + std::to_string(r.exit_code) + ": " +
                               r.err.substr(0, 300));
    }
    BEACON_TRY(duration, WavDuration(wav));
    VoiceResult out;
    out.audio = wav;
    out.duration = duration;
    out.provenance = Describe();
    out.provenance.model = voice;
    out.provenance.parameters = {{"wpm", wpm}};
    return out;
}

Result<std::vector<VoiceEngine::Voice>> EspeakVoiceEngine::ListVoices() {
    BEACON_TRY(r, RunProcess({opts_.binary, "--voices"}, "", opts_.timeout, {}));
    if (r.exit_code != 0) {
        return Error::Unavailable("espeak-ng --voices exited " + std::to_string(r.exit_code), false);
    }
    return ParseEspeakVoices(r.out);
}

Provenance EspeakVoiceEngine::Describe() const {
    return Provenance{"espeak-ng", "", {{"wpm", opts_.words_per_minute}}, true};
}

HealthCheck EspeakVoiceEngine::Check() {
    HealthCheck h{"voice", "espeak-ng", false, ""};
    auto v = ListVoices();
    if (!v.ok()) {
        h.detail = "cannot run '" + opts_.binary + "': " + v.error().message;
        return h;
    }
    h.ok = !v->empty();
    h.detail = std::to_string(v->size()) + " languages";
    return h;
}

}  // namespace beacon::engines
