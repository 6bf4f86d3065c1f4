#include "arcade/extract.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include <locale.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <set>
#include <stdexcept>
#include <system_error>

namespace beacon::arcade {

namespace fs = std::filesystem;
using core::Error;
using core::ErrorCode;

namespace {

Error TooLarge(std::string m) { return {ErrorCode::kTooLarge, std::move(m)}; }

/// Code points in `s`, or nullopt when it is not valid UTF-8 (overlong forms and surrogates
/// included).
std::optional<std::size_t> Utf8Length(std::string_view s) {
    std::size_t count = 0;
    for (std::size_t i = 0; i < s.size(); ++count) {
        auto c = static_cast<unsigned char>(s[i]);
        std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
        if (n == 0 || i + n > s.size()) return std::nullopt;
        std::uint32_t cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
        for (std::size_t k = 1; k < n; ++k) {
            auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc >> 6) != 0x2) return std::nullopt;
            cp = (cp << 6) | (cc & 0x3F);
        }
        static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
        i += n;
    }
    return count;
}

std::string Quote(std::string_view name) {
    std::string out = "\"";
    for (char c : name.substr(0, 120)) {
        auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7F) {
            static constexpr char kHex[] = "0123456789abcdef";
            out += "\\x";
            out += kHex[u >> 4];
            out += kHex[u & 0xF];
        } else {
            out += c;
        }
    }
    if (name.size() > 120) out += "...";
    return out + "\"";
}

struct ArchiveDeleter {
    void operator()(archive* a) const { archive_read_free(a); }
};

/// Closes a descriptor on scope exit.
struct Fd {
    int fd = -1;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

core::Status WriteAll(int fd, const void* data, std::size_t size, std::int64_t offset) {
    const char* p = static_cast<const char*>(data);
    while (size > 0) {
        ssize_t n = ::pwrite(fd, p, size, offset);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return Error::Unavailable(std::string("cannot write a game file: ") +
                                              std::strerror(errno));
        p += n;
        size -= static_cast<std::size_t>(n);
        offset += n;
    }
    return {};
}

}  // namespace

core::Result<std::string> NormalizeEntryPath(std::string_view name, std::size_t max_chars) {
    if (name.empty()) return Error::Invalid("an entry has an empty name");
    auto length = Utf8Length(name);
    if (!length) return Error::Invalid("entry " + Quote(name) + " has a name that is not UTF-8");
    if (*length > max_chars) {
        return Error::Invalid("entry " + Quote(name) + " has a path longer than " +
                              std::to_string(max_chars) + " characters");
    }
    for (char c : name) {
        auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7F) {
            return Error::Invalid("entry " + Quote(name) + " has a control character in its name");
        }
        if (c == '\\') {
            return Error::Invalid("entry " + Quote(name) +
                                  " has a backslash in its name (paths use '/')");
        }
        if (c == ':') {
            return Error::Invalid("entry " + Quote(name) +
                                  " has a ':' in its name (drive letters are not allowed)");
        }
    }
    if (name.front() == '/') {
        return Error::Invalid("entry " + Quote(name) + " has an absolute path");
    }
    std::string out;
    std::size_t start = 0;
    while (start <= name.size()) {
        auto end = name.find('/', start);
        if (end == std::string_view::npos) end = name.size();
        auto segment = name.substr(start, end - start);
        start = end + 1;
        if (segment.empty() || segment == ".") continue;
        if (segment == "..") {
            return Error::Invalid("entry " + Quote(name) + " climbs out of the game folder (\"..\")");
        }
        if (!out.empty()) out += '/';
        out += segment;
    }
    if (out.empty()) return Error::Invalid("entry " + Quote(name) + " names no file");
    return out;
}

core::Result<std::string> CheckEntry(const EntryInfo& entry, const ExtractLimits& limits) {
    if (entry.is_symlink) {
        return Error::Invalid("entry " + Quote(entry.name) + " is a symbolic link; links are not allowed");
    }
    if (entry.is_hardlink) {
        return Error::Invalid("entry " + Quote(entry.name) + " is a hard link; links are not allowed");
    }
    if (!entry.is_directory && !entry.is_regular) {
        return Error::Invalid("entry " + Quote(entry.name) + " is not a regular file or folder");
    }
    if (entry.encrypted) {
        return Error::Invalid("entry " + Quote(entry.name) +
                              " is encrypted; upload a zip without a password");
    }
    BEACON_TRY(path, NormalizeEntryPath(entry.name, limits.max_path_chars));
    if (entry.declared_size && *entry.declared_size > limits.max_file_bytes) {
        return TooLarge("entry " + Quote(entry.name) + " is larger than the per-file limit of " +
                        std::to_string(limits.max_file_bytes) + " bytes");
    }
    return path;
}

std::string DuplicateKey(std::string_view normalized_path) {
    // Canonical caseless matching (Unicode 3.13): NFC, full case folding, NFC again, so that
    // "é" precomposed (U+00E9) and decomposed (e + U+0301), or "Straße" and "STRASSE", collide.
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
    if (U_FAILURE(status)) throw std::runtime_error("ICU: no NFC normaliser");
    icu::UnicodeString s = icu::UnicodeString::fromUTF8(
        icu::StringPiece(normalized_path.data(), static_cast<std::int32_t>(normalized_path.size())));
    icu::UnicodeString folded = nfc->normalize(s, status);
    folded.foldCase();
    folded = nfc->normalize(folded, status);
    if (U_FAILURE(status)) throw std::runtime_error("ICU: cannot normalise a name");
    std::string key;
    folded.toUTF8String(key);
    return key;
}

namespace {

/// Makes this thread's character set UTF-8 while it lives: libarchive converts entry names to
/// the current locale, and in the "C" locale (a service without LANG) a non-ASCII name would
/// come out empty.
struct Utf8ThreadLocale {
    locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr));
    locale_t previous = utf8 ? uselocale(utf8) : nullptr;
    ~Utf8ThreadLocale() {
        if (!utf8) return;
        uselocale(previous);
        freelocale(utf8);
    }
};

core::Result<ExtractReport> ExtractInto(const fs::path& archive_path, const fs::path& dest,
                                        const ExtractLimits& limits) {
    Utf8ThreadLocale utf8_names;
    std::error_code ec;
    const auto archive_bytes = fs::file_size(archive_path, ec);
    if (ec) return Error::Invalid("cannot read the uploaded file: " + ec.message());
    if (archive_bytes == 0) return Error::Invalid("the upload is empty (0 bytes), not a zip archive");
    const std::uint64_t ratio_budget =
        std::max(limits.ratio_free_bytes, limits.max_ratio * archive_bytes);

    std::unique_ptr<archive, ArchiveDeleter> a(archive_read_new());
    if (!a) return Error::Internal("libarchive: out of memory");
    // Only zip, read through its central directory (what unzip tools trust).
    archive_read_support_format_zip_seekable(a.get());
    if (archive_read_open_filename(a.get(), archive_path.c_str(), 64 * 1024) != ARCHIVE_OK) {
        return Error::Invalid(std::string("the upload is not a zip archive (") +
                              (archive_error_string(a.get()) ? archive_error_string(a.get()) : "unreadable") +
                              ")");
    }

    ExtractReport report;
    std::set<std::string> file_keys, dir_keys;
    std::size_t entries = 0;
    std::vector<char> scratch;
    for (;;) {
        archive_entry* e = nullptr;
        int r = archive_read_next_header(a.get(), &e);
        if (r == ARCHIVE_EOF) break;
        if (r < ARCHIVE_WARN) {
            return Error::Invalid(std::string("the zip archive is damaged: ") +
                                  (archive_error_string(a.get()) ? archive_error_string(a.get()) : "unreadable"));
        }
        if (++entries > limits.max_files) {
            return TooLarge("the bundle has more than " + std::to_string(limits.max_files) +
                            " files");
        }
        EntryInfo info;
        const char* utf8 = archive_entry_pathname_utf8(e);
        const char* raw = archive_entry_pathname(e);
        info.name = utf8 ? utf8 : raw ? raw : "";
        const auto type = archive_entry_filetype(e);
        info.is_directory = type == AE_IFDIR;
        info.is_regular = type == AE_IFREG;
        info.is_symlink = type == AE_IFLNK || archive_entry_symlink(e) != nullptr;
        info.is_hardlink = archive_entry_hardlink(e) != nullptr;
        info.encrypted = archive_entry_is_encrypted(e) != 0;
        if (archive_entry_size_is_set(e) && archive_entry_size(e) >= 0) {
            info.declared_size = static_cast<std::uint64_t>(archive_entry_size(e));
        }
        BEACON_TRY(path, CheckEntry(info, limits));
        const std::string key = DuplicateKey(path);
        // Every folder above the entry must not be a file already.
        for (auto slash = key.find('/'); slash != std::string::npos; slash = key.find('/', slash + 1)) {
            auto prefix = key.substr(0, slash);
            if (file_keys.count(prefix)) {
                return Error::Invalid("entry " + Quote(info.name) + " lies inside \"" + prefix +
                                      "\", which is a file");
            }
            dir_keys.insert(prefix);
        }
        if (info.is_directory) {
            if (file_keys.count(key)) {
                return Error::Invalid("entry " + Quote(info.name) + " is both a file and a folder");
            }
            dir_keys.insert(key);
            fs::create_directories(dest / path, ec);
            if (ec) return Error::Unavailable("cannot create a game folder: " + ec.message());
            continue;
        }
        if (file_keys.count(key) || dir_keys.count(key)) {
            return Error::Invalid("entry " + Quote(info.name) +
                                  " is a duplicate name (names are compared after removing "
                                  "'./', in Unicode NFC and ignoring case)");
        }
        file_keys.insert(key);

        const fs::path target = dest / path;
        fs::create_directories(target.parent_path(), ec);
        if (ec) return Error::Unavailable("cannot create a game folder: " + ec.message());
        Fd out{::open(target.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644)};
        if (out.fd < 0) {
            return Error::Unavailable("cannot create game file " + Quote(path) + ": " +
                                      std::strerror(errno));
        }
        std::uint64_t written = 0;
        for (;;) {
            const void* block = nullptr;
            std::size_t size = 0;
            la_int64_t offset = 0;
            int rr = archive_read_data_block(a.get(), &block, &size, &offset);
            if (rr == ARCHIVE_EOF) break;
            if (rr < ARCHIVE_WARN) {
                const char* why = archive_error_string(a.get());
                return Error::Invalid("cannot extract " + Quote(info.name) + ": " +
                                      (why ? why : "damaged data"));
            }
            if (offset < 0) return Error::Invalid("entry " + Quote(info.name) + " is damaged");
            const std::uint64_t end = static_cast<std::uint64_t>(offset) + size;
            const std::uint64_t grown = end > written ? end - written : 0;
            if (end > limits.max_file_bytes) {
                return TooLarge("entry " + Quote(info.name) + " is larger than the per-file limit of " +
                                std::to_string(limits.max_file_bytes) + " bytes");
            }
            if (report.total_bytes + grown > limits.max_total_bytes) {
                return TooLarge("the bundle extracts to more than " +
                                std::to_string(limits.max_total_bytes) + " bytes");
            }
            if (report.total_bytes + grown > ratio_budget) {
                return TooLarge("the bundle expands more than " + std::to_string(limits.max_ratio) +
                                " times its size (a zip bomb?)");
            }
            BEACON_CHECK(WriteAll(out.fd, block, size, offset));
            report.total_bytes += grown;
            written = std::max(written, end);
        }
        if (info.declared_size && written != *info.declared_size) {
            return Error::Invalid("entry " + Quote(info.name) + " is damaged (its size is not the declared one)");
        }
        report.files.push_back({path, written});
    }
    return report;
}

}  // namespace

core::Result<ExtractReport> ExtractZip(const fs::path& archive, const fs::path& dest,
                                       const ExtractLimits& limits) {
    std::error_code ec;
    if (fs::exists(fs::symlink_status(dest, ec))) {
        return Error::Internal("extraction folder " + dest.string() + " exists already");
    }
    if (!fs::create_directories(dest, ec) || ec) {
        return Error::Unavailable("cannot create " + dest.string() + ": " + ec.message());
    }
    auto report = ExtractInto(archive, dest, limits);
    if (!report.ok()) fs::remove_all(dest, ec);
    return report;
}

core::Result<EntryLocation> FindEntry(const fs::path& root, std::string_view entry) {
    BEACON_TRY(rel, NormalizeEntryPath(entry, 240));
    std::error_code ec;
    if (fs::is_regular_file(fs::symlink_status(root / rel, ec))) return EntryLocation{root, rel};
    // A zipped folder: one top folder and nothing else.
    fs::path only;
    int count = 0;
    for (const auto& d : fs::directory_iterator(root, ec)) {
        ++count;
        only = d.path();
    }
    if (count == 1 && fs::is_directory(fs::symlink_status(only, ec)) &&
        fs::is_regular_file(fs::symlink_status(only / rel, ec))) {
        return EntryLocation{only, rel};
    }
    return Error::Invalid("the bundle has no entry file \"" + rel +
                          "\" at its top (set 'entry' to the page that starts the game)");
}

}  // namespace beacon::arcade
