#include "core/enums.hpp"

#include <array>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

namespace beacon::core {

namespace {

/// One table per enum: every value once, with its string. ToString and Parse both read it, so
/// the two directions cannot disagree.
template <typename E, std::size_t N>
using Names = std::array<std::pair<E, std::string_view>, N>;

template <typename E, std::size_t N>
std::string_view NameOf(const Names<E, N>& names, E value) {
    for (const auto& [v, name] : names) {
        if (v == value) return name;
    }
    return "unknown";  // unreachable for a valid enumerator
}

template <typename E, std::size_t N>
Result<E> ValueOf(const Names<E, N>& names, std::string_view what, std::string_view s) {
    std::string expected;
    for (const auto& [v, name] : names) {
        if (name == s) return v;
        expected += (expected.empty() ? "" : ", ") + std::string(name);
    }
    return Error::Invalid("unknown " + std::string(what) + " \"" + std::string(s) +
                          "\" (expected one of " + expected + ")");
}

constexpr Names<Visibility, 2> kVisibility{
    {{Visibility::kPrivate, "private"}, {Visibility::kPublic, "public"}}};
constexpr Names<LoopMode, 2> kLoopMode{
    {{LoopMode::kInOrder, "in_order"}, {LoopMode::kShuffle, "shuffle"}}};
constexpr Names<JobKind, 3> kJobKind{{{JobKind::kGenerate, "generate"},
                                      {JobKind::kLocalize, "localize"},
                                      {JobKind::kImport, "import"}}};
constexpr Names<AssetKind, 14> kAssetKind{{{AssetKind::kScript, "script"},
                                           {AssetKind::kVoice, "voice"},
                                           {AssetKind::kPicture, "picture"},
                                           {AssetKind::kPictureLayer, "picture_layer"},
                                           {AssetKind::kPreview, "preview"},
                                           {AssetKind::kPreviewThumbnail, "preview_thumbnail"},
                                           {AssetKind::kNarration, "narration"},
                                           {AssetKind::kEncode, "encode"},
                                           {AssetKind::kCaptions, "captions"},
                                           {AssetKind::kChapters, "chapters"},
                                           {AssetKind::kPoster, "poster"},
                                           {AssetKind::kThumbnail, "thumbnail"},
                                           {AssetKind::kHls, "hls"},
                                           {AssetKind::kMp4, "mp4"}}};
constexpr Names<LogLevel, 4> kLogLevel{{{LogLevel::kInfo, "info"},
                                        {LogLevel::kWarn, "warn"},
                                        {LogLevel::kError, "error"},
                                        {LogLevel::kCmd, "cmd"}}};
constexpr Names<Engine, 5> kEngine{{{Engine::kBuiltin, "builtin"},
                                    {Engine::kOllama, "ollama"},
                                    {Engine::kComfyUi, "comfyui"},
                                    {Engine::kElevenLabs, "elevenlabs"},
                                    {Engine::kWhisper, "whisper"}}};

template <typename E, std::size_t N>
void FromJson(const Names<E, N>& names, std::string_view what, const nlohmann::json& j, E& out) {
    if (!j.is_string()) {
        throw nlohmann::json::type_error::create(
            302, std::string(what) + " must be a string, not " + j.type_name(), &j);
    }
    auto parsed = ValueOf(names, what, j.get_ref<const std::string&>());
    if (!parsed.ok()) throw nlohmann::json::other_error::create(501, parsed.error().message, &j);
    out = *parsed;
}

}  // namespace

void to_json(nlohmann::json& j, Visibility v) { j = ToString(v); }
void from_json(const nlohmann::json& j, Visibility& v) {
    FromJson(kVisibility, "visibility", j, v);
}
void to_json(nlohmann::json& j, LoopMode m) { j = ToString(m); }
void from_json(const nlohmann::json& j, LoopMode& m) { FromJson(kLoopMode, "loop mode", j, m); }
void to_json(nlohmann::json& j, JobKind k) { j = ToString(k); }
void from_json(const nlohmann::json& j, JobKind& k) { FromJson(kJobKind, "job kind", j, k); }
void to_json(nlohmann::json& j, AssetKind k) { j = ToString(k); }
void from_json(const nlohmann::json& j, AssetKind& k) { FromJson(kAssetKind, "asset kind", j, k); }
void to_json(nlohmann::json& j, LogLevel l) { j = ToString(l); }
void from_json(const nlohmann::json& j, LogLevel& l) { FromJson(kLogLevel, "log level", j, l); }
void to_json(nlohmann::json& j, Engine e) { j = ToString(e); }
void from_json(const nlohmann::json& j, Engine& e) { FromJson(kEngine, "engine", j, e); }

std::string_view ToString(Visibility v) { return NameOf(kVisibility, v); }
Result<Visibility> ParseVisibility(std::string_view s) {
    return ValueOf(kVisibility, "visibility", s);
}

std::string_view ToString(LoopMode m) { return NameOf(kLoopMode, m); }
Result<LoopMode> ParseLoopMode(std::string_view s) { return ValueOf(kLoopMode, "loop mode", s); }

std::string_view ToString(JobKind k) { return NameOf(kJobKind, k); }
Result<JobKind> ParseJobKind(std::string_view s) { return ValueOf(kJobKind, "job kind", s); }

std::string_view ToString(AssetKind k) { return NameOf(kAssetKind, k); }
Result<AssetKind> ParseAssetKind(std::string_view s) {
    return ValueOf(kAssetKind, "asset kind", s);
}

std::string_view ToString(LogLevel l) { return NameOf(kLogLevel, l); }
Result<LogLevel> ParseLogLevel(std::string_view s) { return ValueOf(kLogLevel, "log level", s); }

std::string_view ToString(Engine e) { return NameOf(kEngine, e); }
Result<Engine> ParseEngine(std::string_view s) { return ValueOf(kEngine, "engine", s); }

}  // namespace beacon::core
