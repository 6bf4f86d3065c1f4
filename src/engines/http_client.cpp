#include "engines/http_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <condition_variable>
#include <ctime>
#include <mutex>

#include <nlohmann/json.hpp>

#include "core/http_date.hpp"

namespace beacon::engines {

using core::Error;
using core::ErrorCode;
using core::Result;

namespace {

struct TransferState {
    const HttpRequest* req = nullptr;
    HttpResponse* resp = nullptr;
    std::stop_token stop;
    bool aborted_by_sink = false;
    bool status_known = false;
};

std::size_t OnHeader(char* data, std::size_t size, std::size_t n, void* user) {
    auto* st = static_cast<TransferState*>(user);
    std::string line(data, size * n);
    if (line.rfind("HTTP/", 0) == 0) {
        st->resp->headers.clear();  // a new response (after 100-continue or redirect)
        auto sp = line.find(' ');
        int code = sp == std::string::npos ? 0 : std::atoi(line.substr(sp + 1, 3).c_str());
        st->status_known = code >= 200 && code < 300;
        return size * n;
    }
    auto colon = line.find(':');
    if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        std::string value = line.substr(colon + 1);
        auto b = value.find_first_not_of(" \t");
        auto e = value.find_last_not_of(" \t\r\n");
        value = b == std::string::npos ? "" : value.substr(b, e - b + 1);
        st->resp->headers[name] = value;
    }
    return size * n;
}

std::size_t OnBody(char* data, std::size_t size, std::size_t n, void* user) {
    auto* st = static_cast<TransferState*>(user);
    std::string_view chunk(data, size * n);
    // Only successful bodies stream; error bodies are kept for the error message.
    if (st->req->on_data && st->status_known) {
        if (!st->req->on_data(chunk)) {
            st->aborted_by_sink = true;
            return 0;
        }
        return size * n;
    }
    st->resp->body.append(chunk);
    return size * n;
}

int OnProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    auto* st = static_cast<TransferState*>(user);
    return st->stop.stop_requested() ? 1 : 0;
}

/// "no answer within 30 s": the limit that ran out (connecting, or the whole exchange).
std::string NoAnswerWithin(const HttpRequest& req, bool connected) {
    auto ms = (connected ? req.timeout : std::min(req.connect_timeout, req.timeout)).count();
    char secs[32];
    if (ms % 1000 == 0) std::snprintf(secs, sizeof secs, "%lld", static_cast<long long>(ms / 1000));
    else std::snprintf(secs, sizeof secs, "%.1f", static_cast<double>(ms) / 1000.0);
    return std::string(connected ? "no answer" : "no connection") + " within " + secs + " s";
}

std::string Trim(const std::string& s) {
    auto b = s.find_first_not_of(" \t\r\n");
    auto e = s.find_last_not_of(" \t\r\n");
    return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

}  // namespace

std::string HttpResponse::Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? "" : it->second;
}

HttpClient::HttpClient() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

Result<HttpResponse> HttpClient::Send(const HttpRequest& req, std::stop_token stop) const {
    if (stop.stop_requested()) return Error::Canceled("canceled before " + req.url);
    CURL* curl = curl_easy_init();
    if (!curl) return Error::Internal("curl_easy_init failed");
    HttpResponse resp;
    TransferState st{&req, &resp, stop};
    curl_slist* headers = nullptr;
    curl_mime* mime = nullptr;
    for (const auto& [k, v] : req.headers) headers = curl_slist_append(headers, (k + ": " + v).c_str());
    // Let the server answer at once; no "Expect: 100-continue" round trip.
    headers = curl_slist_append(headers, "Expect:");

    curl_easy_setopt(curl, CURLOPT_URL, req.url.c_str());
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, req.method.c_str());
    if (req.method == "HEAD") curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(req.timeout.count()));
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(req.connect_timeout.count()));
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, OnHeader);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &st);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnBody);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &st);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, OnProgress);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &st);
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    if (!req.form.empty()) {
        mime = curl_mime_init(curl);
        for (const auto& p : req.form) {
            curl_mimepart* part = curl_mime_addpart(mime);
            curl_mime_name(part, p.name.c_str());
            if (!p.file.empty()) {
                curl_mime_filedata(part, p.file.c_str());
                if (!p.filename.empty()) curl_mime_filename(part, p.filename.c_str());
            } else {
                curl_mime_data(part, p.value.data(), p.value.size());
                if (!p.filename.empty()) curl_mime_filename(part, p.filename.c_str());
            }
            if (!p.content_type.empty()) curl_mime_type(part, p.content_type.c_str());
        }
        curl_easy_setopt(curl, CURLOPT_MIMEPOST, mime);
    } else if (!req.body.empty() || req.method == "POST" || req.method == "PUT") {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, req.body.c_str());
    }
    CURLcode rc = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_off_t connect_us = 0;
    curl_easy_getinfo(curl, CURLINFO_CONNECT_TIME_T, &connect_us);
    resp.status = status;
    curl_slist_free_all(headers);
    if (mime) curl_mime_free(mime);
    std::string cause = curl_easy_strerror(rc);
    curl_easy_cleanup(curl);

    if (rc == CURLE_OK) return resp;
    if (rc == CURLE_ABORTED_BY_CALLBACK && stop.stop_requested()) {
        return Error::Canceled("request to " + req.url + " canceled");
    }
    if (rc == CURLE_WRITE_ERROR && st.aborted_by_sink) {
        return Error::Canceled("request to " + req.url + " stopped by the reader");
    }
    if (rc == CURLE_OPERATION_TIMEDOUT) {
        return Error{ErrorCode::kTimeout, req.url + ": " + NoAnswerWithin(req, connect_us > 0), true};
    }
    if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
        rc == CURLE_RECV_ERROR || rc == CURLE_SEND_ERROR || rc == CURLE_GOT_NOTHING ||
        rc == CURLE_PARTIAL_FILE) {
        return Error::Unavailable(req.url + ": " + cause, true);
    }
    return Error::Unavailable(req.url + ": " + cause, false);
}

std::chrono::milliseconds ParseRetryAfter(const std::string& value) {
    std::string v = Trim(value);
    if (v.empty()) return std::chrono::milliseconds(0);
    if (std::all_of(v.begin(), v.end(), [](unsigned char c) { return std::isdigit(c); })) {
        if (v.size() > 6) return std::chrono::milliseconds(0);
        return std::chrono::seconds(std::stol(v));
    }
    if (auto when = core::ParseHttpDate(v)) {
        std::time_t now = std::time(nullptr);
        if (*when > now) return std::chrono::seconds(*when - now);
    }
    return std::chrono::milliseconds(0);
}

bool SleepFor(std::chrono::milliseconds d, std::stop_token stop) {
    std::mutex m;
    std::condition_variable_any cv;
    std::unique_lock lock(m);
    cv.wait_for(lock, stop, d, [] { return false; });
    return !stop.stop_requested();
}

Error ErrorFromResponse(const ServiceCall& svc, const std::string& url, const HttpResponse& resp) {
    std::string cause = svc.describe_error ? svc.describe_error(resp) : std::string();
    if (cause.empty()) {
        cause = resp.body.substr(0, 300);
        if (cause.empty()) cause = "(empty body)";
    }
    std::string msg = svc.service + " (" + url + "): HTTP " + std::to_string(resp.status) + ": " + cause;
    Error e{ErrorCode::kExternal, msg, false};
    switch (resp.status) {
        case 400:
        case 422: e.code = ErrorCode::kInvalidArgument; break;
        // 401/403 stay kExternal: the service refused *our* credentials; Beacon's own
        // authentication is the only source of kUnauthorized (a 401 to Beacon's caller).
        case 401:
        case 403: break;
        case 404: e.code = ErrorCode::kNotFound; break;
        case 408: e.code = ErrorCode::kTimeout; e.retryable = true; break;
        case 429: e.code = ErrorCode::kRateLimited; e.retryable = true; break;
        default:
            if (resp.status >= 500) {
                e.code = resp.status == 503 ? ErrorCode::kUnavailable : ErrorCode::kExternal;
                e.retryable = true;
            }
    }
    if (e.retryable) e.retry_after = ParseRetryAfter(resp.Header("retry-after"));
    return e;
}

Result<HttpResponse> CallWithRetry(const HttpClient& http, const ServiceCall& svc,
                                   const HttpRequest& req, const RetryPolicy& policy,
                                   std::stop_token stop) {
    std::chrono::milliseconds delay = policy.base_delay;
    for (int attempt = 1;; ++attempt) {
        auto r = http.Send(req, stop);
        Error err;
        if (r.ok()) {
            if (r->status >= 200 && r->status < 300) return r;
            err = ErrorFromResponse(svc, req.url, *r);
        } else {
            err = std::move(r).error();
            if (err.code == ErrorCode::kCanceled) {
                err.message = svc.service + ": " + err.message;
                return err;
            }
            const std::string cause = err.message.substr(std::min(err.message.size(), req.url.size() + 2));
            err.message = svc.service + " (" + req.url + ")" +
                          (err.code == ErrorCode::kTimeout ? ": " : " unreachable: ") + cause;
        }
        if (!err.retryable || attempt >= policy.max_attempts) {
            // Counts the requests this call really sent (each attempt is exactly one request).
            if (attempt > 1) err.message += " (" + std::to_string(attempt) + " requests sent, all failed)";
            return err;
        }
        auto wait = std::min(delay, policy.max_delay);
        if (err.retry_after.count() > 0) wait = std::min(err.retry_after, policy.max_retry_after);
        if (!SleepFor(wait, stop)) return Error::Canceled(svc.service + ": canceled while waiting to retry");
        delay = std::min(delay * 2, policy.max_delay);
    }
}

std::string JoinUrl(const std::string& base, const std::string& path) {
    std::string b = base;
    while (!b.empty() && b.back() == '/') b.pop_back();
    if (path.empty()) return b;
    return path.front() == '/' ? b + path : b + "/" + path;
}

std::string UrlEncode(std::string_view s) {
    static const char* kHex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 15]);
        }
    }
    return out;
}

Result<std::string> Base64Decode(std::string_view in) {
    auto val = [](char c) -> int {
        if (c >= 'A' && c <= 'Z') return c - 'A';
        if (c >= 'a' && c <= 'z') return c - 'a' + 26;
        if (c >= '0' && c <= '9') return c - '0' + 52;
        if (c == '+' || c == '-') return 62;
        if (c == '/' || c == '_') return 63;
        return -1;
    };
    std::string out;
    out.reserve(in.size() * 3 / 4);
    unsigned buf = 0;
    int bits = 0;
    for (char c : in) {
        if (c == '=' || c == '\n' || c == '\r' || c == ' ') continue;
        int v = val(c);
        if (v < 0) return Error::Invalid("base64: invalid character");
        buf = (buf << 6) | static_cast<unsigned>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((buf >> bits) & 0xFF));
        }
    }
    return out;
}

std::string Base64Encode(std::string_view in) {
    static const char* kAlpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        unsigned n = (static_cast<unsigned char>(in[i]) << 16) |
                     (static_cast<unsigned char>(in[i + 1]) << 8) | static_cast<unsigned char>(in[i + 2]);
        out += kAlpha[(n >> 18) & 63];
        out += kAlpha[(n >> 12) & 63];
        out += kAlpha[(n >> 6) & 63];
        out += kAlpha[n & 63];
    }
    if (i < in.size()) {
        unsigned n = static_cast<unsigned char>(in[i]) << 16;
        if (i + 1 < in.size()) n |= static_cast<unsigned char>(in[i + 1]) << 8;
        out += kAlpha[(n >> 18) & 63];
        out += kAlpha[(n >> 12) & 63];
        out += i + 1 < in.size() ? kAlpha[(n >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

}  // namespace beacon::engines
