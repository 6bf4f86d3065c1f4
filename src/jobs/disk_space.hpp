#pragma once
/// Free space in the data folders: what a job reports when a write finds no room ("disk full:
/// N MB free in DIR"), what refuses new jobs below the configured reserve, and what `beacon
/// doctor` and GET /api/v1/system show.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <vector>

#include "core/model.hpp"
#include "core/result.hpp"

namespace beacon::jobs {

struct DiskSpace {
    std::filesystem::path dir;
    std::int64_t free_mb = 0;   // MiB available to this (unprivileged) process
    std::int64_t total_mb = 0;  // MiB of the file system
};

/// statvfs of `dir`; Unavailable when it cannot be read.
core::Result<DiskSpace> MeasureDiskSpace(const std::filesystem::path& dir);
/// "disk full: 3 MB free in /srv/beacon/media".
std::string DiskFullMessage(const DiskSpace& d);
/// True when an error says a write found no room: ENOSPC/EDQUOT text from the file system or
/// ffmpeg, SQLite's "database or disk is full".
bool IsNoSpaceError(const core::Error& e);

/// The folders Beacon writes (database, media, scratch) and the reserve below which no new job
/// is accepted. Thread-safe (it only reads the file systems).
class DiskGuard {
public:
    DiskGuard() = default;
    DiskGuard(std::vector<std::filesystem::path> dirs, std::int64_t min_free_mb);

    /// Each folder's space (folders that cannot be read are left out).
    std::vector<DiskSpace> Measure() const;
    /// The folder with the least free space; nullopt when none can be read.
    std::optional<DiskSpace> Tightest() const;
    /// Unavailable (HTTP 503) with the free space, the folder and the reserve when the tightest
    /// folder has less than the reserve free.
    core::Status AdmitNewJob() const;
    /// A failed job's error restated as "disk full: N MB free in DIR (...)" when it is a
    /// no-space error or a folder is nearly full (under 8 MB); not retryable. Otherwise `e`.
    core::Error ExplainFailure(core::Error e) const;
    /// {"min_free_mb", "accepting_jobs", "folders": [{"path", "free_mb", "total_mb"}]}.
    core::Json ToJson() const;
    std::int64_t min_free_mb() const { return min_free_mb_; }

private:
    std::vector<std::filesystem::path> dirs_;
    std::int64_t min_free_mb_ = 0;
};

}  // namespace beacon::jobs
