#include "engines/whisper.hpp"

#include <gtest/gtest.h>

#include <fstream>

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

}  // namespace
}  // namespace beacon::engines
