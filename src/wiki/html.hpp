#pragma once
/// Pure HTML policy for wiki articles (gumbo parser, no I/O): the lead paragraph as plain text,
/// the main image, disambiguation detection and its candidate links, and an allowlist sanitiser
/// for serving a ZIM's own article HTML.
#include <string>
#include <string_view>
#include <vector>

namespace beacon::wiki {

/// One entry of a disambiguation page's list: the link target as written in the page and the
/// list item's text ("Mercury (planet), the planet closest to the Sun").
struct CandidateLink {
    std::string href;
    std::string title;  // the link's title attribute, else its text
    std::string text;   // the whole list item as plain text
};

/// What a card needs from an article's HTML.
struct ArticleLead {
    std::string title;    // <title>, else the first <h1>
    std::string summary;  // first non-empty <p> as plain text, at most 3 sentences / max_chars
    std::string image;    // src of the first content image (icons under 24 px skipped); as written
    bool disambiguation = false;
    std::vector<CandidateLink> candidates;  // list links of a disambiguation page
};

/// Longest summary kept (MediaWiki Page Previews' EXTRACT_LENGTH).
inline constexpr std::size_t kSummaryChars = 525;

/// Reads the lead of an article. Text inside script, style, sup.reference, tables and figures is
/// never part of the summary; character references are decoded; whitespace is collapsed.
ArticleLead ReadArticleLead(std::string_view html, std::size_t max_chars = kSummaryChars);

/// Plain text of an HTML fragment (scripts and styles dropped, whitespace collapsed).
std::string HtmlToText(std::string_view html);

/// Cuts text to at most `max_sentences` sentences and `max_chars` bytes (at a word boundary,
/// with an ellipsis, never inside a UTF-8 sequence).
std::string ShortenSummary(std::string_view text, int max_sentences, std::size_t max_chars);

/// Re-serialises an article with an allowlist: only text and harmless elements/attributes
/// survive. Dropped with their contents: script, style, iframe, object, embed, form controls,
/// svg, math, template, noscript, link, meta, base. Dropped attributes: every on*, style, and
/// href/src values that are not relative or http(s) (javascript:, data:, vbscript:...); img src
/// must be relative (no request leaves for another host). Unknown elements keep their text.
/// The result is a whole document with `title` and a small built-in style sheet.
std::string SanitizeArticle(std::string_view html, std::string_view title);

/// Escapes text for HTML element content and attribute values.
std::string EscapeHtml(std::string_view s);

/// Resolves a relative link found in the article at `base_path` ("A/Lighthouse" or
/// "Lighthouse.html") to a path inside the archive: strips '#fragment' and '?query', handles
/// "./" and "../", percent-decodes. Empty when the link leaves the archive (absolute URL,
/// scheme, or too many "..").
std::string ResolveArchivePath(std::string_view base_path, std::string_view href);

}  // namespace beacon::wiki
