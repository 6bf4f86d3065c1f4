// Remote workers on the studio's side, with a real SQLite database and media folder: the route
// table against the spec, registration and job tokens, the watchdog that re-queues a silent
// worker's job, and exactly-once completion when the silent worker comes back.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <regex>
#include <set>

#include "remote/codec.hpp"
#include "remote/http.hpp"
#include "remote/service.hpp"
#include "storage/database.hpp"
#include "tests/support/spec_modules.hpp"

namespace beacon::remote {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class RemoteServiceTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("beacon-remote-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        auto db = storage::OpenSqlite((dir_ / "beacon.db").string());
        ASSERT_TRUE(db.ok()) << db.error().message;
        db_ = std::move(*db);
        auto store = storage::OpenFilesystemStore(dir_ / "media");
        ASSERT_TRUE(store.ok());
        store_ = std::move(*store);
        auto reg = Registry::Open(dir_ / "remote.db");
        ASSERT_TRUE(reg.ok()) << reg.error().message;
        registry_ = std::move(*reg);
        RemoteOptions o;
        o.silent_after = 300ms;
        service_ = std::make_unique<RemoteService>(*db_, *store_, events_, *registry_, o);
        auto user = db_->GetOrCreateUser("admin");
        ASSERT_TRUE(user.ok());
        user_id_ = user->id;
    }
    void TearDown() override {
        service_.reset();
        registry_.reset();
        store_.reset();
        db_.reset();
        fs::remove_all(dir_);
    }
    std::int64_t Enqueue() {
        core::GenerateRequest req;
        req.prompt = "A lighthouse at dusk.";
        auto job = db_->CreateJob(user_id_, req);
        EXPECT_TRUE(job.ok());
        return job->id;
    }
    WorkerRecord RegisterOne(const std::string& name) {
        auto token = service_->CreateRegistrationToken("gpu box");
        EXPECT_TRUE(token.ok());
        auto w = service_->Register(token->second, name, name + ".lan");
        EXPECT_TRUE(w.ok()) << w.error().message;
        auto auth = service_->AuthenticateWorker(w->second);
        EXPECT_TRUE(auth.ok());
        return *auth;
    }

    fs::path dir_;
    std::unique_ptr<storage::Database> db_;
    std::unique_ptr<storage::ObjectStore> store_;
    jobs::EventBus events_;
    std::unique_ptr<Registry> registry_;
    std::unique_ptr<RemoteService> service_;
    std::int64_t user_id_ = 0;
};

TEST_F(RemoteServiceTest, EveryRouteIsInTheSpecAndNoMore) {
    std::set<std::string> served;
    for (const auto& r : HttpRoutes(*service_)) {
        served.insert(r.method + " " +
                      std::regex_replace(r.pattern, std::regex(R"(\{(\w+)\+\})"), "{$1}"));
    }
    EXPECT_EQ(served, beacon::testing::ModuleSpecOperations("remote"));
    EXPECT_GE(served.size(), 20u);
}

TEST_F(RemoteServiceTest, AWrongOrRevokedRegistrationTokenIsRefused) {
    auto wrong = service_->Register("bwr_not-a-token", "w", "host");
    ASSERT_FALSE(wrong.ok());
    EXPECT_EQ(wrong.error().code, core::ErrorCode::kUnauthorized);

    auto token = service_->CreateRegistrationToken("render box");
    ASSERT_TRUE(token.ok());
    auto w = service_->Register(token->second, "w1", "render1");
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE(service_->AuthenticateWorker(w->second).ok());
    ASSERT_TRUE(registry_->RevokeRegistrationToken(token->first.id).ok());
    // Its workers are refused too, and nobody registers with it any more.
    auto after = service_->AuthenticateWorker(w->second);
    ASSERT_FALSE(after.ok());
    EXPECT_EQ(after.error().code, core::ErrorCode::kUnauthorized);
    EXPECT_FALSE(service_->Register(token->second, "w2", "render2").ok());
    auto list = registry_->ListWorkers();
    ASSERT_TRUE(list.ok());
    ASSERT_EQ(list->size(), 1u);
    EXPECT_EQ((*list)[0].state, "revoked");
}

TEST_F(RemoteServiceTest, AJobTokenReachesItsOwnJobOnly) {
    const auto first = Enqueue();
    const auto second = Enqueue();
    auto w = RegisterOne("a");
    auto claim = service_->Claim(w);
    ASSERT_TRUE(claim.ok() && claim->has_value());
    EXPECT_EQ((*claim)->first.id, first);
    const std::string token = (*claim)->second;
    EXPECT_TRUE(service_->Authorize(token, first).ok());
    auto other = service_->Authorize(token, second);
    ASSERT_FALSE(other.ok());
    EXPECT_EQ(other.error().code, core::ErrorCode::kUnauthorized);
    auto grant = service_->Authorize(token, first);
    ASSERT_TRUE(grant.ok());
    EXPECT_TRUE(service_->MayWrite(*grant, "jobs/" + std::to_string(first) + "/scenes/1/a.png"));
    EXPECT_FALSE(service_->MayWrite(*grant, "jobs/" + std::to_string(second) + "/x.png"));
    EXPECT_FALSE(service_->MayWrite(*grant, "library/1/video.mp4"));
}

TEST_F(RemoteServiceTest, ASilentWorkersJobIsRequeuedAndCompletesOnceElsewhere) {
    const auto id = Enqueue();
    auto a = RegisterOne("a");
    auto b = RegisterOne("b");
    auto claim_a = service_->Claim(a);
    ASSERT_TRUE(claim_a.ok() && claim_a->has_value());
    auto grant_a = service_->Authorize((*claim_a)->second, id);
    ASSERT_TRUE(grant_a.ok());
    ASSERT_TRUE(service_->Progress(*grant_a, core::JobState::kGeneratingScript, 10).ok());
    // b finds nothing while a holds the job and keeps its heartbeat.
    auto none = service_->Claim(b);
    ASSERT_TRUE(none.ok());
    EXPECT_FALSE(none->has_value());
    EXPECT_EQ(service_->RunWatchdogOnce(), 0);

    std::this_thread::sleep_for(400ms);  // a goes silent past silent_after (300 ms)
    EXPECT_EQ(service_->RunWatchdogOnce(), 1);
    auto job = db_->GetJob(id);
    ASSERT_TRUE(job.ok());
    EXPECT_EQ(job->status, core::JobState::kQueued);
    EXPECT_NE(job->error_log.find("went silent"), std::string::npos) << job->error_log;

    auto claim_b = service_->Claim(b);
    ASSERT_TRUE(claim_b.ok() && claim_b->has_value());
    EXPECT_EQ((*claim_b)->first.id, id);
    EXPECT_EQ((*claim_b)->first.attempts, 2);
    // a wakes up: its token no longer reaches the job, so it cannot finish it.
    auto stale = service_->Authorize((*claim_a)->second, id);
    ASSERT_FALSE(stale.ok());
    EXPECT_EQ(stale.error().code, core::ErrorCode::kConflict);
    auto late = service_->Finish(*grant_a, core::JobState::kFailed, core::Error::Internal("late"),
                                 std::nullopt);
    EXPECT_FALSE(late.ok()) << "a grant taken before the watchdog must not finish the job";

    auto grant_b = service_->Authorize((*claim_b)->second, id);
    ASSERT_TRUE(grant_b.ok());
    ASSERT_TRUE(
        service_->Finish(*grant_b, core::JobState::kCompleted, std::nullopt, std::nullopt).ok());
    job = db_->GetJob(id);
    EXPECT_EQ(job->status, core::JobState::kCompleted);
    // Finished once: the same token cannot finish it again.
    EXPECT_FALSE(service_->Authorize((*claim_b)->second, id).ok());
    auto workers = registry_->ListWorkers();
    ASSERT_TRUE(workers.ok());
    ASSERT_EQ(workers->size(), 2u);
    EXPECT_EQ((*workers)[0].state, "silent");
    EXPECT_EQ((*workers)[1].state, "idle");
    EXPECT_EQ((*workers)[1].jobs_done, 1);
}

TEST_F(RemoteServiceTest, AHeartbeatKeepsTheJob) {
    const auto id = Enqueue();
    auto a = RegisterOne("a");
    auto claim = service_->Claim(a);
    ASSERT_TRUE(claim.ok() && claim->has_value());
    auto grant = service_->Authorize((*claim)->second, id);
    ASSERT_TRUE(grant.ok());
    for (int i = 0; i < 6; ++i) {
        std::this_thread::sleep_for(100ms);
        auto held = service_->Heartbeat(*grant);
        ASSERT_TRUE(held.ok());
        EXPECT_TRUE(*held);
        EXPECT_EQ(service_->RunWatchdogOnce(), 0);
    }
    EXPECT_TRUE(db_->GetJob(id)->error_log.empty());
    EXPECT_TRUE(
        service_->Finish(*grant, core::JobState::kCompleted, std::nullopt, std::nullopt).ok());
}

TEST_F(RemoteServiceTest, TheLogsRouteTakesKnownLevelsAndRefusesOthersByName) {
    const auto id = Enqueue();
    auto w = RegisterOne("a");
    auto claim = service_->Claim(w);
    ASSERT_TRUE(claim.ok() && claim->has_value());
    server::ExtensionRoute logs;
    for (auto& r : HttpRoutes(*service_)) {
        if (r.method == "POST" && r.pattern == "/api/v1/remote/jobs/{id}/logs") logs = r;
    }
    ASSERT_TRUE(logs.handle) << "no POST /api/v1/remote/jobs/{id}/logs route";
    auto post = [&](const core::Json& body) {
        server::Request req;
        req.method = "POST";
        req.params["id"] = std::to_string(id);
        req.msg.set(kTokenHeader, (*claim)->second);
        req.msg.body() = body.dump();
        return logs.handle(req);
    };
    auto before = db_->GetRecentJobLogs(id, 10);  // the claim's own line
    ASSERT_TRUE(before.ok());
    auto bad = post({{"stage", "voice"}, {"level", "debug"}, {"message", "x"}});
    EXPECT_EQ(bad.status, 400u) << bad.body;
    EXPECT_NE(bad.body.find("expected one of info, warn, error, cmd"), std::string::npos)
        << bad.body;
    auto ok = post({{"stage", "voice"}, {"level", "warn"}, {"message", "slow answer"}});
    EXPECT_EQ(ok.status, 201u) << ok.body;
    auto lines = db_->GetRecentJobLogs(id, 10);
    ASSERT_TRUE(lines.ok());
    ASSERT_EQ(lines->size(), before->size() + 1) << "the refused line must not be stored";
    EXPECT_EQ(lines->back().level, core::LogLevel::kWarn);
    EXPECT_EQ(lines->back().message, "slow answer");
}

TEST(WireContent, CarriesTheRowsObjectKeysAndRoundTrips) {
    core::Content c;
    c.id = 12;
    c.owner_id = 1;
    c.title = "Storm";
    c.mp4_key = "library/12/video.mp4";
    c.vtt_key = "library/12/captions_en.vtt";
    c.created_at = 1700000000123;
    c.pending = true;
    const core::Json wire = WireContent(c);
    EXPECT_EQ(wire["mp4_url"], "library/12/video.mp4") << "the row's key, not the API's URL";
    EXPECT_EQ(wire["hls_url"], "");
    auto back = ParseWireContent(wire);
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_EQ(back->mp4_key, c.mp4_key);
    EXPECT_EQ(back->vtt_key, c.vtt_key);
    EXPECT_EQ(back->created_at, c.created_at);
    EXPECT_TRUE(back->pending);
}

}  // namespace
}  // namespace beacon::remote
