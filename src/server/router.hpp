#pragma once
/// A small HTTP router: method + path pattern → handler. Pure (no I/O); thread-safe for
/// concurrent Match calls once routes are added.
///
/// Pattern syntax, per '/'-separated segment:
///   literal            matches exactly
///   {name}             matches one non-empty segment
///   pre{name}suf       matches one segment with that prefix and suffix (non-empty middle)
///   {name+}            last segment only: matches the rest of the path (one or more segments,
///                      joined with '/')
#include <algorithm>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace beacon::server {

using PathParams = std::map<std::string, std::string, std::less<>>;

/// Splits a path ("/a/b/") into segments ("a", "b", ""); the leading '/' is dropped.
std::vector<std::string> SplitPath(std::string_view path);

/// One parsed pattern segment.
struct PatternSegment {
    std::string prefix;   // literal text (the whole segment when name is empty)
    std::string name;     // parameter name; empty for a literal segment
    std::string suffix;
    bool rest = false;    // {name+}
};

/// Parses a pattern; returns nullopt when it is malformed.
std::optional<std::vector<PatternSegment>> ParsePattern(std::string_view pattern);

/// Matches decoded path segments against a parsed pattern, filling params. Returns the number of
/// literal characters matched (a specificity score) or -1 when it does not match.
int MatchPattern(const std::vector<PatternSegment>& pattern,
                 const std::vector<std::string>& segments, PathParams& params);

template <class Handler>
class Router {
public:
    struct Route {
        std::string method;   // "GET", "POST", ...
        std::string pattern;  // as registered
        std::vector<PatternSegment> parsed;
        Handler handler;
        // Cheap checks before MatchPattern (set by Add): a path with another number of
        // segments, or another first segment, cannot match.
        bool rest = false;             // ends with {name+}: at least parsed.size() segments
        std::string first_literal;     // the first segment when it is a plain literal
        bool first_is_literal = false;
    };

    /// Registers a route. Returns false when the pattern is malformed or already registered for
    /// that method.
    bool Add(std::string method, std::string pattern, Handler handler) {
        auto parsed = ParsePattern(pattern);
        if (!parsed) return false;
        for (const auto& r : routes_) {
            if (r.method == method && r.pattern == pattern) return false;
        }
        Route route{std::move(method), std::move(pattern), std::move(*parsed), std::move(handler)};
        route.rest = !route.parsed.empty() && route.parsed.back().rest;
        if (!route.parsed.empty() && route.parsed.front().name.empty() &&
            !route.parsed.front().rest) {
            route.first_is_literal = true;
            route.first_literal = route.parsed.front().prefix;
        }
        routes_.push_back(std::move(route));
        return true;
    }

    struct Match {
        const Route* route = nullptr;        // set when a route matched path and method
        PathParams params;
        std::vector<std::string> allowed;    // methods the path supports (for 405), sorted
        bool path_matched = false;           // some route matched the path
    };

    /// Finds the most specific route for method + decoded segments. HEAD matches GET routes.
    Match Find(std::string_view method, const std::vector<std::string>& segments) const {
        Match m;
        int best = -1;
        for (const auto& r : routes_) {
            if (r.rest ? segments.size() < r.parsed.size() : segments.size() != r.parsed.size()) {
                continue;
            }
            if (r.first_is_literal && (segments.empty() || segments.front() != r.first_literal)) {
                continue;
            }
            PathParams params;
            int score = MatchPattern(r.parsed, segments, params);
            if (score < 0) continue;
            m.path_matched = true;
            if (std::find(m.allowed.begin(), m.allowed.end(), r.method) == m.allowed.end()) {
                m.allowed.push_back(r.method);
            }
            bool method_ok = r.method == method || (method == "HEAD" && r.method == "GET");
            if (method_ok && score > best) {
                best = score;
                m.route = &r;
                m.params = std::move(params);
            }
        }
        std::sort(m.allowed.begin(), m.allowed.end());
        return m;
    }

    const std::vector<Route>& routes() const { return routes_; }

private:
    std::vector<Route> routes_;
};

}  // namespace beacon::server
