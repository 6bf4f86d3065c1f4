#include "storage/database.hpp"
#include "storage/sqlite.hpp"

#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>
#include <unistd.h>

#include <gtest/gtest.h>

namespace beacon::storage {
namespace {

namespace fs = std::filesystem;
using core::JobState;

class SqliteDatabaseTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("beacon-db-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        auto db = OpenSqlite((dir_ / "beacon.db").string());
        ASSERT_TRUE(db.ok()) << db.error().message;
        db_ = std::move(db).value();
    }
    void TearDown() override {
        db_.reset();
        fs::remove_all(dir_);
    }
    core::Job NewJob(const std::string& prompt = "A lighthouse that controls storms") {
        core::GenerateRequest r;
        r.prompt = prompt;
        auto j = db_->CreateJob(1, r);
        EXPECT_TRUE(j.ok());
        return *j;
    }
    fs::path dir_;
    std::unique_ptr<Database> db_;
};

TEST_F(SqliteDatabaseTest, UsesWalAndMigratesIdempotently) {
    db_.reset();
    auto again = OpenSqlite((dir_ / "beacon.db").string());
    ASSERT_TRUE(again.ok()) << again.error().message;
    EXPECT_TRUE(fs::exists(dir_ / "beacon.db-wal"));
}

// Everything else the Database interface promises is checked on SQLite and PostgreSQL alike by
// database_contract_test.cpp.

}  // namespace
}  // namespace beacon::storage

namespace beacon::storage {
namespace {

// Several processes (a server and its workers) opening one new database file at the same
// moment: every connection starts. Switching the file to WAL answered SQLITE_BUSY at once,
// without the busy handler, to about one start in a hundred before the set-up was retried.
TEST(SqliteOpen, EightConnectionsOpeningOneNewFileTogetherAllStart) {
    const fs::path dir = fs::temp_directory_path() / ("beacon-open-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    std::vector<std::string> failures;
    std::mutex mu;
    for (int round = 0; round < 40; ++round) {
        const std::string file = (dir / ("r" + std::to_string(round) + ".db")).string();
        std::vector<std::thread> openers;
        for (int i = 0; i < 8; ++i) {
            openers.emplace_back([&] {
                sqlite3* db = nullptr;
                sqlite3_open_v2(file.c_str(), &db,
                                SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                nullptr);
                sqlite3_busy_timeout(db, 5000);
                auto st = sqlite::ExecSetUp(db,
                                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
                // A first write, as a migration does, from every connection.
                if (st.ok())
                    st = sqlite::Exec(db, "BEGIN IMMEDIATE; CREATE TABLE IF NOT EXISTS t (x); COMMIT;");
                sqlite3_close_v2(db);
                if (st.ok()) return;
                std::lock_guard lock(mu);
                failures.push_back(st.error().message);
            });
        }
        for (auto& t : openers) t.join();
    }
    EXPECT_TRUE(failures.empty()) << failures.size() << " of 320 failed, first: " << failures.front();
    fs::remove_all(dir);
}

}  // namespace
}  // namespace beacon::storage
