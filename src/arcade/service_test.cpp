#include "arcade/service.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <sstream>

#include "arcade/samples.hpp"
#include "arcade/test_zip.hpp"

namespace beacon::arcade {
namespace {

namespace fs = std::filesystem;
using testing::ZipWriter;

std::string Read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

const std::string kPng("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);

class ServiceTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::random_device rd;
        root_ = fs::temp_directory_path() /
                ("beacon-arcade-svc-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
        fs::create_directories(root_ / "in");
        Reopen();
    }
    void TearDown() override {
        arcade_.reset();
        fs::remove_all(root_);
    }
    void Reopen() {
        arcade_.reset();
        ArcadeOptions o;
        o.dir = root_ / "arcade";
        o.game_origin = "http://g{id}.localhost:8091";
        auto s = ArcadeService::Open(o);
        ASSERT_TRUE(s.ok()) << s.error().message;
        arcade_ = std::move(*s);
    }
    fs::path Zip(const std::string& name, const std::string& page) {
        fs::path p = root_ / "in" / name;
        ZipWriter(p).File("index.html", page).File("js/game.js", "let x = 1;");
        return p;
    }
    fs::path HostileZip(const std::string& name) {
        fs::path p = root_ / "in" / name;
        ZipWriter(p).File("index.html", "new").File("../../escape.html", "evil");
        return p;
    }
    /// Everything under the arcade folder except the database files.
    std::vector<std::string> GameFiles() {
        std::vector<std::string> out;
        for (const auto& e : fs::recursive_directory_iterator(root_ / "arcade")) {
            auto rel = fs::relative(e.path(), root_ / "arcade").string();
            if (!rel.starts_with("arcade.db")) out.push_back(rel);
        }
        std::sort(out.begin(), out.end());
        return out;
    }
    fs::path root_;
    std::unique_ptr<ArcadeService> arcade_;
};

TEST_F(ServiceTest, AddsAGameOnItsOwnOrigin) {
    NewGame ng{.title = "Rocks", .description = "Shoot them", .cover = kPng};
    auto g = arcade_->Add(Zip("a.zip", "<p>v1</p>"), ng);
    ASSERT_TRUE(g.ok()) << g.error().message;
    EXPECT_EQ(g->version, 1);
    EXPECT_EQ(g->files, 2);
    EXPECT_EQ(g->cover_type, "image/png");
    EXPECT_EQ(arcade_->Origin(g->id), "http://g" + std::to_string(g->id) + ".localhost:8091");
    EXPECT_EQ(arcade_->PlayUrl(*g), arcade_->Origin(g->id) + "/play/" + std::to_string(g->id) +
                                        "/1/index.html");
    auto root = arcade_->VersionRoot(g->id, 1);
    ASSERT_TRUE(root.ok());
    EXPECT_EQ(Read(*root / "index.html"), "<p>v1</p>");
    EXPECT_EQ(Read(*arcade_->CoverFile(*g)), kPng);
    auto list = arcade_->List();
    ASSERT_TRUE(list.ok());
    ASSERT_EQ(list->size(), 1u);
    EXPECT_EQ((*list)[0].title, "Rocks");
    EXPECT_FALSE(arcade_->VersionRoot(g->id, 2).ok());
}

TEST_F(ServiceTest, RefusedUploadsKeepNothing) {
    auto hostile = arcade_->Add(HostileZip("h.zip"), {.title = "Evil"});
    ASSERT_FALSE(hostile.ok());
    EXPECT_EQ(hostile.error().code, core::ErrorCode::kInvalidArgument);
    fs::path no_entry = root_ / "in" / "noentry.zip";
    ZipWriter(no_entry).File("start.html", "x");
    auto missing = arcade_->Add(no_entry, {.title = "No entry"});
    ASSERT_FALSE(missing.ok());
    EXPECT_NE(missing.error().message.find("no entry file \"index.html\""), std::string::npos);
    auto svg = arcade_->Add(Zip("c.zip", "x"), {.title = "Svg cover", .cover = "<svg onload=alert(1)>"});
    ASSERT_FALSE(svg.ok());
    EXPECT_NE(svg.error().message.find("cover"), std::string::npos);
    EXPECT_FALSE(arcade_->Add(Zip("d.zip", "x"), {.title = ""}).ok());
    EXPECT_TRUE(arcade_->List()->empty());
    EXPECT_EQ(GameFiles(), (std::vector<std::string>{"games", "objects", "staging"}));
    EXPECT_FALSE(fs::exists(root_ / "escape.html"));
}

TEST_F(ServiceTest, AZippedFolderIsServedFromThatFolder) {
    fs::path p = root_ / "in" / "folder.zip";
    ZipWriter(p).File("My Game/index.html", "inside").File("My Game/a.js", "1");
    auto g = arcade_->Add(p, {.title = "Folder"});
    ASSERT_TRUE(g.ok()) << g.error().message;
    EXPECT_EQ(Read(*arcade_->VersionRoot(g->id, 1) / "index.html"), "inside");
}

TEST_F(ServiceTest, AnUpdateKeepsTheOldVersionUntilTheNewOneIsCheckedThenSwitches) {
    auto g = arcade_->Add(Zip("v1.zip", "v1"), {.title = "Game"});
    ASSERT_TRUE(g.ok());
    ASSERT_TRUE(arcade_->StoreSave(g->id, 1, "level=3").ok());

    auto refused = arcade_->AddVersion(g->id, HostileZip("bad.zip"), "");
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(arcade_->Get(g->id)->version, 1);
    EXPECT_EQ(Read(*arcade_->VersionRoot(g->id, 1) / "index.html"), "v1");

    auto v2 = arcade_->AddVersion(g->id, Zip("v2.zip", "v2"), "");
    ASSERT_TRUE(v2.ok()) << v2.error().message;
    EXPECT_EQ(v2->version, 2);
    EXPECT_EQ(Read(*arcade_->VersionRoot(g->id, 2) / "index.html"), "v2");
    // The version just replaced is still served to players who loaded it.
    EXPECT_EQ(Read(*arcade_->VersionRoot(g->id, 1) / "index.html"), "v1");
    auto v3 = arcade_->AddVersion(g->id, Zip("v3.zip", "v3"), "");
    ASSERT_TRUE(v3.ok());
    EXPECT_FALSE(arcade_->VersionRoot(g->id, 1).ok());
    EXPECT_FALSE(fs::exists(root_ / "arcade/games" / std::to_string(g->id) / "v1"));
    EXPECT_EQ(**arcade_->LoadSave(g->id, 1), "level=3");  // saves survive updates
}

TEST_F(ServiceTest, SavesArePerGameAndPerUserAndGoWithTheGame) {
    auto a = arcade_->Add(Zip("a.zip", "a"), {.title = "A"});
    auto b = arcade_->Add(Zip("b.zip", "b"), {.title = "B"});
    ASSERT_TRUE(a.ok() && b.ok());
    ASSERT_TRUE(arcade_->StoreSave(a->id, 1, "a-user1").ok());
    ASSERT_TRUE(arcade_->StoreSave(b->id, 1, "b-user1").ok());
    ASSERT_TRUE(arcade_->StoreSave(a->id, 2, "a-user2").ok());
    ASSERT_TRUE(arcade_->StoreSave(a->id, 1, "a-user1-again").ok());
    EXPECT_EQ(**arcade_->LoadSave(a->id, 1), "a-user1-again");
    EXPECT_EQ(**arcade_->LoadSave(b->id, 1), "b-user1");
    EXPECT_EQ(**arcade_->LoadSave(a->id, 2), "a-user2");
    EXPECT_FALSE(arcade_->LoadSave(b->id, 2)->has_value());
    auto big = arcade_->StoreSave(a->id, 1, std::string(arcade_->options().max_save_bytes + 1, 'x'));
    EXPECT_EQ(big.error().code, core::ErrorCode::kTooLarge);

    ASSERT_TRUE(arcade_->Delete(a->id).ok());
    EXPECT_EQ(arcade_->Get(a->id).error().code, core::ErrorCode::kNotFound);
    EXPECT_FALSE(fs::exists(root_ / "arcade/games" / std::to_string(a->id)));
    EXPECT_FALSE(arcade_->LoadSave(a->id, 1).ok());
    Reopen();  // the catalogue and saves are on disk
    EXPECT_EQ(arcade_->List()->size(), 1u);
    EXPECT_EQ(**arcade_->LoadSave(b->id, 1), "b-user1");
}

TEST_F(ServiceTest, PatchChangesTextThreadsAndCover) {
    auto g = arcade_->Add(Zip("a.zip", "a"), {.title = "A"});
    ASSERT_TRUE(g.ok());
    auto p = arcade_->Patch(g->id, {.title = "B", .threads = true, .cover = kPng});
    ASSERT_TRUE(p.ok()) << p.error().message;
    EXPECT_EQ(p->title, "B");
    EXPECT_TRUE(p->threads);
    EXPECT_EQ(p->cover_type, "image/png");
    EXPECT_FALSE(arcade_->Patch(g->id, {.title = std::string(201, 'x')}).ok());
    EXPECT_EQ(arcade_->Get(g->id)->title, "B");
    EXPECT_EQ(arcade_->Patch(999, {.title = "x"}).error().code, core::ErrorCode::kNotFound);
}

TEST_F(ServiceTest, LeftoverStagingIsRemovedOnOpen) {
    fs::create_directories(root_ / "arcade/staging/x-crashed");
    std::ofstream(root_ / "arcade/staging/upload-crashed") << "half";
    Reopen();
    EXPECT_TRUE(fs::is_empty(root_ / "arcade/staging"));
}

TEST_F(ServiceTest, TheShippedSamplesInstallOnceAndPassTheChecks) {
    const fs::path samples = fs::path(BEACON_SOURCE_DIR) / "games" / "samples";
    auto added = InstallSamples(*arcade_, samples);
    ASSERT_TRUE(added.ok()) << added.error().message;
    EXPECT_EQ(*added, 3);
    auto list = arcade_->List();
    ASSERT_EQ(list->size(), 3u);
    std::vector<std::string> titles;
    for (const auto& g : *list) {
        titles.push_back(g.title);
        auto root = arcade_->VersionRoot(g.id, 1);
        ASSERT_TRUE(root.ok());
        // Each uses the SDK from its own origin.
        EXPECT_NE(Read(*root / "index.html").find("<script src=\"/beacon-game.js\"></script>"), std::string::npos) << g.title;
    }
    std::sort(titles.begin(), titles.end());
    EXPECT_EQ(titles, (std::vector<std::string>{"Comet Dodge", "Cube Spin", "Slide Puzzle"}));
    // Once only: a deleted sample stays deleted.
    ASSERT_TRUE(arcade_->Delete((*list)[0].id).ok());
    EXPECT_EQ(*InstallSamples(*arcade_, samples), 0);
    EXPECT_EQ(arcade_->List()->size(), 2u);
    EXPECT_EQ(*InstallSamples(*arcade_, root_ / "no-such-folder"), 0);
}

}  // namespace
}  // namespace beacon::arcade
