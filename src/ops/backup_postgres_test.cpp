// Backup and restore of a studio on PostgreSQL (issue 18): pg_dump (custom format) goes into the
// backup folder beside the media, and a restore runs pg_restore into an empty database. Against
// a real PostgreSQL cluster started by this binary (Debian's postgresql, tests/support).
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <sstream>

#include "core/model.hpp"
#include "ops/backup.hpp"
#include "storage/database.hpp"
#include "storage/module_db.hpp"
#include "storage/postgres_database.hpp"
#include "storage/s3_store.hpp"
#include "support/postgres_cluster.hpp"
#include "support/s3_server.hpp"

namespace beacon::ops {
namespace {

namespace fs = std::filesystem;

std::string ReadFile(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

void WriteFile(const fs::path& p, const std::string& bytes) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << bytes;
}

std::string Random(std::size_t n) {
    std::mt19937 gen(7);
    std::string s(n, '\0');
    for (auto& c : s) c = static_cast<char>(gen() & 0xff);
    return s;
}

class BackupPostgres : public ::testing::Test {
protected:
    void SetUp() override {
        auto cluster = beacon::testing::PostgresCluster::Shared();
        ASSERT_TRUE(cluster.ok()) << cluster.error().message;
        pg_ = *cluster;
        static int counter = 0;
        const std::string n = std::to_string(::getpid()) + "_" + std::to_string(++counter);
        src_ = "bk_src_" + n;
        dst_ = "bk_dst_" + n;
        ASSERT_TRUE(pg_->CreateDatabase(src_).ok());
        ASSERT_TRUE(pg_->CreateDatabase(dst_).ok());
        root_ = fs::temp_directory_path() / ("beacon-backup-pg-" + n);
        fs::remove_all(root_);
        fs::create_directories(root_);
    }
    void TearDown() override { fs::remove_all(root_); }

    /// The URL with a password in it (the test cluster trusts every login: this checks that
    /// the password travels through a passfile, never breaking the command line).
    std::string Url(const std::string& db) const {
        std::string url = pg_->Url(db);
        return url.replace(url.find("beacon@"), 7, "beacon:s3cr%3At@");
    }

    beacon::testing::PostgresCluster* pg_ = nullptr;
    std::string src_, dst_;
    fs::path root_;
};

TEST_F(BackupPostgres, RowsAndMediaSurviveARestoreIntoAnEmptyDatabase) {
    const std::string video = Random(300 * 1024);
    std::int64_t content_id = 0;
    {
        auto db = storage::OpenPostgres(Url(src_), 1);
        ASSERT_TRUE(db.ok()) << db.error().message;
        auto user = (*db)->GetOrCreateUser("ada");
        ASSERT_TRUE(user.ok());
        core::Content c;
        c.owner_id = user->id;
        c.title = "Harbour at dawn";
        auto made = (*db)->CreateContent(c);
        ASSERT_TRUE(made.ok()) << made.error().message;
        content_id = made->id;
        // A module's table with bytes that are not text.
        auto mod = storage::ModuleDb::Open(Url(src_));
        ASSERT_TRUE(mod.ok());
        ASSERT_TRUE((*mod)
                        ->Exec("CREATE TABLE probe (id BIGINT PRIMARY KEY, data BYTEA NOT NULL);"
                               "INSERT INTO probe VALUES (1, '\\x00ff00'::bytea)")
                        .ok());
    }
    const fs::path data = root_ / "data";
    WriteFile(data / "media" / "library" / std::to_string(content_id) / "video.mp4", video);
    WriteFile(data / "secrets.json", "{\"sealed\": true}");

    BackupOptions options{.database_url = Url(src_)};
    auto made = CreateBackup(data, root_ / "backups", options);
    ASSERT_TRUE(made.ok()) << made.error().message;
    EXPECT_TRUE(fs::is_regular_file(made->dir / "database.pgdump"));
    EXPECT_EQ(ReadFile(made->dir / "database.pgdump").substr(0, 5), "PGDMP");  // custom format
    EXPECT_FALSE(fs::exists(made->dir / "beacon.db"));
    for (const auto& e : fs::directory_iterator(root_ / "backups")) {  // no passfile left behind
        EXPECT_TRUE(e.path().filename().string().starts_with("beacon-backup-")) << e.path();
    }
    auto verified = VerifyBackup(made->dir);
    ASSERT_TRUE(verified.ok()) << verified.error().message;
    EXPECT_EQ(verified->files, 3);

    // Refused before anything moves: no database given, a database that has tables.
    const fs::path target = root_ / "restored";
    auto no_db = RestoreBackup(made->dir, target, false);
    ASSERT_FALSE(no_db.ok());
    EXPECT_NE(no_db.error().message.find("[database] url"), std::string::npos);
    auto busy = RestoreBackup(made->dir, target, false, {.database_url = Url(src_)});
    ASSERT_FALSE(busy.ok());
    EXPECT_EQ(busy.error().code, core::ErrorCode::kConflict);
    EXPECT_FALSE(fs::exists(target));

    auto restored = RestoreBackup(made->dir, target, false, {.database_url = Url(dst_)});
    ASSERT_TRUE(restored.ok()) << restored.error().message;
    EXPECT_EQ(ReadFile(target / "media" / "library" / std::to_string(content_id) / "video.mp4"),
              video);
    EXPECT_EQ(ReadFile(target / "secrets.json"), "{\"sealed\": true}");
    EXPECT_FALSE(fs::exists(target / "database.pgdump"));  // the database is PostgreSQL's

    // The restored database opens as a studio's (schema current) with the rows, and new ids
    // continue after the restored ones.
    auto db = storage::OpenPostgres(pg_->Url(dst_), 1);
    ASSERT_TRUE(db.ok()) << db.error().message;
    auto got = (*db)->GetContent(content_id);
    ASSERT_TRUE(got.ok()) << got.error().message;
    EXPECT_EQ(got->title, "Harbour at dawn");
    auto ada = (*db)->GetUserByName("ada");
    ASSERT_TRUE(ada.ok());
    core::Content next;
    next.owner_id = ada->id;
    next.title = "After the restore";
    auto added = (*db)->CreateContent(next);
    ASSERT_TRUE(added.ok()) << added.error().message;
    EXPECT_GT(added->id, content_id);
    auto mod = storage::ModuleDb::Open(pg_->Url(dst_));
    ASSERT_TRUE(mod.ok());
    auto probe = (*mod)->Query("SELECT encode(data, 'hex') FROM probe WHERE id = 1");
    ASSERT_TRUE(probe.ok() && probe->size() == 1);
    EXPECT_EQ(probe->Text(0, 0), "00ff00");
}

TEST_F(BackupPostgres, AScaleOutStudioBacksUpToS3AndRestoresIntoANewDatabaseAndBucket) {
    // PostgreSQL for the rows, S3 for the media and for the backups (issue 18's setup).
    auto s3 = beacon::testing::S3Server::Start(BEACON_SOURCE_DIR);
    ASSERT_TRUE(s3.ok()) << s3.error().message;
    storage::S3Options service;
    service.endpoint = (*s3)->Endpoint();
    service.access_key = beacon::testing::S3Server::kAccessKey;
    service.secret_key = beacon::testing::S3Server::kSecretKey;
    service.retries = 1;
    auto media_opts = service;
    media_opts.bucket = "studio-media";
    auto media = storage::OpenS3Store(media_opts);
    ASSERT_TRUE(media.ok()) << media.error().message;
    const std::string video = Random(200 * 1024);
    ASSERT_TRUE((*media)->Put("library/1/video.mp4", video).ok());
    {
        auto db = storage::OpenPostgres(Url(src_), 1);
        ASSERT_TRUE(db.ok()) << db.error().message;
        auto user = (*db)->GetOrCreateUser("ada");
        ASSERT_TRUE(user.ok());
        core::Content c;
        c.owner_id = user->id;
        c.title = "Harbour at dawn";
        ASSERT_TRUE((*db)->CreateContent(c).ok());
    }
    const fs::path data = root_ / "data";
    fs::create_directories(data);
    BackupOptions options{.database_url = Url(src_), .s3 = service, .media_s3 = media_opts};
    auto made = CreateBackup(data, "s3://backups/pg", options);
    ASSERT_TRUE(made.ok()) << made.error().message;
    EXPECT_EQ(made->files, 2);                            // database.pgdump and the video
    for (const auto& e : fs::directory_iterator(data)) {  // no staging folder, no passfile
        ADD_FAILURE() << "left in the data folder: " << e.path();
    }

    auto target_opts = service;
    target_opts.bucket = "restored-media";
    auto restored = RestoreBackup(
        "s3://backups/pg", root_ / "restored", false,
        BackupOptions{.database_url = Url(dst_), .s3 = service, .media_s3 = target_opts});
    ASSERT_TRUE(restored.ok()) << restored.error().message;
    EXPECT_FALSE(fs::exists(root_ / "restored" / "database.pgdump"));
    auto db = storage::OpenPostgres(pg_->Url(dst_), 1);
    ASSERT_TRUE(db.ok()) << db.error().message;
    auto items = (*db)->ListContent({});
    ASSERT_TRUE(items.ok() && items->total == 1);
    EXPECT_EQ(items->items[0].title, "Harbour at dawn");
    auto target = storage::OpenS3Store(target_opts);
    ASSERT_TRUE(target.ok());
    auto got = (*target)->Get("library/1/video.mp4");
    ASSERT_TRUE(got.ok()) << got.error().message;
    EXPECT_TRUE(*got == video);
}

TEST_F(BackupPostgres, ASQLiteBackupIsNotRestoredIntoPostgres) {
    const fs::path data = root_ / "lite";
    fs::create_directories(data);
    {
        auto db = storage::OpenSqlite((data / "beacon.db").string());
        ASSERT_TRUE(db.ok());
    }
    auto made = CreateBackup(data, root_ / "backups");
    ASSERT_TRUE(made.ok()) << made.error().message;
    auto refused =
        RestoreBackup(made->dir, root_ / "restored", false, {.database_url = pg_->Url(dst_)});
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.error().message.find("beacon migrate"), std::string::npos);
    EXPECT_FALSE(fs::exists(root_ / "restored"));
}

}  // namespace
}  // namespace beacon::ops
