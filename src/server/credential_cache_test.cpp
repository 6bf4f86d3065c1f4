#include "server/credential_cache.hpp"

#include <gtest/gtest.h>

namespace beacon::server {
namespace {

using Kind = CredentialCache::Kind;
using Clock = CredentialCache::Clock;
using namespace std::chrono_literals;

CredentialCache::Entry Token(std::int64_t user, std::int64_t id, Clock::time_point at) {
    CredentialCache::Entry e;
    e.user_id = user;
    e.token_id = id;
    e.checked = at;
    return e;
}

TEST(CredentialCacheTest, RemembersAConfirmedCredentialForTheTtlOnly) {
    CredentialCache cache(1000ms);
    const auto t0 = Clock::now();
    EXPECT_FALSE(cache.Find(Kind::kBearer, "d1", t0, 0));
    cache.Put(Kind::kBearer, "d1", Token(7, 3, t0), cache.Generation());
    auto hit = cache.Find(Kind::kBearer, "d1", t0 + 999ms, 0);
    ASSERT_TRUE(hit);
    EXPECT_EQ(hit->user_id, 7);
    EXPECT_EQ(hit->token_id, 3);
    // Another kind with the same digest is another credential.
    EXPECT_FALSE(cache.Find(Kind::kSession, "d1", t0, 0));
    // After the ttl the database must confirm it again: one caller is sent there, the others
    // keep the entry meanwhile, for one more ttl at most.
    EXPECT_FALSE(cache.Find(Kind::kBearer, "d1", t0 + 1000ms, 0));
    EXPECT_TRUE(cache.Find(Kind::kBearer, "d1", t0 + 1001ms, 0));
    EXPECT_FALSE(cache.Find(Kind::kBearer, "d1", t0 + 2000ms, 0));
    // The database refused it: gone at once.
    cache.Put(Kind::kBearer, "d1", Token(7, 3, t0), cache.Generation());
    cache.Forget(Kind::kBearer, "d1");
    EXPECT_FALSE(cache.Find(Kind::kBearer, "d1", t0, 0));
}

TEST(CredentialCacheTest, AnExpiredSessionIsNotFound) {
    CredentialCache cache(60s);
    const auto t0 = Clock::now();
    CredentialCache::Entry s;
    s.user_id = 1;
    s.csrf_token = "csrf";
    s.expires_at = 5000;
    s.checked = t0;
    cache.Put(Kind::kSession, "s1", s, cache.Generation());
    ASSERT_TRUE(cache.Find(Kind::kSession, "s1", t0, 4999));
    EXPECT_EQ(cache.Find(Kind::kSession, "s1", t0, 4999)->csrf_token, "csrf");
    EXPECT_FALSE(cache.Find(Kind::kSession, "s1", t0, 5000));
}

TEST(CredentialCacheTest, RevokingATokenForgetsThatTokenOnly) {
    CredentialCache cache(60s);
    const auto t0 = Clock::now();
    cache.Put(Kind::kBearer, "a", Token(1, 10, t0), cache.Generation());
    cache.Put(Kind::kBearer, "b", Token(1, 11, t0), cache.Generation());
    cache.Put(Kind::kBearer, "c", Token(2, 10, t0), cache.Generation());  // another user's id 10
    cache.RevokeToken(1, 10);
    EXPECT_FALSE(cache.Find(Kind::kBearer, "a", t0, 0));
    EXPECT_TRUE(cache.Find(Kind::kBearer, "b", t0, 0));
    EXPECT_TRUE(cache.Find(Kind::kBearer, "c", t0, 0));
    cache.RevokeUserTokens(1);
    EXPECT_FALSE(cache.Find(Kind::kBearer, "b", t0, 0));
    EXPECT_TRUE(cache.Find(Kind::kBearer, "c", t0, 0));
}

TEST(CredentialCacheTest, SessionAndStreamKeyRevocations) {
    CredentialCache cache(60s);
    const auto t0 = Clock::now();
    CredentialCache::Entry e;
    e.user_id = 4;
    e.checked = t0;
    cache.Put(Kind::kSession, "s1", e, cache.Generation());
    cache.Put(Kind::kSession, "s2", e, cache.Generation());
    cache.Put(Kind::kStreamKey, "k1", e, cache.Generation());
    cache.Put(Kind::kBearer, "t1", e, cache.Generation());
    cache.RevokeSession("s1");  // logout
    EXPECT_FALSE(cache.Find(Kind::kSession, "s1", t0, 0));
    EXPECT_TRUE(cache.Find(Kind::kSession, "s2", t0, 0));
    cache.RevokeUserStreamKeys(4);  // rotation
    EXPECT_FALSE(cache.Find(Kind::kStreamKey, "k1", t0, 0));
    EXPECT_TRUE(cache.Find(Kind::kSession, "s2", t0, 0));
    cache.RevokeUserSessions(4);  // password change
    EXPECT_FALSE(cache.Find(Kind::kSession, "s2", t0, 0));
    EXPECT_TRUE(cache.Find(Kind::kBearer, "t1", t0, 0));
    cache.RevokeAll();
    EXPECT_FALSE(cache.Find(Kind::kBearer, "t1", t0, 0));
}

TEST(CredentialCacheTest, AnAnswerReadBeforeARevocationIsNotStoredAfterIt) {
    // A request reads "valid" from the database, the token is deleted meanwhile, then the
    // request stores what it read: the cache must not bring the token back.
    CredentialCache cache(60s);
    const auto t0 = Clock::now();
    const auto before = cache.Generation();
    cache.RevokeToken(1, 10);
    cache.Put(Kind::kBearer, "a", Token(1, 10, t0), before);
    EXPECT_FALSE(cache.Find(Kind::kBearer, "a", t0, 0));
    cache.Put(Kind::kBearer, "a", Token(1, 10, t0), cache.Generation());
    EXPECT_TRUE(cache.Find(Kind::kBearer, "a", t0, 0));
}

TEST(CredentialCacheTest, StaysBounded) {
    CredentialCache cache(60s, 3);
    const auto t0 = Clock::now();
    for (int i = 0; i < 10; ++i) {
        cache.Put(Kind::kBearer, "d" + std::to_string(i), Token(1, i, t0), cache.Generation());
    }
    int found = 0;
    for (int i = 0; i < 10; ++i) found += cache.Find(Kind::kBearer, "d" + std::to_string(i), t0, 0) ? 1 : 0;
    EXPECT_LE(found, 3);
    EXPECT_TRUE(cache.Find(Kind::kBearer, "d9", t0, 0));
}

}  // namespace
}  // namespace beacon::server
