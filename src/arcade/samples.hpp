#pragma once
/// The sample games shipped with Beacon (games/samples/<name>/), installed on first start.
#include <filesystem>

#include "arcade/service.hpp"

namespace beacon::arcade {

/// Zips `folder` (regular files only, paths relative to it) into `zip` with libarchive.
core::Status ZipFolder(const std::filesystem::path& folder, const std::filesystem::path& zip);

/// Adds every folder under `samples_root` as a game (zipped, then checked like any upload), once:
/// a marker in the Arcade's folder records it, so samples the user deleted stay deleted. Titles
/// come from the folder names ("comet-dodge" → "Comet Dodge"). Returns how many were added; a
/// missing `samples_root` adds none.
core::Result<int> InstallSamples(ArcadeService& arcade, const std::filesystem::path& samples_root);

}  // namespace beacon::arcade
