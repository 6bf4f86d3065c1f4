#include "engines/whisper.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "engines/flite_voice.hpp"
#include "tests/doubles/double_process.hpp"

namespace beacon::engines {
namespace {

using testing::DoubleProcess;

std::filesystem::path Wav() {
    auto p = testing::ScratchDir("beacon_whisper") / "a.wav";
    std::vector<short> s(16000 * 2, 0);
    EXPECT_TRUE(WriteWav16(p, s.data(), s.size(), 16000).ok());
    return p;
}

WhisperOptions Opts(const DoubleProcess& d, const std::string& api) {
    WhisperOptions o;
    o.url = d.url();
    o.api = api;
    o.timeout = std::chrono::seconds(20);
    o.retry.base_delay = std::chrono::milliseconds(10);
    return o;
}

TEST(WhisperTest, BothServerStyles) {
    HttpClient http;
    for (std::string api : {"whispercpp", "openai"}) {
        DoubleProcess d("whisper_double.py", {"--api", api});
        WhisperCaptionEngine e(Opts(d, api), http);
        auto r = e.Caption({Wav(), "en", {}}, {});
        ASSERT_TRUE(r.ok()) << api << ": " << r.error().message;
        ASSERT_EQ(r->cues.size(), 2u) << api;
        EXPECT_EQ(r->cues[0].text, "Hello world from the stand-in.");
        EXPECT_NEAR(r->cues[1].end, 2.0, 0.02);
        EXPECT_TRUE(CheckWhisper(Opts(d, api), http).ok) << api;
    }
}

TEST(WhisperTest, ErrorClasses) {
    HttpClient http;
    {
        DoubleProcess d("whisper_double.py", {"--api", "openai", "--models", "other"});
        WhisperCaptionEngine e(Opts(d, "openai"), http);
        auto r = e.Caption({Wav(), "en", {}}, {});
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error().code, core::ErrorCode::kNotFound);
        EXPECT_NE(r.error().message.find("not installed"), std::string::npos);
    }
    {
        DoubleProcess d("whisper_double.py", {"--api", "whispercpp", "--wrong-schema"});
        WhisperCaptionEngine e(Opts(d, "whispercpp"), http);
        auto r = e.Caption({Wav(), "en", {}}, {});
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error().code, core::ErrorCode::kExternal);
    }
    {
        DoubleProcess d("whisper_double.py", {"--api", "whispercpp", "--loading"});
        auto h = CheckWhisper(Opts(d, "whispercpp"), http);
        EXPECT_FALSE(h.ok);
        EXPECT_NE(h.detail.find("loading model"), std::string::npos);
    }
    {
        DoubleProcess d("whisper_double.py", {"--api", "openai"});
        auto bad = testing::ScratchDir("beacon_whisper") / "bad.wav";
        std::ofstream(bad) << "not audio";
        WhisperCaptionEngine e(Opts(d, "openai"), http);
        auto r = e.Caption({bad, "en", {}}, {});
        ASSERT_FALSE(r.ok());
        EXPECT_NE(r.error().message.find("415"), std::string::npos);
        EXPECT_FALSE(e.Caption({"/nonexistent.wav", "en", {}}, {}).ok());
    }
}

TEST(WhisperTest, BearerKeyForAServerThatNeedsOne) {
    HttpClient http;
    // whisper.cpp behind an authenticating proxy: 401 + WWW-Authenticate without the key.
    DoubleProcess d("whisper_double.py", {"--api", "whispercpp", "--key", "s3cret"});
    WhisperOptions o = Opts(d, "whispercpp");
    {
        WhisperCaptionEngine e(o, http);
        auto r = e.Caption({Wav(), "en", {}}, {});
        ASSERT_FALSE(r.ok());
        EXPECT_NE(r.error().message.find("401"), std::string::npos) << r.error().message;
        EXPECT_FALSE(CheckWhisper(o, http).ok);
    }
    o.api_key = "s3cret";
    WhisperCaptionEngine e(o, http);
    auto r = e.Caption({Wav(), "en", {}}, {});
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->cues.size(), 2u);
    EXPECT_TRUE(CheckWhisper(o, http).ok);
    // speaches answers 403 without it.
    DoubleProcess s("whisper_double.py", {"--api", "openai", "--key", "k2"});
    WhisperOptions so = Opts(s, "openai");
    EXPECT_FALSE(WhisperCaptionEngine(so, http).Caption({Wav(), "en", {}}, {}).ok());
    so.api_key = "k2";
    EXPECT_TRUE(WhisperCaptionEngine(so, http).Caption({Wav(), "en", {}}, {}).ok());
}

TEST(WhisperTest, SilenceAfterSpeechMakesNoRepeatedLines) {
    HttpClient http;
    for (bool vad : {false, true}) {
        // Speech in the first half, then what Whisper hallucinates on silence ("Thank you." x3,
        // no_speech_prob 0.92) unless the server's VAD is asked for.
        DoubleProcess d("whisper_double.py", {"--api", "whispercpp", "--segments", "trailing-silence"});
        WhisperOptions o = Opts(d, "whispercpp");
        o.vad = vad;
        auto r = WhisperCaptionEngine(o, http).Caption({Wav(), "en", {}}, {});
        ASSERT_TRUE(r.ok()) << r.error().message;
        ASSERT_EQ(r->cues.size(), 2u) << "vad " << vad;
        for (const auto& c : r->cues) {
            EXPECT_EQ(c.text.find("Thank you"), std::string::npos);
            EXPECT_LE(c.end, 1.01);  // the speech half of the 2 s file
        }
    }
}

TEST(WhisperTest, RequestsQueueUpToTheLimit) {
    HttpClient http;
    for (int limit : {1, 2}) {
        // The OpenAI-style stand-in answers requests in parallel; Beacon's queue bounds them.
        DoubleProcess d("whisper_double.py", {"--api", "openai", "--delay", "0.4"});
        WhisperOptions o = Opts(d, "openai");
        o.max_concurrent = limit;
        WhisperCaptionEngine e(o, http);
        const auto wav = Wav();
        std::vector<std::jthread> calls;
        std::atomic<int> ok{0};
        for (int i = 0; i < 4; ++i)
            calls.emplace_back([&] { ok += e.Caption({wav, "en", {}}, {}).ok() ? 1 : 0; });
        calls.clear();
        EXPECT_EQ(ok.load(), 4);
        EXPECT_EQ(e.MaxInFlight(), limit);
        HttpRequest stats;
        stats.url = d.url() + "/_stats";
        auto st = http.Send(stats);
        ASSERT_TRUE(st.ok());
        auto j = Json::parse(st->body);
        EXPECT_EQ(j.value("requests", 0), 4);
        EXPECT_EQ(j.value("peak_in_flight", 0), limit) << "limit " << limit;
    }
}

}  // namespace
}  // namespace beacon::engines
