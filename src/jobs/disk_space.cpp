#include "jobs/disk_space.hpp"

#include <sys/statvfs.h>

#include <cerrno>
#include <cstring>

namespace beacon::jobs {

namespace fs = std::filesystem;

namespace {
constexpr std::int64_t kMiB = 1024 * 1024;
/// Below this a failed write is taken for a full disk even when its message does not say so.
constexpr std::int64_t kNearlyFullMb = 8;
}  // namespace

core::Result<DiskSpace> MeasureDiskSpace(const fs::path& dir) {
    struct statvfs st {};
    if (::statvfs(dir.c_str(), &st) != 0) {
        return core::Error::Unavailable(
            "cannot read the free space of " + dir.string() + ": " + std::strerror(errno), false);
    }
    DiskSpace d;
    std::error_code ec;
    fs::path abs = fs::absolute(dir, ec);
    d.dir = ec ? dir : abs.lexically_normal();
    const auto unit = static_cast<std::int64_t>(st.f_frsize ? st.f_frsize : st.f_bsize);
    d.free_mb = static_cast<std::int64_t>(st.f_bavail) * unit / kMiB;
    d.total_mb = static_cast<std::int64_t>(st.f_blocks) * unit / kMiB;
    return d;
}

std::string DiskFullMessage(const DiskSpace& d) {
    return "disk full: " + std::to_string(d.free_mb) + " MB free in " + d.dir.string();
}

bool IsNoSpaceError(const core::Error& e) {
    static const char* kSigns[] = {"No space left on device", "database or disk is full",
                                   "Disk quota exceeded", "disk full"};
    for (const char* s : kSigns) {
        if (e.message.find(s) != std::string::npos) return true;
    }
    return false;
}

DiskGuard::DiskGuard(std::vector<fs::path> dirs, std::int64_t min_free_mb)
    : dirs_(std::move(dirs)), min_free_mb_(min_free_mb) {}

std::vector<DiskSpace> DiskGuard::Measure() const {
    std::vector<DiskSpace> out;
    for (const auto& d : dirs_) {
        if (auto m = MeasureDiskSpace(d); m.ok()) out.push_back(*m);
    }
    return out;
}

std::optional<DiskSpace> DiskGuard::Tightest() const {
    std::optional<DiskSpace> best;
    for (auto& d : Measure()) {
        if (!best || d.free_mb < best->free_mb) best = d;
    }
    return best;
}

core::Status DiskGuard::AdmitNewJob() const {
    if (min_free_mb_ <= 0) return {};
    auto t = Tightest();
    if (!t || t->free_mb >= min_free_mb_) return {};
    return core::Error::Unavailable(
        "not enough disk space for a new job: " + std::to_string(t->free_mb) + " MB free in " +
            t->dir.string() + ", below the " + std::to_string(min_free_mb_) +
            " MB reserve ([storage] min_free_mb); free some space and try again",
        true);
}

core::Error DiskGuard::ExplainFailure(core::Error e) const {
    if (e.code == core::ErrorCode::kCanceled) return e;
    auto t = Tightest();
    if (!IsNoSpaceError(e) && !(t && t->free_mb < kNearlyFullMb)) return e;
    const std::string cause = e.message;
    e.code = core::ErrorCode::kUnavailable;
    e.retryable = false;
    e.message = (t ? DiskFullMessage(*t) : std::string("disk full")) + " (" + cause + ")";
    return e;
}

core::Json DiskGuard::ToJson() const {
    core::Json folders = core::Json::array();
    for (const auto& d : Measure()) {
        folders.push_back(
            {{"path", d.dir.string()}, {"free_mb", d.free_mb}, {"total_mb", d.total_mb}});
    }
    return {{"min_free_mb", min_free_mb_},
            {"accepting_jobs", AdmitNewJob().ok()},
            {"folders", folders}};
}

}  // namespace beacon::jobs
