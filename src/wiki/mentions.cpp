#include "wiki/mentions.hpp"

#include <algorithm>
#include <cctype>
#include <set>

namespace beacon::wiki {

namespace {

bool IsWordChar(unsigned char c) { return std::isalnum(c) || c >= 0x80; }

/// Positions where `needle` (already folded) occurs in `hay` (already folded) as whole words.
std::vector<std::size_t> FindWords(std::string_view hay, std::string_view needle) {
    std::vector<std::size_t> at;
    if (needle.empty()) return at;
    std::size_t pos = 0;
    while ((pos = hay.find(needle, pos)) != std::string_view::npos) {
        const bool left_ok = pos == 0 || !IsWordChar(static_cast<unsigned char>(hay[pos - 1]));
        const std::size_t end = pos + needle.size();
        bool right_ok = end == hay.size() || !IsWordChar(static_cast<unsigned char>(hay[end]));
        if (!right_ok && hay.substr(end, 2) == "'s" &&
            (end + 2 == hay.size() || !IsWordChar(static_cast<unsigned char>(hay[end + 2])))) {
            right_ok = true;
        }
        if (left_ok && right_ok) at.push_back(pos);
        pos += 1;
    }
    return at;
}

/// Sorts spans and merges those that overlap or touch.
std::vector<Span> Merged(std::vector<Span> spans) {
    std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) {
        return a.start < b.start;
    });
    std::vector<Span> out;
    for (const auto& s : spans) {
        if (!out.empty() && s.start <= out.back().end + 1e-6) {
            out.back().end = std::max(out.back().end, s.end);
        } else {
            out.push_back(s);
        }
    }
    return out;
}

}  // namespace

std::string FoldName(std::string_view s) {
    std::string out;
    bool space = false;
    for (char ch : s) {
        unsigned char c = static_cast<unsigned char>(ch);
        if (c == '_' || std::isspace(c)) {
            space = !out.empty();
            continue;
        }
        if (space) out += ' ';
        space = false;
        out += static_cast<char>(std::tolower(c));
    }
    return out;
}

std::vector<Span> FindMentionSpans(std::string_view entity, const std::vector<TimedText>& pieces) {
    std::vector<Span> spans;
    const std::string needle = FoldName(entity);
    if (needle.empty()) return spans;
    std::vector<std::string> folded;
    folded.reserve(pieces.size());
    for (const auto& p : pieces) folded.push_back(FoldName(p.text));
    for (std::size_t i = 0; i < pieces.size(); ++i) {
        if (!FindWords(folded[i], needle).empty()) {
            spans.push_back({pieces[i].start, pieces[i].end});
        }
        if (i + 1 < pieces.size()) {
            // A mention cut by a cue break: found in the joined text, starting in piece i and
            // ending in piece i + 1.
            const std::string joined = folded[i] + " " + folded[i + 1];
            for (std::size_t at : FindWords(joined, needle)) {
                if (at < folded[i].size() && at + needle.size() > folded[i].size()) {
                    spans.push_back({pieces[i].start, pieces[i + 1].end});
                }
            }
        }
    }
    return Merged(std::move(spans));
}

std::vector<std::string> ContextWords(std::string_view text) {
    static const std::set<std::string, std::less<>> kStop = {
        "the", "and", "for", "with", "that", "this", "from", "was", "were", "are", "its", "his",
        "her", "their", "has", "have", "had", "not", "but", "into", "onto", "than", "then",
        "there", "which", "who", "what", "when", "where", "also", "may", "refer", "other", "such",
        "one", "two", "all", "any", "can", "our", "you", "your", "they", "them", "been", "being",
        "about", "over", "under", "after", "before", "most", "more", "very", "only", "some"};
    std::vector<std::string> words;
    std::string cur;
    auto flush = [&] {
        if (cur.size() >= 3 && !kStop.contains(cur)) {
            if (cur.size() > 4 && cur.back() == 's' && cur[cur.size() - 2] != 's') cur.pop_back();
            words.push_back(cur);
        }
        cur.clear();
    };
    for (char ch : text) {
        unsigned char c = static_cast<unsigned char>(ch);
        if (IsWordChar(c)) {
            cur += static_cast<char>(std::tolower(c));
        } else {
            flush();
        }
    }
    flush();
    std::sort(words.begin(), words.end());
    words.erase(std::unique(words.begin(), words.end()), words.end());
    return words;
}

}  // namespace beacon::wiki
