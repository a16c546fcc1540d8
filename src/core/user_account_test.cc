#include "core/user_account.h"

#include <gtest/gtest.h>

namespace arkiv {
namespace {

TEST(UserAccountTest, RootIsUidZeroWithItsHome) {
  auto root = LookUpUser(0);
  ASSERT_TRUE(root.has_value());
  EXPECT_EQ(root->name, "root");
  EXPECT_EQ(root->home, "/root");
}

TEST(UserAccountTest, UnknownUidIsNone) {
  // Far above any uid a system or LDAP directory hands out.
  EXPECT_FALSE(LookUpUser(static_cast<uid_t>(4000000000u)).has_value());
}

}  // namespace
}  // namespace arkiv
