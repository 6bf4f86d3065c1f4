#pragma once
/// Expected failures as values: Result<T> holds a T or an Error (STYLE.md rule 6).
#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace beacon::core {

/// What kind of failure; maps one-to-one onto an HTTP status in the server.
enum class ErrorCode {
    kInvalidArgument,  // 400: the caller sent something wrong
    kUnauthorized,     // 401
    kForbidden,        // 403
    kNotFound,         // 404
    kConflict,         // 409: state does not allow it (e.g. retry a running job)
    kTooLarge,         // 413
    kRateLimited,      // 429
    kCanceled,         // the work was canceled
    kTimeout,          // a deadline passed
    kUnavailable,      // a dependency (service, file system) is not answering
    kExternal,         // a dependency answered with an error or garbage
    kInternal,         // a bug or an unexpected state
};

std::string_view ToString(ErrorCode code);

/// A failure: code, human message (names the service/URL/cause where one is involved), whether
/// trying again later can succeed, and how long the other side asked us to wait (0 = no advice).
struct Error {
    ErrorCode code = ErrorCode::kInternal;
    std::string message;
    bool retryable = false;
    std::chrono::milliseconds retry_after{0};

    static Error Invalid(std::string m) { return {ErrorCode::kInvalidArgument, std::move(m)}; }
    static Error NotFound(std::string m) { return {ErrorCode::kNotFound, std::move(m)}; }
    static Error Conflict(std::string m) { return {ErrorCode::kConflict, std::move(m)}; }
    static Error Internal(std::string m) { return {ErrorCode::kInternal, std::move(m)}; }
    static Error Canceled(std::string m = "canceled") { return {ErrorCode::kCanceled, std::move(m)}; }
    static Error Unavailable(std::string m, bool retry = true) {
        return {ErrorCode::kUnavailable, std::move(m), retry};
    }
    static Error External(std::string m, bool retry = false) {
        return {ErrorCode::kExternal, std::move(m), retry};
    }
};

/// Holds either a value or an Error. Cheap to move; check ok() before value().
template <class T>
class [[nodiscard]] Result {
public:
    Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
    Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }
    T& value() & { return std::get<0>(v_); }
    const T& value() const& { return std::get<0>(v_); }
    T&& value() && { return std::get<0>(std::move(v_)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &std::get<0>(v_); }
    const T* operator->() const { return &std::get<0>(v_); }
    const Error& error() const& { return std::get<1>(v_); }
    Error&& error() && { return std::get<1>(std::move(v_)); }

private:
    std::variant<T, Error> v_;
};

/// Success without a value, or an Error.
template <>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT
    bool ok() const { return ok_; }
    explicit operator bool() const { return ok_; }
    const Error& error() const& { return error_; }
    Error&& error() && { return std::move(error_); }

private:
    Error error_;
    bool ok_ = true;
};

using Status = Result<void>;

}  // namespace beacon::core

/// Propagates an error from an expression yielding Result<...>: `BEACON_TRY(x, Foo());`
#define BEACON_TRY(var, expr)                                \
    auto var##_result_ = (expr);                             \
    if (!var##_result_.ok()) return std::move(var##_result_).error(); \
    auto var = std::move(var##_result_).value() /* NOLINT(bugprone-macro-parentheses): a name */
/// Propagates an error from a Status expression.
#define BEACON_CHECK(expr)                                  \
    do {                                                    \
        auto beacon_status_ = (expr);                       \
        if (!beacon_status_.ok()) return std::move(beacon_status_).error(); \
    } while (0)
