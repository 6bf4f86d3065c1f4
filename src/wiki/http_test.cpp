#include "wiki/http.hpp"

#include <gtest/gtest.h>

#include "storage/database.hpp"
#include "tests/support/spec_modules.hpp"
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

namespace beacon::wiki {
namespace {

namespace fs = std::filesystem;


TEST(WikiRoutes, EveryRouteIsInTheSpecAndNoMore) {
    const fs::path dir = fs::temp_directory_path() / ("beacon-wiki-http-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    auto db = storage::OpenSqlite((dir / "beacon.db").string());
    ASSERT_TRUE(db.ok()) << db.error().message;
    auto store = storage::OpenFilesystemStore(dir / "media");
    ASSERT_TRUE(store.ok());
    auto wiki_store = WikiStore::Open((dir / "wiki.db").string());
    ASSERT_TRUE(wiki_store.ok());
    WikiService svc({}, **db, **store, **wiki_store, nullptr, nullptr);
    std::set<std::string> served;
    for (const auto& r : HttpRoutes(svc)) {
        served.insert(r.method + " " +
                      std::regex_replace(r.pattern, std::regex(R"(\{(\w+)\+\})"), "{$1}"));
    }
    EXPECT_EQ(served, beacon::testing::ModuleSpecOperations("wiki"));
    EXPECT_EQ(served.size(), 6u);
    fs::remove_all(dir);
}

}  // namespace
}  // namespace beacon::wiki
