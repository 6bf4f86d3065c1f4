#include "ops/backup.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include "core/model.hpp"
#include "ops/cleanup.hpp"
#include "ops/test_support.hpp"
#include "storage/database.hpp"

namespace beacon::ops {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

void Write(const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
}

std::string Read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

/// A module's own SQLite file held open in WAL mode with one row that sits only in the WAL (as
/// under a running server): a plain file copy would lose it, the online backup API keeps it.
class ModuleDb {
public:
    ModuleDb(const fs::path& file, const std::string& row) {
        fs::create_directories(file.parent_path());
        sqlite3_open(file.c_str(), &db_);
        sqlite3_exec(db_, "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0;"
                     "CREATE TABLE things (name TEXT);", nullptr, nullptr, nullptr);
        sqlite3_exec(db_, ("INSERT INTO things VALUES ('" + row + "')").c_str(), nullptr, nullptr,
                     nullptr);
    }
    ~ModuleDb() { sqlite3_close(db_); }
    ModuleDb(const ModuleDb&) = delete;
    ModuleDb& operator=(const ModuleDb&) = delete;

private:
    sqlite3* db_ = nullptr;
};

/// The one row of a module database, or "" when the file or the row is missing.
std::string ModuleRow(const fs::path& file) {
    if (!fs::exists(file)) return "";
    sqlite3* db = nullptr;
    std::string out;
    if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
        sqlite3_stmt* st = nullptr;
        if (sqlite3_prepare_v2(db, "SELECT name FROM things", -1, &st, nullptr) == SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW) {
            out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
        }
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return out;
}

/// A data folder with one user, one job and two media objects, and every module's data where
/// the module keeps it (wiki.db, verse.db and a Verse asset, the Arcade's catalogue and one
/// extracted game, the remote workers' registry, the dashboard's history); the databases stay
/// open (as under a running server) while the backup is made.
struct DataFolder {
    fs::path dir;
    std::unique_ptr<storage::Database> db;
    std::int64_t job_id = 0;
    ModuleDb wiki, verse, arcade, remote, history;
    explicit DataFolder(const fs::path& d)
        : dir(d),
          wiki(d / "wiki.db", "fact: kites fly"),
          verse(d / "verse.db", "world: meadow"),
          arcade(d / "arcade/arcade.db", "game: snake"),
          remote(d / "remote.db", "worker: gpu box"),
          history(d / "ops_history.db", "queue depth: 3") {
        fs::create_directories(dir);
        db = std::move(storage::OpenSqlite((dir / "beacon.db").string()).value());
        auto user = db->GetOrCreateUser("admin");
        job_id = db->CreateJob(user->id, *core::ParseGenerateRequest({{"prompt", "a kite"}}))->id;
        Write(dir / "media/library/1/video.mp4", std::string(100000, 'v'));
        Write(dir / "media/library/1/hls/index.m3u8", "#EXTM3U\n");
        Write(dir / "secrets.json", "{}\n");
        Write(dir / "secret.key", "k");
        Write(dir / "media/verse/assets/ab12.glb", "glTF model");
        Write(dir / "arcade/games/1/v1/index.html", "<canvas></canvas>");
        Write(dir / "arcade/staging/upload-x", "half an upload");
    }
};

TEST(Backup, RoundTripWhileTheDatabaseIsOpen) {
    fs::path root = TempDir("backup-rt");
    DataFolder data(root / "data");
    // The modules' rows sit in their WAL files: a plain copy of a .db file would lose them.
    fs::copy_file(data.dir / "wiki.db", root / "plain-copy.db");
    ASSERT_EQ(ModuleRow(root / "plain-copy.db"), "");
    auto made = CreateBackup(data.dir, root / "backups");
    ASSERT_TRUE(made.ok()) << made.error().message;
    // beacon.db, wiki.db, verse.db, arcade.db, remote.db, ops_history.db, secrets.json, three
    // media files, one game file
    EXPECT_EQ(made->files, 11);
    EXPECT_TRUE(fs::exists(made->dir / "manifest.json"));
    EXPECT_FALSE(fs::exists(made->dir / "secret.key"));  // the key never travels with backups
    // A write after the backup is not in it.
    ASSERT_TRUE(data.db->CreateJob(1, *core::ParseGenerateRequest({{"prompt", "later"}})).ok());

    auto restored = RestoreBackup(made->dir, root / "restored", false);
    ASSERT_TRUE(restored.ok()) << restored.error().message;
    EXPECT_EQ(Read(root / "restored/media/library/1/video.mp4"), std::string(100000, 'v'));
    auto db = storage::OpenSqlite((root / "restored/beacon.db").string());
    ASSERT_TRUE(db.ok());
    auto jobs = (*db)->ListJobs({});
    ASSERT_TRUE(jobs.ok());
    ASSERT_EQ(jobs->total, 1);
    EXPECT_EQ(jobs->items[0].request.prompt, "a kite");
    // Every module's data came back, the rows in the WAL included.
    EXPECT_EQ(ModuleRow(root / "restored/wiki.db"), "fact: kites fly");
    EXPECT_EQ(ModuleRow(root / "restored/verse.db"), "world: meadow");
    EXPECT_EQ(ModuleRow(root / "restored/arcade/arcade.db"), "game: snake");
    EXPECT_EQ(ModuleRow(root / "restored/remote.db"), "worker: gpu box");
    EXPECT_EQ(ModuleRow(root / "restored/ops_history.db"), "queue depth: 3");
    EXPECT_EQ(Read(root / "restored/media/verse/assets/ab12.glb"), "glTF model");
    EXPECT_EQ(Read(root / "restored/arcade/games/1/v1/index.html"), "<canvas></canvas>");
    EXPECT_FALSE(fs::exists(root / "restored/arcade/staging"));  // scratch stays behind
}

TEST(Backup, ASecondBackupLinksUnchangedMediaAndEachStaysWhole) {
    fs::path root = TempDir("backup-incremental");
    DataFolder data(root / "data");
    auto first = CreateBackup(data.dir, root / "backups");
    ASSERT_TRUE(first.ok()) << first.error().message;
    EXPECT_EQ(first->linked_files, 0);

    // Same size, new bytes and a later time (a rewritten object); one new object.
    const fs::path video = data.dir / "media/library/1/video.mp4";
    const auto before = fs::last_write_time(video);
    Write(video, std::string(100000, 'w'));
    fs::last_write_time(video, before + std::chrono::seconds(2));
    Write(data.dir / "media/library/2/video.mp4", "a new item");

    auto second = CreateBackup(data.dir, root / "backups");
    ASSERT_TRUE(second.ok()) << second.error().message;
    ASSERT_NE(second->dir, first->dir);
    // The m3u8, the Verse asset and the game file are unchanged: linked, not copied.
    EXPECT_EQ(second->linked_files, 3);
    EXPECT_EQ(second->base, first->dir);
    EXPECT_EQ(fs::hard_link_count(second->dir / "media/library/1/hls/index.m3u8"), 2u);
    EXPECT_EQ(fs::hard_link_count(second->dir / "media/library/1/video.mp4"), 1u);
    EXPECT_EQ(Read(second->dir / "media/library/1/video.mp4"), std::string(100000, 'w'));
    EXPECT_EQ(Read(first->dir / "media/library/1/video.mp4"), std::string(100000, 'v'));
    ASSERT_TRUE(VerifyBackup(second->dir).ok());

    // The first backup pruned: the second is still whole and restores.
    fs::remove_all(first->dir);
    auto checked = VerifyBackup(second->dir);
    ASSERT_TRUE(checked.ok()) << checked.error().message;
    auto restored = RestoreBackup(second->dir, root / "restored", false);
    ASSERT_TRUE(restored.ok()) << restored.error().message;
    EXPECT_EQ(Read(root / "restored/media/library/1/video.mp4"), std::string(100000, 'w'));
    EXPECT_EQ(Read(root / "restored/media/library/2/video.mp4"), "a new item");
    EXPECT_EQ(Read(root / "restored/arcade/games/1/v1/index.html"), "<canvas></canvas>");
    EXPECT_EQ(Read(root / "restored/media/library/1/hls/index.m3u8"), "#EXTM3U\n");

    // --full copies everything again.
    auto full = CreateBackup(data.dir, root / "backups", {.full = true});
    ASSERT_TRUE(full.ok()) << full.error().message;
    EXPECT_EQ(full->linked_files, 0);
    EXPECT_EQ(fs::hard_link_count(full->dir / "media/library/1/hls/index.m3u8"), 1u);
}

TEST(Backup, TamperedFilesAndManifestsAreRefused) {
    fs::path root = TempDir("backup-tamper");
    DataFolder data(root / "data");
    auto made = CreateBackup(data.dir, root / "backups");
    ASSERT_TRUE(made.ok());
    ASSERT_TRUE(VerifyBackup(made->dir).ok());

    // One byte of a media file changed (same size).
    fs::path video = made->dir / "media/library/1/video.mp4";
    std::string original = Read(video);
    Write(video, "x" + original.substr(1));
    auto bad = RestoreBackup(made->dir, root / "r1", false);
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.error().message.find("SHA-256"), std::string::npos) << bad.error().message;
    EXPECT_FALSE(fs::exists(root / "r1"));
    Write(video, original);
    ASSERT_TRUE(VerifyBackup(made->dir).ok());

    // A manifest pointing outside the folder.
    std::string manifest = Read(made->dir / "manifest.json");
    std::string escaped = manifest;
    escaped.replace(escaped.find("\"media/library/1/video.mp4\""), 27, "\"../../data/beacon.db\"");
    Write(made->dir / "manifest.json", escaped);
    EXPECT_FALSE(VerifyBackup(made->dir).ok());
    // A manifest with a changed hash.
    std::string rehashed = manifest;
    auto at = rehashed.find("\"sha256\": \"") + 11;
    rehashed[at] = rehashed[at] == 'a' ? 'b' : 'a';
    Write(made->dir / "manifest.json", rehashed);
    EXPECT_FALSE(VerifyBackup(made->dir).ok());
    // No manifest at all: an unfinished backup.
    fs::remove(made->dir / "manifest.json");
    EXPECT_FALSE(VerifyBackup(made->dir).ok());
}

TEST(Backup, RestoreRefusesANonEmptyFolderUnlessForcedAndKeepsTheOldOne) {
    fs::path root = TempDir("backup-force");
    DataFolder data(root / "data");
    auto made = CreateBackup(data.dir, root / "backups");
    ASSERT_TRUE(made.ok());
    Write(root / "busy/beacon.db", "something else");
    auto refused = RestoreBackup(made->dir, root / "busy", false);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, core::ErrorCode::kConflict);
    EXPECT_EQ(Read(root / "busy/beacon.db"), "something else");

    auto forced = RestoreBackup(made->dir, root / "busy", true);
    ASSERT_TRUE(forced.ok()) << forced.error().message;
    EXPECT_NE(Read(root / "busy/beacon.db"), "something else");
    bool kept = false;
    for (const auto& e : fs::directory_iterator(root)) {
        if (e.path().filename().string().starts_with("busy.before-restore-")) {
            kept = Read(e.path() / "beacon.db") == "something else";
        }
    }
    EXPECT_TRUE(kept);
}

TEST(Backup, PruneKeepsRecentOnesAndAlwaysTheNewest) {
    fs::path root = TempDir("backup-prune");
    for (const char* n : {"beacon-backup-20260101T020000Z", "beacon-backup-20260110T020000Z",
                          "beacon-backup-20260114T020000Z", "not-a-backup"}) {
        fs::create_directories(root / n);
    }
    using namespace std::chrono;
    auto now = sys_days{2026y / 1 / 15} + hours(3);
    auto removed = PruneBackups(root, 7, now);
    ASSERT_EQ(removed.size(), 1u);
    EXPECT_EQ(removed[0].filename(), "beacon-backup-20260101T020000Z");
    EXPECT_TRUE(fs::exists(root / "beacon-backup-20260110T020000Z"));
    EXPECT_TRUE(fs::exists(root / "not-a-backup"));
    // Even with everything old, the newest stays.
    removed = PruneBackups(root, 1, now + days(100));
    EXPECT_EQ(removed.size(), 1u);
    EXPECT_TRUE(fs::exists(root / "beacon-backup-20260114T020000Z"));
}

TEST(Cleanup, FindsOrphansAndOldScratchButKeepsLiveFiles) {
    fs::path root = TempDir("cleanup");
    DataFolder data(root / "data");
    auto user = data.db->GetOrCreateUser("admin");
    core::Content c;
    c.owner_id = user->id;
    c.title = "kept";
    c.mp4_key = "library/1/video.mp4";
    auto row = data.db->CreateContent(c);
    ASSERT_TRUE(row.ok());
    Write(data.dir / ("media/library/" + std::to_string(row->id) + "/video.mp4"), "live");
    Write(data.dir / "media/library/99/video.mp4", "orphan item");
    Write(data.dir / ("media/jobs/" + std::to_string(data.job_id) + "/final.mp4"), "queued job");
    Write(data.dir / "media/jobs/77/final.mp4", "orphan job");
    // Scratch of the queued (live) job, and of a job that no longer exists; both made old.
    Write(data.dir / ("tmp/job-" + std::to_string(data.job_id) + "/a.wav"), "live scratch");
    Write(data.dir / "tmp/job-555/a.wav", "old scratch");
    Write(data.dir / "tmp/job-556/a.wav", "young scratch");
    auto old = fs::file_time_type::clock::now() - std::chrono::hours(24 * 10);
    for (const char* p : {"tmp/job-555", "tmp/job-555/a.wav"}) fs::last_write_time(data.dir / p, old);
    fs::last_write_time(data.dir / ("tmp/job-" + std::to_string(data.job_id) + "/a.wav"), old);

    auto dry = Cleanup(data.dir, 7, true);
    ASSERT_TRUE(dry.ok()) << dry.error().message;
    std::vector<std::string> found;
    for (const auto& i : dry->items) found.push_back(fs::relative(i.path, data.dir).string());
    std::sort(found.begin(), found.end());
    std::vector<std::string> want = {"media/jobs/77", "media/library/99", "tmp/job-555"};
    if (row->id == 99) want.erase(want.begin() + 1);
    EXPECT_EQ(found, want);
    EXPECT_FALSE(dry->removed);
    EXPECT_TRUE(fs::exists(data.dir / "media/library/99"));  // a dry run removes nothing

    auto real = Cleanup(data.dir, 7, false);
    ASSERT_TRUE(real.ok());
    EXPECT_FALSE(fs::exists(data.dir / "media/jobs/77"));
    EXPECT_FALSE(fs::exists(data.dir / "tmp/job-555"));
    EXPECT_TRUE(fs::exists(data.dir / "tmp/job-556"));
    EXPECT_TRUE(fs::exists(data.dir / ("tmp/job-" + std::to_string(data.job_id))));
    EXPECT_TRUE(fs::exists(data.dir / ("media/library/" + std::to_string(row->id) + "/video.mp4")));
    EXPECT_TRUE(fs::exists(data.dir / ("media/jobs/" + std::to_string(data.job_id))));
    EXPECT_TRUE(Cleanup(data.dir, 7, true)->items.empty());
}

}  // namespace
}  // namespace beacon::ops
