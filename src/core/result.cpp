#include "core/result.hpp"

namespace beacon::core {

std::string_view ToString(ErrorCode code) {
    switch (code) {
        case ErrorCode::kInvalidArgument: return "invalid_argument";
        case ErrorCode::kUnauthorized: return "unauthorized";
        case ErrorCode::kForbidden: return "forbidden";
        case ErrorCode::kNotFound: return "not_found";
        case ErrorCode::kConflict: return "conflict";
        case ErrorCode::kTooLarge: return "too_large";
        case ErrorCode::kRateLimited: return "rate_limited";
        case ErrorCode::kCanceled: return "canceled";
        case ErrorCode::kTimeout: return "timeout";
        case ErrorCode::kUnavailable: return "unavailable";
        case ErrorCode::kExternal: return "external_error";
        case ErrorCode::kInternal: return "internal";
    }
    return "internal";
}

}  // namespace beacon::core
