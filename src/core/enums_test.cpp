#include "core/enums.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <set>
#include <string>
#include <utility>
#include <vector>

namespace beacon::core {
namespace {

/// Every value with the string the database, the JSON API and beacon.toml use for it: these
/// strings are a stored and published format, so a change here is a migration, not a rename.
template <typename E>
using Wire = std::vector<std::pair<E, std::string>>;

template <typename E, typename ParseFn>
void ExpectRoundTrip(const Wire<E>& wire, ParseFn parse) {
    std::set<std::string> seen;
    for (const auto& [value, text] : wire) {
        EXPECT_EQ(ToString(value), text);
        auto back = parse(text);
        ASSERT_TRUE(back.ok()) << text << ": " << back.error().message;
        EXPECT_EQ(*back, value) << text;
        EXPECT_TRUE(seen.insert(text).second) << text << " names two values";
    }
}

template <typename ParseFn>
void ExpectUnknown(ParseFn parse, const std::string& text, const std::string& message) {
    auto r = parse(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(r.error().message, message);
}

TEST(Enums, VisibilityRoundTripsAndRefusesUnknown) {
    ExpectRoundTrip<Visibility>(
        {{Visibility::kPrivate, "private"}, {Visibility::kPublic, "public"}}, ParseVisibility);
    ExpectUnknown(ParseVisibility, "Public",
                  "unknown visibility \"Public\" (expected one of private, public)");
    ExpectUnknown(ParseVisibility, "", "unknown visibility \"\" (expected one of private, public)");
}

TEST(Enums, LoopModeRoundTripsAndRefusesUnknown) {
    ExpectRoundTrip<LoopMode>({{LoopMode::kInOrder, "in_order"}, {LoopMode::kShuffle, "shuffle"}},
                              ParseLoopMode);
    ExpectUnknown(ParseLoopMode, "random",
                  "unknown loop mode \"random\" (expected one of in_order, shuffle)");
}

TEST(Enums, JobKindRoundTripsAndRefusesUnknown) {
    ExpectRoundTrip<JobKind>({{JobKind::kGenerate, "generate"},
                              {JobKind::kLocalize, "localize"},
                              {JobKind::kImport, "import"}},
                             ParseJobKind);
    ExpectUnknown(ParseJobKind, "export",
                  "unknown job kind \"export\" (expected one of generate, localize, import)");
}

TEST(Enums, AssetKindRoundTripsAndRefusesUnknown) {
    ExpectRoundTrip<AssetKind>({{AssetKind::kScript, "script"},
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
                                {AssetKind::kMp4, "mp4"}},
                               ParseAssetKind);
    auto bad = ParseAssetKind("webm");
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(bad.error().message.find("unknown asset kind \"webm\" (expected one of script,"),
              std::string::npos)
        << bad.error().message;
}

TEST(Enums, LogLevelRoundTripsAndRefusesUnknown) {
    ExpectRoundTrip<LogLevel>({{LogLevel::kInfo, "info"},
                               {LogLevel::kWarn, "warn"},
                               {LogLevel::kError, "error"},
                               {LogLevel::kCmd, "cmd"}},
                              ParseLogLevel);
    ExpectUnknown(ParseLogLevel, "debug",
                  "unknown log level \"debug\" (expected one of info, warn, error, cmd)");
}

TEST(Enums, EngineRoundTripsAndRefusesUnknown) {
    ExpectRoundTrip<Engine>({{Engine::kBuiltin, "builtin"},
                             {Engine::kOllama, "ollama"},
                             {Engine::kComfyUi, "comfyui"},
                             {Engine::kElevenLabs, "elevenlabs"},
                             {Engine::kWhisper, "whisper"}},
                            ParseEngine);
    ExpectUnknown(ParseEngine, "openai",
                  "unknown engine \"openai\" (expected one of builtin, ollama, comfyui, "
                  "elevenlabs, whisper)");
}

TEST(Enums, JsonCarriesTheWireStringNotANumber) {
    nlohmann::json j = {{"visibility", Visibility::kPublic}, {"loop_mode", LoopMode::kShuffle}};
    EXPECT_EQ(j.dump(), R"({"loop_mode":"shuffle","visibility":"public"})");
    EXPECT_EQ(j["visibility"].get<Visibility>(), Visibility::kPublic);
    EXPECT_EQ(nlohmann::json("import").get<JobKind>(), JobKind::kImport);
    try {
        (void)nlohmann::json("secret").get<Visibility>();
        ADD_FAILURE() << "an unknown string must not read as a value";
    } catch (const nlohmann::json::exception& e) {
        EXPECT_NE(std::string(e.what()).find("unknown visibility \"secret\""), std::string::npos)
            << e.what();
    }
    EXPECT_THROW((void)nlohmann::json(1).get<Visibility>(), nlohmann::json::exception)
        << "the number behind the enumerator is not a wire form";
}

}  // namespace
}  // namespace beacon::core
