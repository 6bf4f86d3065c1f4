#include "wiki/zim_source.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "wiki/mentions.hpp"

namespace beacon::wiki {
namespace {

namespace fs = std::filesystem;

/// One test ZIM per run, made by tests/wiki/make_zim.py with Debian's zimwriterfs.
class ZimSourceTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = fs::temp_directory_path() / ("beacon-wiki-zim-" + std::to_string(::getpid()));
        fs::create_directories(dir_);
        zim_ = dir_ / "testwiki.zim";
        const std::string cmd = "python3 " BEACON_SOURCE_DIR "/tests/wiki/make_zim.py " +
                                zim_.string();
        ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    }
    static void TearDownTestSuite() { fs::remove_all(dir_); }
    void SetUp() override {
        auto src = ZimFactSource::Open({zim_.string(), "/wiki/", ""});
        ASSERT_TRUE(src.ok()) << src.error().message;
        source_ = std::move(src).value();
    }
    Fact Look(std::string_view name) {
        auto f = source_->Lookup(name, {});
        EXPECT_TRUE(f.ok()) << f.error().message;
        return f.ok() ? *f : Fact{};
    }
    static inline fs::path dir_;
    static inline fs::path zim_;
    std::unique_ptr<ZimFactSource> source_;
};

TEST_F(ZimSourceTest, FindsAnArticleByExactTitleWithLeadAndImage) {
    const Fact f = Look("Lighthouse");
    EXPECT_TRUE(f.resolved);
    EXPECT_FALSE(f.ambiguous);
    EXPECT_EQ(f.title, "Lighthouse");
    EXPECT_EQ(f.source, "kiwix");
    EXPECT_EQ(f.summary,
              "A lighthouse is a tower, building, or other type of physical structure designed to "
              "emit light from a system of lamps and lenses and to serve as a beacon for "
              "navigational aid for maritime pilots at sea or on inland waterways. Lighthouses "
              "mark dangerous coastlines & hazardous shoals.");
    EXPECT_EQ(f.image_url, "/wiki/I/Lighthouse.png");
    EXPECT_EQ(f.source_url, "/wiki/Lighthouse.html");
}

TEST_F(ZimSourceTest, FindsTitlesInAnotherLetterCase) {
    EXPECT_EQ(Look("frankfurt am main").title, "Frankfurt am Main");
    EXPECT_EQ(Look("FRANKFURT AM MAIN").title, "Frankfurt am Main");
    EXPECT_EQ(Look("eddystone lighthouse").title, "Eddystone Lighthouse");
    EXPECT_TRUE(Look("lighthouse").resolved);
}

TEST_F(ZimSourceTest, FollowsRedirects) {
    const Fact f = Look("Pharos");
    EXPECT_TRUE(f.resolved);
    EXPECT_EQ(f.title, "Lighthouse");
    EXPECT_EQ(f.source_url, "/wiki/Lighthouse.html");
    EXPECT_EQ(Look("eddystone").title, "Eddystone Lighthouse");
}

TEST_F(ZimSourceTest, AcceptsANearMatchFromTheTitleIndex) {
    const Fact f = Look("Eddystone Lighthous");
    EXPECT_TRUE(f.resolved);
    EXPECT_EQ(f.title, "Eddystone Lighthouse");
    EXPECT_FALSE(Look("Zanzibar").resolved);
    EXPECT_FALSE(Look("Zanzibar").ambiguous);
}

TEST_F(ZimSourceTest, NeverTurnsADisambiguationPageIntoAFact) {
    const Fact f = Look("Mercury");
    EXPECT_FALSE(f.resolved);
    EXPECT_TRUE(f.ambiguous);
    EXPECT_TRUE(f.summary.empty());
    EXPECT_TRUE(f.source_url.empty());
    ASSERT_EQ(f.candidates.size(), 2u);
    EXPECT_EQ(f.candidates[0].title, "Mercury (planet)");
    EXPECT_EQ(f.candidates[1].title, "Mercury (element)");

    LookupFn lookup = [this](std::string_view n, std::stop_token s) {
        return source_->Lookup(n, s);
    };
    auto planet = ResolveFact(lookup, "Mercury",
                              ContextWords("Mercury races around the Sun in 88 days"), {});
    ASSERT_TRUE(planet.ok());
    EXPECT_TRUE(planet->resolved);
    EXPECT_EQ(planet->title, "Mercury (planet)");
    EXPECT_NE(planet->summary.find("first planet from the Sun"), std::string::npos);
    auto element = ResolveFact(lookup, "mercury",
                               ContextWords("an old thermometer holds a silvery metal"), {});
    ASSERT_TRUE(element.ok());
    EXPECT_EQ(element->title, "Mercury (element)");
    auto unsure = ResolveFact(lookup, "Mercury", ContextWords("a quiet river at dawn"), {});
    ASSERT_TRUE(unsure.ok());
    EXPECT_FALSE(unsure->resolved);
    EXPECT_TRUE(unsure->ambiguous);
}

TEST_F(ZimSourceTest, SummariesAreTextEvenWhenTheArticleCarriesScript) {
    const Fact f = Look("Scripted article");
    EXPECT_TRUE(f.resolved);
    EXPECT_EQ(f.summary.find("pwned"), std::string::npos) << f.summary;
    EXPECT_NE(f.summary.find("<script>alert(1)</script>"), std::string::npos)
        << "escaped markup in the article is text, shown as text: " << f.summary;
}

TEST_F(ZimSourceTest, ReadsEntriesAndReportsRedirectsForServing) {
    auto page = source_->Read("Lighthouse.html");
    ASSERT_TRUE(page.ok());
    EXPECT_EQ(page->mimetype.rfind("text/html", 0), 0u);
    EXPECT_NE(page->data.find("lighthouse"), std::string::npos);
    auto redirect = source_->Read("Pharos.html");
    ASSERT_TRUE(redirect.ok());
    EXPECT_EQ(redirect->redirect_to, "Lighthouse.html");
    auto image = source_->Read("I/Lighthouse.png");
    ASSERT_TRUE(image.ok());
    EXPECT_EQ(image->mimetype, "image/png");
    EXPECT_EQ(image->data.substr(1, 3), "PNG");
    auto none = source_->Read("Nowhere.html");
    ASSERT_FALSE(none.ok());
    EXPECT_EQ(none.error().code, core::ErrorCode::kNotFound);

    const ZimInfo info = source_->Info();
    EXPECT_EQ(info.language, "eng");
    EXPECT_GE(info.articles, 9u);
    EXPECT_FALSE(info.uuid.empty());
    EXPECT_EQ(source_->CacheId(), "kiwix:" + info.uuid);
}

TEST_F(ZimSourceTest, LinksToAConfiguredKiwixServe) {
    auto src = ZimFactSource::Open({zim_.string(), "/wiki/", "http://127.0.0.1:8090/"});
    ASSERT_TRUE(src.ok());
    auto f = (*src)->Lookup("Eddystone Lighthouse", {});
    ASSERT_TRUE(f.ok());
    EXPECT_EQ(f->source_url, "http://127.0.0.1:8090/testwiki/Eddystone_Lighthouse.html");
}

TEST(ZimSourceOpen, NamesTheFileWhenItCannotBeOpened) {
    auto src = ZimFactSource::Open({"/nonexistent/wiki.zim", "/wiki/", ""});
    ASSERT_FALSE(src.ok());
    EXPECT_NE(src.error().message.find("/nonexistent/wiki.zim"), std::string::npos);
}

}  // namespace
}  // namespace beacon::wiki
