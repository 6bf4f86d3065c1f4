#include "engines/flite_voice.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <thread>
#include <vector>

namespace beacon::engines {
namespace {

/// A scratch folder, removed with everything in it when the test program exits.
std::filesystem::path TempDir(const std::string& name) {
    static struct Cleanup {
        std::vector<std::filesystem::path> dirs;
        ~Cleanup() {
            std::error_code ec;
            for (const auto& d : dirs) std::filesystem::remove_all(d, ec);
        }
    } cleanup;
    auto d = std::filesystem::temp_directory_path() / ("beacon_engines_" + name + "_" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    cleanup.dirs.push_back(d);
    return d;
}

TEST(FliteVoiceTest, SpeechWithRealWordTimings) {
    FliteVoiceEngine e;
    auto dir = TempDir("flite");
    auto r = e.Speak({"Hello there, brave little lighthouse.", "", "en"}, dir, {});
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_TRUE(std::filesystem::exists(r->audio));
    // RIFF header, and the size matches the duration.
    std::ifstream f(r->audio, std::ios::binary);
    char riff[4];
    f.read(riff, 4);
    EXPECT_EQ(std::string(riff, 4), "RIFF");
    EXPECT_GT(r->duration, 1.0);
    EXPECT_LT(r->duration, 6.0);
    ASSERT_EQ(r->words.size(), 5u);
    EXPECT_EQ(r->words[0].text, "Hello");
    EXPECT_EQ(r->words[1].text, "there,");
    EXPECT_EQ(r->words[4].text, "lighthouse.");
    double prev = 0;
    for (const auto& w : r->words) {
        EXPECT_GE(w.start, prev);
        EXPECT_GT(w.end, w.start);
        EXPECT_LE(w.end, r->duration);
        prev = w.end;
    }
    // "lighthouse" takes longer to say than "Hello" (timings come from the synthesiser).
    EXPECT_GT(r->words[4].end - r->words[4].start, 0.3);
    EXPECT_TRUE(r->provenance.builtin);
    std::filesystem::remove_all(dir);
}

TEST(FliteVoiceTest, VoicesAndErrors) {
    FliteVoiceEngine e;
    auto voices = e.ListVoices();
    ASSERT_TRUE(voices.ok());
    EXPECT_GE(voices->size(), 4u);
    auto dir = TempDir("flite_err");
    EXPECT_EQ(e.Speak({"hi", "nosuchvoice", "en"}, dir, {}).error().code, core::ErrorCode::kInvalidArgument);
    EXPECT_FALSE(e.Speak({"  ...  ", "", "en"}, dir, {}).ok());
    EXPECT_FALSE(e.Speak({"hola", "", "es"}, dir, {}).ok());
    EXPECT_FALSE(e.Speak({std::string(6000, 'a'), "", "en"}, dir, {}).ok());
    EXPECT_TRUE(e.Check().ok);
    std::filesystem::remove_all(dir);
}

TEST(FliteVoiceTest, ThreadSafeUnderParallelCalls) {
    FliteVoiceEngine e;
    auto dir = TempDir("flite_mt");
    std::vector<std::thread> ts;
    std::atomic<int> ok{0};
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < 4; ++i) {
        ts.emplace_back([&, i] {
            auto r = e.Speak({"Scene number " + std::to_string(i) + " begins now.", i % 2 ? "kal16" : "slt", "en"}, dir, {});
            if (r.ok() && r->words.size() == 5) ++ok;
        });
    }
    for (auto& t : ts) t.join();
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_EQ(ok.load(), 4);
    RecordProperty("four_parallel_lines_ms", static_cast<int>(ms));
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace beacon::engines
