#include "wiki/http.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

namespace beacon::wiki {
namespace {

namespace fs = std::filesystem;

/// "METHOD /path" of the spec's paths marked `x-module: wiki`.
std::set<std::string> WikiSpecOperations() {
    std::ifstream in(std::string(BEACON_SOURCE_DIR) + "/api/openapi.yaml");
    std::set<std::string> ops;
    std::string line, path;
    bool ours = false;
    static const std::regex kPath(R"(^  (/\S*):\s*$)");
    static const std::regex kMethod(R"(^    (get|post|patch|put|delete):\s*$)");
    while (std::getline(in, line)) {
        std::smatch m;
        if (std::regex_match(line, m, kPath)) {
            path = m[1];
            ours = false;
        } else if (line == "    x-module: wiki") {
            ours = true;
        } else if (ours && std::regex_match(line, m, kMethod)) {
            std::string method = m[1];
            std::transform(method.begin(), method.end(), method.begin(), ::toupper);
            ops.insert(method + " " + path);
        }
    }
    return ops;
}

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
    EXPECT_EQ(served, WikiSpecOperations());
    EXPECT_EQ(served.size(), 6u);
    fs::remove_all(dir);
}

}  // namespace
}  // namespace beacon::wiki
