#include "arcade/multipart.hpp"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace beacon::arcade
