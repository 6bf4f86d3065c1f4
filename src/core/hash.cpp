#include "core/hash.hpp"

#include <openssl/evp.h>

#include <memory>

namespace beacon::core {

namespace {

/// SHA-256 fetched from OpenSSL's default provider once: EVP_sha256() in EVP_Digest looks the
/// implementation up again on every call (a lock and a name lookup in OpenSSL 3).
const EVP_MD* Sha256() {
    static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    return md;
}

struct CtxFree {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

std::string Hex(const unsigned char* md, unsigned int len) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out(2 * static_cast<std::size_t>(len), '\0');
    for (unsigned int i = 0; i < len; ++i) {
        out[2 * i] = kHex[md[i] >> 4];
        out[2 * i + 1] = kHex[md[i] & 15];
    }
    return out;
}

}  // namespace

std::string Sha256Hex(std::string_view bytes) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    // One digest context per thread, reset for each call (no allocation per call).
    thread_local std::unique_ptr<EVP_MD_CTX, CtxFree> ctx(EVP_MD_CTX_new());
    const EVP_MD* sha = Sha256();
    const bool ok = sha && ctx && EVP_DigestInit_ex2(ctx.get(), sha, nullptr) == 1 &&
                    EVP_DigestUpdate(ctx.get(), bytes.data(), bytes.size()) == 1 &&
                    EVP_DigestFinal_ex(ctx.get(), md, &len) == 1;
    if (!ok) EVP_Digest(bytes.data(), bytes.size(), md, &len, EVP_sha256(), nullptr);
    return Hex(md, len);
}

struct Sha256Stream::Ctx {
    std::unique_ptr<EVP_MD_CTX, CtxFree> ctx{EVP_MD_CTX_new()};
};

Sha256Stream::Sha256Stream() : ctx_(std::make_unique<Ctx>()) {
    EVP_DigestInit_ex2(ctx_->ctx.get(), Sha256(), nullptr);
}

Sha256Stream::~Sha256Stream() = default;

void Sha256Stream::Update(const void* data, std::size_t size) {
    EVP_DigestUpdate(ctx_->ctx.get(), data, size);
}

std::string Sha256Stream::FinishHex() {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx_->ctx.get(), md, &len);
    EVP_DigestInit_ex2(ctx_->ctx.get(), Sha256(), nullptr);
    return Hex(md, len);
}

}  // namespace beacon::core
