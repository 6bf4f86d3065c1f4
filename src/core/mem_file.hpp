#pragma once
/// Bytes kept in an unnamed file that nothing writes once it is made, so that a cache can hand
/// them to the network layer as a file: sent with sendfile from the page cache, no copy into the
/// socket per request, as a static file server sends its files.
///
/// Two kinds: an unnamed file (O_TMPFILE) in a folder on a disk file system, or an anonymous
/// in-memory file (Linux memfd, sealed read-only). The first is the faster one to send: the
/// kernel splices a regular file's pages from the page cache in batches (large folios), where a
/// memfd's are looked up one page at a time (measured on a 172 KB segment: about 5 µs less CPU
/// per request, bench/api). Its pages may be written back to the disk and dropped under memory
/// pressure, as a static server's files are; it goes away with its last descriptor.
#include <sys/mman.h>
#include <unistd.h>

#include <fcntl.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace beacon::core {

class MemFile {
public:
    /// A file holding `bytes`: an unnamed file in `dir` when `dir` is given and its file system
    /// makes one (O_TMPFILE), otherwise a sealed memfd; `name` names the memfd in
    /// /proc/<pid>/fd (debugging only).
    static Result<std::shared_ptr<const MemFile>> Create(std::string_view bytes, const char* name,
                                                         const std::string& dir = {}) {
        int fd = -1;
        bool on_disk = false;
        if (!dir.empty()) {
            fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
            on_disk = fd >= 0;
        }
        if (fd < 0) fd = ::memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
        if (fd < 0) return Error::Unavailable(std::string("memfd_create: ") + std::strerror(errno));
        std::shared_ptr<MemFile> file(new MemFile(fd, bytes.size(), on_disk));  // closes fd
        std::size_t done = 0;
        while (done < bytes.size()) {
            const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0)
                return Error::Unavailable(std::string("file write: ") + std::strerror(errno));
            done += static_cast<std::size_t>(n);
        }
        // Nothing may change the bytes once handed out (a reader sends [0, size)): a memfd is
        // sealed; the unnamed file cannot be, so it is kept through a read-only descriptor (the
        // writable one closed; having no name, it cannot be opened again). Without /proc the
        // writable descriptor stays, which nothing here writes.
        if (!on_disk && ::fcntl(fd, F_ADD_SEALS,
                                F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0) {
            return Error::Unavailable(std::string("memfd seal: ") + std::strerror(errno));
        }
        if (on_disk) {
            const std::string self = "/proc/self/fd/" + std::to_string(fd);
            const int read_only = ::open(self.c_str(), O_RDONLY | O_CLOEXEC);
            if (read_only >= 0) {
                ::close(fd);
                file->fd_ = read_only;
            }
        }
        return std::shared_ptr<const MemFile>(std::move(file));
    }

    MemFile(const MemFile&) = delete;
    MemFile& operator=(const MemFile&) = delete;
    ~MemFile() { ::close(fd_); }

    int fd() const { return fd_; }
    std::size_t size() const { return size_; }
    /// True for an unnamed file on a disk file system, false for a memfd.
    bool on_disk() const { return on_disk_; }

    /// A new descriptor of the same file (close-on-exec) for a reader that closes its own;
    /// -1 when the process is out of descriptors.
    int Dup() const { return ::fcntl(fd_, F_DUPFD_CLOEXEC, 0); }

    /// The bytes, read back.
    Result<std::string> Read() const {
        std::string out(size_, '\0');
        std::size_t done = 0;
        while (done < size_) {
            const ssize_t n =
                ::pread(fd_, out.data() + done, size_ - done, static_cast<off_t>(done));
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0)
                return Error::Unavailable(std::string("file read: ") + std::strerror(errno));
            done += static_cast<std::size_t>(n);
        }
        return out;
    }

private:
    MemFile(int fd, std::size_t size, bool on_disk) : fd_(fd), size_(size), on_disk_(on_disk) {}
    int fd_;
    std::size_t size_;
    bool on_disk_;
};

}  // namespace beacon::core
