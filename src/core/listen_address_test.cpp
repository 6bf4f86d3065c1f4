#include "core/listen_address.hpp"

#include <gtest/gtest.h>

namespace beacon::core {
namespace {

TEST(ListenAddress, ParsesHostPortAndBracketedIpv6Once) {
    auto v4 = ParseListenAddress("0.0.0.0:9000");
    ASSERT_TRUE(v4.ok());
    EXPECT_EQ(v4->host, "0.0.0.0");
    EXPECT_EQ(v4->port, 9000);
    auto v6 = ParseListenAddress("[::1]:8443");
    ASSERT_TRUE(v6.ok()) << v6.error().message;
    EXPECT_EQ(v6->host, "::1") << "brackets are not part of the host";
    EXPECT_EQ(v6->port, 8443);
    EXPECT_EQ(v6->ToString(), "[::1]:8443");
    EXPECT_EQ(v6->UrlHost(), "[::1]");
    auto name = ParseListenAddress("localhost:0");
    ASSERT_TRUE(name.ok());
    EXPECT_EQ(name->port, 0) << "0: a free port";
    EXPECT_EQ(ParseListenAddress(name->ToString()).value(), *name) << "round trip";
}

TEST(ListenAddress, RefusesWhatIsNotHostColonPort) {
    for (const char* bad :
         {"nowhere", ":8080", "127.0.0.1:", "127.0.0.1:http", "127.0.0.1:65536", "127.0.0.1:123456",
          "::1:8080", "[::1:8080", "[]:80", "a b:80", "127.0.0.1:-1"}) {
        auto r = ParseListenAddress(bad);
        EXPECT_FALSE(r.ok()) << bad;
        if (!r.ok()) {
            EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << bad;
        }
    }
    EXPECT_EQ(ParseListenAddress("nowhere").error().message, "must be HOST:PORT (got \"nowhere\")");
    EXPECT_EQ(ParseListenAddress("h:99999").error().message, "has a bad port (got \"99999\")");
}

}  // namespace
}  // namespace beacon::core
