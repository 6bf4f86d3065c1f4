// OpsService's view of the machine: the data folder's disk and storage use, the process
// (/proc) and the GPUs (nvidia-smi). The rest of the service is in service.cpp.
#include "ops/service.hpp"

#include <sys/resource.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace beacon::ops {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

std::string ReadFile(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string_view Trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

struct StorageUse {
    double bytes = 0;
    double files = 0;
};

StorageUse Walk(const fs::path& root) {
    StorageUse u;
    std::error_code ec;
    if (!fs::exists(root, ec)) return u;
    for (fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied,
                                              ec), end;
         !ec && it != end; it.increment(ec)) {
        std::error_code fec;
        if (it->is_regular_file(fec)) {
            u.bytes += static_cast<double>(it->file_size(fec));
            u.files += 1;
        }
    }
    return u;
}
}  // namespace

std::vector<GpuSample> ParseNvidiaSmi(std::string_view csv) {
    std::vector<GpuSample> out;
    while (!csv.empty()) {
        auto nl = csv.find('\n');
        std::string_view line = csv.substr(0, nl);
        csv = nl == std::string_view::npos ? std::string_view() : csv.substr(nl + 1);
        std::vector<std::string_view> f;
        while (true) {
            auto comma = line.find(',');
            f.push_back(Trim(line.substr(0, comma)));
            if (comma == std::string_view::npos) break;
            line = line.substr(comma + 1);
        }
        if (f.size() != 5 || f[0].empty()) continue;
        try {
            GpuSample g;
            g.index = std::string(f[0]);
            g.name = std::string(f[1]);
            g.utilization = std::stod(std::string(f[2])) / 100.0;
            g.memory_used_bytes = std::stod(std::string(f[3])) * 1024 * 1024;
            g.memory_total_bytes = std::stod(std::string(f[4])) * 1024 * 1024;
            out.push_back(std::move(g));
        } catch (const std::exception&) {
            // "[N/A]" or another unreadable field: skip this GPU
        }
    }
    return out;
}

double OpsService::DataBytes() {
    // One walker at a time (scrapes and the sampler); mu_ is not held while walking, so the
    // request observer on network threads never waits for the disk.
    std::lock_guard walking(walk_mu_);
    auto now = Clock::now();
    {
        std::lock_guard lock(mu_);
        if (data_bytes_at_ != Clock::time_point{} &&
            now - data_bytes_at_ < std::chrono::minutes(1)) {
            return data_bytes_cached_;
        }
    }
    StorageUse db;
    std::error_code ec;
    for (const char* f : {"beacon.db", "beacon.db-wal", "beacon.db-shm"}) {
        auto size = fs::file_size(options_.data_dir / f, ec);
        if (!ec) db.bytes += static_cast<double>(size), db.files += 1;
    }
    StorageUse media = Walk(options_.data_dir / "media");
    StorageUse tmp = Walk(options_.data_dir / "tmp");
    data_bytes_->Set({"database"}, db.bytes);
    data_bytes_->Set({"media"}, media.bytes);
    data_bytes_->Set({"tmp"}, tmp.bytes);
    std::lock_guard lock(mu_);
    data_bytes_cached_ = db.bytes + media.bytes + tmp.bytes;
    data_bytes_at_ = now;
    return data_bytes_cached_;
}

void OpsService::CollectDisk() {
    struct statvfs v {};
    if (::statvfs(options_.data_dir.c_str(), &v) == 0) {
        disk_free_->Set({}, static_cast<double>(v.f_bavail) * static_cast<double>(v.f_frsize));
        disk_total_->Set({}, static_cast<double>(v.f_blocks) * static_cast<double>(v.f_frsize));
    }
    DataBytes();
}

void OpsService::CollectProcess() {
    const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
    std::string stat = ReadFile("/proc/self/stat");
    auto paren = stat.rfind(')');
    if (paren != std::string::npos && ticks > 0) {
        std::istringstream in(stat.substr(paren + 2));
        std::vector<std::string> f;
        for (std::string w; in >> w;) f.push_back(w);
        // After the name: field 3 (state) is f[0]; utime is field 14, stime 15, starttime 22.
        if (f.size() > 19) {
            cpu_seconds_->Set({}, (std::stod(f[11]) + std::stod(f[12])) / ticks);
            std::string boot = ReadFile("/proc/stat");
            auto pos = boot.find("\nbtime ");
            if (pos != std::string::npos) {
                start_time_->Set({}, std::stod(boot.substr(pos + 7)) + std::stod(f[19]) / ticks);
            }
        }
    }
    std::istringstream statm(ReadFile("/proc/self/statm"));
    double size = 0, resident = 0;
    if (statm >> size >> resident) {
        rss_bytes_->Set({}, resident * static_cast<double>(::sysconf(_SC_PAGESIZE)));
    }
    std::error_code ec;
    double fds = 0;
    for (fs::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end; it.increment(ec)) {
        ++fds;
    }
    open_fds_->Set({}, fds);
    rlimit lim{};
    if (::getrlimit(RLIMIT_NOFILE, &lim) == 0) max_fds_->Set({}, static_cast<double>(lim.rlim_cur));
}

std::vector<GpuSample> OpsService::Gpus() {
    {
        std::lock_guard lock(mu_);
        if (gpus_at_ != Clock::time_point{} && Clock::now() - gpus_at_ < std::chrono::seconds(10)) {
            return gpus_;
        }
    }
    std::vector<GpuSample> found;
    const std::string& bin = options_.nvidia_smi;
    bool present = false;
    if (!bin.empty()) {
        if (bin.find('/') != std::string::npos) {
            present = ::access(bin.c_str(), X_OK) == 0;
        } else if (const char* path = std::getenv("PATH")) {
            std::string_view dirs = path;
            while (!present && !dirs.empty()) {
                auto colon = dirs.find(':');
                fs::path candidate = fs::path(std::string(dirs.substr(0, colon))) / bin;
                present = ::access(candidate.c_str(), X_OK) == 0;
                dirs = colon == std::string_view::npos ? std::string_view() : dirs.substr(colon + 1);
            }
        }
    }
    if (present) {
        // The program name comes from the config file only (never from a request).
        std::string cmd = "'" + bin +
                          "' --query-gpu=index,name,utilization.gpu,memory.used,memory.total "
                          "--format=csv,noheader,nounits 2>/dev/null";
        if (FILE* p = ::popen(cmd.c_str(), "r")) {
            std::string text;
            char buf[4096];
            std::size_t n = 0;
            while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) text.append(buf, n);
            if (::pclose(p) == 0) found = ParseNvidiaSmi(text);
        }
    }
    std::lock_guard lock(mu_);
    gpus_ = found;
    gpus_at_ = Clock::now();
    return found;
}

void OpsService::CollectGpu() {
    auto gpus = Gpus();
    gpu_util_->Clear();
    gpu_mem_used_->Clear();
    gpu_mem_total_->Clear();
    for (const auto& g : gpus) {
        gpu_util_->Set({g.index, g.name}, g.utilization);
        gpu_mem_used_->Set({g.index, g.name}, g.memory_used_bytes);
        gpu_mem_total_->Set({g.index, g.name}, g.memory_total_bytes);
    }
}

}  // namespace beacon::ops
