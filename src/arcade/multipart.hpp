#pragma once
/// A multipart/form-data body parser (RFC 7578) for uploads held in memory. Pure.
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

}  // namespace beacon::arcade
