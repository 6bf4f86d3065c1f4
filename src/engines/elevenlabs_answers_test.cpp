// The ElevenLabs adapter against legal-but-odd answers (api-notes 2c): real MP3 audio that must
// decode, alignment null or differing from normalized_alignment, max_character_limit_exceeded,
// the plan's concurrency limit (429), the subscription quota for `beacon doctor`; and our requests.
#include <gtest/gtest.h>

#include <cstdio>
#include <future>

#include "engines/elevenlabs.hpp"
#include "tests/doubles/double_process.hpp"

namespace beacon::engines {
namespace {

using testing::DoubleProcess;

const char* kKey = "sk_test_secret_key_123";

ElevenLabsOptions Opts(const DoubleProcess& d) {
    ElevenLabsOptions o;
    o.api_key = kKey;
    o.voice_id = "21m00Tcm4TlvDq8ikWAM";
    o.base_url = d.url();
    o.timeout = std::chrono::seconds(30);
    o.retry.base_delay = std::chrono::milliseconds(50);
    return o;
}

std::filesystem::path Dir() { return testing::ScratchDir("beacon_eleven_answers"); }

/// Runs a command and returns its stdout and exit status.
std::pair<std::string, int> RunCommand(const std::string& cmd) {
    std::string out;
    FILE* p = popen(cmd.c_str(), "r");
    if (!p) return {"", -1};
    char buf[4096];
    for (std::size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
    return {out, pclose(p)};
}

TEST(ElevenLabsAnswersTest, TheAudioIsRealMp3ThatDecodes) {
    DoubleProcess d("elevenlabs_double.py");
    HttpClient http;
    ElevenLabsVoiceEngine e(Opts(d), http);
    auto r = e.Speak({"The lighthouse keeps the storms at bay.", "", "en"}, Dir(), {});
    ASSERT_TRUE(r.ok()) << r.error().message;
    const std::string f = r->audio.string();
    // Decode every frame; any corrupt frame is an error.
    auto [err, rc] = RunCommand("ffmpeg -nostdin -v error -xerror -i '" + f + "' -f null - 2>&1");
    EXPECT_EQ(rc, 0) << err;
    EXPECT_EQ(err, "");
    auto [probe, prc] = RunCommand(
        "ffprobe -v error -show_entries stream=codec_name,sample_rate:format=duration -of "
        "default=nw=1 '" +
        f + "'");
    ASSERT_EQ(prc, 0);
    EXPECT_NE(probe.find("codec_name=mp3"), std::string::npos) << probe;
    EXPECT_NE(probe.find("sample_rate=44100"), std::string::npos) << probe;
    const double decoded = std::stod(probe.substr(probe.find("duration=") + 9));
    // 39 characters at 0.06 s plus 0.2 s, as the double speaks (MP3 adds a frame or two); the
    // adapter's estimate from the bitrate agrees.
    EXPECT_NEAR(decoded, 0.06 * 39 + 0.2, 0.1);
    EXPECT_NEAR(r->duration, decoded, 0.15);
    // Our request: the key header, the format, the model and the voice settings.
    auto posts = d.RequestsTo("/v1/text-to-speech/21m00Tcm4TlvDq8ikWAM/with-timestamps", "POST");
    ASSERT_EQ(posts.size(), 1u);
    EXPECT_EQ(posts[0]["headers"]["xi-api-key"], kKey);
    EXPECT_NE(posts[0]["path"].get<std::string>().find("output_format=mp3_44100_128"),
              std::string::npos);
    EXPECT_EQ(posts[0]["json"]["text"], "The lighthouse keeps the storms at bay.");
    EXPECT_EQ(posts[0]["json"]["model_id"], "eleven_multilingual_v2");
    EXPECT_TRUE(posts[0]["json"]["voice_settings"].contains("stability"));
}

TEST(ElevenLabsAnswersTest, AlignmentFollowsTheTextSentNotTheNormalisedOne) {
    DoubleProcess d("elevenlabs_double.py");
    HttpClient http;
    ElevenLabsVoiceEngine e(Opts(d), http);
    // normalized_alignment reads "3" as "three"; captions must show what the script says.
    auto r = e.Speak({"Room 3 waits", "", "en"}, Dir(), {});
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_EQ(r->words.size(), 3u);
    EXPECT_EQ(r->words[1].text, "3");
    EXPECT_NEAR(r->words[2].end, 0.1 + 0.06 * 12, 1e-6);
}

TEST(ElevenLabsAnswersTest, NullAlignmentFallsBackOrLeavesNoWords) {
    HttpClient http;
    {
        DoubleProcess d("elevenlabs_double.py", {"--alignment", "null"});
        ElevenLabsVoiceEngine e(Opts(d), http);
        auto r = e.Speak({"Room 3 waits", "", "en"}, Dir(), {});
        ASSERT_TRUE(r.ok()) << r.error().message;
        ASSERT_EQ(r->words.size(), 3u);  // from normalized_alignment
        EXPECT_EQ(r->words[1].text, "three");
    }
    {
        DoubleProcess d("elevenlabs_double.py", {"--alignment", "both-null"});
        ElevenLabsVoiceEngine e(Opts(d), http);
        auto r = e.Speak({"Room 3 waits", "", "en"}, Dir(), {});
        ASSERT_TRUE(r.ok()) << r.error().message;
        EXPECT_TRUE(r->words.empty());
        EXPECT_NEAR(r->duration, 0.06 * 12 + 0.2, 0.1);  // from the audio itself
    }
}

TEST(ElevenLabsAnswersTest, TooLongTextIsNotRetriedAndSaysWhy) {
    DoubleProcess d("elevenlabs_double.py", {"--max-chars", "20"});
    HttpClient http;
    ElevenLabsVoiceEngine e(Opts(d), http);
    auto r = e.Speak({"This sentence is longer than twenty characters.", "", "en"}, Dir(), {});
    ASSERT_FALSE(r.ok());
    EXPECT_FALSE(r.error().retryable);
    EXPECT_NE(
        r.error().message.find("max_character_limit_exceeded: You can send at most 20 characters"),
        std::string::npos)
        << r.error().message;
    EXPECT_EQ(r.error().message.find("{\""), std::string::npos)
        << r.error().message;  // not raw JSON
    EXPECT_EQ(d.RequestsTo("/v1/text-to-speech/").size(), 1u);
}

TEST(ElevenLabsAnswersTest, ConcurrencyLimitIsWaitedOut) {
    // The plan allows one request at a time; two scenes at once get a 429 and back off.
    DoubleProcess d("elevenlabs_double.py", {"--concurrency", "1", "--delay", "0.4"});
    HttpClient http;
    auto o = Opts(d);
    o.retry.max_attempts = 6;
    o.retry.base_delay = std::chrono::milliseconds(200);
    ElevenLabsVoiceEngine e(o, http);
    auto a = std::async(std::launch::async, [&] {
        return e.Speak({"First scene.", "", "en"}, Dir() / "a", {});
    });
    auto b = std::async(std::launch::async, [&] {
        return e.Speak({"Second scene.", "", "en"}, Dir() / "b", {});
    });
    auto ra = a.get();
    auto rb = b.get();
    ASSERT_TRUE(ra.ok()) << ra.error().message;
    ASSERT_TRUE(rb.ok()) << rb.error().message;
    int rejected = 0, served = 0;
    for (const auto& q : d.RequestsTo("/v1/text-to-speech/")) {
        rejected += q["status"] == 429;
        served += q["status"] == 200;
    }
    EXPECT_GE(rejected, 1);
    EXPECT_EQ(served, 2);
}

TEST(ElevenLabsAnswersTest, DoctorReadsTheCharacterQuota) {
    HttpClient http;
    {
        DoubleProcess d("elevenlabs_double.py", {"--characters-left", "1234"});
        auto h = CheckElevenLabs(Opts(d), http);
        EXPECT_TRUE(h.ok) << h.detail;
        EXPECT_NE(h.detail.find("1234 of 100000 characters left"), std::string::npos) << h.detail;
        EXPECT_EQ(d.RequestsTo("/v1/user/subscription", "GET").size(), 1u);
        EXPECT_EQ(d.RequestsTo("/v1/user/subscription")[0]["headers"]["xi-api-key"], kKey);
    }
    {
        DoubleProcess d("elevenlabs_double.py", {"--characters-left", "0"});
        auto h = CheckElevenLabs(Opts(d), http);
        EXPECT_FALSE(h.ok);
        EXPECT_NE(h.detail.find("0 of 100000 characters left"), std::string::npos) << h.detail;
        EXPECT_NE(h.detail.find("used up"), std::string::npos) << h.detail;
    }
}

}  // namespace
}  // namespace beacon::engines
