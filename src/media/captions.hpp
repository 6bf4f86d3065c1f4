#pragma once
/// Pure text formats: WebVTT captions and chapters, ffmpeg's ffmetadata chapters.
#include <string>
#include <vector>

#include "core/timing.hpp"
#include "core/webvtt.hpp"

namespace beacon::media {

/// Timed words and cues are core's (one type program-wide).
using Word = core::Word;
using Cue = core::Cue;

struct Chapter {
    double start = 0;
    double end = 0;
    std::string title;
};

/// The one WebVTT writer is core's (core/webvtt.hpp).
using core::CuesToWebVtt;
using core::VttText;
using core::VttTime;
/// WebVTT chapters: one numbered cue per chapter.
std::string ChaptersToWebVtt(const std::vector<Chapter>& chapters);
/// ffmpeg's ;FFMETADATA1 with the title and one [CHAPTER] per chapter (millisecond timebase).
std::string ChaptersToFfmetadata(const std::string& title, const std::vector<Chapter>& chapters);

/// Groups timed words into caption cues: at most max_words per cue, a new cue after a sentence
/// end or a pause longer than max_gap; cues never overlap.
std::vector<Cue> GroupWords(const std::vector<Word>& words, int max_words = 7,
                            double max_gap = 0.6);

}  // namespace beacon::media
