#pragma once
/// Content addresses: one SHA-256 for the program.
#include <memory>
#include <string>
#include <string_view>

namespace beacon::core {

/// SHA-256 of `bytes` as 64 lowercase hex digits. Thread-safe.
std::string Sha256Hex(std::string_view bytes);

/// SHA-256 over bytes given in parts (a file read in chunks); the same digest as Sha256Hex of
/// their concatenation. OpenSSL's implementation (SHA-NI where the CPU has it).
class Sha256Stream {
public:
    Sha256Stream();
    ~Sha256Stream();
    Sha256Stream(const Sha256Stream&) = delete;
    Sha256Stream& operator=(const Sha256Stream&) = delete;
    void Update(const void* data, std::size_t size);
    /// 64 lowercase hex digits; the stream starts over afterwards.
    std::string FinishHex();

private:
    struct Ctx;
    std::unique_ptr<Ctx> ctx_;
};

}  // namespace beacon::core
