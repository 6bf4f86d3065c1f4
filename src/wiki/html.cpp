#include "wiki/html.hpp"

#include <gumbo.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <memory>

namespace beacon::wiki {

namespace {

struct GumboDeleter {
    void operator()(GumboOutput* out) const { gumbo_destroy_output(&kGumboDefaultOptions, out); }
};
using Parsed = std::unique_ptr<GumboOutput, GumboDeleter>;

Parsed Parse(std::string_view html) {
    return Parsed(gumbo_parse_with_options(&kGumboDefaultOptions, html.data(), html.size()));
}

std::string Attr(const GumboNode* n, const char* name) {
    if (n->type != GUMBO_NODE_ELEMENT) return {};
    const GumboAttribute* a = gumbo_get_attribute(&n->v.element.attributes, name);
    return a ? std::string(a->value) : std::string();
}

bool HasClass(const GumboNode* n, std::string_view cls) {
    const std::string classes = Attr(n, "class");
    std::size_t i = 0;
    while (i < classes.size()) {
        while (i < classes.size() && std::isspace(static_cast<unsigned char>(classes[i]))) ++i;
        std::size_t j = i;
        while (j < classes.size() && !std::isspace(static_cast<unsigned char>(classes[j]))) ++j;
        if (std::string_view(classes).substr(i, j - i) == cls) return true;
        i = j;
    }
    return false;
}

bool IsTag(const GumboNode* n, GumboTag t) {
    return n->type == GUMBO_NODE_ELEMENT && n->v.element.tag == t;
}

/// Subtrees never read as article text.
bool IsNonText(const GumboNode* n) {
    if (n->type != GUMBO_NODE_ELEMENT) return false;
    switch (n->v.element.tag) {
        case GUMBO_TAG_SCRIPT:
        case GUMBO_TAG_STYLE:
        case GUMBO_TAG_NOSCRIPT:
        case GUMBO_TAG_TEMPLATE:
        case GUMBO_TAG_SVG:
        case GUMBO_TAG_MATH:
        case GUMBO_TAG_IFRAME:
        case GUMBO_TAG_OBJECT:
        case GUMBO_TAG_HEAD:
            return true;
        default:
            break;
    }
    if (n->v.element.tag_namespace != GUMBO_NAMESPACE_HTML) return true;
    return IsTag(n, GUMBO_TAG_SUP) && (HasClass(n, "reference") || HasClass(n, "noprint"));
}

bool IsBlock(GumboTag t) {
    switch (t) {
        case GUMBO_TAG_P: case GUMBO_TAG_DIV: case GUMBO_TAG_BR: case GUMBO_TAG_LI:
        case GUMBO_TAG_UL: case GUMBO_TAG_OL: case GUMBO_TAG_TR: case GUMBO_TAG_TD:
        case GUMBO_TAG_TH: case GUMBO_TAG_H1: case GUMBO_TAG_H2: case GUMBO_TAG_H3:
        case GUMBO_TAG_H4: case GUMBO_TAG_H5: case GUMBO_TAG_H6: case GUMBO_TAG_TABLE:
        case GUMBO_TAG_SECTION: case GUMBO_TAG_DD: case GUMBO_TAG_DT: case GUMBO_TAG_HR:
            return true;
        default:
            return false;
    }
}

void AppendText(const GumboNode* n, std::string& out) {
    if (n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_WHITESPACE ||
        n->type == GUMBO_NODE_CDATA) {
        out += n->v.text.text;
        return;
    }
    if (n->type != GUMBO_NODE_ELEMENT && n->type != GUMBO_NODE_DOCUMENT) return;
    if (IsNonText(n)) return;
    const GumboVector& children =
        n->type == GUMBO_NODE_DOCUMENT ? n->v.document.children : n->v.element.children;
    const bool block = n->type == GUMBO_NODE_ELEMENT && IsBlock(n->v.element.tag);
    if (block) out += ' ';
    for (unsigned i = 0; i < children.length; ++i) {
        AppendText(static_cast<const GumboNode*>(children.data[i]), out);
    }
    if (block) out += ' ';
}

std::string Collapse(std::string_view s) {
    std::string out;
    bool space = false;
    for (char c : s) {
        if (std::isspace(static_cast<unsigned char>(c))) {
            space = !out.empty();
            continue;
        }
        if (space) {
            // No space before closing punctuation left by removed footnotes.
            if (c != ',' && c != '.' && c != ';' && c != ':' && c != ')') out += ' ';
            space = false;
        }
        out += c;
    }
    return out;
}

std::string TextOf(const GumboNode* n) {
    std::string raw;
    AppendText(n, raw);
    return Collapse(raw);
}

const GumboVector* Children(const GumboNode* n) {
    if (n->type == GUMBO_NODE_DOCUMENT) return &n->v.document.children;
    if (n->type == GUMBO_NODE_ELEMENT) return &n->v.element.children;
    return nullptr;
}

/// Visits elements in document order; `visit` returns false to skip the element's subtree.
template <class Visit>
void Walk(const GumboNode* n, Visit&& visit) {
    if (n->type == GUMBO_NODE_ELEMENT && !visit(n)) return;
    const GumboVector* kids = Children(n);
    if (!kids) return;
    for (unsigned i = 0; i < kids->length; ++i) {
        Walk(static_cast<const GumboNode*>(kids->data[i]), visit);
    }
}

bool ContainsCaseless(std::string_view hay, std::string_view needle) {
    auto it = std::search(hay.begin(), hay.end(), needle.begin(), needle.end(), [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) ==
               std::tolower(static_cast<unsigned char>(b));
    });
    return it != hay.end();
}

bool EndsAbbreviation(std::string_view text, std::size_t dot) {
    std::size_t start = dot;
    while (start > 0 && std::isalpha(static_cast<unsigned char>(text[start - 1]))) --start;
    std::string_view word = text.substr(start, dot - start);
    if (word.size() == 1 && std::isupper(static_cast<unsigned char>(word[0]))) return true;  // "J."
    static constexpr std::array<std::string_view, 12> kAbbrev = {
        "St", "Mr", "Mrs", "Ms", "Dr", "Jr", "Sr", "c", "ca", "No", "vs", "Mt"};
    if (std::find(kAbbrev.begin(), kAbbrev.end(), word) != kAbbrev.end()) return true;
    // "e.g." / "i.e.": a letter, a dot, a letter before this dot.
    return word.size() == 1 && start >= 2 && text[start - 1] == '.';
}

bool SafeLinkScheme(std::string_view v, bool allow_absolute) {
    std::string lower;
    for (char c : v) {
        if (static_cast<unsigned char>(c) <= 0x20) continue;  // browsers ignore these in schemes
        lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    const std::size_t colon = lower.find(':');
    const std::size_t stop = lower.find_first_of("/?#");
    const bool has_scheme = colon != std::string::npos && (stop == std::string::npos || colon < stop);
    if (!has_scheme) return allow_absolute || lower.rfind("//", 0) != 0;
    if (!allow_absolute) return false;
    return lower.rfind("http:", 0) == 0 || lower.rfind("https:", 0) == 0 ||
           lower.rfind("mailto:", 0) == 0;
}

GumboTag TagOf(const GumboNode* n) { return n->v.element.tag; }

bool DroppedWithContents(const GumboNode* n) {
    if (n->v.element.tag_namespace != GUMBO_NAMESPACE_HTML) return true;  // svg, math
    switch (TagOf(n)) {
        case GUMBO_TAG_SCRIPT: case GUMBO_TAG_STYLE: case GUMBO_TAG_IFRAME:
        case GUMBO_TAG_FRAME: case GUMBO_TAG_FRAMESET: case GUMBO_TAG_OBJECT:
        case GUMBO_TAG_EMBED: case GUMBO_TAG_APPLET: case GUMBO_TAG_FORM:
        case GUMBO_TAG_INPUT: case GUMBO_TAG_BUTTON: case GUMBO_TAG_SELECT:
        case GUMBO_TAG_TEXTAREA: case GUMBO_TAG_SVG: case GUMBO_TAG_MATH:
        case GUMBO_TAG_TEMPLATE: case GUMBO_TAG_NOSCRIPT: case GUMBO_TAG_LINK:
        case GUMBO_TAG_META: case GUMBO_TAG_BASE: case GUMBO_TAG_TITLE: case GUMBO_TAG_HEAD:
        case GUMBO_TAG_AUDIO: case GUMBO_TAG_VIDEO: case GUMBO_TAG_SOURCE: case GUMBO_TAG_TRACK:
        case GUMBO_TAG_CANVAS: case GUMBO_TAG_PARAM:
        case GUMBO_TAG_UNKNOWN:  // custom elements may be upgraded by scripts; keep none
            return true;
        default:
            return false;
    }
}

bool Allowed(GumboTag t) {
    switch (t) {
        case GUMBO_TAG_A: case GUMBO_TAG_P: case GUMBO_TAG_B: case GUMBO_TAG_I:
        case GUMBO_TAG_EM: case GUMBO_TAG_STRONG: case GUMBO_TAG_U: case GUMBO_TAG_S:
        case GUMBO_TAG_SUB: case GUMBO_TAG_SUP: case GUMBO_TAG_SMALL: case GUMBO_TAG_BR:
        case GUMBO_TAG_HR: case GUMBO_TAG_H1: case GUMBO_TAG_H2: case GUMBO_TAG_H3:
        case GUMBO_TAG_H4: case GUMBO_TAG_H5: case GUMBO_TAG_H6: case GUMBO_TAG_UL:
        case GUMBO_TAG_OL: case GUMBO_TAG_LI: case GUMBO_TAG_DL: case GUMBO_TAG_DT:
        case GUMBO_TAG_DD: case GUMBO_TAG_TABLE: case GUMBO_TAG_THEAD: case GUMBO_TAG_TBODY:
        case GUMBO_TAG_TFOOT: case GUMBO_TAG_TR: case GUMBO_TAG_TH: case GUMBO_TAG_TD:
        case GUMBO_TAG_CAPTION: case GUMBO_TAG_FIGURE: case GUMBO_TAG_FIGCAPTION:
        case GUMBO_TAG_IMG: case GUMBO_TAG_BLOCKQUOTE: case GUMBO_TAG_PRE: case GUMBO_TAG_CODE:
        case GUMBO_TAG_SPAN: case GUMBO_TAG_DIV: case GUMBO_TAG_SECTION: case GUMBO_TAG_ABBR:
        case GUMBO_TAG_CITE: case GUMBO_TAG_Q: case GUMBO_TAG_MARK: case GUMBO_TAG_TIME:
        case GUMBO_TAG_ARTICLE: case GUMBO_TAG_HEADER: case GUMBO_TAG_FOOTER: case GUMBO_TAG_MAIN:
        case GUMBO_TAG_WBR: case GUMBO_TAG_BDI: case GUMBO_TAG_VAR: case GUMBO_TAG_KBD:
        case GUMBO_TAG_SAMP: case GUMBO_TAG_DEL: case GUMBO_TAG_INS: case GUMBO_TAG_COL:
        case GUMBO_TAG_COLGROUP: case GUMBO_TAG_ASIDE: case GUMBO_TAG_NAV:
            return true;
        default:
            return false;
    }
}

bool IsVoid(GumboTag t) {
    return t == GUMBO_TAG_BR || t == GUMBO_TAG_HR || t == GUMBO_TAG_IMG || t == GUMBO_TAG_WBR ||
           t == GUMBO_TAG_COL;
}

void SanitizeInto(const GumboNode* n, std::string& out) {
    switch (n->type) {
        case GUMBO_NODE_TEXT:
        case GUMBO_NODE_WHITESPACE:
        case GUMBO_NODE_CDATA:
            out += EscapeHtml(n->v.text.text);
            return;
        case GUMBO_NODE_COMMENT:
            return;
        default:
            break;
    }
    if (n->type == GUMBO_NODE_ELEMENT && DroppedWithContents(n)) return;
    const bool keep = n->type == GUMBO_NODE_ELEMENT && Allowed(TagOf(n)) &&
                      TagOf(n) != GUMBO_TAG_HTML && TagOf(n) != GUMBO_TAG_BODY;
    if (keep) {
        const GumboTag tag = TagOf(n);
        out += '<';
        out += gumbo_normalized_tagname(tag);
        const GumboVector& attrs = n->v.element.attributes;
        for (unsigned i = 0; i < attrs.length; ++i) {
            const auto* a = static_cast<const GumboAttribute*>(attrs.data[i]);
            const std::string_view name = a->name;
            const std::string_view value = a->value;
            bool ok = name == "title" || name == "alt" || name == "class" || name == "id" ||
                      name == "lang" || name == "dir" || name == "colspan" ||
                      name == "rowspan" || name == "width" || name == "height" ||
                      name == "datetime" || name == "scope";
            if (name == "href" && tag == GUMBO_TAG_A) ok = SafeLinkScheme(value, true);
            if (name == "src" && tag == GUMBO_TAG_IMG) ok = SafeLinkScheme(value, false);
            if (!ok) continue;
            out += ' ';
            out += name;
            out += "=\"";
            out += EscapeHtml(value);
            out += '"';
        }
        if (tag == GUMBO_TAG_A) {
            const std::string href = Attr(n, "href");
            if (href.find("://") != std::string::npos) out += " rel=\"noopener noreferrer\"";
        }
        out += '>';
        if (IsVoid(tag)) return;
    }
    if (const GumboVector* kids = Children(n)) {
        for (unsigned i = 0; i < kids->length; ++i) {
            SanitizeInto(static_cast<const GumboNode*>(kids->data[i]), out);
        }
    }
    if (keep) {
        out += "</";
        out += gumbo_normalized_tagname(TagOf(n));
        out += '>';
    }
}

int HexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string PercentDecode(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size()) {
            const int hi = HexValue(s[i + 1]);
            const int lo = HexValue(s[i + 2]);
            if (hi >= 0 && lo >= 0) {
                out += static_cast<char>(hi * 16 + lo);
                i += 2;
                continue;
            }
        }
        out += s[i];
    }
    return out;
}

}  // namespace

std::string EscapeHtml(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out += c;
        }
    }
    return out;
}

std::string HtmlToText(std::string_view html) {
    Parsed doc = Parse(html);
    return TextOf(doc->root);
}

std::string ShortenSummary(std::string_view text, int max_sentences, std::size_t max_chars) {
    std::size_t end = text.size();
    int sentences = 0;
    for (std::size_t i = 0; i + 1 < text.size(); ++i) {
        const char c = text[i];
        if ((c == '.' || c == '!' || c == '?') && text[i + 1] == ' ' &&
            !(c == '.' && EndsAbbreviation(text, i))) {
            if (++sentences == max_sentences) {
                end = i + 1;
                break;
            }
        }
    }
    std::string out(text.substr(0, end));
    if (out.size() <= max_chars) return out;
    std::size_t cut = max_chars;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;  // UTF-8
    const std::size_t space = out.rfind(' ', cut);
    if (space != std::string::npos && space > max_chars / 2) cut = space;
    out.resize(cut);
    while (!out.empty() && (out.back() == ' ' || out.back() == ',' || out.back() == ';')) {
        out.pop_back();
    }
    return out + "\xE2\x80\xA6";  // …
}

ArticleLead ReadArticleLead(std::string_view html, std::size_t max_chars) {
    ArticleLead lead;
    Parsed doc = Parse(html);
    std::string h1;
    const GumboNode* first_p = nullptr;
    auto consider_image = [&](const GumboNode* img) {
        if (!lead.image.empty()) return;
        const std::string src = Attr(img, "src");
        const std::string w = Attr(img, "width");
        const std::string h = Attr(img, "height");
        const bool tiny = (!w.empty() && std::atoi(w.c_str()) < 24) ||
                          (!h.empty() && std::atoi(h.c_str()) < 24);
        if (!src.empty() && src.rfind("data:", 0) != 0 && !tiny) lead.image = src;
    };
    Walk(doc->root, [&](const GumboNode* n) {
        const GumboTag tag = TagOf(n);
        if (tag == GUMBO_TAG_TITLE) {
            if (lead.title.empty()) lead.title = TextOf(n);
            return false;
        }
        if (tag == GUMBO_TAG_META && Attr(n, "property") == "mw:PageProp/disambiguation") {
            lead.disambiguation = true;
        }
        if (Attr(n, "id") == "disambigbox" || HasClass(n, "dmbox-disambig") ||
            HasClass(n, "disambiguation") || HasClass(n, "disambig")) {
            lead.disambiguation = true;
        }
        if (tag == GUMBO_TAG_HEAD) return true;  // for <title> and page properties
        if (IsNonText(n)) return false;
        if (tag == GUMBO_TAG_H1 && h1.empty()) h1 = TextOf(n);
        if (tag == GUMBO_TAG_IMG) consider_image(n);
        if (tag == GUMBO_TAG_LI && lead.candidates.size() < 40) {
            const GumboNode* link = nullptr;
            Walk(n, [&](const GumboNode* a) {
                if (!link && IsTag(a, GUMBO_TAG_A)) {
                    const std::string href = Attr(a, "href");
                    if (!href.empty() && href[0] != '#' && href.find("://") == std::string::npos) {
                        link = a;
                    }
                }
                return !link;
            });
            if (link) {
                std::string title = Attr(link, "title");
                if (title.empty()) title = TextOf(link);
                lead.candidates.push_back({Attr(link, "href"), title, TextOf(n)});
            }
        }
        if (!first_p && (tag == GUMBO_TAG_TABLE || tag == GUMBO_TAG_FIGURE ||
                         HasClass(n, "hatnote") || HasClass(n, "infobox"))) {
            // Still looked into for the main image; never for the lead paragraph.
            Walk(n, [&](const GumboNode* inner) {
                if (IsTag(inner, GUMBO_TAG_IMG)) consider_image(inner);
                return !IsNonText(inner);
            });
            return false;
        }
        if (tag == GUMBO_TAG_P && !first_p) {
            if (!TextOf(n).empty()) first_p = n;
            return false;
        }
        return true;
    });
    if (lead.title.empty()) lead.title = h1;
    if (first_p) lead.summary = ShortenSummary(TextOf(first_p), 3, max_chars);
    if (!lead.disambiguation) {
        if (std::string_view(lead.title).ends_with("(disambiguation)")) lead.disambiguation = true;
        if (ContainsCaseless(lead.summary, "may refer to") ||
            ContainsCaseless(lead.summary, "may also refer to")) {
            lead.disambiguation = true;
        }
    }
    if (!lead.disambiguation) lead.candidates.clear();
    return lead;
}

std::string SanitizeArticle(std::string_view html, std::string_view title) {
    Parsed doc = Parse(html);
    std::string body;
    const GumboNode* root = doc->root;
    // The body element's children (gumbo always builds html/head/body).
    const GumboNode* body_node = nullptr;
    Walk(root, [&](const GumboNode* n) {
        if (!body_node && IsTag(n, GUMBO_TAG_BODY)) body_node = n;
        return !body_node;
    });
    SanitizeInto(body_node ? body_node : root, body);
    std::string out =
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<meta name=\"referrer\" content=\"no-referrer\"><title>";
    out += EscapeHtml(title);
    out +=
        "</title><style>body{font:16px/1.5 system-ui,sans-serif;max-width:52rem;margin:1rem auto;"
        "padding:0 1rem;color:#1b1f24;background:#fff}img{max-width:100%;height:auto}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccd;padding:.2rem .4rem}"
        ".infobox{float:right;margin:0 0 1rem 1rem}</style></head><body>\n";
    out += body;
    out += "\n</body></html>\n";
    return out;
}

std::string ResolveArchivePath(std::string_view base_path, std::string_view href) {
    std::string_view h = href;
    if (auto cut = h.find_first_of("#?"); cut != std::string_view::npos) h = h.substr(0, cut);
    if (h.empty() || h[0] == '/') return {};
    const std::size_t colon = h.find(':');
    const std::size_t slash = h.find('/');
    if (colon != std::string_view::npos && (slash == std::string_view::npos || colon < slash)) {
        return {};  // a scheme
    }
    std::vector<std::string> parts;
    std::size_t dir_end = base_path.rfind('/');
    if (dir_end != std::string_view::npos) {
        std::string_view dir = base_path.substr(0, dir_end);
        std::size_t i = 0;
        while (i <= dir.size()) {
            std::size_t j = dir.find('/', i);
            if (j == std::string_view::npos) j = dir.size();
            if (j > i) parts.emplace_back(dir.substr(i, j - i));
            i = j + 1;
        }
    }
    const std::string decoded = PercentDecode(h);
    std::size_t i = 0;
    while (i <= decoded.size()) {
        std::size_t j = decoded.find('/', i);
        if (j == std::string::npos) j = decoded.size();
        std::string seg = decoded.substr(i, j - i);
        if (seg == "..") {
            if (parts.empty()) return {};
            parts.pop_back();
        } else if (!seg.empty() && seg != ".") {
            parts.push_back(std::move(seg));
        }
        i = j + 1;
    }
    std::string out;
    for (const auto& p : parts) {
        if (!out.empty()) out += '/';
        out += p;
    }
    return out;
}

}  // namespace beacon::wiki
