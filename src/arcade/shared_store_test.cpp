// Arcade game files and covers in the object store (issue 18): two ArcadeService instances with
// their own folders, as two `beacon serve` processes on one catalogue, share games through the
// store: on a common local folder (a NAS), on S3 with each machine's read-through cache, and on
// S3 alone. S3 is npm's SigV4-checking s3rver, started once by this binary.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "arcade/service.hpp"
#include "arcade/store.hpp"
#include "arcade/test_zip.hpp"
#include "storage/cached_store.hpp"
#include "storage/object_store.hpp"
#include "storage/s3_store.hpp"
#include "support/s3_server.hpp"

namespace beacon::arcade {
namespace {

namespace fs = std::filesystem;
using testing::ZipWriter;

std::string ReadFile(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

core::Result<beacon::testing::S3Server*> SharedS3() {
    static std::unique_ptr<beacon::testing::S3Server> server;
    static std::string failure;
    if (!server && failure.empty()) {
        auto s = beacon::testing::S3Server::Start(BEACON_SOURCE_DIR);
        if (s.ok()) {
            server = std::move(s).value();
        } else {
            failure = s.error().message;
        }
    }
    if (!server) return core::Error::Unavailable(failure, false);
    return server.get();
}

const std::string kPng("\x89PNG\r\n\x1a\n\0\0\0\rIHDR-one", 20);
const std::string kPng2("\x89PNG\r\n\x1a\n\0\0\0\rIHDR-two-longer", 27);

/// Bytes that are not text (every byte value, NULs included).
std::string Binary(std::size_t n) {
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + i / 7) & 0xff);
    return s;
}

class SharedStore : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        static int counter = 0;
        name_ = "arcade-" + std::to_string(::getpid()) + "-" + std::to_string(++counter);
        root_ = fs::temp_directory_path() / ("beacon-" + name_);
        fs::remove_all(root_);
        fs::create_directories(root_ / "in");
        if (GetParam() != "filesystem") {
            auto s = SharedS3();
            ASSERT_TRUE(s.ok()) << s.error().message;
            server_ = *s;
        }
        store_a_ = OpenStore("a");
        store_b_ = OpenStore("b");
        ASSERT_TRUE(store_a_ && store_b_);
        a_ = OpenService("a", *store_a_);
        b_ = OpenService("b", *store_b_);
        ASSERT_TRUE(a_ && b_);
    }
    void TearDown() override {
        a_.reset();
        b_.reset();
        store_a_.reset();
        store_b_.reset();
        fs::remove_all(root_);
    }

    /// The object store as the process on `machine` sees it.
    std::unique_ptr<storage::ObjectStore> OpenStore(const std::string& machine) {
        if (GetParam() == "filesystem") {  // one folder both machines mount
            auto st = storage::OpenFilesystemStore(root_ / "nas");
            EXPECT_TRUE(st.ok());
            return st.ok() ? std::move(st).value() : nullptr;
        }
        storage::S3Options o;
        o.endpoint = server_->Endpoint();
        o.bucket = name_;
        o.access_key = beacon::testing::S3Server::kAccessKey;
        o.secret_key = beacon::testing::S3Server::kSecretKey;
        o.retries = 1;
        auto st = storage::OpenS3Store(o);
        EXPECT_TRUE(st.ok()) << st.error().message;
        if (!st.ok()) return nullptr;
        if (GetParam() == "s3") return std::move(st).value();
        auto cached = storage::OpenCachedStore(std::move(st).value(), root_ / machine / "media");
        EXPECT_TRUE(cached.ok());
        return cached.ok() ? std::move(cached).value() : nullptr;
    }
    std::unique_ptr<ArcadeService> OpenService(const std::string& machine,
                                               storage::ObjectStore& store) {
        ArcadeOptions o;
        o.dir = root_ / machine / "arcade";
        o.database = (root_ / "catalogue.db").string();  // one catalogue, as on PostgreSQL
        o.store = &store;
        auto s = ArcadeService::Open(o);
        EXPECT_TRUE(s.ok()) << s.error().message;
        return s.ok() ? std::move(s).value() : nullptr;
    }
    fs::path Zip(const std::string& name, const std::string& page) {
        fs::path p = root_ / "in" / name;
        ZipWriter(p)
            .File("index.html", page)
            .File("Assets/Level 1.bin", Binary(300 * 1024))
            .File("js/Ünïcode game.js", "let level = '" + name + "';");
        return p;
    }
    fs::path GameDir(const std::string& machine, std::int64_t id) {
        return root_ / machine / "arcade" / "games" / std::to_string(id);
    }

    std::string name_;
    fs::path root_;
    beacon::testing::S3Server* server_ = nullptr;
    std::unique_ptr<storage::ObjectStore> store_a_, store_b_;
    std::unique_ptr<ArcadeService> a_, b_;
};

TEST_P(SharedStore, ASecondProcessServesTheGameAndCoverTheFirstUploaded) {
    auto g = a_->Add(Zip("v1.zip", "<p>v1</p>"), {.title = "Rocks", .cover = kPng});
    ASSERT_TRUE(g.ok()) << g.error().message;
    ASSERT_FALSE(g->cover_key.empty());
    EXPECT_FALSE(fs::exists(GameDir("b", g->id)));  // B has never seen it

    auto listed = b_->List();
    ASSERT_TRUE(listed.ok());
    ASSERT_EQ(listed->size(), 1u);
    auto root = b_->VersionRoot(g->id, 1);
    ASSERT_TRUE(root.ok()) << root.error().message;
    EXPECT_EQ(*root, GameDir("b", g->id) / "v1");  // B's own copy, served as today
    EXPECT_EQ(ReadFile(*root / "index.html"), "<p>v1</p>");
    EXPECT_EQ(ReadFile(*root / "Assets" / "Level 1.bin"), Binary(300 * 1024));
    EXPECT_EQ(ReadFile(*root / "js" / "Ünïcode game.js"), "let level = 'v1.zip';");
    auto cover = b_->CoverFile(*b_->Get(g->id));
    ASSERT_TRUE(cover.ok()) << cover.error().message;
    EXPECT_EQ(ReadFile(*cover), kPng);
    // The store holds the game under keys of its own (no user text, no extension).
    EXPECT_TRUE(store_b_->Exists("arcade/games/" + std::to_string(g->id) + "/v1/files"));
    EXPECT_TRUE(store_b_->Exists(g->cover_key));
}

TEST_P(SharedStore, VersionsCoversAndDeletesReachTheOtherProcess) {
    auto g = a_->Add(Zip("v1.zip", "v1"), {.title = "Rocks", .cover = kPng});
    ASSERT_TRUE(g.ok()) << g.error().message;
    ASSERT_TRUE(b_->VersionRoot(g->id, 1).ok());
    const std::string prefix = "arcade/games/" + std::to_string(g->id) + "/";

    auto v2 = a_->AddVersion(g->id, Zip("v2.zip", "v2"), "");
    ASSERT_TRUE(v2.ok()) << v2.error().message;
    EXPECT_EQ(ReadFile(*b_->VersionRoot(g->id, 2) / "index.html"), "v2");
    EXPECT_EQ(ReadFile(*b_->VersionRoot(g->id, 1) / "index.html"), "v1");  // still loading players
    auto v3 = a_->AddVersion(g->id, Zip("v3.zip", "v3"), "");
    ASSERT_TRUE(v3.ok()) << v3.error().message;
    EXPECT_FALSE(store_a_->Exists(prefix + "v1/files"));  // two versions back: gone everywhere
    EXPECT_FALSE(store_a_->Exists(prefix + "v1/f0"));
    EXPECT_EQ(ReadFile(*b_->VersionRoot(g->id, 3) / "index.html"), "v3");
    EXPECT_FALSE(b_->VersionRoot(g->id, 1).ok());
    EXPECT_FALSE(fs::exists(GameDir("b", g->id) / "v1"));  // B drops its old copy too

    auto patched = a_->Patch(g->id, {.cover = kPng2});
    ASSERT_TRUE(patched.ok()) << patched.error().message;
    EXPECT_NE(patched->cover_key, g->cover_key);
    EXPECT_FALSE(store_a_->Exists(g->cover_key));
    auto cover = b_->CoverFile(*b_->Get(g->id));
    ASSERT_TRUE(cover.ok()) << cover.error().message;
    EXPECT_EQ(ReadFile(*cover), kPng2);

    ASSERT_TRUE(a_->Delete(g->id).ok());
    EXPECT_EQ(b_->VersionRoot(g->id, 3).error().code, core::ErrorCode::kNotFound);
    for (const auto& key :
         {prefix + "v2/files", prefix + "v3/files", prefix + "v3/f0", patched->cover_key}) {
        EXPECT_FALSE(store_b_->Exists(key)) << key;
    }
}

TEST_P(SharedStore, GamesFromBeforeTheStoreAreImportedAtStart) {
    // A game published by a version that kept files and the cover in its own folder only:
    // made here with a store of its own, the cover moved back to the old place.
    auto own = storage::OpenFilesystemStore(root_ / "old-store");
    ASSERT_TRUE(own.ok());
    std::int64_t id = 0;
    {
        ArcadeOptions o;
        o.dir = root_ / "a" / "arcade";
        o.database = (root_ / "catalogue.db").string();
        o.store = own->get();
        a_.reset();
        auto old = ArcadeService::Open(o);
        ASSERT_TRUE(old.ok());
        auto g = (*old)->Add(Zip("old.zip", "old"), {.title = "Old", .cover = kPng});
        ASSERT_TRUE(g.ok()) << g.error().message;
        id = g->id;
        std::ofstream(GameDir("a", id) / "cover", std::ios::binary) << kPng;
        auto rows = GameStore::Open(o.database);
        ASSERT_TRUE(rows.ok());
        Game row = *(*rows)->Get(id);
        row.cover_key.clear();
        ASSERT_TRUE((*rows)->Update(row, row.updated_at).ok());
    }
    EXPECT_FALSE(b_->VersionRoot(id, 1).ok());  // nothing in the shared store yet
    a_ = OpenService("a", *store_a_);           // A starts on the shared store: imports
    ASSERT_TRUE(a_);
    EXPECT_FALSE(fs::exists(GameDir("a", id) / "cover"));
    auto root = b_->VersionRoot(id, 1);
    ASSERT_TRUE(root.ok()) << root.error().message;
    EXPECT_EQ(ReadFile(*root / "index.html"), "old");
    EXPECT_EQ(ReadFile(*root / "Assets" / "Level 1.bin"), Binary(300 * 1024));
    auto game = b_->Get(id);
    ASSERT_TRUE(game.ok());
    EXPECT_FALSE(game->cover_key.empty());
    auto cover = b_->CoverFile(*game);
    ASSERT_TRUE(cover.ok()) << cover.error().message;
    EXPECT_EQ(ReadFile(*cover), kPng);
}

TEST_P(SharedStore, AFileListPointingOutsideTheGameIsRefused) {
    auto g = a_->Add(Zip("v1.zip", "v1"), {.title = "Rocks"});
    ASSERT_TRUE(g.ok()) << g.error().message;
    // Someone with write access to the bucket rewrites the list.
    ASSERT_TRUE(store_a_
                    ->Put("arcade/games/" + std::to_string(g->id) + "/v1/files",
                          R"({"files": [["../../../escaped.html", 2]]})")
                    .ok());
    auto root = b_->VersionRoot(g->id, 1);
    ASSERT_FALSE(root.ok());
    EXPECT_FALSE(fs::exists(root_ / "escaped.html"));
    EXPECT_FALSE(fs::exists(root_ / "b" / "escaped.html"));
    EXPECT_FALSE(fs::exists(root_ / "b" / "arcade" / "escaped.html"));
    EXPECT_FALSE(fs::exists(GameDir("b", g->id) / "v1"));
}

INSTANTIATE_TEST_SUITE_P(Stores, SharedStore, ::testing::Values("filesystem", "s3_cached", "s3"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace beacon::arcade
