#include "liveloop/guide.hpp"

#include <cctype>
#include <cstdio>
#include <ctime>

namespace beacon::liveloop {

namespace {

std::string KeyQuery(std::string_view key) {
    return key.empty() ? std::string() : "?key=" + UrlEncode(key);
}

/// M3U attribute values and the title after the comma: no quotes, commas or line breaks.
std::string M3uText(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (c == '"') {
            out += '\'';
        } else if (c == '\n' || c == '\r' || static_cast<unsigned char>(c) < 0x20) {
            out += ' ';
        } else if (c == ',') {
            out += ' ';
        } else {
            out += c;
        }
    }
    return out;
}

}  // namespace

std::string ChannelId(std::string_view slug) { return std::string(slug) + ".beacon"; }

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
    for (unsigned char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&apos;"; break;
            default:
                if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') break;  // not allowed
                out += static_cast<char>(c);
        }
    }
    return out;
}

std::string XmltvTime(core::UnixMillis t) {
    std::time_t secs = static_cast<std::time_t>(t / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[80];
    std::snprintf(buf, sizeof buf, "%04d%02d%02d%02d%02d%02d +0000", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return buf;
}

std::string RenderM3u(const std::vector<ChannelListing>& channels, std::string_view base_url,
                      std::string_view key) {
    const std::string q = KeyQuery(key);
    const std::string guide = std::string(base_url) + "/live/guide.xml" + q;
    std::string out = "#EXTM3U url-tvg=\"" + guide + "\" x-tvg-url=\"" + guide + "\"\n";
    for (const auto& ch : channels) {
        const std::string name = M3uText(ch.title.empty() ? ch.slug : ch.title);
        out += "#EXTINF:-1 tvg-id=\"" + ChannelId(ch.slug) + "\" tvg-chno=\"" +
               std::to_string(ch.number) + "\" tvg-name=\"" + name + "\" tvg-logo=\"" +
               std::string(base_url) + "/live/logo.svg" + q + "\" group-title=\"Beacon\"," +
               name + "\n";
        out += std::string(base_url) + "/live/" + ch.slug + "/index.m3u8" + q + "\n";
    }
    return out;
}

std::string RenderXmltv(const std::vector<ChannelListing>& channels, std::string_view base_url,
                        std::string_view key) {
    const std::string q = KeyQuery(key);
    std::string out =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<!DOCTYPE tv SYSTEM \"xmltv.dtd\">\n"
        "<tv source-info-name=\"Beacon LiveLoop\" generator-info-name=\"Beacon\">\n";
    for (const auto& ch : channels) {
        out += "  <channel id=\"" + XmlEscape(ChannelId(ch.slug)) + "\">\n";
        out += "    <display-name>" + XmlEscape(ch.title.empty() ? ch.slug : ch.title) +
               "</display-name>\n";
        out += "    <display-name>" + std::to_string(ch.number) + "</display-name>\n";
        out += "    <icon src=\"" + XmlEscape(std::string(base_url) + "/live/logo.svg" + q) +
               "\"/>\n";
        out += "    <url>" + XmlEscape(std::string(base_url) + "/live/" + ch.slug +
                                       "/index.m3u8") +
               "</url>\n";
        out += "  </channel>\n";
    }
    for (const auto& ch : channels) {
        const std::string id = XmlEscape(ChannelId(ch.slug));
        for (const auto& p : ch.programmes) {
            out += "  <programme start=\"" + XmltvTime(p.start) + "\" stop=\"" +
                   XmltvTime(p.stop) + "\" channel=\"" + id + "\">\n";
            out += "    <title>" + XmlEscape(p.title.empty() ? "Untitled" : p.title) +
                   "</title>\n";
            if (!p.description.empty()) {
                out += "    <desc>" + XmlEscape(p.description) + "</desc>\n";
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
