// Answers given from memory on the network thread (issue 11, "Speed"): credentials remembered
// after the database confirmed them must stop working the moment they are revoked, and cached
// bodies must never hide a change.
#include <algorithm>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "server/auth.hpp"
#include "server_test_client.hpp"

namespace beacon::server::testing {
namespace {

using namespace std::chrono_literals;

/// Polls `status_of` until it answers `want` or `limit` passes (a hang guard, not a speed check).
template <class F>
unsigned Eventually(F status_of, unsigned want, std::chrono::milliseconds limit = 10s) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    unsigned got = status_of();
    while (got != want && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(20ms);
        got = status_of();
    }
    return got;
}

class FastPathTest : public ServerFixture {
protected:
    void Configure(ServerOptions&, ServerDeps& deps) override {
        deps.live_handler = [](const LiveRequest& r) -> core::Result<LiveResponse> {
            LiveResponse out;
            out.body = "#EXTM3U\n# " + r.path;
            return out;
        };
        // A channel segment cache: answers from memory once the slow handler has run.
        deps.live_cached = [](const LiveRequest& r) -> std::optional<LiveResponse> {
            if (r.path != "main/v/7.ts") return std::nullopt;
            LiveResponse out;
            out.content_type = "video/mp2t";
            out.shared_body = std::make_shared<const std::string>("cached segment bytes");
            return out;
        };
        // The metrics hook (ops::ObserveRequest in beacon serve): what it is told per request.
        deps.on_request = [this](const Request& req, unsigned status, double) {
            std::lock_guard lock(observed_mu_);
            observed_.push_back(req.method + " " + req.raw_path + " " + std::string(req.route) +
                                " " + std::to_string(status));
        };
    }

    std::vector<std::string> Observed() {
        std::lock_guard lock(observed_mu_);
        return observed_;
    }
    std::mutex observed_mu_;
    std::vector<std::string> observed_;

    /// Uses a credential on routes answered from memory and through the pool, so that the
    /// cache holds it; every use must succeed.
    void Warm(const Headers& h) {
        for (int i = 0; i < 3; ++i) {
            ASSERT_EQ(Get("/api/v1/content", h).status, 200u);
            ASSERT_EQ(Get("/media/library/1/video.mp4", h).status, 200u);
            ASSERT_EQ(Get("/api/v1/jobs", h).status, 200u);
        }
    }

    Headers NewToken(const Headers& with, std::int64_t* id) {
        auto created = Call("POST", "/api/v1/tokens", R"({"name":"second"})", with);
        EXPECT_EQ(created.status, 201u) << created.body;
        *id = created.Json().value("id", std::int64_t{0});
        return {{"Authorization", "Bearer " + created.Json().value("token", std::string())}};
    }
};

TEST_F(FastPathTest, ADeletedTokenIsRefusedAtOnceEverywhere) {
    ASSERT_TRUE(store_->Put("library/1/video.mp4", "library bytes").ok());
    auto admin = Bearer();
    std::int64_t id = 0;
    auto second = NewToken(admin, &id);
    Warm(second);
    ASSERT_EQ(Call("DELETE", "/api/v1/tokens/" + std::to_string(id), "", admin).status, 204u);
    // The very next requests, on the memory path and on the pool path alike.
    EXPECT_EQ(Get("/api/v1/content", second).status, 401u);
    EXPECT_EQ(Get("/media/library/1/video.mp4", second).status, 401u);
    EXPECT_EQ(Get("/api/v1/jobs", second).status, 401u);
    EXPECT_EQ(Get("/api/v1/content", admin).status, 200u);  // another token is untouched
}

TEST_F(FastPathTest, PasswordChangeEndsSessionsAndRevokedTokensAtOnce) {
    ASSERT_TRUE(store_->Put("library/1/video.mp4", "library bytes").ok());
    SetUpPassword("correct horse battery");
    auto session = Cookie(true);
    Warm(Cookie(false));
    auto admin = Bearer();
    Warm(admin);
    auto changed = Call("POST", "/api/v1/auth/password",
                        R"({"current_password":"correct horse battery",)"
                        R"("new_password":"new password 1","revoke_tokens":true})",
                        session);
    ASSERT_EQ(changed.status, 200u) << changed.body;
    EXPECT_EQ(changed.Json()["revoked_tokens"], 1);
    // The old session and the revoked token stop working with the next request.
    EXPECT_EQ(Get("/api/v1/content", Cookie(false)).status, 401u);
    EXPECT_EQ(Get("/media/library/1/video.mp4", Cookie(false)).status, 401u);
    EXPECT_EQ(Get("/api/v1/content", admin).status, 401u);
    EXPECT_EQ(Get("/media/library/1/video.mp4", admin).status, 401u);
    // The caller's own session continues as a new one.
    std::string set_cookie = changed.Header("set-cookie");
    Headers fresh{{"Cookie", set_cookie.substr(0, set_cookie.find(';'))}};
    EXPECT_EQ(Get("/api/v1/content", fresh).status, 200u);
}

TEST_F(FastPathTest, LogoutEndsTheSessionAtOnce) {
    ASSERT_TRUE(store_->Put("library/1/video.mp4", "library bytes").ok());
    SetUpPassword("correct horse battery");
    Warm(Cookie(false));
    ASSERT_EQ(Call("POST", "/api/v1/auth/logout", "", Cookie(true)).status, 204u);
    EXPECT_EQ(Get("/api/v1/content", Cookie(false)).status, 401u);
    EXPECT_EQ(Get("/media/library/1/video.mp4", Cookie(false)).status, 401u);
}

TEST_F(FastPathTest, ARotatedStreamKeyIsRefusedAtOnce) {
    auto admin = Bearer();
    std::string key = Get("/api/v1/stream-key", admin).Json()["key"];
    for (int i = 0; i < 3; ++i) {
        ASSERT_EQ(Get("/live/main/v/7.ts?key=" + key).status, 200u);
        ASSERT_EQ(Get("/live/main/index.m3u8?key=" + key).status, 200u);
    }
    auto cached = Get("/live/main/v/7.ts?key=" + key);
    EXPECT_EQ(cached.body, "cached segment bytes");
    EXPECT_EQ(cached.Header("content-type"), "video/mp2t");
    EXPECT_EQ(cached.Header("content-length"), "20");
    EXPECT_EQ(cached.Header("access-control-allow-origin"), "*");  // CORS as on every /live answer
    ASSERT_EQ(Call("POST", "/api/v1/stream-key/rotate", "", admin).status, 200u);
    EXPECT_EQ(Get("/live/main/v/7.ts?key=" + key).status, 401u);
    EXPECT_EQ(Get("/live/main/index.m3u8?key=" + key).status, 401u);
    std::string rotated = Get("/api/v1/stream-key", admin).Json()["key"];
    EXPECT_EQ(Get("/live/main/v/7.ts?key=" + rotated).status, 200u);
}

TEST_F(FastPathTest, ATokenDeletedByAnotherProcessStopsWorkingWithinTheCacheLifetime) {
    ASSERT_TRUE(store_->Put("library/1/video.mp4", "library bytes").ok());
    auto admin = Bearer();
    std::int64_t id = 0;
    auto second = NewToken(admin, &id);
    Warm(second);
    // Straight in the database, as `beacon` run beside the server would: no revocation call.
    ASSERT_TRUE(db_->DeleteToken(user_id_, id).ok());
    EXPECT_EQ(Eventually([&] { return Get("/api/v1/content", second).status; }, 401u), 401u);
}

TEST_F(FastPathTest, CachedBodiesFollowChanges) {
    auto h = Bearer();
    core::Content c;
    c.title = "First title";
    auto row = db_->CreateContent(c);
    ASSERT_TRUE(row.ok());
    const std::string id = std::to_string(row->id);
    for (int i = 0; i < 3; ++i) {
        auto list = Get("/api/v1/content", h);
        ASSERT_EQ(list.status, 200u);
        ASSERT_EQ(list.Json()["items"].size(), 1u) << list.body;
    }
    // A change through the API shows in the very next list.
    ASSERT_EQ(Call("PATCH", "/api/v1/content/" + id, R"({"title":"Second title"})", h).status, 200u);
    EXPECT_EQ(Get("/api/v1/content", h).Json()["items"][0]["title"], "Second title");
    // Another query string is another page.
    EXPECT_EQ(Get("/api/v1/content?limit=1&offset=1", h).Json()["items"].size(), 0u);
    // A change made by another process shows within the cache lifetime.
    storage::ContentPatch patch;
    patch.title = "Third title";
    ASSERT_TRUE(db_->PatchContent(row->id, patch).ok());
    auto title = [&] {
        return Get("/api/v1/content", h).Json()["items"][0].value("title", std::string());
    };
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (title() != "Third title" && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(20ms);
    }
    EXPECT_EQ(title(), "Third title");
}

TEST_F(FastPathTest, AFinishedJobsCachedDetailFollowsARetry) {
    auto h = Bearer();
    core::GenerateRequest g;
    g.prompt = "A lighthouse that blinks";
    auto job = db_->CreateJob(user_id_, g);
    ASSERT_TRUE(job.ok());
    ASSERT_TRUE(db_->FinishJob(job->id, core::JobState::kFailed,
                               core::Error::Internal("stopped for the test"), std::nullopt)
                    .ok());
    const std::string path = "/api/v1/jobs/" + std::to_string(job->id);
    for (int i = 0; i < 3; ++i) ASSERT_EQ(Get(path, h).Json()["status"], "failed");
    ASSERT_EQ(Call("POST", path + "/retry", "", h).status, 202u);
    EXPECT_EQ(Get(path, h).Json()["status"], "queued");
}

TEST_F(FastPathTest, AJobDetailLeavesCommandLinesToTheLogPages) {
    auto h = Bearer();
    core::GenerateRequest g;
    g.prompt = "A lighthouse that blinks";
    auto job = db_->CreateJob(user_id_, g);
    ASSERT_TRUE(job.ok());
    ASSERT_TRUE(db_->AppendJobLog(job->id, "final", core::LogLevel::kInfo, "stage final started").ok());
    ASSERT_TRUE(db_->AppendJobLog(job->id, "final", core::LogLevel::kCmd, "ffmpeg " + std::string(3000, 'x')).ok());
    ASSERT_TRUE(db_->AppendJobLog(job->id, "final", core::LogLevel::kWarn, "loudness adjusted").ok());
    const std::string path = "/api/v1/jobs/" + std::to_string(job->id);
    auto detail = Get(path, h);
    ASSERT_EQ(detail.status, 200u);
    EXPECT_LT(detail.body.size(), 3000u) << "the command line stays out of the detail";
    ASSERT_EQ(detail.Json()["logs"].size(), 2u) << detail.body;
    EXPECT_EQ(detail.Json()["logs"][1]["message"], "loudness adjusted");
    EXPECT_EQ(detail.Json()["log_summary"]["commands"], 1);
    EXPECT_EQ(detail.Json()["log_summary"]["warnings"], 1);
    EXPECT_EQ(detail.Json()["log_summary"]["recent_lines"], 3);
    auto logs = Get(path + "/logs", h);
    ASSERT_EQ(logs.Json()["items"].size(), 3u);
    EXPECT_EQ(logs.Json()["items"][1]["level"], "cmd");
    EXPECT_EQ(detail.Json()["log_summary"]["last_id"], logs.Json()["items"][2]["id"]);
}

TEST_F(FastPathTest, FilesAndHealthAreAnsweredWithTheirHeaders) {
    ASSERT_TRUE(store_->Put("library/1/video.mp4", std::string(300000, 'x')).ok());
    auto h = Bearer();
    auto health = Get("/healthz");
    EXPECT_EQ(health.status, 200u);
    EXPECT_EQ(health.body, R"({"status":"ok"})");
    EXPECT_EQ(health.Header("content-type"), "application/json");
    EXPECT_EQ(health.Header("server"), "beacon");
    EXPECT_EQ(health.Header("x-content-type-options"), "nosniff");
    auto file = Get("/media/library/1/video.mp4", h);
    EXPECT_EQ(file.status, 200u);
    EXPECT_EQ(file.body.size(), 300000u);
    EXPECT_EQ(file.Header("content-length"), "300000");
    EXPECT_EQ(file.Header("content-type"), "video/mp4");
    auto part = Get("/media/library/1/video.mp4", {h[0], {"Range", "bytes=10-19"}});
    EXPECT_EQ(part.status, 206u);
    EXPECT_EQ(part.body, std::string(10, 'x'));
    auto head = Call("HEAD", "/media/library/1/video.mp4", "", h);
    EXPECT_EQ(head.status, 200u);
    EXPECT_EQ(head.Header("content-length"), "300000");
    EXPECT_TRUE(head.body.empty());
    EXPECT_EQ(Get("/media/library/1/video.mp4").status, 401u);  // no credentials
}

TEST_F(FastPathTest, TheMetricsHookIsToldTheRouteTheRouterMatched) {
    auto h = Bearer();
    Get("/live/main/v/7.ts", h);  // the long way: the token is not remembered yet
    ASSERT_EQ(Get("/live/main/v/7.ts", h).body, "cached segment bytes");  // from memory
    ASSERT_EQ(Get("/live/main/v/8.ts", h).status, 200u);                 // the long way
    ASSERT_EQ(Call("HEAD", "/live/main/v/7.ts", "", h).status, 200u);
    Get("/api/v1/jobs/424242", h);
    ASSERT_EQ(Get("/api/v1/nowhere", h).status, 404u);
    const auto seen = Observed();
    auto has = [&](const std::string& line) {
        return std::find(seen.begin(), seen.end(), line) != seen.end();
    };
    std::string all;
    for (const auto& l : seen) all += l + "\n";
    EXPECT_TRUE(has("GET /live/main/v/7.ts /live/{slug}/v/{file} 200")) << all;
    EXPECT_TRUE(has("GET /live/main/v/8.ts /live/{slug}/v/{file} 200")) << all;
    EXPECT_TRUE(has("HEAD /live/main/v/7.ts /live/{slug}/v/{file} 200")) << all;
    EXPECT_TRUE(has("GET /api/v1/jobs/424242 /api/v1/jobs/{id} 404")) << all;
    EXPECT_TRUE(has("GET /api/v1/nowhere  404")) << all;  // no route matched: none named
}

}  // namespace
}  // namespace beacon::server::testing
