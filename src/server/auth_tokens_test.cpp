#include "server/auth_tokens.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include <filesystem>

namespace beacon::server {
namespace {

using core::Json;

std::array<unsigned char, 64> Hex64(const std::string& hex) {
    std::array<unsigned char, 64> out{};
    sodium_hex2bin(out.data(), out.size(), hex.data(), hex.size(), nullptr, nullptr, nullptr);
    return out;
}
std::array<unsigned char, 32> Hex32(const std::string& hex) {
    std::array<unsigned char, 32> out{};
    sodium_hex2bin(out.data(), out.size(), hex.data(), hex.size(), nullptr, nullptr, nullptr);
    return out;
}

// The PASETO v4.public test vectors 4-S-1 to 4-S-3 (paseto-standard/test-vectors, v4.json).
const char* kSecret =
    "b4cbfb43df4ce210727d953e4a713307fa19bb7d9f85041438d9e11b942a3774"
    "1eb9dbbbbc047c03fd70604e0071f0987e16b28b757225c11f00415d0e20b1a2";
const char* kPublic = "1eb9dbbbbc047c03fd70604e0071f0987e16b28b757225c11f00415d0e20b1a2";
const char* kMessage = R"({"data":"this is a signed message","exp":"2022-01-01T00:00:00+00:00"})";
const char* kFooter = R"({"kid":"zVhMiPBP9fRf2snEcT7gFTioeA9COcNy9DfgL1W60haN"})";

TEST(Paseto, MatchesTheV4PublicTestVectors) {
    struct Vector {
        const char* footer;
        const char* implicit;
        const char* token;
    };
    const Vector vectors[] = {
        {"", "",
         "v4.public."
         "eyJkYXRhIjoidGhpcyBpcyBhIHNpZ25lZCBtZXNzYWdlIiwiZXhwIjoiMjAyMi0wMS0wMVQwMDowMDow"
         "MCswMDowMCJ9bg_XBBzds8lTZShVlwwKSgeKpLT3yukTw6JUz3W4h_ExsQV-"
         "P0V54zemZDcAxFaSeef1QlXEFtkqxT1"
         "ciiQEDA"},
        {kFooter, "",
         "v4.public."
         "eyJkYXRhIjoidGhpcyBpcyBhIHNpZ25lZCBtZXNzYWdlIiwiZXhwIjoiMjAyMi0wMS0wMVQwMDowMDow"
         "MCswMDowMCJ9v3Jt8mx_TdM2ceTGoqwrh4yDFn0XsHvvV_D0DtwQxVrJEBMl0F2caAdgnpKlt4p7xBnx1HcO-"
         "SPo8FP"
         "p214HDw.eyJraWQiOiJ6VmhNaVBCUDlmUmYyc25FY1Q3Z0ZUaW9lQTlDT2NOeTlEZmdMMVc2MGhhTiJ9"},
        {kFooter, R"({"test-vector":"4-S-3"})",
         "v4.public."
         "eyJkYXRhIjoidGhpcyBpcyBhIHNpZ25lZCBtZXNzYWdlIiwiZXhwIjoiMjAyMi0wMS0wMVQwMDowMDow"
         "MCswMDowMCJ9NPWciuD3d0o5eXJXG5pJy-DiVEoyPYWs1YSTwWHNJq6DZD3je5gf-"
         "0M4JR9ipdUSJbIovzmBECeaWma"
         "qcaP0DQ.eyJraWQiOiJ6VmhNaVBCUDlmUmYyc25FY1Q3Z0ZUaW9lQTlDT2NOeTlEZmdMMVc2MGhhTiJ9"},
    };
    for (const auto& v : vectors) {
        // Ed25519 is deterministic: signing gives the vector's token byte for byte.
        EXPECT_EQ(PasetoSignV4Public(kMessage, v.footer, v.implicit, Hex64(kSecret)), v.token);
        auto m = PasetoVerifyV4Public(v.token, v.implicit, Hex32(kPublic));
        ASSERT_TRUE(m.ok()) << m.error().message;
        EXPECT_EQ(*m, kMessage);
        EXPECT_EQ(*PasetoFooter(v.token), v.footer);
        // Another implicit assertion (another purpose) does not verify.
        EXPECT_FALSE(PasetoVerifyV4Public(v.token, "beacon-access", Hex32(kPublic)).ok());
    }
}

TEST(Paseto, ATamperedTokenDoesNotVerify) {
    std::string token = PasetoSignV4Public(kMessage, kFooter, "", Hex64(kSecret));
    ASSERT_TRUE(PasetoVerifyV4Public(token, "", Hex32(kPublic)).ok());
    for (std::size_t i = std::string("v4.public.").size(); i < token.size(); i += 7) {
        std::string bad = token;
        if (bad[i] == '.') continue;
        bad[i] = bad[i] == 'A' ? 'B' : 'A';
        EXPECT_FALSE(PasetoVerifyV4Public(bad, "", Hex32(kPublic)).ok()) << "byte " << i;
    }
    EXPECT_FALSE(PasetoVerifyV4Public("v4.local." + token.substr(10), "", Hex32(kPublic)).ok());
    EXPECT_FALSE(PasetoVerifyV4Public("v4.public.", "", Hex32(kPublic)).ok());
    EXPECT_FALSE(PasetoVerifyV4Public(token + ".x", "", Hex32(kPublic)).ok());
}

// ---- the service on a real SQLite file ------------------------------------------------------

struct Service {
    std::filesystem::path file;
    std::unique_ptr<AccessTokens> tokens;
    int saves = 0;
    explicit Service(const std::string& name)
        : file(std::filesystem::path(::testing::TempDir()) / (name + ".db")) {
        std::filesystem::remove(file);
        Open();
    }
    void Open(std::optional<SigningKeyRing> ring = std::nullopt) {
        auto store = OpenRefreshStore(file);
        EXPECT_TRUE(store.ok()) << store.error().message;
        tokens = std::make_unique<AccessTokens>(ring ? *ring : SigningKeyRing::Generate(kT0),
                                                std::move(*store), [this](const SigningKeyRing&) {
                                                    ++saves;
                                                    return core::Status{};
                                                });
        EXPECT_TRUE(tokens->Load(kT0).ok());
    }
    static constexpr std::int64_t kT0 = 1'800'000'000'000;
    static constexpr std::int64_t kMin = 60'000;
};

const FamilySource kFromToken{FamilySource::Kind::kApiToken, "7"};

TEST(AccessTokens, AnAccessTokenVerifiesUntilItExpires) {
    Service s("at-expiry");
    auto issued = s.tokens->Issue(42, kFromToken, "ci", Service::kT0);
    ASSERT_TRUE(issued.ok()) << issued.error().message;
    EXPECT_EQ(issued->expires_in_s, 900);
    EXPECT_TRUE(issued->access_token.starts_with("v4.public."));
    EXPECT_TRUE(issued->refresh_token.starts_with("bcr_"));
    auto c = s.tokens->Verify(issued->access_token, Service::kT0 + 14 * Service::kMin);
    ASSERT_TRUE(c.ok()) << c.error().message;
    EXPECT_EQ(c->user_id, 42);
    EXPECT_EQ(c->family, issued->family);
    EXPECT_FALSE(s.tokens->Verify(issued->access_token, Service::kT0 + 15 * Service::kMin).ok());
    // Tampering: another user id in the payload breaks the signature.
    std::string t = issued->access_token;
    EXPECT_FALSE(s.tokens->Verify(t.substr(0, t.size() - 3) + "AAA", Service::kT0).ok());
    // A token signed by a key that is not ours (same layout, same kid) is refused.
    Service other("at-other");
    auto foreign = other.tokens->Issue(42, kFromToken, "", Service::kT0);
    EXPECT_FALSE(s.tokens->Verify(foreign->access_token, Service::kT0).ok());
}

TEST(AccessTokens, RefreshRotatesAndAReusedRefreshTokenRevokesTheFamily) {
    Service s("at-refresh");
    auto first = s.tokens->Issue(42, kFromToken, "", Service::kT0);
    ASSERT_TRUE(first.ok());
    auto second = s.tokens->Refresh(first->refresh_token, Service::kT0 + Service::kMin);
    ASSERT_TRUE(second.ok()) << second.error().message;
    EXPECT_NE(second->refresh_token, first->refresh_token);
    EXPECT_EQ(second->family, first->family);
    EXPECT_TRUE(s.tokens->Verify(second->access_token, Service::kT0 + Service::kMin).ok());
    // The first refresh token comes back (a copy was stolen): the whole family ends.
    auto reuse = s.tokens->Refresh(first->refresh_token, Service::kT0 + 2 * Service::kMin);
    ASSERT_FALSE(reuse.ok());
    EXPECT_EQ(reuse.error().code, core::ErrorCode::kUnauthorized);
    EXPECT_FALSE(s.tokens->Refresh(second->refresh_token, Service::kT0 + 2 * Service::kMin).ok());
    EXPECT_FALSE(s.tokens->Verify(second->access_token, Service::kT0 + 2 * Service::kMin).ok());
    EXPECT_FALSE(s.tokens->Verify(first->access_token, Service::kT0 + 2 * Service::kMin).ok());
    // Another family of the same account is untouched.
    auto other = s.tokens->Issue(42, kFromToken, "", Service::kT0 + 3 * Service::kMin);
    EXPECT_TRUE(s.tokens->Verify(other->access_token, Service::kT0 + 3 * Service::kMin).ok());
    // The revocation survives a restart (rebuilt from the database).
    s.tokens.reset();
    s.Open();
    EXPECT_FALSE(s.tokens->Refresh(second->refresh_token, Service::kT0 + 4 * Service::kMin).ok());
}

TEST(AccessTokens, RevokeAllEndsEveryTokenIssuedBeforeAndSurvivesARestart) {
    Service s("at-all");
    auto ring = SigningKeyRing::Generate(Service::kT0);
    s.tokens.reset();
    s.Open(ring);
    auto a = s.tokens->Issue(42, kFromToken, "", Service::kT0);
    auto b = s.tokens->Issue(42, {FamilySource::Kind::kSession, "abc"}, "", Service::kT0);
    auto other_user = s.tokens->Issue(43, kFromToken, "", Service::kT0);
    ASSERT_TRUE(s.tokens->RevokeAll(42, Service::kT0 + 1000).ok());
    EXPECT_FALSE(s.tokens->Verify(a->access_token, Service::kT0 + 1000).ok());
    EXPECT_FALSE(s.tokens->Verify(b->access_token, Service::kT0 + 1000).ok());
    EXPECT_FALSE(s.tokens->Refresh(b->refresh_token, Service::kT0 + 1000).ok());
    EXPECT_TRUE(s.tokens->Verify(other_user->access_token, Service::kT0 + 1000).ok());
    auto after = s.tokens->Issue(42, kFromToken, "", Service::kT0 + 2000);
    EXPECT_TRUE(s.tokens->Verify(after->access_token, Service::kT0 + 2000).ok());
    s.tokens.reset();
    s.Open(ring);
    EXPECT_FALSE(s.tokens->Verify(a->access_token, Service::kT0 + 3000).ok());
    EXPECT_TRUE(s.tokens->Verify(after->access_token, Service::kT0 + 3000).ok());
}

TEST(AccessTokens, RevokingASourceEndsOnlyItsFamilies) {
    Service s("at-source");
    auto from7 = s.tokens->Issue(42, kFromToken, "", Service::kT0);
    auto from8 = s.tokens->Issue(42, {FamilySource::Kind::kApiToken, "8"}, "", Service::kT0);
    ASSERT_TRUE(s.tokens->RevokeFromSource(42, kFromToken, Service::kT0).ok());
    EXPECT_FALSE(s.tokens->Verify(from7->access_token, Service::kT0).ok());
    EXPECT_TRUE(s.tokens->Verify(from8->access_token, Service::kT0).ok());
    auto mine = s.tokens->Families(42, Service::kT0);
    ASSERT_TRUE(mine.ok());
    ASSERT_EQ(mine->size(), 1u);
    EXPECT_EQ((*mine)[0].id, from8->family);
    EXPECT_FALSE(s.tokens->RevokeFamily(43, from8->family, Service::kT0).ok());  // not theirs
}

TEST(AccessTokens, KeyRotationKeepsOldTokensValidUntilTheyExpireAndRoundTrips) {
    Service s("at-rotate");
    auto before = s.tokens->Issue(42, kFromToken, "", Service::kT0);
    ASSERT_TRUE(s.tokens->RotateKey(Service::kT0 + Service::kMin).ok());
    EXPECT_EQ(s.saves, 1);
    auto after = s.tokens->Issue(42, kFromToken, "", Service::kT0 + Service::kMin);
    EXPECT_NE(*PasetoFooter(before->access_token), *PasetoFooter(after->access_token));
    EXPECT_TRUE(s.tokens->Verify(before->access_token, Service::kT0 + 2 * Service::kMin).ok());
    EXPECT_TRUE(s.tokens->Verify(after->access_token, Service::kT0 + 2 * Service::kMin).ok());
    auto keys = s.tokens->PublicKeys(Service::kT0 + 2 * Service::kMin);
    EXPECT_EQ(keys["keys"].size(), 2u);
    EXPECT_EQ(keys.dump().find("seed"), std::string::npos);

    auto ring = SigningKeyRing::Generate(Service::kT0);
    ring.Rotate(Service::kT0 + 1, std::chrono::minutes(15));
    auto back = SigningKeyRing::FromJson(ring.ToJson());
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_EQ(back->size(), 2u);
    EXPECT_EQ(back->current().kid, ring.current().kid);
    EXPECT_EQ(back->current().pub, ring.current().pub);
    EXPECT_FALSE(SigningKeyRing::FromJson(Json{{"keys", Json::array()}}).ok());
}

}  // namespace
}  // namespace beacon::server
