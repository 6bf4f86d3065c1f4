#include "engines/whisper.hpp"

namespace beacon::engines {

using core::Error;

namespace {

ServiceCall WhisperService() {
    return ServiceCall{"Whisper", [](const HttpResponse& r) {
                           Json j = Json::parse(r.body, nullptr, false);
                           if (j.is_object()) {
                               if (j.contains("error") && j["error"].is_string()) return j["error"].get<std::string>();
                               if (j.contains("error") && j["error"].is_object()) return j["error"].value("message", j["error"].dump());
                               if (j.contains("detail") && j["detail"].is_string()) return j["detail"].get<std::string>();
                               if (j.contains("detail") && j["detail"].is_array()) {
                                   // FastAPI validation: [{"loc":["body","file"],"msg":"Field required"}]
                                   std::string out;
                                   for (const auto& e : j["detail"]) {
                                       if (!e.is_object()) continue;
                                       std::string loc;
                                       if (e.contains("loc") && e["loc"].is_array()) {
                                           for (const auto& l : e["loc"]) loc += (loc.empty() ? "" : ".") + (l.is_string() ? l.get<std::string>() : l.dump());
                                       }
                                       out += (out.empty() ? "" : "; ") + loc + ": " + e.value("msg", "");
                                   }
                                   if (!out.empty()) return "validation failed: " + out;
                               }
                               if (j.contains("detail")) return j["detail"].dump();
                           }
                           return r.body.substr(0, 300);
                       }};
}

std::string Trim(const std::string& s) {
    auto b = s.find_first_not_of(" \t\r\n");
    auto e = s.find_last_not_of(" \t\r\n");
    return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

}  // namespace

bool IsNonSpeechMarker(const std::string& text) {
    std::string t = Trim(text);
    if (t.size() < 2) return false;
    // whisper.cpp writes [BLANK_AUDIO], [MUSIC], [ Silence ], (wind blowing) for what is not speech.
    return (t.front() == '[' && t.back() == ']') || (t.front() == '(' && t.back() == ')');
}

Result<std::vector<Cue>> CuesFromVerboseJson(const Json& j) {
    if (!j.is_object() || !j.contains("segments") || !j["segments"].is_array()) {
        return Error::Invalid("verbose_json answer has no 'segments' array");
    }
    std::vector<Cue> cues;
    for (const auto& s : j["segments"]) {
        if (!s.is_object() || !s.contains("start") || !s.contains("end") || !s["start"].is_number() ||
            !s["end"].is_number()) {
            return Error::Invalid("a segment lacks numeric start/end");
        }
        std::string text = Trim(s.value("text", ""));
        if (text.empty() || IsNonSpeechMarker(text)) continue;
        double start = s["start"].get<double>(), end = s["end"].get<double>();
        if (start < 0 || end < start) return Error::Invalid("a segment has bad times");
        // Whisper's own no-speech rule (openai/whisper transcribe.py): probably silence or music.
        const double no_speech = s.contains("no_speech_prob") && s["no_speech_prob"].is_number()
                                     ? s["no_speech_prob"].get<double>() : 0.0;
        const double logprob = s.contains("avg_logprob") && s["avg_logprob"].is_number()
                                   ? s["avg_logprob"].get<double>() : 0.0;
        if (no_speech > 0.6 && logprob < -1.0) continue;
        // The same words again right after: the loop Whisper falls into on silence.
        if (!cues.empty() && cues.back().text == text) continue;
        cues.push_back({start, end, text});
    }
    return cues;
}

Result<CaptionResult> WhisperCaptionEngine::Caption(const CaptionRequest& req, std::stop_token stop) {
    std::error_code ec;
    if (req.audio.empty() || !std::filesystem::is_regular_file(req.audio, ec)) {
        return Error::Invalid("Whisper: audio file '" + req.audio.string() + "' does not exist");
    }
    // One request at a time by default (whisper-server serves one; more would only time out).
    SemaphoreSlot slot(*queue_, stop);
    if (!slot.held()) return Error::Canceled("canceled while waiting for the Whisper server");
    HttpRequest hr;
    hr.method = "POST";
    hr.timeout = opts_.timeout;
    if (!opts_.api_key.empty()) hr.headers.push_back({"Authorization", "Bearer " + opts_.api_key});
    hr.form.push_back(FormPart{"file", "", req.audio, req.audio.filename().string(), ""});
    hr.form.push_back(FormPart{"response_format", "verbose_json"});
    std::string lang = req.language.substr(0, req.language.find_first_of("-_"));
    if (opts_.api == "openai") {
        hr.url = JoinUrl(opts_.url, "/v1/audio/transcriptions");
        hr.form.push_back(FormPart{"model", opts_.model});
        hr.form.push_back(FormPart{"timestamp_granularities[]", "segment"});
    } else if (opts_.api == "whispercpp") {
        hr.url = JoinUrl(opts_.url, "/inference");
        hr.form.push_back(FormPart{"temperature", "0.0"});
        hr.form.push_back(FormPart{"suppress_nst", "true"});
        hr.form.push_back(FormPart{"no_speech_thold", "0.6"});
        if (opts_.vad) hr.form.push_back(FormPart{"vad", "true"});
    } else {
        return Error::Invalid("Whisper: unknown api '" + opts_.api + "' (use whispercpp or openai)");
    }
    if (!lang.empty()) hr.form.push_back(FormPart{"language", lang});
    auto r = CallWithRetry(http_, WhisperService(), hr, opts_.retry, stop);
    if (!r.ok()) return std::move(r).error();
    Json j = Json::parse(r->body, nullptr, false);
    auto cues = CuesFromVerboseJson(j);
    if (!cues.ok()) {
        return Error::External("Whisper (" + hr.url + "): unexpected answer: " + cues.error().message +
                               ": " + r->body.substr(0, 200));
    }
    if (cues->empty()) {
        // The narration always speaks; an empty transcript is the service failing, not silence.
        const std::size_t n = j["segments"].size();
        return Error::External("Whisper (" + hr.url + "): no speech recognised in the narration (" +
                               std::to_string(n) + " segment" + (n == 1 ? "" : "s") +
                               (n ? ", none with words: " + Trim(j["segments"][0].value("text", "")) : "") +
                               "); check the model and the language '" + lang + "'");
    }
    CaptionResult out;
    out.cues = std::move(cues).value();
    out.provenance = Describe();
    out.provenance.parameters = {{"language", lang}, {"api", opts_.api}};
    return out;
}

Provenance WhisperCaptionEngine::Describe() const {
    return Provenance{"whisper", opts_.api == "openai" ? opts_.model : "whisper.cpp", Json::object(), false};
}

HealthCheck CheckWhisper(const WhisperOptions& opts, const HttpClient& http) {
    HealthCheck h{"captions", "whisper", false, ""};
    HttpRequest hr;
    hr.url = JoinUrl(opts.url, opts.api == "openai" ? "/v1/models" : "/health");
    hr.timeout = std::chrono::milliseconds(5000);
    if (!opts.api_key.empty()) hr.headers.push_back({"Authorization", "Bearer " + opts.api_key});
    RetryPolicy once;
    once.max_attempts = 1;
    auto r = CallWithRetry(http, WhisperService(), hr, once, {});
    if (!r.ok()) {
        h.detail = r.error().message;
        return h;
    }
    if (opts.api == "openai") {
        Json j = Json::parse(r->body, nullptr, false);
        if (j.is_object() && j.contains("data") && j["data"].is_array()) {
            for (const auto& m : j["data"]) {
                if (m.is_object() && m.value("id", "") == opts.model) {
                    h.ok = true;
                    h.detail = "Whisper (OpenAI-style) at " + opts.url + " answers; model '" + opts.model + "' installed";
                    return h;
                }
            }
            h.detail = "Whisper at " + opts.url + " answers, but model '" + opts.model + "' is not installed";
            return h;
        }
    }
    h.ok = true;
    h.detail = "Whisper (" + opts.api + ") at " + opts.url + " answers";
    return h;
}

}  // namespace beacon::engines
