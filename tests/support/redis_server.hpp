#pragma once
/// A throwaway redis-server (Debian's redis-server) for tests, on 127.0.0.1 and a free port,
/// without persistence. Stop and Start again on the same port to test outages.
#include <memory>
#include <string>

#include <sys/types.h>

#include "core/result.hpp"

namespace beacon::testing {

class RedisServer {
public:
    static core::Result<std::unique_ptr<RedisServer>> Start();
    ~RedisServer();
    RedisServer(const RedisServer&) = delete;
    RedisServer& operator=(const RedisServer&) = delete;

    std::string Url() const { return "redis://127.0.0.1:" + std::to_string(port_); }
    int port() const { return port_; }
    /// Kills the server (SIGKILL, as a crash); Restart brings it back on the same port.
    void Kill();
    core::Status Restart();

private:
    RedisServer() = default;
    core::Status Launch();
    pid_t pid_ = -1;
    int port_ = 0;
};

}  // namespace beacon::testing
