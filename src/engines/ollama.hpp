#pragma once
/// Ollama adapters (engine "ollama"): script writer (/api/chat with `format` = the script JSON
/// schema, streamed tokens to the job log, one repair attempt), translator and entity extractor.
#include <chrono>
#include <string>

#include "engines/engines.hpp"
#include "engines/options.hpp"
#include "engines/http_client.hpp"

namespace beacon::engines {

/// A JSON answer found inside a model's reply: the JSON text, and how it was wrapped ("" when the
/// reply was plain JSON; otherwise e.g. "a ```json fence").
struct UnwrappedJson {
    std::string json;
    std::string how;
};

/// Finds the JSON value a model meant: the whole reply, the inside of a markdown fence, or the
/// first balanced {...} inside prose, whichever parses first. A reply without any parseable JSON
/// comes back unchanged (how = ""), so the caller's validation reports it as it was.
UnwrappedJson UnwrapJsonAnswer(const std::string& reply);

/// One chat message.
struct ChatMessage {
    std::string role;
    std::string content;
};

/// A thin /api/chat client shared by the Ollama adapters. Borrows http.
class OllamaChat {
public:
    OllamaChat(OllamaOptions opts, const HttpClient& http) : opts_(std::move(opts)), http_(http) {}
    /// Returns message.content (never `thinking`). With on_token the request streams (NDJSON, lines
    /// may arrive split across reads) and each fragment is passed on; a mid-stream {"error":...}
    /// line fails the call, and so does done_reason "length" (the answer was cut off).
    Result<std::string> Chat(const std::vector<ChatMessage>& messages, const Json& format,
                             const std::function<void(const std::string&)>& on_token,
                             std::stop_token stop) const;
    const OllamaOptions& options() const { return opts_; }
    std::string Url(const std::string& path) const { return JoinUrl(opts_.host, path); }

private:
    OllamaOptions opts_;
    const HttpClient& http_;
};

class OllamaScriptWriter final : public ScriptWriter {
public:
    OllamaScriptWriter(OllamaOptions opts, const HttpClient& http) : chat_(std::move(opts), http) {}
    Result<ScriptResult> Write(const ScriptRequest& req, const LogSink& log,
                               std::stop_token stop) override;
    Provenance Describe() const override;

private:
    OllamaChat chat_;
};

/// Translator and entity extractor take an optional log for notes that have no job log (e.g. that
/// an answer was unwrapped from a markdown fence).
class OllamaTranslator final : public Translator {
public:
    OllamaTranslator(OllamaOptions opts, const HttpClient& http, LogSink log = {})
        : chat_(std::move(opts), http), log_(std::move(log)) {}
    Result<std::string> Translate(const std::string& text, const std::string& from,
                                  const std::string& to, std::stop_token stop) override;
    Provenance Describe() const override;

private:
    OllamaChat chat_;
    LogSink log_;
};

class OllamaEntityExtractor final : public EntityExtractor {
public:
    OllamaEntityExtractor(OllamaOptions opts, const HttpClient& http, LogSink log = {})
        : chat_(std::move(opts), http), log_(std::move(log)) {}
    Result<std::vector<std::string>> Extract(const std::string& text, std::stop_token stop) override;
    Provenance Describe() const override;

private:
    OllamaChat chat_;
    LogSink log_;
};

/// `beacon doctor`: the server answers /api/tags and the model is present.
HealthCheck CheckOllama(const OllamaOptions& opts, const HttpClient& http, const std::string& capability);

}  // namespace beacon::engines
