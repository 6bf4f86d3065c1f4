#pragma once
/// ffmpeg/ffprobe run through core's one subprocess runner (core/subprocess.hpp: fork + exec,
/// own process group, stop_token, timeout, stderr tail, killed with Beacon).
#include "core/subprocess.hpp"

namespace beacon::media {

using RunOptions = core::RunOptions;
using RunOutput = core::RunOutput;
using core::RunProcess;

}  // namespace beacon::media
