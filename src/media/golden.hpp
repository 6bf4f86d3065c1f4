#pragma once
// Test helper: compares text with src/media/testdata/<name>; BEACON_UPDATE_GOLDENS=1 rewrites.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace beacon::media::testing {

inline std::string JoinArgv(const std::vector<std::string>& argv) {
    std::string out;
    for (const auto& a : argv) out += a + "\n";
    return out;
}

inline void ExpectGolden(const std::string& name, const std::string& actual) {
    const std::string path = std::string(BEACON_SOURCE_DIR) + "/src/media/testdata/" + name;
    if (std::getenv("BEACON_UPDATE_GOLDENS")) {
        std::ofstream(path, std::ios::binary) << actual;
        return;
    }
    std::ifstream f(path, std::ios::binary);
    ASSERT_TRUE(f.good()) << "missing golden " << path << " (run with BEACON_UPDATE_GOLDENS=1)";
    std::stringstream ss;
    ss << f.rdbuf();
    EXPECT_EQ(ss.str(), actual) << "golden " << name << " differs";
}

}  // namespace beacon::media::testing
