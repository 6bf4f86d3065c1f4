#pragma once
/// What IPTV clients (VLC, Kodi, Jellyfin live TV) read: the channel list as an M3U with
/// `url-tvg`/`tvg-*` attributes, and the programme guide as XMLTV (valid against the XMLTV DTD,
/// times with explicit +0000 offsets). Pure: no I/O.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/model.hpp"

namespace beacon::liveloop {

struct Programme {
    std::int64_t content_id = 0;
    core::UnixMillis start = 0;
    core::UnixMillis stop = 0;
    std::string title;
    std::string description;
};

struct ChannelListing {
    std::string slug;
    std::string title;
    int number = 1;  // tvg-chno
    std::vector<Programme> programmes;
    /// Audio languages the channel carries, its default first (M3U: one entry per language).
    std::vector<std::string> languages;
};

/// The tvg-id / XMLTV channel id of a channel: "<slug>.beacon".
std::string ChannelId(std::string_view slug);
/// The channel's name wherever a client shows it (M3U tvg-name and title, XMLTV display-name,
/// HDHomeRun GuideName), the same text in all: the title (or the slug when empty) with line
/// breaks and control characters as spaces and '"' as '\'' (an M3U attribute cannot hold '"':
/// parsers end the value there). Commas stay.
std::string ChannelName(std::string_view title, std::string_view slug);

/// `base_url` is "http://host:port" (no trailing slash); `key` is the stream key to append as
/// ?key= (empty: none) to the channels' URLs. The logo (public) and the XMLTV never carry it.
std::string RenderM3u(const std::vector<ChannelListing>& channels, std::string_view base_url,
                      std::string_view key);
/// Linear in the number of programmes (24 h of 10 s items, 8640 programmes, renders in about
/// a millisecond: bench/liveloop/guide_bench.cpp).
std::string RenderXmltv(const std::vector<ChannelListing>& channels, std::string_view base_url);
/// XMLTV time: "20261129060000 +0000".
std::string XmltvTime(core::UnixMillis t);
/// Escapes text for XML content and attribute values; drops characters XML 1.0 forbids.
std::string XmlEscape(std::string_view s);
/// Percent-encodes a query value.
std::string UrlEncode(std::string_view s);
/// The channel logo (SVG): Beacon's teal tile with a gold beacon mark.
std::string_view LogoSvg();

}  // namespace beacon::liveloop
