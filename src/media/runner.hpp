#pragma once
/// ffmpeg/ffprobe run through core's one subprocess runner (core/subprocess.hpp: fork + exec,
/// own process group, stop_token, timeout, stderr tail, killed with Beacon), or through the
/// runner MediaOptions names (a test's fake).
#include <string>
#include <vector>

#include "core/subprocess.hpp"
#include "media/options.hpp"

namespace beacon::media {

using RunOptions = core::RunOptions;
using RunOutput = core::RunOutput;
using core::RunProcess;

/// Runs an ffmpeg/ffprobe argv with the runner of `opts` (the system's when none is set).
inline core::Result<RunOutput> Run(const MediaOptions& opts, const std::vector<std::string>& argv,
                                   const RunOptions& run) {
    core::ProcessRunner& runner = opts.runner ? *opts.runner : core::SystemProcessRunner();
    return runner.Run(argv, run);
}

}  // namespace beacon::media
