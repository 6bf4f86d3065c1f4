#pragma once
/// Content addresses: one SHA-256 for the program.
#include <string>
#include <string_view>

namespace beacon::core {

/// SHA-256 of `bytes` as 64 lowercase hex digits. Thread-safe.
std::string Sha256Hex(std::string_view bytes);

}  // namespace beacon::core
