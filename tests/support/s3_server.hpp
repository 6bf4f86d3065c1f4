#pragma once
/// An S3-compatible server for tests: npm's @20minutes/s3rver (a fork of s3rver that verifies
/// SigV4 signatures against its fixed keys S3RVER/S3RVER; upstream s3rver 3.x does not) in a
/// temporary folder on 127.0.0.1 and a free port, started by tests/integration/s3_tools/serve.js
/// (scripts/setup.sh runs `npm ci` there).
#include <filesystem>
#include <memory>
#include <string>

#include <sys/types.h>

#include "core/result.hpp"

namespace beacon::testing {

class S3Server {
public:
    static constexpr const char* kAccessKey = "S3RVER";
    static constexpr const char* kSecretKey = "S3RVER";
    /// Starts the server from $BEACON_S3RVER (a serve.js) or <source>/tests/integration/s3_tools.
    static core::Result<std::unique_ptr<S3Server>> Start(const std::filesystem::path& source_dir);
    ~S3Server();  // stops it and removes its folder
    S3Server(const S3Server&) = delete;
    S3Server& operator=(const S3Server&) = delete;

    std::string Endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
    int port() const { return port_; }
    /// The server's folder: each bucket is a folder in it (multipart parts under
    /// <bucket>/._S3rver_uploads/<upload id>/ until completed or aborted).
    const std::filesystem::path& directory() const { return dir_; }

private:
    S3Server() = default;
    std::filesystem::path dir_;
    pid_t pid_ = -1;
    int port_ = 0;
};

}  // namespace beacon::testing
