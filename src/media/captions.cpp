#include "media/captions.hpp"

#include <cmath>
#include <cstdio>

namespace beacon::media {

std::string ChaptersToWebVtt(const std::vector<Chapter>& chapters) {
    std::string out = "WEBVTT\n";
    for (std::size_t i = 0; i < chapters.size(); ++i) {
        out += "\n" + std::to_string(i + 1) + "\n" + VttTime(chapters[i].start) + " --> " +
               VttTime(chapters[i].end) + "\n" + VttText(chapters[i].title) + "\n";
    }
    return out;
}

namespace {
std::string MetaEscape(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '=' || c == ';' || c == '#' || c == '\\' || c == '\n') out += '\\';
        out += c;
    }
    return out;
}
}  // namespace

std::string ChaptersToFfmetadata(const std::string& title, const std::vector<Chapter>& chapters) {
    std::string out = ";FFMETADATA1\n";
    if (!title.empty()) out += "title=" + MetaEscape(title) + "\n";
    for (const auto& c : chapters) {
        out += "[CHAPTER]\nTIMEBASE=1/1000\nSTART=" + std::to_string(std::llround(c.start * 1000)) +
               "\nEND=" + std::to_string(std::llround(c.end * 1000)) +
               "\ntitle=" + MetaEscape(c.title) + "\n";
    }
    return out;
}

std::vector<Cue> GroupWords(const std::vector<Word>& words, int max_words, double max_gap) {
    std::vector<Cue> cues;
    Cue cur;
    int count = 0;
    auto flush = [&] {
        if (count > 0) cues.push_back(cur);
        cur = Cue{};
        count = 0;
    };
    for (const auto& w : words) {
        if (w.text.empty()) continue;
        if (count > 0 && (count >= max_words || w.start - cur.end > max_gap)) flush();
        if (count == 0) {
            cur.start = w.start;
            cur.text = w.text;
        } else {
            cur.text += " " + w.text;
        }
        cur.end = std::max(w.end, cur.start);
        ++count;
        char last = w.text.back();
        if (last == '.' || last == '!' || last == '?') flush();
    }
    flush();
    for (std::size_t i = 0; i + 1 < cues.size(); ++i) {
        if (cues[i].end > cues[i + 1].start) cues[i].end = cues[i + 1].start;
    }
    return cues;
}

}  // namespace beacon::media
