#pragma once
/// Safe extraction of an uploaded HTML5 game bundle (a zip). Every entry is checked while the
/// archive streams (names, types, sizes, a running total and a running ratio against the
/// archive's size), so a hostile archive is refused before it can fill the disk, and nothing of
/// it is kept: on failure the destination folder is removed.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace beacon::arcade {

/// Bundle limits (itch.io's published zip limits by default).
struct ExtractLimits {
    std::size_t max_files = 1000;        // entries, directories included
    std::size_t max_path_chars = 240;    // characters (UTF-8 code points) of one entry's path
    std::uint64_t max_total_bytes = 500ull << 20;  // all files extracted, bytes
    std::uint64_t max_file_bytes = 200ull << 20;   // one file extracted, bytes
    /// Bytes extracted so far may not exceed max_ratio × the archive's size (zip bombs) once
    /// past ratio_free_bytes (small bundles of text compress well and are harmless).
    std::uint64_t max_ratio = 100;
    std::uint64_t ratio_free_bytes = 1ull << 20;
};

/// One entry as the archive describes it (the input of CheckEntry).
struct EntryInfo {
    std::string name;          // as stored (UTF-8)
    bool is_directory = false;
    bool is_regular = true;    // false: symlink, device, fifo...
    bool is_symlink = false;
    bool is_hardlink = false;
    bool encrypted = false;
    std::optional<std::uint64_t> declared_size;
};

/// The normalised relative path of an entry name ("a/./b/" → "a/b"), or why it is refused:
/// empty, absolute ("/x", "C:x", "\\\\server"), backslashes, "..", control characters, invalid
/// UTF-8, or longer than `max_chars` characters.
core::Result<std::string> NormalizeEntryPath(std::string_view name, std::size_t max_chars);

/// The entry's normalised path, or a 4xx error (kInvalidArgument / kTooLarge) saying why it is
/// refused. Pure: no file system.
core::Result<std::string> CheckEntry(const EntryInfo& entry, const ExtractLimits& limits);

/// The case-folded key used to find duplicate names ("Index.HTML" and "index.html" collide: they
/// would on case-insensitive file systems and confuse players).
std::string DuplicateKey(std::string_view normalized_path);

struct ExtractedFile {
    std::string path;  // normalised, relative to the destination
    std::uint64_t bytes = 0;
};

struct ExtractReport {
    std::vector<ExtractedFile> files;  // regular files only, in archive order
    std::uint64_t total_bytes = 0;
};

/// Extracts the zip at `archive` into `dest`, which must not exist yet (it is created). Refuses
/// with a clear message (kInvalidArgument → 400, kTooLarge → 413) and removes `dest` on any
/// failure: not a zip, a hostile name, a link, an encrypted entry, a duplicate, too many files,
/// a file or total over the limits, a ratio over the limit. Files are written 0644 with
/// O_EXCL|O_NOFOLLOW beneath `dest` only. Does not check the entry file (see FindEntry).
core::Result<ExtractReport> ExtractZip(const std::filesystem::path& archive,
                                       const std::filesystem::path& dest,
                                       const ExtractLimits& limits);

/// Where the game starts: `entry` (normalised) when it exists as a file under `root`. When the
/// bundle wraps everything in one top folder (a zipped folder), that folder's `entry` is found
/// too and the answer is the folder to serve from plus the entry inside it.
struct EntryLocation {
    std::filesystem::path root;  // the folder to serve
    std::string entry;           // relative to root
};
core::Result<EntryLocation> FindEntry(const std::filesystem::path& root, std::string_view entry);

}  // namespace beacon::arcade
