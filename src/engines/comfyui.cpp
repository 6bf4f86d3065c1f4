#include "engines/comfyui.hpp"

#include <algorithm>
#include <atomic>
#include <fstream>
#include <optional>
#include <random>
#include <regex>
#include <sstream>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <curl/curl.h>

namespace beacon::engines {

using core::Error;
using core::ErrorCode;

namespace {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace asio = boost::asio;

std::string Truncate(const std::string& s, std::size_t n) { return s.size() <= n ? s : s.substr(0, n) + "…"; }

std::string FormatNodeErrors(const Json& ne) {
    std::string out;
    if (!ne.is_object()) return out;
    for (const auto& [id, node] : ne.items()) {
        std::string cls = node.is_object() ? node.value("class_type", "") : "";
        if (node.is_object() && node.contains("errors") && node["errors"].is_array()) {
            for (const auto& e : node["errors"]) {
                if (!e.is_object()) continue;
                out += (out.empty() ? "" : "; ") + std::string("node ") + id + (cls.empty() ? "" : " (" + cls + ")") +
                       ": " + e.value("type", "") + ": " + e.value("message", "") +
                       (e.value("details", "").empty() ? "" : " (" + e.value("details", "") + ")");
            }
        }
    }
    return out;
}

ServiceCall ComfyService() {
    return ServiceCall{"ComfyUI", [](const HttpResponse& r) {
                           Json j = Json::parse(r.body, nullptr, false);
                           if (!j.is_object()) return Truncate(r.body, 300);
                           std::string cause;
                           if (j.contains("error")) {
                               const Json& e = j["error"];
                               if (e.is_string()) cause = e.get<std::string>();
                               else if (e.is_object()) {
                                   cause = e.value("type", "") + ": " + e.value("message", "");
                                   if (e.contains("details") && e["details"].is_string() && !e["details"].get<std::string>().empty())
                                       cause += " (" + e["details"].get<std::string>() + ")";
                               }
                           }
                           std::string ne = j.contains("node_errors") ? FormatNodeErrors(j["node_errors"]) : "";
                           if (!ne.empty()) cause += (cause.empty() ? "" : "; ") + ne;
                           return cause.empty() ? Truncate(r.body, 300) : cause;
                       }};
}

struct HostPort {
    std::string host, port, prefix;
};

/// Parses "http://host:port/prefix"; https is not supported for the socket (falls back to polling).
std::optional<HostPort> ParseHttpUrl(const std::string& url) {
    static const std::regex re(R"(^http://(\[[^\]]+\]|[^/:]+)(?::(\d+))?(/.*)?$)", std::regex::icase);
    std::smatch m;
    if (!std::regex_match(url, m, re)) return std::nullopt;
    HostPort hp{m[1].str(), m[2].matched ? m[2].str() : "80", m[3].matched ? m[3].str() : ""};
    if (hp.host.size() > 2 && hp.host.front() == '[') hp.host = hp.host.substr(1, hp.host.size() - 2);
    while (!hp.prefix.empty() && hp.prefix.back() == '/') hp.prefix.pop_back();
    return hp;
}

std::string NewClientId() {
    static std::atomic<std::uint64_t> counter{0};
    std::random_device rd;
    std::ostringstream os;
    os << std::hex << rd() << rd() << "-" << counter.fetch_add(1);
    return os.str();
}

/// A ComfyUI /ws listener: reads text frames with a short tick so that stop and deadlines are
/// honoured. Binary frames (previews) are skipped.
class ComfySocket {
public:
    Status Connect(const HostPort& hp, const std::string& client_id, std::chrono::milliseconds timeout) {
        try {
            asio::ip::tcp::resolver resolver(ioc_);
            auto results = resolver.resolve(hp.host, hp.port);
            beast::get_lowest_layer(ws_).expires_after(timeout);
            beast::get_lowest_layer(ws_).connect(results);
            beast::get_lowest_layer(ws_).expires_never();
            ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
            ws_.handshake(hp.host + ":" + hp.port, hp.prefix + "/ws?clientId=" + client_id);
            return {};
        } catch (const std::exception& e) {
            return Error::Unavailable(e.what());
        }
    }
    /// Reads one text message; empty optional on tick timeout; Error when the socket fails.
    Result<std::optional<std::string>> Read(std::chrono::milliseconds tick) {
        if (!reading_) {
            buffer_.clear();
            done_ = false;
            ws_.async_read(buffer_, [this](beast::error_code ec, std::size_t) {
                ec_ = ec;
                done_ = true;
            });
            reading_ = true;
        }
        ioc_.restart();
        ioc_.run_for(tick);
        if (!done_) return std::optional<std::string>();
        reading_ = false;
        if (ec_) return Error::Unavailable(ec_.message());
        if (!ws_.got_text()) return std::optional<std::string>(std::string());
        return std::optional<std::string>(beast::buffers_to_string(buffer_.data()));
    }
    ~ComfySocket() {
        beast::error_code ec;
        beast::get_lowest_layer(ws_).socket().close(ec);
        ioc_.restart();
        ioc_.poll();
    }

private:
    asio::io_context ioc_;
    websocket::stream<beast::tcp_stream> ws_{ioc_};
    beast::flat_buffer buffer_;
    bool reading_ = false;
    bool done_ = false;
    beast::error_code ec_;
};

bool IsPng(const std::string& b) { return b.size() > 24 && b.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0; }
bool IsJpeg(const std::string& b) { return b.size() > 4 && static_cast<unsigned char>(b[0]) == 0xFF && static_cast<unsigned char>(b[1]) == 0xD8; }

}  // namespace

std::filesystem::path DefaultComfyWorkflow() {
    return std::filesystem::path(BEACON_ENGINES_TEMPLATES_DIR) / "txt2img.json";
}

Result<Json> FillWorkflow(const Json& workflow, const Json& values) {
    static const std::regex ph(R"(\{\{([a-z_]+)\}\})");
    std::string unknown;
    std::function<Json(const Json&)> fill = [&](const Json& node) -> Json {
        if (node.is_object()) {
            Json out = Json::object();
            for (const auto& [k, v] : node.items()) out[k] = fill(v);
            return out;
        }
        if (node.is_array()) {
            Json out = Json::array();
            for (const auto& v : node) out.push_back(fill(v));
            return out;
        }
        if (!node.is_string()) return node;
        const std::string s = node.get<std::string>();
        std::smatch m;
        if (std::regex_match(s, m, ph)) {
            if (!values.contains(m[1].str())) {
                unknown = m[1].str();
                return node;
            }
            return values[m[1].str()];
        }
        std::string out;
        auto begin = std::sregex_iterator(s.begin(), s.end(), ph);
        std::size_t last = 0;
        for (auto it = begin; it != std::sregex_iterator(); ++it) {
            out += s.substr(last, static_cast<std::size_t>(it->position()) - last);
            std::string key = (*it)[1].str();
            if (!values.contains(key)) {
                unknown = key;
            } else {
                const Json& v = values[key];
                out += v.is_string() ? v.get<std::string>() : v.dump();
            }
            last = static_cast<std::size_t>(it->position() + it->length());
        }
        out += s.substr(last);
        return out;
    };
    Json out = fill(workflow);
    if (!unknown.empty()) return Error::Invalid("workflow template: unknown placeholder {{" + unknown + "}}");
    return out;
}

bool WorkflowTakesBatches(const Json& workflow) {
    const std::string text = workflow.dump();
    return text.find("{{batch_size}}") != std::string::npos &&
           text.find("{{prompt_schedule}}") != std::string::npos;
}

namespace {

Result<Json> ReadWorkflow(const std::filesystem::path& path) {
    std::ifstream wf(path);
    if (!wf) return Error::Invalid("ComfyUI: cannot read workflow template " + path.string());
    std::stringstream ss;
    ss << wf.rdbuf();
    Json tmpl = Json::parse(ss.str(), nullptr, false);
    if (!tmpl.is_object()) {
        return Error::Invalid("ComfyUI: workflow template " + path.string() + " is not a JSON object");
    }
    return tmpl;
}

}  // namespace

ComfyPictureEngine::ComfyPictureEngine(ComfyOptions opts, const HttpClient& http)
    : opts_(std::move(opts)), http_(http),
      workflow_(opts_.workflow.empty() ? DefaultComfyWorkflow() : opts_.workflow) {
    auto tmpl = ReadWorkflow(workflow_);  // an unreadable template is reported by Paint
    batches_ = tmpl.ok() && WorkflowTakesBatches(*tmpl);
}

Provenance ComfyPictureEngine::Describe() const {
    return Provenance{"comfyui", opts_.checkpoint, Json::object(), false};
}

std::string ComfyPictureEngine::ModelFor(const PictureRequest& req) const {
    auto it = opts_.style_checkpoints.find(req.style);
    return it == opts_.style_checkpoints.end() ? opts_.checkpoint : it->second;
}

std::string ComfyPictureEngine::BatchKey(const PictureRequest& req) const {
    if (MaxBatch() <= 1 || req.draft || !req.world.is_null()) return {};
    return ModelFor(req) + "|" + workflow_.string() + "|" + std::to_string(req.width) + "x" +
           std::to_string(req.height);
}

Status ComfyPictureEngine::CheckCheckpoint(const std::string& checkpoint, std::stop_token stop) const {
    {
        std::lock_guard lock(inventory_mu_);
        const auto age = std::chrono::steady_clock::now() - inventory_at_;
        const bool known = inventory_at_.time_since_epoch().count() != 0;
        const bool has = std::find(inventory_.begin(), inventory_.end(), checkpoint) != inventory_.end();
        // A fresh list answers; a missing name is looked up again unless the list is a second old.
        if (known && age < std::chrono::seconds(30) && (has || age < std::chrono::seconds(1))) {
            if (has) return {};
            std::string names;
            for (const auto& n : inventory_) names += (names.empty() ? "" : ", ") + n;
            return Error{ErrorCode::kNotFound,
                         "ComfyUI (" + opts_.host + "): checkpoint '" + checkpoint +
                             "' is not installed (available: " + (names.empty() ? "none" : names) + ")",
                         false};
        }
    }
    HttpRequest hr;
    hr.url = JoinUrl(opts_.host, "/object_info/CheckpointLoaderSimple");
    hr.timeout = std::chrono::milliseconds(15000);
    BEACON_TRY(r, CallWithRetry(http_, ComfyService(), hr, opts_.retry, stop));
    Json j = Json::parse(r.body, nullptr, false);
    const Json* list = nullptr;
    if (j.is_object() && j.contains("CheckpointLoaderSimple")) {
        const Json& c = j["CheckpointLoaderSimple"];
        if (c.is_object() && c.contains("input") && c["input"].contains("required") &&
            c["input"]["required"].contains("ckpt_name") && c["input"]["required"]["ckpt_name"].is_array() &&
            !c["input"]["required"]["ckpt_name"].empty() && c["input"]["required"]["ckpt_name"][0].is_array()) {
            list = &c["input"]["required"]["ckpt_name"][0];
        }
    }
    if (!list) return Error::External("ComfyUI (" + hr.url + "): unexpected /object_info answer: " + Truncate(r.body, 200));
    std::vector<std::string> names;
    for (const auto& n : *list) {
        if (n.is_string()) names.push_back(n.get<std::string>());
    }
    {
        std::lock_guard lock(inventory_mu_);
        inventory_ = names;
        inventory_at_ = std::chrono::steady_clock::now();
    }
    if (std::find(names.begin(), names.end(), checkpoint) != names.end()) return {};
    std::string listed;
    for (const auto& n : names) listed += (listed.empty() ? "" : ", ") + n;
    return Error{ErrorCode::kNotFound,
                 "ComfyUI (" + opts_.host + "): checkpoint '" + checkpoint +
                     "' is not installed (available: " + (listed.empty() ? "none" : listed) + ")",
                 false};
}

Result<std::optional<std::string>> ComfyPictureEngine::FindQueuedPrompt(const std::string& client_id,
                                                                        std::stop_token stop) const {
    RetryPolicy once = opts_.retry;
    once.max_attempts = 1;
    auto owned = [&](const Json& extra) {
        return extra.is_object() && extra.value("client_id", "") == client_id;
    };
    HttpRequest q;
    q.url = JoinUrl(opts_.host, "/queue");
    q.timeout = std::chrono::milliseconds(10000);
    BEACON_TRY(qr, CallWithRetry(http_, ComfyService(), q, once, stop));
    Json qj = Json::parse(qr.body, nullptr, false);
    if (!qj.is_object()) return Error::External("ComfyUI (" + q.url + "): the queue is not JSON");
    for (const char* list : {"queue_running", "queue_pending"}) {
        if (!qj.contains(list) || !qj[list].is_array()) continue;
        for (const auto& e : qj[list]) {
            if (e.is_array() && e.size() >= 4 && e[1].is_string() && owned(e[3])) return std::optional(e[1].get<std::string>());
        }
    }
    HttpRequest h;
    h.url = JoinUrl(opts_.host, "/history") + "?max_items=200";
    h.timeout = std::chrono::milliseconds(10000);
    BEACON_TRY(hr, CallWithRetry(http_, ComfyService(), h, once, stop));
    Json hj = Json::parse(hr.body, nullptr, false);
    if (!hj.is_object()) return Error::External("ComfyUI (" + h.url + "): the history is not JSON");
    for (const auto& [id, entry] : hj.items()) {
        if (entry.is_object() && entry.contains("prompt") && entry["prompt"].is_array() &&
            entry["prompt"].size() >= 4 && owned(entry["prompt"][3])) {
            return std::optional(id);
        }
    }
    return std::optional<std::string>();
}

Result<std::string> ComfyPictureEngine::QueuePrompt(const HttpRequest& post, const std::string& client_id,
                                                    const LogSink& say, std::stop_token stop) const {
    // POST /prompt is not idempotent: a lost answer may hide a queued prompt. Before sending it
    // again, look for it (by our client_id) in /queue and /history; send again only when it is
    // known not to be there, so a prompt never runs twice.
    RetryPolicy once = opts_.retry;
    once.max_attempts = 1;
    std::chrono::milliseconds delay = opts_.retry.base_delay;
    for (int sent = 1;; ++sent) {
        auto r = CallWithRetry(http_, ComfyService(), post, once, stop);
        if (r.ok()) {
            Json qj = Json::parse(r->body, nullptr, false);
            if (!qj.is_object() || !qj.contains("prompt_id") || !qj["prompt_id"].is_string()) {
                return Error::External("ComfyUI (" + post.url + "): unexpected answer: " + Truncate(r->body, 200));
            }
            if (qj.contains("node_errors") && !qj["node_errors"].empty()) {
                say("comfyui: warning: " + FormatNodeErrors(qj["node_errors"]));
            }
            return qj["prompt_id"].get<std::string>();
        }
        Error err = std::move(r).error();
        auto counted = [&](Error e) {
            if (sent > 1) e.message += " (" + std::to_string(sent) + " requests sent, all failed)";
            return e;
        };
        if (err.code == ErrorCode::kCanceled || !err.retryable) return counted(std::move(err));
        // No connection at all: nothing was sent, so sending again is safe (and so is a later job retry).
        const bool never_sent = err.message.find(curl_easy_strerror(CURLE_COULDNT_CONNECT)) != std::string::npos ||
                                err.message.find(curl_easy_strerror(CURLE_COULDNT_RESOLVE_HOST)) != std::string::npos;
        auto found = never_sent ? Result<std::optional<std::string>>(std::optional<std::string>())
                                : FindQueuedPrompt(client_id, stop);
        if (!found.ok()) {
            err.message += "; not sent again, because whether ComfyUI queued it is unknown (" + found.error().message + ")";
            err.retryable = false;
            return counted(std::move(err));
        }
        if (found->has_value()) {
            say("comfyui: the answer to POST /prompt was lost (" + err.message + "), but the prompt was queued as " + **found);
            return **found;
        }
        if (sent >= opts_.retry.max_attempts) return counted(std::move(err));
        say("comfyui: " + err.message + "; the prompt is not in the queue, sending it again");
        auto wait = std::min(delay, opts_.retry.max_delay);
        if (err.retry_after.count() > 0) wait = std::min(err.retry_after, opts_.retry.max_retry_after);
        if (!SleepFor(wait, stop)) return Error::Canceled("ComfyUI: canceled while waiting to retry");
        delay = std::min(delay * 2, opts_.retry.max_delay);
    }
}

Result<PictureResult> ComfyPictureEngine::Paint(const PictureRequest& req,
                                                const std::filesystem::path& out_dir,
                                                const LogSink& log, std::stop_token stop) {
    auto out = PaintBatch({req}, {out_dir}, log, stop);
    return std::move(out.front());
}

std::vector<Result<PictureResult>> ComfyPictureEngine::PaintBatch(
    const std::vector<PictureRequest>& reqs, const std::vector<std::filesystem::path>& out_dirs,
    const LogSink& log, std::stop_token stop) {
    const std::size_t n = reqs.size();
    auto all = [n](const Error& e) { return std::vector<Result<PictureResult>>(n, Result<PictureResult>(e)); };
    auto say = [&](const std::string& s) {
        if (log) log(s);
    };
    if (n == 0) return {};
    if (n > 1 && !batches_) return all(Error::Invalid("ComfyUI: the workflow template takes one picture a prompt"));
    for (const auto& req : reqs) {
        if (req.width < 16 || req.height < 16 || req.width > 8192 || req.height > 8192) {
            return all(Error::Invalid("ComfyUI: frame size out of range"));
        }
    }
    const std::string checkpoint = ModelFor(reqs.front());
    if (auto st = CheckCheckpoint(checkpoint, stop); !st.ok()) return all(st.error());
    auto tmpl = ReadWorkflow(workflow_);
    if (!tmpl.ok()) return all(tmpl.error());
    std::vector<std::string> texts;
    for (const auto& req : reqs) {
        std::string text = req.scene.description;
        if (!req.style.empty()) text += ", " + req.style + " style";
        if (!req.prompt.empty()) text += ". Context: " + req.prompt;
        texts.push_back(std::move(text));
    }
    // Each latent's own prompt, as FizzNodes' BatchPromptSchedule reads it: "0": "...", "1": ...
    std::string schedule;
    for (std::size_t i = 0; i < n; ++i) {
        schedule += (i ? ",\n" : "") + Json(std::to_string(i)).dump() + ": " +
                    Json(texts[i]).dump(-1, ' ', false, Json::error_handler_t::replace);
    }
    // ComfyUI seeds are unsigned 64-bit; keep them in JSON's exact integer range.
    std::uint64_t seed = static_cast<std::uint64_t>(reqs.front().seed) & ((1ull << 53) - 1);
    const auto& first = reqs.front();
    Json values = {{"prompt", texts.front()},  {"negative_prompt", opts_.negative_prompt},
                   {"seed", seed},             {"checkpoint", checkpoint},
                   {"width", first.width},     {"height", first.height},
                   {"steps", opts_.steps},     {"batch_size", static_cast<int>(n)},
                   {"prompt_schedule", schedule}};
    auto filled = FillWorkflow(*tmpl, values);
    if (!filled.ok()) return all(filled.error());
    Json graph = std::move(*filled);

    const std::string client_id = NewClientId();
    std::unique_ptr<ComfySocket> sock;
    auto hp = ParseHttpUrl(opts_.host);
    if (opts_.use_websocket && hp) {
        sock = std::make_unique<ComfySocket>();
        auto st = sock->Connect(*hp, client_id, std::chrono::milliseconds(5000));
        if (!st.ok()) {
            say("comfyui: progress socket unavailable (" + st.error().message + "); polling /history");
            sock.reset();
        }
    }
    HttpRequest post;
    post.method = "POST";
    post.url = JoinUrl(opts_.host, "/prompt");
    post.headers = {{"Content-Type", "application/json"}};
    post.body = Json{{"prompt", graph}, {"client_id", client_id}}.dump(-1, ' ', false, Json::error_handler_t::replace);
    post.timeout = std::chrono::milliseconds(30000);
    auto queued = QueuePrompt(post, client_id, say, stop);
    if (!queued.ok()) return all(queued.error());
    const std::string prompt_id = *queued;
    say("comfyui: queued prompt " + prompt_id + " on " + opts_.host +
        (n > 1 ? " (" + std::to_string(n) + " pictures in one batch)" : ""));

    // Cancel or give up: drop the prompt from the queue if it still waits there, and interrupt it
    // if it runs ({"prompt_id"} interrupts only that prompt).
    auto interrupt = [&] {
        for (const char* path : {"/queue", "/interrupt"}) {
            HttpRequest ir;
            ir.method = "POST";
            ir.url = JoinUrl(opts_.host, path);
            ir.headers = {{"Content-Type", "application/json"}};
            ir.body = std::string(path) == "/queue" ? Json{{"delete", {prompt_id}}}.dump()
                                                    : Json{{"prompt_id", prompt_id}}.dump();
            ir.timeout = std::chrono::milliseconds(3000);
            (void)http_.Send(ir, {});
        }
    };
    auto canceled = [&] {
        return all(Error::Canceled("ComfyUI: canceled; prompt " + prompt_id + " removed from the queue or interrupted"));
    };
    auto timed_out = [&] {
        return all(Error{ErrorCode::kTimeout, "ComfyUI (" + opts_.host + "): no picture within " +
                                                  std::to_string(opts_.timeout.count() / 1000) + " s", true});
    };
    const auto deadline = std::chrono::steady_clock::now() + opts_.timeout;
    std::string ws_error;
    // Progress hints from the socket until our prompt's executing{node:null}.
    while (sock) {
        if (stop.stop_requested()) {
            interrupt();
            return canceled();
        }
        if (std::chrono::steady_clock::now() > deadline) {
            interrupt();
            return timed_out();
        }
        auto msg = sock->Read(std::chrono::milliseconds(100));
        if (!msg.ok()) {
            say("comfyui: progress socket closed (" + msg.error().message + "); polling /history");
            sock.reset();
            break;
        }
        if (!msg->has_value() || (*msg)->empty()) continue;
        Json m = Json::parse(**msg, nullptr, false);
        if (!m.is_object() || !m.contains("type") || !m.contains("data") || !m["data"].is_object()) continue;
        const std::string type = m["type"].get<std::string>();
        const Json& d = m["data"];
        if (d.contains("prompt_id") && d["prompt_id"].is_string() && d["prompt_id"] != prompt_id) continue;
        if (type == "progress") {
            int v = d.value("value", 0), mx = d.value("max", 0);
            if (mx > 0 && (v == 1 || v == mx || (v * 4 / mx) != ((v - 1) * 4 / mx))) {
                say("comfyui: step " + std::to_string(v) + "/" + std::to_string(mx));
            }
        } else if (type == "execution_error") {
            ws_error = d.value("exception_type", "") + ": " + d.value("exception_message", "") +
                       " (node " + (d.contains("node_id") && d["node_id"].is_string() ? d["node_id"].get<std::string>() : "?") + " " +
                       d.value("node_type", "") + ")";
        } else if (type == "execution_interrupted") {
            return all(Error::External("ComfyUI (" + opts_.host + "): prompt " + prompt_id + " was interrupted on the server"));
        } else if (type == "executing" && d.contains("node") && d["node"].is_null()) {
            break;
        }
    }
    if (!ws_error.empty()) {
        return all(Error::External("ComfyUI (" + opts_.host + "): prompt " + prompt_id + " failed: " + ws_error));
    }
    // /history is the truth; poll until it lists the prompt.
    HttpRequest hist;
    hist.url = JoinUrl(opts_.host, "/history/" + prompt_id);
    hist.timeout = std::chrono::milliseconds(15000);
    Json entry;
    for (;;) {
        auto hr = CallWithRetry(http_, ComfyService(), hist, opts_.retry, stop);
        if (!hr.ok()) return all(hr.error());
        Json hj = Json::parse(hr->body, nullptr, false);
        if (!hj.is_object()) return all(Error::External("ComfyUI (" + hist.url + "): history is not JSON: " + Truncate(hr->body, 200)));
        if (hj.contains(prompt_id)) {
            entry = hj[prompt_id];
            break;
        }
        if (std::chrono::steady_clock::now() > deadline) {
            interrupt();
            return timed_out();
        }
        if (!SleepFor(opts_.poll_interval, stop)) {
            interrupt();
            return canceled();
        }
    }
    if (entry.contains("status") && entry["status"].is_object() &&
        entry["status"].value("status_str", "") == "error") {
        std::string why;
        if (entry["status"].contains("messages") && entry["status"]["messages"].is_array()) {
            for (const auto& msg : entry["status"]["messages"]) {
                if (msg.is_array() && msg.size() == 2 && msg[0] == "execution_error" && msg[1].is_object()) {
                    why = msg[1].value("exception_type", "") + ": " + msg[1].value("exception_message", "");
                }
            }
        }
        return all(Error::External("ComfyUI (" + opts_.host + "): prompt " + prompt_id + " failed: " +
                                   (why.empty() ? "status error" : why)));
    }
    // The first output node with images: one image per latent of the batch, in batch order.
    const Json* images = nullptr;
    if (entry.contains("outputs") && entry["outputs"].is_object()) {
        for (const auto& [node, out] : entry["outputs"].items()) {
            if (out.is_object() && out.contains("images") && out["images"].is_array() && !out["images"].empty()) {
                images = &out["images"];
                break;
            }
        }
    }
    if (!images) return all(Error::External("ComfyUI (" + hist.url + "): the workflow produced no image output"));
    if (images->size() < n) {
        return all(Error::External("ComfyUI (" + hist.url + "): " + std::to_string(n) + " pictures in one batch, but " +
                                   std::to_string(images->size()) + " images came back"));
    }
    std::vector<Result<PictureResult>> results;
    for (std::size_t i = 0; i < n; ++i) {
        const Json& image = (*images)[i];
        if (!image.is_object() || !image.contains("filename")) {
            results.emplace_back(Error::External("ComfyUI (" + hist.url + "): image " + std::to_string(i) + " has no file name"));
            continue;
        }
        HttpRequest view;
        view.url = JoinUrl(opts_.host, "/view") + "?filename=" + UrlEncode(image.value("filename", "")) +
                   "&subfolder=" + UrlEncode(image.value("subfolder", "")) + "&type=" + UrlEncode(image.value("type", "output"));
        view.timeout = std::chrono::milliseconds(60000);
        auto vr = CallWithRetry(http_, ComfyService(), view, opts_.retry, stop);
        if (!vr.ok()) {
            results.emplace_back(vr.error());
            continue;
        }
        if (!IsPng(vr->body) && !IsJpeg(vr->body)) {
            results.emplace_back(Error::External("ComfyUI (" + view.url + "): /view did not return a PNG or JPEG image"));
            continue;
        }
        std::error_code ec;
        std::filesystem::create_directories(out_dirs.at(i), ec);
        char name[48];
        std::snprintf(name, sizeof name, "scene%02d_comfyui%s", reqs[i].scene_index + 1, IsPng(vr->body) ? ".png" : ".jpg");
        PictureResult out;
        out.image = out_dirs.at(i) / name;
        std::ofstream f(out.image, std::ios::binary | std::ios::trunc);
        f.write(vr->body.data(), static_cast<std::streamsize>(vr->body.size()));
        if (!f) {
            results.emplace_back(Error::Unavailable("cannot write " + out.image.string(), false));
            continue;
        }
        out.provenance = Provenance{"comfyui", checkpoint, Json::object(), false};
        out.provenance.parameters = {{"seed", seed}, {"steps", opts_.steps}, {"width", reqs[i].width},
                                     {"height", reqs[i].height}, {"workflow", workflow_.filename().string()},
                                     {"prompt_id", prompt_id}, {"prompt", texts[i]},
                                     {"file", image.value("filename", "")}};
        if (n > 1) {
            out.provenance.parameters["batch_size"] = n;
            out.provenance.parameters["batch_index"] = i;
        }
        results.emplace_back(std::move(out));
    }
    say("comfyui: " + (n > 1 ? std::to_string(n) + " pictures" : std::string("picture")) + " ready (" +
        (*images)[0].value("filename", "") + (n > 1 ? ", ..." : "") + ")");
    return results;
}

HealthCheck CheckComfy(const ComfyOptions& opts, const HttpClient& http) {
    HealthCheck h{"pictures", "comfyui", false, ""};
    ComfyOptions o = opts;
    o.retry.max_attempts = 1;
    HttpRequest hr;
    hr.url = JoinUrl(opts.host, "/object_info/CheckpointLoaderSimple");
    hr.timeout = std::chrono::milliseconds(5000);
    auto r = CallWithRetry(http, ComfyService(), hr, o.retry, {});
    if (!r.ok()) {
        h.detail = r.error().message;
        return h;
    }
    Json j = Json::parse(r->body, nullptr, false);
    try {
        const Json& names = j.at("CheckpointLoaderSimple").at("input").at("required").at("ckpt_name").at(0);
        // The default checkpoint and every style's own.
        std::vector<std::string> wanted{opts.checkpoint};
        for (const auto& [style, ckpt] : opts.style_checkpoints) {
            if (std::find(wanted.begin(), wanted.end(), ckpt) == wanted.end()) wanted.push_back(ckpt);
        }
        std::string missing, present;
        for (const auto& w : wanted) {
            const bool has = std::any_of(names.begin(), names.end(), [&](const Json& n) { return n == w; });
            std::string& list = has ? present : missing;
            list += (list.empty() ? "'" : ", '") + w + "'";
        }
        if (missing.empty()) {
            h.ok = true;
            h.detail = "ComfyUI at " + opts.host + " answers; checkpoint" + (wanted.size() > 1 ? "s " : " ") +
                       present + (wanted.size() > 1 ? " exist" : " exists");
            return h;
        }
        h.detail = "ComfyUI at " + opts.host + " answers, but checkpoint " + missing + " is not installed";
    } catch (const std::exception&) {
        h.detail = "ComfyUI (" + hr.url + "): unexpected /object_info answer";
    }
    return h;
}

}  // namespace beacon::engines
