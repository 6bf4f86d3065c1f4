#include "core/model.hpp"

#include <gtest/gtest.h>

namespace beacon::core {

TEST(GenerateRequest, AppliesTheBriefsDefaults) {
    auto r = ParseGenerateRequest(Json{{"prompt", "A lighthouse that controls storms"}});
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->duration_target, 7.0);
    EXPECT_EQ(r->language, "en");
    EXPECT_EQ(r->output_preset, "720p");
    EXPECT_TRUE(r->produce_preview);
}

TEST(GenerateRequest, RejectsBadInputNamingTheField) {
    auto unknown = ParseGenerateRequest(Json{{"prompt", "x"}, {"evil", 1}});
    ASSERT_FALSE(unknown.ok());
    EXPECT_NE(unknown.error().message.find("evil"), std::string::npos);
    auto wrong_type = ParseGenerateRequest(Json{{"prompt", 5}});
    ASSERT_FALSE(wrong_type.ok());
    EXPECT_NE(wrong_type.error().message.find("prompt"), std::string::npos);
    auto too_long = ParseGenerateRequest(Json{{"prompt", std::string(kMaxPromptChars + 1, 'a')}});
    EXPECT_FALSE(too_long.ok());
    auto duration = ParseGenerateRequest(Json{{"prompt", "x"}, {"duration_target", 0}});
    ASSERT_FALSE(duration.ok());
    EXPECT_NE(duration.error().message.find("duration_target"), std::string::npos);
    EXPECT_FALSE(ParseGenerateRequest(Json{{"prompt", "   "}}).ok());
    EXPECT_FALSE(ParseGenerateRequest(Json::array()).ok());
    EXPECT_FALSE(ParseGenerateRequest(Json{{"prompt", "x"}, {"language", "../etc"}}).ok());
    EXPECT_FALSE(ParseGenerateRequest(Json{{"prompt", "x"}, {"output_preset", "8k"}}).ok());
}

TEST(Script, ParsesTheIssueShapeAndRejectsMissingLines) {
    Json j = Json::parse(R"({"title":"Storm","scenes":[{"id":1,"description":"A lighthouse",
        "shot_type":"wide","camera":"slow_pan","duration":3.5,"actions":["rain"],
        "lines":["The light turns."]}]})");
    auto s = ParseScript(j);
    ASSERT_TRUE(s.ok()) << s.error().message;
    EXPECT_EQ(s->scenes.size(), 1u);
    EXPECT_EQ(s->scenes[0].camera, "slow_pan");
    EXPECT_EQ(ToJson(*s)["scenes"][0]["lines"][0], "The light turns.");
    j["scenes"][0].erase("lines");
    EXPECT_FALSE(ParseScript(j).ok());
}

TEST(JobState, RoundTripsEveryName) {
    for (auto s : {JobState::kQueued, JobState::kGeneratingScript, JobState::kRenderingPreview,
                   JobState::kRenderingFinal, JobState::kComposing, JobState::kCompleted,
                   JobState::kFailed, JobState::kCanceled}) {
        EXPECT_EQ(ParseJobState(ToString(s)), s);
    }
    EXPECT_FALSE(ParseJobState("preview").has_value());
}

TEST(Timestamp, FormatsRfc3339Utc) {
    EXPECT_EQ(FormatTimestamp(1788249616000), "2026-09-01T08:00:16.000Z");
}

}  // namespace beacon::core

namespace beacon::core {

TEST(Script, ValidateScriptChecksATypedScriptLikeParseScript) {
    Script s{"Storm", "", {Scene{1, "A lighthouse", "wide", "static", 3.5, {}, {"The light."}}}};
    EXPECT_TRUE(ValidateScript(s).ok());
    Script no_lines = s;
    no_lines.scenes[0].lines.clear();
    auto e = ValidateScript(no_lines);
    ASSERT_FALSE(e.ok());
    EXPECT_EQ(e.error().message, ParseScript(ToJson(no_lines)).error().message);
    Script zero = s;
    zero.scenes[0].duration = 0;
    EXPECT_EQ(ValidateScript(zero).error().message, ParseScript(ToJson(zero)).error().message);
    EXPECT_FALSE(ValidateScript(Script{"", "", s.scenes}).ok());
    EXPECT_FALSE(ValidateScript(Script{"Storm", "", {}}).ok());
}

TEST(Content, AnswersItsFileKeysAsMediaUrls) {
    Content c;
    c.mp4_key = "library/12/video.mp4";
    c.hls_key = "library/12/hls/master.m3u8";
    c.thumbnail_key = "library/12/thumb.jpg";
    c.poster_key = "library/12/poster.jpg";
    c.preview_key = "jobs/3/preview.mp4";
    c.vtt_key = "library/12/captions_en.vtt";
    const Json j = ToJson(c);
    EXPECT_EQ(j["mp4_url"], "/media/library/12/video.mp4");
    EXPECT_EQ(j["hls_url"], "/media/library/12/hls/master.m3u8");
    EXPECT_EQ(j["thumbnail"], "/media/library/12/thumb.jpg");
    EXPECT_EQ(j["poster"], "/media/library/12/poster.jpg");
    EXPECT_EQ(j["preview_url"], "/media/jobs/3/preview.mp4");
    EXPECT_EQ(j["vtt_url"], "/media/library/12/captions_en.vtt");
    EXPECT_EQ(j["chapters_url"], "") << "no file: an empty string, as before keys";
}

}  // namespace beacon::core
