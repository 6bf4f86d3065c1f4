#include "support/s3_server.hpp"

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <random>
#include <thread>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace beacon::testing {

namespace fs = std::filesystem;
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

core::Result<std::unique_ptr<S3Server>> S3Server::Start(const fs::path& source_dir) {
    fs::path bin = source_dir / "tests/integration/s3_tools/serve.js";
    if (const char* env = std::getenv("BEACON_S3RVER"); env && *env) bin = env;
    if (!fs::exists(bin) ||
        !fs::exists(bin.parent_path() / "node_modules/@20minutes/s3rver/package.json")) {
        return Error::Unavailable("s3rver not installed at " + bin.string() +
                                  " (run `npm ci` in tests/integration/s3_tools)", false);
    }
    std::unique_ptr<S3Server> s(new S3Server());
    std::random_device rd;
    s->dir_ = fs::temp_directory_path() /
              ("beacon-s3-" + std::to_string(::getpid()) + "-" + std::to_string(rd() % 100000));
    fs::create_directories(s->dir_);
    s->port_ = FreePort();
    const std::string port = std::to_string(s->port_);
    const std::string dir = s->dir_.string();
    const std::string log = (s->dir_ / "s3rver.log").string();
    const std::string script = bin.string();
    pid_t pid = ::fork();
    if (pid == 0) {
        int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
            ::dup2(fd, 1);
            ::dup2(fd, 2);
        }
        // s3rver's listing continuation tokens use DES: without OpenSSL's legacy provider a
        // listing of over 1,000 keys answers HTTP 500.
        ::execlp("node", "node", "--openssl-legacy-provider", script.c_str(), dir.c_str(),
                 port.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    if (pid < 0) return Error::Unavailable("cannot fork for s3rver", false);
    s->pid_ = pid;
    for (int i = 0; i < 600; ++i) {  // hang guard: 30 s
        if (Accepts(s->port_)) return s;
        int status = 0;
        if (::waitpid(pid, &status, WNOHANG) == pid) {
            s->pid_ = -1;
            return Error::Unavailable("s3rver exited at start (see " + log + ")", false);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return Error::Unavailable("s3rver did not listen within 30 s", false);
}

S3Server::~S3Server() {
    if (pid_ > 0) {
        ::kill(pid_, SIGTERM);
        int status = 0;
        ::waitpid(pid_, &status, 0);
    }
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
}

}  // namespace beacon::testing
