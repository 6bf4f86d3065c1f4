#include "server/request_contract.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>

namespace beacon::server {

using core::Json;

namespace {

std::string Key(std::string_view method, std::string_view pattern) {
    std::string key(method);
    std::transform(key.begin(), key.end(), key.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    key += ' ';
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        if (pattern[i] == '+' && i + 1 < pattern.size() && pattern[i + 1] == '}') continue;
        key += pattern[i];
    }
    return key;
}

/// The error of a body that is not JSON, naming the field being read when the parser knew it.
SchemaViolation Unparsable(const std::string& body) {
    std::string last_key;
    Json::parser_callback_t track = [&last_key](int, Json::parse_event_t event, Json& parsed) {
        if (event == Json::parse_event_t::key && parsed.is_string()) {
            last_key = parsed.get<std::string>();
        }
        return true;
    };
    try {
        [[maybe_unused]] const Json parsed = Json::parse(body, track);
    } catch (const Json::parse_error& e) {
        std::string what = e.what();
        auto pos = what.find("] ");
        if (pos != std::string::npos) what = what.substr(pos + 2);
        return {"", "malformed JSON body: " + what};
    } catch (const Json::out_of_range&) {  // e.g. 1e309 or a 400-digit integer
        if (last_key.empty()) return {"", "a number in the body is out of range"};
        last_key = last_key.substr(0, 100);
        return {last_key, "field '" + last_key + "' holds a number out of range"};
    }
    return {"", "malformed JSON body"};
}

}  // namespace

core::Result<RequestContract> RequestContract::FromSpec(Json spec) {
    RequestContract c;
    c.spec_ = std::move(spec);
    auto paths = c.spec_.find("paths");
    if (paths == c.spec_.end() || !paths->is_object()) {
        return core::Error::Invalid("the OpenAPI document has no paths");
    }
    for (const auto& [path, item] : paths->items()) {
        if (!item.is_object()) continue;
        for (const auto& [method, op] : item.items()) {
            if (method != "get" && method != "put" && method != "post" && method != "delete" &&
                method != "patch") {
                continue;
            }
            const std::string key = Key(method, path);
            c.operations_.push_back(key);
            auto rb = op.find("requestBody");
            if (rb == op.end()) continue;
            const Json* body = &*rb;
            if (auto ref = body->find("$ref"); ref != body->end() && ref->is_string()) {
                try {
                    body = &c.spec_.at(Json::json_pointer(ref->get<std::string>().substr(1)));
                } catch (const Json::exception&) {
                    return core::Error::Invalid(key + ": requestBody $ref does not resolve");
                }
            }
            Body b;
            b.required = body->value("required", false);
            if (auto content = body->find("content"); content != body->end()) {
                if (auto json = content->find("application/json");
                    json != content->end() && json->contains("schema")) {
                    b.schema = &(*json)["schema"];
                }
            }
            c.bodies_[key] = b;
        }
    }
    std::sort(c.operations_.begin(), c.operations_.end());
    return c;
}

const RequestContract& RequestContract::Embedded() {
    static const RequestContract kContract = [] {
        auto spec = Json::parse(OpenApiSpecJson(), nullptr, false);
        auto c = FromSpec(std::move(spec));
        if (!c.ok()) {
            std::fprintf(stderr, "beacon: internal error: embedded OpenAPI spec: %s\n",
                         c.error().message.c_str());
            std::abort();
        }
        return std::move(*c);
    }();
    return kContract;
}

std::optional<RequestContract::Body> RequestContract::Find(std::string_view method,
                                                           std::string_view pattern) const {
    auto it = bodies_.find(Key(method, pattern));
    if (it == bodies_.end()) return std::nullopt;
    return it->second;
}

std::optional<SchemaViolation> RequestContract::Check(std::string_view method,
                                                      std::string_view pattern,
                                                      const std::string& body) const {
    auto b = Find(method, pattern);
    if (!b || !b->schema) return std::nullopt;
    if (body.find_first_not_of(" \t\r\n") == std::string::npos) {
        if (!b->required) return std::nullopt;
        return SchemaViolation{"", "the request body must be a JSON object"};
    }
    Json value = Json::parse(body, nullptr, false);
    if (value.is_discarded()) return Unparsable(body);
    return ValidateJson(*b->schema, value, spec_);
}

std::vector<std::string> RequestContract::Operations() const { return operations_; }

}  // namespace beacon::server
