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

}  // namespace
}  // namespace beacon::server
