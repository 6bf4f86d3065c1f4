#include "core/model.hpp"

#include <chrono>
#include <cctype>
#include <cmath>
#include <ctime>
#include <regex>
#include <set>

#include "core/object_keys.hpp"

namespace beacon::core {

UnixMillis NowMillis() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string FormatTimestamp(UnixMillis t) {
    std::time_t secs = static_cast<std::time_t>(t / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[80];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<int>(((t % 1000) + 1000) % 1000));
    return buf;
}

std::string_view ToString(JobState s) {
    switch (s) {
        case JobState::kQueued: return "queued";
        case JobState::kGeneratingScript: return "generating_script";
        case JobState::kRenderingPreview: return "rendering_preview";
        case JobState::kRenderingFinal: return "rendering_final";
        case JobState::kComposing: return "composing";
        case JobState::kCompleted: return "completed";
        case JobState::kFailed: return "failed";
        case JobState::kCanceled: return "canceled";
    }
    return "failed";
}

std::optional<JobState> ParseJobState(std::string_view s) {
    for (auto st : {JobState::kQueued, JobState::kGeneratingScript, JobState::kRenderingPreview,
                    JobState::kRenderingFinal, JobState::kComposing, JobState::kCompleted,
                    JobState::kFailed, JobState::kCanceled}) {
        if (ToString(st) == s) return st;
    }
    return std::nullopt;
}

bool IsTerminal(JobState s) {
    return s == JobState::kCompleted || s == JobState::kFailed || s == JobState::kCanceled;
}

namespace {

std::size_t Utf8Length(const std::string& s) {
    std::size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
}

Result<std::string> StringField(const Json& body, const char* name, std::size_t max_chars,
                                bool required) {
    auto it = body.find(name);
    if (it == body.end() || it->is_null()) {
        if (required) return Error::Invalid(std::string("field '") + name + "' is required");
        return std::string();
    }
    if (!it->is_string()) return Error::Invalid(std::string("field '") + name + "' must be a string");
    std::string v = it->get<std::string>();
    if (Utf8Length(v) > max_chars) {
        return Error::Invalid(std::string("field '") + name + "' is longer than " +
                              std::to_string(max_chars) + " characters");
    }
    return v;
}

}  // namespace

Result<GenerateRequest> ParseGenerateRequest(const Json& body) {
    if (!body.is_object()) return Error::Invalid("the request body must be a JSON object");
    static const std::set<std::string> kKnown = {"prompt",   "title",           "style",
                                                 "voice",    "language",        "duration_target",
                                                 "output_preset", "produce_preview"};
    for (const auto& [k, _] : body.items()) {
        if (!kKnown.contains(k)) return Error::Invalid("unknown field '" + k + "'");
    }
    GenerateRequest r;
    BEACON_TRY(prompt, StringField(body, "prompt", kMaxPromptChars, true));
    auto first = prompt.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return Error::Invalid("field 'prompt' must not be empty");
    r.prompt = std::move(prompt);
    BEACON_TRY(title, StringField(body, "title", kMaxTitleChars, false));
    r.title = std::move(title);
    BEACON_TRY(style, StringField(body, "style", 64, false));
    if (!style.empty()) r.style = std::move(style);
    BEACON_TRY(voice, StringField(body, "voice", 128, false));
    r.voice = std::move(voice);
    BEACON_TRY(language, StringField(body, "language", 16, false));
    if (!language.empty()) {
        static const std::regex kLang("^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$");
        if (!std::regex_match(language, kLang)) {
            return Error::Invalid("field 'language' must be a language code such as 'en' or 'es'");
        }
        r.language = std::move(language);
    }
    if (auto it = body.find("duration_target"); it != body.end() && !it->is_null()) {
        if (!it->is_number()) return Error::Invalid("field 'duration_target' must be a number");
        double d = it->get<double>();
        if (!std::isfinite(d) || d < kMinDurationSeconds || d > kMaxDurationSeconds) {
            return Error::Invalid("field 'duration_target' must be between 1 and 600 seconds");
        }
        r.duration_target = d;
    }
    BEACON_TRY(preset, StringField(body, "output_preset", 16, false));
    if (!preset.empty()) {
        if (preset != "480p" && preset != "720p" && preset != "1080p") {
            return Error::Invalid("field 'output_preset' must be one of 480p, 720p, 1080p");
        }
        r.output_preset = std::move(preset);
    }
    if (auto it = body.find("produce_preview"); it != body.end() && !it->is_null()) {
        if (!it->is_boolean()) return Error::Invalid("field 'produce_preview' must be true or false");
        r.produce_preview = it->get<bool>();
    }
    return r;
}

namespace {
std::string PrimaryLanguage(std::string_view code) {
    std::string out(code.substr(0, code.find_first_of("-_")));
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}
}  // namespace

Status CheckVoiceAndLanguage(const GenerateRequest& r, const Json& voices) {
    if (!voices.is_array()) return {};
    std::set<std::string> languages;
    bool every_voice_says = true;
    std::string ids;
    bool voice_found = r.voice.empty();
    for (const auto& v : voices) {
        if (!v.is_object()) continue;
        const std::string id = v.value("id", "");
        const std::string lang = PrimaryLanguage(v.value("language", ""));
        if (lang.empty()) {
            every_voice_says = false;
        } else {
            languages.insert(lang);
        }
        if (id == r.voice) voice_found = true;
        if (ids.size() < 400) ids += (ids.empty() ? "" : ", ") + id;
    }
    if (!voice_found) {
        return Error::Invalid("unknown voice '" + r.voice + "'; available voices: " +
                              (ids.empty() ? "none" : ids) + " (GET /api/v1/voices)");
    }
    if (every_voice_says && !languages.empty() &&
        !languages.contains(PrimaryLanguage(r.language))) {
        std::string list;
        for (const auto& l : languages) list += (list.empty() ? "" : ", ") + l;
        return Error::Invalid("language '" + r.language +
                              "' is not supported by the voice engine; supported languages: " +
                              list);
    }
    return {};
}

Json ToJson(const GenerateRequest& r) {
    return Json{{"prompt", r.prompt},
                {"title", r.title},
                {"style", r.style},
                {"voice", r.voice},
                {"language", r.language},
                {"duration_target", r.duration_target},
                {"output_preset", r.output_preset},
                {"produce_preview", r.produce_preview}};
}

Json ToJson(const Job& j) {
    Json out = {{"id", j.id},
                {"job_id", j.id},
                {"user_id", j.user_id},
                {"prompt", j.request.prompt},
                {"prompt_text", j.request.prompt},
                {"title", j.request.title},
                {"style", j.request.style},
                {"voice", j.request.voice},
                {"language", j.request.language},
                {"duration_target", j.request.duration_target},
                {"output_preset", j.request.output_preset},
                {"produce_preview", j.request.produce_preview},
                {"status", ToString(j.status)},
                {"progress", j.progress},
                {"created_at", FormatTimestamp(j.created_at)},
                {"updated_at", FormatTimestamp(j.updated_at)},
                {"preview_url", j.preview_url.empty() ? Json() : Json(j.preview_url)},
                {"final_url", j.final_url.empty() ? Json() : Json(j.final_url)},
                {"thumbnail_url", j.thumbnail_url.empty() ? Json() : Json(j.thumbnail_url)},
                {"vtt_url", j.vtt_url.empty() ? Json() : Json(j.vtt_url)},
                {"error", j.error_log.empty() ? Json() : Json{{"code", j.error_code},
                                                               {"message", j.error_log}}},
                {"error_log", j.error_log},
                {"attempts", j.attempts},
                {"cancel_requested", j.cancel_requested},
                {"content_id", j.content_id ? Json(*j.content_id) : Json()},
                {"kind", j.kind},
                {"batch_id", j.batch_id ? Json(*j.batch_id) : Json()}};
    if (j.kind != JobKind::kGenerate) out["params"] = j.params;
    return out;
}

Json ToJson(const Script& s) {
    Json scenes = Json::array();
    for (const auto& sc : s.scenes) {
        scenes.push_back({{"id", sc.id},
                          {"description", sc.description},
                          {"shot_type", sc.shot_type},
                          {"camera", sc.camera},
                          {"duration", sc.duration},
                          {"actions", sc.actions},
                          {"lines", sc.lines}});
    }
    return Json{{"title", s.title}, {"description", s.description}, {"scenes", scenes}};
}

Result<Script> ParseScript(const Json& j) {
    if (!j.is_object()) return Error::Invalid("script: expected a JSON object");
    Script s;
    if (!j.contains("title") || !j["title"].is_string() || j["title"].get<std::string>().empty()) {
        return Error::Invalid("script: 'title' must be a non-empty string");
    }
    s.title = j["title"].get<std::string>();
    if (j.contains("description") && j["description"].is_string()) {
        s.description = j["description"].get<std::string>();
    }
    if (!j.contains("scenes") || !j["scenes"].is_array() || j["scenes"].empty()) {
        return Error::Invalid("script: 'scenes' must be a non-empty array");
    }
    int n = 0;
    for (const auto& js : j["scenes"]) {
        ++n;
        std::string where = "script: scene " + std::to_string(n) + ": ";
        if (!js.is_object()) return Error::Invalid(where + "expected an object");
        Scene sc;
        sc.id = js.value("id", n);
        if (!js.contains("description") || !js["description"].is_string() ||
            js["description"].get<std::string>().empty()) {
            return Error::Invalid(where + "'description' must be a non-empty string");
        }
        sc.description = js["description"].get<std::string>();
        if (js.contains("shot_type") && js["shot_type"].is_string())
            sc.shot_type = js["shot_type"].get<std::string>();
        if (js.contains("camera") && js["camera"].is_string())
            sc.camera = js["camera"].get<std::string>();
        if (!js.contains("duration") || !js["duration"].is_number() ||
            !(js["duration"].get<double>() > 0)) {
            return Error::Invalid(where + "'duration' must be a positive number of seconds");
        }
        sc.duration = js["duration"].get<double>();
        auto strings = [&](const char* key, std::vector<std::string>& out) -> Status {
            if (!js.contains(key)) return {};
            if (!js[key].is_array()) return Error::Invalid(where + "'" + key + "' must be an array");
            for (const auto& x : js[key]) {
                if (!x.is_string()) return Error::Invalid(where + "'" + key + "' must hold strings");
                out.push_back(x.get<std::string>());
            }
            return {};
        };
        BEACON_CHECK(strings("actions", sc.actions));
        BEACON_CHECK(strings("lines", sc.lines));
        // The brief's own template calls them "dialog": accept it as lines.
        if (sc.lines.empty()) BEACON_CHECK(strings("dialog", sc.lines));
        if (sc.lines.empty()) return Error::Invalid(where + "'lines' must hold at least one line");
        s.scenes.push_back(std::move(sc));
    }
    return s;
}

Status ValidateScript(const Script& s) {
    if (s.title.empty()) return Error::Invalid("script: 'title' must be a non-empty string");
    if (s.scenes.empty()) return Error::Invalid("script: 'scenes' must be a non-empty array");
    int n = 0;
    for (const auto& sc : s.scenes) {
        ++n;
        const std::string where = "script: scene " + std::to_string(n) + ": ";
        if (sc.description.empty())
            return Error::Invalid(where + "'description' must be a non-empty string");
        if (!(sc.duration > 0))
            return Error::Invalid(where + "'duration' must be a positive number of seconds");
        if (sc.lines.empty()) return Error::Invalid(where + "'lines' must hold at least one line");
    }
    return {};
}

Json ToJson(const Content& c) {
    return Json{{"id", c.id},
                {"owner_id", c.owner_id},
                {"job_id", c.job_id ? Json(*c.job_id) : Json()},
                {"title", c.title},
                {"description", c.description},
                {"prompt", c.prompt},
                {"mp4_url", object_keys::MediaUrl(c.mp4_key)},
                {"hls_url", object_keys::MediaUrl(c.hls_key)},
                {"thumbnail", object_keys::MediaUrl(c.thumbnail_key)},
                {"poster", object_keys::MediaUrl(c.poster_key)},
                {"preview_url", object_keys::MediaUrl(c.preview_key)},
                {"vtt_url", object_keys::MediaUrl(c.vtt_key)},
                {"chapters_url", object_keys::MediaUrl(c.chapters_key)},
                {"duration", c.duration},
                {"languages", c.languages},
                {"published", c.published},
                {"visibility", c.visibility},
                {"transcript", c.transcript},
                {"script", c.script},
                {"entities", c.entities},
                {"created_at", FormatTimestamp(c.created_at)},
                {"updated_at", FormatTimestamp(c.updated_at)}};
}

Json ToJson(const Playlist& p) {
    return Json{{"id", p.id},
                {"slug", p.slug},
                {"title", p.title},
                {"items", p.items},
                {"loop_mode", p.loop_mode},
                {"active", p.active},
                {"hls_endpoint", p.hls_endpoint},
                {"scheduled_slots", p.scheduled_slots},
                {"inserts", p.inserts},
                {"created_at", FormatTimestamp(p.created_at)},
                {"updated_at", FormatTimestamp(p.updated_at)}};
}

Json ToJson(const Asset& a) {
    return Json{{"id", a.id},
                {"job_id", a.job_id ? Json(*a.job_id) : Json()},
                {"content_id", a.content_id ? Json(*a.content_id) : Json()},
                {"kind", a.kind},
                {"hash", a.hash},
                {"key", a.key},
                {"mime", a.mime},
                {"size", a.size},
                {"engine", a.engine},
                {"model", a.model},
                {"parameters", a.parameters},
                {"created_at", FormatTimestamp(a.created_at)}};
}

Json ToJson(const JobLogLine& l) {
    return Json{{"id", l.id},           {"job_id", l.job_id},   {"at", FormatTimestamp(l.at)},
                {"stage", l.stage},     {"level", l.level},     {"message", l.message}};
}

}  // namespace beacon::core
