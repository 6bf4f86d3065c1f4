#include "storage/object_store.hpp"

#include <fstream>
#include <unistd.h>

#include <gtest/gtest.h>

namespace beacon::storage {
namespace {

namespace fs = std::filesystem;

TEST(ObjectKeys, RejectTraversalAndUserShapedNames) {
    EXPECT_TRUE(IsValidKey("library/12/hls/video/seg_00000.ts"));
    EXPECT_FALSE(IsValidKey("../etc/passwd"));
    EXPECT_FALSE(IsValidKey("library/../../x"));
    EXPECT_FALSE(IsValidKey("/abs"));
    EXPECT_FALSE(IsValidKey("library//x"));
    EXPECT_FALSE(IsValidKey("library/./x"));
    EXPECT_FALSE(IsValidKey("Library/X"));
    EXPECT_FALSE(IsValidKey("a b"));
    EXPECT_FALSE(IsValidKey(""));
}

TEST(FilesystemStore, WritesAtomicallyAndDeletesPrefixes) {
    fs::path root = fs::temp_directory_path() / ("beacon-store-" + std::to_string(::getpid()));
    fs::remove_all(root);
    auto store = OpenFilesystemStore(root);
    ASSERT_TRUE(store.ok());
    auto& s = **store;
    ASSERT_TRUE(s.Put("library/1/a.txt", "hello").ok());
    EXPECT_EQ(*s.Get("library/1/a.txt"), "hello");
    EXPECT_EQ(*s.Size("library/1/a.txt"), 5);
    // No temp files are left beside the object.
    int files = 0;
    for (auto& e : fs::recursive_directory_iterator(root)) files += e.is_regular_file();
    EXPECT_EQ(files, 1);
    EXPECT_FALSE(s.Put("../escape", "x").ok());
    EXPECT_FALSE(fs::exists(root.parent_path() / "escape"));
    fs::path src = root / "src.bin";
    { std::ofstream(src) << "data"; }
    ASSERT_TRUE(s.PutFile("library/1/b.bin", src).ok());
    EXPECT_TRUE(s.Exists("library/1/b.bin"));
    ASSERT_TRUE(s.Delete("library/1/").ok());
    EXPECT_FALSE(s.Exists("library/1/a.txt"));
    EXPECT_EQ(s.Get("library/1/a.txt").error().code, core::ErrorCode::kNotFound);
    fs::remove_all(root);
}

}  // namespace
}  // namespace beacon::storage
