#include "server/api_validation.hpp"

#include <algorithm>

#include "server/http_util.hpp"
#include "server/request_contract.hpp"

namespace beacon::server::api_detail {

using core::Json;

std::string Dump(const Json& j) {
    return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

/// Parses the body as a JSON object. An empty body is `{}` when allowed.
core::Result<Json> BodyObject(const Request& req, bool empty_ok) {
    const std::string& body = req.msg.body();
    if (body.find_first_not_of(" \t\r\n") == std::string::npos) {
        if (empty_ok) return Json::object();
        return core::Error::Invalid("the request body must be a JSON object");
    }
    Json j;
    std::string last_key;  // the field being parsed, to name it in an error
    Json::parser_callback_t track = [&last_key](int, Json::parse_event_t event, Json& parsed) {
        if (event == Json::parse_event_t::key && parsed.is_string()) {
            last_key = parsed.get<std::string>();
        }
        return true;
    };
    try {
        j = Json::parse(body, track);
    } catch (const Json::parse_error& e) {
        std::string what = e.what();
        auto pos = what.find("] ");
        if (pos != std::string::npos) what = what.substr(pos + 2);
        return core::Error::Invalid("malformed JSON body: " + what);
    } catch (const Json::out_of_range&) {  // e.g. 1e309 or a 400-digit integer
        if (last_key.empty()) return core::Error::Invalid("a number in the body is out of range");
        return core::Error::Invalid("field '" + last_key.substr(0, 100) +
                                    "' holds a number out of range");
    }
    if (!j.is_object()) return core::Error::Invalid("the request body must be a JSON object");
    return j;
}

core::Status OnlyFields(const Json& body, std::initializer_list<std::string_view> known) {
    for (const auto& [k, _] : body.items()) {
        if (std::find(known.begin(), known.end(), k) == known.end()) {
            return core::Error::Invalid("unknown field '" + k + "'");
        }
    }
    return {};
}

std::size_t Utf8Chars(const std::string& s) {
    std::size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
}

/// A string field: absent → nullopt; wrong type or length → error naming it.
core::Result<std::optional<std::string>> OptString(const Json& body, const char* name,
                                                   std::size_t min_chars, std::size_t max_chars) {
    auto it = body.find(name);
    if (it == body.end()) return std::optional<std::string>();
    if (!it->is_string()) return core::Error::Invalid(std::string("field '") + name + "' must be a string");
    std::string v = it->get<std::string>();
    std::size_t n = Utf8Chars(v);
    if (n < min_chars) {
        return core::Error::Invalid(std::string("field '") + name + "' must not be empty");
    }
    if (n > max_chars) {
        return core::Error::Invalid(std::string("field '") + name + "' is longer than " +
                                    std::to_string(max_chars) + " characters");
    }
    return std::optional<std::string>(std::move(v));
}

core::Result<std::optional<bool>> OptBool(const Json& body, const char* name) {
    auto it = body.find(name);
    if (it == body.end()) return std::optional<bool>();
    if (!it->is_boolean()) {
        return core::Error::Invalid(std::string("field '") + name + "' must be true or false");
    }
    return std::optional<bool>(it->get<bool>());
}

core::Result<std::int64_t> IdField(const Json& body, const char* name, bool required) {
    auto it = body.find(name);
    if (it == body.end()) {
        if (required) return core::Error::Invalid(std::string("field '") + name + "' is required");
        return std::int64_t{0};
    }
    if (!it->is_number_integer() || it->get<std::int64_t>() <= 0) {
        return core::Error::Invalid(std::string("field '") + name + "' must be a positive integer id");
    }
    return it->get<std::int64_t>();
}

core::Result<std::int64_t> PathId(const Request& req, const char* name) {
    auto it = req.params.find(name);
    auto v = it == req.params.end() ? std::nullopt : ParsePositiveId(it->second);
    if (!v) return core::Error::Invalid(std::string("path parameter '") + name +
                                        "' must be a positive integer");
    return *v;
}

core::Result<std::int64_t> QueryInt(const Request& req, const char* name, std::int64_t def,
                                    std::int64_t min, std::int64_t max) {
    if (!req.HasQuery(name)) return def;
    auto v = ParseInt64(req.Query(name));
    if (!v || *v < min || *v > max) {
        return core::Error::Invalid(std::string("query parameter '") + name +
                                    "' must be an integer from " + std::to_string(min) + " to " +
                                    std::to_string(max));
    }
    return *v;
}

core::Result<std::optional<bool>> QueryBool(const Request& req, const char* name) {
    if (!req.HasQuery(name)) return std::optional<bool>();
    std::string v = req.Query(name);
    if (v == "true" || v == "1") return std::optional<bool>(true);
    if (v == "false" || v == "0") return std::optional<bool>(false);
    return core::Error::Invalid(std::string("query parameter '") + name + "' must be true or false");
}

bool ValidMediaKey(std::string_view key) {
    if (key.empty() || key.size() > 1024) return false;
    for (char c : key) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '/' || c == '.' ||
                  c == '_' || c == '-';
        if (!ok) return false;
    }
    for (const auto& seg : SplitPath("/" + std::string(key))) {
        if (seg.empty() || seg == "." || seg == ".." || seg.front() == '.') return false;
    }
    return true;
}

bool IsStateChanging(std::string_view method) {
    return method != "GET" && method != "HEAD" && method != "OPTIONS";
}

std::optional<Reply> CheckBodyAgainstContract(const Request& req, std::string_view pattern) {
    auto bad = RequestContract::Embedded().Check(req.method, pattern, req.msg.body());
    if (!bad) return std::nullopt;
    Json error = {{"code", "invalid_argument"}, {"message", bad->message}};
    if (!bad->field.empty()) error["field"] = bad->field;
    Reply r;
    r.status = 400;
    r.body = Dump(Json{{"error", std::move(error)}});
    r.AddHeader("Cache-Control", "no-store");
    return r;
}

}  // namespace beacon::server::api_detail
