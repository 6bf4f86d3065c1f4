#include "remote/upload.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <memory>
#include <vector>

#include <openssl/evp.h>

#include "core/hash.hpp"

namespace beacon::remote {

using core::Error;

core::Result<std::string> Sha256OfFile(const std::filesystem::path& file, std::size_t chunk) {
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> in(std::fopen(file.c_str(), "rb"), &std::fclose);
    if (!in) return Error::Unavailable("cannot read the upload " + file.string(), false);
    std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) {
        return Error::Internal("sha256: cannot start a digest");
    }
    std::vector<unsigned char> buf(std::max<std::size_t>(chunk, 1));
    for (;;) {
        const std::size_t n = std::fread(buf.data(), 1, buf.size(), in.get());
        if (n > 0 && EVP_DigestUpdate(ctx.get(), buf.data(), n) != 1) {
            return Error::Internal("sha256: digest failed");
        }
        if (n < buf.size()) {
            if (std::ferror(in.get())) return Error::Unavailable("cannot read the upload", true);
            break;
        }
    }
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_DigestFinal_ex(ctx.get(), md, &len) != 1) return Error::Internal("sha256: digest failed");
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(len * 2);
    for (unsigned int i = 0; i < len; ++i) {
        hex += kHex[md[i] >> 4];
        hex += kHex[md[i] & 0xF];
    }
    return hex;
}

namespace {

core::Result<std::string> ExpectedDigest(std::string_view expected_sha256) {
    std::string expected(expected_sha256);
    std::transform(expected.begin(), expected.end(), expected.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (expected.size() != 64 ||
        !std::all_of(expected.begin(), expected.end(), [](char c) { return std::isxdigit(c); })) {
        return Error::Invalid("send the object's SHA-256 (64 hex digits) in " +
                              std::string(kSha256Header));
    }
    return expected;
}

core::Status Compare(std::string_view key, const std::string& actual, const std::string& expected) {
    if (actual == expected) return {};
    return Error::Conflict("the upload of " + std::string(key) + " arrived damaged (SHA-256 " +
                           actual + ", the worker sent " + expected + "); send it again");
}

}  // namespace

core::Status StoreUpload(storage::ObjectStore& store, std::string_view key,
                         const std::filesystem::path& file, std::string_view expected_sha256) {
    BEACON_TRY(expected, ExpectedDigest(expected_sha256));
    BEACON_TRY(actual, Sha256OfFile(file));
    BEACON_CHECK(Compare(key, actual, expected));
    return store.PutFile(key, file);
}

core::Status StoreUploadBytes(storage::ObjectStore& store, std::string_view key,
                              std::string_view bytes, std::string_view expected_sha256) {
    BEACON_TRY(expected, ExpectedDigest(expected_sha256));
    BEACON_CHECK(Compare(key, core::Sha256Hex(bytes), expected));
    return store.Put(key, bytes);
}

}  // namespace beacon::remote
