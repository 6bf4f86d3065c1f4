#pragma once
/// A JSON Schema validator for the subset api/openapi.yaml uses (OpenAPI 3.1 / draft 2020-12):
/// type (one or a list), properties, required, additionalProperties (false or a schema), items,
/// minItems, maxItems, minLength, maxLength (code points), minimum, maximum, exclusiveMinimum,
/// exclusiveMaximum, enum, const, pattern (ECMAScript), oneOf, anyOf, allOf and local $ref
/// ("#/..."). Annotations (description, default, format, example, title, deprecated, readOnly,
/// writeOnly, discriminator, x-*) are ignored. Pure; thread-safe (compiled patterns are cached
/// behind a mutex).
#include <optional>
#include <string>
#include <vector>

#include "core/model.hpp"

namespace beacon::server {

/// The first place where an instance breaks its schema.
struct SchemaViolation {
    /// Where, as a client names it: "" for the whole body, "title", "items[3].prompt".
    std::string field;
    /// In words, naming the field: "field 'items[3].prompt' is longer than 4000 characters".
    std::string message;
};

/// Checks `instance` against `schema`; `root` is the document that local $refs point into.
/// nullopt when it conforms.
std::optional<SchemaViolation> ValidateJson(const core::Json& schema, const core::Json& instance,
                                            const core::Json& root);

/// Keywords in `schema` (and the schemas it holds or refers to) that ValidateJson neither checks
/// nor knows as annotations, as "path: keyword". Empty when every constraint will be enforced.
std::vector<std::string> UnsupportedSchemaKeywords(const core::Json& schema,
                                                   const core::Json& root);

}  // namespace beacon::server
