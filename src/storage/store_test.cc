#include "storage/store.h"

#include <gtest/gtest.h>

#include "core/status_test_util.h"

namespace arkiv::storage {
namespace {

TEST(ValidateObjectNameTest, AcceptsOrdinaryAndUnusualNames) {
  const std::string_view good[] = {
      "config",
      "data/ab/ab12cd",
      "a.b",
      "..a",      // only exactly "." and ".." are special
      "a..",
      ".hidden",  // a dot file, but not the reserved ".arkiv-" space
      ".arkiv",   // the reserved prefix is ".arkiv-"
      "x/arkiv-tmp",
      "caf\xc3\xa9",             // U+00E9
      "\xef\xbf\xbf",            // U+FFFF
      "\xf4\x8f\xbf\xbf",        // U+10FFFF, the last code point
      "\xe2\x80\x8b",            // zero-width space: valid, if unwise
  };
  for (std::string_view name : good) EXPECT_TRUE(ValidateObjectName(name)) << name;
  EXPECT_TRUE(ValidateObjectName(std::string(255, 'x')));
  EXPECT_TRUE(ValidateObjectName(std::string(255, 'x') + "/" + std::string(255, 'y')));
}

TEST(ValidateObjectNameTest, RejectsMalformedNames) {
  const std::string_view bad[] = {
      "",
      "/a",
      "a/",
      "a//b",
      ".",
      "a/./b",
      "a/..",
      "a\\b",
      "a\tb",
      "\x7f",
      ".arkiv-",
      "x/.arkiv-tmp-0123",
      "\x80",              // continuation byte without a lead
      "\xc3",              // truncated
      "\xe6\x97",          // truncated
      "\xc1\xbf",          // overlong
      "\xe0\x80\xaf",      // overlong
      "\xed\xbf\xbf",      // surrogate
      "\xf5\x80\x80\x80",  // above U+10FFFF
      "\xf8\x88\x80\x80\x80",
  };
  for (std::string_view name : bad) {
    auto st = ValidateObjectName(name);
    EXPECT_EQ(CodeOf(st), Code::kInvalidArgument) << name;
  }
  EXPECT_EQ(CodeOf(ValidateObjectName(std::string(256, 'x'))), Code::kInvalidArgument);
  EXPECT_EQ(CodeOf(ValidateObjectName(std::string(5, 'a') + '\0')), Code::kInvalidArgument);
  std::string long_name;
  while (long_name.size() <= 1024) long_name += "abcdefgh/";
  long_name += "z";
  EXPECT_EQ(CodeOf(ValidateObjectName(long_name)), Code::kInvalidArgument);
}

}  // namespace
}  // namespace arkiv::storage
