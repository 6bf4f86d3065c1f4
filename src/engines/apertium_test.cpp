#include "engines/apertium.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

namespace beacon::engines {
namespace {

TEST(ApertiumTest, TranslatesASentence) {
    ApertiumTranslator t;
    auto r = t.Translate("Hello world.", "en", "es", {});
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(*r, "Hola Mundo.");
    auto back = t.Translate("El perro come.", "spa", "eng", {});
    ASSERT_TRUE(back.ok());
    EXPECT_NE(back->find("dog"), std::string::npos);
}

TEST(ApertiumTest, PairsNamedWithTwoLetterCodesTranslateToo) {
    // Debian's older pairs (apertium-en-gl, apertium-eo-en) name their modes "en-gl", "en-eo".
    ApertiumTranslator t;
    auto gl = t.Translate("The lighthouse controls the storms.", "en", "gl", {});
    ASSERT_TRUE(gl.ok()) << gl.error().message;
    EXPECT_NE(gl->find("tormentas"), std::string::npos) << *gl;
    auto eo = t.Translate("The lighthouse controls the storms.", "en", "eo", {});
    ASSERT_TRUE(eo.ok()) << eo.error().message;
    EXPECT_NE(eo->find("kontrolas"), std::string::npos) << *eo;
    auto ca = t.Translate("The lighthouse controls the storms.", "en", "ca", {});
    ASSERT_TRUE(ca.ok()) << ca.error().message;
    EXPECT_NE(ca->find("far"), std::string::npos) << *ca;
}

TEST(ApertiumTest, UnsupportedPairListsSupportedOnes) {
    ApertiumTranslator t;
    auto r = t.Translate("Hello", "en", "ja", {});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, core::ErrorCode::kInvalidArgument);
    EXPECT_NE(r.error().message.find("eng-spa"), std::string::npos);
    // Hostile codes never reach a shell: they are just a missing pair.
    EXPECT_FALSE(t.Translate("x", "en; rm -rf /", "es", {}).ok());
}

TEST(ApertiumTest, RunProcessHonoursStop) {
    // The child records its pid, then sleeps far longer than the test may take; the stop comes
    // once it runs.
    const auto pid_file = std::filesystem::temp_directory_path() /
                          ("beacon-apertium-test-" + std::to_string(::getpid()) + ".pid");
    std::filesystem::remove(pid_file);
    std::stop_source stop;
    std::thread th([&] {
        auto written = [&] {
            std::error_code ec;
            return std::filesystem::file_size(pid_file, ec) > 0 && !ec;
        };
        auto guard = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        while (!written() && std::chrono::steady_clock::now() < guard) {
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        stop.request_stop();
    });
    auto r = RunProcess({"sh", "-c", "echo $$ > '" + pid_file.string() + "'; exec sleep 300"}, "",
                        std::chrono::seconds(60), stop.get_token());  // 60 s: hang guard
    th.join();
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, core::ErrorCode::kCanceled);
    pid_t child = 0;
    std::ifstream(pid_file) >> child;
    std::filesystem::remove(pid_file);
    ASSERT_GT(child, 0);
    EXPECT_FALSE(std::filesystem::exists("/proc/" + std::to_string(child)))
        << "the canceled child still runs";
    auto missing = RunProcess({"/nonexistent/binary"}, "", std::chrono::seconds(5), {});
    EXPECT_FALSE(missing.ok() && missing->exit_code == 0);
}

}  // namespace
}  // namespace beacon::engines
