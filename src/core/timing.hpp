#pragma once
/// Timed text, one type each for the whole program: a voice engine's word timings, the caption
/// cues a caption engine returns, the words and cues a stage records and the cues the WebVTT and
/// HLS writers take are the same values. Their JSON form ({"word","start","end"} and
/// {"start","end","text"}) is defined here only.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace beacon::core {

/// One spoken word; times in seconds (from the start of its clip, or on the output timeline).
struct Word {
    std::string text;
    double start = 0;
    double end = 0;
    bool operator==(const Word&) const = default;
};

/// One caption cue; times in seconds on the output timeline.
struct Cue {
    double start = 0;
    double end = 0;
    std::string text;
    bool operator==(const Cue&) const = default;
};

/// {"word": text, "start": s, "end": s}; missing fields read as empty/0.
void to_json(nlohmann::json& j, const Word& w);
void from_json(const nlohmann::json& j, Word& w);
/// {"start": s, "end": s, "text": text}; missing fields read as empty/0.
void to_json(nlohmann::json& j, const Cue& c);
void from_json(const nlohmann::json& j, Cue& c);

/// A JSON array of words/cues; anything but an array reads as none.
std::vector<Word> WordsFromJson(const nlohmann::json& j);
std::vector<Cue> CuesFromJson(const nlohmann::json& j);

}  // namespace beacon::core
