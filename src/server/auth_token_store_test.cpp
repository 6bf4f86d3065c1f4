// Signed tokens on both database backends: two AccessTokens services on one database stand for
// two `beacon serve` processes (each with its own signing key), on SQLite (the studio's
// beacon.db) and on a real PostgreSQL cluster started by this binary.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "server/auth_tokens.hpp"
#include "storage/module_db.hpp"
#include "tests/support/postgres_cluster.hpp"

namespace beacon::server {
namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kT0 = 1'900'000'000'000;  // 2030
constexpr std::int64_t kMin = 60'000;
const FamilySource kFromToken{FamilySource::Kind::kApiToken, "7"};

class AuthTokenStore : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        static int counter = 0;
        const std::string name =
            "auth_" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
        if (GetParam() == "postgres") {
            auto cluster = beacon::testing::PostgresCluster::Shared();
            ASSERT_TRUE(cluster.ok()) << cluster.error().message;
            ASSERT_TRUE((*cluster)->CreateDatabase(name).ok());
            where_ = (*cluster)->Url(name);
        } else {
            dir_ = fs::temp_directory_path() / ("beacon-" + name);
            fs::remove_all(dir_);
            fs::create_directories(dir_);
            where_ = (dir_ / "beacon.db").string();
        }
    }
    void TearDown() override {
        if (!dir_.empty()) fs::remove_all(dir_);
    }
    /// One studio process: its own key ring, the shared store.
    std::unique_ptr<AccessTokens> Studio(const SigningKeyRing& ring, std::int64_t now = kT0,
                                         AccessTokenOptions options = {}) {
        auto store = OpenRefreshStore(where_);
        EXPECT_TRUE(store.ok()) << store.error().message;
        if (!store.ok()) return nullptr;
        auto t = std::make_unique<AccessTokens>(ring, std::move(*store), nullptr, options);
        auto loaded = t->Load(now);
        EXPECT_TRUE(loaded.ok()) << loaded.error().message;
        return t;
    }

    std::string where_;
    fs::path dir_;
};

TEST_P(AuthTokenStore, ATokenFromOneProcessIsCheckedRefreshedAndRevokedByAnother) {
    auto b = Studio(SigningKeyRing::Generate(kT0));
    auto a = Studio(SigningKeyRing::Generate(kT0));
    ASSERT_TRUE(a && b);
    ASSERT_TRUE(b->Sync(kT0).ok());  // B learns A's key (A started after B)
    auto issued = a->Issue(42, kFromToken, "laptop", kT0, "curl/8.5");
    ASSERT_TRUE(issued.ok()) << issued.error().message;
    EXPECT_TRUE(b->Verify(issued->access_token, kT0 + 1000).ok());
    // B spends A's refresh token: one database, one family.
    auto next = b->Refresh(issued->refresh_token, kT0 + kMin);
    ASSERT_TRUE(next.ok()) << next.error().message;
    EXPECT_EQ(next->family, issued->family);
    EXPECT_TRUE(a->Verify(next->access_token, kT0 + kMin).ok())
        << "B's key was published before A loaded";
    auto listed = a->Families(42, kT0 + kMin);
    ASSERT_TRUE(listed.ok());
    ASSERT_EQ(listed->size(), 1u);
    EXPECT_EQ((*listed)[0].name, "laptop");
    EXPECT_EQ((*listed)[0].user_agent, "curl/8.5");
    EXPECT_EQ((*listed)[0].created_ms, kT0);
    EXPECT_EQ((*listed)[0].last_used_ms, kT0 + kMin);
    // Reusing the spent token through A revokes the family; B sees it after its next sync.
    EXPECT_FALSE(a->Refresh(issued->refresh_token, kT0 + 2 * kMin).ok());
    EXPECT_TRUE(b->Verify(next->access_token, kT0 + 2 * kMin).ok()) << "not synced yet";
    ASSERT_TRUE(b->Sync(kT0 + 2 * kMin).ok());
    EXPECT_FALSE(b->Verify(next->access_token, kT0 + 2 * kMin).ok());
    EXPECT_FALSE(b->Refresh(next->refresh_token, kT0 + 2 * kMin).ok());
}

TEST_P(AuthTokenStore, RevocationsSurviveARestartAndReachTheOtherProcess) {
    const auto ring_a = SigningKeyRing::Generate(kT0);
    auto a = Studio(ring_a);
    auto b = Studio(SigningKeyRing::Generate(kT0));
    ASSERT_TRUE(a && b);
    auto one = a->Issue(42, kFromToken, "", kT0);
    auto two = a->Issue(42, {FamilySource::Kind::kSession, "s1"}, "", kT0);
    auto other = a->Issue(43, kFromToken, "", kT0);
    ASSERT_TRUE(one.ok() && two.ok() && other.ok());
    ASSERT_TRUE(b->RevokeFamily(42, one->family, kT0 + 1000).ok());
    ASSERT_TRUE(b->RevokeAll(43, kT0 + 1000).ok());
    ASSERT_TRUE(a->Sync(kT0 + 2000).ok());
    EXPECT_FALSE(a->Verify(one->access_token, kT0 + 2000).ok());
    EXPECT_TRUE(a->Verify(two->access_token, kT0 + 2000).ok());
    EXPECT_FALSE(a->Verify(other->access_token, kT0 + 2000).ok()) << "the epoch reached A";
    // A restarts: everything is read back from the database.
    a.reset();
    a = Studio(ring_a, kT0 + 3000);
    ASSERT_TRUE(a);
    EXPECT_FALSE(a->Verify(one->access_token, kT0 + 3000).ok());
    EXPECT_TRUE(a->Verify(two->access_token, kT0 + 3000).ok());
    EXPECT_FALSE(a->Verify(other->access_token, kT0 + 3000).ok());
    auto again = a->Issue(43, kFromToken, "", kT0 + 4000);
    EXPECT_TRUE(a->Verify(again->access_token, kT0 + 4000).ok()) << "issued after the epoch";
}

TEST_P(AuthTokenStore, SignOutEverywhereElseKeepsOnlyTheAskingCredentialsFamilies) {
    auto a = Studio(SigningKeyRing::Generate(kT0));
    ASSERT_TRUE(a);
    const FamilySource here{FamilySource::Kind::kSession, "this-browser"};
    auto mine = a->Issue(42, here, "", kT0);
    auto phone = a->Issue(42, kFromToken, "", kT0);
    auto tv = a->Issue(42, {FamilySource::Kind::kSession, "tv"}, "", kT0);
    auto someone = a->Issue(43, kFromToken, "", kT0);
    auto gone = a->RevokeOthers(42, here, "", kT0 + 1000);
    ASSERT_TRUE(gone.ok()) << gone.error().message;
    EXPECT_EQ(gone->size(), 2u);
    EXPECT_TRUE(a->Verify(mine->access_token, kT0 + 1000).ok());
    EXPECT_FALSE(a->Verify(phone->access_token, kT0 + 1000).ok());
    EXPECT_FALSE(a->Verify(tv->access_token, kT0 + 1000).ok());
    EXPECT_TRUE(a->Verify(someone->access_token, kT0 + 1000).ok());
    auto left = a->Families(0, kT0 + 1000);  // every account's
    ASSERT_TRUE(left.ok());
    EXPECT_EQ(left->size(), 2u);
    // Asked with a signed token (no session or API token): its own family stays.
    auto laptop = a->Issue(42, kFromToken, "", kT0 + 2000);
    gone = a->RevokeOthers(42, std::nullopt, laptop->family, kT0 + 3000);
    ASSERT_TRUE(gone.ok());
    EXPECT_EQ(*gone, std::vector<std::string>{mine->family});
    EXPECT_TRUE(a->Verify(laptop->access_token, kT0 + 3000).ok());
}

TEST_P(AuthTokenStore, AKeyRotatedInOneProcessIsPublishedToTheOther) {
    auto a = Studio(SigningKeyRing::Generate(kT0));
    auto b = Studio(SigningKeyRing::Generate(kT0));
    ASSERT_TRUE(a && b);
    ASSERT_TRUE(a->RotateKey(kT0 + kMin).ok());
    auto issued = a->Issue(42, kFromToken, "", kT0 + kMin);
    ASSERT_TRUE(issued.ok());
    EXPECT_FALSE(b->Verify(issued->access_token, kT0 + kMin).ok()) << "B has not synced";
    ASSERT_TRUE(b->Sync(kT0 + kMin).ok());
    EXPECT_TRUE(b->Verify(issued->access_token, kT0 + kMin).ok());
    // B's /auth/keys lists A's keys beside its own.
    EXPECT_EQ(b->PublicKeys(kT0 + kMin)["keys"].size(), 3u);  // B's, A's current and retired
}

TEST_P(AuthTokenStore, TheSyncThreadBringsARevocationWithoutBeingAsked) {
    AccessTokenOptions fast;
    fast.sync_every = std::chrono::milliseconds(50);
    const auto now = core::NowMillis();
    auto a = Studio(SigningKeyRing::Generate(now), now, fast);
    auto b = Studio(SigningKeyRing::Generate(now), now, fast);
    ASSERT_TRUE(a && b);
    b->StartSync();
    auto issued = a->Issue(42, kFromToken, "", now);
    ASSERT_TRUE(issued.ok());
    ASSERT_TRUE(a->RevokeFamily(42, issued->family, now).ok());
    bool refused = false;
    for (int i = 0; i < 400 && !refused; ++i) {  // hang guard: 20 s
        refused = !b->Verify(issued->access_token, core::NowMillis()).ok();
        if (!refused) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    EXPECT_TRUE(refused);
}

INSTANTIATE_TEST_SUITE_P(Backends, AuthTokenStore, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace beacon::server
