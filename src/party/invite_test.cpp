#include "party/invite.hpp"

#include <gtest/gtest.h>

namespace beacon::party {
namespace {

const std::string kSecret(32, 'k');

TEST(InviteSigner, AcceptsItsOwnTokenForThatPartyUntilItExpires) {
    InviteSigner s(kSecret);
    auto t = s.Issue("abc", 2000);
    EXPECT_TRUE(s.Check(t, "abc", 1999).ok());
    auto expired = s.Check(t, "abc", 2000);
    ASSERT_FALSE(expired.ok());
    EXPECT_EQ(expired.error().code, core::ErrorCode::kUnauthorized);
}

TEST(InviteSigner, RefusesAnotherPartyAForgeryAndAnotherServersKey) {
    InviteSigner s(kSecret);
    auto t = s.Issue("abc", 5000);
    EXPECT_FALSE(s.Check(t, "abd", 1).ok());
    // Moving the expiry or the party breaks the signature.
    std::string later = t;
    later.replace(later.find(".5000."), 6, ".9000.");
    EXPECT_FALSE(s.Check(later, "abc", 1).ok());
    std::string other = t;
    other.replace(4, 3, "abd");
    EXPECT_FALSE(s.Check(other, "abd", 1).ok());
    InviteSigner elsewhere(std::string(32, 'x'));
    EXPECT_FALSE(elsewhere.Check(t, "abc", 1).ok());
    EXPECT_FALSE(s.Check("", "abc", 1).ok());
    EXPECT_FALSE(s.Check("pi1.abc.x.y", "abc", 1).ok());
}

}  // namespace
}  // namespace beacon::party
