#pragma once
/// Built-in scene templates a new world starts from (current-version documents).
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "verse/document.hpp"

namespace beacon::verse {

struct TemplateInfo {
    std::string id;  // "lighthouse-coast", ...
    std::string title;
    std::string description;
};

/// The templates, in the order the editor offers them.
const std::vector<TemplateInfo>& Templates();

/// A new document from a template (title set to `title`); NotFound for an unknown id.
core::Result<Json> MakeTemplate(std::string_view id, std::string_view title);

}  // namespace beacon::verse
