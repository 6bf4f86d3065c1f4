#pragma once
/// Helpers for the ops tests: a fresh temp folder per test.
#include <unistd.h>

#include <filesystem>
#include <string>

namespace beacon::ops::testing {

inline std::filesystem::path TempDir(const std::string& name) {
    auto dir = std::filesystem::temp_directory_path() /
               ("beacon-ops-" + name + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

}  // namespace beacon::ops::testing
