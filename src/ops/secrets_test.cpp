#include "ops/secrets.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "ops/test_support.hpp"

namespace beacon::ops {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

std::string Read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

TEST(Secrets, SealedAtRestWithAPrivateKeyFile) {
    fs::path dir = TempDir("secrets");
    SecretStore store(dir / "secrets.json", dir / "secret.key");
    const std::string key = "sk_live_0123456789abcdef";
    ASSERT_TRUE(store.Set("elevenlabs", key).ok());
    struct stat st {};
    ASSERT_EQ(::stat((dir / "secret.key").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    ASSERT_EQ(::stat((dir / "secrets.json").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 077, 0u);
    EXPECT_EQ(Read(dir / "secrets.json").find(key), std::string::npos);
    EXPECT_EQ(Read(dir / "secrets.json").find("sk_live"), std::string::npos);
    auto got = store.Get("elevenlabs");
    ASSERT_TRUE(got.ok());
    ASSERT_TRUE(got->has_value());
    EXPECT_EQ(**got, key);
    EXPECT_FALSE(store.Get("other")->has_value());
    EXPECT_EQ(*store.Names(), std::vector<std::string>{"elevenlabs"});
    ASSERT_TRUE(store.Remove("elevenlabs").ok());
    EXPECT_FALSE(store.Get("elevenlabs")->has_value());
}

TEST(Secrets, AnotherKeyTamperingOrAnOpenKeyFileIsRefused) {
    fs::path dir = TempDir("secrets-bad");
    SecretStore store(dir / "secrets.json", dir / "secret.key");
    ASSERT_TRUE(store.Set("elevenlabs", "value-1").ok());
    // Another key file cannot open it.
    fs::copy_file(dir / "secrets.json", dir / "copy.json");
    SecretStore other(dir / "copy.json", dir / "other.key");
    ASSERT_TRUE(other.Set("x", "y").ok());  // creates other.key
    EXPECT_FALSE(other.Get("elevenlabs").ok());
    // A flipped byte in the box is refused (authenticated encryption).
    std::string text = Read(dir / "secrets.json");
    auto at = text.find("\"box\": \"") + 8;
    text[at] = text[at] == 'A' ? 'B' : 'A';
    std::ofstream(dir / "secrets.json") << text;
    EXPECT_FALSE(store.Get("elevenlabs").ok());
    // A key file others can read is refused.
    ::chmod((dir / "secret.key").c_str(), 0644);
    auto open = store.Get("elevenlabs");
    ASSERT_FALSE(open.ok());
    EXPECT_NE(open.error().message.find("chmod 600"), std::string::npos);
    // No key file at all.
    fs::remove(dir / "secret.key");
    EXPECT_FALSE(store.Get("elevenlabs").ok());
}

TEST(Secrets, RotateKeySealsEveryValueAgainWithANewKey) {
    fs::path dir = TempDir("secrets-rotate");
    SecretStore store(dir / "secrets.json", dir / "secret.key");
    ASSERT_TRUE(store.Set("elevenlabs", "value-1").ok());
    ASSERT_TRUE(store.Set("access_token_keys", R"({"keys":[]})").ok());
    const std::string old_key = Read(dir / "secret.key");
    const std::string old_sealed = Read(dir / "secrets.json");
    auto n = store.RotateKey();
    ASSERT_TRUE(n.ok()) << n.error().message;
    EXPECT_EQ(*n, 2);
    EXPECT_NE(Read(dir / "secret.key"), old_key);
    EXPECT_NE(Read(dir / "secrets.json"), old_sealed);
    EXPECT_FALSE(fs::exists(dir / "secret.key.next"));
    struct stat st {};
    ASSERT_EQ(::stat((dir / "secret.key").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    EXPECT_EQ(**store.Get("elevenlabs"), "value-1");
    EXPECT_EQ(**store.Get("access_token_keys"), R"({"keys":[]})");
    // The old key opens nothing any more.
    std::ofstream(dir / "old.key", std::ios::binary) << old_key;
    ::chmod((dir / "old.key").c_str(), 0600);
    EXPECT_FALSE(SecretStore(dir / "secrets.json", dir / "old.key").Get("elevenlabs").ok());

    // A rotation that stopped before renaming its key: the values open with `.next`.
    fs::rename(dir / "secret.key", dir / "secret.key.next");
    fs::copy_file(dir / "old.key", dir / "secret.key");
    EXPECT_EQ(**store.Get("elevenlabs"), "value-1");
}

TEST(Secrets, RotateKeyChangesNothingWhenAValueCannotBeOpened) {
    fs::path dir = TempDir("secrets-rotate-bad");
    SecretStore store(dir / "secrets.json", dir / "secret.key");
    ASSERT_TRUE(store.Set("elevenlabs", "value-1").ok());
    std::string text = Read(dir / "secrets.json");
    auto at = text.find("\"box\": \"") + 8;
    text[at] = text[at] == 'A' ? 'B' : 'A';
    std::ofstream(dir / "secrets.json") << text;
    const std::string key = Read(dir / "secret.key");
    EXPECT_FALSE(store.RotateKey().ok());
    EXPECT_EQ(Read(dir / "secret.key"), key);
    EXPECT_EQ(Read(dir / "secrets.json"), text);
    EXPECT_FALSE(fs::exists(dir / "secret.key.next"));
}

}  // namespace
}  // namespace beacon::ops
