#pragma once
/// A small blocking HTTP client on libcurl for the remote engine adapters, plus the retry policy
/// every adapter shares. Thread-safe: one HttpClient may serve many threads at once.
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "engines/options.hpp"

namespace beacon::engines {

/// One field of a multipart/form-data body: a value, or a file (path) sent with a filename.
struct FormPart {
    std::string name;
    std::string value;                 // used when file is empty
    std::filesystem::path file;        // sent from disk when set
    std::string filename;              // defaults to file's name
    std::string content_type;          // optional
};

struct HttpRequest {
    std::string method = "GET";
    std::string url;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;                  // sent as is (set Content-Type in headers)
    std::vector<FormPart> form;        // non-empty: the body is multipart/form-data instead
    std::chrono::milliseconds timeout{60000};          // whole exchange
    std::chrono::milliseconds connect_timeout{10000};
    /// Streaming: called with each chunk of the body as it arrives (the body is then not kept in
    /// HttpResponse::body unless the status is an error). Return false to abort the transfer.
    std::function<bool(std::string_view)> on_data;
};

struct HttpResponse {
    long status = 0;
    std::string body;
    std::map<std::string, std::string> headers;  // names lower-cased; last value wins
    std::string Header(const std::string& lower_name) const;
};

/// Transport failures (unreachable, reset, timeout, canceled) are Errors; any HTTP status is a
/// response. Errors name the URL and curl's cause; they never include request headers.
class HttpClient {
public:
    HttpClient();
    core::Result<HttpResponse> Send(const HttpRequest& req, std::stop_token stop = {}) const;
};

/// Describes a service for error messages: "Ollama (http://127.0.0.1:11434/api/chat): ...".
struct ServiceCall {
    std::string service;  // "Ollama", "ComfyUI", "ElevenLabs", "Whisper"
    /// Extracts the human cause from an error response body (service-specific JSON shapes).
    std::function<std::string(const HttpResponse&)> describe_error;
};

/// Sends req, retrying per policy; a non-2xx status becomes an Error whose code follows the
/// status (401 unauthorized, 403 forbidden, 404 not found, 400/422 invalid, 429 rate limited,
/// 5xx external+retryable). The message names service, URL and cause. Waits honour stop.
core::Result<HttpResponse> CallWithRetry(const HttpClient& http, const ServiceCall& svc,
                                         const HttpRequest& req, const RetryPolicy& policy,
                                         std::stop_token stop);

/// Maps a non-2xx response to an Error (without retrying); exposed for adapters and tests.
core::Error ErrorFromResponse(const ServiceCall& svc, const std::string& url,
                              const HttpResponse& resp);

/// Parses Retry-After (delta seconds or an HTTP date) into a wait; 0 when absent/unparseable.
std::chrono::milliseconds ParseRetryAfter(const std::string& value);

/// Sleeps for d unless stop is requested first; returns false when stopped.
bool SleepFor(std::chrono::milliseconds d, std::stop_token stop);

/// Joins a base URL ("http://h:1/" or "http://h:1") and a path ("/api/chat").
std::string JoinUrl(const std::string& base, const std::string& path);

/// Percent-encodes a query/path component.
std::string UrlEncode(std::string_view s);

/// Base64 (standard alphabet, padding tolerant). Decode fails on invalid characters.
core::Result<std::string> Base64Decode(std::string_view in);
std::string Base64Encode(std::string_view in);

}  // namespace beacon::engines
