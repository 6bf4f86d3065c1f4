#include "arcade/multipart.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>

namespace beacon::arcade {

using core::Error;

namespace {

std::string Lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::string_view Trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

/// The value of parameter `key` in a header like `form-data; name="file"; filename="a.zip"`.
std::optional<std::string> Param(std::string_view header, std::string_view key) {
    std::size_t pos = 0;
    while (pos < header.size()) {
        auto semi = header.find(';', pos);
        if (semi == std::string_view::npos) semi = header.size();
        auto item = Trim(header.substr(pos, semi - pos));
        pos = semi + 1;
        auto eq = item.find('=');
        if (eq == std::string_view::npos) continue;
        if (Lower(Trim(item.substr(0, eq))) != key) continue;
        auto value = Trim(item.substr(eq + 1));
        if (value.size() >= 2 && value.front() == '"') {
            std::string out;
            for (std::size_t i = 1; i < value.size() && value[i] != '"'; ++i) {
                if (value[i] == '\\' && i + 1 < value.size()) ++i;
                out += value[i];
            }
            return out;
        }
        return std::string(value);
    }
    return std::nullopt;
}

/// Reads a part's headers into `part` (name, filename, content type); false without a name.
template <class Part>
bool ParsePartHeaders(std::string_view headers, Part& part) {
    bool named = false;
    while (!headers.empty()) {
        auto eol = headers.find("\r\n");
        auto line = headers.substr(0, eol);
        headers = eol == std::string_view::npos ? std::string_view() : headers.substr(eol + 2);
        auto colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        auto key = Lower(Trim(line.substr(0, colon)));
        auto value = Trim(line.substr(colon + 1));
        if (key == "content-disposition") {
            if (auto n = Param(value, "name")) {
                part.name = *n;
                named = true;
            }
            part.filename = Param(value, "filename");
        } else if (key == "content-type") {
            part.content_type = std::string(value);
        }
    }
    return named;
}

/// A read-only descriptor, closed on scope exit.
struct InFile {
    int fd = -1;
    std::uint64_t size = 0;
    explicit InFile(const std::filesystem::path& path)
        : fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
        struct stat st {};
        if (fd >= 0 && ::fstat(fd, &st) == 0) size = static_cast<std::uint64_t>(st.st_size);
    }
    ~InFile() {
        if (fd >= 0) ::close(fd);
    }
    InFile(const InFile&) = delete;
    InFile& operator=(const InFile&) = delete;

    /// Up to `n` bytes at `offset` (fewer only at the end of the file), or nullopt on error.
    std::optional<std::string> Read(std::uint64_t offset, std::size_t n) const {
        std::string out(n, '\0');
        std::size_t got = 0;
        while (got < n) {
            ssize_t r = ::pread(fd, out.data() + got, n - got, static_cast<off_t>(offset + got));
            if (r < 0 && errno == EINTR) continue;
            if (r < 0) return std::nullopt;
            if (r == 0) break;
            got += static_cast<std::size_t>(r);
        }
        out.resize(got);
        return out;
    }

    /// The offset of the first `needle` at or after `from`, read in 1 MB chunks.
    std::optional<std::uint64_t> Find(std::string_view needle, std::uint64_t from) const {
        constexpr std::size_t kChunk = 1 << 20;
        for (std::uint64_t pos = from; pos < size;) {
            auto chunk = Read(pos, kChunk + needle.size() - 1);
            if (!chunk) return std::nullopt;
            auto hit = chunk->find(needle);
            if (hit != std::string::npos) return pos + hit;
            if (chunk->size() < kChunk + needle.size() - 1) return std::nullopt;  // the end
            pos += kChunk;
        }
        return std::nullopt;
    }
};

}  // namespace

core::Result<std::string> MultipartBoundary(std::string_view content_type) {
    if (Lower(content_type).rfind("multipart/form-data", 0) != 0) {
        return Error::Invalid("send the game as multipart/form-data (field 'file')");
    }
    auto b = Param(content_type, "boundary");
    if (!b || b->empty() || b->size() > 200) return Error::Invalid("multipart body without a boundary");
    return *b;
}

core::Result<std::vector<FormPart>> ParseMultipart(std::string_view body, std::string_view boundary) {
    const std::string delimiter = "--" + std::string(boundary);
    std::vector<FormPart> parts;
    auto pos = body.find(delimiter);
    if (pos == std::string_view::npos) return Error::Invalid("multipart body has no parts");
    pos += delimiter.size();
    const std::string next_delimiter = "\r\n" + delimiter;
    for (;;) {
        if (body.substr(pos, 2) == "--") return parts;  // the closing boundary
        if (body.substr(pos, 2) != "\r\n") return Error::Invalid("malformed multipart body");
        pos += 2;
        auto headers_end = body.find("\r\n\r\n", pos);
        if (headers_end == std::string_view::npos) return Error::Invalid("malformed multipart part headers");
        FormPart part;
        if (!ParsePartHeaders(body.substr(pos, headers_end - pos), part)) {
            return Error::Invalid("a multipart part has no name");
        }
        auto data_start = headers_end + 4;
        auto end = body.find(next_delimiter, data_start);
        if (end == std::string_view::npos) {
            return Error::Invalid("multipart body ends early (the upload was cut short?)");
        }
        part.data = body.substr(data_start, end - data_start);
        parts.push_back(std::move(part));
        pos = end + next_delimiter.size();
    }
}

core::Result<std::vector<FilePart>> ParseMultipartFile(const std::filesystem::path& file,
                                                       std::string_view boundary) {
    InFile in(file);
    if (in.fd < 0) return Error::Unavailable(std::string("cannot read the upload: ") + std::strerror(errno));
    const std::string delimiter = "--" + std::string(boundary);
    const std::string next_delimiter = "\r\n" + delimiter;
    auto first = in.Find(delimiter, 0);
    if (!first) return Error::Invalid("multipart body has no parts");
    std::uint64_t pos = *first + delimiter.size();
    std::vector<FilePart> parts;
    for (;;) {
        // A part's headers are short: 16 KB is plenty (more is refused as malformed).
        auto head = in.Read(pos, 16 * 1024);
        if (!head) return Error::Unavailable("cannot read the upload");
        std::string_view h(*head);
        if (h.substr(0, 2) == "--") return parts;  // the closing boundary
        if (h.substr(0, 2) != "\r\n") return Error::Invalid("malformed multipart body");
        auto headers_end = h.find("\r\n\r\n", 2);
        if (headers_end == std::string_view::npos) return Error::Invalid("malformed multipart part headers");
        FilePart part;
        if (!ParsePartHeaders(h.substr(2, headers_end - 2), part)) {
            return Error::Invalid("a multipart part has no name");
        }
        const std::uint64_t data_start = pos + headers_end + 4;
        auto end = in.Find(next_delimiter, data_start);
        if (!end) return Error::Invalid("multipart body ends early (the upload was cut short?)");
        part.offset = data_start;
        part.length = *end - data_start;
        parts.push_back(std::move(part));
        pos = *end + next_delimiter.size();
    }
}

const FilePart* FindPart(const std::vector<FilePart>& parts, std::string_view name) {
    for (const auto& p : parts) {
        if (p.name == name) return &p;
    }
    return nullptr;
}

core::Result<std::string> ReadPart(const std::filesystem::path& file, const FilePart& part,
                                   std::uint64_t max_bytes) {
    if (part.length > max_bytes) {
        return Error{core::ErrorCode::kTooLarge, "field '" + part.name + "' is larger than " +
                                                     std::to_string(max_bytes) + " bytes"};
    }
    InFile in(file);
    auto data = in.fd < 0 ? std::nullopt : in.Read(part.offset, static_cast<std::size_t>(part.length));
    if (!data || data->size() != part.length) return Error::Unavailable("cannot read the upload");
    return *data;
}

core::Status CopyPart(const std::filesystem::path& file, const FilePart& part,
                      const std::filesystem::path& dest) {
    InFile in(file);
    if (in.fd < 0) return Error::Unavailable("cannot read the upload");
    int out = ::open(dest.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (out < 0) return Error::Unavailable(std::string("cannot store the upload: ") + std::strerror(errno));
    loff_t from = static_cast<loff_t>(part.offset);
    std::uint64_t left = part.length;
    while (left > 0) {
        ssize_t n = ::copy_file_range(in.fd, &from, out, nullptr, left, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const std::string why = n < 0 ? std::strerror(errno) : "the upload ended early";
            ::close(out);
            std::error_code ec;
            std::filesystem::remove(dest, ec);
            return Error::Unavailable("cannot store the upload (disk full?): " + why);
        }
        left -= static_cast<std::uint64_t>(n);
    }
    if (::close(out) != 0) {
        std::error_code ec;
        std::filesystem::remove(dest, ec);
        return Error::Unavailable("cannot store the upload (disk full?)");
    }
    return {};
}

const FormPart* FindPart(const std::vector<FormPart>& parts, std::string_view name) {
    for (const auto& p : parts) {
        if (p.name == name) return &p;
    }
    return nullptr;
}

}  // namespace beacon::arcade
