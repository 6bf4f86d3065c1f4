#pragma once
/// The program's closed vocabularies as `enum class`, each with one pair of conversions to and
/// from the string it has on the wire (JSON), in the database and in beacon.toml. Convert at the
/// edges (row read/write, JSON parse/serialise, config parse); inside, use the enum.
/// Parse* answers Invalid naming the kind of value, the unknown string and the accepted ones.
/// JSON reads and writes them through the same pair (to_json/from_json below), so
/// `Json{{"visibility", c.visibility}}` writes "public", never a number.
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "core/result.hpp"

namespace beacon::core {

/// Who may see a library item (content.visibility).
enum class Visibility { kPrivate, kPublic };
std::string_view ToString(Visibility v);  // "private" | "public"
Result<Visibility> ParseVisibility(std::string_view s);

/// How a channel's loop orders its items (playlists.loop_mode; liveloop's schedule).
enum class LoopMode { kInOrder, kShuffle };
std::string_view ToString(LoopMode m);  // "in_order" | "shuffle"
Result<LoopMode> ParseLoopMode(std::string_view s);

/// Which job definition runs a job (jobs.kind).
enum class JobKind { kGenerate, kLocalize, kImport };
std::string_view ToString(JobKind k);  // "generate" | "localize" | "import"
Result<JobKind> ParseJobKind(std::string_view s);

/// What a stored artifact is (assets.kind).
enum class AssetKind {
    kScript,
    kVoice,
    kPicture,
    kPictureLayer,
    kPreview,
    kPreviewThumbnail,
    kNarration,
    kEncode,
    kCaptions,
    kChapters,
    kPoster,
    kThumbnail,
    kHls,
    kMp4,
};
/// "script" | "voice" | "picture" | "picture_layer" | "preview" | "preview_thumbnail" |
/// "narration" | "encode" | "captions" | "chapters" | "poster" | "thumbnail" | "hls" | "mp4"
std::string_view ToString(AssetKind k);
Result<AssetKind> ParseAssetKind(std::string_view s);

/// A job log line's level (job_logs.level); cmd = a command line that was run.
enum class LogLevel { kInfo, kWarn, kError, kCmd };
std::string_view ToString(LogLevel l);  // "info" | "warn" | "error" | "cmd"
Result<LogLevel> ParseLogLevel(std::string_view s);

/// Which adapter serves a capability ([engines] in beacon.toml): the built-in local one or a
/// named service. Which services a capability accepts is config's rule, not this type's.
enum class Engine { kBuiltin, kOllama, kComfyUi, kElevenLabs, kWhisper };
std::string_view ToString(Engine e);  // "builtin" | "ollama" | "comfyui" | "elevenlabs" | "whisper"
Result<Engine> ParseEngine(std::string_view s);

/// nlohmann::json hooks: the wire string out; in, the same string or a json other_error (501)
/// naming it, which a decoder's `catch (const Json::exception&)` turns into its own Error.
void to_json(nlohmann::json& j, Visibility v);
void from_json(const nlohmann::json& j, Visibility& v);
void to_json(nlohmann::json& j, LoopMode m);
void from_json(const nlohmann::json& j, LoopMode& m);
void to_json(nlohmann::json& j, JobKind k);
void from_json(const nlohmann::json& j, JobKind& k);
void to_json(nlohmann::json& j, AssetKind k);
void from_json(const nlohmann::json& j, AssetKind& k);
void to_json(nlohmann::json& j, LogLevel l);
void from_json(const nlohmann::json& j, LogLevel& l);
void to_json(nlohmann::json& j, Engine e);
void from_json(const nlohmann::json& j, Engine& e);

}  // namespace beacon::core
