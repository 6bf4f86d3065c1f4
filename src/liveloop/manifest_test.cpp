#include "liveloop/manifest.hpp"

#include <gtest/gtest.h>

#include "liveloop/test_support.hpp"

namespace beacon::liveloop {
namespace {

constexpr const char* kLayoutExample = R"({"version":1,"segment_seconds":4,"fps":25,
  "width":1280,"height":720,"duration":7.0,"video_codecs":"avc1.640028",
  "audio_codecs":"mp4a.40.2",
  "video":[{"uri":"video/seg_00000.ts","duration":4.0},{"uri":"video/seg_00001.ts","duration":3.0}],
  "audio":{"en":[{"uri":"audio_en/seg_00000.ts","duration":4.0},
                 {"uri":"audio_en/seg_00001.ts","duration":3.0}]},
  "subtitles":{"en":[{"uri":"subs_en/seg_00000.vtt","duration":4.0},
                     {"uri":"subs_en/seg_00001.vtt","duration":3.0}]},
  "first_pts":1.4})";

TEST(Manifest, ParsesTheLayoutExample) {
    auto m = ParseManifest(kLayoutExample);
    ASSERT_TRUE(m.ok()) << m.error().message;
    EXPECT_EQ(m->video.size(), 2u);
    EXPECT_EQ(m->video[1].uri, "video/seg_00001.ts");
    EXPECT_DOUBLE_EQ(m->video[1].duration, 3.0);
    ASSERT_EQ(m->audio.size(), 1u);
    EXPECT_EQ(m->OriginalLanguage(), "en");
    ASSERT_NE(m->Subtitles("en"), nullptr);
    EXPECT_EQ(m->Subtitles("fr"), nullptr);
    EXPECT_DOUBLE_EQ(m->first_pts, 1.4);
    EXPECT_EQ(m->width, 1280);
    EXPECT_EQ(m->MaxRoundedDuration(), 4);
    EXPECT_TRUE(m->warnings.empty());
}

TEST(Manifest, FirstAudioTrackInFileOrderIsTheOriginal) {
    auto m = ParseManifest(testing::ManifestJson({4, 4}, {"fr", "en", "de"}, {}));
    ASSERT_TRUE(m.ok());
    ASSERT_EQ(m->audio.size(), 3u);
    EXPECT_EQ(m->OriginalLanguage(), "fr");
    EXPECT_EQ(m->audio[2].language, "de");
}

TEST(Manifest, OriginalLanguageFieldMovesThatTrackFirst) {
    auto j = nlohmann::json::parse(testing::ManifestJson({4}, {"en", "es"}, {}));
    j["original_language"] = "es";
    auto m = ParseManifest(j.dump());
    ASSERT_TRUE(m.ok());
    EXPECT_EQ(m->OriginalLanguage(), "es");
    j["original_language"] = "xx";
    EXPECT_FALSE(ParseManifest(j.dump()).ok());
}

TEST(Manifest, TracksOffTheVideoGridAreDroppedWithAWarning) {
    auto j = nlohmann::json::parse(testing::ManifestJson({4, 4}, {"en", "es"}, {"en"}));
    j["audio"]["es"].erase(1);
    j["subtitles"]["en"].erase(0);
    auto m = ParseManifest(j.dump());
    ASSERT_TRUE(m.ok());
    EXPECT_EQ(m->audio.size(), 1u);
    EXPECT_TRUE(m->subtitles.empty());
    EXPECT_EQ(m->warnings.size(), 2u);
}

TEST(Manifest, RejectsHostileOrBrokenInput) {
    auto base = nlohmann::json::parse(kLayoutExample);
    auto expect_error = [&](nlohmann::json j, const std::string& field) {
        auto m = ParseManifest(j.dump());
        ASSERT_FALSE(m.ok()) << j.dump();
        EXPECT_NE(m.error().message.find(field), std::string::npos) << m.error().message;
    };
    EXPECT_FALSE(ParseManifest("not json").ok());
    EXPECT_FALSE(ParseManifest("[]").ok());
    EXPECT_FALSE(ParseManifest("").ok());
    auto j = base;
    j["version"] = 2;
    expect_error(j, "version");
    // Numbers beyond an integer field's range are refused, never converted (found by fuzzing).
    j = base;
    j["width"] = 1.28e44;
    expect_error(j, "width");
    j = base;
    j["height"] = -1e300;
    expect_error(j, "height");
    j = base;
    j["video"][0]["uri"] = "../../etc/passwd";
    expect_error(j, "video[0].uri");
    j = base;
    j["video"][0]["uri"] = "/abs/seg.ts";
    expect_error(j, "video[0].uri");
    j = base;
    j["video"][1]["uri"] = "video/seg 1.ts?x=<script>";
    expect_error(j, "video[1].uri");
    j = base;
    j["video"][0]["duration"] = -1;
    expect_error(j, "video[0].duration");
    j = base;
    j["video"][0]["duration"] = "4";
    expect_error(j, "video[0].duration");
    j = base;
    j["video"] = nlohmann::json::array();
    expect_error(j, "video");
    j = base;
    j.erase("audio");
    expect_error(j, "audio");
    j = base;
    j["audio"]["EN\"bad"] = j["audio"]["en"];
    expect_error(j, "audio");
    j = base;
    j["video_codecs"] = "avc1\",URI=\"x";
    expect_error(j, "codecs");
    j = base;
    j["first_pts"] = -3;
    expect_error(j, "first_pts");
}

TEST(Manifest, SafeUriAndLanguageRules) {
    EXPECT_TRUE(IsSafeRelativeUri("video/seg_00000.ts"));
    EXPECT_FALSE(IsSafeRelativeUri(""));
    EXPECT_FALSE(IsSafeRelativeUri("a//b.ts"));
    EXPECT_FALSE(IsSafeRelativeUri("a/../b.ts"));
    EXPECT_FALSE(IsSafeRelativeUri("A.ts"));
    EXPECT_TRUE(IsValidLanguageTag("pt-br"));
    EXPECT_FALSE(IsValidLanguageTag("pt_BR"));
    EXPECT_FALSE(IsValidLanguageTag(""));
}

TEST(Manifest, MaxRoundedDurationRoundsAsWritten) {
    auto m = ParseManifest(testing::ManifestJson({4.4999, 4.0}, {"en"}, {}));
    ASSERT_TRUE(m.ok());
    EXPECT_EQ(m->MaxRoundedDuration(), 5);  // written as 4.500 → rounds to 5
    auto item = MakeCatalogItem(1, "t", "", m.value(), 4, 0);
    EXPECT_FALSE(item.ok());
}

}  // namespace
}  // namespace beacon::liveloop
