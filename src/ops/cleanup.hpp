#pragma once
/// Finds what a data folder no longer needs and removes it (or only lists it, dry run):
///   - media/library/<id>/ whose library row is gone (and is not waiting for a deferred delete);
///   - media/jobs/<id>/ whose job row is gone;
///   - tmp/job-<id>/ scratch folders of jobs that are over (or gone), older than `days` days;
///   - half-written object temp files (*.tmp-*) older than `days` days.
/// Reads the database through its own connection; safe beside a running server.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace beacon::ops {

struct CleanupItem {
    std::filesystem::path path;
    std::string reason;
    std::int64_t bytes = 0;
};

struct CleanupReport {
    std::vector<CleanupItem> items;
    std::int64_t bytes = 0;
    bool removed = false;  // false for a dry run
};

core::Result<CleanupReport> Cleanup(const std::filesystem::path& data_dir, int days, bool dry_run);

}  // namespace beacon::ops
