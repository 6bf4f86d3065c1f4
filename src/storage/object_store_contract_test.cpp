// The object-store contract: every case runs on the local folder store and on the S3 store
// against a real S3-compatible server (npm's s3rver, which checks SigV4 signatures), started
// once by this binary. s3cmd (Debian) reads back what Beacon wrote.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include <gtest/gtest.h>
#include <unistd.h>

#include "storage/cached_store.hpp"
#include "storage/object_store.hpp"
#include "storage/s3_store.hpp"
#include "support/s3_server.hpp"

namespace beacon::storage {
namespace {

namespace fs = std::filesystem;

core::Result<testing::S3Server*> SharedS3() {
    static std::unique_ptr<testing::S3Server> server;
    static std::string failure;
    if (!server && failure.empty()) {
        auto s = testing::S3Server::Start(BEACON_SOURCE_DIR);
        if (s.ok()) {
            server = std::move(s).value();
        } else {
            failure = s.error().message;
        }
    }
    if (!server) return core::Error::Unavailable(failure, false);
    return server.get();
}

S3Options OptionsFor(const testing::S3Server& s, const std::string& bucket) {
    S3Options o;
    o.endpoint = s.Endpoint();
    o.bucket = bucket;
    o.access_key = testing::S3Server::kAccessKey;
    o.secret_key = testing::S3Server::kSecretKey;
    o.retries = 1;
    return o;
}

class ObjectStoreContract : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        static int counter = 0;
        name_ = "store-" + std::to_string(::getpid()) + "-" + std::to_string(++counter);
        dir_ = fs::temp_directory_path() / ("beacon-" + name_);
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        if (GetParam() != "filesystem") {
            auto s = SharedS3();
            ASSERT_TRUE(s.ok()) << s.error().message;
            server_ = *s;
            auto st = OpenS3Store(OptionsFor(*server_, name_));
            ASSERT_TRUE(st.ok()) << st.error().message;
            store_ = std::move(st).value();
            if (GetParam() == "s3_cached") {
                auto cached = OpenCachedStore(std::move(store_), dir_ / "cache");
                ASSERT_TRUE(cached.ok()) << cached.error().message;
                store_ = std::move(cached).value();
            }
        } else {
            auto st = OpenFilesystemStore(dir_ / "media");
            ASSERT_TRUE(st.ok()) << st.error().message;
            store_ = std::move(st).value();
        }
    }
    void TearDown() override {
        store_.reset();
        fs::remove_all(dir_);
    }
    std::string name_;
    fs::path dir_;
    testing::S3Server* server_ = nullptr;
    std::unique_ptr<ObjectStore> store_;
};

TEST_P(ObjectStoreContract, PutsGetsAndOverwritesWholeObjects) {
    ASSERT_TRUE(store_->Put("jobs/1/script.json", "{\"a\":1}").ok());
    EXPECT_TRUE(store_->Exists("jobs/1/script.json"));
    EXPECT_EQ(*store_->Get("jobs/1/script.json"), "{\"a\":1}");
    EXPECT_EQ(*store_->Size("jobs/1/script.json"), 7);
    ASSERT_TRUE(store_->Put("jobs/1/script.json", "{}").ok());
    EXPECT_EQ(*store_->Get("jobs/1/script.json"), "{}");
    ASSERT_TRUE(store_->Put("jobs/1/empty.txt", "").ok());
    EXPECT_EQ(*store_->Size("jobs/1/empty.txt"), 0);
    EXPECT_EQ(*store_->Get("jobs/1/empty.txt"), "");
}

TEST_P(ObjectStoreContract, KeepsEveryByteValue) {
    std::string bytes;
    for (int round = 0; round < 300; ++round) {
        for (int b = 0; b < 256; ++b) bytes += static_cast<char>((b * 7 + round) & 0xff);
    }
    ASSERT_TRUE(store_->Put("library/3/video/seg_00001.ts", bytes).ok());
    auto got = store_->Get("library/3/video/seg_00001.ts");
    ASSERT_TRUE(got.ok()) << got.error().message;
    EXPECT_EQ(got->size(), bytes.size());
    EXPECT_TRUE(*got == bytes);
}

TEST_P(ObjectStoreContract, PutFileCopiesALocalFileAndLeavesIt) {
    const fs::path local = dir_ / "final.mp4";
    std::string bytes(1'500'000, '\0');
    for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>((i * 31) & 0xff);
    std::ofstream(local, std::ios::binary) << bytes;
    ASSERT_TRUE(store_->PutFile("library/4/video.mp4", local).ok());
    EXPECT_EQ(*store_->Size("library/4/video.mp4"), 1'500'000);
    EXPECT_TRUE(*store_->Get("library/4/video.mp4") == bytes);
    EXPECT_TRUE(fs::exists(local));
}

TEST_P(ObjectStoreContract, ReadsRanges) {
    ASSERT_TRUE(store_->Put("library/5/seg.ts", "0123456789abcdef").ok());
    EXPECT_EQ(*store_->GetRange("library/5/seg.ts", 0, 4), "0123");
    EXPECT_EQ(*store_->GetRange("library/5/seg.ts", 10, 3), "abc");
    EXPECT_EQ(*store_->GetRange("library/5/seg.ts", 14, 100), "ef") << "fewer at the end";
    EXPECT_EQ(*store_->GetRange("library/5/seg.ts", 16, 4), "") << "none past the end";
    EXPECT_EQ(*store_->GetRange("library/5/seg.ts", 3, 0), "");
}

TEST_P(ObjectStoreContract, MissingObjectsAreNotFound) {
    EXPECT_FALSE(store_->Exists("library/9/nothing.mp4"));
    EXPECT_EQ(store_->Get("library/9/nothing.mp4").error().code, core::ErrorCode::kNotFound);
    EXPECT_EQ(store_->Size("library/9/nothing.mp4").error().code, core::ErrorCode::kNotFound);
    EXPECT_TRUE(store_->Delete("library/9/nothing.mp4").ok()) << "deleting twice is harmless";
}

TEST_P(ObjectStoreContract, DeletesOneKeyOrAWholePrefix) {
    for (const char* k : {"library/1/video.mp4", "library/1/hls/a.ts", "library/1/hls/b.ts",
                          "library/10/video.mp4", "library/2/video.mp4"}) {
        ASSERT_TRUE(store_->Put(k, k).ok()) << k;
    }
    ASSERT_TRUE(store_->Delete("library/2/video.mp4").ok());
    EXPECT_FALSE(store_->Exists("library/2/video.mp4"));
    ASSERT_TRUE(store_->Delete("library/1/").ok());
    EXPECT_FALSE(store_->Exists("library/1/video.mp4"));
    EXPECT_FALSE(store_->Exists("library/1/hls/a.ts"));
    EXPECT_FALSE(store_->Exists("library/1/hls/b.ts"));
    EXPECT_TRUE(store_->Exists("library/10/video.mp4")) << "library/1/ is not library/10/";
    EXPECT_TRUE(store_->Delete("library/1/").ok()) << "an empty prefix deletes nothing, fine";
}

TEST_P(ObjectStoreContract, RefusesKeysBeaconWouldNotMake) {
    EXPECT_EQ(store_->Put("../etc/passwd", "x").error().code, core::ErrorCode::kInvalidArgument);
    EXPECT_EQ(store_->Put("Library/1/x", "x").error().code, core::ErrorCode::kInvalidArgument);
    EXPECT_EQ(store_->Get("a/../../b").error().code, core::ErrorCode::kInvalidArgument);
    EXPECT_FALSE(store_->Exists("/abs"));
}

INSTANTIATE_TEST_SUITE_P(Stores, ObjectStoreContract, ::testing::Values("filesystem", "s3", "s3_cached"),
                         [](const auto& info) { return info.param; });

TEST(CachedStore, TwoMachinesShareMediaThroughS3) {
    auto s = SharedS3();
    ASSERT_TRUE(s.ok()) << s.error().message;
    const std::string bucket = "shared-" + std::to_string(::getpid());
    const fs::path dir = fs::temp_directory_path() / ("beacon-cached-" + std::to_string(::getpid()));
    auto open = [&](const std::string& machine) {
        auto remote = OpenS3Store(OptionsFor(**s, bucket));
        EXPECT_TRUE(remote.ok());
        auto st = OpenCachedStore(std::move(remote).value(), dir / machine);
        EXPECT_TRUE(st.ok());
        return std::move(st).value();
    };
    auto worker = open("worker");
    auto server = open("server");
    ASSERT_TRUE(worker->Put("library/1/hls/seg_00000.ts", "first take").ok());
    fs::path there = server->LocalPath("library/1/hls/seg_00000.ts");
    ASSERT_FALSE(there.empty());
    EXPECT_TRUE(there.string().starts_with((dir / "server").string()));
    std::ifstream in(there, std::ios::binary);
    std::stringstream got;
    got << in.rdbuf();
    EXPECT_EQ(got.str(), "first take") << "the server reads a file the worker wrote";
    ASSERT_TRUE(worker->Put("library/1/hls/seg_00000.ts", "a longer second take").ok());
    EXPECT_EQ(*server->Get("library/1/hls/seg_00000.ts"), "a longer second take")
        << "a replaced object is fetched again";
    ASSERT_TRUE(worker->Delete("library/1/").ok());
    EXPECT_FALSE(server->Exists("library/1/hls/seg_00000.ts"));
    EXPECT_FALSE(fs::exists(server->LocalPath("library/1/hls/seg_00000.ts")))
        << "a deleted object's cached copy goes";
    fs::remove_all(dir);
}

TEST(S3Signing, MatchesAwsPublishedExample) {
    // "Example: GET Object" from AWS's Signature Version 4 documentation for S3.
    S3Options o;
    o.region = "us-east-1";
    o.access_key = "AKIAIOSFODNN7EXAMPLE";
    o.secret_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    const std::string empty_hash = s3::Sha256Hex("");
    EXPECT_EQ(empty_hash, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const std::string auth = s3::Authorization(
        o, "GET", "/test.txt", "",
        {{"host", "examplebucket.s3.amazonaws.com"},
         {"range", "bytes=0-9"},
         {"x-amz-content-sha256", empty_hash},
         {"x-amz-date", "20130524T000000Z"}},
        empty_hash, "20130524T000000Z");
    EXPECT_EQ(auth,
              "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/"
              "aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
              "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(S3Store, AServerThatChecksSignaturesRefusesAWrongSecret) {
    auto s = SharedS3();
    ASSERT_TRUE(s.ok()) << s.error().message;
    auto good = OpenS3Store(OptionsFor(**s, "signed-" + std::to_string(::getpid())));
    ASSERT_TRUE(good.ok()) << good.error().message;
    S3Options bad = OptionsFor(**s, "signed-" + std::to_string(::getpid()));
    bad.secret_key = "not-the-secret";
    auto refused = OpenS3Store(bad);
    if (refused.ok()) {  // some servers answer HEAD on a bucket without checking; a write is checked
        auto put = (*refused)->Put("jobs/1/x.txt", "x");
        ASSERT_FALSE(put.ok());
        EXPECT_EQ(put.error().code, core::ErrorCode::kExternal) << put.error().message;
        EXPECT_NE(put.error().message.find("SignatureDoesNotMatch"), std::string::npos)
            << put.error().message;
    } else {
        EXPECT_EQ(refused.error().code, core::ErrorCode::kExternal) << refused.error().message;
    }
    EXPECT_FALSE((*good)->Exists("jobs/1/x.txt"));
}

TEST(S3Store, AnUnreachableServiceIsUnavailable) {
    S3Options o;
    o.endpoint = "http://127.0.0.1:9";
    o.bucket = "nowhere";
    o.access_key = "a";
    o.secret_key = "b";
    o.retries = 0;
    auto st = OpenS3Store(o);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().code, core::ErrorCode::kUnavailable) << st.error().message;
}

TEST(S3Store, S3cmdReadsBackWhatBeaconWrote) {
    if (std::system("command -v s3cmd >/dev/null 2>&1") != 0) {
        GTEST_FAIL() << "s3cmd not installed (Debian: s3cmd)";
    }
    auto s = SharedS3();
    ASSERT_TRUE(s.ok()) << s.error().message;
    const std::string bucket = "readback-" + std::to_string(::getpid());
    auto st = OpenS3Store(OptionsFor(**s, bucket));
    ASSERT_TRUE(st.ok()) << st.error().message;
    const std::string bytes = "segment bytes \x01\x02\xff from beacon";
    ASSERT_TRUE((*st)->Put("library/7/hls/seg_00003.ts", bytes).ok());
    const fs::path dir = fs::temp_directory_path() / ("beacon-s3cmd-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const std::string hostport = "127.0.0.1:" + std::to_string((*s)->port());
    const std::string cmd =
        "HOME=" + dir.string() + " s3cmd --config=/dev/null --no-ssl --host=" + hostport +
        " --host-bucket=" + hostport + " --access_key=S3RVER --secret_key=S3RVER --region=us-east-1"
        " --force get s3://" + bucket + "/library/7/hls/seg_00003.ts " + (dir / "got.ts").string() +
        " > " + (dir / "s3cmd.log").string() + " 2>&1";
    const int rc = std::system(cmd.c_str());
    std::ifstream log(dir / "s3cmd.log");
    std::stringstream ls;
    ls << log.rdbuf();
    ASSERT_EQ(rc, 0) << ls.str();
    std::ifstream in(dir / "got.ts", std::ios::binary);
    std::stringstream got;
    got << in.rdbuf();
    EXPECT_TRUE(got.str() == bytes);
    fs::remove_all(dir);
}

/// A file of `size` bytes that differ from one position to the next (no two parts alike).
fs::path PatternFile(const fs::path& dir, std::int64_t size) {
    fs::create_directories(dir);
    const fs::path file = dir / "large.bin";
    std::ofstream out(file, std::ios::binary);
    std::uint32_t x = 2463534242u;
    std::string chunk(1 << 16, '\0');
    for (std::int64_t done = 0; done < size;) {
        for (auto& c : chunk) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            c = static_cast<char>(x & 0xff);
        }
        const auto n = std::min<std::int64_t>(size - done, static_cast<std::int64_t>(chunk.size()));
        out.write(chunk.data(), n);
        done += n;
    }
    return file;
}

std::string ReadAll(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

/// The multipart uploads the test server still holds for a bucket (parts not yet completed or
/// aborted).
int PendingUploads(const testing::S3Server& s, const std::string& bucket) {
    std::error_code ec;
    int n = 0;
    for (const auto& e : fs::directory_iterator(s.directory() / bucket / "._S3rver_uploads", ec)) {
        (void)e;
        ++n;
    }
    return n;
}

TEST(S3Multipart, ALargeFileGoesUpInEightMebibytePartsAndReadsBackWhole) {
    auto s = SharedS3();
    ASSERT_TRUE(s.ok()) << s.error().message;
    const std::string bucket = "multipart-" + std::to_string(::getpid());
    S3Options o = OptionsFor(**s, bucket);
    o.multipart_threshold = kMinPartBytes;
    o.part_size = 1 << 20;  // below the minimum: raised to 8 MiB
    std::vector<int> parts;
    o.before_part = [&parts](int n) -> core::Status {
        parts.push_back(n);
        return {};
    };
    auto st = OpenS3Store(o);
    ASSERT_TRUE(st.ok()) << st.error().message;
    const fs::path dir = fs::temp_directory_path() / ("beacon-mp-" + std::to_string(::getpid()));
    const std::int64_t size = 2 * kMinPartBytes + 12345;
    const fs::path file = PatternFile(dir, size);
    const std::string want = ReadAll(file);
    ASSERT_TRUE((*st)->PutFile("library/9/video.mp4", file).ok());
    EXPECT_EQ(parts, (std::vector<int>{1, 2, 3}));
    auto got_size = (*st)->Size("library/9/video.mp4");
    ASSERT_TRUE(got_size.ok()) << got_size.error().message;
    EXPECT_EQ(*got_size, size);
    auto got = (*st)->Get("library/9/video.mp4");
    ASSERT_TRUE(got.ok()) << got.error().message;
    EXPECT_TRUE(*got == want) << "the object differs from the file";
    // The part boundaries are invisible in a ranged read across one.
    auto across = (*st)->GetRange("library/9/video.mp4", kMinPartBytes - 10, 20);
    ASSERT_TRUE(across.ok());
    EXPECT_TRUE(*across == want.substr(static_cast<std::size_t>(kMinPartBytes - 10), 20));
    // Bytes in memory above the threshold take the same way.
    parts.clear();
    ASSERT_TRUE((*st)->Put("library/9/copy.bin", want).ok());
    EXPECT_EQ(parts.size(), 3u);
    EXPECT_TRUE((*st)->Get("library/9/copy.bin").value() == want);
    EXPECT_EQ(PendingUploads(**s, bucket), 0);
    // A small object stays a single PUT.
    parts.clear();
    ASSERT_TRUE((*st)->Put("library/9/small.txt", "small").ok());
    EXPECT_TRUE(parts.empty());
    fs::remove_all(dir);
}

TEST(S3Multipart, AFailureMidUploadAbortsItAndLeavesNoObject) {
    auto s = SharedS3();
    ASSERT_TRUE(s.ok()) << s.error().message;
    const std::string bucket = "multipart-fail-" + std::to_string(::getpid());
    S3Options o = OptionsFor(**s, bucket);
    o.multipart_threshold = kMinPartBytes;
    int sent = 0;
    o.before_part = [&sent](int n) -> core::Status {
        if (n == 3) return core::Error::Unavailable("the network went away at part 3");
        sent = n;
        return {};
    };
    auto st = OpenS3Store(o);
    ASSERT_TRUE(st.ok()) << st.error().message;
    const fs::path dir = fs::temp_directory_path() / ("beacon-mpf-" + std::to_string(::getpid()));
    const fs::path file = PatternFile(dir, 3 * kMinPartBytes);
    // A new object: nothing appears.
    auto put = (*st)->PutFile("library/4/video.mp4", file);
    ASSERT_FALSE(put.ok());
    EXPECT_NE(put.error().message.find("part 3"), std::string::npos) << put.error().message;
    EXPECT_EQ(sent, 2);  // two parts were in the bucket before the failure
    EXPECT_FALSE((*st)->Exists("library/4/video.mp4"));
    EXPECT_EQ(PendingUploads(**s, bucket), 0) << "the upload was not aborted: its parts remain";
    // Over an existing object: the old bytes stay whole.
    ASSERT_TRUE((*st)->Put("library/4/video.mp4", "the earlier cut").ok());
    ASSERT_FALSE((*st)->PutFile("library/4/video.mp4", file).ok());
    EXPECT_EQ((*st)->Get("library/4/video.mp4").value(), "the earlier cut");
    EXPECT_EQ(PendingUploads(**s, bucket), 0);
    fs::remove_all(dir);
}

}  // namespace
}  // namespace beacon::storage
