#include "arcade/http.hpp"

#include <gtest/gtest.h>

#include "tests/support/spec_modules.hpp"
#include <unistd.h>

#include <fstream>
#include <random>
#include <regex>
#include <set>

namespace beacon::arcade {
namespace {

namespace fs = std::filesystem;


class HttpTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::random_device rd;
        dir_ = fs::temp_directory_path() / ("beacon-arcade-http-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
        auto s = ArcadeService::Open({.dir = dir_});
        ASSERT_TRUE(s.ok());
        arcade_ = std::move(*s);
    }
    void TearDown() override {
        arcade_.reset();
        fs::remove_all(dir_);
    }
    fs::path dir_;
    std::unique_ptr<ArcadeService> arcade_;
};

TEST_F(HttpTest, EveryArcadeRouteIsInTheSpecAndNoMore) {
    std::set<std::string> served;
    auto add = [&](const std::vector<server::ExtensionRoute>& routes) {
        for (const auto& r : routes) {
            served.insert(r.method + " " + std::regex_replace(r.pattern, std::regex(R"(\{(\w+)\+\})"), "{$1}"));
        }
    };
    add(StudioRoutes(*arcade_, 1 << 20));
    add(GameOriginRoutes(*arcade_, {}));
    EXPECT_EQ(served, beacon::testing::ModuleSpecOperations("arcade"));
}

TEST_F(HttpTest, StudioRoutesNeedASignedInUserAndGameRoutesAreThePublicOnesOnly) {
    for (const auto& r : StudioRoutes(*arcade_, 1 << 20)) {
        EXPECT_EQ(r.access, server::RouteAccess::kUser) << r.pattern;
        EXPECT_TRUE(r.pattern.starts_with("/api/v1/games")) << r.pattern;
    }
    for (const auto& r : GameOriginRoutes(*arcade_, {})) {
        EXPECT_EQ(r.method, "GET") << r.pattern;
        EXPECT_FALSE(r.pattern.starts_with("/api/")) << r.pattern;
    }
}

TEST(GameFileHeaders, StrictByDefaultIsolatedOnlyForThreads) {
    Game plain;
    auto h = GameFileHeaders(plain, {"http://127.0.0.1:8080", "http://localhost:8080"});
    auto find = [](const auto& hs, const std::string& name) {
        for (const auto& [k, v] : hs) {
            if (k == name) return v;
        }
        return std::string("<absent>");
    };
    const auto csp = find(h, "Content-Security-Policy");
    EXPECT_NE(csp.find("default-src 'self'"), std::string::npos);
    EXPECT_NE(csp.find("connect-src 'self' blob: data:;"), std::string::npos);
    EXPECT_NE(csp.find("frame-ancestors http://127.0.0.1:8080 http://localhost:8080"), std::string::npos);
    EXPECT_EQ(find(h, "X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(find(h, "Cross-Origin-Embedder-Policy"), "<absent>");
    EXPECT_EQ(find(h, "Cross-Origin-Opener-Policy"), "<absent>");
    Game threaded;
    threaded.threads = true;
    auto t = GameFileHeaders(threaded, {});
    EXPECT_EQ(find(t, "Cross-Origin-Embedder-Policy"), "require-corp");
    EXPECT_EQ(find(t, "Cross-Origin-Opener-Policy"), "same-origin");
    EXPECT_NE(find(t, "Content-Security-Policy").find("frame-ancestors 'none'"), std::string::npos);
}

TEST(SdkScript, ChecksTheHostOriginsItWasGiven) {
    auto js = SdkScript({"http://127.0.0.1:8080"});
    EXPECT_NE(js.find(R"(var HOSTS = ["http://127.0.0.1:8080"];)"), std::string::npos);
    EXPECT_NE(js.find("HOSTS.indexOf(e.origin) < 0"), std::string::npos);
    EXPECT_NE(js.find("e.source !== window.parent"), std::string::npos);
}

}  // namespace
}  // namespace beacon::arcade
