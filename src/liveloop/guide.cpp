#include "liveloop/guide.hpp"

#include <cctype>

#include "liveloop/timezone.hpp"

namespace beacon::liveloop {

namespace {

std::string KeyQuery(std::string_view key) {
    return key.empty() ? std::string() : "?key=" + UrlEncode(key);
}

/// Appends XmlEscape(s) to out without a temporary.
void AppendXml(std::string& out, std::string_view s) {
    for (unsigned char c : s) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&apos;";
                break;
            default:
                if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') break;  // not allowed
                out += static_cast<char>(c);
        }
    }
}

/// Appends "YYYYMMDDhhmmss +0000" (no gmtime_r, no snprintf: the guide writes two per programme).
void AppendXmltvTime(std::string& out, core::UnixMillis t) {
    std::int64_t secs = t / 1000;
    if (t % 1000 < 0) --secs;
    std::int64_t days = secs / 86400;
    std::int64_t rem = secs % 86400;
    if (rem < 0) {
        rem += 86400;
        --days;
    }
    int y = 0, m = 0, d = 0;
    CivilFromDays(days, y, m, d);
    if (y < 0 || y > 9999) y = 0;
    char buf[20];
    auto put = [&buf](int at, unsigned v, int digits) {
        for (int i = digits - 1; i >= 0; --i, v /= 10)
            buf[at + i] = static_cast<char>('0' + v % 10);
    };
    put(0, static_cast<unsigned>(y), 4);
    put(4, static_cast<unsigned>(m), 2);
    put(6, static_cast<unsigned>(d), 2);
    put(8, static_cast<unsigned>(rem / 3600), 2);
    put(10, static_cast<unsigned>(rem / 60 % 60), 2);
    put(12, static_cast<unsigned>(rem % 60), 2);
    out.append(buf, 14);
    out += " +0000";
}

}  // namespace

std::string ChannelId(std::string_view slug) { return std::string(slug) + ".beacon"; }

std::string ChannelName(std::string_view title, std::string_view slug) {
    std::string out;
    for (char c : title.empty() ? slug : title) {
        if (c == '"') {
            out += '\'';
        } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
            out += ' ';
        } else {
            out += c;
        }
    }
    return out;
}

std::string UrlEncode(std::string_view s) {
    static const char* kHex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
    }
    return out;
}

std::string XmlEscape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    AppendXml(out, s);
    return out;
}

std::string XmltvTime(core::UnixMillis t) {
    std::string out;
    AppendXmltvTime(out, t);
    return out;
}

std::string RenderM3u(const std::vector<ChannelListing>& channels, std::string_view base_url,
                      std::string_view key) {
    const std::string q = KeyQuery(key);
    const std::string guide = std::string(base_url) + "/live/guide.xml" + q;
    const std::string logo = std::string(base_url) + "/live/logo.svg";
    std::string out = "#EXTM3U url-tvg=\"" + guide + "\" x-tvg-url=\"" + guide + "\"\n";
    for (const auto& ch : channels) {
        const std::string name = ChannelName(ch.title, ch.slug);
        const std::string lang0 = ch.languages.empty() ? "" : ch.languages.front();
        out += "#EXTINF:-1 tvg-id=\"" + ChannelId(ch.slug) + "\" tvg-chno=\"" +
               std::to_string(ch.number) + "\" tvg-name=\"" + name + "\" tvg-logo=\"" + logo +
               (lang0.empty() ? "" : "\" tvg-language=\"" + lang0) +
               "\" group-title=\"Beacon\"," + name + "\n";
        // IPTV apps (and Kodi/Jellyfin/Plex through ffmpeg) get the muxed variant: video and
        // the channel's first audio language in one TS.
        out += std::string(base_url) + "/live/" + ch.slug + "/tv.m3u8" + q + "\n";
        // Every other language is an entry of its own (most IPTV apps cannot switch the audio
        // of a muxed TS): the same guide (tvg-id), the language in the name and the URL.
        for (std::size_t i = 1; i < ch.languages.size(); ++i) {
            const std::string& lang = ch.languages[i];
            bool plain = !lang.empty() && lang.size() <= 16;
            for (char c : lang) {
                plain = plain && (std::isalnum(static_cast<unsigned char>(c)) || c == '-');
            }
            if (!plain) continue;
            const std::string lname = name + " (" + lang + ")";
            out += "#EXTINF:-1 tvg-id=\"" + ChannelId(ch.slug) + "\" tvg-chno=\"" +
                   std::to_string(ch.number) + "." + std::to_string(i) + "\" tvg-name=\"" +
                   lname + "\" tvg-logo=\"" + logo + "\" tvg-language=\"" + lang +
                   "\" group-title=\"Beacon\"," + lname + "\n";
            out += std::string(base_url) + "/live/" + ch.slug + "/tv.m3u8" +
                   (q.empty() ? "?lang=" : q + "&lang=") + lang + "\n";
        }
    }
    return out;
}

std::string RenderXmltv(const std::vector<ChannelListing>& channels, std::string_view base_url) {
    std::size_t programmes = 0;
    for (const auto& ch : channels) programmes += ch.programmes.size();
    std::string out;
    out.reserve(512 + channels.size() * 256 + programmes * 160);
    out +=
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<!DOCTYPE tv SYSTEM \"xmltv.dtd\">\n"
        "<tv source-info-name=\"Beacon LiveLoop\" generator-info-name=\"Beacon\">\n";
    for (const auto& ch : channels) {
        out += "  <channel id=\"";
        AppendXml(out, ChannelId(ch.slug));
        out += "\">\n    <display-name>";
        AppendXml(out, ChannelName(ch.title, ch.slug));
        out += "</display-name>\n    <display-name>" + std::to_string(ch.number) +
               "</display-name>\n    <icon src=\"";
        AppendXml(out, std::string(base_url) + "/live/logo.svg");
        out += "\"/>\n    <url>";
        AppendXml(out, std::string(base_url) + "/live/" + ch.slug + "/index.m3u8");
        out += "</url>\n  </channel>\n";
    }
    for (const auto& ch : channels) {
        const std::string id = XmlEscape(ChannelId(ch.slug));
        // Items repeat: escape each distinct title/description once.
        std::int64_t last_id = -1;
        std::string title_xml, desc_xml;
        for (const auto& p : ch.programmes) {
            if (p.content_id != last_id || p.content_id == 0) {
                title_xml = XmlEscape(p.title.empty() ? "Untitled" : p.title);
                desc_xml = XmlEscape(p.description);
                last_id = p.content_id;
            }
            out += "  <programme start=\"";
            AppendXmltvTime(out, p.start);
            out += "\" stop=\"";
            AppendXmltvTime(out, p.stop);
            out += "\" channel=\"";
            out += id;
            out += "\">\n    <title>";
            out += title_xml;
            out += "</title>\n";
            if (!desc_xml.empty()) {
                out += "    <desc>";
                out += desc_xml;
                out += "</desc>\n";
            }
            out += "  </programme>\n";
        }
    }
    out += "</tv>\n";
    return out;
}

std::string_view LogoSvg() {
    return R"(<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256">
  <rect width="256" height="256" rx="40" fill="#0f4c4c"/>
  <circle cx="128" cy="112" r="28" fill="#e0b13a"/>
  <path d="M128 150 L100 214 H156 Z" fill="#e0b13a"/>
  <path d="M70 112 A58 58 0 0 1 186 112" fill="none" stroke="#5fc9c0" stroke-width="10"
        stroke-linecap="round"/>
  <path d="M44 112 A84 84 0 0 1 212 112" fill="none" stroke="#5fc9c0" stroke-width="8"
        stroke-linecap="round" opacity="0.6"/>
</svg>
)";
}

}  // namespace beacon::liveloop
