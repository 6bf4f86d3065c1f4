#include "liveloop/hdhomerun.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace beacon::liveloop {
namespace {

/// libhdhomerun's validation written out as the reference does it, nibble by nibble.
bool ReferenceValid(std::uint32_t id) {
    static const std::uint8_t t[16] = {0xA, 0x5, 0xF, 0x6, 0x7, 0xC, 0x1, 0xB,
                                       0x9, 0x2, 0x8, 0xD, 0x4, 0x3, 0xE, 0x0};
    std::uint8_t c = 0;
    c ^= t[(id >> 28) & 0x0F];
    c ^= (id >> 24) & 0x0F;
    c ^= t[(id >> 20) & 0x0F];
    c ^= (id >> 16) & 0x0F;
    c ^= t[(id >> 12) & 0x0F];
    c ^= (id >> 8) & 0x0F;
    c ^= t[(id >> 4) & 0x0F];
    c ^= (id >> 0) & 0x0F;
    return c == 0;
}

TunerDevice Device() {
    TunerDevice d = MakeTunerDevice("studio-a/data");
    d.base_url = "http://192.168.1.20:8080";
    return d;
}

TEST(HdHomeRun, DeviceIdIsStableEightHexDigitsWithAValidChecksum) {
    const TunerDevice a = MakeTunerDevice("studio-a/data");
    const TunerDevice b = MakeTunerDevice("studio-a/data");
    const TunerDevice other = MakeTunerDevice("another-studio/data");
    EXPECT_EQ(a.device_id, b.device_id);
    EXPECT_EQ(a.uuid, b.uuid);
    EXPECT_EQ(a.device_auth, b.device_auth);
    EXPECT_NE(a.device_id, other.device_id);
    EXPECT_NE(a.uuid, other.uuid);
    for (const auto& seed : {"", "a", "studio-a/data", "another-studio/data", "x/y/z"}) {
        const std::string id = MakeTunerDevice(seed).device_id;
        ASSERT_EQ(id.size(), 8u) << id;
        EXPECT_EQ(id.find_first_not_of("0123456789ABCDEF"), std::string::npos) << id;
        EXPECT_TRUE(ValidDeviceId(id)) << id;
        EXPECT_TRUE(ReferenceValid(static_cast<std::uint32_t>(std::stoul(id, nullptr, 16)))) << id;
    }
    EXPECT_EQ(a.uuid.size(), 36u);
    EXPECT_EQ(a.uuid[14], '4');
}

TEST(HdHomeRun, ValidDeviceIdAgreesWithTheReferenceAndCatchesAnyOneNibbleChange) {
    for (std::uint32_t id = 0x10000000; id < 0x10000000 + 4096 * 16; id += 7) {
        char text[9];
        std::snprintf(text, sizeof text, "%08X", id);
        EXPECT_EQ(ValidDeviceId(text), ReferenceValid(id)) << text;
    }
    const std::string id = MakeTunerDevice("seed").device_id;
    for (std::size_t i = 0; i < id.size(); ++i) {
        std::string changed = id;
        changed[i] = changed[i] == '0' ? '1' : '0';
        EXPECT_FALSE(ValidDeviceId(changed)) << changed;
    }
    std::string lower = id;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_TRUE(ValidDeviceId(lower));
    EXPECT_FALSE(ValidDeviceId("1234567"));
    EXPECT_FALSE(ValidDeviceId("1234567G"));
    EXPECT_FALSE(ValidDeviceId("Beacon"));
}

TEST(HdHomeRun, DiscoverJsonHasTheKeysAndTypesPlexReads) {
    const TunerDevice d = Device();
    const auto j = nlohmann::json::parse(DiscoverJson(d));
    ASSERT_TRUE(j.is_object());
    for (const char* k : {"FriendlyName", "Manufacturer", "ModelNumber", "FirmwareName",
                          "FirmwareVersion", "DeviceID", "DeviceAuth", "BaseURL", "LineupURL"}) {
        ASSERT_TRUE(j.contains(k)) << k;
        EXPECT_TRUE(j[k].is_string()) << k;
    }
    ASSERT_TRUE(j.contains("TunerCount"));
    EXPECT_TRUE(j["TunerCount"].is_number_integer());
    EXPECT_EQ(j["TunerCount"], 4);
    EXPECT_EQ(j["ModelNumber"], "HDTC-2US");
    EXPECT_EQ(j["FirmwareName"], "hdhomeruntc_atsc");
    EXPECT_EQ(j["FriendlyName"], "Beacon");
    EXPECT_EQ(j["DeviceID"], d.device_id);
    EXPECT_EQ(j["BaseURL"], "http://192.168.1.20:8080");
    EXPECT_EQ(j["LineupURL"], "http://192.168.1.20:8080/lineup.json");
}

TEST(HdHomeRun, LineupStatusSaysNoScanIsRunningAndOneCanStart) {
    EXPECT_EQ(LineupStatusJson(),
              R"({"ScanInProgress":0,"ScanPossible":1,"Source":"Cable","SourceList":["Cable"]})");
}

TEST(HdHomeRun, LineupListsGuideNumbersAsStringsNamesAndStreamUrls) {
    std::vector<TunerChannel> ch{
        {1, "Main", "main", "http://h:8/live/main/stream.ts?key=K"},
        {12, "News, Weather & \"Sport\"", "news", "http://h:8/live/news/stream.ts?key=K"}};
    EXPECT_EQ(
        LineupJson(ch),
        R"([{"GuideNumber":"1","GuideName":"Main","URL":"http://h:8/live/main/stream.ts?key=K"},)"
        R"({"GuideNumber":"12","GuideName":"News, Weather & \"Sport\"",)"
        R"("URL":"http://h:8/live/news/stream.ts?key=K"}])");
    EXPECT_EQ(LineupJson({}), "[]");
}

TEST(HdHomeRun, DeviceXmlIsAUpnpMediaServerDescription) {
    TunerDevice d = Device();
    d.friendly_name = "Beacon <home>";
    const std::string xml = DeviceXml(d);
    EXPECT_EQ(xml.rfind("<root xmlns=\"urn:schemas-upnp-org:device-1-0\">", 0), 0u);
    EXPECT_NE(xml.find("<URLBase>http://192.168.1.20:8080</URLBase>"), std::string::npos);
    EXPECT_NE(xml.find("<deviceType>urn:schemas-upnp-org:device:MediaServer:1</deviceType>"),
              std::string::npos);
    EXPECT_NE(xml.find("<friendlyName>Beacon &lt;home&gt;</friendlyName>"), std::string::npos);
    EXPECT_NE(xml.find("<manufacturer>Silicondust</manufacturer>"), std::string::npos);
    EXPECT_NE(xml.find("<modelName>HDTC-2US</modelName>"), std::string::npos);
    EXPECT_NE(xml.find("<modelNumber>HDTC-2US</modelNumber>"), std::string::npos);
    EXPECT_NE(xml.find("<serialNumber>" + d.device_id + "</serialNumber>"), std::string::npos);
    EXPECT_NE(xml.find("<UDN>uuid:" + d.uuid + "</UDN>"), std::string::npos);
}

TEST(HdHomeRun, AnswersEachRouteAndRefusesTheRest) {
    const TunerDevice d = Device();
    const std::vector<TunerChannel> ch{{1, "Main", "main", "http://h/live/main/stream.ts"}};
    auto a = AnswerTuner("discover.json", "", d, ch);
    EXPECT_EQ(a.status, 200u);
    EXPECT_EQ(a.content_type, "application/json");
    EXPECT_EQ(a.body, DiscoverJson(d));
    EXPECT_EQ(AnswerTuner("lineup.json", "", d, ch).body, LineupJson(ch));
    EXPECT_EQ(AnswerTuner("lineup_status.json", "", d, ch).body, LineupStatusJson());
    a = AnswerTuner("device.xml", "", d, ch);
    EXPECT_EQ(a.status, 200u);
    EXPECT_EQ(a.content_type, "application/xml; charset=utf-8");
    EXPECT_EQ(AnswerTuner("lineup.post", "start", d, ch).status, 200u);
    EXPECT_EQ(AnswerTuner("lineup.post", "abort", d, ch).status, 200u);
    EXPECT_EQ(AnswerTuner("lineup.post", "", d, ch).status, 400u);
    a = AnswerTuner("auto/v1", "", d, ch);
    EXPECT_EQ(a.status, 404u);
    EXPECT_EQ(nlohmann::json::parse(a.body)["error"]["code"], "not_found");
}

}  // namespace
}  // namespace beacon::liveloop
