// core::Sha256Hex against the FIPS 180-2 test vectors.
#include "core/hash.hpp"

#include <gtest/gtest.h>

namespace beacon::core {
namespace {

TEST(Sha256Hex, MatchesTheStandardVectors) {
    EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256Stream, PartsGiveTheDigestOfTheWholeAndItStartsOverAfterward) {
    Sha256Stream s;
    const std::string text = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    s.Update(text.data(), 5);
    s.Update(text.data() + 5, text.size() - 5);
    EXPECT_EQ(s.FinishHex(), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    s.Update("abc", 3);
    EXPECT_EQ(s.FinishHex(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const std::string big(1 << 20, 'x');
    for (std::size_t at = 0; at < big.size(); at += 65536) s.Update(big.data() + at, 65536);
    EXPECT_EQ(s.FinishHex(), Sha256Hex(big));
}

}  // namespace
}  // namespace beacon::core
