// The module stores' contract (issue 18): Arcade's games and saves, Verse's worlds, the wiki's
// facts and edits, moderation's flags and audit log, and the remote workers' registry behave
// the same on SQLite and on PostgreSQL (a throwaway cluster started by this binary, one database
// per case). Every case opens each store twice, as two processes would, and checks that what
// one handle writes the other reads.
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "arcade/service.hpp"
#include "arcade/store.hpp"
#include "ops/moderation.hpp"
#include "remote/registry.hpp"
#include "storage/database.hpp"
#include "storage/module_db.hpp"
#include "storage/postgres_database.hpp"
#include "support/postgres_cluster.hpp"
#include "verse/store.hpp"
#include "wiki/store.hpp"

namespace beacon {
namespace {

namespace fs = std::filesystem;
using core::ErrorCode;

class ModuleStores : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        static int counter = 0;
        const std::string name = "modules_" + std::to_string(::getpid()) + "_" +
                                 std::to_string(++counter);
        if (GetParam() == "postgres") {
            auto cluster = testing::PostgresCluster::Shared();
            ASSERT_TRUE(cluster.ok()) << cluster.error().message;
            ASSERT_TRUE((*cluster)->CreateDatabase(name).ok());
            url_ = (*cluster)->Url(name);
        } else {
            dir_ = fs::temp_directory_path() / ("beacon-" + name);
            fs::remove_all(dir_);
            fs::create_directories(dir_);
        }
    }
    void TearDown() override {
        if (!dir_.empty()) fs::remove_all(dir_);
    }
    /// Where a module's tables live: the test's PostgreSQL database, or `file` in the folder.
    std::string Where(const std::string& file) const {
        return storage::ModuleDbLocation(url_, (dir_ / file).string());
    }
    /// The studio database (migrated), as `beacon serve` opens it before the module stores.
    std::unique_ptr<storage::Database> StudioDb() {
        auto db = url_.empty() ? storage::OpenSqlite(Where("beacon.db")) : storage::OpenPostgres(url_, 1);
        EXPECT_TRUE(db.ok()) << db.error().message;
        return db.ok() ? std::move(db).value() : nullptr;
    }
    template <class T>
    static std::unique_ptr<T> Must(core::Result<std::unique_ptr<T>> r) {
        EXPECT_TRUE(r.ok()) << r.error().message;
        return r.ok() ? std::move(r).value() : nullptr;
    }
    fs::path dir_;
    std::string url_;
};

// ---- the shared handle ------------------------------------------------------------------------

TEST_P(ModuleStores, PlaceholdersInsideQuotesStayText) {
    auto db = Must(storage::ModuleDb::Open(Where("m.db")));
    ASSERT_NE(db, nullptr);
    auto t = db->Query("SELECT 'a?b', ?, ?", storage::Args().Add(std::int64_t{7}).Add("x"));
    ASSERT_TRUE(t.ok()) << t.error().message;
    EXPECT_EQ(t->Text(0, 0), "a?b");
    EXPECT_EQ(t->Int(0, 1), 7);
    EXPECT_EQ(t->Text(0, 2), "x");
}

TEST_P(ModuleStores, MigratesOnceWhenProcessesStartTogetherAndRefusesANewerSchema) {
    // Not idempotent on purpose: a second run of version 1 would fail.
    const std::string_view lite[] = {"CREATE TABLE probe (id INTEGER PRIMARY KEY, v TEXT)",
                                     "INSERT INTO probe (v) VALUES ('once')"};
    const std::string_view pg[] = {"CREATE TABLE probe (id BIGSERIAL PRIMARY KEY, v TEXT)",
                                   "INSERT INTO probe (v) VALUES ('once')"};
    std::vector<std::thread> starters;
    std::mutex mu;
    std::vector<std::string> failures;
    for (int i = 0; i < 4; ++i) {
        starters.emplace_back([&] {
            auto db = storage::ModuleDb::Open(Where("m.db"));
            auto st = db.ok() ? (*db)->Migrate("probe", lite, pg) : core::Status(db.error());
            if (st.ok()) return;
            std::lock_guard lock(mu);
            failures.push_back((db.ok() ? "migrate: " : "open: ") + st.error().message);
        });
    }
    for (auto& t : starters) t.join();
    EXPECT_TRUE(failures.empty()) << failures.size() << " of 4 failed, first: " << failures.front();
    auto db = Must(storage::ModuleDb::Open(Where("m.db")));
    ASSERT_NE(db, nullptr);
    EXPECT_EQ(db->Query("SELECT COUNT(*) FROM probe")->Int(0, 0), 1);
    // A beacon that knows only version 1 refuses tables at version 2.
    auto older = db->Migrate("probe", std::span(lite, 1), std::span(pg, 1));
    ASSERT_FALSE(older.ok());
    EXPECT_NE(older.error().message.find("newer than this beacon"), std::string::npos);
}

// ---- wiki ---------------------------------------------------------------------------------------

TEST_P(ModuleStores, WikiFactsAndEditsAreSharedBetweenHandles) {
    auto a = Must(wiki::WikiStore::Open(Where("wiki.db")));
    auto b = Must(wiki::WikiStore::Open(Where("wiki.db")));
    ASSERT_TRUE(a && b);
    wiki::Fact f;
    f.entity = "Lighthouse";
    f.title = "Lighthouse";
    f.summary = "A tower with a light.";
    f.resolved = true;
    f.source = "wikipedia";
    const std::chrono::milliseconds week = std::chrono::hours(24 * 7);
    ASSERT_TRUE(a->PutFact("wikipedia:en", "Lighthouse", f, 1000).ok());
    auto hit = b->GetFact("wikipedia:en", "  lighthouse ", 1000 + week.count(), week);
    ASSERT_TRUE(hit.ok()) << hit.error().message;
    ASSERT_TRUE(hit->has_value());
    EXPECT_EQ(wiki::ToJson(**hit), wiki::ToJson(f));
    EXPECT_FALSE(b->GetFact("wikipedia:en", "Lighthouse", 1001 + week.count(), week)->has_value());
    f.summary = "Replaced.";
    ASSERT_TRUE(b->PutFact("wikipedia:en", "LIGHTHOUSE", f, 2000).ok());
    EXPECT_EQ(*a->CountFacts(), 1);
    EXPECT_EQ((*a->GetFact("wikipedia:en", "lighthouse", 2000, week))->summary, "Replaced.");

    ASSERT_TRUE(a->AddEntity(7, "Eddystone Lighthouse", "place", 10).ok());
    ASSERT_TRUE(b->RemoveEntity(7, "Plymouth", 11).ok());
    ASSERT_TRUE(b->RemoveEntity(7, "eddystone lighthouse", 12).ok());
    auto edits = a->Edits(7);
    ASSERT_TRUE(edits.ok());
    ASSERT_EQ(edits->size(), 2u);
    EXPECT_EQ((*edits)[0].name, "Plymouth");
    EXPECT_TRUE((*edits)[0].removed);
    EXPECT_EQ((*edits)[1].name, "Eddystone Lighthouse");
    EXPECT_TRUE((*edits)[1].removed);
    ASSERT_TRUE(a->AddEntity(7, "Eddystone Lighthouse", "place", 13).ok());
    EXPECT_FALSE(b->Edits(7)->back().removed);
    EXPECT_TRUE(b->Edits(8)->empty());
}

// ---- verse --------------------------------------------------------------------------------------

TEST_P(ModuleStores, VerseWorldsRevisionsAssetsAndSharesAreSharedBetweenHandles) {
    auto a = Must(verse::WorldStore::Open(Where("verse.db")));
    auto b = Must(verse::WorldStore::Open(Where("verse.db")));
    ASSERT_TRUE(a && b);
    auto w = a->Create(3, "Coast", R"({"nodes":[]})", 0, "created", 100);
    ASSERT_TRUE(w.ok()) << w.error().message;
    auto listed = b->List(3);
    ASSERT_TRUE(listed.ok());
    ASSERT_EQ(listed->size(), 1u);
    EXPECT_EQ((*listed)[0].title, "Coast");
    EXPECT_TRUE(b->List(4)->empty());
    // A save from one handle; a stale save from the other is refused, never overwriting it.
    auto saved = b->Save(w->id, 1, "Coast at night", R"({"nodes":[1]})", 1, "edit", 200, 2);
    ASSERT_TRUE(saved.ok()) << saved.error().message;
    EXPECT_EQ(saved->revision, 2);
    auto stale = a->Save(w->id, 1, "Old", "{}", 0, "edit", 201, 2);
    ASSERT_FALSE(stale.ok());
    EXPECT_EQ(stale.error().code, ErrorCode::kConflict);
    EXPECT_EQ(a->Get(w->id)->title, "Coast at night");
    EXPECT_EQ(*a->Document(w->id, 2), R"({"nodes":[1]})");
    ASSERT_TRUE(a->Save(w->id, 2, "Coast", "{}", 0, "edit", 300, 2).ok());
    auto revisions = b->Revisions(w->id);
    ASSERT_TRUE(revisions.ok());
    ASSERT_EQ(revisions->size(), 2u) << "keeps the newest two";
    EXPECT_EQ((*revisions)[0].revision, 3);
    EXPECT_EQ((*revisions)[1].size, static_cast<std::int64_t>(std::string(R"({"nodes":[1]})").size()));
    EXPECT_EQ(b->Document(w->id, 1).error().code, ErrorCode::kNotFound);

    verse::AssetRow asset;
    asset.info.hash = "abc123";
    asset.info.kind = "model";
    asset.info.mime = "model/gltf-binary";
    asset.info.size = 4096;
    asset.info.triangles = 12;
    asset.name = "boat.glb";
    asset.created_at = 400;
    EXPECT_TRUE(*a->AddAsset(w->id, asset));
    EXPECT_FALSE(*b->AddAsset(w->id, asset)) << "the second add of the same asset is a no-op";
    auto got = b->Asset(w->id, "abc123");
    ASSERT_TRUE(got.ok() && got->has_value());
    EXPECT_EQ((*got)->info.size, 4096u);
    EXPECT_EQ((*got)->info.triangles, 12u);
    EXPECT_EQ((*got)->name, "boat.glb");

    auto share = a->AddShare(w->id, "hash-of-token", 500);
    ASSERT_TRUE(share.ok()) << share.error().message;
    EXPECT_EQ((*b->Share(*share))->token_hash, "hash-of-token");
    ASSERT_TRUE(b->RevokeShare(w->id, *share, 600).ok());
    EXPECT_EQ(a->RevokeShare(w->id, *share, 601).error().code, ErrorCode::kNotFound);
    EXPECT_EQ((*a->Shares(w->id))[0].revoked_at, 600);

    // A value kept across processes: the first one made wins everywhere.
    EXPECT_EQ(*a->Meta("secret", [] { return std::string("first"); }), "first");
    EXPECT_EQ(*b->Meta("secret", [] { return std::string("second"); }), "first");

    auto other = b->Create(3, "Second", "{}", 0, "created", 700);
    ASSERT_TRUE(other.ok());
    ASSERT_TRUE(b->AddAsset(other->id, asset).ok());
    auto orphans = a->Delete(w->id);
    ASSERT_TRUE(orphans.ok()) << orphans.error().message;
    EXPECT_TRUE(orphans->empty()) << "the other world still uses the asset";
    EXPECT_EQ(b->Get(w->id).error().code, ErrorCode::kNotFound);
    EXPECT_TRUE(b->Shares(w->id)->empty());
    auto last = b->Delete(other->id);
    ASSERT_TRUE(last.ok());
    ASSERT_EQ(last->size(), 1u);
    EXPECT_EQ(a->Delete(other->id).error().code, ErrorCode::kNotFound);
    EXPECT_GT(other->id, w->id);
}

// ---- arcade -------------------------------------------------------------------------------------

TEST_P(ModuleStores, ArcadeCatalogueAndSavesAreSharedBetweenHandles) {
    auto a = Must(arcade::GameStore::Open(Where("arcade.db")));
    auto b = Must(arcade::GameStore::Open(Where("arcade.db")));
    ASSERT_TRUE(a && b);
    arcade::Game g;
    g.title = "Storm Runner";
    g.description = "Dodge the lightning";
    g.threads = true;
    g.files = 3;
    g.bytes = 1234;
    auto id = a->InsertPending(g, 10);
    ASSERT_TRUE(id.ok()) << id.error().message;
    EXPECT_TRUE(b->List()->empty()) << "not listed before its files are in place";
    EXPECT_EQ(b->Get(*id).error().code, ErrorCode::kNotFound);
    ASSERT_TRUE(a->Publish(*id, "image/png", "arcade/games/1/cover-1").ok());
    auto listed = b->List();
    ASSERT_TRUE(listed.ok());
    ASSERT_EQ(listed->size(), 1u);
    EXPECT_EQ((*listed)[0].title, "Storm Runner");
    EXPECT_TRUE((*listed)[0].threads);
    EXPECT_EQ((*listed)[0].version, 1);
    EXPECT_EQ((*listed)[0].cover_type, "image/png");
    EXPECT_EQ((*listed)[0].cover_key, "arcade/games/1/cover-1");
    // One version switch wins; the other handle, still at version 1, is told so.
    EXPECT_TRUE(*b->SwitchVersion(*id, 1, "game/index.html", 4, 2000, 20));
    EXPECT_FALSE(*a->SwitchVersion(*id, 1, "index.html", 1, 1, 21));
    auto now = a->Get(*id);
    EXPECT_EQ(now->version, 2);
    EXPECT_EQ(now->entry, "game/index.html");
    now->title = "Storm Runner 2";
    ASSERT_TRUE(a->Update(*now, 30).ok());
    EXPECT_EQ(b->Get(*id)->title, "Storm Runner 2");

    EXPECT_FALSE(b->LoadSave(*id, 5)->has_value());
    ASSERT_TRUE(a->StoreSave(*id, 5, R"({"level":3})", 40).ok());
    ASSERT_TRUE(b->StoreSave(*id, 5, R"({"level":4})", 41).ok());
    EXPECT_EQ(**a->LoadSave(*id, 5), R"({"level":4})");
    EXPECT_FALSE(a->LoadSave(*id, 6)->has_value());
    // A save is bytes: NULs (PostgreSQL's text refuses them), UTF-8, every byte value.
    std::string bytes("\0level\0=\x01\xc3\xa9\0", 10);
    for (int c = 0; c < 256; ++c) bytes += static_cast<char>(c);
    ASSERT_TRUE(a->StoreSave(*id, 7, bytes, 42).ok());
    EXPECT_EQ(**b->LoadSave(*id, 7), bytes);
    ASSERT_TRUE(b->StoreSave(*id, 7, std::string(3, '\0'), 43).ok());
    EXPECT_EQ(**a->LoadSave(*id, 7), std::string(3, '\0'));

    auto pending = b->InsertPending(g, 50);
    ASSERT_TRUE(pending.ok());
    ASSERT_TRUE(a->DropUnpublished().ok());
    ASSERT_TRUE(b->Publish(*pending, "", "").ok());
    EXPECT_EQ(a->List()->size(), 1u) << "the unpublished row was dropped";
    ASSERT_TRUE(b->Delete(*id).ok());
    EXPECT_TRUE(a->List()->empty());
    EXPECT_FALSE(a->LoadSave(*id, 5)->has_value()) << "saves go with the game";
}

// ---- moderation ---------------------------------------------------------------------------------

TEST_P(ModuleStores, ModerationFlagsAndAuditLogAreSharedBetweenHandles) {
    auto studio = StudioDb();
    ASSERT_NE(studio, nullptr);
    auto alice = studio->GetOrCreateUser("alice");
    ASSERT_TRUE(alice.ok());
    auto a = Must(ops::Moderation::Open(Where("beacon.db")));
    auto b = Must(ops::Moderation::Open(Where("beacon.db")));
    ASSERT_TRUE(a && b);
    EXPECT_EQ(b->Check(ops::GatedAction::kPublish, 42, false).error().code, ErrorCode::kConflict);
    EXPECT_TRUE(b->Check(ops::GatedAction::kPublish, 42, true).ok());
    auto flagged = a->Flag(42, alice->id, "spoilers");
    ASSERT_TRUE(flagged.ok()) << flagged.error().message;
    EXPECT_TRUE(a->IsFlagged(42));
    auto seen = b->Get(42);
    ASSERT_TRUE(seen.ok());
    EXPECT_EQ(seen->state, ops::ReviewState::kFlagged);
    EXPECT_EQ(seen->reason, "spoilers");
    EXPECT_EQ(b->Check(ops::GatedAction::kShare, 42, true).error().code, ErrorCode::kConflict);
    ASSERT_EQ(b->Flagged()->size(), 1u);
    // The other handle's in-memory set catches up within its refresh period.
    const auto deadline = std::chrono::steady_clock::now() +
                          std::chrono::milliseconds(ops::Moderation::kFlaggedRefreshMs * 3);
    while (!b->IsFlagged(42) && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    EXPECT_TRUE(b->IsFlagged(42)) << "a flag set by another process reaches LiveLoop's check";
    ASSERT_TRUE(b->Approve(42, alice->id).ok());
    EXPECT_TRUE(a->Check(ops::GatedAction::kPublish, 42, false).ok());
    EXPECT_TRUE(a->Flagged()->empty());
    ASSERT_TRUE(a->Audit(alice->id, "publish", 42, "to channel 1").ok());
    auto log = b->AuditLog(10, 0);
    ASSERT_TRUE(log.ok()) << log.error().message;
    ASSERT_EQ(log->size(), 3u);
    EXPECT_EQ((*log)[0].action, "publish");
    EXPECT_EQ((*log)[0].detail, "to channel 1");
    EXPECT_EQ((*log)[0].user, "alice");
    EXPECT_EQ((*log)[1].action, "approve");
    EXPECT_EQ((*log)[2].action, "flag");
    EXPECT_EQ((*log)[2].detail, "spoilers");
    auto older = a->AuditLog(10, (*log)[0].id);
    ASSERT_EQ(older->size(), 2u);
    EXPECT_EQ((*older)[0].action, "approve");
    ASSERT_TRUE(a->Forget(42).ok());
    EXPECT_EQ(b->Get(42)->state, ops::ReviewState::kNone);
}

// ---- remote workers -----------------------------------------------------------------------------

TEST_P(ModuleStores, RemoteWorkersRegistryIsSharedBetweenHandles) {
    auto a = Must(remote::Registry::Open(Where("remote.db")));
    auto b = Must(remote::Registry::Open(Where("remote.db")));
    ASSERT_TRUE(a && b);
    auto token = a->CreateRegistrationToken("gpu box", "reg-hash");
    ASSERT_TRUE(token.ok()) << token.error().message;
    auto found = b->FindRegistrationToken("reg-hash");
    ASSERT_TRUE(found.ok());
    EXPECT_EQ(found->id, token->id);
    EXPECT_EQ(found->name, "gpu box");
    EXPECT_EQ(b->CreateRegistrationToken("dup", "reg-hash").error().code, ErrorCode::kConflict);
    auto worker = b->AddWorker("render-1", "host-a", token->id, "worker-hash");
    ASSERT_TRUE(worker.ok()) << worker.error().message;
    EXPECT_EQ(a->FindWorker("worker-hash")->name, "render-1");
    EXPECT_EQ((*a->ListRegistrationTokens())[0].workers, 1);

    const core::UnixMillis t0 = worker->last_seen;
    ASSERT_TRUE(a->SetWorkerState(worker->id, "busy", 77, t0 + 50).ok());
    ASSERT_TRUE(a->SetWorkerState(worker->id, "busy", 77, t0 + 10).ok());
    auto listed = b->ListWorkers();
    ASSERT_EQ(listed->size(), 1u);
    EXPECT_EQ((*listed)[0].state, "busy");
    EXPECT_EQ((*listed)[0].current_job, 77);
    EXPECT_EQ((*listed)[0].last_seen, t0 + 50) << "last_seen never goes back";

    auto job = a->AddAssignment(worker->id, 77, "remote-1-abc", "job-hash", 1000);
    ASSERT_TRUE(job.ok()) << job.error().message;
    ASSERT_TRUE(b->TouchAssignment(job->id, 5000).ok());
    EXPECT_TRUE(a->SilentAssignments(5000)->empty());
    ASSERT_EQ(a->SilentAssignments(5001)->size(), 1u);
    ASSERT_TRUE(b->SetAssignmentState(job->id, "lost").ok());
    EXPECT_TRUE(a->SilentAssignments(9999)->empty());
    EXPECT_EQ(a->FindAssignment("job-hash")->state, "lost");
    ASSERT_TRUE(b->SetWorkerState(worker->id, "silent", std::nullopt, 6000).ok());
    ASSERT_TRUE(a->TouchWorker(worker->id, 7000).ok());
    ASSERT_TRUE(a->CountJobDone(worker->id).ok());
    auto back = b->FindWorker("worker-hash");
    EXPECT_EQ(back->state, "idle");
    EXPECT_EQ(back->jobs_done, 1);
    EXPECT_FALSE(back->current_job.has_value());

    ASSERT_TRUE(b->RevokeRegistrationToken(token->id).ok());
    EXPECT_EQ(a->RevokeRegistrationToken(token->id).error().code, ErrorCode::kNotFound);
    EXPECT_EQ(a->FindWorker("worker-hash").error().code, ErrorCode::kNotFound);
    EXPECT_EQ(a->FindRegistrationToken("reg-hash").error().code, ErrorCode::kNotFound);
    EXPECT_EQ((*a->ListWorkers())[0].state, "revoked");
}

INSTANTIATE_TEST_SUITE_P(Backends, ModuleStores, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace beacon
