#include "storage/database.hpp"

#include <filesystem>
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
