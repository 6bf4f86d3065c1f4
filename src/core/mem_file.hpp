#pragma once
/// Bytes kept in an anonymous in-memory file (Linux memfd, sealed read-only), so that a cache
/// can hand them to the network layer as a file: sent with sendfile from the page cache, no copy
/// into the socket per request, as a static file server sends its files.
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
    /// A sealed in-memory file holding `bytes`; `name` shows in /proc/<pid>/fd (debugging only).
    static Result<std::shared_ptr<const MemFile>> Create(std::string_view bytes, const char* name) {
        const int fd = ::memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
        if (fd < 0) return Error::Unavailable(std::string("memfd_create: ") + std::strerror(errno));
        std::shared_ptr<const MemFile> file(new MemFile(fd, bytes.size()));
        std::size_t done = 0;
        while (done < bytes.size()) {
            const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return Error::Unavailable(std::string("memfd write: ") + std::strerror(errno));
            done += static_cast<std::size_t>(n);
        }
        // Nothing may change the bytes once handed out (a reader sends [0, size)).
        if (::fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0) {
            return Error::Unavailable(std::string("memfd seal: ") + std::strerror(errno));
        }
        return file;
    }

    MemFile(const MemFile&) = delete;
    MemFile& operator=(const MemFile&) = delete;
    ~MemFile() { ::close(fd_); }

    int fd() const { return fd_; }
    std::size_t size() const { return size_; }

    /// A new descriptor of the same file (close-on-exec) for a reader that closes its own;
    /// -1 when the process is out of descriptors.
    int Dup() const { return ::fcntl(fd_, F_DUPFD_CLOEXEC, 0); }

    /// The bytes, read back.
    Result<std::string> Read() const {
        std::string out(size_, '\0');
        std::size_t done = 0;
        while (done < size_) {
            const ssize_t n = ::pread(fd_, out.data() + done, size_ - done, static_cast<off_t>(done));
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return Error::Unavailable(std::string("memfd read: ") + std::strerror(errno));
            done += static_cast<std::size_t>(n);
        }
        return out;
    }

private:
    MemFile(int fd, std::size_t size) : fd_(fd), size_(size) {}
    int fd_;
    std::size_t size_;
};

}  // namespace beacon::core
