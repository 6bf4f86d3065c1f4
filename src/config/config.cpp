#include "config/config.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <string_view>
#include <utility>
#include <vector>

#include <toml.hpp>

extern char** environ;

namespace beacon::config {

using core::Error;

namespace {

/// One configurable key: how to read it from a TOML value, with validation.
struct Field {
    std::string name;
    std::function<std::string(const toml::value&)> set;  // returns "" or the reason it's bad
};

std::string TypeName(const toml::value& v) {
    if (v.is_string()) return "a string";
    if (v.is_integer()) return "an integer";
    if (v.is_floating()) return "a number";
    if (v.is_boolean()) return "true/false";
    if (v.is_table()) return "a table";
    if (v.is_array()) return "an array";
    return "another type";
}

Field Str(std::string name, std::string* out, std::set<std::string> allowed = {}) {
    return {std::move(name), [out, allowed = std::move(allowed)](const toml::value& v) -> std::string {
                if (!v.is_string()) return "must be a string, not " + TypeName(v);
                std::string s = v.as_string().str;
                if (!allowed.empty() && !allowed.contains(s)) {
                    std::string list;
                    for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
                    return "must be one of " + list + " (got \"" + s + "\")";
                }
                *out = s;
                return "";
            }};
}

/// Which adapter serves a capability: one of `allowed` (core::Engine's names).
Field EngineChoice(std::string name, core::Engine* out, std::vector<core::Engine> allowed) {
    return {std::move(name), [out, allowed = std::move(allowed)](const toml::value& v) -> std::string {
                if (!v.is_string()) return "must be a string, not " + TypeName(v);
                const std::string s = v.as_string().str;
                std::string list;
                for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(core::ToString(a));
                auto parsed = core::ParseEngine(s);
                if (!parsed.ok() ||
                    std::find(allowed.begin(), allowed.end(), *parsed) == allowed.end()) {
                    return "must be one of " + list + " (got \"" + s + "\")";
                }
                *out = *parsed;
                return "";
            }};
}

/// A duration written in whole seconds (`timeout_seconds = 300`), kept as a chrono duration.
template <typename Duration>
Field Seconds(std::string name, Duration* out, std::int64_t lo, std::int64_t hi) {
    return {std::move(name), [out, lo, hi](const toml::value& v) -> std::string {
                if (!v.is_integer()) return "must be an integer, not " + TypeName(v);
                auto x = v.as_integer();
                if (x < lo || x > hi) {
                    return "must be between " + std::to_string(lo) + " and " + std::to_string(hi) +
                           " (got " + std::to_string(x) + ")";
                }
                *out = std::chrono::duration_cast<Duration>(std::chrono::seconds(x));
                return "";
            }};
}

Field Path(std::string name, std::filesystem::path* out) {
    return {std::move(name), [out](const toml::value& v) -> std::string {
                if (!v.is_string()) return "must be a string, not " + TypeName(v);
                *out = v.as_string().str;
                return "";
            }};
}

Field Int(std::string name, int* out, std::int64_t lo, std::int64_t hi) {
    return {std::move(name), [out, lo, hi](const toml::value& v) -> std::string {
                if (!v.is_integer()) return "must be an integer, not " + TypeName(v);
                auto x = v.as_integer();
                if (x < lo || x > hi) {
                    return "must be between " + std::to_string(lo) + " and " + std::to_string(hi) +
                           " (got " + std::to_string(x) + ")";
                }
                *out = static_cast<int>(x);
                return "";
            }};
}

Field Int64(std::string name, std::int64_t* out, std::int64_t lo, std::int64_t hi) {
    return {std::move(name), [out, lo, hi](const toml::value& v) -> std::string {
                if (!v.is_integer()) return "must be an integer, not " + TypeName(v);
                auto x = v.as_integer();
                if (x < lo || x > hi) {
                    return "must be between " + std::to_string(lo) + " and " + std::to_string(hi);
                }
                *out = x;
                return "";
            }};
}

Field Num(std::string name, double* out, double lo, double hi) {
    return {std::move(name), [out, lo, hi](const toml::value& v) -> std::string {
                double x;
                if (v.is_floating()) {
                    x = v.as_floating();
                } else if (v.is_integer()) {
                    x = static_cast<double>(v.as_integer());
                } else {
                    return "must be a number, not " + TypeName(v);
                }
                if (!(x >= lo && x <= hi)) {
                    std::ostringstream s;
                    s << "must be between " << lo << " and " << hi;
                    return s.str();
                }
                *out = x;
                return "";
            }};
}

/// A listen address ("host:port", "[v6]:port"), parsed once into its typed form.
Field Listen(std::string name, core::ListenAddress* out) {
    return {std::move(name), [out](const toml::value& v) -> std::string {
                if (!v.is_string()) return "must be a string, not " + TypeName(v);
                auto parsed = core::ParseListenAddress(v.as_string().str);
                if (!parsed.ok()) return parsed.error().message;
                *out = std::move(*parsed);
                return "";
            }};
}

Field StrList(std::string name, std::vector<std::string>* out) {
    return {std::move(name), [out](const toml::value& v) -> std::string {
                if (!v.is_array()) return "must be an array of strings, not " + TypeName(v);
                std::vector<std::string> items;
                for (const auto& item : v.as_array()) {
                    if (!item.is_string() || item.as_string().str.empty()) {
                        return "must hold non-empty strings";
                    }
                    items.push_back(item.as_string().str);
                }
                *out = std::move(items);
                return "";
            }};
}

/// A table of non-empty strings (`{ name = "value", ... }`).
Field StrMap(std::string name, std::map<std::string, std::string>* out) {
    return {std::move(name), [out](const toml::value& v) -> std::string {
                if (!v.is_table()) return "must be a table of strings, not " + TypeName(v);
                std::map<std::string, std::string> items;
                for (const auto& [key, item] : v.as_table()) {
                    if (!item.is_string() || item.as_string().str.empty()) {
                        return "must map each name to a non-empty string";
                    }
                    items[key] = item.as_string().str;
                }
                *out = std::move(items);
                return "";
            }};
}

Field Bool(std::string name, bool* out) {
    return {std::move(name), [out](const toml::value& v) -> std::string {
                if (!v.is_boolean()) return "must be true or false, not " + TypeName(v);
                *out = v.as_boolean();
                return "";
            }};
}

std::string CheckUrl(const std::string& url) {
    if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
        return "must be an http:// or https:// URL (got \"" + url + "\")";
    }
    return "";
}

/// An array of service URLs (a host pool): each checked like Url; duplicates refused.
Field UrlList(std::string name, std::vector<std::string>* out) {
    return {std::move(name), [out](const toml::value& v) -> std::string {
                if (!v.is_array()) return "must be an array of URLs, not " + TypeName(v);
                std::vector<std::string> items;
                for (const auto& item : v.as_array()) {
                    if (!item.is_string() || item.as_string().str.empty()) {
                        return "must hold non-empty URL strings";
                    }
                    std::string u = item.as_string().str;
                    if (auto bad = CheckUrl(u); !bad.empty()) return bad;
                    if (std::find(items.begin(), items.end(), u) != items.end()) {
                        return "lists \"" + u + "\" twice";
                    }
                    items.push_back(u);
                }
                *out = std::move(items);
                return "";
            }};
}

Field Url(std::string name, std::string* out) {
    return {std::move(name), [out](const toml::value& v) -> std::string {
                if (!v.is_string()) return "must be a string, not " + TypeName(v);
                std::string s = v.as_string().str;
                if (!s.empty()) {
                    if (auto bad = CheckUrl(s); !bad.empty()) return bad;
                }
                *out = s;
                return "";
            }};
}

}  // namespace

Environment ProcessEnvironment() {
    Environment env;
    for (char** e = environ; e && *e; ++e) {
        std::string kv = *e;
        auto eq = kv.find('=');
        if (eq == std::string::npos) continue;
        std::string k = kv.substr(0, eq);
        static const std::set<std::string> kRead = {
            "OLLAMA_HOST",    "OLLAMA_MODEL",    "COMFYUI_HOST", "COMFYUI_CHECKPOINT",
            "ELEVEN_API_KEY", "ELEVEN_VOICE_ID", "ELEVEN_MODEL_ID", "WHISPER_URL",
            "WHISPER_API_KEY",
            "BEACON_DATA",    "BEACON_LISTEN", "BEACON_DATABASE_URL", "BEACON_REDIS_URL",
            "BEACON_S3_ENDPOINT", "BEACON_S3_BUCKET", "BEACON_S3_REGION", "BEACON_S3_ACCESS_KEY",
            "BEACON_S3_SECRET_KEY", "BEACON_S3_PATH_STYLE"};
        if (kRead.contains(k)) env[k] = kv.substr(eq + 1);
    }
    return env;
}

namespace {
/// The offset of the first byte that does not belong to well-formed UTF-8 (no overlongs, no
/// surrogates, at most U+10FFFF), or npos.
std::size_t FirstInvalidUtf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t n = 0;
        std::uint32_t cp = 0;
        if (c < 0x80) {
            ++i;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            n = 1, cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2, cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3, cp = c & 0x07;
        } else {
            return i;
        }
        if (i + n >= s.size()) return i;  // cut short
        for (std::size_t k = 1; k <= n; ++k) {
            const auto d = static_cast<unsigned char>(s[i + k]);
            if ((d & 0xC0) != 0x80) return i;
            cp = (cp << 6) | (d & 0x3F);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF)) {
            return i;
        }
        i += n + 1;
    }
    return std::string_view::npos;
}
}  // namespace

core::Result<Config> Parse(const std::string& toml_text, const Environment& env,
                           const std::string& source_name) {
    Config c;
    std::string data_dir = c.data_dir.string();
    std::map<std::string, std::vector<Field>> sections;
    sections[""] = {Str("data_dir", &data_dir)};
    sections["server"] = {Listen("listen", &c.server.listen),
                          Int64("max_body_bytes", &c.server.max_body_bytes, 1024, 1LL << 32),
                          Url("public_url", &c.server.public_url),
                          Str("web_root", &c.server.web_root),
                          Int("threads", &c.server.threads, 1, 64),
                          Int("max_connections", &c.server.max_connections, 16, 1'000'000),
                          StrList("allowed_hosts", &c.server.allowed_hosts),
                          Int("ws_max_replay", &c.server.ws_max_replay, 0, 1'000'000),
                          Str("tls_cert", &c.server.tls_cert), Str("tls_key", &c.server.tls_key),
                          Bool("allow_insecure_remote", &c.server.allow_insecure_remote)};
    sections["storage"] = {Int64("min_free_mb", &c.storage.min_free_mb, 0, 1LL << 40),
                           Url("s3_endpoint", &c.storage.s3.endpoint),
                           Str("bucket", &c.storage.s3.bucket), Str("region", &c.storage.s3.region),
                           Str("access_key", &c.storage.s3.access_key),
                           Str("secret_key", &c.storage.s3.secret_key),
                           Bool("path_style", &c.storage.s3.path_style)};
    sections["database"] = {Str("url", &c.database.url), Int("pool", &c.database.pool, 1, 64)};
    sections["events"] = {Str("redis_url", &c.events.redis_url)};
    sections["jobs"] = {Int("workers", &c.jobs.workers, 0, 64),
                        Int("lease_seconds", &c.jobs.lease_seconds, 2, 3600),
                        Int("max_attempts", &c.jobs.max_attempts, 1, 100),
                        Int("backoff_base_ms", &c.jobs.backoff_base_ms, 1, 3'600'000),
                        Int("backoff_cap_ms", &c.jobs.backoff_cap_ms, 1, 86'400'000)};
    using core::Engine;
    sections["engines"] = {
        EngineChoice("script", &c.engines.script, {Engine::kBuiltin, Engine::kOllama}),
        EngineChoice("voice", &c.engines.voice, {Engine::kBuiltin, Engine::kElevenLabs}),
        EngineChoice("pictures", &c.engines.pictures, {Engine::kBuiltin, Engine::kComfyUi}),
        EngineChoice("captions", &c.engines.captions, {Engine::kBuiltin, Engine::kWhisper}),
        EngineChoice("translation", &c.engines.translation, {Engine::kBuiltin, Engine::kOllama}),
        EngineChoice("entities", &c.engines.entities, {Engine::kBuiltin, Engine::kOllama})};
    sections["ollama"] = {Url("host", &c.ollama.host), UrlList("hosts", &c.ollama.hosts),
                          Str("model", &c.ollama.model),
                          Seconds("timeout_seconds", &c.ollama.timeout, 1, 86400),
                          Int("concurrency", &c.ollama.concurrency, 1, 64)};
    sections["comfyui"] = {Url("host", &c.comfyui.host), UrlList("hosts", &c.comfyui.hosts),
                           Str("checkpoint", &c.comfyui.checkpoint),
                           Path("workflow", &c.comfyui.workflow),
                           Int("steps", &c.comfyui.steps, 1, 500),
                           Seconds("timeout_seconds", &c.comfyui.timeout, 1, 86400),
                           Int("concurrency", &c.comfyui.concurrency, 1, 64),
                           StrMap("style_checkpoints", &c.comfyui.style_checkpoints),
                           Int("max_batch", &c.comfyui.max_batch, 1, 64)};
    sections["elevenlabs"] = {Str("api_key", &c.elevenlabs.api_key),
                              Str("voice_id", &c.elevenlabs.voice_id),
                              Str("model_id", &c.elevenlabs.model_id),
                              Url("base_url", &c.elevenlabs.base_url),
                              Str("output_format", &c.elevenlabs.output_format),
                              Seconds("timeout_seconds", &c.elevenlabs.timeout, 1, 86400),
                              Int("concurrency", &c.elevenlabs.concurrency, 1, 64)};
    sections["whisper"] = {Url("url", &c.whisper.url),
                           Str("api", &c.whisper.api, {"whispercpp", "openai"}),
                           Str("model", &c.whisper.model),
                           Seconds("timeout_seconds", &c.whisper.timeout, 1, 86400),
                           Str("api_key", &c.whisper.api_key), Bool("vad", &c.whisper.vad),
                           Int("max_concurrent", &c.whisper.max_concurrent, 1, 16)};
    sections["builtin"] = {Str("voice", &c.builtin.voice),
                           Int("voice_concurrency", &c.builtin.voice_concurrency, 1, 64),
                           Int("pictures_concurrency", &c.builtin.pictures_concurrency, 1, 64)};
    sections["media"] = {Int("segment_seconds", &c.media.segment_seconds, 1, 30),
                         Int("fps", &c.media.fps, 1, 120),
                         Int("preview_height", &c.media.preview_height, 144, 1080),
                         Int("crf", &c.media.crf, 0, 51),
                         Int("audio_bitrate_kbps", &c.media.audio_bitrate_kbps, 32, 512),
                         Bool("burn_captions", &c.media.burn_captions),
                         Num("loudness_lufs", &c.media.loudness_lufs, -70, -5),
                         Num("true_peak_db", &c.media.true_peak_db, -9, 0),
                         Str("ffmpeg", &c.media.ffmpeg), Str("ffprobe", &c.media.ffprobe),
                         Seconds("timeout_seconds", &c.media.timeout, 1, 86400)};
    sections["liveloop"] = {Int("window_segments", &c.liveloop.window_segments, 3, 100),
                            Int("horizon_seconds", &c.liveloop.horizon_seconds, 10, 86400),
                            Int("guide_hours", &c.liveloop.guide_hours, 1, 24 * 14),
                            Str("time_zone", &c.liveloop.time_zone),
                            Bool("hdhomerun", &c.liveloop.hdhomerun),
                            StrList("cors_origins", &c.liveloop.cors_origins)};
    sections["metrics"] = {Str("token", &c.metrics.token), Str("nvidia_smi", &c.metrics.nvidia_smi),
                           Int("gpu_poll_seconds", &c.metrics.gpu_poll_seconds, 0, 3600)};
    sections["quotas"] = {Int("jobs_per_day", &c.quotas.jobs_per_day, 0, 1000000)};
    sections["party"] = {Int("max_parties", &c.party.max_parties, 1, 10000),
                         Int("max_members", &c.party.max_members, 2, 1000),
                         Int("group_wait_seconds", &c.party.group_wait_seconds, 1, 120),
                         Int("rebuffer_wait_seconds", &c.party.rebuffer_wait_seconds, 1, 120),
                         Int("invite_hours", &c.party.invite_hours, 1, 24 * 365),
                         Int("chat_max_chars", &c.party.chat_max_chars, 1, 4000)};
    sections["backup"] = {Str("dir", &c.backup.dir), Bool("nightly", &c.backup.nightly),
                          Field{"at", [&c](const toml::value& v) -> std::string {
                                    if (!v.is_string()) return "must be a string, not " + TypeName(v);
                                    const std::string t = v.as_string().str;
                                    bool ok = t.size() == 5 && t[2] == ':' &&
                                              std::isdigit(static_cast<unsigned char>(t[0])) &&
                                              std::isdigit(static_cast<unsigned char>(t[1])) &&
                                              std::isdigit(static_cast<unsigned char>(t[3])) &&
                                              std::isdigit(static_cast<unsigned char>(t[4])) &&
                                              std::stoi(t.substr(0, 2)) < 24 &&
                                              std::stoi(t.substr(3)) < 60;
                                    if (!ok) return "must be HH:MM (UTC), e.g. \"02:00\" (got \"" + t + "\")";
                                    c.backup.at = t;
                                    return "";
                                }},
                          Int("keep_days", &c.backup.keep_days, 1, 3650),
                          Url("s3_endpoint", &c.backup.s3.endpoint),
                          Str("s3_region", &c.backup.s3.region),
                          Str("s3_access_key", &c.backup.s3.access_key),
                          Str("s3_secret_key", &c.backup.s3.secret_key),
                          Bool("s3_path_style", &c.backup.s3.path_style)};
    sections["secrets"] = {Str("key_file", &c.secrets.key_file)};
    sections["auth"] = {Int("access_token_minutes", &c.auth.access_token_minutes, 1, 1440),
                        Int("refresh_idle_days", &c.auth.refresh_idle_days, 1, 365),
                        Int("refresh_max_days", &c.auth.refresh_max_days, 1, 365),
                        Int("revocation_sync_seconds", &c.auth.revocation_sync_seconds, 1, 60)};
    sections["arcade"] = {Bool("enabled", &c.arcade.enabled), Str("listen", &c.arcade.listen),
                          Str("public_url", &c.arcade.public_url),
                          Int64("max_upload_mb", &c.arcade.max_upload_mb, 1, 1 << 14),
                          Int64("max_total_mb", &c.arcade.max_total_mb, 1, 1 << 16),
                          Int64("max_file_mb", &c.arcade.max_file_mb, 1, 1 << 16),
                          Int("max_files", &c.arcade.max_files, 1, 1000000),
                          Bool("samples", &c.arcade.samples)};
    sections["wiki"] = {Str("zim", &c.wiki.zim), Bool("online", &c.wiki.online),
                        Field{"source", [&c](const toml::value& v) -> std::string {
                                  if (!v.is_string()) return "must be a string, not " + TypeName(v);
                                  const std::string s = v.as_string().str;
                                  if (!s.empty() && s != "kiwix" && s != "wikipedia") {
                                      return "must be \"kiwix\" or \"wikipedia\" (got \"" + s + "\")";
                                  }
                                  c.wiki.source = s;
                                  return "";
                              }},
                        Str("language", &c.wiki.language), Str("wikipedia_url", &c.wiki.wikipedia_url),
                        Str("kiwix_serve_url", &c.wiki.kiwix_serve_url),
                        Str("user_agent", &c.wiki.user_agent),
                        Int("cache_days", &c.wiki.cache_days, 0, 365),
                        Int("max_concurrent", &c.wiki.max_concurrent, 1, 16)};

    // TOML is UTF-8 (toml.io); toml11 as Debian ships it reads past its buffer on some invalid
    // sequences inside strings (found by the config fuzzer), so they are refused first.
    if (auto bad = FirstInvalidUtf8(toml_text); bad != std::string::npos) {
        return Error::Invalid(source_name + ": not valid TOML: the file is not UTF-8 (byte " +
                              std::to_string(bad) + ")");
    }
    toml::value root;
    try {
        std::istringstream in(toml_text);
        root = toml::parse(in, source_name);
    } catch (const std::exception& e) {
        return Error::Invalid(source_name + ": not valid TOML: " + e.what());
    }
    std::set<std::string> engines_set;
    auto apply = [&](const std::string& section, const toml::value& table) -> core::Status {
        auto& fields = sections[section];
        for (const auto& [key, value] : table.as_table()) {
            std::string path = section.empty() ? key : section + "." + key;
            if (section.empty() && value.is_table()) {
                if (!sections.contains(key) || key.empty()) {
                    return Error::Invalid(source_name + ": unknown section [" + key + "]");
                }
                continue;  // handled below
            }
            auto it = std::find_if(fields.begin(), fields.end(),
                                   [&name = key](const Field& f) { return f.name == name; });
            if (it == fields.end()) return Error::Invalid(source_name + ": unknown key '" + path + "'");
            if (auto bad = it->set(value); !bad.empty()) {
                return Error::Invalid(source_name + ": '" + path + "' " + bad);
            }
            if (section == "engines") engines_set.insert(key);
        }
        return {};
    };
    if (!root.is_table()) return Error::Invalid(source_name + ": expected a table");
    BEACON_CHECK(apply("", root));
    for (const auto& [key, value] : root.as_table()) {
        if (value.is_table()) BEACON_CHECK(apply(key, value));
    }
    c.data_dir = data_dir;

    // Environment overrides (the brief's names). A service's variable selects that service for
    // its capability unless the file chose an engine for that capability explicitly.
    auto env_get = [&](const char* k) -> std::optional<std::string> {
        auto it = env.find(k);
        if (it == env.end() || it->second.empty()) return std::nullopt;
        return it->second;
    };
    auto env_url = [&](const char* k, std::string* out) -> core::Status {
        if (auto v = env_get(k)) {
            std::string url = *v;
            // Ollama's own convention allows a bare host:port.
            if (url.find("://") == std::string::npos) url = "http://" + url;
            if (auto bad = CheckUrl(url); !bad.empty()) {
                return Error::Invalid(std::string("environment ") + k + " " + bad);
            }
            *out = url;
        }
        return {};
    };
    BEACON_CHECK(env_url("OLLAMA_HOST", &c.ollama.host));
    if (auto v = env_get("OLLAMA_MODEL")) c.ollama.model = *v;
    BEACON_CHECK(env_url("COMFYUI_HOST", &c.comfyui.host));
    if (auto v = env_get("COMFYUI_CHECKPOINT")) c.comfyui.checkpoint = *v;
    if (auto v = env_get("ELEVEN_API_KEY")) c.elevenlabs.api_key = *v;
    if (auto v = env_get("ELEVEN_VOICE_ID")) c.elevenlabs.voice_id = *v;
    if (auto v = env_get("ELEVEN_MODEL_ID")) c.elevenlabs.model_id = *v;
    BEACON_CHECK(env_url("WHISPER_URL", &c.whisper.url));
    if (auto v = env_get("WHISPER_API_KEY")) c.whisper.api_key = *v;
    if (auto v = env_get("BEACON_DATA")) c.data_dir = *v;
    if (auto v = env_get("BEACON_LISTEN")) {
        auto listen = core::ParseListenAddress(*v);
        if (!listen.ok()) {
            return Error::Invalid("environment BEACON_LISTEN " + listen.error().message);
        }
        c.server.listen = std::move(*listen);
    }
    if (auto v = env_get("BEACON_DATABASE_URL")) c.database.url = *v;
    if (auto v = env_get("BEACON_REDIS_URL")) c.events.redis_url = *v;
    BEACON_CHECK(env_url("BEACON_S3_ENDPOINT", &c.storage.s3.endpoint));
    if (auto v = env_get("BEACON_S3_BUCKET")) c.storage.s3.bucket = *v;
    if (auto v = env_get("BEACON_S3_REGION")) c.storage.s3.region = *v;
    if (auto v = env_get("BEACON_S3_ACCESS_KEY")) c.storage.s3.access_key = *v;
    if (auto v = env_get("BEACON_S3_SECRET_KEY")) c.storage.s3.secret_key = *v;
    if (auto v = env_get("BEACON_S3_PATH_STYLE")) {
        if (*v != "true" && *v != "false") {
            return Error::Invalid("environment BEACON_S3_PATH_STYLE must be true or false");
        }
        c.storage.s3.path_style = *v == "true";
    }
    if (env_get("OLLAMA_HOST")) {
        if (!engines_set.contains("script")) c.engines.script = Engine::kOllama;
        if (!engines_set.contains("translation")) c.engines.translation = Engine::kOllama;
        if (!engines_set.contains("entities")) c.engines.entities = Engine::kOllama;
    }
    if (env_get("COMFYUI_HOST") && !engines_set.contains("pictures")) {
        c.engines.pictures = Engine::kComfyUi;
    }
    if (env_get("ELEVEN_API_KEY") && !engines_set.contains("voice")) {
        c.engines.voice = Engine::kElevenLabs;
    }
    if (env_get("WHISPER_URL") && !engines_set.contains("captions")) {
        c.engines.captions = Engine::kWhisper;
    }

    // Cross-field checks.
    if (!c.database.url.empty() && !c.database.url.starts_with("postgresql://") &&
        !c.database.url.starts_with("postgres://")) {
        return Error::Invalid("database.url must be a postgresql:// URL (or empty for SQLite in "
                              "the data folder)");
    }
    if (!c.events.redis_url.empty() && !c.events.redis_url.starts_with("redis://")) {
        return Error::Invalid("events.redis_url must be a redis://host:port URL");
    }
    if (!c.storage.s3.endpoint.empty() && c.storage.s3.bucket.empty()) {
        return Error::Invalid("storage.s3_endpoint is set but storage.bucket is not");
    }
    if (c.server.tls_cert.empty() != c.server.tls_key.empty()) {
        return Error::Invalid("server.tls_cert and server.tls_key go together: set both "
                              "(PEM certificate chain and private key files) or neither");
    }
    if (!c.arcade.listen.empty()) {
        if (auto games = core::ParseListenAddress(c.arcade.listen); !games.ok()) {
            return Error::Invalid("arcade.listen " + games.error().message);
        }
    }
    if (!c.arcade.public_url.empty() && !c.arcade.public_url.starts_with("http://") &&
        !c.arcade.public_url.starts_with("https://")) {
        return Error::Invalid("arcade.public_url must be an http:// or https:// origin, e.g. "
                              "\"https://g{id}.games.example\"");
    }
    if (c.auth.refresh_idle_days > c.auth.refresh_max_days) {
        return Error::Invalid("auth.refresh_idle_days (" +
                              std::to_string(c.auth.refresh_idle_days) +
                              ") must not exceed auth.refresh_max_days (" +
                              std::to_string(c.auth.refresh_max_days) + ")");
    }
    if (c.jobs.backoff_cap_ms < c.jobs.backoff_base_ms) {
        return Error::Invalid("jobs.backoff_cap_ms must not be smaller than jobs.backoff_base_ms");
    }
    if (c.engines.voice == Engine::kElevenLabs && c.elevenlabs.api_key.empty()) {
        return Error::Invalid("engines.voice is \"elevenlabs\" but no API key is set "
                              "(ELEVEN_API_KEY or elevenlabs.api_key)");
    }
    if (c.engines.captions == Engine::kWhisper && c.whisper.url.empty()) {
        return Error::Invalid("engines.captions is \"whisper\" but no server is set "
                              "(WHISPER_URL or whisper.url)");
    }
    return c;
}

core::Result<Config> Load(const std::filesystem::path& file, const Environment& env,
                          bool required) {
    std::ifstream in(file);
    if (!in) {
        if (required) return Error::Invalid("cannot read config file " + file.string());
        return Parse("", env, file.string());
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    return Parse(ss.str(), env, file.string());
}

}  // namespace beacon::config
