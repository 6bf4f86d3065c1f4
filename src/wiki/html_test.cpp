#include "wiki/html.hpp"

#include <gtest/gtest.h>

namespace beacon::wiki {
namespace {

TEST(ArticleLead, TakesTheFirstParagraphAsPlainTextSkippingInfoboxAndFootnotes) {
    const auto lead = ReadArticleLead(R"HTML(<html><head><title>Lighthouse</title></head><body>
<h1>Lighthouse</h1>
<table class="infobox"><tr><td><p>Infobox paragraph</p><img src="I/Tower.png" width="200"></td></tr></table>
<p>   </p>
<p>A <b>lighthouse</b> is a tower &amp; beacon<sup class="reference">[1]</sup>, built <i>near</i>
the sea.<script>evil()</script> Keepers lived there.</p><p>Second paragraph.</p></body></html>)HTML");
    EXPECT_EQ(lead.title, "Lighthouse");
    EXPECT_EQ(lead.summary, "A lighthouse is a tower & beacon, built near the sea. Keepers lived there.");
    EXPECT_EQ(lead.image, "I/Tower.png");
    EXPECT_FALSE(lead.disambiguation);
    EXPECT_TRUE(lead.candidates.empty());
}

TEST(ArticleLead, SkipsIconsForTheMainImage) {
    const auto lead = ReadArticleLead(
        R"HTML(<p><img src="icon.png" width="16" height="16">Text.</p><img src="big.jpg">)HTML");
    EXPECT_EQ(lead.image, "big.jpg");
}

TEST(ArticleLead, RecognisesDisambiguationPagesAndListsTheirLinks) {
    const auto by_property = ReadArticleLead(R"HTML(<html><head><title>Mercury</title>
<meta property="mw:PageProp/disambiguation"></head><body><p><b>Mercury</b> is one of:</p>
<ul><li><a href="./Mercury_(planet)" title="Mercury (planet)">Mercury</a>, the planet</li>
<li><a href="https://elsewhere.example/">external</a></li>
<li><a href="#section">anchor</a></li></ul></body></html>)HTML");
    EXPECT_TRUE(by_property.disambiguation);
    ASSERT_EQ(by_property.candidates.size(), 1u);
    EXPECT_EQ(by_property.candidates[0].href, "./Mercury_(planet)");
    EXPECT_EQ(by_property.candidates[0].title, "Mercury (planet)");
    EXPECT_EQ(by_property.candidates[0].text, "Mercury, the planet");

    EXPECT_TRUE(ReadArticleLead("<p><b>Jaguar</b> may refer to:</p>").disambiguation);
    EXPECT_TRUE(ReadArticleLead("<p>x</p><table id=\"disambigbox\"></table>").disambiguation);
    EXPECT_TRUE(ReadArticleLead("<title>Bass (disambiguation)</title><p>x</p>").disambiguation);
    EXPECT_FALSE(ReadArticleLead("<p>A refers to B.</p><ul><li><a href=\"B\">B</a></li></ul>")
                     .disambiguation);
}

TEST(ShortenSummary, KeepsWholeSentencesAndCutsLongTextAtAWord) {
    EXPECT_EQ(ShortenSummary("One. Two is St. Ives. Three. Four.", 3, 525),
              "One. Two is St. Ives. Three.");
    EXPECT_EQ(ShortenSummary("Pi is 3.14 exactly. Next.", 1, 525), "Pi is 3.14 exactly.");
    EXPECT_EQ(ShortenSummary("alpha beta gamma delta", 3, 12), "alpha beta\xE2\x80\xA6");
    // Never inside a UTF-8 sequence: "é" is two bytes.
    const std::string cut = ShortenSummary("\xC3\xA9\xC3\xA9\xC3\xA9", 3, 3);
    EXPECT_EQ(cut, "\xC3\xA9\xE2\x80\xA6");
}

TEST(SanitizeArticle, RemovesEveryScriptVector) {
    const std::string out = SanitizeArticle(R"HTML(<html><head><script>head()</script>
<link rel="stylesheet" href="x.css"><base href="https://evil.example/"></head><body>
<script>document.title = "pwned"</script>
<p onclick="alert(1)" style="color:red">Hello <img src="a.png" onerror="alert(2)"> and
<a href="javascript:alert(3)">js</a> <a href=" JaVaScRiPt:alert(4)">js2</a>
<a href="data:text/html,<script>alert(5)</script>">data</a>
<a href="Planet.html#Orbit" title="Planet">planet</a> <a href="https://en.wikipedia.org/wiki/X">x</a>
<img src="https://tracker.example/pixel.gif"> <img src="//tracker.example/p.gif">
<iframe src="https://evil.example/"></iframe><object data="x.swf"></object>
<svg><script>alert(6)</script><a href="javascript:alert(7)">s</a></svg>
<math><mtext><img src=x onerror=alert(8)></mtext></math>
<form action="https://evil.example/"><input name="q"><button>go</button></form>
<my-widget>custom</my-widget><template><script>alert(9)</script></template>
&lt;script&gt;alert(10)&lt;/script&gt;</p><style>body{}</style></body></html>)HTML",
                                            "T<i>itle");
    for (const char* bad : {"<script", "onclick", "onerror", "javascript", "JaVaScRiPt", "data:",
                            "style=", "<iframe", "<object", "<svg", "<math", "<form", "<input",
                            "<button", "<base", "<link", "tracker.example", "evil.example",
                            "<my-widget", "<template", "alert(6)", "alert(9)", "T<i>itle"}) {
        EXPECT_EQ(out.find(bad), std::string::npos) << bad << " survived in:\n" << out;
    }
    EXPECT_NE(out.find("<a href=\"Planet.html#Orbit\" title=\"Planet\">planet</a>"),
              std::string::npos)
        << out;
    EXPECT_NE(out.find("<a href=\"https://en.wikipedia.org/wiki/X\" rel=\"noopener noreferrer\">"),
              std::string::npos)
        << out;
    EXPECT_NE(out.find("<img src=\"a.png\">"), std::string::npos) << out;
    EXPECT_NE(out.find("&lt;script&gt;alert(10)&lt;/script&gt;"), std::string::npos) << out;
    EXPECT_NE(out.find("<title>T&lt;i&gt;itle</title>"), std::string::npos) << out;
}

TEST(ResolveArchivePath, ResolvesRelativeLinksInsideTheArchiveOnly) {
    EXPECT_EQ(ResolveArchivePath("Lighthouse.html", "I/Lighthouse.png"), "I/Lighthouse.png");
    EXPECT_EQ(ResolveArchivePath("A/Lighthouse", "./Planet#Orbit"), "A/Planet");
    EXPECT_EQ(ResolveArchivePath("A/Lighthouse", "../I/m/Tower.jpg"), "I/m/Tower.jpg");
    EXPECT_EQ(ResolveArchivePath("Mercury.html", "Mercury_%28planet%29.html"),
              "Mercury_(planet).html");
    EXPECT_EQ(ResolveArchivePath("A/x", "../../etc/passwd"), "");
    EXPECT_EQ(ResolveArchivePath("A/x", "https://example.com/"), "");
    EXPECT_EQ(ResolveArchivePath("A/x", "/absolute"), "");
    EXPECT_EQ(ResolveArchivePath("A/x", "#top"), "");
}

TEST(HtmlToText, DropsScriptsAndCollapsesSpace) {
    EXPECT_EQ(HtmlToText("<div>a <script>x()</script>\n\n b<style>p{}</style></div>"), "a b");
}

}  // namespace
}  // namespace beacon::wiki
