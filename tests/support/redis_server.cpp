#include "support/redis_server.hpp"

#include <chrono>
#include <csignal>
#include <thread>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace beacon::testing {

using core::Error;

namespace {
int FreePort() {
    int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    int port = 0;
    if (::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
        ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
        port = ntohs(a.sin_port);
    }
    ::close(s);
    return port;
}
bool Accepts(int port) {
    int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    const bool ok = ::connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(s);
    return ok;
}
}  // namespace

core::Result<std::unique_ptr<RedisServer>> RedisServer::Start() {
    std::unique_ptr<RedisServer> r(new RedisServer());
    r->port_ = FreePort();
    BEACON_CHECK(r->Launch());
    return r;
}

core::Status RedisServer::Launch() {
    const std::string port = std::to_string(port_);
    pid_t pid = ::fork();
    if (pid == 0) {
        int fd = ::open("/dev/null", O_WRONLY);
        if (fd >= 0) {
            ::dup2(fd, 1);
            ::dup2(fd, 2);
        }
        ::execlp("redis-server", "redis-server", "--port", port.c_str(), "--bind", "127.0.0.1",
                 "--save", "", "--appendonly", "no", "--daemonize", "no",
                 static_cast<char*>(nullptr));
        ::_exit(127);
    }
    if (pid < 0) return Error::Unavailable("cannot fork for redis-server", false);
    pid_ = pid;
    for (int i = 0; i < 200; ++i) {  // hang guard: 10 s
        if (Accepts(port_)) return {};
        int status = 0;
        if (::waitpid(pid, &status, WNOHANG) == pid) {
            pid_ = -1;
            return Error::Unavailable("redis-server exited at start (Debian: redis-server)", false);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return Error::Unavailable("redis-server did not listen within 10 s", false);
}

void RedisServer::Kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
}

core::Status RedisServer::Restart() {
    Kill();
    return Launch();
}

RedisServer::~RedisServer() { Kill(); }

}  // namespace beacon::testing
