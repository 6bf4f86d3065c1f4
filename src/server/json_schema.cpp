#include "server/json_schema.hpp"

#include <cmath>
#include <map>
#include <memory>
#include <mutex>
#include <regex>
#include <set>
#include <string_view>

namespace beacon::server {

using core::Json;

namespace {

/// Longest string a `pattern` is matched against (std::regex recurses per character).
constexpr std::size_t kMaxPatternSubject = 4096;
/// $ref chains longer than this are a cycle.
constexpr int kMaxRefDepth = 32;

std::size_t CodePoints(const std::string& s) {
    std::size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
}

/// Resolves "#/a/b" (JSON Pointer, ~0 ~1 escapes) in root; null when it does not resolve.
const Json* Resolve(const Json& root, const std::string& ref) {
    if (!ref.starts_with("#")) return nullptr;
    try {
        const Json& target = root.at(Json::json_pointer(ref.substr(1)));
        return &target;
    } catch (const Json::exception&) {
        return nullptr;
    }
}

const std::regex* Compiled(const std::string& pattern) {
    static std::mutex mu;
    static std::map<std::string, std::unique_ptr<std::regex>, std::less<>> cache;
    std::lock_guard lock(mu);
    auto it = cache.find(pattern);
    if (it == cache.end()) {
        std::unique_ptr<std::regex> re;
        try {
            re = std::make_unique<std::regex>(pattern, std::regex::ECMAScript);
        } catch (const std::regex_error&) {
            re = nullptr;  // a bad pattern in the spec: UnsupportedSchemaKeywords reports it
        }
        it = cache.emplace(pattern, std::move(re)).first;
    }
    return it->second.get();
}

std::string Describe(const std::string& field) {
    return field.empty() ? "the request body" : "field '" + field + "'";
}

std::string Article(std::string_view type) {
    if (type == "string") return "a string";
    if (type == "integer") return "an integer";
    if (type == "number") return "a number";
    if (type == "boolean") return "true or false";
    if (type == "object") return "a JSON object";
    if (type == "array") return "an array";
    if (type == "null") return "null";
    return std::string(type);
}

bool HasType(const Json& v, std::string_view type) {
    if (type == "string") return v.is_string();
    if (type == "integer") return v.is_number_integer();
    if (type == "number") return v.is_number();
    if (type == "boolean") return v.is_boolean();
    if (type == "object") return v.is_object();
    if (type == "array") return v.is_array();
    if (type == "null") return v.is_null();
    return false;
}

std::string NumberText(const Json& n) {
    if (n.is_number_integer()) return n.dump();
    double d = n.get<double>();
    if (std::floor(d) == d && std::fabs(d) < 1e15) return std::to_string(static_cast<long long>(d));
    return n.dump();
}

std::string Child(const std::string& field, const std::string& key) {
    return field.empty() ? key : field + "." + key;
}

class Validator {
public:
    explicit Validator(const Json& root) : root_(root) {}

    std::optional<SchemaViolation> Check(const Json& s, const Json& v, const std::string& field,
                                         int depth) const {
        if (s.is_boolean()) {
            if (s.get<bool>()) return std::nullopt;
            return Fail(field, Describe(field) + " is not allowed");
        }
        if (!s.is_object()) return std::nullopt;
        if (auto ref = s.find("$ref"); ref != s.end() && ref->is_string()) {
            const Json* target = Resolve(root_, ref->get<std::string>());
            if (!target || depth > kMaxRefDepth) {
                return Fail(field, "the API contract's schema for " + Describe(field) +
                                       " cannot be resolved (" + ref->get<std::string>() + ")");
            }
            if (auto bad = Check(*target, v, field, depth + 1)) return bad;
        }
        if (auto t = s.find("type"); t != s.end()) {
            bool ok = false;
            std::string wanted;
            auto one = [&](const Json& name) {
                if (!name.is_string()) return;
                const std::string n = name.get<std::string>();
                ok = ok || HasType(v, n);
                if (n != "null") wanted += (wanted.empty() ? "" : " or ") + Article(n);
            };
            if (t->is_array()) {
                for (const auto& n : *t) one(n);
            } else {
                one(*t);
            }
            if (!ok) return Fail(field, Describe(field) + " must be " + wanted);
        }
        if (auto c = s.find("const"); c != s.end() && v != *c) {
            return Fail(field, Describe(field) + " must be " + c->dump());
        }
        if (auto e = s.find("enum"); e != s.end() && e->is_array()) {
            bool found = false;
            std::string names;
            for (const auto& option : *e) {
                found = found || option == v;
                names += (names.empty() ? "" : ", ") +
                         (option.is_string() ? option.get<std::string>() : option.dump());
            }
            if (!found) return Fail(field, Describe(field) + " must be one of " + names);
        }
        if (v.is_string()) {
            if (auto bad = CheckString(s, v.get<std::string>(), field)) return bad;
        } else if (v.is_number()) {
            if (auto bad = CheckNumber(s, v, field)) return bad;
        } else if (v.is_array()) {
            if (auto bad = CheckArray(s, v, field, depth)) return bad;
        } else if (v.is_object()) {
            if (auto bad = CheckObject(s, v, field, depth)) return bad;
        }
        if (auto all = s.find("allOf"); all != s.end() && all->is_array()) {
            for (const auto& sub : *all) {
                if (auto bad = Check(sub, v, field, depth + 1)) return bad;
            }
        }
        if (auto any = s.find("anyOf"); any != s.end() && any->is_array()) {
            if (auto bad = CheckAlternatives(*any, v, field, depth, false)) return bad;
        }
        if (auto one = s.find("oneOf"); one != s.end() && one->is_array()) {
            if (auto bad = CheckAlternatives(*one, v, field, depth, true)) return bad;
        }
        return std::nullopt;
    }

private:
    static std::optional<SchemaViolation> Fail(const std::string& field, std::string message) {
        return SchemaViolation{field, std::move(message)};
    }

    std::optional<SchemaViolation> CheckString(const Json& s, const std::string& str,
                                               const std::string& field) const {
        const std::size_t n = CodePoints(str);
        if (auto m = s.find("minLength");
            m != s.end() && m->is_number_unsigned() && n < m->get<std::size_t>()) {
            if (m->get<std::size_t>() == 1)
                return Fail(field, Describe(field) + " must not be empty");
            return Fail(field, Describe(field) + " must be at least " + m->dump() + " characters");
        }
        if (auto m = s.find("maxLength");
            m != s.end() && m->is_number_unsigned() && n > m->get<std::size_t>()) {
            return Fail(field, Describe(field) + " is longer than " + m->dump() + " characters");
        }
        if (auto p = s.find("pattern"); p != s.end() && p->is_string()) {
            const std::regex* re = Compiled(p->get<std::string>());
            if (!re || str.size() > kMaxPatternSubject || !std::regex_search(str, *re)) {
                return Fail(field, Describe(field) + " must match " + p->get<std::string>());
            }
        }
        return std::nullopt;
    }

    static std::optional<SchemaViolation> CheckNumber(const Json& s, const Json& v,
                                                      const std::string& field) {
        const double d = v.get<double>();
        if (auto m = s.find("minimum"); m != s.end() && m->is_number() && d < m->get<double>()) {
            return Fail(field, Describe(field) + " must be at least " + NumberText(*m));
        }
        if (auto m = s.find("maximum"); m != s.end() && m->is_number() && d > m->get<double>()) {
            return Fail(field, Describe(field) + " must be at most " + NumberText(*m));
        }
        if (auto m = s.find("exclusiveMinimum");
            m != s.end() && m->is_number() && d <= m->get<double>()) {
            return Fail(field, Describe(field) + " must be more than " + NumberText(*m));
        }
        if (auto m = s.find("exclusiveMaximum");
            m != s.end() && m->is_number() && d >= m->get<double>()) {
            return Fail(field, Describe(field) + " must be less than " + NumberText(*m));
        }
        return std::nullopt;
    }

    std::optional<SchemaViolation> CheckArray(const Json& s, const Json& v,
                                              const std::string& field, int depth) const {
        if (auto m = s.find("minItems");
            m != s.end() && m->is_number_unsigned() && v.size() < m->get<std::size_t>()) {
            return Fail(field, Describe(field) + " must have at least " + m->dump() +
                                   (m->get<std::size_t>() == 1 ? " item" : " items"));
        }
        if (auto m = s.find("maxItems");
            m != s.end() && m->is_number_unsigned() && v.size() > m->get<std::size_t>()) {
            return Fail(field, Describe(field) + " must have at most " + m->dump() +
                                   (m->get<std::size_t>() == 1 ? " item" : " items"));
        }
        if (auto items = s.find("items"); items != s.end()) {
            for (std::size_t i = 0; i < v.size(); ++i) {
                if (auto bad =
                        Check(*items, v[i], field + "[" + std::to_string(i) + "]", depth + 1)) {
                    return bad;
                }
            }
        }
        return std::nullopt;
    }

    std::optional<SchemaViolation> CheckObject(const Json& s, const Json& v,
                                               const std::string& field, int depth) const {
        if (auto req = s.find("required"); req != s.end() && req->is_array()) {
            for (const auto& name : *req) {
                if (name.is_string() && !v.contains(name.get<std::string>())) {
                    return Fail(Child(field, name.get<std::string>()),
                                Describe(Child(field, name.get<std::string>())) + " is required");
                }
            }
        }
        const auto props = s.find("properties");
        const bool has_props = props != s.end() && props->is_object();
        const auto extra = s.find("additionalProperties");
        for (const auto& [key, value] : v.items()) {
            const std::string where = Child(field, key.substr(0, 100));
            if (has_props) {
                if (auto p = props->find(key); p != props->end()) {
                    if (auto bad = Check(*p, value, where, depth + 1)) return bad;
                    continue;
                }
            }
            if (extra == s.end()) continue;
            if (extra->is_boolean() && !extra->get<bool>()) {
                return Fail(where, "unknown field '" + where + "'");
            }
            if (auto bad = Check(*extra, value, where, depth + 1)) return bad;
        }
        return std::nullopt;
    }

    /// anyOf (one_only false) or oneOf. When no branch fits, the error of the branch whose
    /// own type fits the value best is reported, so the field named is the one to fix.
    std::optional<SchemaViolation> CheckAlternatives(const Json& branches, const Json& v,
                                                     const std::string& field, int depth,
                                                     bool one_only) const {
        int matched = 0;
        std::optional<SchemaViolation> closest;
        for (const auto& b : branches) {
            auto bad = Check(b, v, field, depth + 1);
            if (!bad) {
                ++matched;
                continue;
            }
            // A failure deeper than the value itself: the branch's shape was right.
            if (!closest || (closest->field == field && bad->field != field)) closest = bad;
        }
        if (matched == 0) {
            if (closest && closest->field != field) return closest;
            return Fail(field, Describe(field) + " matches none of the allowed forms" +
                                   (closest ? " (" + closest->message + ")" : ""));
        }
        if (one_only && matched > 1) {
            return Fail(field, Describe(field) + " matches more than one of the allowed forms");
        }
        return std::nullopt;
    }

    const Json& root_;
};

const std::set<std::string, std::less<>>& Checked() {
    static const std::set<std::string, std::less<>> k = {"$ref",
                                                         "type",
                                                         "properties",
                                                         "required",
                                                         "additionalProperties",
                                                         "items",
                                                         "minItems",
                                                         "maxItems",
                                                         "minLength",
                                                         "maxLength",
                                                         "minimum",
                                                         "maximum",
                                                         "exclusiveMinimum",
                                                         "exclusiveMaximum",
                                                         "enum",
                                                         "const",
                                                         "pattern",
                                                         "oneOf",
                                                         "anyOf",
                                                         "allOf"};
    return k;
}

const std::set<std::string, std::less<>>& Annotations() {
    static const std::set<std::string, std::less<>> k = {
        "description", "default",  "format",    "example",       "examples", "title",
        "deprecated",  "readOnly", "writeOnly", "discriminator", "$comment", "contentMediaType"};
    return k;
}

void Collect(const Json& s, const Json& root, const std::string& path, int depth,
             std::set<std::string>& seen_refs, std::vector<std::string>& out) {
    if (!s.is_object() || depth > kMaxRefDepth) return;
    for (const auto& [k, v] : s.items()) {
        if (k.starts_with("x-")) continue;
        if (!Checked().contains(k) && !Annotations().contains(k)) out.push_back(path + ": " + k);
    }
    if (auto ref = s.find("$ref"); ref != s.end()) {
        const std::string r = ref->is_string() ? ref->get<std::string>() : std::string();
        const Json* target = Resolve(root, r);
        if (!target) {
            out.push_back(path + ": $ref " + r + " does not resolve");
        } else if (seen_refs.insert(r).second) {
            Collect(*target, root, r, depth + 1, seen_refs, out);
        }
    }
    if (auto p = s.find("pattern");
        p != s.end() && (!p->is_string() || !Compiled(p->get<std::string>()))) {
        out.push_back(path + ": pattern " + p->dump() + " is not an ECMAScript regex");
    }
    if (auto props = s.find("properties"); props != s.end() && props->is_object()) {
        for (const auto& [k, v] : props->items()) {
            Collect(v, root, path + "/properties/" + k, depth + 1, seen_refs, out);
        }
    }
    for (const char* key : {"items", "additionalProperties"}) {
        if (auto sub = s.find(key); sub != s.end()) {
            Collect(*sub, root, path + "/" + key, depth + 1, seen_refs, out);
        }
    }
    for (const char* key : {"oneOf", "anyOf", "allOf"}) {
        if (auto subs = s.find(key); subs != s.end() && subs->is_array()) {
            for (std::size_t i = 0; i < subs->size(); ++i) {
                Collect((*subs)[i], root, path + "/" + key + "/" + std::to_string(i), depth + 1,
                        seen_refs, out);
            }
        }
    }
}

}  // namespace

std::optional<SchemaViolation> ValidateJson(const Json& schema, const Json& instance,
                                            const Json& root) {
    return Validator(root).Check(schema, instance, "", 0);
}

std::vector<std::string> UnsupportedSchemaKeywords(const Json& schema, const Json& root) {
    std::vector<std::string> out;
    std::set<std::string> seen_refs;
    Collect(schema, root, "#", 0, seen_refs, out);
    return out;
}

}  // namespace beacon::server
