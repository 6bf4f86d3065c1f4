#pragma once
/// The domain vocabulary: jobs, scripts, library content, playlists. Pure data, no I/O.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/enums.hpp"
#include "core/result.hpp"

namespace beacon::core {

using Json = nlohmann::json;

/// Milliseconds since the Unix epoch (UTC).
using UnixMillis = std::int64_t;
UnixMillis NowMillis();
/// RFC 3339 UTC with milliseconds, e.g. 2026-11-29T06:00:00.000Z.
std::string FormatTimestamp(UnixMillis t);

/// Job states exactly as in the brief, plus canceled.
enum class JobState {
    kQueued,
    kGeneratingScript,
    kRenderingPreview,
    kRenderingFinal,
    kComposing,
    kCompleted,
    kFailed,
    kCanceled,
};
std::string_view ToString(JobState s);
std::optional<JobState> ParseJobState(std::string_view s);
/// completed, failed and canceled never change again (except failed/canceled → queued by retry).
bool IsTerminal(JobState s);

/// Limits on what a caller may ask for; the API answers 400 naming the field beyond them.
inline constexpr std::size_t kMaxPromptChars = 4000;
inline constexpr std::size_t kMaxTitleChars = 200;
inline constexpr double kMinDurationSeconds = 1.0;
inline constexpr double kMaxDurationSeconds = 600.0;

/// The brief's generate payload.
struct GenerateRequest {
    std::string prompt;
    std::string title;           // empty: the script writer's title is used
    std::string style = "cinematic";
    std::string voice;           // empty: the voice engine's default voice
    std::string language = "en";
    double duration_target = 7.0;  // seconds
    std::string output_preset = "720p";  // 480p | 720p | 1080p
    bool produce_preview = true;
};
/// Validates a JSON object: unknown fields, wrong types and out-of-range values are errors
/// naming the field.
Result<GenerateRequest> ParseGenerateRequest(const Json& body);
/// Checks the request's voice and language against what the voice engine offers: `voices` is
/// GET /api/v1/voices' item array [{id, name, language}]. A named voice must be one of the ids;
/// the language (its primary subtag) must be one the voices speak, unless no voice says which
/// language it speaks. The error names what is available.
Status CheckVoiceAndLanguage(const GenerateRequest& r, const Json& voices);
Json ToJson(const GenerateRequest& r);

struct Job {
    std::int64_t id = 0;
    std::int64_t user_id = 0;
    GenerateRequest request;
    JobState status = JobState::kQueued;
    int progress = 0;  // 0..100
    UnixMillis created_at = 0;
    UnixMillis updated_at = 0;
    std::string preview_url;
    std::string final_url;
    std::string thumbnail_url;
    std::string vtt_url;
    std::string error_log;       // the failure in words, empty unless failed
    std::string error_code;      // ToString(ErrorCode) of the failure
    int attempts = 0;            // runs started (a retry after a retryable error counts)
    UnixMillis run_after = 0;    // not claimed before this time (backoff)
    bool cancel_requested = false;
    std::optional<std::int64_t> content_id;  // set when completed
    Json stages = Json::object();  // finished stage name → its recorded outputs
    JobKind kind = JobKind::kGenerate;  // which JobDefinition runs it
    Json params = Json::object();   // the kind's own request (empty for generate)
    std::optional<std::int64_t> batch_id;  // set for jobs of a batch (POST /generate/batch)
    int priority = 0;  // claimed lowest first: 0 interactive, 1 batch
};
Json ToJson(const Job& j);

struct Scene {
    int id = 1;
    std::string description;
    std::string shot_type = "wide";
    std::string camera = "static";
    double duration = 3.5;  // seconds
    std::vector<std::string> actions;
    std::vector<std::string> lines;
};

struct Script {
    std::string title;
    std::string description;
    std::vector<Scene> scenes;
};
Json ToJson(const Script& s);
/// Parses and validates the script shape (see issue 3): at least one scene, ids, durations > 0,
/// every scene has a description and at least one line.
Result<Script> ParseScript(const Json& j);
/// The same checks on a script already in memory (a script writer's answer), with the same
/// messages; no JSON round trip.
Status ValidateScript(const Script& s);

struct Content {
    std::int64_t id = 0;
    std::int64_t owner_id = 0;
    std::optional<std::int64_t> job_id;
    std::string title;
    std::string description;
    std::string prompt;
    // Object-store keys of the item's files ("library/12/video.mp4"; "" when there is none).
    // ToJson answers them as "/media/<key>" URLs under the API's field names (mp4_url, hls_url,
    // thumbnail, poster, preview_url, vtt_url, chapters_url).
    std::string mp4_key;
    std::string hls_key;
    std::string thumbnail_key;
    std::string poster_key;
    std::string preview_key;
    std::string vtt_key;
    std::string chapters_key;
    double duration = 0;  // seconds
    std::vector<std::string> languages;
    bool published = false;        // on the default LiveLoop playlist
    Visibility visibility = Visibility::kPrivate;
    std::string transcript;
    Json script = Json::object();
    Json entities = Json::array();
    UnixMillis created_at = 0;
    UnixMillis updated_at = 0;
    /// Being composed: its files are not all in place yet, so no list, search or lookup shows
    /// it; only its job sees it (Database::BeginJobContent) until CompleteJobContent.
    bool pending = false;
};
/// The API's shape of a library item: the file keys as "/media/<key>" URLs (object_keys::MediaUrl).
Json ToJson(const Content& c);

/// A LiveLoop channel: playlist + schedule (the brief's Playlist/Stream table).
struct Playlist {
    std::int64_t id = 0;
    std::string slug;    // URL name, e.g. "main" → /live/main/index.m3u8
    std::string title;
    std::vector<std::int64_t> items;  // content ids in order
    LoopMode loop_mode = LoopMode::kInOrder;
    bool active = true;
    std::string hls_endpoint;
    Json scheduled_slots = Json::array();
    Json inserts = Json::array();  // manual interstitials
    UnixMillis created_at = 0;
    UnixMillis updated_at = 0;
};
Json ToJson(const Playlist& p);

struct User {
    std::int64_t id = 0;
    std::string name;
    std::string password_hash;  // argon2id encoded string; empty = not set yet
    std::string stream_key;     // read-only key for IPTV clients
    UnixMillis created_at = 0;
};

/// A stored artifact with provenance: which engine/model made it from which parameters.
struct Asset {
    std::int64_t id = 0;
    std::optional<std::int64_t> job_id;
    std::optional<std::int64_t> content_id;
    AssetKind kind = AssetKind::kEncode;
    std::string hash;    // content address (sha256 hex of the bytes or of the inputs)
    std::string key;     // object store key
    std::string mime;
    std::int64_t size = 0;
    std::string engine;  // e.g. "builtin-planner", "ollama"
    std::string model;
    Json parameters = Json::object();
    UnixMillis created_at = 0;
};
Json ToJson(const Asset& a);

struct JobLogLine {
    std::int64_t id = 0;
    std::int64_t job_id = 0;
    UnixMillis at = 0;
    std::string stage;
    LogLevel level = LogLevel::kInfo;
    std::string message;
};
Json ToJson(const JobLogLine& l);

}  // namespace beacon::core
