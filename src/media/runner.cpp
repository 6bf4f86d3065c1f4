#include "media/runner.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "media/command.hpp"

extern char** environ;

namespace beacon::media {
namespace {

using Clock = std::chrono::steady_clock;
using core::Error;
using core::ErrorCode;

struct Fd {
    int fd = -1;
    ~Fd() { Close(); }
    void Close() {
        if (fd >= 0) ::close(fd);
        fd = -1;
    }
};

std::string ToolName(const std::vector<std::string>& argv) {
    return std::filesystem::path(argv.at(0)).filename().string();
}

void ParseProgress(std::string& pending, const std::function<void(double)>& cb) {
    std::size_t pos;
    while ((pos = pending.find('\n')) != std::string::npos) {
        std::string line = pending.substr(0, pos);
        pending.erase(0, pos + 1);
        // out_time_us is microseconds; out_time_ms is (despite its name) microseconds too.
        for (const char* key : {"out_time_us=", "out_time_ms="}) {
            std::size_t klen = std::strlen(key);
            if (line.compare(0, klen, key) == 0) {
                char* end = nullptr;
                long long us = std::strtoll(line.c_str() + klen, &end, 10);
                if (end != line.c_str() + klen && us >= 0) cb(static_cast<double>(us) / 1e6);
                break;
            }
        }
    }
}

}  // namespace

core::Result<RunOutput> RunProcess(const std::vector<std::string>& argv, const RunOptions& opts) {
    if (argv.empty()) return Error::Invalid("RunProcess: empty argv");
    const std::string tool = ToolName(argv);
    if (opts.on_command) opts.on_command(ShellQuote(argv));
    if (opts.stop.stop_requested()) return Error::Canceled(tool + ": canceled before start");

    int out_pipe[2];
    int err_pipe[2];
    if (::pipe2(out_pipe, O_CLOEXEC) != 0)
        return Error::Internal("pipe: " + std::string(std::strerror(errno)));
    if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
        ::close(out_pipe[0]);
        ::close(out_pipe[1]);
        return Error::Internal("pipe: " + std::string(std::strerror(errno)));
    }
    Fd out_r{out_pipe[0]}, out_w{out_pipe[1]}, err_r{err_pipe[0]}, err_w{err_pipe[1]};

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out_w.fd, 1);
    posix_spawn_file_actions_adddup2(&actions, err_w.fd, 2);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(
        &attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    posix_spawnattr_setpgroup(&attr, 0);
    sigset_t empty;
    sigemptyset(&empty);
    posix_spawnattr_setsigmask(&attr, &empty);
    sigset_t def;
    sigemptyset(&def);
    sigaddset(&def, SIGPIPE);
    sigaddset(&def, SIGTERM);
    sigaddset(&def, SIGINT);
    posix_spawnattr_setsigdefault(&attr, &def);

    std::vector<char*> cargv;
    cargv.reserve(argv.size() + 1);
    for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
    cargv.push_back(nullptr);

    const auto started = Clock::now();
    pid_t pid = -1;
    int rc = ::posix_spawnp(&pid, cargv[0], &actions, &attr, cargv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) {
        return Error::Unavailable(
            tool + " could not be started (" + argv[0] + "): " + std::strerror(rc), false);
    }
    out_w.Close();
    err_w.Close();

    RunOutput result;
    std::string pending;
    std::string err_buf;
    bool killed_timeout = false;
    bool killed_stop = false;
    bool stdout_overflow = false;
    const auto deadline = started + opts.timeout;
    char buf[16384];

    auto kill_group = [&] {
        ::kill(-pid, SIGKILL);
        ::kill(pid, SIGKILL);
    };

    while (out_r.fd >= 0 || err_r.fd >= 0) {
        pollfd fds[2];
        int n = 0;
        if (out_r.fd >= 0) fds[n++] = {out_r.fd, POLLIN, 0};
        if (err_r.fd >= 0) fds[n++] = {err_r.fd, POLLIN, 0};
        int pr = ::poll(fds, n, 50);
        if (pr < 0 && errno != EINTR) break;
        for (int i = 0; i < n && pr > 0; ++i) {
            if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            ssize_t got = ::read(fds[i].fd, buf, sizeof buf);
            bool is_out = fds[i].fd == out_r.fd;
            if (got <= 0) {
                if (got < 0 && errno == EINTR) continue;
                (is_out ? out_r : err_r).Close();
                continue;
            }
            if (is_out) {
                if (opts.on_progress) {
                    pending.append(buf, static_cast<std::size_t>(got));
                    ParseProgress(pending, opts.on_progress);
                } else if (result.stdout_text.size() + static_cast<std::size_t>(got) >
                           opts.max_stdout_bytes) {
                    stdout_overflow = true;
                } else {
                    result.stdout_text.append(buf, static_cast<std::size_t>(got));
                }
            } else {
                err_buf.append(buf, static_cast<std::size_t>(got));
                if (err_buf.size() > 2 * opts.stderr_tail_bytes) {
                    err_buf.erase(0, err_buf.size() - opts.stderr_tail_bytes);
                }
            }
        }
        if (!killed_stop && !killed_timeout) {
            if (opts.stop.stop_requested()) {
                killed_stop = true;
                kill_group();
            } else if (Clock::now() >= deadline) {
                killed_timeout = true;
                kill_group();
            } else if (stdout_overflow) {
                kill_group();
            }
        }
    }
    int status = 0;
    for (;;) {
        pid_t w = ::waitpid(pid, &status, WNOHANG);
        if (w == pid || (w < 0 && errno != EINTR)) break;
        if (!killed_stop && !killed_timeout) {
            if (opts.stop.stop_requested()) {
                killed_stop = true;
                kill_group();
            } else if (Clock::now() >= deadline) {
                killed_timeout = true;
                kill_group();
            }
        }
        ::usleep(5000);
    }
    // Anything the child left in its process group goes too.
    ::kill(-pid, SIGKILL);
    result.wall = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
    if (err_buf.size() > opts.stderr_tail_bytes) {
        err_buf.erase(0, err_buf.size() - opts.stderr_tail_bytes);
    }
    while (!err_buf.empty() && (err_buf.back() == '\n' || err_buf.back() == '\r'))
        err_buf.pop_back();
    result.stderr_tail = err_buf;

    if (killed_stop) return Error::Canceled(tool + " was canceled");
    if (killed_timeout) {
        return Error{ErrorCode::kTimeout,
                     tool + " timed out after " + std::to_string(opts.timeout.count() / 1000) +
                         " s" + (err_buf.empty() ? "" : ": " + err_buf),
                     true};
    }
    if (stdout_overflow) return Error::External(tool + " wrote more output than allowed");
    if (WIFSIGNALED(status)) {
        return Error::External(tool + " was killed by signal " + std::to_string(WTERMSIG(status)) +
                               (err_buf.empty() ? "" : ": " + err_buf));
    }
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    if (result.exit_code != 0) {
        return Error::External(tool + " failed (exit status " + std::to_string(result.exit_code) +
                               ")" + (err_buf.empty() ? "" : ": " + err_buf));
    }
    if (opts.on_progress && !pending.empty()) ParseProgress(pending += "\n", opts.on_progress);
    return result;
}

}  // namespace beacon::media
