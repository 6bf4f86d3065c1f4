#include "verse/http.hpp"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

#include <gtest/gtest.h>

#include "tests/support/spec_modules.hpp"

namespace beacon::verse {
namespace {

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
    auto spec = beacon::testing::ModuleSpecOperations("verse");
    EXPECT_GE(spec.size(), 17u);
    for (const auto& op : spec) EXPECT_TRUE(served.contains(op)) << "in spec, not served: " << op;
    for (const auto& op : served) EXPECT_TRUE(spec.contains(op)) << "served, not in spec: " << op;
    std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace beacon::verse
