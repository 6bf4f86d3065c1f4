#pragma once
/// Built-in "exact captions": cues grouped from the voice engine's word timings (no recognition
/// needed when we wrote the words), and WebVTT reading/writing helpers.
#include <string>
#include <string_view>
#include <vector>

#include "engines/engines.hpp"

namespace beacon::engines {

/// Cue grouping limits (Netflix/BBC-like): characters per line, lines per cue, cue length.
struct CueLimits {
    std::size_t max_line_chars = 42;
    int max_lines = 2;
    double max_cue_seconds = 6.0;
    double max_gap_seconds = 1.0;  // a longer pause starts a new cue
};

/// Groups words into cues within limits; a cue's text has its lines joined by '\n'. Words with
/// non-increasing or negative times are clamped so cues never overlap or go backwards.
std::vector<Cue> GroupWordsIntoCues(const std::vector<WordTiming>& words, const CueLimits& limits = {});

/// Formats seconds as WebVTT "HH:MM:SS.mmm".
std::string FormatVttTime(double seconds);

/// Parses a WebVTT document's cues (tolerates cue ids, settings, NOTE/STYLE blocks, CRLF).
/// Entity escapes (&lt; &gt; &amp;) are decoded and tags like <v Speaker> removed.
core::Result<std::vector<Cue>> ParseWebVtt(std::string_view vtt);

/// Built-in caption engine ("exact-captions"): needs req.words; fails clearly without them.
class ExactCaptionEngine final : public CaptionEngine {
public:
    explicit ExactCaptionEngine(CueLimits limits = {}) : limits_(limits) {}
    Result<CaptionResult> Caption(const CaptionRequest& req, std::stop_token stop) override;
    Provenance Describe() const override;

private:
    CueLimits limits_;
};

}  // namespace beacon::engines
