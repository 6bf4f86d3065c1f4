#include "engines/ollama.hpp"

#include <sstream>

#include "engines/planner.hpp"

namespace beacon::engines {

using core::Error;
using core::ErrorCode;

namespace {

ServiceCall OllamaService(const std::string& model) {
    return ServiceCall{"Ollama", [model](const HttpResponse& r) {
                           Json j = Json::parse(r.body, nullptr, false);
                           std::string cause;
                           if (j.is_object() && j.contains("error") && j["error"].is_string()) {
                               cause = j["error"].get<std::string>();
                           } else {
                               cause = r.body.substr(0, 300);
                           }
                           if (r.status == 404) cause += " (is model '" + model + "' pulled? try: ollama pull " + model + ")";
                           return cause;
                       }};
}

std::string Truncate(const std::string& s, std::size_t n) {
    return s.size() <= n ? s : s.substr(0, n) + "…";
}

/// Names match when equal, or when one omits the ":latest" tag.
bool SameModel(const std::string& a, const std::string& b) {
    auto norm = [](const std::string& s) { return s.find(':') == std::string::npos ? s + ":latest" : s; };
    return norm(a) == norm(b);
}

std::string TrimSpace(const std::string& s) {
    auto b = s.find_first_not_of(" \t\r\n");
    auto e = s.find_last_not_of(" \t\r\n");
    return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

/// The end of the balanced {...} or [...] that starts at `open`, honouring JSON strings; npos if none.
std::size_t BalancedEnd(const std::string& s, std::size_t open) {
    int depth = 0;
    bool in_string = false;
    for (std::size_t i = open; i < s.size(); ++i) {
        const char c = s[i];
        if (in_string) {
            if (c == '\\') ++i;
            else if (c == '"') in_string = false;
            continue;
        }
        if (c == '"') in_string = true;
        else if (c == '{' || c == '[') ++depth;
        else if ((c == '}' || c == ']') && --depth == 0) return i;
    }
    return std::string::npos;
}

std::string ErrorText(const Json& e) { return e.is_string() ? e.get<std::string>() : e.dump(); }

/// Notes an unwrapped answer in the log (when there is one).
void NoteUnwrapped(const LogSink& log, const std::string& what, const UnwrappedJson& u) {
    if (log && !u.how.empty()) log("ollama: the " + what + " answer came wrapped in " + u.how + "; using the JSON inside");
}

}  // namespace

UnwrappedJson UnwrapJsonAnswer(const std::string& reply) {
    const std::string trimmed = TrimSpace(reply);
    if (Json::accept(trimmed)) return {trimmed, ""};
    // A markdown fence: ```json\n...\n``` (the language tag is optional), maybe amid prose.
    if (auto open = trimmed.find("```"); open != std::string::npos) {
        auto body = trimmed.find('\n', open);
        auto close = body == std::string::npos ? std::string::npos : trimmed.find("```", body);
        if (close != std::string::npos) {
            std::string tag = TrimSpace(trimmed.substr(open + 3, body - open - 3));
            std::string inner = TrimSpace(trimmed.substr(body + 1, close - body - 1));
            if (Json::accept(inner)) {
                return {inner, "a ```" + tag + " fence" +
                                   (open > 0 || close + 3 < trimmed.size() ? " with prose around it" : "")};
            }
        }
    }
    // Prose before or after: the first balanced object (or array) that parses.
    for (std::size_t p = trimmed.find_first_of("{["); p != std::string::npos;
         p = trimmed.find_first_of("{[", p + 1)) {
        auto end = BalancedEnd(trimmed, p);
        if (end == std::string::npos) continue;
        std::string inner = trimmed.substr(p, end - p + 1);
        if (Json::accept(inner)) return {inner, "prose"};
    }
    return {reply, ""};
}

Result<std::string> OllamaChat::Chat(const std::vector<ChatMessage>& messages, const Json& format,
                                     const std::function<void(const std::string&)>& on_token,
                                     std::stop_token stop) const {
    Json msgs = Json::array();
    for (const auto& m : messages) msgs.push_back({{"role", m.role}, {"content", m.content}});
    const bool stream = static_cast<bool>(on_token);
    Json body = {{"model", opts_.model},
                 {"messages", msgs},
                 {"stream", stream},
                 {"think", false},
                 {"keep_alive", opts_.keep_alive},
                 {"options", {{"temperature", 0}}}};
    if (!format.is_null()) body["format"] = format;
    HttpRequest req;
    req.method = "POST";
    req.url = Url("/api/chat");
    req.headers = {{"Content-Type", "application/json"}};
    req.body = body.dump(-1, ' ', false, Json::error_handler_t::replace);
    req.timeout = opts_.timeout;

    std::string content;
    std::string pending;
    std::string stream_error;
    std::string done_reason;
    bool done = false;
    bool garbage = false;
    if (stream) {
        req.on_data = [&](std::string_view chunk) {
            pending.append(chunk);
            std::size_t nl;
            while ((nl = pending.find('\n')) != std::string::npos) {
                std::string line = pending.substr(0, nl);
                pending.erase(0, nl + 1);
                if (line.find_first_not_of(" \r\t") == std::string::npos) continue;
                Json j = Json::parse(line, nullptr, false);
                if (!j.is_object()) {
                    garbage = true;
                    stream_error = "unparseable stream line: " + Truncate(line, 200);
                    return false;
                }
                if (j.contains("error")) {
                    stream_error = ErrorText(j["error"]);
                    return false;
                }
                if (j.contains("done_reason") && j["done_reason"].is_string()) done_reason = j["done_reason"];
                if (j.contains("message") && j["message"].is_object() &&
                    j["message"].contains("content") && j["message"]["content"].is_string()) {
                    std::string frag = j["message"]["content"].get<std::string>();
                    if (!frag.empty()) {
                        content += frag;
                        on_token(frag);
                    }
                }
                if (j.value("done", false)) done = true;
            }
            return true;
        };
    }
    auto svc = OllamaService(opts_.model);
    auto r = CallWithRetry(http_, svc, req, opts_.retry, stop);
    if (!r.ok()) {
        Error e = std::move(r).error();
        if (!stream_error.empty() && e.code == ErrorCode::kCanceled && !stop.stop_requested()) {
            return Error::External("Ollama (" + req.url + "): model '" + opts_.model +
                                   "' failed mid-answer: " + stream_error, !garbage);
        }
        return e;
    }
    if (stream) {
        if (!pending.empty() && pending.find_first_not_of(" \r\n\t") != std::string::npos) {
            Json j = Json::parse(pending, nullptr, false);
            if (j.is_object() && j.contains("error")) {
                return Error::External("Ollama (" + req.url + "): model '" + opts_.model +
                                       "' failed mid-answer: " + ErrorText(j["error"]), true);
            }
            if (j.is_object() && j.value("done", false)) {
                done = true;
                if (j.contains("done_reason") && j["done_reason"].is_string()) done_reason = j["done_reason"];
            }
        }
        if (!done) {
            return Error::External("Ollama (" + req.url + "): the stream ended without a final done line", true);
        }
    } else {
        Json j = Json::parse(r->body, nullptr, false);
        if (!j.is_object() || !j.contains("message") || !j["message"].is_object() ||
            !j["message"].contains("content") || !j["message"]["content"].is_string()) {
            return Error::External("Ollama (" + req.url + "): unexpected answer (no message.content): " +
                                   Truncate(r->body, 300));
        }
        content = j["message"]["content"].get<std::string>();
        if (j.contains("done_reason") && j["done_reason"].is_string()) done_reason = j["done_reason"];
    }
    if (done_reason == "length") {
        return Error::External("Ollama (" + req.url + "): model '" + opts_.model +
                               "' stopped at its length limit (done_reason \"length\"), so the answer is cut off: " +
                               Truncate(content, 300) + " (raise num_ctx/num_predict or ask for less)");
    }
    return content;
}

Provenance OllamaScriptWriter::Describe() const {
    return Provenance{"ollama", chat_.options().model, Json::object(), false};
}

Result<ScriptResult> OllamaScriptWriter::Write(const ScriptRequest& req, const LogSink& log,
                                               std::stop_token stop) {
    if (req.prompt.empty()) return Error::Invalid("Ollama script writer: the prompt is empty");
    const Json schema = ScriptJsonSchema();
    std::ostringstream sys;
    const int scenes = PlannedSceneCount(req.prompt, req.duration_target);
    sys << "You write scripts for short narrated videos. Answer with exactly one JSON object and "
           "nothing else, matching this JSON schema:\n"
        << schema.dump() << "\nRules: " << scenes << " scene(s)"
        << (RequestedSceneCount(req.prompt) ? " (as the user asked)" : "")
        << "; scene durations are seconds and must sum to exactly " << req.duration_target
        << "; about 2.5 words of narration per second of scene; 1-2 narration lines per scene in "
           "language '"
        << (req.language.empty() ? "en" : req.language)
        << "'; each description says what the picture shows (setting, focal subject, light, "
           "palette)."
        << (req.title.empty() ? "" : " Use the title \"" + req.title + "\".");
    std::string user = "Prompt: " + req.prompt + "\nStyle: " + (req.style.empty() ? "cinematic" : req.style);
    std::vector<ChatMessage> msgs = {{"system", sys.str()}, {"user", user}};

    std::string line_buf;
    auto on_token = [&](const std::string& frag) {
        if (!log) return;
        line_buf += frag;
        std::size_t nl;
        while ((nl = line_buf.find('\n')) != std::string::npos) {
            if (nl > 0) log(line_buf.substr(0, nl));
            line_buf.erase(0, nl + 1);
        }
        if (line_buf.size() >= 120) {
            log(line_buf);
            line_buf.clear();
        }
    };
    auto flush = [&] {
        if (log && !line_buf.empty()) log(line_buf);
        line_buf.clear();
    };
    const std::string url = chat_.Url("/api/chat");
    if (log) log("ollama: writing the script with model '" + chat_.options().model + "' at " + url);
    BEACON_TRY(raw, chat_.Chat(msgs, schema, on_token, stop));
    flush();
    auto unwrapped = UnwrapJsonAnswer(raw);
    NoteUnwrapped(log, "script", unwrapped);
    auto parsed = ValidateScriptAnswer(unwrapped.json, req.duration_target, true);
    std::string final_raw = raw;
    if (!parsed.ok()) {
        if (log) log("ollama: the answer failed validation (" + parsed.error().message + "); one repair attempt");
        msgs.push_back({"assistant", raw});
        msgs.push_back({"user", "That answer is invalid: " + parsed.error().message +
                                    ". Reply with only the corrected JSON object that matches the schema."});
        BEACON_TRY(raw2, chat_.Chat(msgs, schema, on_token, stop));
        flush();
        final_raw = raw2;
        auto unwrapped2 = UnwrapJsonAnswer(raw2);
        NoteUnwrapped(log, "script", unwrapped2);
        parsed = ValidateScriptAnswer(unwrapped2.json, req.duration_target, true);
        if (!parsed.ok()) {
            return Error::External("Ollama (" + url + ") model '" + chat_.options().model +
                                   "': the script failed validation after one repair attempt: " +
                                   parsed.error().message + "; raw answer: " + Truncate(raw2, 4000));
        }
    }
    ScriptResult out;
    out.script = std::move(parsed).value();
    if (!req.title.empty()) out.script.title = req.title;
    out.provenance = Describe();
    out.provenance.parameters = {{"duration_target", req.duration_target},
                                 {"style", req.style},
                                 {"language", req.language},
                                 {"temperature", 0}};
    out.raw = final_raw;
    return out;
}

Provenance OllamaTranslator::Describe() const {
    return Provenance{"ollama", chat_.options().model, Json::object(), false};
}

Result<std::string> OllamaTranslator::Translate(const std::string& text, const std::string& from,
                                                const std::string& to, std::stop_token stop) {
    if (text.empty()) return std::string();
    Json schema = {{"type", "object"},
                   {"properties", {{"translation", {{"type", "string"}}}}},
                   {"required", {"translation"}}};
    std::vector<ChatMessage> msgs = {
        {"system", "You translate text from language '" + from + "' to language '" + to +
                       "'. Keep meaning, tone and punctuation; translate everything. Answer as JSON: "
                       "{\"translation\": \"...\"}."},
        {"user", text}};
    BEACON_TRY(raw, chat_.Chat(msgs, schema, nullptr, stop));
    auto unwrapped = UnwrapJsonAnswer(raw);
    NoteUnwrapped(log_, "translation", unwrapped);
    Json j = Json::parse(unwrapped.json, nullptr, false);
    if (!j.is_object() || !j.contains("translation") || !j["translation"].is_string()) {
        return Error::External("Ollama (" + chat_.Url("/api/chat") + ") model '" + chat_.options().model +
                               "': translation answer does not match the schema: " + Truncate(raw, 300));
    }
    return j["translation"].get<std::string>();
}

Provenance OllamaEntityExtractor::Describe() const {
    return Provenance{"ollama", chat_.options().model, Json::object(), false};
}

Result<std::vector<std::string>> OllamaEntityExtractor::Extract(const std::string& text,
                                                                std::stop_token stop) {
    if (text.empty()) return std::vector<std::string>{};
    Json schema = {{"type", "object"},
                   {"properties", {{"entities", {{"type", "array"}, {"items", {{"type", "string"}}}}}}},
                   {"required", {"entities"}}};
    std::vector<ChatMessage> msgs = {
        {"system", "List the named entities (people, places, organisations, works, events) in the "
                   "user's text, each once, as written. Answer as JSON: {\"entities\": [...]}."},
        {"user", text}};
    BEACON_TRY(raw, chat_.Chat(msgs, schema, nullptr, stop));
    auto unwrapped = UnwrapJsonAnswer(raw);
    NoteUnwrapped(log_, "entities", unwrapped);
    Json j = Json::parse(unwrapped.json, nullptr, false);
    if (!j.is_object() || !j.contains("entities") || !j["entities"].is_array()) {
        return Error::External("Ollama (" + chat_.Url("/api/chat") + ") model '" + chat_.options().model +
                               "': entities answer does not match the schema: " + Truncate(raw, 300));
    }
    std::vector<std::string> out;
    for (const auto& e : j["entities"]) {
        if (e.is_string() && !e.get<std::string>().empty() &&
            std::find(out.begin(), out.end(), e.get<std::string>()) == out.end()) {
            out.push_back(e.get<std::string>());
        }
    }
    return out;
}

HealthCheck CheckOllama(const OllamaOptions& opts, const HttpClient& http, const std::string& capability) {
    HealthCheck h{capability, "ollama", false, ""};
    HttpRequest req;
    req.url = JoinUrl(opts.host, "/api/tags");
    req.timeout = std::chrono::milliseconds(5000);
    RetryPolicy once;
    once.max_attempts = 1;
    auto r = CallWithRetry(http, OllamaService(opts.model), req, once, {});
    if (!r.ok()) {
        h.detail = r.error().message;
        return h;
    }
    Json j = Json::parse(r->body, nullptr, false);
    if (!j.is_object() || !j.contains("models") || !j["models"].is_array()) {
        h.detail = "Ollama (" + req.url + "): unexpected answer: " + Truncate(r->body, 200);
        return h;
    }
    std::string names;
    for (const auto& m : j["models"]) {
        std::string name = m.value("name", m.value("model", ""));
        if (SameModel(name, opts.model)) {
            h.ok = true;
            h.detail = "Ollama at " + opts.host + " answers; model '" + opts.model + "' is present";
            return h;
        }
        names += (names.empty() ? "" : ", ") + name;
    }
    h.detail = "Ollama at " + opts.host + " answers, but model '" + opts.model +
               "' is not pulled (have: " + (names.empty() ? "none" : names) + "); run: ollama pull " + opts.model;
    return h;
}

}  // namespace beacon::engines
