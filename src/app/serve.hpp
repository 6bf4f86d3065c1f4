#pragma once
#include <vector>

#include "config/config.hpp"
#include "engines/engines.hpp"

namespace beacon::app {

/// Blocks until SIGINT or SIGTERM arrives.
void WaitForTerminationSignal();
/// Checks the external tools Beacon runs (ffmpeg, ffprobe): one line each.
std::vector<engines::HealthCheck> CheckTools(const config::Config& cfg);

}  // namespace beacon::app
