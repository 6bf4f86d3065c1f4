#include "arcade/multipart.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

namespace beacon::arcade {
namespace {

TEST(Multipart, ReadsTheBoundaryFromTheContentType) {
    EXPECT_EQ(*MultipartBoundary("multipart/form-data; boundary=----abc"), "----abc");
    EXPECT_EQ(*MultipartBoundary("Multipart/Form-Data; boundary=\"x y\""), "x y");
    EXPECT_FALSE(MultipartBoundary("application/zip").ok());
    EXPECT_FALSE(MultipartBoundary("multipart/form-data").ok());
}

TEST(Multipart, SplitsFieldsAndFilesWithBinaryData) {
    const std::string zip("PK\x03\x04\r\n--not-the-boundary\0\xff", 26);
    const std::string body = "--XyZ\r\n"
                             "Content-Disposition: form-data; name=\"title\"\r\n\r\n"
                             "Space \"Rocks\"\r\n"
                             "--XyZ\r\n"
                             "Content-Disposition: form-data; name=\"file\"; filename=\"game.zip\"\r\n"
                             "Content-Type: application/zip\r\n\r\n" +
                             zip + "\r\n--XyZ--\r\n";
    auto parts = ParseMultipart(body, "XyZ");
    ASSERT_TRUE(parts.ok()) << parts.error().message;
    ASSERT_EQ(parts->size(), 2u);
    EXPECT_EQ(FindPart(*parts, "title")->data, "Space \"Rocks\"");
    EXPECT_FALSE(FindPart(*parts, "title")->filename);
    const FormPart* file = FindPart(*parts, "file");
    ASSERT_NE(file, nullptr);
    EXPECT_EQ(*file->filename, "game.zip");
    EXPECT_EQ(file->content_type, "application/zip");
    EXPECT_EQ(file->data, zip);
    EXPECT_EQ(FindPart(*parts, "cover"), nullptr);
}

TEST(Multipart, RefusesACutShortOrNamelessBody) {
    EXPECT_FALSE(ParseMultipart("--b\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nabc", "b").ok());
    EXPECT_FALSE(ParseMultipart("--b\r\nContent-Type: text/plain\r\n\r\nabc\r\n--b--", "b").ok());
    EXPECT_FALSE(ParseMultipart("no parts here", "b").ok());
}

/// A body written to a temporary file (removed with the object).
struct BodyFile {
    std::filesystem::path path;
    explicit BodyFile(const std::string& body) {
        path = std::filesystem::temp_directory_path() /
               ("arcade-multipart-" + std::to_string(std::random_device{}()));
        std::ofstream(path, std::ios::binary) << body;
    }
    ~BodyFile() {
        std::error_code ec;
        std::filesystem::remove(path, ec);
    }
};

TEST(MultipartFile, FindsPartsAcrossChunkBoundaries) {
    // A 3 MB file whose data holds near-misses of the boundary, with the real delimiter placed
    // to straddle the 1 MB read chunks.
    std::string zip(3 * 1024 * 1024 + 17, 'z');
    for (std::size_t i = 0; i + 20 < zip.size(); i += 4099) zip.replace(i, 15, "\r\n--BoundarX\0\xff");
    const std::string head = "--Boundary\r\n"
                             "Content-Disposition: form-data; name=\"title\"\r\n\r\n"
                             "Rocks\r\n"
                             "--Boundary\r\n"
                             "Content-Disposition: form-data; name=\"file\"; filename=\"g.zip\"\r\n"
                             "Content-Type: application/zip\r\n\r\n";
    // Make the closing delimiter start 3 bytes before the 3 MB chunk edge.
    const std::size_t want_end = 3 * 1024 * 1024 - 3;
    zip.resize(want_end - head.size());
    BodyFile body(head + zip + "\r\n--Boundary--\r\n");
    auto parts = ParseMultipartFile(body.path, "Boundary");
    ASSERT_TRUE(parts.ok()) << parts.error().message;
    ASSERT_EQ(parts->size(), 2u);
    EXPECT_EQ(*ReadPart(body.path, *FindPart(*parts, "title"), 100), "Rocks");
    const FilePart* file = FindPart(*parts, "file");
    ASSERT_NE(file, nullptr);
    EXPECT_EQ(*file->filename, "g.zip");
    EXPECT_EQ(file->content_type, "application/zip");
    EXPECT_EQ(file->offset, head.size());
    EXPECT_EQ(file->length, zip.size());

    auto copy = body.path;
    copy += ".zip";
    ASSERT_TRUE(CopyPart(body.path, *file, copy).ok());
    std::ifstream in(copy, std::ios::binary);
    std::string copied((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(copied, zip);
    std::filesystem::remove(copy);

    auto too_long = ReadPart(body.path, *file, 1000);
    ASSERT_FALSE(too_long.ok());
    EXPECT_EQ(too_long.error().code, core::ErrorCode::kTooLarge);
}

TEST(MultipartFile, FindsADelimiterAtEveryOffsetAroundTheChunkEdge) {
    const std::string head = "--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"g.zip\"\r\n\r\n";
    // ParseMultipartFile reads 1 MB at a time from the start of the part's data.
    const std::size_t edge = head.size() + (1 << 20);
    for (std::size_t at = edge - 12; at <= edge + 12; ++at) {
        const std::string data(at - head.size(), 'd');
        BodyFile body(head + data + "\r\n--B--\r\n");
        auto parts = ParseMultipartFile(body.path, "B");
        ASSERT_TRUE(parts.ok()) << "delimiter at " << at << ": " << parts.error().message;
        ASSERT_EQ(parts->size(), 1u);
        EXPECT_EQ((*parts)[0].length, data.size()) << "delimiter at " << at;
    }
}

TEST(MultipartFile, RefusesACutShortOrNamelessBody) {
    BodyFile cut("--b\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nabc");
    EXPECT_FALSE(ParseMultipartFile(cut.path, "b").ok());
    BodyFile nameless("--b\r\nContent-Type: text/plain\r\n\r\nabc\r\n--b--");
    EXPECT_FALSE(ParseMultipartFile(nameless.path, "b").ok());
    BodyFile none("no parts here");
    EXPECT_FALSE(ParseMultipartFile(none.path, "b").ok());
}

}  // namespace
}  // namespace beacon::arcade
