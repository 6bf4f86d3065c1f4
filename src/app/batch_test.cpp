// Batch bodies and files (shared by POST /api/v1/generate/batch and `beacon generate --batch`),
// and the batch routes against api/openapi.yaml's `x-module: batches` paths.
#include "app/batch.hpp"

#include <gtest/gtest.h>

#include "tests/support/spec_modules.hpp"
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

#include "jobs/event_bus.hpp"
#include "storage/database.hpp"

namespace beacon::app {
namespace {

using core::Json;

TEST(BatchBody, ItemsTakeTheDefaultsAndTheirOwnFields) {
    auto plan = ParseBatchBody(Json::parse(R"({"name":"n","max_parallel":2,
        "defaults":{"duration_target":20,"style":"noir"},
        "items":["A harbour",{"prompt":"A storm","style":"documentary","title":"Storm"}]})"));
    ASSERT_TRUE(plan.ok()) << plan.error().message;
    ASSERT_EQ(plan->items.size(), 2u);
    EXPECT_EQ(plan->name, "n");
    EXPECT_EQ(plan->max_parallel, 2);
    EXPECT_EQ(plan->items[0].prompt, "A harbour");
    EXPECT_EQ(plan->items[0].style, "noir");
    EXPECT_DOUBLE_EQ(plan->items[0].duration_target, 20);
    EXPECT_EQ(plan->items[1].style, "documentary");
    EXPECT_EQ(plan->items[1].title, "Storm");
}

TEST(BatchBody, ErrorsNameTheItemOrField) {
    auto msg = [](const char* body) {
        auto p = ParseBatchBody(Json::parse(body));
        return p.ok() ? std::string("ok") : p.error().message;
    };
    EXPECT_NE(msg(R"({"items":[]})").find("'items'"), std::string::npos);
    EXPECT_NE(msg(R"({"items":["a",{"prompt":"b","output_preset":"8k"}]})").find("items[1]"), std::string::npos);
    EXPECT_NE(msg(R"({"items":["a"],"max_parallel":-1})").find("max_parallel"), std::string::npos);
    EXPECT_NE(msg(R"({"items":["a"],"defaults":{"prompt":"x"}})").find("defaults"), std::string::npos);
    EXPECT_NE(msg(R"({"items":["a"],"extra":1})").find("'extra'"), std::string::npos);
    EXPECT_NE(msg(R"({"items":[null]})").find("items[0]"), std::string::npos);
    Json many = {{"items", Json::array()}};
    for (int i = 0; i < 501; ++i) many["items"].push_back("p");
    auto p = ParseBatchBody(many);
    ASSERT_FALSE(p.ok());
    EXPECT_NE(p.error().message.find("at most 500"), std::string::npos);
}

TEST(BatchFile, PromptsAndJsonLinesWithCommentsAndBlankLines) {
    auto plan = ParseBatchFile("# list\n\nA kite\r\n{\"prompt\":\"A lamp\",\"title\":\"Lamp\"}\n",
                               Json{{"duration_target", 5}});
    ASSERT_TRUE(plan.ok()) << plan.error().message;
    ASSERT_EQ(plan->items.size(), 2u);
    EXPECT_EQ(plan->items[0].prompt, "A kite");
    EXPECT_DOUBLE_EQ(plan->items[0].duration_target, 5);
    EXPECT_EQ(plan->items[1].title, "Lamp");
    auto bad = ParseBatchFile("fine\n{\"prompt\": 3}\n", Json::object());
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().message.rfind("line 2: ", 0), 0u) << bad.error().message;
    EXPECT_FALSE(ParseBatchFile("# only a comment\n\n", Json::object()).ok());
    EXPECT_FALSE(ParseBatchFile("{not json\n", Json::object()).ok());
}

TEST(BatchView, StateFollowsTheCounts) {
    storage::Batch b;
    b.id = 7;
    b.job_ids = {1, 2};
    b.counts = {{"completed", 1}, {"failed", 1}};
    EXPECT_EQ(BatchJson(b)["state"], "failed");
    b.counts = {{"completed", 2}};
    EXPECT_EQ(BatchJson(b)["state"], "completed");
    b.counts = {{"queued", 2}};
    EXPECT_EQ(BatchJson(b)["state"], "queued");
    b.counts = {{"queued", 1}, {"rendering_final", 1}};
    EXPECT_EQ(BatchJson(b)["state"], "running");
    EXPECT_EQ(BatchJson(b)["finished"], 0);
}


TEST(BatchRoutes, EveryRouteIsInTheSpecAndNoMore) {
    const auto dir = std::filesystem::temp_directory_path() /
                     ("beacon-batch-routes-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    auto db = storage::OpenSqlite((dir / "beacon.db").string());
    ASSERT_TRUE(db.ok()) << db.error().message;
    jobs::EventBus events;
    std::set<std::string> served;
    for (const auto& r : BatchRoutes({**db, events, nullptr, nullptr, nullptr})) {
        served.insert(r.method + " " + r.pattern);
    }
    EXPECT_EQ(served, beacon::testing::ModuleSpecOperations("batches"));
    EXPECT_EQ(served.size(), 5u);
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace beacon::app
