// core::FormatHttpDate / ParseHttpDate: IMF-fixdate both ways, everything else refused.
#include "core/http_date.hpp"

#include <gtest/gtest.h>

namespace beacon::core {
namespace {

TEST(HttpDate, FormatsAndParsesImfFixdate) {
    EXPECT_EQ(FormatHttpDate(784111777), "Sun, 06 Nov 1994 08:49:37 GMT");
    EXPECT_EQ(ParseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT"), std::optional<std::time_t>(784111777));
    EXPECT_EQ(ParseHttpDate(" Sun, 06 Nov 1994 08:49:37 GMT "),
              std::optional<std::time_t>(784111777));
    EXPECT_EQ(ParseHttpDate(FormatHttpDate(1795000000)), std::optional<std::time_t>(1795000000));
}

TEST(HttpDate, RefusesOtherFormsAndImpossibleDates) {
    EXPECT_FALSE(ParseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT"));  // RFC 850
    EXPECT_FALSE(ParseHttpDate("Sun Nov  6 08:49:37 1994"));        // asctime
    EXPECT_FALSE(ParseHttpDate("Sun, 06 Nov 1994 08:49:37 UTC"));
    EXPECT_FALSE(ParseHttpDate("Sun, 06 Foo 1994 08:49:37 GMT"));
    EXPECT_FALSE(ParseHttpDate("Sun, 06 Nov 1994 25:49:37 GMT"));
    EXPECT_FALSE(ParseHttpDate("120"));
    EXPECT_FALSE(ParseHttpDate(""));
}

}  // namespace
}  // namespace beacon::core
