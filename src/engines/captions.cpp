#include "engines/captions.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <regex>

#include "core/webvtt.hpp"

namespace beacon::engines {

using core::Error;

namespace {

std::string Unescape(std::string s) {
    static const std::regex tags(R"(<[^>]*>)");
    s = std::regex_replace(s, tags, "");
    auto rep = [&](const std::string& from, const std::string& to) {
        for (std::size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size()))
            s.replace(p, from.size(), to);
    };
    rep("&lt;", "<");
    rep("&gt;", ">");
    rep("&nbsp;", " ");
    rep("&amp;", "&");
    return s;
}

bool ParseTime(const std::string& t, double& out) {
    int h = 0, m = 0, s = 0, ms = 0;
    char sep = 0;
    if (std::sscanf(t.c_str(), "%d:%d:%d%c%d", &h, &m, &s, &sep, &ms) == 5 && (sep == '.' || sep == ',')) {
        out = h * 3600.0 + m * 60.0 + s + ms / 1000.0;
        return true;
    }
    if (std::sscanf(t.c_str(), "%d:%d%c%d", &m, &s, &sep, &ms) == 4 && (sep == '.' || sep == ',')) {
        out = m * 60.0 + s + ms / 1000.0;
        return true;
    }
    return false;
}

}  // namespace

std::string FormatVttTime(double seconds) { return core::VttTime(seconds); }

std::string ToWebVtt(const std::vector<Cue>& cues) { return core::CuesToWebVtt(cues); }

core::Result<std::vector<Cue>> ParseWebVtt(std::string_view vtt) {
    std::string doc(vtt);
    doc.erase(std::remove(doc.begin(), doc.end(), '\r'), doc.end());
    if (doc.rfind("\xEF\xBB\xBF", 0) == 0) doc.erase(0, 3);
    if (doc.rfind("WEBVTT", 0) != 0) return Error::Invalid("WebVTT: missing the WEBVTT header");
    std::vector<Cue> cues;
    std::size_t pos = 0;
    std::vector<std::string> lines;
    while (pos <= doc.size()) {
        auto nl = doc.find('\n', pos);
        if (nl == std::string::npos) nl = doc.size();
        lines.push_back(doc.substr(pos, nl - pos));
        pos = nl + 1;
    }
    static const std::regex timing(R"(^\s*([0-9:.,]+)\s+-->\s+([0-9:.,]+))");
    for (std::size_t i = 0; i < lines.size(); ++i) {
        std::smatch m;
        if (!std::regex_search(lines[i], m, timing)) continue;
        Cue c;
        if (!ParseTime(m[1].str(), c.start) || !ParseTime(m[2].str(), c.end)) {
            return Error::Invalid("WebVTT: bad timestamp in '" + lines[i] + "'");
        }
        std::string text;
        for (++i; i < lines.size() && !lines[i].empty(); ++i) {
            if (!text.empty()) text += "\n";
            text += lines[i];
        }
        c.text = Unescape(text);
        cues.push_back(std::move(c));
    }
    return cues;
}

std::vector<Cue> GroupWordsIntoCues(const std::vector<WordTiming>& words, const CueLimits& limits) {
    std::vector<Cue> cues;
    std::vector<std::string> lines;
    std::string line;
    Cue cur;
    bool open = false;
    double last_end = 0;
    auto flush = [&] {
        if (!open) return;
        if (!line.empty()) lines.push_back(line);
        std::string text;
        for (std::size_t i = 0; i < lines.size(); ++i) text += (i ? "\n" : "") + lines[i];
        cur.text = text;
        cues.push_back(cur);
        lines.clear();
        line.clear();
        open = false;
    };
    for (const auto& w : words) {
        if (w.text.empty()) continue;
        double start = std::max(w.start, last_end);
        double end = std::max(w.end, start);
        bool sentence_end = false;
        if (open) {
            bool too_long = end - cur.start > limits.max_cue_seconds;
            bool gap = start - cur.end > limits.max_gap_seconds;
            bool fits_line = line.empty() || line.size() + 1 + w.text.size() <= limits.max_line_chars;
            bool room_for_line = static_cast<int>(lines.size()) + 1 < limits.max_lines;
            if (too_long || gap || (!fits_line && !room_for_line)) {
                flush();
            } else if (!fits_line) {
                lines.push_back(line);
                line.clear();
            }
        }
        if (!open) {
            cur = Cue{start, end, ""};
            open = true;
        }
        line += (line.empty() ? "" : " ") + w.text;
        cur.end = end;
        last_end = end;
        char back = w.text.back();
        sentence_end = back == '.' || back == '!' || back == '?';
        // A sentence end closes the cue when the cue is already reasonably full.
        if (sentence_end && (lines.size() + (line.empty() ? 0 : 1) >= 2 || line.size() > limits.max_line_chars / 2)) {
            flush();
        }
    }
    flush();
    return cues;
}

Result<CaptionResult> ExactCaptionEngine::Caption(const CaptionRequest& req, std::stop_token stop) {
    if (stop.stop_requested()) return Error::Canceled();
    if (req.words.empty()) {
        return Error::Invalid(
            "exact captions need the voice engine's word timings, and none were given; configure a "
            "Whisper server for recognised captions");
    }
    CaptionResult out;
    out.cues = GroupWordsIntoCues(req.words, limits_);
    out.provenance = Describe();
    out.provenance.parameters = {{"language", req.language},
                                 {"max_line_chars", limits_.max_line_chars},
                                 {"max_cue_seconds", limits_.max_cue_seconds}};
    return out;
}

Provenance ExactCaptionEngine::Describe() const {
    return Provenance{"exact-captions", "word-timings", Json::object(), true};
}

}  // namespace beacon::engines
