#include "liveloop/guide.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>

namespace beacon::liveloop {
namespace {

TEST(Guide, XmltvTimesCarryAnExplicitOffset) {
    EXPECT_EQ(XmltvTime(1795932000000), "20261129060000 +0000");
    EXPECT_EQ(XmltvTime(1795932000999), "20261129060000 +0000");
}

TEST(Guide, EscapesXmlAndDropsForbiddenCharacters) {
    EXPECT_EQ(XmlEscape("a<b>&\"c'\x01\x1f"
                        "d\n"),
              "a&lt;b&gt;&amp;&quot;c&apos;d\n");
}

TEST(Guide, M3uTitlesCannotBreakOutOfAttributesOrLines) {
    std::vector<ChannelListing> ch{{"main", "Evil\" tvg-id=\"x,\nnext", 3, {}}};
    auto m3u = RenderM3u(ch, "http://h", "a b&c");
    EXPECT_EQ(m3u,
              "#EXTM3U url-tvg=\"http://h/live/guide.xml?key=a%20b%26c\" "
              "x-tvg-url=\"http://h/live/guide.xml?key=a%20b%26c\"\n"
              "#EXTINF:-1 tvg-id=\"main.beacon\" tvg-chno=\"3\" tvg-name=\"Evil' tvg-id='x, next\" "
              "tvg-logo=\"http://h/live/logo.svg\" group-title=\"Beacon\","
              "Evil' tvg-id='x, next\n"
              "http://h/live/main/tv.m3u8?key=a%20b%26c\n");
}

TEST(Guide, M3uHasAnEntryPerAudioLanguage) {
    std::vector<ChannelListing> ch{{"main", "News", 2, {}, {"en", "es", "bad\"lang"}}};
    auto m3u = RenderM3u(ch, "http://h", "k");
    EXPECT_NE(m3u.find("tvg-name=\"News\" tvg-logo=\"http://h/live/logo.svg\" "
                       "tvg-language=\"en\" group-title=\"Beacon\",News\n"
                       "http://h/live/main/tv.m3u8?key=k\n"),
              std::string::npos)
        << m3u;
    EXPECT_NE(m3u.find("#EXTINF:-1 tvg-id=\"main.beacon\" tvg-chno=\"2.1\" tvg-name=\"News (es)\" "
                       "tvg-logo=\"http://h/live/logo.svg\" tvg-language=\"es\" "
                       "group-title=\"Beacon\",News (es)\n"
                       "http://h/live/main/tv.m3u8?key=k&lang=es\n"),
              std::string::npos)
        << m3u;
    EXPECT_EQ(m3u.find("bad"), std::string::npos) << "a language that is not a plain tag is left out";
    auto keyless = RenderM3u(ch, "http://h", "");
    EXPECT_NE(keyless.find("/live/main/tv.m3u8?lang=es\n"), std::string::npos) << keyless;
}

TEST(Guide, AChannelHasOneNameInTheM3uAndTheXmltv) {
    EXPECT_EQ(ChannelName("News, Weather & \"Sport\"", "news"), "News, Weather & 'Sport'");
    EXPECT_EQ(ChannelName("", "main"), "main");
    EXPECT_EQ(ChannelName("a\tb\r\nc", "x"), "a b  c");
    std::vector<ChannelListing> ch{{"news", "News, Weather & \"Sport\"", 2, {}}};
    const auto m3u = RenderM3u(ch, "http://h", "k");
    const auto xml = RenderXmltv(ch, "http://h");
    EXPECT_NE(m3u.find("tvg-name=\"News, Weather & 'Sport'\""), std::string::npos) << m3u;
    EXPECT_NE(m3u.find("group-title=\"Beacon\",News, Weather & 'Sport'\n"), std::string::npos);
    EXPECT_NE(xml.find("<display-name>News, Weather &amp; &apos;Sport&apos;</display-name>"),
              std::string::npos)
        << xml;
}

TEST(Guide, NamesAgreeWhenAThirdPartyParserReadsTheM3u) {
    namespace fs = std::filesystem;
    const fs::path tools = fs::path(BEACON_SOURCE_DIR) / "tests/e2e/liveloop_tools";
    if (!fs::exists(tools / "node_modules/iptv-playlist-parser")) {
        GTEST_SKIP() << "run `npm ci` in tests/e2e/liveloop_tools first";
    }
    const std::vector<ChannelListing> ch{
        {"news", "News, Weather & \"Sport\"", 2, {{5, 1795932000000, 1795932010000, "A", ""}}},
        {"main", "Main", 1, {}},
        {"quotes", "\"Quoted\", and, commas,", 3, {}},
        {"bare", "", 4, {}}};
    const fs::path dir = fs::temp_directory_path() / ("beacon-guide-" + std::to_string(getpid()));
    fs::create_directories(dir);
    std::ofstream(dir / "channels.m3u") << RenderM3u(ch, "http://h:8", "s3cr3tkey");
    std::ofstream(dir / "guide.xml") << RenderXmltv(ch, "http://h:8");
    const std::string cmd = "node '" + (tools / "check_names.mjs").string() + "' '" +
                            (dir / "channels.m3u").string() + "' '" + (dir / "guide.xml").string() +
                            "' s3cr3tkey \"News, Weather & 'Sport'\" Main \"'Quoted', and, "
                            "commas,\" bare 2>&1";
    std::string output;
    FILE* p = popen(cmd.c_str(), "r");
    ASSERT_NE(p, nullptr);
    char buf[512];
    while (fgets(buf, sizeof buf, p)) output += buf;
    const int rc = pclose(p);
    fs::remove_all(dir);
    EXPECT_EQ(rc, 0) << output;
}

TEST(Guide, XmltvCarriesNoKeyAndAPublicLogo) {
    std::vector<ChannelListing> ch{
        {"main", "Main", 1, {{1, 1795932000000, 1795932011000, "A", ""}}}};
    const auto xml = RenderXmltv(ch, "http://h");
    EXPECT_NE(xml.find("<icon src=\"http://h/live/logo.svg\"/>"), std::string::npos) << xml;
    EXPECT_EQ(xml.find("key"), std::string::npos) << xml;
}

TEST(Guide, XmltvTimesMatchGmtime) {
    for (core::UnixMillis t = -86400000LL * 800; t < 4102444800000LL; t += 86399999LL * 7 + 12345) {
        const std::time_t secs = static_cast<std::time_t>(t >= 0 ? t / 1000 : (t - 999) / 1000);
        std::tm tm{};
        gmtime_r(&secs, &tm);
        char buf[40];
        std::snprintf(buf, sizeof buf, "%04d%02d%02d%02d%02d%02d +0000", tm.tm_year + 1900,
                      tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
        ASSERT_EQ(XmltvTime(t), buf) << t;
    }
}

TEST(Guide, XmltvListsEveryProgrammeItIsGiven) {
    // 24 h of 10 s items: 8640 programmes, all listed (no count cap in the renderer).
    ChannelListing l{"main", "Main", 1, {}};
    for (int i = 0; i < 8640; ++i) {
        const core::UnixMillis start = 1795932000000 + i * 10000LL;
        l.programmes.push_back(
            {1 + i % 4, start, start + 10000, "Item " + std::to_string(i % 4), ""});
    }
    const auto xml = RenderXmltv({l}, "http://h");
    std::size_t count = 0;
    for (auto pos = xml.find("<programme "); pos != std::string::npos;
         pos = xml.find("<programme ", pos + 1)) {
        ++count;
    }
    EXPECT_EQ(count, 8640u);
    EXPECT_NE(xml.find("start=\"20261130055950 +0000\" stop=\"20261130060000 +0000\""),
              std::string::npos);
}

TEST(Guide, XmltvListsChannelsBeforeProgrammes) {
    std::vector<ChannelListing> ch{
        {"main", "Main", 1, {{1, 1795932000000, 1795932011000, "A", "About A"}}},
        {"kids", "Kids", 2, {{2, 1795932000000, 1795932004000, "", ""}}}};
    auto xml = RenderXmltv(ch, "http://h");
    EXPECT_LT(xml.find("<channel id=\"kids.beacon\">"), xml.find("<programme"));
    EXPECT_NE(xml.find("<programme start=\"20261129060000 +0000\" stop=\"20261129060011 +0000\" "
                       "channel=\"main.beacon\">\n    <title>A</title>\n    <desc>About A</desc>"),
              std::string::npos);
    EXPECT_NE(xml.find("<title>Untitled</title>"), std::string::npos);
    EXPECT_NE(xml.find("<!DOCTYPE tv SYSTEM \"xmltv.dtd\">"), std::string::npos);
}

}  // namespace
}  // namespace beacon::liveloop
