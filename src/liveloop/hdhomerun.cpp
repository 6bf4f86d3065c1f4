#include "liveloop/hdhomerun.hpp"

#include <array>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "liveloop/guide.hpp"

namespace beacon::liveloop {

namespace {

/// libhdhomerun's checksum table (hdhomerun_discover_validate_device_id).
constexpr std::array<std::uint8_t, 16> kChecksumTable = {0xA, 0x5, 0xF, 0x6, 0x7, 0xC, 0x1, 0xB,
                                                         0x9, 0x2, 0x8, 0xD, 0x4, 0x3, 0xE, 0x0};

std::uint8_t Checksum(std::uint32_t id) {
    std::uint8_t sum = 0;
    for (int nibble = 7; nibble >= 0; --nibble) {
        const auto v = static_cast<std::uint8_t>((id >> (nibble * 4)) & 0xF);
        sum ^= (nibble % 2 == 1) ? kChecksumTable[v] : v;
    }
    return sum;
}

std::uint64_t Fnv1a(std::string_view s, std::uint64_t h = 14695981039346656037ULL) {
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    return h;
}

std::string Hex(std::uint64_t v, int digits) {
    std::string out(static_cast<std::size_t>(digits), '0');
    static const char* kHex = "0123456789ABCDEF";
    for (int i = digits - 1; i >= 0; --i, v >>= 4) out[static_cast<std::size_t>(i)] = kHex[v & 15];
    return out;
}

}  // namespace

bool ValidDeviceId(std::string_view id) {
    if (id.size() != 8) return false;
    std::uint32_t v = 0;
    for (char c : id) {
        int d = 0;
        if (c >= '0' && c <= '9') {
            d = c - '0';
        } else if (c >= 'A' && c <= 'F') {
            d = c - 'A' + 10;
        } else if (c >= 'a' && c <= 'f') {
            d = c - 'a' + 10;
        } else {
            return false;
        }
        v = (v << 4) | static_cast<std::uint32_t>(d);
    }
    return Checksum(v) == 0;
}

TunerDevice MakeTunerDevice(std::string_view seed) {
    TunerDevice d;
    const std::uint64_t h = Fnv1a(seed);
    // The top 7 nibbles from the hash ("1" first, like real devices' 1xxxxxxx ids); the last
    // nibble is chosen so that the checksum is 0 (it enters the XOR as it is).
    std::uint32_t id = 0x10000000u | static_cast<std::uint32_t>((h >> 8) & 0x0FFFFFF0u);
    id |= Checksum(id);
    d.device_id = Hex(id, 8);
    const std::uint64_t a = Fnv1a("uuid", h);
    const std::uint64_t b = Fnv1a("uuid2", a);
    // A version 4 / variant 1 shaped UUID (deterministic, so the UDN never changes).
    d.uuid = Hex(a >> 32, 8) + "-" + Hex((a >> 16) & 0xFFFF, 4) + "-4" + Hex(a & 0xFFF, 3) + "-" +
             Hex(0x8000 | ((b >> 48) & 0x3FFF), 4) + "-" + Hex(b & 0xFFFFFFFFFFFFULL, 12);
    d.device_auth = Hex(Fnv1a("auth", b), 16);
    return d;
}

std::string DiscoverJson(const TunerDevice& d) {
    nlohmann::ordered_json j;
    j["FriendlyName"] = d.friendly_name;
    j["Manufacturer"] = "Silicondust";
    j["ManufacturerURL"] = "https://www.silicondust.com/";
    j["ModelNumber"] = "HDTC-2US";
    j["FirmwareName"] = "hdhomeruntc_atsc";
    j["FirmwareVersion"] = d.firmware_version;
    j["DeviceID"] = d.device_id;
    j["DeviceAuth"] = d.device_auth;
    j["BaseURL"] = d.base_url;
    j["LineupURL"] = d.base_url + "/lineup.json";
    j["TunerCount"] = d.tuner_count;
    return j.dump();
}

std::string LineupStatusJson() {
    nlohmann::ordered_json j;
    j["ScanInProgress"] = 0;
    j["ScanPossible"] = 1;
    j["Source"] = "Cable";
    j["SourceList"] = {"Cable"};
    return j.dump();
}

std::string LineupJson(const std::vector<TunerChannel>& channels) {
    nlohmann::ordered_json j = nlohmann::ordered_json::array();
    for (const auto& c : channels) {
        nlohmann::ordered_json e;
        e["GuideNumber"] = std::to_string(c.number);  // a string, as devices send "5.1"
        e["GuideName"] = c.name;
        e["URL"] = c.url;
        j.push_back(std::move(e));
    }
    return j.dump();
}

std::string DeviceXml(const TunerDevice& d) {
    return "<root xmlns=\"urn:schemas-upnp-org:device-1-0\">\n"
           "  <URLBase>" +
           XmlEscape(d.base_url) +
           "</URLBase>\n"
           "  <specVersion>\n"
           "    <major>1</major>\n"
           "    <minor>0</minor>\n"
           "  </specVersion>\n"
           "  <device>\n"
           "    <deviceType>urn:schemas-upnp-org:device:MediaServer:1</deviceType>\n"
           "    <friendlyName>" +
           XmlEscape(d.friendly_name) +
           "</friendlyName>\n"
           "    <manufacturer>Silicondust</manufacturer>\n"
           "    <modelName>HDTC-2US</modelName>\n"
           "    <modelNumber>HDTC-2US</modelNumber>\n"
           "    <serialNumber>" +
           XmlEscape(d.device_id) +
           "</serialNumber>\n"
           "    <UDN>uuid:" +
           XmlEscape(d.uuid) +
           "</UDN>\n"
           "  </device>\n"
           "</root>\n";
}

TunerAnswer AnswerTuner(std::string_view path, std::string_view scan, const TunerDevice& device,
                        const std::vector<TunerChannel>& channels) {
    constexpr const char* kJson = "application/json";
    if (path == "discover.json") return {200, kJson, DiscoverJson(device)};
    if (path == "lineup_status.json") return {200, kJson, LineupStatusJson()};
    if (path == "lineup.json") return {200, kJson, LineupJson(channels)};
    if (path == "device.xml") return {200, "application/xml; charset=utf-8", DeviceXml(device)};
    if (path == "lineup.post") {
        if (scan == "start" || scan == "abort") return {200, "text/plain; charset=utf-8", ""};
        return {400, kJson,
                R"({"error":{"code":"invalid_argument","message":"scan must be start or abort"}})"};
    }
    return {404, kJson, R"({"error":{"code":"not_found","message":"no such tuner path"}})"};
}

}  // namespace beacon::liveloop
