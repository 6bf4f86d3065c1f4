#include "arcade/extract.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <sstream>

#include "arcade/test_zip.hpp"

namespace beacon::arcade {
namespace {

namespace fs = std::filesystem;
using testing::ZipWriter;

class TempDir {
public:
    TempDir() {
        std::random_device rd;
        path_ = fs::temp_directory_path() /
                ("beacon-arcade-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
        fs::create_directories(path_);
    }
    ~TempDir() { fs::remove_all(path_); }
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

std::string Read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

/// Every file and folder under `root`, relative, sorted.
std::vector<std::string> Tree(const fs::path& root) {
    std::vector<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(root)) {
        out.push_back(fs::relative(e.path(), root).string());
    }
    std::sort(out.begin(), out.end());
    return out;
}

class ExtractTest : public ::testing::Test {
protected:
    fs::path zip() const { return tmp_.path() / "in" / "upload.zip"; }
    fs::path dest() const { return tmp_.path() / "games" / "1" / "v1"; }
    void SetUp() override {
        fs::create_directories(tmp_.path() / "in");
        fs::create_directories(tmp_.path() / "games" / "1");
    }
    /// Extracts and expects a refusal with `code` whose message contains `words`; then checks
    /// that nothing was kept: no destination folder and nothing new anywhere in the temp tree.
    void ExpectRefused(core::ErrorCode code, const std::string& words,
                       const ExtractLimits& limits = {}) {
        auto before = Tree(tmp_.path());
        auto r = ExtractZip(zip(), dest(), limits);
        ASSERT_FALSE(r.ok()) << "accepted a hostile archive";
        EXPECT_EQ(r.error().code, code) << r.error().message;
        EXPECT_NE(r.error().message.find(words), std::string::npos) << r.error().message;
        EXPECT_FALSE(fs::exists(dest()));
        EXPECT_EQ(Tree(tmp_.path()), before) << "a file was left behind";
    }
    TempDir tmp_;
};

TEST(NormalizeEntryPath, KeepsPlainPathsAndDropsDotSegments) {
    EXPECT_EQ(*NormalizeEntryPath("index.html", 240), "index.html");
    EXPECT_EQ(*NormalizeEntryPath("./a/./b.js", 240), "a/b.js");
    EXPECT_EQ(*NormalizeEntryPath("assets/", 240), "assets");
    EXPECT_EQ(*NormalizeEntryPath("a//b", 240), "a/b");
    EXPECT_EQ(*NormalizeEntryPath("música/ñ.ogg", 240), "música/ñ.ogg");
}

TEST(NormalizeEntryPath, RefusesEveryTraversalSpelling) {
    for (std::string name : std::vector<std::string>{"../evil.js", "a/../../evil.js", "a/..", "..", "/etc/passwd",
                             "//server/share/x", "C:/Windows/x", "c:evil", "C:\\evil",
                             "..\\evil", "a\\..\\..\\evil", "\\\\server\\x", "a/b:stream",
                             std::string("a\x01.js"), std::string("\x7f"), "", "./", "./."}) {
        auto r = NormalizeEntryPath(name, 240);
        EXPECT_FALSE(r.ok()) << "accepted \"" << name << "\" as " << (r.ok() ? *r : "");
        if (!r.ok()) {
            EXPECT_EQ(r.error().code, core::ErrorCode::kInvalidArgument);
        }
    }
}

TEST(NormalizeEntryPath, RefusesInvalidUtf8AndCountsCharacters) {
    EXPECT_FALSE(NormalizeEntryPath("\xff.js", 240).ok());
    EXPECT_FALSE(NormalizeEntryPath("\xc0\xaf", 240).ok());   // overlong '/'
    EXPECT_FALSE(NormalizeEntryPath("\xed\xa0\x80", 240).ok());  // a surrogate
    // 240 two-byte characters are 240 characters, not 480.
    std::string ok;
    for (int i = 0; i < 240; ++i) ok += "é";
    EXPECT_TRUE(NormalizeEntryPath(ok, 240).ok());
    EXPECT_FALSE(NormalizeEntryPath(ok + "e", 240).ok());
}

TEST(CheckEntry, RefusesLinksSpecialFilesEncryptionAndOversizedDeclarations) {
    ExtractLimits limits;
    EXPECT_TRUE(CheckEntry({.name = "a.js"}, limits).ok());
    auto symlink = CheckEntry({.name = "a.js", .is_regular = false, .is_symlink = true}, limits);
    ASSERT_FALSE(symlink.ok());
    EXPECT_NE(symlink.error().message.find("symbolic link"), std::string::npos);
    auto hardlink = CheckEntry({.name = "a.js", .is_hardlink = true}, limits);
    ASSERT_FALSE(hardlink.ok());
    EXPECT_NE(hardlink.error().message.find("hard link"), std::string::npos);
    EXPECT_FALSE(CheckEntry({.name = "fifo", .is_regular = false}, limits).ok());
    auto enc = CheckEntry({.name = "a.js", .encrypted = true}, limits);
    ASSERT_FALSE(enc.ok());
    EXPECT_NE(enc.error().message.find("encrypted"), std::string::npos);
    auto big = CheckEntry({.name = "a.bin", .declared_size = limits.max_file_bytes + 1}, limits);
    ASSERT_FALSE(big.ok());
    EXPECT_EQ(big.error().code, core::ErrorCode::kTooLarge);
}

TEST_F(ExtractTest, ExtractsAGoodBundle) {
    const std::string page = "<canvas></canvas><script src=game.js></script>";
    ZipWriter(zip())
        .Directory("assets/")
        .File("index.html", page)
        .File("game.js", "console.log('hi')")
        .File("assets/sprites/hero.png", std::string(5000, 'x'))
        .File("empty.txt", "");
    auto r = ExtractZip(zip(), dest(), {});
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->files.size(), 4u);
    EXPECT_EQ(r->total_bytes, page.size() + 17u + 5000u);
    EXPECT_EQ(Read(dest() / "game.js"), "console.log('hi')");
    EXPECT_EQ(Read(dest() / "assets/sprites/hero.png"), std::string(5000, 'x'));
    EXPECT_TRUE(fs::exists(dest() / "empty.txt"));
    auto entry = FindEntry(dest(), "index.html");
    ASSERT_TRUE(entry.ok()) << entry.error().message;
    EXPECT_EQ(entry->root, dest());
    EXPECT_EQ(entry->entry, "index.html");
}

TEST_F(ExtractTest, FindsTheEntryInsideAZippedFolderOrSaysItIsMissing) {
    ZipWriter(zip()).File("mygame/index.html", "<p>x</p>").File("mygame/play.html", "y");
    ASSERT_TRUE(ExtractZip(zip(), dest(), {}).ok());
    auto entry = FindEntry(dest(), "index.html");
    ASSERT_TRUE(entry.ok()) << entry.error().message;
    EXPECT_EQ(entry->root, dest() / "mygame");
    auto other = FindEntry(dest(), "play.html");
    ASSERT_TRUE(other.ok());
    EXPECT_EQ(other->entry, "play.html");
    auto missing = FindEntry(dest(), "start.html");
    ASSERT_FALSE(missing.ok());
    EXPECT_NE(missing.error().message.find("no entry file \"start.html\""), std::string::npos);
    EXPECT_FALSE(FindEntry(dest(), "../index.html").ok());
}

TEST_F(ExtractTest, RefusesTraversalInEverySpelling) {
    for (std::string name : {"../evil.html", "a/../../evil.html", "/tmp/evil.html",
                             "C:/evil.html", "C:\\evil.html", "..\\evil.html",
                             "a\\..\\..\\evil.html"}) {
        SCOPED_TRACE(name);
        fs::remove(zip());
        ZipWriter(zip()).File("index.html", "ok").File(name, "evil");
        // libarchive turns a DOS zip's backslashes into '/', so either rule may refuse it.
        ExpectRefused(core::ErrorCode::kInvalidArgument, "entry \"");
        EXPECT_FALSE(fs::exists(tmp_.path() / "games" / "evil.html"));
        EXPECT_FALSE(fs::exists(tmp_.path() / "evil.html"));
    }
}

TEST_F(ExtractTest, RefusesASymlink) {
    ZipWriter(zip()).File("index.html", "ok").Symlink("data", "/etc/passwd");
    ExpectRefused(core::ErrorCode::kInvalidArgument, "symbolic link");
}

TEST_F(ExtractTest, RefusesASymlinkThenAFileWrittenThroughIt) {
    ZipWriter(zip()).Symlink("up", "..").File("up/evil.html", "evil").File("index.html", "ok");
    ExpectRefused(core::ErrorCode::kInvalidArgument, "symbolic link");
    EXPECT_FALSE(fs::exists(tmp_.path() / "games" / "1" / "evil.html"));
}

TEST_F(ExtractTest, RefusesATarWithAHardLinkRenamedZip) {
    ZipWriter(zip(), "tar").File("index.html", "ok").Hardlink("passwd", "/etc/passwd");
    ExpectRefused(core::ErrorCode::kInvalidArgument, "not a zip archive");
}

TEST_F(ExtractTest, RefusesDuplicatesAfterNormalisation) {
    ZipWriter(zip()).File("index.html", "one").File("./index.html", "two");
    ExpectRefused(core::ErrorCode::kInvalidArgument, "duplicate");
    fs::remove(zip());
    ZipWriter(zip()).File("index.html", "one").File("INDEX.html", "two");
    ExpectRefused(core::ErrorCode::kInvalidArgument, "duplicate");
    fs::remove(zip());
    ZipWriter(zip()).File("index.html", "one").File("lib", "x").File("lib/a.js", "y");
    ExpectRefused(core::ErrorCode::kInvalidArgument, "which is a file");
    fs::remove(zip());
    ZipWriter(zip()).File("index.html", "one").File("lib/a.js", "y").File("LIB", "x");
    ExpectRefused(core::ErrorCode::kInvalidArgument, "duplicate");
}

TEST(DuplicateKey, FoldsUnicodeNormalisationAndCase) {
    const std::string nfc = "caf\xC3\xA9.js";    // é precomposed (U+00E9)
    const std::string nfd = "cafe\xCC\x81.js";   // e + combining acute (U+0301)
    EXPECT_NE(nfc, nfd);
    EXPECT_EQ(DuplicateKey(nfc), DuplicateKey(nfd));
    EXPECT_EQ(DuplicateKey("CAF\xC3\x89.JS"), DuplicateKey(nfd));  // É upper case
    EXPECT_EQ(DuplicateKey("Stra\xC3\x9F" "e.txt"), DuplicateKey("STRASSE.TXT"));
    EXPECT_EQ(DuplicateKey("Index.HTML"), "index.html");
    EXPECT_NE(DuplicateKey("cafe.js"), DuplicateKey(nfc));
}

TEST_F(ExtractTest, RefusesNamesEqualAfterNfcAndCaseFolding) {
    ZipWriter(zip()).File("index.html", "ok").File("caf\xC3\xA9.js", "one").File("cafe\xCC\x81.js", "two");
    ExpectRefused(core::ErrorCode::kInvalidArgument, "duplicate");
    fs::remove(zip());
    ZipWriter(zip()).File("index.html", "ok").File("lib/\xC3\xA9/a.js", "one").File("LIB/E\xCC\x81", "two");
    ExpectRefused(core::ErrorCode::kInvalidArgument, "duplicate");
    fs::remove(zip());
    // Different letters stay different files.
    ZipWriter(zip()).File("index.html", "ok").File("caf\xC3\xA9.js", "one").File("cafe.js", "two");
    auto report = ExtractZip(zip(), tmp_.path() / "games" / "ok", ExtractLimits{});
    ASSERT_TRUE(report.ok()) << report.error().message;
    EXPECT_EQ(report->files.size(), 3u);
}

TEST_F(ExtractTest, RefusesABombByRatioWhileStreaming) {
    // 100 MB of zeros deflates to about 100 KB (1:1000); the 100:1 cap stops it early.
    ZipWriter(zip()).File("index.html", "ok").Zeros("bomb.bin", 100ull << 20);
    ASSERT_LT(fs::file_size(zip()), 1u << 20);
    ExpectRefused(core::ErrorCode::kTooLarge, "zip bomb");
}

TEST_F(ExtractTest, RefusesTotalAndPerFileSizesOverTheLimits) {
    ExtractLimits limits;
    limits.max_ratio = 1000000;  // only the size limits apply here
    limits.max_file_bytes = 300 << 10;
    limits.max_total_bytes = 500 << 10;
    ZipWriter(zip()).File("index.html", "ok").Zeros("big.bin", 400 << 10);
    ExpectRefused(core::ErrorCode::kTooLarge, "per-file limit", limits);
    fs::remove(zip());
    ZipWriter(zip()).File("index.html", "ok").Zeros("a.bin", 250 << 10).Zeros("b.bin", 250 << 10);
    ExpectRefused(core::ErrorCode::kTooLarge, "extracts to more than", limits);
}

TEST_F(ExtractTest, RefusesTooManyFiles) {
    {
        ZipWriter w(zip());
        w.File("index.html", "ok");
        for (int i = 0; i < 10000; ++i) w.File("f/" + std::to_string(i) + ".txt", "x");
    }
    ExpectRefused(core::ErrorCode::kTooLarge, "more than 1000 files");
}

TEST_F(ExtractTest, RefusesATooLongPath) {
    std::string name;
    while (name.size() < 300) name += "abcdefghi/";
    name += "x.js";
    ZipWriter(zip()).File("index.html", "ok").File(name, "x");
    ExpectRefused(core::ErrorCode::kInvalidArgument, "longer than 240 characters");
}

TEST_F(ExtractTest, RefusesAnEncryptedEntry) {
    ZipWriter(zip(), "zip", "zip:encryption=zipcrypt", "secret").File("index.html", "ok");
    ExpectRefused(core::ErrorCode::kInvalidArgument, "encrypted");
}

TEST_F(ExtractTest, RefusesEmptyAndNonZipUploads) {
    std::ofstream(zip()).close();
    ExpectRefused(core::ErrorCode::kInvalidArgument, "empty");
    std::ofstream(zip()) << "<html>this is not a zip</html>";
    ExpectRefused(core::ErrorCode::kInvalidArgument, "not a zip archive");
    fs::remove(zip());
    ZipWriter(zip(), "tar").File("index.html", "ok");
    ExpectRefused(core::ErrorCode::kInvalidArgument, "not a zip archive");
}

TEST_F(ExtractTest, RefusesATruncatedZip) {
    ZipWriter(zip()).File("index.html", std::string(20000, 'a')).File("b.js", "x");
    fs::resize_file(zip(), fs::file_size(zip()) / 2);
    ExpectRefused(core::ErrorCode::kInvalidArgument, "zip");
}

TEST_F(ExtractTest, NeverWritesIntoAnExistingDestination) {
    ZipWriter(zip()).File("index.html", "ok");
    fs::create_directories(dest());
    auto r = ExtractZip(zip(), dest(), {});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, core::ErrorCode::kInternal);
    EXPECT_TRUE(fs::is_empty(dest()));
}

}  // namespace
}  // namespace beacon::arcade
