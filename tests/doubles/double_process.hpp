#pragma once
/// Starts a stand-in server (tests/doubles/*.py) as a child process and reads its port from the
/// first stdout line ("PORT <n>"). The child is killed (by its pid) when the object dies.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

extern char** environ;

namespace beacon::testing {

class DoubleProcess {
public:
    /// script: file name under tests/doubles; args: its switches.
    DoubleProcess(const std::string& script, std::vector<std::string> args = {}) {
        std::string path = std::string(BEACON_SOURCE_DIR) + "/tests/doubles/" + script;
        std::vector<std::string> argv = {"python3", "-u", path};
        argv.insert(argv.end(), args.begin(), args.end());
        int out[2];
        if (pipe(out) != 0) throw std::runtime_error("pipe");
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, out[1], 1);
        posix_spawn_file_actions_addclose(&fa, out[0]);
        std::vector<char*> cargv;
        for (auto& a : argv) cargv.push_back(a.data());
        cargv.push_back(nullptr);
        if (posix_spawnp(&pid_, "python3", &fa, nullptr, cargv.data(), environ) != 0) {
            throw std::runtime_error("cannot start python3");
        }
        posix_spawn_file_actions_destroy(&fa);
        close(out[1]);
        fd_ = out[0];
        std::string line;
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (line.find('\n') == std::string::npos) {
            pollfd p{fd_, POLLIN, 0};
            if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("double did not start: " + script);
            if (poll(&p, 1, 200) <= 0) continue;
            char c[256];
            ssize_t n = read(fd_, c, sizeof c);
            if (n <= 0) throw std::runtime_error("double exited early: " + script);
            line.append(c, static_cast<std::size_t>(n));
        }
        if (line.rfind("PORT ", 0) != 0) throw std::runtime_error("double said: " + line);
        port_ = std::stoi(line.substr(5));
    }
    ~DoubleProcess() {
        if (pid_ > 0) {
            kill(pid_, SIGTERM);
            int st = 0;
            waitpid(pid_, &st, 0);
        }
        if (fd_ >= 0) close(fd_);
    }
    DoubleProcess(const DoubleProcess&) = delete;
    DoubleProcess& operator=(const DoubleProcess&) = delete;
    int port() const { return port_; }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

private:
    pid_t pid_ = -1;
    int fd_ = -1;
    int port_ = 0;
};

}  // namespace beacon::testing
