#include "engines/apertium.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>

extern char** environ;

namespace beacon::engines {

using core::Error;

Result<ProcessResult> RunProcess(const std::vector<std::string>& argv, const std::string& input,
                                 std::chrono::milliseconds timeout, std::stop_token stop) {
    if (argv.empty()) return Error::Invalid("RunProcess: empty argv");
    int in_pipe[2], out_pipe[2], err_pipe[2];
    if (pipe2(in_pipe, O_CLOEXEC) != 0) return Error::Internal("pipe failed");
    if (pipe2(out_pipe, O_CLOEXEC) != 0) {
        close(in_pipe[0]);
        close(in_pipe[1]);
        return Error::Internal("pipe failed");
    }
    if (pipe2(err_pipe, O_CLOEXEC) != 0) {
        for (int fd : {in_pipe[0], in_pipe[1], out_pipe[0], out_pipe[1]}) close(fd);
        return Error::Internal("pipe failed");
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in_pipe[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out_pipe[1], 1);
    posix_spawn_file_actions_adddup2(&fa, err_pipe[1], 2);
    // Nothing else of the server's (sockets, database, other children's pipes) reaches it.
    posix_spawn_file_actions_addclosefrom_np(&fa, 3);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    // Own process group, so a kill reaches the whole pipeline the script starts.
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = 0;
    int rc = posix_spawnp(&pid, args[0], &fa, &attr, args.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    close(in_pipe[0]);
    close(out_pipe[1]);
    close(err_pipe[1]);
    if (rc != 0) {
        close(in_pipe[1]);
        close(out_pipe[0]);
        close(err_pipe[0]);
        return Error::Unavailable("cannot start '" + argv[0] + "': " + std::strerror(rc), false);
    }
    fcntl(in_pipe[1], F_SETFL, O_NONBLOCK);
    ProcessResult res;
    std::size_t written = 0;
    int in_fd = in_pipe[1];
    if (input.empty()) {
        close(in_fd);
        in_fd = -1;
    }
    bool out_open = true, err_open = true;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    bool killed = false;
    std::string why;
    while (out_open || err_open) {
        if (stop.stop_requested() || std::chrono::steady_clock::now() > deadline) {
            why = stop.stop_requested() ? "canceled" : "timed out";
            kill(-pid, SIGKILL);
            killed = true;
            break;
        }
        pollfd fds[3];
        int n = 0;
        int out_i = -1, err_i = -1, in_i = -1;
        if (out_open) { out_i = n; fds[n++] = {out_pipe[0], POLLIN, 0}; }
        if (err_open) { err_i = n; fds[n++] = {err_pipe[0], POLLIN, 0}; }
        if (in_fd >= 0) { in_i = n; fds[n++] = {in_fd, POLLOUT, 0}; }
        int pr = poll(fds, static_cast<nfds_t>(n), 50);
        if (pr < 0 && errno != EINTR) break;
        char buf[8192];
        auto drain = [&](int idx, int fd, std::string& into, bool& open) {
            if (idx < 0 || !(fds[idx].revents & (POLLIN | POLLHUP | POLLERR))) return;
            ssize_t r = read(fd, buf, sizeof buf);
            if (r > 0) {
                into.append(buf, static_cast<std::size_t>(r));
            } else if (r == 0 || (errno != EINTR && errno != EAGAIN)) {
                open = false;
            }
        };
        drain(out_i, out_pipe[0], res.out, out_open);
        drain(err_i, err_pipe[0], res.err, err_open);
        if (in_i >= 0 && (fds[in_i].revents & (POLLOUT | POLLERR | POLLHUP))) {
            ssize_t w = write(in_fd, input.data() + written, input.size() - written);
            if (w > 0) written += static_cast<std::size_t>(w);
            if (w < 0 && errno != EAGAIN && errno != EINTR) written = input.size();
            if (written >= input.size()) {
                close(in_fd);
                in_fd = -1;
            }
        }
    }
    if (in_fd >= 0) close(in_fd);
    close(out_pipe[0]);
    close(err_pipe[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (killed) {
        if (why == "canceled") return Error::Canceled("'" + argv[0] + "' canceled");
        return Error{core::ErrorCode::kTimeout, "'" + argv[0] + "' " + why, false};
    }
    res.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return res;
}

std::string ApertiumLanguage(const std::string& code) {
    static const std::map<std::string, std::string> m = {
        {"en", "eng"}, {"es", "spa"}, {"ca", "cat"}, {"fr", "fra"}, {"pt", "por"},
        {"it", "ita"}, {"de", "deu"}, {"gl", "glg"}, {"eo", "epo"}, {"oc", "oci"},
        {"eu", "eus"}, {"ro", "ron"}, {"nl", "nld"}, {"sv", "swe"}, {"da", "dan"},
        {"nb", "nob"}, {"nn", "nno"}, {"af", "afr"}, {"cy", "cym"}, {"br", "bre"}};
    std::string c = code;
    std::transform(c.begin(), c.end(), c.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    auto dash = c.find_first_of("-_");
    if (dash != std::string::npos && c.size() <= 5) c = c.substr(0, dash);  // en-US → en
    auto it = m.find(c);
    return it == m.end() ? c : it->second;
}

std::vector<std::string> ApertiumTranslator::Pairs() const {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(opts_.modes_dir, ec)) {
        if (e.path().extension() != ".mode") continue;
        std::string name = e.path().stem().string();
        // Plain pairs only ("eng-spa"), not variants or debug modes ("spa-eng_US", "eng-spa-tagger").
        auto dash = name.find('-');
        if (dash == std::string::npos || name.find('-', dash + 1) != std::string::npos) continue;
        if (name.find('_') != std::string::npos) continue;
        out.push_back(name);
    }
    std::sort(out.begin(), out.end());
    return out;
}

Result<std::string> ApertiumTranslator::Translate(const std::string& text, const std::string& from,
                                                  const std::string& to, std::stop_token stop) {
    std::string pair = ApertiumLanguage(from) + "-" + ApertiumLanguage(to);
    auto pairs = Pairs();
    if (std::find(pairs.begin(), pairs.end(), pair) == pairs.end()) {
        std::string list;
        for (const auto& p : pairs) list += (list.empty() ? "" : ", ") + p;
        return Error::Invalid("Apertium: the language pair " + from + "→" + to + " (" + pair +
                              ") is not installed; installed pairs: " +
                              (list.empty() ? "none (install e.g. apertium-eng-spa)" : list));
    }
    if (text.empty()) return std::string();
    // -u drops the '*' unknown-word marks; the text format keeps plain text as is.
    auto r = RunProcess({opts_.binary, "-u", "-f", "txt", pair}, text, opts_.timeout, stop);
    if (!r.ok()) return Error::Unavailable("Apertium (" + opts_.binary + " " + pair + "): " + r.error().message, false);
    if (r->exit_code != 0) {
        return Error::External("Apertium (" + opts_.binary + " " + pair + ") exited with code " +
                               std::to_string(r->exit_code) + ": " + r->err.substr(0, 300));
    }
    std::string out = r->out;
    // Apertium mirrors the input's trailing newline; keep the caller's shape.
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r') &&
           (text.empty() || text.back() != '\n'))
        out.pop_back();
    return out;
}

Provenance ApertiumTranslator::Describe() const {
    return Provenance{"apertium", "rule-based", Json::object(), true};
}

HealthCheck ApertiumTranslator::Check() const {
    HealthCheck h{"translation", "apertium", false, ""};
    auto pairs = Pairs();
    if (pairs.empty()) {
        h.detail = "no Apertium language pairs in " + opts_.modes_dir.string();
        return h;
    }
    auto r = RunProcess({opts_.binary, "-u", "-f", "txt", pairs.front()}, "hello\n",
                        std::chrono::milliseconds(15000), {});
    if (!r.ok() || r->exit_code != 0) {
        h.detail = "cannot run '" + opts_.binary + "': " + (r.ok() ? r->err.substr(0, 200) : r.error().message);
        return h;
    }
    h.ok = true;
    std::string list;
    for (const auto& p : pairs) list += (list.empty() ? "" : ", ") + p;
    h.detail = "pairs: " + list;
    return h;
}

}  // namespace beacon::engines
