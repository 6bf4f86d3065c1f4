#pragma once
/// Scene media for assembly (preview and final) from the typed scene records. Internal.
#include <filesystem>
#include <vector>

#include "core/result.hpp"
#include "media/assembly.hpp"
#include "pipeline/job_run.hpp"
#include "storage/object_store.hpp"

namespace beacon::pipeline {

/// One SceneMedia per scene of `script`, its files readable by ffmpeg (copied into `scratch`
/// when the store is not local).
core::Result<std::vector<media::SceneMedia>> SceneMediaFor(const ScenesRecord& scenes,
                                                           storage::ObjectStore& store,
                                                           const core::Script& script,
                                                           const std::filesystem::path& scratch);

}  // namespace beacon::pipeline
