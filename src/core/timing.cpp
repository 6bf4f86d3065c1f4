#include "core/timing.hpp"

namespace beacon::core {

void to_json(nlohmann::json& j, const Word& w) {
    j = nlohmann::json{{"word", w.text}, {"start", w.start}, {"end", w.end}};
}

void from_json(const nlohmann::json& j, Word& w) {
    w.text = j.value("word", "");
    w.start = j.value("start", 0.0);
    w.end = j.value("end", 0.0);
}

void to_json(nlohmann::json& j, const Cue& c) {
    j = nlohmann::json{{"start", c.start}, {"end", c.end}, {"text", c.text}};
}

void from_json(const nlohmann::json& j, Cue& c) {
    c.start = j.value("start", 0.0);
    c.end = j.value("end", 0.0);
    c.text = j.value("text", "");
}

std::vector<Word> WordsFromJson(const nlohmann::json& j) {
    std::vector<Word> out;
    if (!j.is_array()) return out;
    for (const auto& w : j) {
        if (w.is_object()) out.push_back(w.get<Word>());
    }
    return out;
}

std::vector<Cue> CuesFromJson(const nlohmann::json& j) {
    std::vector<Cue> out;
    if (!j.is_array()) return out;
    for (const auto& c : j) {
        if (c.is_object()) out.push_back(c.get<Cue>());
    }
    return out;
}

}  // namespace beacon::core
