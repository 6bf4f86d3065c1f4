#include "wiki/store.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace beacon::wiki {
namespace {

namespace fs = std::filesystem;

class WikiStoreTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("beacon-wiki-store-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        auto s = WikiStore::Open((dir_ / "wiki.db").string());
        ASSERT_TRUE(s.ok()) << s.error().message;
        store_ = std::move(s).value();
    }
    void TearDown() override {
        store_.reset();
        fs::remove_all(dir_);
    }
    fs::path dir_;
    std::unique_ptr<WikiStore> store_;
};

TEST_F(WikiStoreTest, CachesFactsPerSourceAndFoldedNameUntilTheyAreTooOld) {
    Fact f;
    f.entity = "Lighthouse";
    f.title = "Lighthouse";
    f.summary = "A tower.";
    f.resolved = true;
    f.source = "wikipedia";
    const std::chrono::milliseconds week = std::chrono::hours(24 * 7);
    ASSERT_TRUE(store_->PutFact("wikipedia:en", "Lighthouse", f, 1000).ok());
    auto hit = store_->GetFact("wikipedia:en", "  lighthouse ", 1000 + week.count(), week);
    ASSERT_TRUE(hit.ok());
    ASSERT_TRUE(hit->has_value());
    EXPECT_EQ(ToJson(**hit), ToJson(f));
    auto stale = store_->GetFact("wikipedia:en", "Lighthouse", 1001 + week.count(), week);
    ASSERT_TRUE(stale.ok());
    EXPECT_FALSE(stale->has_value());
    auto other = store_->GetFact("wikipedia:de", "Lighthouse", 1000, week);
    ASSERT_TRUE(other.ok());
    EXPECT_FALSE(other->has_value());
    // Reopening keeps the cache (it is a file).
    store_.reset();
    auto again = WikiStore::Open((dir_ / "wiki.db").string());
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(*(*again)->CountFacts(), 1);
}

TEST_F(WikiStoreTest, RecordsAddedAndRemovedEntitiesPerItem) {
    ASSERT_TRUE(store_->AddEntity(7, "Eddystone Lighthouse", "place", 10).ok());
    ASSERT_TRUE(store_->RemoveEntity(7, "storm", 11).ok());
    ASSERT_TRUE(store_->AddEntity(8, "Mercury", "", 12).ok());
    auto edits = store_->Edits(7);
    ASSERT_TRUE(edits.ok());
    ASSERT_EQ(edits->size(), 2u);
    EXPECT_EQ((*edits)[0].name, "Eddystone Lighthouse");
    EXPECT_EQ((*edits)[0].type, "place");
    EXPECT_FALSE((*edits)[0].removed);
    EXPECT_EQ((*edits)[1].name, "storm");
    EXPECT_TRUE((*edits)[1].removed);
    // Removing an added one hides it; adding it again brings it back.
    ASSERT_TRUE(store_->RemoveEntity(7, "eddystone lighthouse", 13).ok());
    auto after_remove = store_->Edits(7);
    ASSERT_TRUE(after_remove.ok());
    int shown = 0;
    for (const auto& e : *after_remove) shown += e.removed ? 0 : 1;
    EXPECT_EQ(shown, 0);
    ASSERT_TRUE(store_->AddEntity(7, "Eddystone Lighthouse", "place", 14).ok());
    auto after_add = store_->Edits(7);
    ASSERT_TRUE(after_add.ok());
    shown = 0;
    for (const auto& e : *after_add) shown += e.removed ? 0 : 1;
    EXPECT_EQ(shown, 1);
    EXPECT_EQ(store_->Edits(8)->size(), 1u);
}

}  // namespace
}  // namespace beacon::wiki
