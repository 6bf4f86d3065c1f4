#pragma once
// TEST-ONLY: a ProcessRunner that answers ffmpeg and ffprobe without running them (ninja's
// CommandRunner/VirtualFileSystem pattern), for the pipeline's fast unit tier.
//
// The files it "encodes" are small text descriptors ("BEACON-FAKE-MEDIA" + JSON: duration,
// video, audio, image, width, height) written where ffmpeg would write its output, so later
// commands and probes read back what earlier ones made. It models the parts of ffmpeg's
// command line the pipeline uses: inputs with their options (-f lavfi sources with duration=,
// -loop 1 -t, -ss, -f concat lists, "concat:a|b" URLs), outputs with -t, -frames:v 1, -vn/-an,
// -shortest, -f null, -f hls (segments and a playlist, -hls_time), loudnorm's JSON measurement
// and -progress; ffprobe's JSON answers (-show_format/-show_streams/-show_chapters,
// -show_entries with -of json), first packet times, keyframe times and packet counts. Anything
// else fails loudly naming the argument, so a new command shape is noticed, not guessed.
//
// It records every argv, can fail chosen commands (exit status and stderr as ffmpeg would),
// honours stop tokens like the real runner, and can hold a command until released (to observe
// what runs at the same time).
#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "core/subprocess.hpp"

namespace beacon::testing {

class FakeMediaRunner final : public core::ProcessRunner {
public:
    /// Seconds between keyframes of every video it makes (the house GOP: segment length).
    double keyframe_seconds = 4.0;

    core::Result<core::RunOutput> Run(const std::vector<std::string>& argv,
                                      const core::RunOptions& opts) override;

    /// Commands whose argv satisfies `match` fail: ffmpeg's exit status 1 with `stderr_text`
    /// (an External error naming the tool, as RunProcess reports it). The newest rule wins.
    void FailWhen(std::function<bool(const std::vector<std::string>&)> match,
                  std::string stderr_text);
    /// Commands whose argv satisfies `match` wait until Release() (or their stop token).
    void HoldWhen(std::function<bool(const std::vector<std::string>&)> match);
    void Release();

    /// Every argv run so far, in the order they started.
    std::vector<std::vector<std::string>> Commands() const;
    /// How many commands ran whose argv contains `needle` as one argument or inside one.
    int Count(const std::string& needle) const;
    /// The most commands that were running at the same moment.
    int MaxConcurrent() const { return max_running_.load(); }

private:
    struct Rule {
        std::function<bool(const std::vector<std::string>&)> match;
        std::string stderr_text;
    };
    mutable std::mutex mu_;
    std::condition_variable released_cv_;
    bool released_ = false;
    std::vector<std::vector<std::string>> commands_;
    std::vector<Rule> failures_;
    std::vector<std::function<bool(const std::vector<std::string>&)>> holds_;
    std::atomic<int> running_{0};
    std::atomic<int> max_running_{0};
};

/// True when `argv` contains `needle` as one argument or inside one.
bool ArgvHas(const std::vector<std::string>& argv, const std::string& needle);

}  // namespace beacon::testing
