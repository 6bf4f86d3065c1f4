#include "verse/http.hpp"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

#include <gtest/gtest.h>

namespace beacon::verse {
namespace {

/// "METHOD /path" for the spec's operations marked `x-module: verse` (the core contract test
/// leaves them to this one).
std::set<std::string> VerseSpecOperations() {
    std::ifstream in(std::string(BEACON_SOURCE_DIR) + "/api/openapi.yaml");
    EXPECT_TRUE(in.good());
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
        } else if (line == "    x-module: verse") {
            ours = true;
        } else if (ours && std::regex_match(line, m, kMethod)) {
            std::string method = m[1];
            std::transform(method.begin(), method.end(), method.begin(), ::toupper);
            ops.insert(method + " " + path);
        }
    }
    return ops;
}

TEST(VerseHttp, EveryRouteIsInTheSpecAndEverySpecOperationIsserved) {
    auto root = std::filesystem::temp_directory_path() / ("beacon-verse-http-" + std::to_string(::getpid()));
    auto store = WorldStore::Open(":memory:");
    ASSERT_TRUE(store.ok());
    auto objects = storage::OpenFilesystemStore(root);
    ASSERT_TRUE(objects.ok());
    VerseService svc(**store, **objects);
    std::set<std::string> served;
    for (const auto& r : HttpRoutes(svc, "")) {
        served.insert(r.method + " " + r.pattern);
        EXPECT_TRUE(r.handle) << r.pattern;
        bool shared = r.pattern.rfind("/api/v1/shared/", 0) == 0;
        EXPECT_EQ(r.access == server::RouteAccess::kPublic, shared) << r.pattern << ": only share links are public";
    }
    auto spec = VerseSpecOperations();
    EXPECT_GE(spec.size(), 17u);
    for (const auto& op : spec) EXPECT_TRUE(served.contains(op)) << "in spec, not served: " << op;
    for (const auto& op : served) EXPECT_TRUE(spec.contains(op)) << "served, not in spec: " << op;
    std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace beacon::verse
