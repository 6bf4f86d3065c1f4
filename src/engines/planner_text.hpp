#pragma once
/// The built-in planner's text rules, shared by its files: English words and verb forms
/// (planner_words.cpp), clauses, sentences and titles (planner_sentences.cpp) and the reading of
/// a prompt (planner_prompt.cpp). Internal to src/engines: planner.cpp writes the script.
#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace beacon::engines::planner_text {

inline constexpr int kMaxScenes = 12;

inline constexpr double kWordsPerSecond = 2.5;

inline constexpr std::size_t kMaxTitleWords = 6;

enum class VerbForm { kBase, kS, kPast, kIng };

struct VerbEntry {
    std::string base;
    VerbForm form;
};

/// A clause of the prompt as clean words, with its main (finite) verb found by position rules.
struct Clause {
    std::vector<std::string> words;  // as written, punctuation removed
    int verb = -1;                   // index of the main verb, -1 for a noun phrase
};

struct Motif {
    const char* keys[6];
    const char* action;
    const char* line;
};

/// What the prompt asks for once the request scaffolding is gone.
struct ParsedPrompt {
    std::vector<Clause> beats;  // story beats in order
    std::string genre;          // "sci-fi" from "a short sci-fi animation about ..."
    std::string style;          // "watercolor" from "... in a watercolor style"
};

// ---- words, vocabulary and verb forms (planner_words.cpp)

std::string Lower(std::string_view s);
std::string Trim(std::string_view s);
std::vector<std::string> Words(std::string_view s);
std::string Join(const std::vector<std::string>& v, std::string_view sep);
std::string StripPunct(std::string w);
/// FNV-1a, for deterministic variety.
std::uint64_t Hash(std::string_view s);
extern const std::array<std::pair<const char*, int>, 14> kNumberWords;
const std::regex& SceneCountRegex();
const std::vector<std::string>& PaletteVocabulary();
bool IsPaletteWord(const std::string& w);
const std::set<std::string>& Determiners();
const std::set<std::string>& Prepositions();
const std::set<std::string>& Conjunctions();
const std::set<std::string>& Auxiliaries();
const std::set<std::string>& SubjectPronouns();
/// Words a sentence or title must never end on: articles, determiners, prepositions,
/// conjunctions, auxiliaries.
bool IsFunctionWord(const std::string& lower);
/// Request connectors that open a clause but carry no story ("and", "then", "finally").
const std::set<std::string>& LeadingConnectors();
/// Common verbs of visual stories: base forms. Forms are derived by rule; the doubling set and
/// the irregular pasts cover the exceptions among them.
extern const char* const kVerbs[];
const std::set<std::string>& DoublingVerbs();
const std::map<std::string, std::string>& IrregularPasts();
bool IsVowel(char c);
bool EndsWith(const std::string& s, std::string_view tail);
std::string SForm(const std::string& base);
std::string PastForm(const std::string& base);
std::string IngForm(const std::string& base);
const std::map<std::string, VerbEntry>& VerbForms();
const VerbEntry* Verb(const std::string& lower);
const std::set<std::string>& ObjectPronounWords();
bool IsPluralNoun(const std::string& lower);
std::vector<std::string> LowerAll(const std::vector<std::string>& ws);

// ---- clauses, narration sentences and titles (planner_sentences.cpp)

/// Index of the main verb or -1: an auxiliary, an -s or past form after a content word, or a
/// base form after a plural subject; never inside a relative clause's first verb or after "to".
int FindMainVerb(const std::vector<std::string>& words);
/// An -ing form after a content word that opens a phrase ("a fox crossing the ice", "a train
/// leaving"), not one that modifies the next noun ("a lost fishing boat").
bool IsParticipleAt(const std::vector<std::string>& lw, std::size_t i);
/// Index of the first participle of a noun phrase, or -1.
int FindParticiple(const std::vector<std::string>& words);
/// A boundary where a phrase may be cut: before a preposition, conjunction, relative pronoun or
/// participle (and never at position 0).
bool IsBoundary(const std::vector<std::string>& lw, std::size_t i);
Clause MakeClause(std::vector<std::string> words);
/// Clean words of a text: punctuation dropped (apostrophes, hyphens and UTF-8 kept).
std::vector<std::string> CleanWords(std::string_view text);
/// Drops trailing function words and adjacent repeats ("the the").
std::vector<std::string> Tidy(std::vector<std::string> ws);
std::string Capitalize(std::string s);
/// A full sentence from words: tidied, capitalised, ending in a full stop.
std::string Sentence(std::vector<std::string> ws);
std::vector<std::string> Slice(const std::vector<std::string>& ws, std::size_t b, std::size_t e);
/// The subject's core noun phrase: the subject up to its first preposition, participle or
/// relative pronoun ("a lighthouse keeper on a rocky island" -> "a lighthouse keeper").
std::vector<std::string> CoreOf(const std::vector<std::string>& phrase);
std::string ObjectPronoun(const std::string& lower);
/// The clause as a noun phrase for "shot of ...": the finite verbs become participles ("a fox
/// crosses the ice" -> "a fox crossing the ice"). Empty when the verb does not convert (a
/// copula with an adjective, a modal).
std::vector<std::string> AsNounPhrase(const Clause& c);
/// Cuts trailing phrases (at boundaries after `from`) until at most max_words remain.
std::vector<std::string> CutTail(std::vector<std::string> ws, std::size_t from,
                                 std::size_t max_words);
/// The clause as a complete narration sentence of at most about max_words words: a clause keeps
/// its verb; a noun phrase gets one ("a fox crossing the ice" -> "A fox crosses the ice.";
/// "sunrise over the river" -> "Sunrise over the river fills the frame.").
std::string NarrationSentence(const Clause& c, std::size_t max_words, std::uint64_t h);
const std::set<std::string>& TitleLowerWords();
std::string TitleCase(const std::vector<std::string>& ws);
/// "a robot" -> "The robot": a title names its subject definitely.
std::vector<std::string> Definite(std::vector<std::string> ws);
/// The longest prefix of at most max_words words that ends at a phrase boundary on a content
/// word; when even the first phrase is longer, its head (the last words of that phrase).
std::vector<std::string> PhrasePrefix(const std::vector<std::string>& ws, std::size_t max_words);
/// A title of at most max_words words naming the clause's subject: the whole noun phrase when
/// it fits, else the subject with its verb as a relative clause ("a robot learns to paint" ->
/// "The Robot That Learns to Paint"), else with a participle, else the subject's core.
std::string TitleOf(const Clause& c, std::size_t max_words);

// ---- reading the prompt: scaffolding, beats, motifs (planner_prompt.cpp)

extern const std::array<Motif, 14> kMotifs;
std::vector<const Motif*> MotifsIn(const std::string& lower_text);
/// Removes "make a short sci-fi animation about", scene counts, durations and inline styles.
std::string StripScaffolding(std::string text, ParsedPrompt* info);
/// Clauses that only carry palette/style/duration instructions are not story beats.
bool IsInstructionClause(const std::string& clause);
/// Splits "A and B" where both sides are clauses with their own verb.
void SplitCoordinated(std::vector<std::string> ws, std::vector<Clause>& out);
ParsedPrompt ParsePrompt(const std::string& prompt);
std::size_t WordCount(const std::string& s);
/// Removes a word that repeats the word before it ("of of"), keeping punctuation.
std::string DropAdjacentRepeats(const std::string& s);
std::string WithArticle(const std::string& word);
/// The clause with a leading subject pronoun replaced by the subject named before ("it finds a
/// den" -> "the fox finds a den"), for descriptions that stand alone.
Clause ResolvePronoun(const Clause& c, const std::vector<std::string>& last_subject);
/// The subject's core, definite ("a lighthouse keeper" -> "the lighthouse keeper"); empty for
/// a pronoun subject.
std::vector<std::string> DefiniteCore(const Clause& c);
std::string PaletteFromStyle(const std::string& style);
std::string ShotPhrase(const std::string& shot, bool first, bool last);
std::string CameraAction(const std::string& camera);

/// Words that keep their capital letter inside a sentence: names and acronyms the prompt
/// capitalises away from a sentence start, "I", all-caps words.
class Casing {
public:
    explicit Casing(std::string_view prompt) {
        bool start = true;
        std::string cur;
        auto flush = [&](char after) {
            if (!cur.empty()) {
                if (!start && std::isupper(static_cast<unsigned char>(cur[0]))) keep_.insert(cur);
                start = false;
                cur.clear();
            }
            if (after == '.' || after == '!' || after == '?' || after == ':' || after == ';' ||
                after == '\n') {
                start = true;
            }
        };
        for (char c : prompt) {
            if (std::isalnum(static_cast<unsigned char>(c)) ||
                static_cast<unsigned char>(c) >= 0x80 || c == '\'' || c == '-') {
                cur.push_back(c);
            } else {
                flush(c);
            }
        }
        flush(' ');
    }
    /// The word as it reads inside a sentence.
    std::string Inside(const std::string& w) const {
        if (w.empty() || !std::isupper(static_cast<unsigned char>(w[0]))) return w;
        if (w == "I" || keep_.count(w)) return w;
        bool all_caps = w.size() > 1 && std::none_of(w.begin(), w.end(), [](unsigned char c) {
                            return std::islower(c);
                        });
        return all_caps ? w : Lower(w);
    }
    std::vector<std::string> Inside(std::vector<std::string> ws) const {
        if (!ws.empty()) ws[0] = Inside(ws[0]);
        return ws;
    }

private:
    std::set<std::string> keep_;
};

}  // namespace beacon::engines::planner_text
