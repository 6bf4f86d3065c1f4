#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <system_error>

#include <fcntl.h>
#include <unistd.h>

#include "storage/object_store.hpp"

namespace beacon::storage {

namespace fs = std::filesystem;
using core::Error;

bool IsValidKey(std::string_view key) {
    if (key.empty() || key.size() > 512 || key.front() == '/' || key.back() == '/') return false;
    for (char c : key) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '/' || c == '.' ||
                  c == '_' || c == '-';
        if (!ok) return false;
    }
    // No empty, "." or ".." segments.
    std::size_t start = 0;
    while (start <= key.size()) {
        std::size_t end = key.find('/', start);
        if (end == std::string_view::npos) end = key.size();
        std::string_view seg = key.substr(start, end - start);
        if (seg.empty() || seg == "." || seg == "..") return false;
        start = end + 1;
    }
    return true;
}

namespace {

std::string TempSuffix() {
    static std::atomic<std::uint64_t> counter{0};
    thread_local std::mt19937_64 rng{std::random_device{}()};
    return ".tmp-" + std::to_string(getpid()) + "-" + std::to_string(counter++) + "-" +
           std::to_string(rng() % 1000000);
}

class FilesystemStore final : public ObjectStore {
public:
    explicit FilesystemStore(fs::path root) : root_(std::move(root)) {}

    core::Status Put(std::string_view key, std::string_view bytes) override {
        if (!IsValidKey(key)) return Error::Invalid("object store: invalid key");
        fs::path dst = root_ / std::string(key);
        std::error_code ec;
        fs::create_directories(dst.parent_path(), ec);
        if (ec) return Error::Unavailable("object store: cannot create " + dst.parent_path().string() + ": " + ec.message(), false);
        fs::path tmp = dst.string() + TempSuffix();
        int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0) return Error::Unavailable("object store: cannot write " + tmp.string() + ": " + std::strerror(errno), false);
        std::size_t done = 0;
        while (done < bytes.size()) {
            ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
            if (n < 0) {
                if (errno == EINTR) continue;
                std::string msg = std::strerror(errno);
                ::close(fd);
                fs::remove(tmp, ec);
                return Error::Unavailable("object store: write failed for " + dst.string() + ": " + msg, false);
            }
            done += static_cast<std::size_t>(n);
        }
        ::fsync(fd);
        ::close(fd);
        fs::rename(tmp, dst, ec);
        if (ec) {
            fs::remove(tmp, ec);
            return Error::Unavailable("object store: cannot rename into " + dst.string(), false);
        }
        return {};
    }

    core::Status PutFile(std::string_view key, const fs::path& file) override {
        if (!IsValidKey(key)) return Error::Invalid("object store: invalid key");
        fs::path dst = root_ / std::string(key);
        std::error_code ec;
        fs::create_directories(dst.parent_path(), ec);
        if (ec) return Error::Unavailable("object store: cannot create " + dst.parent_path().string(), false);
        fs::path tmp = dst.string() + TempSuffix();
        // Copy to a temp name beside the destination (same file system), then rename: atomic.
        fs::copy_file(file, tmp, fs::copy_options::overwrite_existing, ec);
        if (ec) return Error::Unavailable("object store: cannot copy " + file.string() + ": " + ec.message(), false);
        fs::rename(tmp, dst, ec);
        if (ec) {
            fs::remove(tmp, ec);
            return Error::Unavailable("object store: cannot rename into " + dst.string(), false);
        }
        return {};
    }

    core::Result<std::string> Get(std::string_view key) override {
        if (!IsValidKey(key)) return Error::Invalid("object store: invalid key");
        std::ifstream in(root_ / std::string(key), std::ios::binary);
        if (!in) return Error::NotFound("object not found: " + std::string(key));
        std::ostringstream ss;
        ss << in.rdbuf();
        return ss.str();
    }

    bool Exists(std::string_view key) override {
        if (!IsValidKey(key)) return false;
        std::error_code ec;
        return fs::is_regular_file(root_ / std::string(key), ec);
    }

    core::Result<std::int64_t> Size(std::string_view key) override {
        if (!IsValidKey(key)) return Error::Invalid("object store: invalid key");
        std::error_code ec;
        auto n = fs::file_size(root_ / std::string(key), ec);
        if (ec) return Error::NotFound("object not found: " + std::string(key));
        return static_cast<std::int64_t>(n);
    }

    core::Status Delete(std::string_view key_or_prefix) override {
        std::string k(key_or_prefix);
        bool prefix = !k.empty() && k.back() == '/';
        if (prefix) k.pop_back();
        if (!IsValidKey(k)) return Error::Invalid("object store: invalid key");
        std::error_code ec;
        if (prefix) {
            fs::remove_all(root_ / k, ec);
        } else {
            fs::remove(root_ / k, ec);
        }
        if (ec) return Error::Unavailable("object store: cannot delete " + k + ": " + ec.message(), false);
        return {};
    }

    fs::path LocalPath(std::string_view key) override {
        if (!IsValidKey(key)) return {};
        return root_ / std::string(key);
    }

private:
    fs::path root_;
};

}  // namespace

core::Result<std::string> ObjectStore::GetRange(std::string_view key, std::int64_t offset,
                                                std::int64_t length) {
    if (offset < 0 || length < 0) return Error::Invalid("object store: bad range");
    BEACON_TRY(all, Get(key));
    if (offset >= static_cast<std::int64_t>(all.size())) return std::string();
    return all.substr(static_cast<std::size_t>(offset), static_cast<std::size_t>(length));
}

core::Result<std::unique_ptr<ObjectStore>> OpenFilesystemStore(const fs::path& root) {
    std::error_code ec;
    fs::create_directories(root, ec);
    if (ec) return Error::Unavailable("cannot create media folder " + root.string() + ": " + ec.message(), false);
    return std::unique_ptr<ObjectStore>(std::make_unique<FilesystemStore>(fs::absolute(root)));
}

}  // namespace beacon::storage
