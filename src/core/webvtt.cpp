#include "core/webvtt.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace beacon::core {

std::string VttTime(double seconds) {
    if (!(seconds > 0)) seconds = 0;
    long long ms = std::llround(seconds * 1000.0);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld.%03lld", ms / 3600000, (ms / 60000) % 60,
                  (ms / 1000) % 60, ms % 1000);
    return buf;
}

std::string VttText(const std::string& text) {
    std::string out;
    for (char c : text) {
        if (c == '&') {
            out += "&amp;";
        } else if (c == '<') {
            out += "&lt;";
        } else if (c == '>') {
            out += "&gt;";
        } else if (c == '\r') {
            continue;
        } else if (c == '\n') {
            if (!out.empty() && out.back() != '\n') out += '\n';
        } else {
            out += c;
        }
    }
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    return out;
}

std::string CuesToWebVtt(const std::vector<Cue>& cues, const std::string& header_extra) {
    std::string out = "WEBVTT\n";
    if (!header_extra.empty()) out += header_extra + "\n";
    for (const auto& c : cues) {
        std::string text = VttText(c.text);
        if (text.empty()) continue;
        out += "\n" + VttTime(c.start) + " --> " + VttTime(std::max(c.end, c.start)) + "\n" +
               text + "\n";
    }
    return out;
}

}  // namespace beacon::core
