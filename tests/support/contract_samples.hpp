#pragma once
/// Bodies built from api/openapi.yaml's request schemas, for contract tests: a body that
/// conforms, and for each property a copy of it where that one property is broken (wrong type,
/// too long, unknown, missing), with the field the server must name in its 400.
#include <string>
#include <vector>

#include "server/request_contract.hpp"

namespace beacon::testing {

/// One schema, resolved through $ref (and the first branch of oneOf/anyOf, allOf merged).
inline core::Json ResolvedSchema(const core::Json& s, const core::Json& root, int depth = 0) {
    if (!s.is_object() || depth > 16) return s;
    if (auto ref = s.find("$ref"); ref != s.end()) {
        return ResolvedSchema(root.at(core::Json::json_pointer(ref->get<std::string>().substr(1))),
                              root, depth + 1);
    }
    if (auto one = s.find("oneOf"); one != s.end() && !s.contains("type")) {
        return ResolvedSchema(one->at(0), root, depth + 1);
    }
    if (auto one = s.find("anyOf"); one != s.end() && !s.contains("type")) {
        return ResolvedSchema(one->at(0), root, depth + 1);
    }
    return s;
}

/// A value that conforms to `s` (for the subset the spec uses).
inline core::Json SampleValue(const core::Json& schema, const core::Json& root, int depth = 0) {
    const core::Json s = ResolvedSchema(schema, root);
    if (!s.is_object() || depth > 8) return nullptr;
    if (s.contains("const")) return s["const"];
    if (s.contains("enum")) return s["enum"].at(0);
    if (s.contains("default") && !s["default"].is_null()) return s["default"];
    std::string type = "object";
    if (auto t = s.find("type"); t != s.end())
        type = t->is_array() ? (*t)[0].get<std::string>() : t->get<std::string>();
    if (type == "string") {
        if (s.contains("pattern")) {
            for (const char* guess : {"en", "abc", "main", "a1"}) {
                if (!server::ValidateJson(s, guess, root)) return guess;
            }
        }
        return std::string(std::max<std::size_t>(s.value("minLength", 1u), 1u), 'a');
    }
    if (type == "integer") return s.contains("minimum") ? s["minimum"].get<std::int64_t>() + 0 : 1;
    if (type == "number") return s.contains("minimum") ? s["minimum"].get<double>() : 1.0;
    if (type == "boolean") return true;
    if (type == "array") {
        core::Json a = core::Json::array();
        const std::size_t n = std::max<std::size_t>(s.value("minItems", 0u), 1u);
        const core::Json items = s.value("items", core::Json::object());
        for (std::size_t i = 0; i < n; ++i) a.push_back(SampleValue(items, root, depth + 1));
        return a;
    }
    if (type == "null") return nullptr;
    core::Json o = core::Json::object();
    const core::Json required = s.value("required", core::Json::array());
    const core::Json props = s.value("properties", core::Json::object());
    for (const auto& name : required) {
        o[name.get<std::string>()] =
            props.contains(name) ? SampleValue(props[name.get<std::string>()], root, depth + 1)
                                 : core::Json("a");
    }
    return o;
}

/// A value of the wrong type for `s`.
inline core::Json WrongType(const core::Json& schema, const core::Json& root) {
    const core::Json s = ResolvedSchema(schema, root);
    std::string type =
        s.contains("type") && s["type"].is_string() ? s["type"].get<std::string>() : "";
    if (type == "string") return 12345;
    if (type == "integer" || type == "number" || type == "boolean" || type == "array")
        return "not-this-type";
    return core::Json::array({1, 2});  // objects, oneOf forms and the rest
}

struct BrokenBody {
    std::string what;  // "wrong type", "unknown field", "missing"
    core::Json body;
    std::string field;  // the field the 400 must name
};

/// For an object schema: a conforming body broken one way at a time.
inline std::vector<BrokenBody> BrokenBodies(const core::Json& schema, const core::Json& root) {
    std::vector<BrokenBody> out;
    const core::Json s = ResolvedSchema(schema, root);
    if (!s.is_object() || s.value("type", "object") != "object") return out;
    const core::Json valid = SampleValue(s, root);
    const core::Json props = s.value("properties", core::Json::object());
    const core::Json required = s.value("required", core::Json::array());
    for (const auto& [name, prop] : props.items()) {
        const core::Json p = ResolvedSchema(prop, root);
        if (p.is_object() && p.empty()) continue;  // {}: anything goes
        core::Json b = valid;
        b[name] = WrongType(prop, root);
        out.push_back({"wrong type", b, name});
        if (p.contains("maxLength") && p.value("type", "") == "string") {
            core::Json l = valid;
            l[name] = std::string(p["maxLength"].get<std::size_t>() + 1, 'a');
            out.push_back({"too long", l, name});
        }
    }
    if (s.contains("additionalProperties") && s["additionalProperties"] == false) {
        core::Json b = valid;
        b["zz_not_in_the_contract"] = 1;
        out.push_back({"unknown field", b, "zz_not_in_the_contract"});
    }
    for (const auto& name : required) {
        core::Json b = valid;
        b.erase(name.get<std::string>());
        out.push_back({"missing", b, name.get<std::string>()});
    }
    return out;
}

}  // namespace beacon::testing
