#pragma once
/// Internal: request reading and validation shared by the API's handler files (api_*.cpp).
/// Every reader answers a value or an Error naming the field or parameter at fault (400).
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "core/model.hpp"
#include "core/result.hpp"
#include "server/http_types.hpp"

namespace beacon::server::api_detail {

inline constexpr std::string_view kSessionCookie = "beacon_session";
/// The largest page a list route answers (?limit=).
inline constexpr int kMaxLimit = 200;

/// Compact JSON; invalid UTF-8 replaced rather than thrown.
std::string Dump(const core::Json& j);
/// Parses the body as a JSON object. An empty body is `{}` when allowed.
core::Result<core::Json> BodyObject(const Request& req, bool empty_ok = false);
/// An error naming the first field of `body` not in `known`.
core::Status OnlyFields(const core::Json& body, std::initializer_list<std::string_view> known);
/// Code points in a UTF-8 string.
std::size_t Utf8Chars(const std::string& s);
/// A string field: absent → nullopt; wrong type or length → error naming it.
core::Result<std::optional<std::string>> OptString(const core::Json& body, const char* name,
                                                   std::size_t min_chars, std::size_t max_chars);
core::Result<std::optional<bool>> OptBool(const core::Json& body, const char* name);
/// A positive integer id field; 0 when absent and not required.
core::Result<std::int64_t> IdField(const core::Json& body, const char* name, bool required);
/// A positive integer path parameter.
core::Result<std::int64_t> PathId(const Request& req, const char* name = "id");
/// ?name= as an integer in [min, max]; `def` when absent.
core::Result<std::int64_t> QueryInt(const Request& req, const char* name, std::int64_t def,
                                    std::int64_t min, std::int64_t max);
/// ?name=true|false|1|0; nullopt when absent.
core::Result<std::optional<bool>> QueryBool(const Request& req, const char* name);
/// An object-store key a client may ask for under /media (no dot segments, a small alphabet).
bool ValidMediaKey(std::string_view key);
/// Anything but GET, HEAD and OPTIONS.
bool IsStateChanging(std::string_view method);
/// Checks the body of a request routed to `pattern` against api/openapi.yaml's schema for that
/// operation (RequestContract::Embedded): a 400 reply
/// {"error":{"code":"invalid_argument","message":...,"field":"items[3].prompt"}} naming the
/// field at fault, or nullopt when it conforms or the operation takes no JSON body.
std::optional<Reply> CheckBodyAgainstContract(const Request& req, std::string_view pattern);

/// Reads ?limit= (1..kMaxLimit, default 50) and ?offset= (default 0) into a query struct.
template <class Query>
core::Status ReadPaging(const Request& req, Query& q) {
    auto limit = QueryInt(req, "limit", 50, 1, kMaxLimit);
    if (!limit.ok()) return limit.error();
    auto offset = QueryInt(req, "offset", 0, 0, std::numeric_limits<std::int64_t>::max());
    if (!offset.ok()) return offset.error();
    q.limit = static_cast<int>(*limit);
    q.offset = *offset;
    return {};
}

/// {"items":[...],"total","limit","offset"} for a page of rows.
template <class Page, class Query>
core::Json PageJson(const Page& page, const Query& q) {
    core::Json items = core::Json::array();
    for (const auto& row : page.items) items.push_back(core::ToJson(row));
    return {{"items", items}, {"total", page.total}, {"limit", q.limit}, {"offset", q.offset}};
}

}  // namespace beacon::server::api_detail
