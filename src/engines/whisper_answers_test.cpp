// The Whisper adapter against legal-but-odd answers (api-notes 2d): no segments, only
// [BLANK_AUDIO], multibyte text, words that are sub-word tokens; service errors as text; our
// multipart requests.
#include <gtest/gtest.h>

#include <fstream>

#include "engines/flite_voice.hpp"
#include "engines/whisper.hpp"
#include "tests/doubles/double_process.hpp"

namespace beacon::engines {
namespace {

using testing::DoubleProcess;

std::filesystem::path Wav() {
    auto p = testing::ScratchDir("beacon_whisper_answers") / "speech.wav";
    std::vector<short> s(16000 * 2, 0);
    EXPECT_TRUE(WriteWav16(p, s.data(), s.size(), 16000).ok());
    return p;
}

WhisperOptions Opts(const DoubleProcess& d, const std::string& api) {
    WhisperOptions o;
    o.url = d.url();
    o.api = api;
    o.timeout = std::chrono::seconds(30);
    o.retry.base_delay = std::chrono::milliseconds(10);
    return o;
}

TEST(WhisperAnswersTest, NoSpeechFailsTheCaptions) {
    HttpClient http;
    for (std::string api : {"whispercpp", "openai"}) {
        for (std::string mode : {"empty", "blank"}) {
            DoubleProcess d("whisper_double.py", {"--api", api, "--segments", mode});
            WhisperCaptionEngine e(Opts(d, api), http);
            auto r = e.Caption({Wav(), "en", {}}, {});
            ASSERT_FALSE(r.ok()) << api << " " << mode << ": an empty caption track was accepted";
            EXPECT_EQ(r.error().code, core::ErrorCode::kExternal);
            EXPECT_NE(r.error().message.find("no speech recognised"), std::string::npos)
                << r.error().message;
            EXPECT_NE(r.error().message.find(d.url()), std::string::npos);
            if (mode == "blank") {
                EXPECT_NE(r.error().message.find("[BLANK_AUDIO]"), std::string::npos);
            }
        }
    }
    EXPECT_TRUE(IsNonSpeechMarker(" [BLANK_AUDIO]"));
    EXPECT_TRUE(IsNonSpeechMarker("(wind blowing)"));
    EXPECT_FALSE(IsNonSpeechMarker("[Music] and words"));
}

TEST(WhisperAnswersTest, MultibyteTextSurvives) {
    HttpClient http;
    const std::string text = "Grüße aus Köln. 東京の夜は静かです。";
    for (std::string api : {"whispercpp", "openai"}) {
        DoubleProcess d("whisper_double.py", {"--api", api, "--text", text});
        WhisperCaptionEngine e(Opts(d, api), http);
        auto r = e.Caption({Wav(), "de", {}}, {});
        ASSERT_TRUE(r.ok()) << api << ": " << r.error().message;
        std::string all;
        for (const auto& c : r->cues) all += (all.empty() ? "" : " ") + c.text;
        EXPECT_EQ(all, text) << api;
    }
}

TEST(WhisperAnswersTest, SubwordTokensDoNotSplitCaptionWords) {
    HttpClient http;
    DoubleProcess d("whisper_double.py",
                    {"--api", "whispercpp", "--text", "Lighthouses everywhere tonight",
                     "--segments", "subword"});
    WhisperCaptionEngine e(Opts(d, "whispercpp"), http);
    auto r = e.Caption({Wav(), "en", {}}, {});
    ASSERT_TRUE(r.ok()) << r.error().message;
    std::string all;
    for (const auto& c : r->cues) all += (all.empty() ? "" : " ") + c.text;
    EXPECT_EQ(all, "Lighthouses everywhere tonight");
}

TEST(WhisperAnswersTest, OurRequestsAndTheServicesErrorText) {
    HttpClient http;
    {
        DoubleProcess d("whisper_double.py", {"--api", "openai", "--key", "wk_1"});
        auto o = Opts(d, "openai");
        o.api_key = "wk_1";
        WhisperCaptionEngine e(o, http);
        ASSERT_TRUE(e.Caption({Wav(), "en-GB", {}}, {}).ok());
        auto reqs = d.RequestsTo("/v1/audio/transcriptions", "POST");
        ASSERT_EQ(reqs.size(), 1u);
        EXPECT_EQ(reqs[0]["headers"]["authorization"], "Bearer wk_1");
        EXPECT_EQ(reqs[0]["form"]["file"][0], "speech.wav");
        EXPECT_EQ(reqs[0]["form"]["response_format"][0], "verbose_json");
        EXPECT_EQ(reqs[0]["form"]["model"][0], "Systran/faster-whisper-small");
        EXPECT_EQ(reqs[0]["form"]["language"][0], "en");  // the region is not a Whisper language
    }
    {
        // whisper.cpp's {"error": "..."} comes out as its words, not as raw JSON.
        DoubleProcess d("whisper_double.py", {"--api", "whispercpp"});
        auto bad = testing::ScratchDir("beacon_whisper_answers") / "not-audio.wav";
        std::ofstream(bad) << "not audio";
        WhisperCaptionEngine e(Opts(d, "whispercpp"), http);
        auto r = e.Caption({bad, "en", {}}, {});
        ASSERT_FALSE(r.ok());
        EXPECT_NE(r.error().message.find("HTTP 400: failed to read audio data"), std::string::npos)
            << r.error().message;
        EXPECT_EQ(r.error().message.find("{\""), std::string::npos) << r.error().message;
    }
}

}  // namespace
}  // namespace beacon::engines
