#include "server/auth.hpp"

#include <gtest/gtest.h>

namespace beacon::server {
namespace {

// Small argon2 costs keep the unit test fast; the server's defaults are in PasswordParams.
const PasswordParams kCheap{1, 1024, 1};

TEST(AuthTest, HashesWithArgon2idAndVerifies) {
    auto hash = HashPassword("correct horse", kCheap);
    ASSERT_TRUE(hash.ok()) << hash.error().message;
    EXPECT_TRUE(hash->starts_with("$argon2id$v=19$m=1024,t=1,p=1$"));
    EXPECT_TRUE(VerifyPassword("correct horse", *hash));
    EXPECT_FALSE(VerifyPassword("correct horsE", *hash));
    EXPECT_FALSE(VerifyPassword("correct horse", ""));
    EXPECT_FALSE(VerifyPassword("correct horse", "$argon2id$garbage"));
}

TEST(AuthTest, SaltsDiffer) {
    auto a = HashPassword("same password", kCheap);
    auto b = HashPassword("same password", kCheap);
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_NE(*a, *b);
}

TEST(AuthTest, DefaultParamsAreArgon2id64MiB) {
    auto hash = HashPassword("a real password");
    ASSERT_TRUE(hash.ok());
    EXPECT_TRUE(hash->starts_with("$argon2id$v=19$m=65536,t=3,p=1$")) << *hash;
}

TEST(AuthTest, NewPasswordLength) {
    EXPECT_FALSE(ValidateNewPassword("short").ok());
    EXPECT_TRUE(ValidateNewPassword("eight ch").ok());
    EXPECT_FALSE(ValidateNewPassword(std::string(1025, 'x')).ok());
}

TEST(AuthTest, TokensAreRandomAndHashed) {
    std::string a = NewApiToken(), b = NewApiToken();
    EXPECT_NE(a, b);
    EXPECT_TRUE(a.starts_with("bcn_"));
    EXPECT_EQ(a.size(), 4u + 43u);
    EXPECT_EQ(a.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_", 4),
              std::string::npos);
    EXPECT_EQ(HashToken(a).size(), 64u);
    EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(AuthTest, ThrottleLocksOutAfterFreeFailuresAndDoubles) {
    using namespace std::chrono;
    LoginThrottle t(3, seconds(1), seconds(5));
    auto now = LoginThrottle::Clock::now();
    for (int i = 0; i < 2; ++i) {
        t.RecordFailure("1.2.3.4", now);
        EXPECT_EQ(t.RetryAfter("1.2.3.4", now).count(), 0);
    }
    t.RecordFailure("1.2.3.4", now);
    EXPECT_EQ(t.RetryAfter("1.2.3.4", now), milliseconds(1000));
    EXPECT_EQ(t.RetryAfter("5.6.7.8", now).count(), 0);  // per client
    t.RecordFailure("1.2.3.4", now);
    EXPECT_EQ(t.RetryAfter("1.2.3.4", now), milliseconds(2000));
    for (int i = 0; i < 10; ++i) t.RecordFailure("1.2.3.4", now);
    EXPECT_EQ(t.RetryAfter("1.2.3.4", now), milliseconds(5000));  // capped
    EXPECT_EQ(t.RetryAfter("1.2.3.4", now + seconds(6)).count(), 0);
    t.RecordSuccess("1.2.3.4");
    t.RecordFailure("1.2.3.4", now);
    EXPECT_EQ(t.RetryAfter("1.2.3.4", now).count(), 0);
}

TEST(AuthTest, AccountThrottleLocksANameFromEveryAddressAndResetsOnSuccess) {
    using namespace std::chrono;
    AccountThrottle t(3, seconds(1), seconds(8));
    auto now = AccountThrottle::Clock::now();
    // Guesses spread over addresses still count for the one name.
    t.RecordFailure("admin", "10.0.0.1", now);
    t.RecordFailure("admin", "10.0.0.2", now);
    EXPECT_EQ(t.RetryAfter("admin", "10.0.0.3", now).count(), 0);
    t.RecordFailure("admin", "10.0.0.3", now);
    EXPECT_EQ(t.RetryAfter("admin", "10.0.0.4", now), milliseconds(1000));
    EXPECT_EQ(t.RetryAfter("editor", "10.0.0.4", now).count(), 0);  // per name
    t.RecordFailure("admin", "10.0.0.4", now);
    EXPECT_EQ(t.RetryAfter("admin", "10.0.0.9", now), milliseconds(2000));  // doubles
    for (int i = 0; i < 10; ++i) t.RecordFailure("admin", "10.0.0.5", now);
    EXPECT_EQ(t.RetryAfter("admin", "10.0.0.9", now), milliseconds(8000));  // capped
    EXPECT_EQ(t.RetryAfter("admin", "10.0.0.9", now + seconds(9)).count(), 0);
    t.RecordSuccess("admin", "10.0.0.9", now + seconds(9));
    t.RecordFailure("admin", "10.0.0.1", now + seconds(9));
    EXPECT_EQ(t.RetryAfter("admin", "10.0.0.1", now + seconds(9)).count(), 0);  // reset
}

TEST(AuthTest, AccountThrottleTreatsUnknownNamesAlikeAndSparesTheOwnersAddresses) {
    using namespace std::chrono;
    AccountThrottle t(2, seconds(30), minutes(15), hours(24));
    auto now = AccountThrottle::Clock::now();
    // The owner signed in from home earlier.
    t.RecordSuccess("admin", "192.168.1.20", now);
    for (int i = 0; i < 5; ++i) t.RecordFailure("admin", "203.0.113.7", now);
    for (int i = 0; i < 5; ++i) t.RecordFailure("no-such-user", "203.0.113.7", now);
    EXPECT_EQ(t.RetryAfter("admin", "203.0.113.8", now),
              t.RetryAfter("no-such-user", "203.0.113.8", now));
    EXPECT_GT(t.RetryAfter("admin", "203.0.113.8", now).count(), 0);
    // The lock does not reach the owner's usual address, and their typos lock nobody out.
    EXPECT_EQ(t.RetryAfter("admin", "192.168.1.20", now).count(), 0);
    t.RecordSuccess("editor", "192.168.1.30", now);
    for (int i = 0; i < 5; ++i) t.RecordFailure("editor", "192.168.1.30", now);
    EXPECT_EQ(t.RetryAfter("editor", "203.0.113.8", now).count(), 0);
    // Trust ends after trusted_for: a fresh lock then holds that address too.
    t.RecordFailure("admin", "203.0.113.7", now + hours(25));
    EXPECT_GT(t.RetryAfter("admin", "203.0.113.8", now + hours(25)).count(), 0);
    EXPECT_GT(t.RetryAfter("admin", "192.168.1.20", now + hours(25)).count(), 0);
}

TEST(AuthTest, AccountThrottleMemoryIsBounded) {
    AccountThrottle t(1, std::chrono::seconds(60), std::chrono::minutes(15),
                      std::chrono::hours(24), 100);
    auto now = AccountThrottle::Clock::now();
    for (int i = 0; i < 1000; ++i) {
        t.RecordFailure("name" + std::to_string(i), "203.0.113.7", now + std::chrono::milliseconds(i));
    }
    // The newest names are still held; the oldest were dropped to stay within 100.
    EXPECT_GT(t.RetryAfter("name999", "203.0.113.8", now).count(), 0);
    EXPECT_EQ(t.RetryAfter("name0", "203.0.113.8", now).count(), 0);
}

}  // namespace
}  // namespace beacon::server
