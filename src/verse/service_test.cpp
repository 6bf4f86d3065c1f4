#include "verse/service.hpp"

#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "verse/test_assets.hpp"

namespace beacon::verse {
namespace {

namespace fs = std::filesystem;

class VerseServiceTest : public ::testing::Test {
protected:
    void SetUp() override {
        root_ = fs::temp_directory_path() /
                ("beacon-verse-" + std::to_string(::getpid()) + "-" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(root_);
        fs::create_directories(root_);
        auto store = WorldStore::Open((root_ / "verse.db").string());
        ASSERT_TRUE(store.ok()) << store.error().message;
        store_ = std::move(*store);
        auto objects = storage::OpenFilesystemStore(root_ / "objects");
        ASSERT_TRUE(objects.ok());
        objects_ = std::move(*objects);
        service_ = std::make_unique<VerseService>(*store_, *objects_);
    }
    void TearDown() override {
        service_.reset();
        store_.reset();
        fs::remove_all(root_);
    }
    std::int64_t NewWorld(std::int64_t owner = kAlice, std::string_view tmpl = "lighthouse-coast") {
        auto w = service_->CreateWorld(owner, "World", tmpl);
        EXPECT_TRUE(w.ok()) << w.error().message;
        return w.ok() ? (*w)["id"].get<std::int64_t>() : 0;
    }
    static constexpr std::int64_t kAlice = 1;
    static constexpr std::int64_t kBob = 2;
    fs::path root_;
    std::unique_ptr<WorldStore> store_;
    std::unique_ptr<storage::ObjectStore> objects_;
    std::unique_ptr<VerseService> service_;
};

TEST_F(VerseServiceTest, CreateSaveConflictAndRestore) {
    auto created = service_->CreateWorld(kAlice, "Coast", "lighthouse-coast");
    ASSERT_TRUE(created.ok()) << created.error().message;
    std::int64_t id = (*created)["id"];
    EXPECT_EQ((*created)["revision"], 1);
    EXPECT_EQ((*created)["document"]["title"], "Coast");
    Json doc = (*created)["document"];
    doc["nodes"][0]["name"] = "Renamed sea";
    auto saved = service_->SaveWorld(kAlice, id, 1, doc);
    ASSERT_TRUE(saved.ok()) << saved.error().message;
    EXPECT_EQ((*saved)["revision"], 2);
    // A second tab still at revision 1 cannot overwrite revision 2.
    Json other = (*created)["document"];
    other["nodes"][0]["name"] = "Stale";
    auto stale = service_->SaveWorld(kAlice, id, 1, other);
    ASSERT_FALSE(stale.ok());
    EXPECT_EQ(stale.error().code, core::ErrorCode::kConflict);
    EXPECT_EQ((*service_->GetWorld(kAlice, id))["document"]["nodes"][0]["name"], "Renamed sea");
    // Restore revision 1: a new revision 3 with revision 1's document.
    auto restored = service_->RestoreRevision(kAlice, id, 1);
    ASSERT_TRUE(restored.ok()) << restored.error().message;
    EXPECT_EQ((*restored)["revision"], 3);
    auto now = service_->GetWorld(kAlice, id);
    EXPECT_EQ((*now)["document"], (*created)["document"]);
    auto revs = service_->ListRevisions(kAlice, id);
    ASSERT_TRUE(revs.ok());
    ASSERT_EQ((*revs)["items"].size(), 3u);
    EXPECT_EQ((*revs)["items"][0]["note"], "restored revision 1");
    EXPECT_TRUE((*revs)["items"][0]["current"].get<bool>());
    EXPECT_EQ((*service_->GetRevision(kAlice, id, 2))["document"]["nodes"][0]["name"], "Renamed sea");
    // Invalid documents are refused and leave the world as it was.
    Json bad = (*now)["document"];
    bad["nodes"][0]["script"] = "alert(1)";
    EXPECT_EQ(service_->SaveWorld(kAlice, id, 3, bad).error().code, core::ErrorCode::kInvalidArgument);
    EXPECT_EQ((*service_->GetWorld(kAlice, id))["revision"], 3);
    // An unknown template.
    EXPECT_EQ(service_->CreateWorld(kAlice, "x", "no-such").error().code, core::ErrorCode::kNotFound);
}

TEST_F(VerseServiceTest, OldRevisionsArePruned) {
    VerseOptions opts;
    opts.keep_revisions = 3;
    VerseService svc(*store_, *objects_, opts);
    auto w = svc.CreateWorld(kAlice, "P", "empty-stage");
    std::int64_t id = (*w)["id"];
    for (int rev = 1; rev <= 5; ++rev) ASSERT_TRUE(svc.SaveWorld(kAlice, id, rev, (*w)["document"]).ok());
    auto revs = svc.ListRevisions(kAlice, id);
    ASSERT_EQ((*revs)["items"].size(), 3u);
    EXPECT_EQ((*revs)["items"][2]["revision"], 4);
    EXPECT_EQ(svc.GetRevision(kAlice, id, 1).error().code, core::ErrorCode::kNotFound);
}

TEST_F(VerseServiceTest, WorldsAreTheirOwnersOnly) {
    std::int64_t id = NewWorld(kAlice);
    EXPECT_EQ(service_->GetWorld(kBob, id).error().code, core::ErrorCode::kNotFound);
    EXPECT_EQ(service_->SaveWorld(kBob, id, 1, Json::object()).error().code, core::ErrorCode::kNotFound);
    EXPECT_EQ(service_->CreateShare(kBob, id).error().code, core::ErrorCode::kNotFound);
    EXPECT_FALSE(service_->DeleteWorld(kBob, id).ok());
    EXPECT_EQ((*service_->ListWorlds(kBob))["items"].size(), 0u);
    EXPECT_EQ((*service_->ListWorlds(kAlice))["items"].size(), 1u);
}

TEST_F(VerseServiceTest, AWorldForAVideoIsPinnedAtItsRevisionForItsOwnerOnly) {
    std::int64_t id = NewWorld(kAlice);
    auto pinned = service_->PinForVideo(kAlice, Json{{"world_id", id}, {"world_camera", "dolly"}});
    ASSERT_TRUE(pinned.ok()) << pinned.error().message;
    EXPECT_EQ((*pinned)["id"], id);
    EXPECT_EQ((*pinned)["owner"], kAlice);
    EXPECT_EQ((*pinned)["revision"], 1);
    EXPECT_EQ((*pinned)["camera"]["preset"], "dolly");
    EXPECT_EQ(service_->PinForVideo(kBob, Json{{"world_id", id}}).error().code, core::ErrorCode::kNotFound);
    EXPECT_EQ(service_->PinForVideo(kAlice, Json{{"world_id", id + 100}}).error().code,
              core::ErrorCode::kNotFound);
    EXPECT_EQ(service_->PinForVideo(kAlice, Json{{"world_id", "1"}}).error().code,
              core::ErrorCode::kInvalidArgument);
    EXPECT_EQ(service_->PinForVideo(kAlice, Json{{"world_camera", "orbit"}}).error().code,
              core::ErrorCode::kInvalidArgument);
    EXPECT_EQ(service_->PinForVideo(kAlice, Json{{"world_id", id}, {"world_camera", "spin"}}).error().code,
              core::ErrorCode::kInvalidArgument);
    // The render reads the pinned revision, not a later save; with the bytes of its assets.
    Json doc = (*service_->GetWorld(kAlice, id))["document"];
    auto up = service_->UploadAsset(kAlice, id, testing::TriangleGlb(), "model/gltf-binary", "tri.glb");
    ASSERT_TRUE(up.ok()) << up.error().message;
    doc["title"] = "Later";
    doc["nodes"].push_back({{"id", "m"}, {"name", "Tri"}, {"parent", nullptr}, {"type", "model"},
                            {"asset", (*up)["hash"]}, {"position", {0, 0, 0}}, {"rotation", {0, 0, 0}},
                            {"scale", {1, 1, 1}}});
    ASSERT_TRUE(service_->SaveWorld(kAlice, id, 1, doc).ok());
    auto first = service_->RenderSourceOf(kAlice, id, 1);
    ASSERT_TRUE(first.ok()) << first.error().message;
    EXPECT_NE(first->document["title"], "Later");
    EXPECT_TRUE(first->assets.empty());
    auto second = service_->RenderSourceOf(kAlice, id, 2);
    ASSERT_TRUE(second.ok()) << second.error().message;
    EXPECT_EQ(second->document["title"], "Later");
    ASSERT_EQ(second->assets.size(), 1u);
    EXPECT_EQ(std::get<2>(second->assets[0]), testing::TriangleGlb());
    EXPECT_EQ(service_->RenderSourceOf(kBob, id, 2).error().code, core::ErrorCode::kNotFound);
}

TEST_F(VerseServiceTest, AssetsAreStoredOncePerContentHash) {
    std::int64_t a = NewWorld();
    std::int64_t b = NewWorld();
    std::string glb = testing::TriangleGlb(2);
    auto first = service_->UploadAsset(kAlice, a, glb, "model/gltf-binary", "tri.glb");
    ASSERT_TRUE(first.ok()) << first.error().message;
    EXPECT_EQ((*first)["stored"], "new");
    EXPECT_EQ((*first)["triangles"], 2);
    std::string hash = (*first)["hash"];
    auto again = service_->UploadAsset(kAlice, a, glb, "", "again.glb");
    EXPECT_EQ((*again)["stored"], "existing");
    EXPECT_EQ((*again)["name"], "tri.glb");
    auto other = service_->UploadAsset(kAlice, b, glb, "", "tri.glb");
    EXPECT_EQ((*other)["stored"], "existing");
    std::size_t files = 0;
    for (auto& e : fs::recursive_directory_iterator(root_ / "objects")) files += e.is_regular_file();
    EXPECT_EQ(files, 1u);
    EXPECT_EQ((*service_->ListAssets(kAlice, a))["items"].size(), 1u);
    // A document may now place the model; its triangles count in the budget.
    Json doc = (*service_->GetWorld(kAlice, a))["document"];
    std::uint64_t before = (*service_->GetWorld(kAlice, a))["budget"]["triangles"]["used"];
    doc["nodes"].push_back({{"id", "model1"}, {"name", "Tri"}, {"parent", nullptr}, {"type", "model"},
                            {"asset", hash}, {"position", {0, 0, 0}}, {"rotation", {0, 0, 0}},
                            {"scale", {1, 1, 1}}});
    auto saved = service_->SaveWorld(kAlice, a, 1, doc);
    ASSERT_TRUE(saved.ok()) << saved.error().message;
    EXPECT_EQ((*saved)["budget"]["triangles"]["used"].get<std::uint64_t>(), before + 2);
    // World b has the asset too; a world without it cannot reference it.
    std::int64_t c = NewWorld();
    Json cdoc = (*service_->GetWorld(kAlice, c))["document"];
    cdoc["nodes"].push_back(doc["nodes"].back());
    EXPECT_FALSE(service_->SaveWorld(kAlice, c, 1, cdoc).ok());
    // Deleting a keeps the bytes (b uses them); deleting b removes them.
    auto key = AssetKey(hash, "model/gltf-binary");
    ASSERT_TRUE(service_->DeleteWorld(kAlice, a).ok());
    EXPECT_TRUE(objects_->Exists(key));
    ASSERT_TRUE(service_->DeleteWorld(kAlice, b).ok());
    EXPECT_FALSE(objects_->Exists(key));
    // Refused uploads store nothing.
    auto bad = service_->UploadAsset(kAlice, c, testing::TriangleGlb(1, 999999999), "", "lie.glb");
    EXPECT_FALSE(bad.ok());
    EXPECT_EQ((*service_->ListAssets(kAlice, c))["items"].size(), 0u);
}

TEST_F(VerseServiceTest, ShareTokenOpensItsWorldAndNothingElse) {
    std::int64_t mine = NewWorld();
    std::int64_t secret = NewWorld(kAlice, "neon-street");
    auto asset_mine = service_->UploadAsset(kAlice, mine, testing::PngHeader(8, 8), "image/png", "a.png");
    auto asset_secret = service_->UploadAsset(kAlice, secret, testing::JpegHeader(8, 8), "", "b.jpg");
    ASSERT_TRUE(asset_mine.ok() && asset_secret.ok());
    auto share = service_->CreateShare(kAlice, mine);
    ASSERT_TRUE(share.ok()) << share.error().message;
    std::string token = (*share)["token"];
    EXPECT_EQ((*share)["path"], "/verse/view/" + token);
    EXPECT_TRUE((*share)["budget"].contains("within_share_budget"));

    auto opened = service_->SharedWorld(token);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    EXPECT_EQ((*opened)["id"], mine);
    EXPECT_TRUE((*opened)["read_only"].get<bool>());
    EXPECT_TRUE(service_->SharedAsset(token, (*asset_mine)["hash"].get<std::string>()).ok());
    // Another world's asset, through this token: not found.
    EXPECT_EQ(service_->SharedAsset(token, (*asset_secret)["hash"].get<std::string>()).error().code,
              core::ErrorCode::kNotFound);
    // Pointing the token at the other world breaks its signature.
    std::string forged = token;
    std::string from = "v1~" + std::to_string(mine) + "~";
    forged.replace(0, from.size(), "v1~" + std::to_string(secret) + "~");
    EXPECT_FALSE(service_->SharedWorld(forged).ok());
    // A flipped character anywhere, a truncated token, junk.
    for (std::size_t i : {token.size() - 1, token.size() / 2, std::size_t{5}}) {
        std::string t = token;
        t[i] = t[i] == 'A' ? 'B' : 'A';
        EXPECT_FALSE(service_->SharedWorld(t).ok()) << i;
    }
    EXPECT_FALSE(service_->SharedWorld(token.substr(0, token.size() - 3)).ok());
    EXPECT_FALSE(service_->SharedWorld("").ok());
    EXPECT_FALSE(service_->SharedWorld("v1~1~1~x~y~z").ok());
    EXPECT_FALSE(service_->SharedWorld(std::string(300, '~')).ok());
    // Saves show through the link (newest revision).
    Json doc = (*opened)["document"];
    doc["title"] = "Updated";
    ASSERT_TRUE(service_->SaveWorld(kAlice, mine, 1, doc).ok());
    EXPECT_EQ((*service_->SharedWorld(token))["title"], "Updated");
    // A second link; revoking the first leaves the second working.
    auto second = service_->CreateShare(kAlice, mine);
    ASSERT_TRUE(service_->RevokeShare(kAlice, mine, (*share)["id"]).ok());
    EXPECT_EQ(service_->SharedWorld(token).error().code, core::ErrorCode::kNotFound);
    EXPECT_FALSE(service_->SharedAsset(token, (*asset_mine)["hash"].get<std::string>()).ok());
    EXPECT_TRUE(service_->SharedWorld((*second)["token"].get<std::string>()).ok());
    EXPECT_EQ((*service_->ListShares(kAlice, mine))["items"].size(), 2u);
    // Another process with the same store accepts the token (the key is kept); deleting the
    // world ends every link.
    VerseService restarted(*store_, *objects_);
    EXPECT_TRUE(restarted.SharedWorld((*second)["token"].get<std::string>()).ok());
    ASSERT_TRUE(service_->DeleteWorld(kAlice, mine).ok());
    EXPECT_FALSE(service_->SharedWorld((*second)["token"].get<std::string>()).ok());
}

}  // namespace
}  // namespace beacon::verse
