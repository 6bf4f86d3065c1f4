#pragma once
/// The one WebVTT writer (captions for the MP4, HLS subtitle segments, dubs, imports).
#include <string>
#include <vector>

#include "core/timing.hpp"

namespace beacon::core {

/// "HH:MM:SS.mmm" (negative and NaN read as 0).
std::string VttTime(double seconds);
/// Text made safe for a cue payload (&, <, > escaped, so "-->" cannot occur; no blank lines).
std::string VttText(const std::string& text);
/// A WebVTT document with the cues in order (a cue whose text is empty is left out; an end
/// before its start reads as the start); `header_extra` lines follow the WEBVTT line (e.g.
/// X-TIMESTAMP-MAP).
std::string CuesToWebVtt(const std::vector<Cue>& cues, const std::string& header_extra = "");

}  // namespace beacon::core
