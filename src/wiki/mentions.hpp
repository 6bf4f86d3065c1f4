#pragma once
/// Where in an item each entity is spoken (pure): spans of the captions' cues that mention it,
/// or of the script's scenes when an item has no captions.
#include <string>
#include <string_view>
#include <vector>

namespace beacon::wiki {

/// A timed piece of the item's words (a caption cue, or a scene's narration).
struct TimedText {
    double start = 0;  // seconds
    double end = 0;
    std::string text;
};

/// A stretch of the item while an entity is being said.
struct Span {
    double start = 0;  // seconds
    double end = 0;
    bool operator==(const Span&) const = default;
};

/// The spans of `pieces` that mention `entity`: case-insensitive (ASCII), on word boundaries,
/// also when a mention runs across two consecutive pieces ("...the Eddystone" / "Lighthouse...")
/// and with a possessive "'s". Overlapping or touching spans merge. Pieces are in time order.
std::vector<Span> FindMentionSpans(std::string_view entity, const std::vector<TimedText>& pieces);

/// Lower-cased content words of a text (letters/digits, at least 3 bytes, not a stop word, with
/// a plural "s" dropped): the context used to resolve ambiguous entities.
std::vector<std::string> ContextWords(std::string_view text);

/// Folds for matching titles and names: ASCII lower case, '_' as space, spaces collapsed.
std::string FoldName(std::string_view s);

}  // namespace beacon::wiki
