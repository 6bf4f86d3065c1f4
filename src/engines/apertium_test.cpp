#include "engines/apertium.hpp"

#include <gtest/gtest.h>

#include <chrono>
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
    std::stop_source stop;
    std::thread th([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        stop.request_stop();
    });
    auto t0 = std::chrono::steady_clock::now();
    auto r = RunProcess({"sleep", "30"}, "", std::chrono::seconds(60), stop.get_token());
    th.join();
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, core::ErrorCode::kCanceled);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
    auto missing = RunProcess({"/nonexistent/binary"}, "", std::chrono::seconds(5), {});
    EXPECT_FALSE(missing.ok() && missing->exit_code == 0);
}

}  // namespace
}  // namespace beacon::engines
