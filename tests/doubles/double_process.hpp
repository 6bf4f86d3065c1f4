#pragma once
/// Starts a stand-in server (tests/doubles/*.py) as a child process and reads its port from the
/// first stdout line ("PORT <n>"). The child is killed (by its pid) when the object dies.
/// Requests() reads what the double received (its GET /__double/requests log), so tests can
/// assert on Beacon's requests as well as on its handling of the answers.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>


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
        // A clean, explicit environment: nothing of the caller's (OLLAMA_HOST, ELEVEN_API_KEY...)
        // reaches the double; PATH finds python3 and ffmpeg, PYENV_ROOT serves pyenv shims.
        std::vector<std::string> env = {"LANG=C.UTF-8"};
        for (const char* k : {"PATH", "HOME", "TMPDIR", "PYENV_ROOT"}) {
            if (const char* v = std::getenv(k)) env.push_back(std::string(k) + "=" + v);
        }
        std::vector<char*> cenv;
        for (auto& e : env) cenv.push_back(e.data());
        cenv.push_back(nullptr);
        if (posix_spawnp(&pid_, "python3", &fa, nullptr, cargv.data(), cenv.data()) != 0) {
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

    /// The double's request log: [{method, path, status, headers, json|form|body}], oldest first.
    nlohmann::json Requests() const {
        int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (s < 0) throw std::runtime_error("socket");
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(static_cast<std::uint16_t>(port_));
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        timeval tv{10, 0};
        setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        if (connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
            close(s);
            throw std::runtime_error("cannot reach the double");
        }
        const std::string req = "GET /__double/requests HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
        if (write(s, req.data(), req.size()) != static_cast<ssize_t>(req.size())) {
            close(s);
            throw std::runtime_error("cannot ask the double");
        }
        std::string resp;
        char buf[8192];
        for (ssize_t n; (n = read(s, buf, sizeof buf)) > 0;) resp.append(buf, static_cast<std::size_t>(n));
        close(s);
        auto p = resp.find("\r\n\r\n");
        if (p == std::string::npos) throw std::runtime_error("bad answer from the double");
        return nlohmann::json::parse(resp.substr(p + 4));
    }

    /// The logged requests whose path starts with prefix (and whose method is method, if given).
    std::vector<nlohmann::json> RequestsTo(const std::string& prefix, const std::string& method = "") const {
        std::vector<nlohmann::json> out;
        for (const auto& r : Requests()) {
            if (r["path"].get<std::string>().rfind(prefix, 0) == 0 && (method.empty() || r["method"] == method))
                out.push_back(r);
        }
        return out;
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

private:
    pid_t pid_ = -1;
    int fd_ = -1;
    int port_ = 0;
};

/// A scratch folder under the system temp folder ("<name>_<pid>"), removed with everything in
/// it at program exit; tests of the engines share one per name.
inline const std::filesystem::path& ScratchDir(const std::string& name) {
    struct Dir {
        std::filesystem::path path;
        ~Dir() {
            std::error_code ec;
            std::filesystem::remove_all(path, ec);
        }
    };
    static std::vector<std::unique_ptr<Dir>> dirs;
    for (const auto& d : dirs) {
        if (d->path.filename() == name + "_" + std::to_string(::getpid())) return d->path;
    }
    auto d = std::make_unique<Dir>();
    d->path = std::filesystem::temp_directory_path() / (name + "_" + std::to_string(::getpid()));
    std::filesystem::create_directories(d->path);
    dirs.push_back(std::move(d));
    return dirs.back()->path;
}

}  // namespace beacon::testing
