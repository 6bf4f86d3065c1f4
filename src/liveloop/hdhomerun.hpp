#pragma once
/// HDHomeRun tuner emulation: the HTTP API of a SiliconDust HDHomeRun as Plex, Jellyfin and
/// Emby read it (the shape ErsatzTV, Tunarr and xTeVe emulate), so that Beacon's channels can be
/// added as a network TV tuner whose guide is Beacon's XMLTV. Pure: no I/O.
///
///   GET  /discover.json       device identity + LineupURL
///   GET  /lineup_status.json  {"ScanInProgress":0,"ScanPossible":1,"Source":"Cable",...}
///   GET  /lineup.json         [{"GuideNumber":"1","GuideName":"Main","URL":".../stream.ts?key=K"}]
///   GET  /device.xml          UPnP device description (MediaServer, Silicondust HDTC-2US)
///   POST /lineup.post?scan=start|abort  200 (nothing to scan: the lineup is always current)
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace beacon::liveloop {

/// One channel as a tuner lists it.
struct TunerChannel {
    int number = 1;    // GuideNumber (= tvg-chno in channels.m3u)
    std::string name;  // GuideName (= the M3U/XMLTV channel name)
    std::string slug;
    std::string url;  // absolute URL of the channel's MPEG-TS stream, with ?key= when needed
};

/// What discover.json and device.xml say about the device.
struct TunerDevice {
    std::string device_id;  // 8 hex digits (upper case) with a valid HDHomeRun checksum
    std::string uuid;       // UPnP UDN without "uuid:", derived from the same seed
    std::string friendly_name = "Beacon";
    std::string base_url;  // "http://host:port", no trailing slash
    int tuner_count = 4;
    std::string firmware_version = "20240101";
    std::string device_auth;  // Plex sends it back to api.hdhomerun.com only; any token works
};

/// True when `id` is 8 hex digits whose nibbles pass libhdhomerun's checksum (the XOR of the
/// odd nibbles through a fixed table and the even nibbles as they are is 0). Plex rejects a
/// device whose DeviceID fails it.
bool ValidDeviceId(std::string_view id);
/// A device with a stable identity derived from `seed` (e.g. the data folder's absolute path):
/// the same seed always gives the same DeviceID, UUID and DeviceAuth.
TunerDevice MakeTunerDevice(std::string_view seed);

std::string DiscoverJson(const TunerDevice& device);
std::string LineupStatusJson();
std::string LineupJson(const std::vector<TunerChannel>& channels);
std::string DeviceXml(const TunerDevice& device);

/// An answer to one of the tuner routes.
struct TunerAnswer {
    unsigned status = 200;
    std::string content_type;
    std::string body;
};
/// Answers `path` ("discover.json", "lineup_status.json", "lineup.json", "device.xml",
/// "lineup.post"); `scan` is the ?scan= value of lineup.post ("start" or "abort": 200 with an
/// empty body, anything else 400). Unknown path: 404.
TunerAnswer AnswerTuner(std::string_view path, std::string_view scan, const TunerDevice& device,
                        const std::vector<TunerChannel>& channels);

}  // namespace beacon::liveloop
