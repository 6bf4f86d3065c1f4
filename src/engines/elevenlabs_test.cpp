#include "engines/elevenlabs.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "tests/doubles/double_process.hpp"

namespace beacon::engines {
namespace {

using testing::DoubleProcess;

const char* kKey = "sk_test_secret_key_123";

ElevenLabsOptions Opts(const DoubleProcess& d, std::string key = kKey) {
    ElevenLabsOptions o;
    o.api_key = std::move(key);
    o.voice_id = "21m00Tcm4TlvDq8ikWAM";
    o.base_url = d.url();
    o.timeout = std::chrono::seconds(20);
    o.retry.base_delay = std::chrono::milliseconds(10);
    o.retry.max_attempts = 2;
    return o;
}

std::filesystem::path Dir() { return testing::ScratchDir("beacon_eleven"); }

TEST(ElevenLabsTest, AudioAndWordTimings) {
    DoubleProcess d("elevenlabs_double.py");
    HttpClient http;
    ElevenLabsVoiceEngine e(Opts(d), http);
    auto r = e.Speak({"Hello  brave world.", "", "en"}, Dir(), {});
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->audio.extension(), ".mp3");
    EXPECT_GT(std::filesystem::file_size(r->audio), 1000u);
    ASSERT_EQ(r->words.size(), 3u);
    EXPECT_EQ(r->words[0].text, "Hello");
    EXPECT_EQ(r->words[2].text, "world.");
    // The double aligns character i at 0.1 + 0.06 i.
    EXPECT_NEAR(r->words[1].start, 0.1 + 0.06 * 7, 1e-6);
    EXPECT_NEAR(r->words[2].end, 0.1 + 0.06 * 19, 1e-6);
    EXPECT_GE(r->duration, r->words.back().end);
    EXPECT_EQ(r->provenance.engine, "elevenlabs");
    EXPECT_EQ(r->provenance.parameters.dump().find(kKey), std::string::npos);
    auto voices = e.ListVoices();
    ASSERT_TRUE(voices.ok());
    EXPECT_EQ((*voices)[0].name, "Rachel");
    EXPECT_TRUE(CheckElevenLabs(Opts(d), http).ok);
}

TEST(ElevenLabsTest, WavOutputDuration) {
    DoubleProcess d("elevenlabs_double.py");
    HttpClient http;
    auto o = Opts(d);
    o.output_format = "wav_16000";
    ElevenLabsVoiceEngine e(o, http);
    auto r = e.Speak({"Hi there", "", "en"}, Dir(), {});
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->audio.extension(), ".wav");
    EXPECT_NEAR(r->duration, 0.06 * 8 + 0.2, 0.01);
}

TEST(ElevenLabsTest, ErrorClassesNeverLeakTheKey) {
    HttpClient http;
    {
        DoubleProcess d("elevenlabs_double.py");
        ElevenLabsVoiceEngine e(Opts(d, "sk_wrong_key_999"), http);
        auto r = e.Speak({"hello", "", "en"}, Dir(), {});
        ASSERT_FALSE(r.ok());
        // The service refused our key: an external failure naming the service, never Beacon's own 401.
        EXPECT_EQ(r.error().code, core::ErrorCode::kExternal);
        EXPECT_FALSE(r.error().retryable);
        EXPECT_NE(r.error().message.find("ElevenLabs"), std::string::npos);
        EXPECT_NE(r.error().message.find("HTTP 401"), std::string::npos);
        EXPECT_NE(r.error().message.find("invalid_api_key"), std::string::npos);
        auto voices = e.ListVoices();
        ASSERT_FALSE(voices.ok());
        EXPECT_EQ(voices.error().code, core::ErrorCode::kExternal);
        EXPECT_EQ(r.error().message.find("sk_wrong_key_999"), std::string::npos);
        auto h = CheckElevenLabs(Opts(d, "sk_wrong_key_999"), http);
        EXPECT_FALSE(h.ok);
        EXPECT_EQ(h.detail.find("sk_wrong_key_999"), std::string::npos);
    }
    {
        DoubleProcess d("elevenlabs_double.py", {"--quota"});
        ElevenLabsVoiceEngine e(Opts(d), http);
        auto r = e.Speak({"hello", "", "en"}, Dir(), {});
        ASSERT_FALSE(r.ok());
        EXPECT_NE(r.error().message.find("quota_exceeded"), std::string::npos);
        EXPECT_FALSE(r.error().retryable);
    }
    {
        DoubleProcess d("elevenlabs_double.py", {"--fail", "429", "--retry-after", "0"});
        ElevenLabsVoiceEngine e(Opts(d), http);
        auto r = e.Speak({"hello", "", "en"}, Dir(), {});
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error().code, core::ErrorCode::kRateLimited);
        EXPECT_TRUE(r.error().retryable);
        EXPECT_NE(r.error().message.find("system_busy"), std::string::npos);
    }
    {
        DoubleProcess d("elevenlabs_double.py", {"--fail", "500", "--fail-times", "1"});
        ElevenLabsVoiceEngine e(Opts(d), http);
        EXPECT_TRUE(e.Speak({"hello", "", "en"}, Dir(), {}).ok());  // retried once
    }
    {
        DoubleProcess d("elevenlabs_double.py", {"--garbage"});
        ElevenLabsVoiceEngine e(Opts(d), http);
        auto r = e.Speak({"hello", "", "en"}, Dir(), {});
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error().code, core::ErrorCode::kExternal);
    }
    {
        DoubleProcess d("elevenlabs_double.py", {"--bad-alignment"});
        ElevenLabsVoiceEngine e(Opts(d), http);
        EXPECT_FALSE(e.Speak({"hello", "", "en"}, Dir(), {}).ok());
    }
}

TEST(ElevenLabsTest, ValidationErrorIsNotRetried) {
    DoubleProcess d("elevenlabs_double.py");
    HttpClient http;
    HttpRequest hr;
    hr.method = "POST";
    hr.url = d.url() + "/v1/text-to-speech/21m00Tcm4TlvDq8ikWAM/with-timestamps";
    hr.headers = {{"xi-api-key", kKey}, {"Content-Type", "application/json"}};
    hr.body = "{}";
    auto r = http.Send(hr, {});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 422);
    ElevenLabsVoiceEngine e(Opts(d), http);
    EXPECT_EQ(e.Speak({"   ", "", "en"}, Dir(), {}).error().code, core::ErrorCode::kInvalidArgument);
}

TEST(ElevenLabsTest, AlignmentToWords) {
    Json a = {{"characters", {"H", "i", " ", "y", "o", "u"}},
              {"character_start_times_seconds", {0.0, 0.1, 0.2, 0.3, 0.4, 0.5}},
              {"character_end_times_seconds", {0.1, 0.2, 0.3, 0.4, 0.5, 0.6}}};
    auto w = WordsFromAlignment(a);
    ASSERT_TRUE(w.ok());
    ASSERT_EQ(w->size(), 2u);
    EXPECT_EQ((*w)[1].text, "you");
    EXPECT_DOUBLE_EQ((*w)[1].start, 0.3);
    EXPECT_DOUBLE_EQ((*w)[1].end, 0.6);
    a["characters"].push_back("!");
    EXPECT_FALSE(WordsFromAlignment(a).ok());
}

}  // namespace
}  // namespace beacon::engines
