#pragma once
/// The one subprocess runner: runs a program from an argv vector (fork + exec, never a shell), in
/// its own process group so that a timeout or cancellation kills it and anything it started.
/// The child inherits only stdin (/dev/null, or a pipe carrying `stdin_text`), stdout and
/// stderr, and is killed when Beacon dies (PR_SET_PDEATHSIG), so a crashed server leaves no
/// orphaned child behind. Used for ffmpeg/ffprobe (media), eSpeak NG and Apertium (engines).
#include <chrono>
#include <functional>
#include <stop_token>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace beacon::core {

struct RunOptions {
    std::chrono::milliseconds timeout{600'000};  // the child is killed after this long
    std::stop_token stop;                        // a stop request kills the child
    /// Called with the exact command line (shell-quoted for display) before it starts.
    std::function<void(const std::string& command_line)> on_command;
    /// Called with the output time in seconds as ffmpeg's `-progress pipe:1` reports it.
    /// When set, stdout is parsed as progress lines and not kept.
    std::function<void(double seconds)> on_progress;
    std::size_t stderr_tail_bytes = 4096;     // how much of stderr to keep
    std::size_t max_stdout_bytes = 64 << 20;  // stdout beyond this is an error
    std::string stdin_text;                   // written to the child's stdin (empty: /dev/null)
    /// false: a non-zero exit is returned in RunOutput::exit_code for the caller to judge.
    bool nonzero_exit_is_error = true;
};

struct RunOutput {
    int exit_code = 0;
    std::string stdout_text;  // empty when on_progress was set
    std::string stderr_tail;  // the last stderr_tail_bytes of stderr
    std::chrono::milliseconds wall{0};
};

/// Runs argv[0] (looked up in PATH) and waits. Errors: Unavailable when it cannot start (names
/// the binary), Timeout, Canceled, External when it is killed by a signal or (unless
/// nonzero_exit_is_error is false) exits non-zero (names the tool, the exit status and the
/// stderr tail).
Result<RunOutput> RunProcess(const std::vector<std::string>& argv, const RunOptions& opts);

/// Who runs a program: the system (RunProcess) in the product. A module that runs external
/// tools takes one of these so that its tests can put a fake in its place (ninja's
/// CommandRunner pattern: tests/support/fake_media_runner.hpp answers ffmpeg and ffprobe).
class ProcessRunner {
public:
    virtual ~ProcessRunner() = default;
    /// Same contract as RunProcess.
    virtual Result<RunOutput> Run(const std::vector<std::string>& argv, const RunOptions& opts) = 0;
};
/// RunProcess behind the interface (one per process, stateless).
ProcessRunner& SystemProcessRunner();

/// argv as one shell-quoted line (for logs; never run through a shell).
std::string ShellQuote(const std::vector<std::string>& argv);

}  // namespace beacon::core
