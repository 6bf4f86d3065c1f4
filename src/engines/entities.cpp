#include "engines/entities.hpp"

#include <algorithm>
#include <cctype>
#include <set>

namespace beacon::engines {

namespace {

bool IsUpperStart(const std::string& w) {
    return !w.empty() && std::isupper(static_cast<unsigned char>(w[0]));
}

bool IsAcronym(const std::string& w) {
    if (w.size() < 2) return false;
    int letters = 0;
    for (unsigned char c : w) {
        if (std::isalpha(c)) {
            if (!std::isupper(c)) return false;
            ++letters;
        } else if (!std::isdigit(c) && c != '&' && c != '.') {
            return false;
        }
    }
    return letters >= 2;
}

std::string Lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

const std::set<std::string>& StopList() {
    static const std::set<std::string> s = {
        "a", "an", "the", "this", "that", "these", "those", "it", "its", "he", "she", "they", "we",
        "i", "you", "his", "her", "their", "our", "my", "your", "there", "here", "then", "when",
        "while", "where", "what", "who", "why", "how", "and", "but", "or", "so", "yet", "if",
        "in", "on", "at", "by", "for", "from", "with", "of", "to", "as", "after", "before",
        "during", "once", "every", "each", "all", "some", "many", "most", "no", "not", "now",
        "today", "tomorrow", "yesterday", "yes", "hello", "look", "see", "meanwhile", "finally",
        "first", "next", "later", "below", "above", "closer", "scene", "wide", "medium", "close",
        "shot", "close-up", "camera", "narrator", "monday", "tuesday", "wednesday", "thursday",
        "friday", "saturday", "sunday", "stay", "hold", "something", "everything", "nothing",
        "time", "one", "two", "three", "ok", "okay", "still", "just", "even", "also", "only"};
    return s;
}

const std::set<std::string>& Connectors() {
    static const std::set<std::string> s = {"of", "de", "la", "le", "von", "van", "da", "del",
                                            "the", "and", "y", "du", "der"};
    return s;
}

}  // namespace

std::vector<std::string> ExtractEntitiesHeuristic(const std::string& text) {
    struct Tok {
        std::string word;
        bool sentence_start;
        bool ends_phrase;  // punctuation after the word breaks a run
    };
    std::vector<Tok> toks;
    bool start = true;
    std::string cur;
    auto push = [&](bool ends) {
        if (cur.empty()) return;
        std::string w = cur;
        cur.clear();
        // Strip leading quotes/brackets and trailing punctuation; note the break.
        while (!w.empty() && !std::isalnum(static_cast<unsigned char>(w.front()))) w.erase(0, 1);
        bool brk = ends;
        bool sentence_end = false;
        while (!w.empty() && !std::isalnum(static_cast<unsigned char>(w.back()))) {
            char c = w.back();
            if (c == '.' || c == '!' || c == '?') sentence_end = true;
            brk = true;
            w.pop_back();
        }
        if (w.size() > 2 && (w.substr(w.size() - 2) == "'s" || w.substr(w.size() - 2) == "\u2019s")) {
            w.resize(w.size() - 2);
            brk = true;
        }
        if (!w.empty()) {
            toks.push_back({w, start, brk});
            start = sentence_end;
        } else if (sentence_end) {
            start = true;
        }
    };
    for (char c : text) {
        if (std::isspace(static_cast<unsigned char>(c))) {
            push(c == '\n');
        } else {
            cur.push_back(c);
        }
    }
    push(true);

    std::vector<std::string> out;
    std::set<std::string> seen;
    auto emit = [&](std::vector<std::string> run) {
        while (!run.empty() && Connectors().count(Lower(run.back()))) run.pop_back();
        if (run.empty()) return;
        if (run.size() == 1 && StopList().count(Lower(run[0]))) return;
        std::string phrase;
        for (std::size_t i = 0; i < run.size(); ++i) phrase += (i ? " " : "") + run[i];
        if (phrase.size() < 2) return;
        if (seen.insert(Lower(phrase)).second) out.push_back(phrase);
    };
    std::vector<std::string> run;
    for (std::size_t i = 0; i < toks.size(); ++i) {
        const Tok& t = toks[i];
        bool cap = IsUpperStart(t.word) || IsAcronym(t.word);
        bool connector = !run.empty() && Connectors().count(Lower(t.word)) && i + 1 < toks.size() &&
                         IsUpperStart(toks[i + 1].word) && !t.ends_phrase;
        if (cap && t.sentence_start && run.empty() && StopList().count(Lower(t.word))) continue;
        if (cap || connector) {
            // A sentence-initial capital word only counts when a capitalised word follows it or it
            // is not a common word (stop list handled above).
            run.push_back(t.word);
            if (t.ends_phrase) {
                emit(run);
                run.clear();
            }
        } else {
            emit(run);
            run.clear();
        }
    }
    emit(run);
    return out;
}

Result<std::vector<std::string>> HeuristicEntityExtractor::Extract(const std::string& text,
                                                                  std::stop_token stop) {
    if (stop.stop_requested()) return core::Error::Canceled();
    return ExtractEntitiesHeuristic(text);
}

Provenance HeuristicEntityExtractor::Describe() const {
    return Provenance{"heuristic-entities", "title-case-runs", Json::object(), true};
}

}  // namespace beacon::engines
