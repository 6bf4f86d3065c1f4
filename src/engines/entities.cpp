#include "engines/entities.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>
#include <unordered_set>

namespace beacon::engines {

namespace {

bool IsUpperStart(const std::string& w) {
    return !w.empty() && std::isupper(static_cast<unsigned char>(w[0]));
}

bool IsNumber(const std::string& w) {
    return !w.empty() && w.size() <= 4 &&
           std::all_of(w.begin(), w.end(), [](unsigned char c) { return std::isdigit(c); });
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

bool EndsWith(const std::string& s, std::string_view tail) {
    return s.size() > tail.size() + 2 && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// Capitalised function words, pronouns, interjections and narration words: never an entity on
// their own, wherever they stand.
const std::set<std::string>& StopList() {
    static const std::set<std::string> s = {
        "a", "an", "the", "this", "that", "these", "those", "it", "its", "he", "she", "they", "we",
        "i", "i'm", "i'll", "i've", "i'd", "you", "his", "her", "their", "our", "my", "your",
        "there", "here", "then", "when", "while", "where", "what", "who", "why", "how", "and",
        "but", "or", "so", "yet", "if", "in", "on", "at", "by", "for", "from", "with", "of", "to",
        "as", "after", "before", "during", "once", "every", "each", "all", "some", "many", "most",
        "no", "not", "now", "today", "tomorrow", "yesterday", "tonight", "yes", "hello", "hi",
        "oh", "wow", "hey", "look", "see", "meanwhile", "finally", "first", "next", "later",
        "below", "above", "closer", "scene", "wide", "medium", "close", "shot", "close-up",
        "camera", "narrator", "stay", "hold", "something", "everything", "nothing", "nobody",
        "everyone", "someone", "anyone", "time", "one", "two", "three", "ok", "okay", "still",
        "just", "even", "also", "only", "beyond", "twice", "again", "soon", "suddenly", "quiet",
        "listen", "welcome", "goodbye", "thanks", "please", "let's", "don't", "can't", "it's",
        "chapter", "part", "end", "fade", "cut", "title", "credits"};
    return s;
}

// Calendar words and demonyms/languages: capitalised in English but not a thing to look up on
// their own ("In April", "the Spanish explorer"); inside a longer name they stay ("April Fools'
// Day", "French Revolution").
const std::set<std::string>& CalendarAndDemonyms() {
    static const std::set<std::string> s = {
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january",
        "february", "march", "april", "may", "june", "july", "august", "september", "october",
        "november", "december", "american", "african", "arab", "arabic", "asian", "australian",
        "austrian", "belgian", "brazilian", "british", "canadian", "chinese", "czech", "danish",
        "dutch", "egyptian", "english", "european", "finnish", "french", "german", "greek",
        "hungarian", "icelandic", "indian", "indonesian", "irish", "israeli", "italian",
        "japanese", "kenyan", "korean", "latin", "mexican", "moroccan", "nigerian", "norwegian",
        "pakistani", "persian", "peruvian", "polish", "portuguese", "roman", "romanian",
        "russian", "scottish", "spanish", "swedish", "swiss", "thai", "turkish", "ukrainian",
        "vietnamese", "welsh", "hindi", "bengali", "swahili", "hebrew", "catalan", "basque",
        "celtic", "viking", "victorian", "medieval", "christian", "muslim", "jewish", "hindu",
        "buddhist", "catholic", "protestant", "northern", "southern", "eastern", "western"};
    return s;
}

// Words that begin a name (a title or a geographic head): "Captain Mara", "Mount Everest",
// "Dr. Reyes". At the start of a sentence they keep the run they lead.
const std::set<std::string>& NameHeads() {
    static const std::set<std::string> s = {
        "captain", "capt", "professor", "prof", "doctor", "dr", "mr", "mrs", "ms", "miss", "sir",
        "dame", "lady", "lord", "king", "queen", "prince", "princess", "uncle", "aunt", "auntie",
        "grandma", "grandpa", "granny", "inspector", "detective", "officer", "sergeant", "sgt",
        "general", "gen", "colonel", "lieutenant", "lt", "president", "saint", "st", "mount",
        "mt", "lake", "river", "cape", "port", "fort", "san", "santa", "new", "north", "south",
        "east", "west", "great", "little", "old", "upper", "lower", "lady", "father", "mother",
        "brother", "sister", "judge", "agent", "chief", "coach", "nurse", "farmer", "mister"};
    return s;
}

// Abbreviations whose dot does not end the sentence.
const std::set<std::string>& TitleAbbreviations() {
    static const std::set<std::string> s = {"dr", "mr", "mrs", "ms", "st", "prof", "capt", "mt",
                                            "lt", "gen", "sgt", "jr", "sr", "col", "rev"};
    return s;
}

const std::set<std::string>& Connectors() {
    static const std::set<std::string> s = {"of", "de", "la", "le", "von", "van", "da", "del",
                                            "the", "du", "der", "am", "im", "upon", "di", "do",
                                            "dos", "das", "des", "al", "el", "bin", "ibn"};
    return s;
}

// The system word list (Debian wamerican/wbritish): lower-case entries are common words,
// capitalised entries proper nouns. Empty when none is installed.
const std::unordered_set<std::string>& Lexicon() {
    static const std::unordered_set<std::string> words = [] {
        std::unordered_set<std::string> w;
        for (const char* path : {"/usr/share/dict/words", "/usr/share/dict/american-english",
                                 "/usr/share/dict/british-english"}) {
            std::ifstream in(path);
            if (!in) continue;
            std::string line;
            while (std::getline(in, line)) {
                if (!line.empty() && line.back() == '\r') line.pop_back();
                if (!line.empty()) w.insert(line);
            }
            break;
        }
        return w;
    }();
    return words;
}

}  // namespace

bool EntityLexiconAvailable() { return !Lexicon().empty(); }

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
        // "Dr." and the like: the dot belongs to the word and neither ends the sentence nor
        // breaks the name.
        if (w.size() >= 3 && w.back() == '.' && IsUpperStart(w) &&
            TitleAbbreviations().count(Lower(w.substr(0, w.size() - 1)))) {
            toks.push_back({w, start, ends});
            start = false;
            return;
        }
        bool brk = ends;
        bool sentence_end = false;
        while (!w.empty() && !std::isalnum(static_cast<unsigned char>(w.back()))) {
            char c = w.back();
            if (c == '.' || c == '!' || c == '?' || c == ':' || c == ';') sentence_end = c != ';';
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

    // Evidence from the text itself: words seen capitalised inside a sentence are names there;
    // words seen in lower case are common words there.
    std::set<std::string> cap_inside, lower_seen;
    for (const Tok& t : toks) {
        if (IsUpperStart(t.word)) {
            if (!t.sentence_start) cap_inside.insert(Lower(t.word));
        } else {
            lower_seen.insert(Lower(t.word));
        }
    }
    const auto& lexicon = Lexicon();
    // A capitalised word at the start of a sentence: is it only capitalised because it starts
    // the sentence?
    auto common_at_start = [&](const std::string& w) {
        const std::string lw = Lower(w);
        if (StopList().count(lw) || CalendarAndDemonyms().count(lw)) return true;
        if (IsAcronym(w)) return false;
        if (cap_inside.count(lw)) return false;
        if (lower_seen.count(lw)) return true;
        if (!lexicon.empty()) {
            // A common word with no proper-noun entry ("Rain", "Suddenly", "Penguins").
            if (lexicon.count(lw) && !lexicon.count(w)) return true;
            // An inflection of one: plural, -ing, -ed, -ly.
            for (std::string_view suf : {"s", "es", "ing", "ed", "ly"}) {
                if (EndsWith(lw, suf)) {
                    std::string stem = lw.substr(0, lw.size() - suf.size());
                    if (lexicon.count(stem) || lexicon.count(stem + "e")) return !lexicon.count(w);
                    if (suf == "es" && lexicon.count(stem.substr(0, stem.size() - 1) + "y"))
                        return true;  // fireflies
                }
            }
            return false;
        }
        // No word list: morphology only.
        return EndsWith(lw, "ly") || EndsWith(lw, "ing") || EndsWith(lw, "ed");
    };

    std::vector<std::string> out;
    std::set<std::string> seen;
    auto emit = [&](std::vector<const Tok*> run) {
        // Drop sentence-initial common words and connectors in front of the name ("Liquid
        // Mercury", "Orbiting the Sun"), unless the word heads a name ("Captain Mara").
        while (!run.empty()) {
            const std::string lw = Lower(run.front()->word);
            const std::string bare = lw.back() == '.' ? lw.substr(0, lw.size() - 1) : lw;
            if (Connectors().count(lw) || StopList().count(lw)) {
                run.erase(run.begin());
            } else if (run.front()->sentence_start && run.size() > 1 && NameHeads().count(bare)) {
                break;
            } else if (run.front()->sentence_start && common_at_start(run.front()->word)) {
                run.erase(run.begin());
            } else {
                break;
            }
        }
        while (!run.empty() && (Connectors().count(Lower(run.back()->word)) ||
                                run.back()->word.back() == '.')) {
            run.pop_back();
        }
        if (run.empty()) return;
        if (IsNumber(run.front()->word)) return;
        if (run.size() == 1) {
            const std::string lw = Lower(run[0]->word);
            if (StopList().count(lw) || CalendarAndDemonyms().count(lw)) return;
        }
        std::string phrase;
        for (std::size_t i = 0; i < run.size(); ++i) phrase += (i ? " " : "") + run[i]->word;
        if (phrase.size() < 2) return;
        if (seen.insert(Lower(phrase)).second) out.push_back(phrase);
    };
    std::vector<const Tok*> run;
    for (std::size_t i = 0; i < toks.size(); ++i) {
        const Tok& t = toks[i];
        if (t.sentence_start && !run.empty()) {
            emit(run);
            run.clear();
        }
        bool cap = IsUpperStart(t.word) || IsAcronym(t.word);
        bool connector = !run.empty() && Connectors().count(Lower(t.word)) && i + 1 < toks.size() &&
                         IsUpperStart(toks[i + 1].word) && !t.ends_phrase &&
                         !toks[i + 1].sentence_start &&
                         !CalendarAndDemonyms().count(Lower(run.back()->word));
        // "Apollo 11", "Boeing 747": a short number right after a name (not a date).
        bool number = !run.empty() && IsNumber(t.word) &&
                      !CalendarAndDemonyms().count(Lower(run.back()->word));
        if (cap || connector || number) {
            run.push_back(&t);
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
