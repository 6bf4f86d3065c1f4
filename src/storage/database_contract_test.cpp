// The storage contract: every case runs on SQLite, on PostgreSQL (a throwaway cluster started by
// this binary, one database per case) and on the in-memory fake that unit tests use, so the
// backends keep the same semantics and the fake cannot drift from them.
#include <unistd.h>
#include <filesystem>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "storage/database.hpp"
#include "storage/migrate.hpp"
#include "storage/migrations.hpp"
#include "storage/postgres.hpp"
#include "storage/postgres_database.hpp"
#include "storage/sqlite.hpp"
#include "support/memory_database.hpp"
#include "support/postgres_cluster.hpp"

namespace beacon::storage {
namespace {

namespace fs = std::filesystem;
using core::JobState;

/// Opens a fresh, empty store of the kind the test is parameterised with; `Reopen` gives a
/// second handle on the same store (as a second process would have).
class DatabaseContract : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        static int counter = 0;
        const std::string name =
            "contract_" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
        if (GetParam() == "memory") {
            memory_ = std::make_unique<testing::MemoryDatabase>();
        } else if (GetParam() == "postgres") {
            auto cluster = testing::PostgresCluster::Shared();
            ASSERT_TRUE(cluster.ok()) << cluster.error().message;
            ASSERT_TRUE((*cluster)->CreateDatabase(name).ok());
            url_ = (*cluster)->Url(name);
        } else {
            dir_ = fs::temp_directory_path() / ("beacon-" + name);
            fs::remove_all(dir_);
            fs::create_directories(dir_);
            url_ = (dir_ / "beacon.db").string();
        }
        db_ = Reopen();
        ASSERT_NE(db_, nullptr);
    }
    void TearDown() override {
        db_.reset();
        if (!dir_.empty()) fs::remove_all(dir_);
    }
    std::unique_ptr<Database> Reopen() {
        if (memory_) return memory_->Reopen();
        auto db = GetParam() == "postgres" ? OpenPostgres(url_, 4) : OpenSqlite(url_);
        EXPECT_TRUE(db.ok()) << db.error().message;
        return db.ok() ? std::move(db).value() : nullptr;
    }
    core::Job NewJob(const std::string& prompt = "A lighthouse that controls storms") {
        core::GenerateRequest r;
        r.prompt = prompt;
        auto j = db_->CreateJob(1, r);
        EXPECT_TRUE(j.ok());
        return *j;
    }
    fs::path dir_;
    std::string url_;
    std::unique_ptr<testing::MemoryDatabase> memory_;  // the fake's rows (param "memory")
    std::unique_ptr<Database> db_;
};

TEST(Migrations, BothBackendsHaveTheSameSchemaVersions) {
    EXPECT_EQ(PostgresMigrations().size(), SqliteMigrations().size())
        << "a migration appended for one backend must be appended for the other";
}

TEST_P(DatabaseContract, MigratesIdempotently) {
    auto job = NewJob();
    db_.reset();
    db_ = Reopen();
    ASSERT_NE(db_, nullptr);
    EXPECT_EQ(db_->GetJob(job.id)->request.prompt, job.request.prompt);
}

TEST_P(DatabaseContract, ClaimsEachJobOnceUntilTheLeaseExpires) {
    auto job = NewJob();
    auto a = db_->ClaimJob("w1", 1000, 2000);
    ASSERT_TRUE(a.ok());
    ASSERT_TRUE(a->has_value());
    EXPECT_EQ((*a)->id, job.id);
    EXPECT_EQ((*a)->attempts, 1);
    auto b = db_->ClaimJob("w2", 1500, 2500);
    ASSERT_TRUE(b.ok());
    EXPECT_FALSE(b->has_value()) << "a held lease must not be claimed twice";
    // w1 dies; after its lease expires w2 takes the job over, and w1 can no longer renew it.
    auto c = db_->ClaimJob("w2", 2001, 3000);
    ASSERT_TRUE(c.ok());
    ASSERT_TRUE(c->has_value());
    EXPECT_EQ((*c)->attempts, 2);
    EXPECT_FALSE(*db_->RenewLease(job.id, "w1", 4000));
    EXPECT_TRUE(*db_->RenewLease(job.id, "w2", 4000));
}

TEST_P(DatabaseContract, ConcurrentClaimersNeverShareAJob) {
    for (int i = 0; i < 40; ++i) NewJob("job " + std::to_string(i));
    std::vector<std::int64_t> seen[4];
    const std::string names[4] = {"w0", "w1", "w2", "w3"};
    std::vector<std::jthread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (;;) {
                auto c = db_->ClaimJob(names[t], 10, 1'000'000);
                if (!c.ok() || !c->has_value()) break;
                seen[t].push_back((*c)->id);
                ASSERT_TRUE(
                    db_->FinishJob((*c)->id, JobState::kCompleted, std::nullopt, std::nullopt)
                        .ok());
            }
        });
    }
    threads.clear();
    std::set<std::int64_t> all;
    std::size_t total = 0;
    for (auto& v : seen) {
        total += v.size();
        all.insert(v.begin(), v.end());
    }
    EXPECT_EQ(total, 40u);
    EXPECT_EQ(all.size(), 40u);
}

TEST_P(DatabaseContract, SeparateHandlesLikeSeparateProcessesNeverShareAJob) {
    // Each handle has its own connections, as a server and its workers on other machines do.
    for (int i = 0; i < 60; ++i) NewJob("job " + std::to_string(i));
    std::vector<std::unique_ptr<Database>> handles;
    for (int h = 0; h < 3; ++h) handles.push_back(Reopen());
    std::vector<std::int64_t> seen[6];
    std::vector<std::jthread> threads;
    for (int t = 0; t < 6; ++t) {
        threads.emplace_back([&, t] {
            Database& db = *handles[static_cast<std::size_t>(t % 3)];
            const std::string me = "host" + std::to_string(t % 3) + "/w" + std::to_string(t);
            for (;;) {
                auto c = db.ClaimJob(me, 10, 1'000'000);
                ASSERT_TRUE(c.ok()) << c.error().message;
                if (!c->has_value()) break;
                seen[t].push_back((*c)->id);
                EXPECT_EQ((*c)->attempts, 1) << "claimed once";
                ASSERT_TRUE(
                    db.FinishJob((*c)->id, JobState::kCompleted, std::nullopt, std::nullopt).ok());
            }
        });
    }
    threads.clear();
    std::set<std::int64_t> all;
    std::size_t total = 0;
    for (auto& v : seen) {
        total += v.size();
        all.insert(v.begin(), v.end());
    }
    EXPECT_EQ(total, 60u);
    EXPECT_EQ(all.size(), 60u);
    EXPECT_EQ(db_->ListJobs({JobState::kCompleted, 200, 0})->total, 60);
}

TEST_P(DatabaseContract, ReleasedLeasesAreClaimedAgainAtOnce) {
    auto job = NewJob();
    ASSERT_TRUE(db_->ClaimJob("hostA/1", 1000, 1'000'000)->has_value());
    EXPECT_FALSE(db_->ClaimJob("hostB/1", 1001, 1'000'000)->has_value());
    EXPECT_EQ(*db_->ReleaseLeases("hostA/"), 1);
    auto again = db_->ClaimJob("hostB/1", 1002, 1'000'000);
    ASSERT_TRUE(again.ok() && again->has_value());
    EXPECT_EQ((*again)->id, job.id);
    EXPECT_EQ((*again)->attempts, 2);
    EXPECT_EQ(*db_->ReleaseLeases("hostA/"), 0) << "only the prefix's own leases";
}

TEST_P(DatabaseContract, FinishedJobsIgnoreLateProgressAndRetryOnlyFromFailure) {
    auto job = NewJob();
    auto now = core::NowMillis();
    ASSERT_TRUE(db_->ClaimJob("w", now, now + 60'000)->has_value());
    ASSERT_TRUE(db_->UpdateJobProgress(job.id, JobState::kRenderingPreview, 40).ok());
    ASSERT_TRUE(db_->FinishJob(job.id, JobState::kCompleted, std::nullopt, 7).ok());
    ASSERT_TRUE(db_->UpdateJobProgress(job.id, JobState::kComposing, 90).ok());
    auto done = *db_->GetJob(job.id);
    EXPECT_EQ(done.status, JobState::kCompleted) << "a late progress write never reopens a job";
    EXPECT_EQ(done.progress, 100);
    EXPECT_EQ(done.content_id, 7);
    EXPECT_EQ(db_->RetryJob(job.id).error().code, core::ErrorCode::kConflict);
    EXPECT_EQ(db_->ClaimJob("w", now + 1, now + 60'000)->has_value(), false);
    auto reopened = db_->ReopenJob(job.id);
    ASSERT_TRUE(reopened.ok());
    EXPECT_EQ(reopened->status, JobState::kQueued);
    EXPECT_EQ(db_->ReopenJob(job.id).error().code, core::ErrorCode::kConflict);
    EXPECT_EQ(db_->RetryJob(12345).error().code, core::ErrorCode::kNotFound);
}

TEST_P(DatabaseContract, JobKindsKeepTheirParams) {
    core::GenerateRequest r;
    r.prompt = "localize item 3";
    auto j = db_->CreateJobOfKind(1, core::JobKind::kLocalize,
                                  {{"content_id", 3}, {"language", "es"}}, r);
    ASSERT_TRUE(j.ok()) << j.error().message;
    auto got = *db_->GetJob(j->id);
    EXPECT_EQ(got.kind, core::JobKind::kLocalize);
    EXPECT_EQ(got.params["language"], "es");
    EXPECT_EQ(NewJob().kind, core::JobKind::kGenerate);
}

TEST_P(DatabaseContract, BatchJobsYieldToInteractiveOnesAndKeepTheirCap) {
    std::vector<core::GenerateRequest> items(4);
    for (int i = 0; i < 4; ++i) items[i].prompt = "batch prompt " + std::to_string(i);
    auto b = db_->CreateBatch(1, "night run", 2, items);
    ASSERT_TRUE(b.ok()) << b.error().message;
    ASSERT_EQ(b->job_ids.size(), 4u);
    EXPECT_EQ(b->counts["queued"], 4);
    EXPECT_EQ(b->name, "night run");
    auto first = *db_->GetJob(b->job_ids[0]);
    EXPECT_EQ(first.batch_id, b->id);
    EXPECT_EQ(first.priority, 1);
    // an interactive job submitted after the batch is claimed before the batch's jobs
    auto interactive = NewJob("interactive");
    const core::UnixMillis now = core::NowMillis();
    auto c1 = db_->ClaimJob("w1", now, now + 60'000);
    ASSERT_TRUE(c1.ok() && c1->has_value());
    EXPECT_EQ((*c1)->id, interactive.id);
    // then the batch in submission order, at most 2 running at once
    auto c2 = db_->ClaimJob("w2", now, now + 60'000);
    auto c3 = db_->ClaimJob("w3", now, now + 60'000);
    auto c4 = db_->ClaimJob("w4", now, now + 60'000);
    ASSERT_TRUE(c2.ok() && c2->has_value() && c3.ok() && c3->has_value() && c4.ok());
    EXPECT_EQ((*c2)->id, b->job_ids[0]);
    EXPECT_EQ((*c3)->id, b->job_ids[1]);
    EXPECT_FALSE(c4->has_value()) << "the batch's cap of 2 running jobs holds";
    ASSERT_TRUE(db_->FinishJob((*c2)->id, JobState::kCompleted, std::nullopt, 0).ok());
    auto c5 = db_->ClaimJob("w4", now, now + 60'000);
    ASSERT_TRUE(c5.ok() && c5->has_value());
    EXPECT_EQ((*c5)->id, b->job_ids[2]);
    ASSERT_TRUE(db_->UpdateJobProgress((*c3)->id, JobState::kGeneratingScript, 10).ok());
    auto got = *db_->GetBatch(b->id);
    EXPECT_EQ(got.counts["completed"], 1);
    EXPECT_EQ(got.counts["generating_script"], 1);
    EXPECT_EQ(got.counts["queued"], 2);  // one waiting, one claimed before its first stage
    EXPECT_GE(got.progress, 25);
    auto list = *db_->ListBatches(1, 10);
    ASSERT_EQ(list.size(), 1u);
    EXPECT_EQ(list[0].id, b->id);
    EXPECT_TRUE(db_->ListBatches(2, 10)->empty());
    EXPECT_EQ(db_->GetBatch(9999).error().code, core::ErrorCode::kNotFound);
    EXPECT_FALSE(NewJob().batch_id.has_value());
}

TEST_P(DatabaseContract, TokensAndLogsRoundTrip) {
    auto u = *db_->GetOrCreateUser("admin");
    EXPECT_EQ(db_->GetOrCreateUser("admin")->id, u.id);
    auto t = db_->CreateToken(u.id, "ci", "hash1");
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(db_->CreateToken(u.id, "again", "hash1").error().code, core::ErrorCode::kConflict);
    EXPECT_EQ(db_->GetTokenByHash("hash1")->name, "ci");
    EXPECT_EQ(db_->ListTokens(u.id)->size(), 1u);
    ASSERT_TRUE(db_->DeleteToken(u.id, t->id).ok());
    EXPECT_EQ(db_->DeleteToken(u.id, t->id).error().code, core::ErrorCode::kNotFound);
    ASSERT_TRUE(db_->SetStreamKey(u.id, "sk").ok());
    EXPECT_EQ(db_->GetUserByStreamKey("sk")->id, u.id);
    EXPECT_EQ(db_->GetUserByStreamKey("").error().code, core::ErrorCode::kNotFound);

    auto job = NewJob();
    for (int i = 0; i < 5; ++i) {
        ASSERT_TRUE(
            db_->AppendJobLog(job.id, "script", core::LogLevel::kInfo, "line " + std::to_string(i))
                .ok());
    }
    auto recent = *db_->GetRecentJobLogs(job.id, 2);
    ASSERT_EQ(recent.size(), 2u);
    EXPECT_EQ(recent[0].message, "line 3");
    EXPECT_EQ(recent[1].message, "line 4");
    auto after = *db_->GetJobLogs(job.id, recent[0].id, 10);
    ASSERT_EQ(after.size(), 1u);
    EXPECT_EQ(after[0].message, "line 4");
}

TEST_P(DatabaseContract, RecordsStagesAndRequeuesWithBackoff) {
    auto job = NewJob();
    ASSERT_TRUE(db_->RecordStage(job.id, "script", {{"title", "Storm"}}).ok());
    ASSERT_TRUE(db_->RequeueJob(job.id, 5000, "ollama: 503").ok());
    auto early = db_->ClaimJob("w", 4999, 10000);
    ASSERT_TRUE(early.ok());
    EXPECT_FALSE(early->has_value());
    auto later = db_->ClaimJob("w", 5000, 10000);
    ASSERT_TRUE(later.ok() && later->has_value());
    EXPECT_EQ((*later)->stages["script"]["title"], "Storm");
    ASSERT_TRUE(db_->ForgetStages(job.id, {"script"}).ok());
    EXPECT_FALSE(db_->GetJob(job.id)->stages.contains("script"));
}

TEST_P(DatabaseContract, RecordsEachStageInPlaceKeepingTheOthers) {
    using core::Json;
    auto job = NewJob();
    const Json words = Json::parse(R"([{"word":"say \"hi\"","start":0.5,"end":1.25}])");
    // Scenes finish on several threads at once: every record lands, none overwrites another.
    std::vector<std::thread> writers;
    for (int n = 1; n <= 12; ++n) {
        writers.emplace_back([&, n] {
            EXPECT_TRUE(db_->RecordStage(job.id, "scene:" + std::to_string(n),
                                         {{"n", n}, {"words", words}, {"title", "Élan"}})
                            .ok());
        });
    }
    for (auto& t : writers) t.join();
    ASSERT_TRUE(db_->RecordStage(job.id, "scenes", {{"scenes", Json::array()}}).ok());
    auto got = *db_->GetJob(job.id);
    for (int n = 1; n <= 12; ++n) {
        const std::string name = "scene:" + std::to_string(n);
        ASSERT_TRUE(got.stages.contains(name)) << name;
        EXPECT_EQ(got.stages[name]["n"], n);
        EXPECT_EQ(got.stages[name]["words"], words);  // stored as JSON, not as a string
        EXPECT_EQ(got.stages[name]["title"], "Élan");
    }
    ASSERT_TRUE(db_->RecordStage(job.id, "scene:3", {{"n", 33}}).ok());  // replaced whole
    ASSERT_TRUE(db_->ForgetStages(job.id, {"scene:1", "scenes", "never-recorded"}).ok());
    got = *db_->GetJob(job.id);
    EXPECT_FALSE(got.stages.contains("scene:1"));
    EXPECT_FALSE(got.stages.contains("scenes"));
    EXPECT_EQ(got.stages["scene:3"], (Json{{"n", 33}}));
    EXPECT_EQ(got.stages.size(), 11u);
    auto missing = db_->RecordStage(job.id + 1000, "script", Json::object());
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().code, core::ErrorCode::kNotFound);
}

TEST_P(DatabaseContract, JobFingerprintChangesWithEverythingTheDetailShows) {
    auto job = NewJob();
    auto f0 = *db_->JobFingerprint(job.id);
    EXPECT_EQ(*db_->JobFingerprint(job.id), f0);
    ASSERT_TRUE(db_->AppendJobLog(job.id, "script", core::LogLevel::kInfo, "hello").ok());
    auto f1 = *db_->JobFingerprint(job.id);
    EXPECT_NE(f1, f0);
    ASSERT_TRUE(db_->UpdateJobProgress(job.id, JobState::kGeneratingScript, 5).ok());
    auto f2 = *db_->JobFingerprint(job.id);
    EXPECT_NE(f2, f1);
    ASSERT_TRUE(db_->SetJobUrls(job.id, {{"preview_url", "/media/jobs/1/preview.mp4"}}).ok());
    auto f3 = *db_->JobFingerprint(job.id);
    EXPECT_NE(f3, f2);
    core::Asset a;
    a.job_id = job.id;
    a.kind = core::AssetKind::kVoice;
    ASSERT_TRUE(db_->AddAsset(a).ok());
    EXPECT_NE(*db_->JobFingerprint(job.id), f3);
    EXPECT_EQ(db_->JobFingerprint(999).error().code, core::ErrorCode::kNotFound);
}

TEST_P(DatabaseContract, EveryAssetKindAndLogLevelComesBackAsWritten) {
    auto job = NewJob();
    using K = core::AssetKind;
    const std::vector<K> kinds = {
        K::kScript,           K::kVoice,     K::kPicture, K::kPictureLayer, K::kPreview,
        K::kPreviewThumbnail, K::kNarration, K::kEncode,  K::kCaptions,     K::kChapters,
        K::kPoster,           K::kThumbnail, K::kHls,     K::kMp4};
    for (K k : kinds) {
        core::Asset a;
        a.job_id = job.id;
        a.kind = k;
        a.hash = "h-" + std::string(core::ToString(k));
        auto row = db_->AddAsset(a);
        ASSERT_TRUE(row.ok()) << row.error().message;
        EXPECT_EQ(row->kind, k);
    }
    auto listed = db_->ListAssetsForJob(job.id);
    ASSERT_TRUE(listed.ok());
    ASSERT_EQ(listed->size(), kinds.size());
    for (std::size_t i = 0; i < kinds.size(); ++i) EXPECT_EQ((*listed)[i].kind, kinds[i]);
    using L = core::LogLevel;
    for (L l : {L::kInfo, L::kWarn, L::kError, L::kCmd}) {
        ASSERT_TRUE(db_->AppendJobLog(job.id, "script", l, std::string(core::ToString(l))).ok());
    }
    auto logs = db_->GetJobLogs(job.id, 0, 10);
    ASSERT_TRUE(logs.ok());
    ASSERT_EQ(logs->size(), 4u);
    for (const auto& line : *logs) EXPECT_EQ(core::ToString(line.level), line.message);
}

TEST_P(DatabaseContract, AJobsLibraryRowIsPendingAndInvisibleUntilCompleted) {
    auto job = NewJob("A lighthouse that controls storms");
    core::Content draft;
    draft.title = "Lighthouse";
    draft.prompt = job.request.prompt;
    auto row = db_->BeginJobContent(job.id, draft);
    ASSERT_TRUE(row.ok()) << row.error().message;
    EXPECT_TRUE(row->pending);
    EXPECT_EQ(db_->GetJob(job.id)->content_id, row->id) << "recorded on the job at once";
    EXPECT_EQ(db_->BeginJobContent(job.id, draft)->id, row->id) << "a resumed compose reuses it";
    EXPECT_EQ(db_->GetContent(row->id).error().code, core::ErrorCode::kNotFound);
    storage::ContentQuery search;
    search.search = "lighthouse";
    EXPECT_EQ(db_->ListContent(search)->total, 0);
    EXPECT_EQ(db_->ListContent({})->total, 0);

    core::Content done = *row;
    done.mp4_key = "library/1/video.mp4";
    done.duration = 7;
    ASSERT_TRUE(db_->CompleteJobContent(job.id, done).ok());
    EXPECT_EQ(db_->ListContent(search)->total, 1);
    auto shown = db_->GetContent(row->id);
    ASSERT_TRUE(shown.ok());
    EXPECT_FALSE(shown->pending);
    EXPECT_EQ(db_->BeginJobContent(job.id, draft)->id, row->id) << "re-assembly reuses the item";
    ASSERT_TRUE(db_->FinishJob(job.id, JobState::kFailed, core::Error::Internal("x"), {}).ok());
    EXPECT_TRUE(db_->GetContent(row->id).ok()) << "a finished item outlives a failed re-run";
}

TEST_P(DatabaseContract, AFailedJobTakesItsPendingRowWithIt) {
    auto job = NewJob();
    auto row = db_->BeginJobContent(job.id, core::Content{});
    ASSERT_TRUE(row.ok());
    ASSERT_TRUE(db_->FinishJob(job.id, JobState::kFailed, core::Error::Internal("x"), {}).ok());
    EXPECT_FALSE(db_->GetJob(job.id)->content_id.has_value());
    EXPECT_EQ(*db_->TakeDueObjectDeletes(core::NowMillis()),
              (std::vector<std::string>{"library/" + std::to_string(row->id) + "/"}));
    auto again = db_->BeginJobContent(job.id, core::Content{});
    ASSERT_TRUE(again.ok());
    EXPECT_GT(again->id, row->id) << "a retry starts a new row; the old id is never reused";
}

TEST_P(DatabaseContract, ContentIdsAreNeverReused) {
    core::Content c;
    c.title = "first";
    auto a = db_->CreateContent(c);
    ASSERT_TRUE(db_->DeleteContent(a->id).ok());
    EXPECT_GT(db_->CreateContent(c)->id, a->id) << "library/<id>/ must not be handed out twice";
}

TEST_P(DatabaseContract, DeferredObjectDeletesComeDueAtLeastOnce) {
    ASSERT_TRUE(db_->ScheduleObjectDelete("library/7/", 5000).ok());
    ASSERT_TRUE(db_->ScheduleObjectDelete("library/8/", 9000).ok());
    EXPECT_TRUE(db_->TakeDueObjectDeletes(4999)->empty());
    EXPECT_EQ(*db_->TakeDueObjectDeletes(5000), (std::vector<std::string>{"library/7/"}));
    EXPECT_TRUE(db_->TakeDueObjectDeletes(5000)->empty()) << "taken once";
    EXPECT_EQ(*db_->TakeDueObjectDeletes(10000), (std::vector<std::string>{"library/8/"}));
    // At least once: a process that died between taking and deleting gets them again later.
    EXPECT_EQ(*db_->TakeDueObjectDeletes(5000 + kObjectDeleteRetakeMs),
              (std::vector<std::string>{"library/7/"}));
    EXPECT_EQ(*db_->TakeDueObjectDeletes(10000 + kObjectDeleteRetakeMs),
              (std::vector<std::string>{"library/8/"}));
    EXPECT_TRUE(db_->TakeDueObjectDeletes(10 * kObjectDeleteRetakeMs)->empty()) << "then forgotten";
}

TEST_P(DatabaseContract, CancelIsImmediateForQueuedAndFlaggedForRunning) {
    auto queued = NewJob();
    auto c = db_->RequestCancel(queued.id);
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c->status, JobState::kCanceled);
    auto running = NewJob();
    auto now = core::NowMillis();
    ASSERT_TRUE(db_->ClaimJob("w", now, now + 60'000)->has_value());
    auto r = db_->RequestCancel(running.id);
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->cancel_requested);
    EXPECT_NE(r->status, JobState::kCanceled);
    EXPECT_EQ(db_->RequestCancel(queued.id).error().code, core::ErrorCode::kConflict);
    auto retried = db_->RetryJob(queued.id);
    ASSERT_TRUE(retried.ok());
    EXPECT_EQ(retried->status, JobState::kQueued);
    EXPECT_EQ(db_->RetryJob(running.id).error().code, core::ErrorCode::kConflict);
}

TEST_P(DatabaseContract, TheJobStateMachineGuardsEveryMove) {
    // A job ends once: a second end, or a requeue of an ended job, is refused and changes
    // nothing (core/job_machine.hpp decides; every backend writes what it decides).
    auto job = NewJob();
    auto now = core::NowMillis();
    ASSERT_TRUE(db_->ClaimJob("w", now, now + 60'000)->has_value());
    ASSERT_TRUE(db_->UpdateJobProgress(job.id, JobState::kRenderingFinal, 70).ok());
    EXPECT_EQ(db_->GetJob(job.id)->status, JobState::kRenderingFinal);
    EXPECT_EQ(db_->UpdateJobProgress(job.id, JobState::kCompleted, 100).error().code,
              core::ErrorCode::kInvalidArgument)
        << "a stage cannot end a job";
    ASSERT_TRUE(db_->FinishJob(job.id, JobState::kCompleted, std::nullopt, std::nullopt).ok());
    auto again =
        db_->FinishJob(job.id, JobState::kFailed, core::Error::Internal("late"), std::nullopt);
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.error().code, core::ErrorCode::kConflict);
    EXPECT_EQ(again.error().message, "job " + std::to_string(job.id) + " is already completed");
    EXPECT_EQ(db_->RequeueJob(job.id, 0, "late retry").error().code, core::ErrorCode::kConflict);
    auto after = db_->GetJob(job.id);
    EXPECT_EQ(after->status, JobState::kCompleted);
    EXPECT_EQ(after->error_log, "");
    EXPECT_EQ(db_->FinishJob(job.id, JobState::kQueued, std::nullopt, std::nullopt).error().code,
              core::ErrorCode::kInvalidArgument);
    EXPECT_EQ(db_->FinishJob(987654, JobState::kFailed, std::nullopt, std::nullopt).error().code,
              core::ErrorCode::kNotFound);
    // A flagged job whose holder died is canceled by the next claimer, never claimed.
    auto flagged = NewJob();
    now = core::NowMillis();
    ASSERT_TRUE(db_->ClaimJob("w2", now, now + 5'000)->has_value());
    ASSERT_TRUE(db_->RequestCancel(flagged.id)->cancel_requested);
    auto later = core::NowMillis() + 10'000;
    auto claimed = db_->ClaimJob("w3", later, later + 60'000);
    ASSERT_TRUE(claimed.ok());
    EXPECT_FALSE(claimed->has_value());
    EXPECT_EQ(db_->GetJob(flagged.id)->status, JobState::kCanceled);
}

TEST_P(DatabaseContract, SearchesTheLibraryWithFts) {
    core::Content a;
    a.title = "Lighthouse Storm";
    a.transcript = "The keeper turns the great lamp toward the sea.";
    core::Content b;
    b.title = "Desert Bloom";
    b.description = "Cacti flowering at dawn";
    ASSERT_TRUE(db_->CreateContent(a).ok());
    ASSERT_TRUE(db_->CreateContent(b).ok());
    ContentQuery q;
    q.search = "lamp";
    auto r = db_->ListContent(q);
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_EQ(r->items.size(), 1u);
    EXPECT_EQ(r->items[0].title, "Lighthouse Storm");
    q.search = "light";  // prefix match
    EXPECT_EQ(db_->ListContent(q)->total, 1);
    q.search = "\"unbalanced AND OR (";  // FTS syntax in user input must not be an error
    EXPECT_TRUE(db_->ListContent(q).ok());
    q.search = "";
    q.sort = "title";
    auto all = db_->ListContent(q);
    ASSERT_EQ(all->items.size(), 2u);
    EXPECT_EQ(all->items[0].title, "Desert Bloom");
    // The language filter: any of the item's languages, the original or an added one.
    {
        auto la = *db_->GetContent(all->items[1].id);
        la.languages = {"en", "es"};
        ASSERT_TRUE(db_->UpdateContent(la).ok());
        auto lb = *db_->GetContent(all->items[0].id);
        lb.languages = {"fr"};
        ASSERT_TRUE(db_->UpdateContent(lb).ok());
        ContentQuery lq;
        lq.language = "es";
        auto es = db_->ListContent(lq);
        ASSERT_TRUE(es.ok()) << es.error().message;
        ASSERT_EQ(es->total, 1);
        EXPECT_EQ(es->items.at(0).title, "Lighthouse Storm");
        lq.language = "fr";
        EXPECT_EQ(db_->ListContent(lq)->items.at(0).title, "Desert Bloom");
        lq.language = "de";
        EXPECT_EQ(db_->ListContent(lq)->total, 0);
        lq.language = "e";  // a whole code, not a substring of one
        EXPECT_EQ(db_->ListContent(lq)->total, 0);
        lq.language = "en";
        lq.search = "lamp";
        EXPECT_EQ(db_->ListContent(lq)->total, 1);
        lq.search = "cacti";
        EXPECT_EQ(db_->ListContent(lq)->total, 0);
    }
    // Updates reach the index.
    auto got = *db_->GetContent(all->items[0].id);
    got.transcript = "zephyr";
    ASSERT_TRUE(db_->UpdateContent(got).ok());
    q.search = "zephyr";
    EXPECT_EQ(db_->ListContent(q)->total, 1);
    ASSERT_TRUE(db_->DeleteContent(got.id).ok());
    EXPECT_EQ(db_->ListContent(q)->total, 0);
    EXPECT_EQ(db_->DeleteContent(got.id).error().code, core::ErrorCode::kNotFound);
}

TEST_P(DatabaseContract, KeepsAssetsWithProvenanceAndFindsThemByHash) {
    auto job = NewJob();
    core::Asset a;
    a.job_id = job.id;
    a.kind = core::AssetKind::kVoice;
    a.hash = "abc123";
    a.key = "jobs/1/scenes/1/voice.wav";
    a.engine = "flite";
    a.model = "slt";
    a.parameters = {{"text", "hello"}};
    ASSERT_TRUE(db_->AddAsset(a).ok());
    auto hit = db_->FindAssetByHash("abc123");
    ASSERT_TRUE(hit.ok() && hit->has_value());
    EXPECT_EQ((*hit)->engine, "flite");
    EXPECT_EQ((*hit)->parameters["text"], "hello");
    EXPECT_FALSE(db_->FindAssetByHash("nope")->has_value());
}

TEST_P(DatabaseContract, PlaylistsHaveUniqueSlugsAndState) {
    auto main = db_->DefaultPlaylist();
    ASSERT_TRUE(main.ok());
    EXPECT_EQ(main->hls_endpoint, "/live/main/index.m3u8");
    EXPECT_EQ(db_->DefaultPlaylist()->id, main->id);
    core::Playlist dup;
    dup.slug = "main";
    dup.title = "Again";
    EXPECT_EQ(db_->CreatePlaylist(dup).error().code, core::ErrorCode::kConflict);
    main->items = {3, 1, 2};
    ASSERT_TRUE(db_->UpdatePlaylist(*main).ok());
    EXPECT_EQ(db_->GetPlaylist(main->id)->items, (std::vector<std::int64_t>{3, 1, 2}));
    ASSERT_TRUE(db_->PutChannelState(main->id, "{\"x\":1}").ok());
    EXPECT_EQ(*db_->GetChannelState(main->id), "{\"x\":1}");
}

TEST_P(DatabaseContract, SessionsExpireAndPasswordChangeEndsThem) {
    auto u = db_->GetOrCreateUser("admin");
    ASSERT_TRUE(u.ok());
    ASSERT_TRUE(db_->CreateSession("h1", u->id, "csrf", core::NowMillis() + 60'000).ok());
    EXPECT_TRUE(db_->GetSession("h1", core::NowMillis()).ok());
    EXPECT_FALSE(db_->GetSession("h1", core::NowMillis() + 120'000).ok());
    ASSERT_TRUE(db_->SetPasswordHash(u->id, "$argon2id$...").ok());
    EXPECT_FALSE(db_->GetSession("h1", core::NowMillis()).ok());
    EXPECT_EQ(*db_->CountUsersWithPassword(), 1);
}

TEST(SqliteRows, AHandEditedKindOrLevelReadsAsTheSafeValue) {
    const auto path = std::filesystem::temp_directory_path() /
                      ("beacon-enum-rows-" + std::to_string(::getpid()) + ".db");
    std::filesystem::remove(path);
    auto db = std::move(OpenSqlite(path.string())).value();
    auto u = *db->GetOrCreateUser("admin");
    core::GenerateRequest r;
    r.prompt = "A lighthouse";
    auto job = *db->CreateJob(u.id, r);
    core::Asset a;
    a.job_id = job.id;
    a.kind = core::AssetKind::kVoice;
    ASSERT_TRUE(db->AddAsset(a).ok());
    ASSERT_TRUE(db->AppendJobLog(job.id, "script", core::LogLevel::kWarn, "edited").ok());
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
    auto wrote =
        sqlite::Exec(raw, "UPDATE assets SET kind = 'webm'; UPDATE job_logs SET level = 'debug'");
    sqlite3_close(raw);
    ASSERT_TRUE(wrote.ok()) << wrote.error().message;
    auto assets = db->ListAssetsForJob(job.id);
    ASSERT_TRUE(assets.ok()) << "one odd row does not fail the listing";
    ASSERT_EQ(assets->size(), 1u);
    EXPECT_EQ((*assets)[0].kind, core::AssetKind::kEncode);
    auto logs = db->GetJobLogs(job.id, 0, 10);
    ASSERT_TRUE(logs.ok());
    ASSERT_EQ(logs->size(), 1u);
    EXPECT_EQ((*logs)[0].level, core::LogLevel::kInfo);
    db.reset();
    std::filesystem::remove(path);
}

// Schema version 7 stored each library file as a "/media/<key>" URL; version 8 stores the key.
constexpr std::size_t kVersionWithUrls = 7;
constexpr const char* kRowWithUrls =
    "INSERT INTO content(owner_id, title, transcript, mp4_url, hls_url, thumbnail, poster, "
    "preview_url, vtt_url, chapters_url, created_at, updated_at) VALUES(1, 'Lighthouse', "
    "'The keeper turns the great lamp.', '/media/library/1/video.mp4', "
    "'/media/library/1/hls/master.m3u8', '/media/library/1/thumb.jpg', "
    "'/media/library/1/poster.jpg', '/media/jobs/4/preview.mp4', "
    "'/media/library/1/captions_en.vtt', '', 1, 1)";

/// The row kRowWithUrls wrote, read through `db` after migrating: keys, the same API answer.
void ExpectTheRowReadsAsKeys(Database& db) {
    auto c = db.GetContent(1);
    ASSERT_TRUE(c.ok()) << c.error().message;
    EXPECT_EQ(c->mp4_key, "library/1/video.mp4");
    EXPECT_EQ(c->hls_key, "library/1/hls/master.m3u8");
    EXPECT_EQ(c->thumbnail_key, "library/1/thumb.jpg");
    EXPECT_EQ(c->poster_key, "library/1/poster.jpg");
    EXPECT_EQ(c->preview_key, "jobs/4/preview.mp4");
    EXPECT_EQ(c->vtt_key, "library/1/captions_en.vtt");
    EXPECT_EQ(c->chapters_key, "") << "no file stays empty";
    const core::Json answer = core::ToJson(*c);
    EXPECT_EQ(answer["mp4_url"], "/media/library/1/video.mp4") << "the API's answer is unchanged";
    EXPECT_EQ(answer["chapters_url"], "");
    ContentQuery q;
    q.search = "lamp";
    EXPECT_EQ(db.ListContent(q)->total, 1) << "the search index still covers the row";
}

TEST(MigrationToObjectKeys, SqliteRowsWithMediaUrlsReadBackAsKeys) {
    const fs::path path =
        fs::temp_directory_path() / ("beacon-keys-" + std::to_string(::getpid()) + ".db");
    fs::remove(path);
    {
        sqlite3* raw = nullptr;
        ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
        core::Status st;
        for (std::size_t i = 0; i < kVersionWithUrls && st.ok(); ++i) {
            st = sqlite::Exec(raw, SqliteMigrations()[i]);
        }
        if (st.ok()) {
            st = sqlite::Exec(raw, "PRAGMA user_version = " + std::to_string(kVersionWithUrls));
        }
        if (st.ok()) st = sqlite::Exec(raw, kRowWithUrls);
        sqlite3_close(raw);
        ASSERT_TRUE(st.ok()) << st.error().message;
    }
    auto db = OpenSqlite(path.string());
    ASSERT_TRUE(db.ok()) << db.error().message;
    ExpectTheRowReadsAsKeys(**db);
    db->reset();
    fs::remove(path);
}

TEST(MigrationToObjectKeys, PostgresRowsWithMediaUrlsReadBackAsKeys) {
    auto cluster = testing::PostgresCluster::Shared();
    ASSERT_TRUE(cluster.ok()) << cluster.error().message;
    const std::string name = "keys_" + std::to_string(::getpid());
    ASSERT_TRUE((*cluster)->CreateDatabase(name).ok());
    {
        auto conn = pg::Connection::Open((*cluster)->Url(name));
        ASSERT_TRUE(conn.ok()) << conn.error().message;
        pg::Connection& pg = **conn;
        core::Status st = pg.Exec(
            "CREATE TABLE beacon_schema(version INTEGER NOT NULL); "
            "INSERT INTO beacon_schema(version) VALUES(" +
            std::to_string(kVersionWithUrls) + ")");
        for (std::size_t i = 0; i < kVersionWithUrls && st.ok(); ++i) {
            st = pg.Exec(PostgresMigrations()[i]);
        }
        if (st.ok()) st = pg.Exec(kRowWithUrls);
        ASSERT_TRUE(st.ok()) << st.error().message;
    }
    auto db = OpenPostgres((*cluster)->Url(name), 1);
    ASSERT_TRUE(db.ok()) << db.error().message;
    ExpectTheRowReadsAsKeys(**db);
}

TEST(MigrateSqliteToPostgres, MovesEveryRowKeepingIdsAndNeverReusesOne) {
    const fs::path dir =
        fs::temp_directory_path() / ("beacon-migrate-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    const std::string lite_path = (dir / "beacon.db").string();
    std::int64_t job_id = 0, kept_id = 0, deleted_id = 0, user_id = 0, batch_id = 0, batch_job = 0;
    {
        auto lite = std::move(OpenSqlite(lite_path)).value();
        auto u = *lite->GetOrCreateUser("admin");
        user_id = u.id;
        ASSERT_TRUE(lite->SetPasswordHash(u.id, "$argon2id$x").ok());
        ASSERT_TRUE(lite->CreateToken(u.id, "ci", "tokhash").ok());
        core::GenerateRequest r;
        r.prompt = "A lighthouse that controls storms";
        r.produce_preview = false;
        auto job = *lite->CreateJob(u.id, r);
        job_id = job.id;
        ASSERT_TRUE(lite->RecordStage(job.id, "script", {{"title", "Storm"}}).ok());
        ASSERT_TRUE(lite->AppendJobLog(job.id, "script", core::LogLevel::kInfo, "written").ok());
        ASSERT_TRUE(lite->FinishJob(job.id, JobState::kCompleted, std::nullopt, std::nullopt).ok());
        core::Content c;
        c.title = "Lighthouse Storm";
        c.transcript = "The keeper turns the great lamp.";
        c.published = true;
        c.languages = {"en", "es"};
        kept_id = lite->CreateContent(c)->id;
        deleted_id = lite->CreateContent(c)->id;
        ASSERT_TRUE(lite->DeleteContent(deleted_id).ok());
        core::Asset a;
        a.job_id = job.id;
        a.kind = core::AssetKind::kVoice;
        a.hash = "h1";
        ASSERT_TRUE(lite->AddAsset(a).ok());
        auto main = *lite->DefaultPlaylist();
        main.items = {kept_id};
        ASSERT_TRUE(lite->UpdatePlaylist(main).ok());
        ASSERT_TRUE(
            lite->CreateSession("sess-hash", u.id, "csrf", core::NowMillis() + 3'600'000).ok());
        ASSERT_TRUE(
            lite->ScheduleObjectDelete("library/" + std::to_string(deleted_id) + "/", 1).ok());
        core::GenerateRequest b;
        b.prompt = "Harbour at night";
        auto batch = lite->CreateBatch(u.id, "evening", 2, {b, b});
        ASSERT_TRUE(batch.ok()) << batch.error().message;
        batch_id = batch->id;
        auto jobs = lite->ListJobs(JobQuery{});
        ASSERT_TRUE(jobs.ok());
        for (const auto& j : jobs->items) {
            if (j.batch_id == batch_id) batch_job = j.id;
        }
        ASSERT_GT(batch_job, 0);
    }
    {
        // Moderation's rows (written by src/ops/moderation on this file's tables).
        sqlite3* raw = nullptr;
        ASSERT_EQ(sqlite3_open(lite_path.c_str(), &raw), SQLITE_OK);
        auto wrote =
            sqlite::Exec(raw, "INSERT INTO moderation (content_id, state, reason) VALUES (" +
                                  std::to_string(kept_id) +
                                  ", 'flagged', 'credits');"
                                  "INSERT INTO audit_log (at, action, content_id) VALUES "
                                  "(1, 'flag', " +
                                  std::to_string(kept_id) + ")");
        sqlite3_close(raw);
        ASSERT_TRUE(wrote.ok()) << wrote.error().message;
    }
    auto cluster = testing::PostgresCluster::Shared();
    ASSERT_TRUE(cluster.ok()) << cluster.error().message;
    const std::string name = "migrated_" + std::to_string(::getpid());
    ASSERT_TRUE((*cluster)->CreateDatabase(name).ok());
    auto report = CopySqliteToPostgres(lite_path, (*cluster)->Url(name));
    ASSERT_TRUE(report.ok()) << report.error().message;

    auto pgdb = std::move(OpenPostgres((*cluster)->Url(name), 2)).value();
    EXPECT_EQ(pgdb->GetUserByName("admin")->id, user_id);
    EXPECT_EQ(*pgdb->CountUsersWithPassword(), 1);
    EXPECT_EQ(pgdb->GetTokenByHash("tokhash")->name, "ci");
    auto job = pgdb->GetJob(job_id);
    ASSERT_TRUE(job.ok());
    EXPECT_EQ(job->status, JobState::kCompleted);
    EXPECT_FALSE(job->request.produce_preview) << "flags become booleans";
    EXPECT_EQ(job->stages["script"]["title"], "Storm");
    EXPECT_EQ(pgdb->GetRecentJobLogs(job_id, 10)->size(), 1u);
    auto kept = pgdb->GetContent(kept_id);
    ASSERT_TRUE(kept.ok());
    EXPECT_TRUE(kept->published);
    EXPECT_EQ(kept->languages, (std::vector<std::string>{"en", "es"}));
    ContentQuery q;
    q.search = "lamp";
    EXPECT_EQ(pgdb->ListContent(q)->total, 1) << "the search index covers copied rows";
    EXPECT_EQ(pgdb->FindAssetByHash("h1")->value().job_id, job_id);
    EXPECT_EQ(pgdb->DefaultPlaylist()->items, (std::vector<std::int64_t>{kept_id}));
    core::Content fresh;
    fresh.title = "new";
    EXPECT_GT(pgdb->CreateContent(fresh)->id, deleted_id) << "a deleted item's id is not reused";
    EXPECT_GT(pgdb->CreateJob(1, core::GenerateRequest{})->id, job_id);

    EXPECT_EQ(pgdb->GetSession("sess-hash", core::NowMillis())->user_id, user_id);
    EXPECT_EQ(*pgdb->TakeDueObjectDeletes(core::NowMillis()),
              (std::vector<std::string>{"library/" + std::to_string(deleted_id) + "/"}));
    // Batches: the batch and its jobs' link to it.
    auto batch = pgdb->GetBatch(batch_id);
    ASSERT_TRUE(batch.ok()) << batch.error().message;
    EXPECT_EQ(batch->name, "evening");
    EXPECT_EQ(pgdb->GetJob(batch_job)->batch_id, batch_id);
    EXPECT_GT(pgdb->CreateBatch(user_id, "next", 1, {core::GenerateRequest{}})->id, batch_id);

    // Every table of both schemas is copied, except bookkeeping: a table a future migration
    // adds on both backends and the copy leaves behind fails here.
    std::set<std::string> copied;
    for (const auto& [table, n] : report->rows) {
        copied.insert(table);
        EXPECT_GT(n, 0) << table << ": the test writes a row to every table";
    }
    // Bookkeeping only: SQLite's own tables, the full-text index (rebuilt on each side), the
    // schema version.
    auto bookkeeping = [](const std::string& t) {
        return t.starts_with("sqlite_") || t.starts_with("content_fts") || t == "beacon_schema";
    };
    std::set<std::string> expected;
    {
        sqlite3* raw = nullptr;
        ASSERT_EQ(sqlite3_open(lite_path.c_str(), &raw), SQLITE_OK);
        std::vector<std::string> lite_tables;
        {
            sqlite::Statement st(raw, "SELECT name FROM sqlite_master WHERE type = 'table'");
            while (*st.Step()) lite_tables.push_back(st.Text(0));
        }
        sqlite3_close(raw);
        for (const auto& t : lite_tables) {
            if (!bookkeeping(t)) expected.insert(t);
        }
    }
    EXPECT_EQ(copied, expected) << "every SQLite table is copied";
    {
        auto pg = pg::Connection::Open((*cluster)->Url(name));
        ASSERT_TRUE(pg.ok());
        auto rows = (*pg)->Query(
            "SELECT table_name FROM information_schema.tables WHERE "
            "table_schema = current_schema() AND table_type = 'BASE TABLE'");
        ASSERT_TRUE(rows.ok());
        std::vector<std::string> pg_tables;
        for (int i = 0; i < rows->size(); ++i) pg_tables.push_back(rows->Text(i, 0));
        std::set<std::string> pg_expected;
        for (const auto& t : pg_tables) {
            if (!bookkeeping(t)) pg_expected.insert(t);
        }
        EXPECT_EQ(copied, pg_expected) << "every PostgreSQL table is filled";
    }

    auto again = CopySqliteToPostgres(lite_path, (*cluster)->Url(name));
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.error().code, core::ErrorCode::kConflict) << "never into a database in use";
    fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Backends, DatabaseContract,
                         ::testing::Values("sqlite", "postgres", "memory"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace beacon::storage
