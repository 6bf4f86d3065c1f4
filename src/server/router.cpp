#include "server/router.hpp"

namespace beacon::server {

std::vector<std::string> SplitPath(std::string_view path) {
    std::vector<std::string> out;
    if (!path.empty() && path.front() == '/') path.remove_prefix(1);
    while (true) {
        auto slash = path.find('/');
        out.emplace_back(path.substr(0, slash));
        if (slash == std::string_view::npos) break;
        path.remove_prefix(slash + 1);
    }
    return out;
}

std::optional<std::vector<PatternSegment>> ParsePattern(std::string_view pattern) {
    if (pattern.empty() || pattern.front() != '/') return std::nullopt;
    std::vector<PatternSegment> out;
    auto segments = SplitPath(pattern);
    for (std::size_t i = 0; i < segments.size(); ++i) {
        const std::string& s = segments[i];
        PatternSegment seg;
        auto open = s.find('{');
        if (open == std::string::npos) {
            if (s.find('}') != std::string::npos) return std::nullopt;
            seg.prefix = s;
        } else {
            auto close = s.find('}', open);
            if (close == std::string::npos || s.find('{', open + 1) != std::string::npos ||
                s.find('}', close + 1) != std::string::npos) {
                return std::nullopt;
            }
            seg.prefix = s.substr(0, open);
            seg.name = s.substr(open + 1, close - open - 1);
            seg.suffix = s.substr(close + 1);
            if (!seg.name.empty() && seg.name.back() == '+') {
                seg.name.pop_back();
                seg.rest = true;
                if (i + 1 != segments.size() || !seg.prefix.empty() || !seg.suffix.empty()) {
                    return std::nullopt;
                }
            }
            if (seg.name.empty()) return std::nullopt;
        }
        out.push_back(std::move(seg));
    }
    return out;
}

int MatchPattern(const std::vector<PatternSegment>& pattern,
                 const std::vector<std::string>& segments, PathParams& params) {
    int score = 0;
    std::size_t i = 0;
    for (; i < pattern.size(); ++i) {
        const auto& p = pattern[i];
        if (p.rest) {
            if (i >= segments.size()) return -1;
            std::string joined;
            for (std::size_t k = i; k < segments.size(); ++k) {
                if (segments[k].empty()) return -1;
                if (k > i) joined += '/';
                joined += segments[k];
            }
            params[p.name] = std::move(joined);
            return score;
        }
        if (i >= segments.size()) return -1;
        const std::string& s = segments[i];
        if (p.name.empty()) {
            if (s != p.prefix) return -1;
            score += static_cast<int>(p.prefix.size()) + 1;
            continue;
        }
        if (s.size() <= p.prefix.size() + p.suffix.size()) return -1;
        if (s.compare(0, p.prefix.size(), p.prefix) != 0) return -1;
        if (s.compare(s.size() - p.suffix.size(), p.suffix.size(), p.suffix) != 0) return -1;
        params[p.name] = s.substr(p.prefix.size(), s.size() - p.prefix.size() - p.suffix.size());
        score += static_cast<int>(p.prefix.size() + p.suffix.size());
    }
    return i == segments.size() ? score : -1;
}

}  // namespace beacon::server
