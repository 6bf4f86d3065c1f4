#pragma once
/// multipart/form-data body parsers (RFC 7578): for bodies held in memory (pure) and for bodies
/// spooled to a file (read in bounded chunks, so a 500 MB upload never sits in memory).
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace beacon::arcade {

struct FormPart {
    std::string name;
    std::optional<std::string> filename;  // set for file fields
    std::string content_type;             // of the part; empty when not given
    std::string_view data;                // points into the parsed body
};

/// The boundary from a Content-Type header ("multipart/form-data; boundary=..."), or an error.
core::Result<std::string> MultipartBoundary(std::string_view content_type);

/// Splits `body` into its parts. Errors (kInvalidArgument) for a missing boundary, a part without
/// a Content-Disposition name, or a body that does not end with the closing boundary.
core::Result<std::vector<FormPart>> ParseMultipart(std::string_view body, std::string_view boundary);

/// The first part named `name`, or null.
const FormPart* FindPart(const std::vector<FormPart>& parts, std::string_view name);

/// A part of a body stored in a file: its data is the byte range [offset, offset + length).
struct FilePart {
    std::string name;
    std::optional<std::string> filename;
    std::string content_type;
    std::uint64_t offset = 0;
    std::uint64_t length = 0;
};

/// Splits the multipart body stored in `file` into its parts (same rules and errors as
/// ParseMultipart), reading it in chunks of 1 MB.
core::Result<std::vector<FilePart>> ParseMultipartFile(const std::filesystem::path& file,
                                                       std::string_view boundary);

/// The first part named `name`, or null.
const FilePart* FindPart(const std::vector<FilePart>& parts, std::string_view name);

/// The data of `part` read from `file`; kTooLarge when it is longer than `max_bytes`.
core::Result<std::string> ReadPart(const std::filesystem::path& file, const FilePart& part,
                                   std::uint64_t max_bytes);

/// Copies the data of `part` into a new file `dest` (in the kernel, no user-space buffer).
core::Status CopyPart(const std::filesystem::path& file, const FilePart& part,
                      const std::filesystem::path& dest);

}  // namespace beacon::arcade
