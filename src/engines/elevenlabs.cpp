#include "engines/elevenlabs.hpp"

#include <cctype>
#include <cstdio>
#include <ctime>
#include <fstream>

namespace beacon::engines {

using core::Error;

namespace {

std::string Scrub(std::string s, const std::string& key) {
    if (key.size() < 4) return s;
    for (std::size_t p = s.find(key); p != std::string::npos; p = s.find(key, p)) s.replace(p, key.size(), "***");
    return s;
}

ServiceCall ElevenService(const std::string& key) {
    return ServiceCall{"ElevenLabs", [key](const HttpResponse& r) {
                           Json j = Json::parse(r.body, nullptr, false);
                           std::string cause;
                           if (j.is_object() && j.contains("detail")) {
                               const Json& d = j["detail"];
                               if (d.is_object()) {
                                   std::string code = d.value("code", "");
                                   std::string status = d.value("status", "");
                                   std::string msg = d.value("message", "");
                                   std::string tag = !code.empty() ? code : status;
                                   cause = (tag.empty() ? "" : tag + ": ") + msg;
                                   if (tag == "quota_exceeded") cause += " (out of credits)";
                                   if (tag == "invalid_api_key") cause += " (check [elevenlabs] api_key)";
                               } else if (d.is_array()) {
                                   for (const auto& e : d) {
                                       std::string loc;
                                       if (e.contains("loc") && e["loc"].is_array()) {
                                           for (const auto& l : e["loc"]) loc += (loc.empty() ? "" : ".") + (l.is_string() ? l.get<std::string>() : l.dump());
                                       }
                                       cause += (cause.empty() ? "" : "; ") + loc + ": " + e.value("msg", "");
                                   }
                                   cause = "validation failed: " + cause;
                               } else if (d.is_string()) {
                                   cause = d.get<std::string>();
                               }
                           }
                           if (cause.empty()) cause = r.body.substr(0, 300);
                           return Scrub(cause, key);
                       }};
}

/// Audio duration from the bytes: WAV header, or CBR MP3 size / bitrate from output_format.
double AudioDuration(const std::string& bytes, const std::string& format) {
    if (bytes.size() > 44 && bytes.compare(0, 4, "RIFF") == 0) {
        auto le = [&](std::size_t off, int n) {
            std::uint32_t v = 0;
            for (int i = 0; i < n; ++i) v |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[off + i])) << (8 * i);
            return v;
        };
        std::uint32_t byte_rate = le(28, 4);
        // find the data chunk
        std::size_t p = 12;
        while (p + 8 <= bytes.size()) {
            std::uint32_t sz = le(p + 4, 4);
            if (bytes.compare(p, 4, "data") == 0) {
                std::size_t avail = std::min<std::size_t>(sz, bytes.size() - p - 8);
                return byte_rate ? static_cast<double>(avail) / byte_rate : 0;
            }
            p += 8 + sz + (sz & 1);
        }
        return 0;
    }
    int rate = 0, kbps = 0;
    if (std::sscanf(format.c_str(), "mp3_%d_%d", &rate, &kbps) == 2 && kbps > 0) {
        return static_cast<double>(bytes.size()) * 8.0 / (kbps * 1000.0);
    }
    return 0;
}

}  // namespace

Result<std::vector<WordTiming>> WordsFromAlignment(const Json& a) {
    if (!a.is_object()) return Error::Invalid("alignment is not an object");
    for (const char* k : {"characters", "character_start_times_seconds", "character_end_times_seconds"}) {
        if (!a.contains(k) || !a[k].is_array()) return Error::Invalid(std::string("alignment lacks '") + k + "'");
    }
    const Json& ch = a["characters"];
    const Json& st = a["character_start_times_seconds"];
    const Json& en = a["character_end_times_seconds"];
    if (ch.size() != st.size() || ch.size() != en.size()) {
        return Error::Invalid("alignment arrays differ in length");
    }
    std::vector<WordTiming> words;
    WordTiming cur;
    bool open = false;
    for (std::size_t i = 0; i < ch.size(); ++i) {
        if (!ch[i].is_string() || !st[i].is_number() || !en[i].is_number()) {
            return Error::Invalid("alignment entry " + std::to_string(i) + " has the wrong type");
        }
        std::string c = ch[i].get<std::string>();
        bool space = c.empty() || std::all_of(c.begin(), c.end(), [](unsigned char x) { return std::isspace(x); });
        if (space) {
            if (open) words.push_back(cur);
            open = false;
            continue;
        }
        if (!open) {
            cur = WordTiming{"", st[i].get<double>(), en[i].get<double>()};
            open = true;
        }
        cur.text += c;
        cur.end = std::max(cur.end, en[i].get<double>());
    }
    if (open) words.push_back(cur);
    double prev = 0;
    for (auto& w : words) {
        w.start = std::max(w.start, prev);
        w.end = std::max(w.end, w.start);
        prev = w.end;
    }
    return words;
}

Result<VoiceResult> ElevenLabsVoiceEngine::Speak(const VoiceRequest& req,
                                                 const std::filesystem::path& out_dir,
                                                 std::stop_token stop) {
    const std::string voice = req.voice.empty() ? opts_.voice_id : req.voice;
    if (opts_.api_key.empty()) return Error::Invalid("ElevenLabs: no API key configured ([elevenlabs] api_key or ELEVEN_API_KEY)");
    if (voice.empty()) return Error::Invalid("ElevenLabs: no voice_id configured ([elevenlabs] voice_id)");
    if (req.text.find_first_not_of(" \t\r\n") == std::string::npos) return Error::Invalid("ElevenLabs: nothing to say (empty text)");
    std::string ext;
    if (opts_.output_format.rfind("mp3_", 0) == 0) ext = ".mp3";
    if (opts_.output_format.rfind("wav_", 0) == 0) ext = ".wav";
    if (ext.empty()) {
        return Error::Invalid("ElevenLabs: output_format '" + opts_.output_format +
                              "' is not supported here; use an mp3_* or wav_* format");
    }
    Json body = {{"text", req.text},
                 {"model_id", opts_.model_id},
                 {"voice_settings",
                  {{"stability", opts_.stability},
                   {"similarity_boost", opts_.similarity_boost},
                   {"style", opts_.style},
                   {"use_speaker_boost", opts_.use_speaker_boost},
                   {"speed", opts_.speed}}}};
    HttpRequest hr;
    hr.method = "POST";
    hr.url = JoinUrl(opts_.base_url, "/v1/text-to-speech/" + UrlEncode(voice) + "/with-timestamps") +
             "?output_format=" + UrlEncode(opts_.output_format);
    hr.headers = {{"xi-api-key", opts_.api_key}, {"Content-Type", "application/json"}, {"Accept", "application/json"}};
    hr.body = body.dump(-1, ' ', false, Json::error_handler_t::replace);
    hr.timeout = opts_.timeout;
    auto r = CallWithRetry(http_, ElevenService(opts_.api_key), hr, opts_.retry, stop);
    if (!r.ok()) {
        Error e = std::move(r).error();
        e.message = Scrub(e.message, opts_.api_key);
        return e;
    }
    Json j = Json::parse(r->body, nullptr, false);
    if (!j.is_object() || !j.contains("audio_base64") || !j["audio_base64"].is_string()) {
        return Error::External("ElevenLabs (" + hr.url + "): unexpected answer (no audio_base64): " +
                               Scrub(r->body.substr(0, 200), opts_.api_key));
    }
    auto audio = Base64Decode(j["audio_base64"].get<std::string>());
    if (!audio.ok() || audio->empty()) {
        return Error::External("ElevenLabs (" + hr.url + "): audio_base64 is not valid base64 audio");
    }
    VoiceResult out;
    const Json* align = nullptr;
    if (j.contains("alignment") && j["alignment"].is_object()) align = &j["alignment"];
    else if (j.contains("normalized_alignment") && j["normalized_alignment"].is_object()) align = &j["normalized_alignment"];
    if (align) {
        auto words = WordsFromAlignment(*align);
        if (!words.ok()) {
            return Error::External("ElevenLabs (" + hr.url + "): bad alignment: " + words.error().message);
        }
        out.words = std::move(words).value();
    }
    out.duration = AudioDuration(*audio, opts_.output_format);
    if (!out.words.empty()) out.duration = std::max(out.duration, out.words.back().end);
    char name[48];
    std::uint64_t h = 1469598103934665603ull;
    for (unsigned char c : voice + "\n" + opts_.model_id + "\n" + req.text) h = (h ^ c) * 1099511628211ull;
    std::snprintf(name, sizeof name, "elevenlabs_%016llx", static_cast<unsigned long long>(h));
    std::error_code ec;
    std::filesystem::create_directories(out_dir, ec);
    out.audio = out_dir / (std::string(name) + ext);
    std::ofstream f(out.audio, std::ios::binary | std::ios::trunc);
    f.write(audio->data(), static_cast<std::streamsize>(audio->size()));
    if (!f) return Error::Unavailable("cannot write " + out.audio.string(), false);
    out.provenance = Describe();
    out.provenance.model = opts_.model_id;
    out.provenance.parameters = {{"voice_id", voice},
                                 {"output_format", opts_.output_format},
                                 {"stability", opts_.stability},
                                 {"similarity_boost", opts_.similarity_boost},
                                 {"speed", opts_.speed}};
    if (auto rid = r->Header("request-id"); !rid.empty()) out.provenance.parameters["request_id"] = rid;
    return out;
}

Result<std::vector<VoiceEngine::Voice>> ElevenLabsVoiceEngine::ListVoices() {
    HttpRequest hr;
    hr.url = JoinUrl(opts_.base_url, "/v1/voices");
    hr.headers = {{"xi-api-key", opts_.api_key}};
    hr.timeout = std::chrono::milliseconds(15000);
    auto r = CallWithRetry(http_, ElevenService(opts_.api_key), hr, opts_.retry, {});
    if (!r.ok()) {
        Error e = std::move(r).error();
        e.message = Scrub(e.message, opts_.api_key);
        return e;
    }
    Json j = Json::parse(r->body, nullptr, false);
    if (!j.is_object() || !j.contains("voices") || !j["voices"].is_array()) {
        return Error::External("ElevenLabs (" + hr.url + "): unexpected answer (no voices)");
    }
    std::vector<Voice> out;
    for (const auto& v : j["voices"]) {
        if (!v.is_object()) continue;
        std::string lang;
        if (v.contains("verified_languages") && v["verified_languages"].is_array() && !v["verified_languages"].empty() &&
            v["verified_languages"][0].is_object()) {
            lang = v["verified_languages"][0].value("language", "");
        }
        if (lang.empty() && v.contains("labels") && v["labels"].is_object()) lang = v["labels"].value("language", "");
        out.push_back({v.value("voice_id", ""), v.value("name", ""), lang});
    }
    return out;
}

Provenance ElevenLabsVoiceEngine::Describe() const {
    return Provenance{"elevenlabs", opts_.model_id, Json::object(), false};
}

HealthCheck CheckElevenLabs(const ElevenLabsOptions& opts, const HttpClient& http) {
    HealthCheck h{"voice", "elevenlabs", false, ""};
    if (opts.api_key.empty()) {
        h.detail = "no API key configured";
        return h;
    }
    if (opts.voice_id.empty()) {
        h.detail = "no voice_id configured";
        return h;
    }
    HttpRequest hr;
    hr.url = JoinUrl(opts.base_url, "/v1/voices/" + UrlEncode(opts.voice_id));
    hr.headers = {{"xi-api-key", opts.api_key}};
    hr.timeout = std::chrono::milliseconds(10000);
    RetryPolicy once;
    once.max_attempts = 1;
    auto r = CallWithRetry(http, ElevenService(opts.api_key), hr, once, {});
    if (!r.ok()) {
        h.detail = Scrub(r.error().message, opts.api_key);
        return h;
    }
    Json j = Json::parse(r->body, nullptr, false);
    h.detail = "ElevenLabs at " + opts.base_url + ": key accepted, voice '" +
               (j.is_object() ? j.value("name", opts.voice_id) : opts.voice_id) + "' exists";
    // The character quota: an exhausted key fails every job, so say so here.
    HttpRequest sub;
    sub.url = JoinUrl(opts.base_url, "/v1/user/subscription");
    sub.headers = {{"xi-api-key", opts.api_key}};
    sub.timeout = std::chrono::milliseconds(10000);
    auto s = CallWithRetry(http, ElevenService(opts.api_key), sub, once, {});
    if (!s.ok()) {
        h.detail += "; the quota is unknown (" + Scrub(s.error().message, opts.api_key) + ")";
        h.ok = true;
        return h;
    }
    Json q = Json::parse(s->body, nullptr, false);
    if (!q.is_object() || !q.contains("character_count") || !q["character_count"].is_number() ||
        !q.contains("character_limit") || !q["character_limit"].is_number()) {
        h.detail += "; the quota is unknown (unexpected /v1/user/subscription answer)";
        h.ok = true;
        return h;
    }
    const auto used = q["character_count"].get<std::int64_t>();
    const auto limit = q["character_limit"].get<std::int64_t>();
    const auto left = std::max<std::int64_t>(0, limit - used);
    std::string reset;
    if (q.contains("next_character_count_reset_unix") && q["next_character_count_reset_unix"].is_number_integer()) {
        std::time_t t = q["next_character_count_reset_unix"].get<std::int64_t>();
        char buf[32];
        std::tm tm{};
        if (gmtime_r(&t, &tm) && std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm)) reset = buf;
    }
    h.detail += "; " + std::to_string(left) + " of " + std::to_string(limit) + " characters left" +
                (q.value("tier", "").empty() ? "" : " (" + q.value("tier", "") + " tier)") +
                (reset.empty() ? "" : ", resets " + reset);
    h.ok = left > 0;
    if (!h.ok) h.detail += ": the quota is used up, so every job would fail";
    return h;
}

}  // namespace beacon::engines
