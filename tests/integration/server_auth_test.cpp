// Sign-in limits per account and signed access tokens, against a real server and SQLite.
#include <chrono>
#include <thread>

#include "server/auth_tokens.hpp"
#include "server_test_client.hpp"

namespace beacon::server::testing {
namespace {

using core::Json;

// ---- failed sign-ins per account name ----------------------------------------------------------

class AccountThrottleTest : public ServerFixture {
    void Configure(ServerOptions& o, ServerDeps&) override {
        o.login_free_failures = 100;  // the per-address limit stays out of the way here
        o.login_account_free_failures = 3;
        o.login_account_lockout_base = std::chrono::seconds(30);
    }
};

HttpResult Login(std::uint16_t port, const std::string& user, const std::string& password) {
    return Send(port, "POST", "/api/v1/auth/login",
                Json{{"username", user}, {"password", password}}.dump());
}

TEST_F(AccountThrottleTest, AnAccountIsLockedWith429AndRetryAfterAndAnUnknownNameLooksTheSame) {
    SetUpPassword("correct horse battery");
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(Login(port_, "admin", "guess " + std::to_string(i)).status, 401u);
        EXPECT_EQ(Login(port_, "nobody", "guess " + std::to_string(i)).status, 401u);
    }
    // Even the right password waits: the lock is on the name, not on the guess.
    auto real = Login(port_, "admin", "correct horse battery");
    auto ghost = Login(port_, "nobody", "correct horse battery");
    ASSERT_EQ(real.status, 429u) << real.body;
    EXPECT_EQ(real.ErrorCode(), "rate_limited");
    int retry_after = std::stoi(real.Header("retry-after"));
    EXPECT_GE(retry_after, 29);
    EXPECT_LE(retry_after, 30);
    // Whether the account exists is not told: same status, body and wait.
    EXPECT_EQ(ghost.status, real.status);
    EXPECT_EQ(ghost.body, real.body);
    EXPECT_EQ(ghost.Header("retry-after"), real.Header("retry-after"));
    // Another name is not held by it.
    EXPECT_EQ(Login(port_, "editor", "a guess").status, 401u);
    EXPECT_TRUE(Healthy());
}

// ---- signed access tokens ---------------------------------------------------------------------

class SignedTokenTest : public ServerFixture {
protected:
    void Configure(ServerOptions&, ServerDeps& deps) override {
        auto store = OpenRefreshStore(dir_ / "tokens.db");
        ASSERT_TRUE(store.ok()) << store.error().message;
        AccessTokenOptions o;
        o.access_ttl = ttl_;
        tokens_ = std::make_unique<AccessTokens>(SigningKeyRing::Generate(core::NowMillis()),
                                                 std::move(*store), nullptr, o);
        ASSERT_TRUE(tokens_->Load(core::NowMillis()).ok());
        deps.access_tokens = tokens_.get();
    }
    Json Issue(const Headers& h) {
        auto r = Call("POST", "/api/v1/auth/token", R"({"name":"deploy script"})", h);
        EXPECT_EQ(r.status, 200u) << r.body;
        return r.Json();
    }
    static Headers As(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }
    HttpResult Refresh(const std::string& refresh_token) {
        return Call("POST", "/api/v1/auth/refresh", Json{{"refresh_token", refresh_token}}.dump());
    }

    std::chrono::seconds ttl_{900};
    std::unique_ptr<AccessTokens> tokens_;
};

TEST_F(SignedTokenTest, AnAccessTokenOpensWhatAnApiTokenOpensAndNothingWhenTampered) {
    auto opaque = Bearer();
    auto t = Issue(opaque);
    EXPECT_EQ(t["token_type"], "Bearer");
    EXPECT_EQ(t["expires_in"], 900);
    const std::string access = t["access_token"];
    ASSERT_TRUE(access.starts_with("v4.public.")) << access;
    EXPECT_TRUE(t["refresh_token"].get<std::string>().starts_with("bcr_"));
    // The same routes as the opaque token, writes included, without CSRF.
    EXPECT_EQ(Get("/api/v1/jobs", As(access)).status, 200u);
    EXPECT_EQ(Get("/api/v1/content", As(access)).status, 200u);  // answered from memory
    EXPECT_EQ(Get("/api/v1/auth/me", As(access)).Json()["user"]["id"], user_id_);
    EXPECT_EQ(Call("POST", "/api/v1/playlists", R"({"title":"By a client"})", As(access)).status,
              201u);
    // A signed token does not mint another grant.
    EXPECT_EQ(Call("POST", "/api/v1/auth/token", "{}", As(access)).status, 403u);
    // A session can make one too (with its CSRF header, like any cookie write).
    SetUpPassword();
    EXPECT_EQ(Call("POST", "/api/v1/auth/token", "{}", Cookie(false)).status, 403u);
    EXPECT_EQ(Call("POST", "/api/v1/auth/token", "{}", Cookie(true)).status, 200u);

    // Tampered: one character of the payload or of the signature changed.
    for (std::size_t at : {std::size_t{12}, access.size() / 2, access.size() - 60}) {
        std::string bad = access;
        bad[at] = bad[at] == 'A' ? 'B' : 'A';
        auto r = Get("/api/v1/jobs", As(bad));
        EXPECT_EQ(r.status, 401u) << at;
        EXPECT_EQ(r.Header("www-authenticate"), "Bearer");
        EXPECT_EQ(Get("/api/v1/content", As(bad)).status, 401u) << at;
    }
    // The keys that verify are public; no secret in them.
    auto keys = Get("/api/v1/auth/keys");
    ASSERT_EQ(keys.status, 200u);
    EXPECT_EQ(keys.Json()["keys"].size(), 1u);
    EXPECT_EQ(keys.body.find("seed"), std::string::npos);
}

TEST_F(SignedTokenTest, ARefreshTokenIsSingleUseAndItsReuseRevokesTheFamilyAtOnce) {
    auto t = Issue(Bearer());
    auto r1 = Refresh(t["refresh_token"]);
    ASSERT_EQ(r1.status, 200u) << r1.body;
    const std::string access2 = r1.Json()["access_token"];
    const std::string refresh2 = r1.Json()["refresh_token"];
    EXPECT_EQ(r1.Json()["family"], t["family"]);
    EXPECT_EQ(Get("/api/v1/content", As(access2)).status, 200u);
    EXPECT_EQ(Get("/api/v1/jobs", As(access2)).status, 200u);

    // The spent token again (a stolen copy): refused, and the family ends on the next request.
    auto reuse = Refresh(t["refresh_token"]);
    EXPECT_EQ(reuse.status, 401u) << reuse.body;
    EXPECT_EQ(Get("/api/v1/jobs", As(access2)).status, 401u);
    EXPECT_EQ(Get("/api/v1/content", As(access2)).status, 401u);
    EXPECT_EQ(Get("/api/v1/jobs", As(t["access_token"])).status, 401u);
    EXPECT_EQ(Refresh(refresh2).status, 401u);
    EXPECT_EQ(Refresh("bcr_not-a-token").status, 401u);
}

TEST_F(SignedTokenTest, RevocationTakesEffectOnTheNextRequest) {
    auto opaque = Bearer();
    auto a = Issue(opaque);
    auto b = Issue(opaque);
    // Signing out a client with only its refresh token (no access token needed).
    auto out =
        Call("POST", "/api/v1/auth/revoke", Json{{"refresh_token", a["refresh_token"]}}.dump());
    ASSERT_EQ(out.status, 200u) << out.body;
    EXPECT_EQ(Get("/api/v1/jobs", As(a["access_token"])).status, 401u);
    EXPECT_EQ(Get("/api/v1/jobs", As(b["access_token"])).status, 200u);
    auto families = Get("/api/v1/auth/families", As(b["access_token"]));
    ASSERT_EQ(families.status, 200u);
    ASSERT_EQ(families.Json()["items"].size(), 1u);
    EXPECT_EQ(families.Json()["items"][0]["current"], true);
    EXPECT_EQ(families.Json()["items"][0]["name"], "deploy script");
    // One family by id, then everything of the account.
    auto c = Issue(opaque);
    EXPECT_EQ(
        Call("POST", "/api/v1/auth/revoke", Json{{"family", c["family"]}}.dump(), opaque).status,
        200u);
    EXPECT_EQ(Get("/api/v1/content", As(c["access_token"])).status, 401u);
    EXPECT_EQ(Get("/api/v1/content", As(b["access_token"])).status, 200u);
    EXPECT_EQ(Call("POST", "/api/v1/auth/revoke", R"({"all":true})", As(b["access_token"])).status,
              200u);
    EXPECT_EQ(Get("/api/v1/content", As(b["access_token"])).status, 401u);
    EXPECT_EQ(Refresh(b["refresh_token"]).status, 401u);
    EXPECT_EQ(Get("/api/v1/jobs", opaque).status, 200u);  // opaque tokens are their own matter
    // Deleting the API token a family was made from ends the family.
    auto d = Issue(opaque);
    auto list = Get("/api/v1/tokens", opaque).Json();
    auto id = list["items"][0]["id"].get<std::int64_t>();
    EXPECT_EQ(Call("DELETE", "/api/v1/tokens/" + std::to_string(id), "", opaque).status, 204u);
    EXPECT_EQ(Get("/api/v1/jobs", As(d["access_token"])).status, 401u);
    EXPECT_EQ(Refresh(d["refresh_token"]).status, 401u);
}

class ShortLivedTokenTest : public SignedTokenTest {
    void Configure(ServerOptions& o, ServerDeps& deps) override {
        ttl_ = std::chrono::seconds(1);
        SignedTokenTest::Configure(o, deps);
    }
};

TEST_F(ShortLivedTokenTest, AnExpiredAccessTokenIsRefusedAndARefreshGivesANewOne) {
    auto t = Issue(Bearer());
    EXPECT_EQ(t["expires_in"], 1);
    EXPECT_EQ(Get("/api/v1/jobs", As(t["access_token"])).status, 200u);
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    EXPECT_EQ(Get("/api/v1/jobs", As(t["access_token"])).status, 401u);
    EXPECT_EQ(Get("/api/v1/content", As(t["access_token"])).status, 401u);
    auto r = Refresh(t["refresh_token"]);
    ASSERT_EQ(r.status, 200u) << r.body;
    EXPECT_EQ(Get("/api/v1/jobs", As(r.Json()["access_token"])).status, 200u);
}

class NoSignedTokensTest : public ServerFixture {};

TEST_F(NoSignedTokensTest, WithoutTheServiceTheRoutesSay501) {
    auto r = Call("POST", "/api/v1/auth/token", "{}", Bearer());
    EXPECT_EQ(r.status, 501u) << r.body;
    EXPECT_EQ(Get("/api/v1/jobs", {{"Authorization", "Bearer v4.public.AAAA"}}).status, 401u);
}

}  // namespace
}  // namespace beacon::server::testing
