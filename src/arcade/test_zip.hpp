#pragma once
/// Test support: writes zip archives (good and hostile) with libarchive's writer, so that the
/// hostile corpus is built by the tests and never committed.
#include <archive.h>
#include <archive_entry.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace beacon::arcade::testing {

class ZipWriter {
public:
    /// format: "zip" (default) or "tar" (for a tar renamed .zip). `options` are libarchive
    /// writer options, e.g. "zip:encryption=zipcrypt".
    explicit ZipWriter(const std::filesystem::path& path, const std::string& format = "zip",
                       const std::string& options = "", const std::string& passphrase = "")
        : a_(archive_write_new()) {
        if (format == "tar") {
            archive_write_set_format_pax_restricted(a_);
        } else {
            archive_write_set_format_zip(a_);
        }
        if (!options.empty()) Check(archive_write_set_options(a_, options.c_str()));
        if (!passphrase.empty()) Check(archive_write_set_passphrase(a_, passphrase.c_str()));
        Check(archive_write_open_filename(a_, path.c_str()));
    }
    ~ZipWriter() {
        if (a_) Close();
    }
    ZipWriter(const ZipWriter&) = delete;
    ZipWriter& operator=(const ZipWriter&) = delete;

    ZipWriter& File(const std::string& name, const std::string& content) {
        Entry(name, AE_IFREG, content.size(), [&] {
            if (!content.empty()) archive_write_data(a_, content.data(), content.size());
        });
        return *this;
    }
    /// A file of `size` zero bytes written in chunks (compresses about 1000:1).
    ZipWriter& Zeros(const std::string& name, std::uint64_t size) {
        Entry(name, AE_IFREG, size, [&] {
            std::string chunk(1 << 20, '\0');
            for (std::uint64_t left = size; left > 0;) {
                auto n = std::min<std::uint64_t>(left, chunk.size());
                archive_write_data(a_, chunk.data(), n);
                left -= n;
            }
        });
        return *this;
    }
    ZipWriter& Directory(const std::string& name) {
        Entry(name, AE_IFDIR, 0, [] {});
        return *this;
    }
    ZipWriter& Symlink(const std::string& name, const std::string& target) {
        archive_entry* e = archive_entry_new();
        archive_entry_set_pathname(e, name.c_str());
        archive_entry_set_filetype(e, AE_IFLNK);
        archive_entry_set_perm(e, 0777);
        archive_entry_set_symlink(e, target.c_str());
        Check(archive_write_header(a_, e));
        archive_entry_free(e);
        return *this;
    }
    ZipWriter& Hardlink(const std::string& name, const std::string& target) {
        archive_entry* e = archive_entry_new();
        archive_entry_set_pathname(e, name.c_str());
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        archive_entry_set_hardlink(e, target.c_str());
        archive_entry_set_size(e, 0);
        Check(archive_write_header(a_, e));
        archive_entry_free(e);
        return *this;
    }
    void Close() {
        archive_write_close(a_);
        archive_write_free(a_);
        a_ = nullptr;
    }

private:
    template <class F>
    void Entry(const std::string& name, unsigned type, std::uint64_t size, F body) {
        archive_entry* e = archive_entry_new();
        archive_entry_set_pathname(e, name.c_str());
        archive_entry_set_filetype(e, type);
        archive_entry_set_perm(e, type == AE_IFDIR ? 0755 : 0644);
        archive_entry_set_size(e, static_cast<la_int64_t>(size));
        Check(archive_write_header(a_, e));
        body();
        archive_entry_free(e);
    }
    void Check(int r) {
        if (r < ARCHIVE_WARN) {
            throw std::runtime_error(std::string("libarchive writer: ") +
                                     (archive_error_string(a_) ? archive_error_string(a_) : "?"));
        }
    }
    archive* a_;
};

}  // namespace beacon::arcade::testing
