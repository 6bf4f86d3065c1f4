#include "liveloop/guide.hpp"

#include <gtest/gtest.h>

namespace beacon::liveloop {
namespace {

TEST(Guide, XmltvTimesCarryAnExplicitOffset) {
    EXPECT_EQ(XmltvTime(1795932000000), "20261129060000 +0000");
    EXPECT_EQ(XmltvTime(1795932000999), "20261129060000 +0000");
}

TEST(Guide, EscapesXmlAndDropsForbiddenCharacters) {
    EXPECT_EQ(XmlEscape("a<b>&\"c'\x01\x1f" "d\n"), "a&lt;b&gt;&amp;&quot;c&apos;d\n");
}

TEST(Guide, M3uTitlesCannotBreakOutOfAttributesOrLines) {
    std::vector<ChannelListing> ch{{"main", "Evil\" tvg-id=\"x,\nnext", 3, {}}};
    auto m3u = RenderM3u(ch, "http://h", "a b&c");
    EXPECT_EQ(m3u,
              "#EXTM3U url-tvg=\"http://h/live/guide.xml?key=a%20b%26c\" "
              "x-tvg-url=\"http://h/live/guide.xml?key=a%20b%26c\"\n"
              "#EXTINF:-1 tvg-id=\"main.beacon\" tvg-chno=\"3\" tvg-name=\"Evil' tvg-id='x  next\" "
              "tvg-logo=\"http://h/live/logo.svg?key=a%20b%26c\" group-title=\"Beacon\","
              "Evil' tvg-id='x  next\n"
              "http://h/live/main/index.m3u8?key=a%20b%26c\n");
}

TEST(Guide, XmltvListsChannelsBeforeProgrammes) {
    std::vector<ChannelListing> ch{
        {"main", "Main", 1, {{1, 1795932000000, 1795932011000, "A", "About A"}}},
        {"kids", "Kids", 2, {{2, 1795932000000, 1795932004000, "", ""}}}};
    auto xml = RenderXmltv(ch, "http://h", "");
    EXPECT_LT(xml.find("<channel id=\"kids.beacon\">"), xml.find("<programme"));
    EXPECT_NE(xml.find("<programme start=\"20261129060000 +0000\" stop=\"20261129060011 +0000\" "
                       "channel=\"main.beacon\">\n    <title>A</title>\n    <desc>About A</desc>"),
              std::string::npos);
    EXPECT_NE(xml.find("<title>Untitled</title>"), std::string::npos);
    EXPECT_NE(xml.find("<!DOCTYPE tv SYSTEM \"xmltv.dtd\">"), std::string::npos);
}

}  // namespace
}  // namespace beacon::liveloop
