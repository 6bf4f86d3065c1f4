// core::MemFile: the bytes come back whole from either kind of file, and nobody can change them.
#include "core/mem_file.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

namespace beacon::core {
namespace {

namespace fs = std::filesystem;

std::string Bytes(std::size_t n) {
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + 7) & 0xFF);
    return s;
}

/// The file's bytes read back through a descriptor of its own, as a reply's sendfile reads them.
std::string ReadFd(int fd, std::size_t size) {
    std::string got(size, '\0');
    EXPECT_EQ(::pread(fd, got.data(), got.size(), 0), static_cast<ssize_t>(got.size()));
    return got;
}

class MemFileTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::string tmpl = (fs::temp_directory_path() / "beacon-memfile-XXXXXX").string();
        ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
        dir_ = tmpl;
    }
    void TearDown() override { fs::remove_all(dir_); }
    fs::path dir_;
};

TEST_F(MemFileTest, AnInMemoryFileHoldsTheBytesSealed) {
    const std::string bytes = Bytes(172396);
    auto file = MemFile::Create(bytes, "test");
    ASSERT_TRUE(file.ok()) << file.error().message;
    const auto& f = *file;
    EXPECT_FALSE(f->on_disk());
    EXPECT_EQ(f->size(), bytes.size());
    EXPECT_EQ(f->Read().value(), bytes);
    EXPECT_EQ(ReadFd(f->fd(), f->size()), bytes);
    EXPECT_LT(::pwrite(f->fd(), "x", 1, 0), 0);
    EXPECT_NE(::ftruncate(f->fd(), 0), 0);
    EXPECT_EQ(f->Read().value(), bytes);
}

TEST_F(MemFileTest, AFolderGivesAnUnnamedReadOnlyFileInThePageCache) {
    const std::string bytes = Bytes(172396);
    auto file = MemFile::Create(bytes, "test", dir_.string());
    ASSERT_TRUE(file.ok()) << file.error().message;
    const auto& f = *file;
    EXPECT_TRUE(f->on_disk());
    struct stat st {};
    ASSERT_EQ(::fstat(f->fd(), &st), 0);
    EXPECT_TRUE(S_ISREG(st.st_mode));  // a regular file, not a memfd
    EXPECT_EQ(st.st_nlink, 0u);        // with no name: gone with its last descriptor
    EXPECT_EQ(static_cast<std::size_t>(st.st_size), bytes.size());
    EXPECT_TRUE(fs::is_empty(dir_));  // nothing left in the folder
    EXPECT_EQ(f->Read().value(), bytes);
    const int dup = f->Dup();
    ASSERT_GE(dup, 0);
    EXPECT_EQ(ReadFd(dup, f->size()), bytes);
    // Its descriptors are read-only: neither a write nor a truncation reaches the bytes.
    EXPECT_LT(::pwrite(dup, "x", 1, 0), 0);
    EXPECT_NE(::ftruncate(dup, 0), 0);
    ::close(dup);
    EXPECT_EQ(f->Read().value(), bytes);
}

TEST_F(MemFileTest, AFolderThatCannotHoldOneFallsBackToMemory) {
    const std::string bytes = Bytes(4096);
    auto file = MemFile::Create(bytes, "test", (dir_ / "missing").string());
    ASSERT_TRUE(file.ok()) << file.error().message;
    EXPECT_FALSE((*file)->on_disk());
    EXPECT_EQ((*file)->Read().value(), bytes);
}

TEST_F(MemFileTest, EmptyBytesMakeAnEmptyFile) {
    for (const std::string& dir : {std::string(), dir_.string()}) {
        auto file = MemFile::Create("", "test", dir);
        ASSERT_TRUE(file.ok()) << file.error().message;
        EXPECT_EQ((*file)->size(), 0u);
        EXPECT_EQ((*file)->Read().value(), "");
    }
}

}  // namespace
}  // namespace beacon::core
