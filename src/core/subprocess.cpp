#include "core/subprocess.hpp"

#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

extern char** environ;

namespace beacon::core {
namespace {

using Clock = std::chrono::steady_clock;

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

/// The program's path as execvp would find it (looked up before fork: the child may only make
/// async-signal-safe calls). Empty when not found.
std::string ResolveProgram(const std::string& name) {
    if (name.find('/') != std::string::npos) return name;
    const char* env = std::getenv("PATH");
    std::string_view path = env && *env ? env : "/usr/local/bin:/usr/bin:/bin";
    while (true) {
        auto colon = path.find(':');
        std::string dir(path.substr(0, colon));
        std::string candidate = (dir.empty() ? std::string(".") : dir) + "/" + name;
        if (::access(candidate.c_str(), X_OK) == 0) return candidate;
        if (colon == std::string_view::npos) return {};
        path.remove_prefix(colon + 1);
    }
}

/// In the forked child: marks every descriptor from 3 up close-on-exec, so the child gets
/// stdin/stdout/stderr and nothing else (no listening socket, connection, database or other
/// child's pipe), whoever opened them and however.
void CloseOnExecFrom3() {
    if (::syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) == 0) return;
    rlimit lim{};
    int max = 65536;
    if (::getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < static_cast<rlim_t>(max)) {
        max = static_cast<int>(lim.rlim_cur);
    }
    for (int fd = 3; fd < max; ++fd) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
}

/// Writes what the pipe takes of `text` from `written` on; false once all is written or the
/// child closed its stdin (SIGPIPE is held back for this thread meanwhile, so a child that
/// stops reading cannot kill Beacon).
bool WriteStdin(int fd, const std::string& text, std::size_t& written) {
    sigset_t pipe_set, old_set;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    ::pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);
    ssize_t w = ::write(fd, text.data() + written, text.size() - written);
    const int e = errno;
    if (w < 0 && e == EPIPE) {
        timespec zero{0, 0};
        while (::sigtimedwait(&pipe_set, nullptr, &zero) > 0) {
        }
    }
    ::pthread_sigmask(SIG_SETMASK, &old_set, nullptr);
    if (w > 0) written += static_cast<std::size_t>(w);
    if (w < 0 && e != EAGAIN && e != EINTR) return false;
    return written < text.size();
}

}  // namespace

ProcessRunner& SystemProcessRunner() {
    class System final : public ProcessRunner {
    public:
        Result<RunOutput> Run(const std::vector<std::string>& argv, const RunOptions& opts) override {
            return RunProcess(argv, opts);
        }
    };
    static System system;
    return system;
}

Result<RunOutput> RunProcess(const std::vector<std::string>& argv, const RunOptions& opts) {
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
    Fd in_r, in_w;  // stdin_text's pipe (none: the child reads /dev/null)
    if (!opts.stdin_text.empty()) {
        int in_pipe[2];
        if (::pipe2(in_pipe, O_CLOEXEC) != 0)
            return Error::Internal("pipe: " + std::string(std::strerror(errno)));
        in_r.fd = in_pipe[0];
        in_w.fd = in_pipe[1];
    }

    const std::string program = ResolveProgram(argv[0]);
    if (program.empty()) {
        return Error::Unavailable(
            tool + " could not be started (" + argv[0] + "): " + std::strerror(ENOENT), false);
    }
    std::vector<char*> cargv;
    cargv.reserve(argv.size() + 1);
    for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
    cargv.push_back(nullptr);
    int exec_pipe[2];  // the child reports a failed exec here; closed by a successful one
    if (::pipe2(exec_pipe, O_CLOEXEC) != 0) {
        return Error::Internal("pipe: " + std::string(std::strerror(errno)));
    }
    Fd exec_r{exec_pipe[0]}, exec_w{exec_pipe[1]};

    const auto started = Clock::now();
    const pid_t parent = ::getpid();
    // fork + exec rather than posix_spawn: the child must ask for PR_SET_PDEATHSIG itself.
    // Only async-signal-safe calls between fork and exec.
    pid_t pid = ::fork();
    if (pid < 0) return Error::Internal("fork: " + std::string(std::strerror(errno)));
    if (pid == 0) {
        // Its own process group: a timeout or cancellation kills it and anything it started.
        ::setpgid(0, 0);
        // Dies with Beacon: a killed server leaves no encode running that holds files (or, had
        // it inherited it, the listening port). The signal follows the forking thread, which
        // waits here for the child until it ends.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent) ::_exit(127);
        int in_fd = in_r.fd >= 0 ? in_r.fd : ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (in_fd < 0 || ::dup2(in_fd, 0) < 0 || ::dup2(out_w.fd, 1) < 0 ||
            ::dup2(err_w.fd, 2) < 0) {
            int e = errno;
            [[maybe_unused]] auto n = ::write(exec_w.fd, &e, sizeof e);
            ::_exit(127);
        }
        CloseOnExecFrom3();
        for (int sig : {SIGPIPE, SIGTERM, SIGINT, SIGXFSZ, SIGCHLD}) {
            struct sigaction dfl {};
            dfl.sa_handler = SIG_DFL;
            ::sigaction(sig, &dfl, nullptr);
        }
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        ::execve(program.c_str(), cargv.data(), environ);
        int e = errno;
        [[maybe_unused]] auto n = ::write(exec_w.fd, &e, sizeof e);
        ::_exit(127);
    }
    ::setpgid(pid, pid);  // also from here: no race with kill(-pid) below
    out_w.Close();
    err_w.Close();
    exec_w.Close();
    in_r.Close();
    if (in_w.fd >= 0) ::fcntl(in_w.fd, F_SETFL, O_NONBLOCK);
    std::size_t stdin_written = 0;
    {
        int child_errno = 0;
        ssize_t got;
        do {
            got = ::read(exec_r.fd, &child_errno, sizeof child_errno);
        } while (got < 0 && errno == EINTR);
        if (got == static_cast<ssize_t>(sizeof child_errno)) {
            int status = 0;
            while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
            }
            return Error::Unavailable(tool + " could not be started (" + argv[0] +
                                          "): " + std::strerror(child_errno),
                                      false);
        }
    }

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
        pollfd fds[3];
        int n = 0;
        if (out_r.fd >= 0) fds[n++] = {out_r.fd, POLLIN, 0};
        if (err_r.fd >= 0) fds[n++] = {err_r.fd, POLLIN, 0};
        if (in_w.fd >= 0) fds[n++] = {in_w.fd, POLLOUT, 0};
        int pr = ::poll(fds, n, 50);
        if (pr < 0 && errno != EINTR) break;
        for (int i = 0; i < n && pr > 0; ++i) {
            if (fds[i].fd == in_w.fd) {
                if (fds[i].revents & (POLLOUT | POLLERR | POLLHUP)) {
                    if (!WriteStdin(in_w.fd, opts.stdin_text, stdin_written)) in_w.Close();
                }
                continue;
            }
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
    if (result.exit_code != 0 && opts.nonzero_exit_is_error) {
        return Error::External(tool + " failed (exit status " + std::to_string(result.exit_code) +
                               ")" + (err_buf.empty() ? "" : ": " + err_buf));
    }
    if (opts.on_progress && !pending.empty()) ParseProgress(pending += "\n", opts.on_progress);
    return result;
}

std::string ShellQuote(const std::vector<std::string>& argv) {
    std::string out;
    for (std::size_t i = 0; i < argv.size(); ++i) {
        if (i) out += ' ';
        const std::string& a = argv[i];
        bool plain = !a.empty() && a.find_first_not_of(
                                       "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                       "0123456789_-+=/.,:%@") == std::string::npos;
        if (plain) {
            out += a;
            continue;
        }
        out += '\'';
        for (char c : a) {
            if (c == '\'') {
                out += "'\\''";
            } else {
                out += c;
            }
        }
        out += '\'';
    }
    return out;
}

}  // namespace beacon::core
