#pragma once
/// Pure text formats: WebVTT captions and chapters, ffmpeg's ffmetadata chapters.
#include <string>
#include <vector>

namespace beacon::media {

struct Word {
    std::string text;
    double start = 0;  // seconds
    double end = 0;
};

struct Cue {
    double start = 0;  // seconds
    double end = 0;
    std::string text;
};

struct Chapter {
    double start = 0;
    double end = 0;
    std::string title;
};

/// "HH:MM:SS.mmm"
std::string VttTime(double seconds);
/// Text made safe for a cue payload (&, <, > escaped, "-->" broken, no blank lines).
std::string VttText(const std::string& text);
/// A WebVTT document with the cues in order; `header_extra` lines follow the WEBVTT line
/// (e.g. X-TIMESTAMP-MAP).
std::string CuesToWebVtt(const std::vector<Cue>& cues, const std::string& header_extra = "");
/// WebVTT chapters: one numbered cue per chapter.
std::string ChaptersToWebVtt(const std::vector<Chapter>& chapters);
/// ffmpeg's ;FFMETADATA1 with the title and one [CHAPTER] per chapter (millisecond timebase).
std::string ChaptersToFfmetadata(const std::string& title, const std::vector<Chapter>& chapters);

/// Groups timed words into caption cues: at most max_words per cue, a new cue after a sentence
/// end or a pause longer than max_gap; cues never overlap.
std::vector<Cue> GroupWords(const std::vector<Word>& words, int max_words = 7,
                            double max_gap = 0.6);

}  // namespace beacon::media
