#pragma once
/// The request bodies api/openapi.yaml accepts, by operation: one place where every JSON body
/// the API takes is checked against the contract before a handler sees it. The spec is embedded
/// at build time (scripts/embed_openapi.py), so the server enforces the file it was built with.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/model.hpp"
#include "core/result.hpp"
#include "server/json_schema.hpp"

namespace beacon::server {

/// The spec embedded at build time, as JSON text (generated openapi_spec.cpp).
const std::string& OpenApiSpecJson();

class RequestContract {
public:
    /// One operation's request body.
    struct Body {
        /// The application/json schema; null when the body is not JSON (uploads).
        const core::Json* schema = nullptr;
        /// requestBody.required: an empty body is refused.
        bool required = false;
    };

    RequestContract(RequestContract&&) = default;
    RequestContract& operator=(RequestContract&&) = default;
    RequestContract(const RequestContract&) = delete;  // bodies_ point into spec_
    RequestContract& operator=(const RequestContract&) = delete;

    /// Reads the operations of an OpenAPI document (paths → methods → requestBody).
    static core::Result<RequestContract> FromSpec(core::Json spec);
    /// The contract of the embedded spec, parsed once; thread-safe. Aborts the process when the
    /// embedded spec is not valid (a build defect, caught by the tests).
    static const RequestContract& Embedded();

    /// The body of `method pattern` ("{key+}" is read as "{key}"); nullopt when the spec has no
    /// such operation or the operation declares no request body.
    std::optional<Body> Find(std::string_view method, std::string_view pattern) const;
    /// Checks a request body (its text) for `method pattern`: nullopt when it conforms, or when
    /// the operation takes no JSON body. An empty body passes unless the body is required.
    std::optional<SchemaViolation> Check(std::string_view method, std::string_view pattern,
                                         const std::string& body) const;

    /// Every operation as "METHOD /path".
    std::vector<std::string> Operations() const;
    const core::Json& spec() const { return spec_; }

private:
    RequestContract() = default;

    core::Json spec_;
    std::map<std::string, Body, std::less<>> bodies_;  // "POST /api/v1/generate" → body
    std::vector<std::string> operations_;
};

}  // namespace beacon::server
