#include "core/status.h"

#include <gtest/gtest.h>

#include <memory>

namespace arkiv {
namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) return Fail(Code::kInvalidArgument, "odd");
  return x / 2;
}

Result<int> Quarter(int x) {
  ASSIGN_OR_RETURN(int half, Half(x));
  ASSIGN_OR_RETURN(int quarter, Half(half));
  return quarter;
}

Status CheckEven(int x) {
  RETURN_IF_ERROR(Half(x));
  return OkStatus();
}

Result<std::unique_ptr<int>> MakeBox(int x) { return std::make_unique<int>(x); }

Result<int> Unbox(int x) {
  ASSIGN_OR_RETURN(auto box, MakeBox(x));  // move-only values pass through
  return *box;
}

TEST(StatusTest, MacrosPropagateErrorsAndValues) {
  EXPECT_EQ(*Quarter(12), 3);
  auto odd = Quarter(6);
  ASSERT_FALSE(odd);
  EXPECT_EQ(odd.error().code(), Code::kInvalidArgument);
  EXPECT_TRUE(CheckEven(4));
  EXPECT_EQ(CheckEven(5).error().message(), "odd");
  EXPECT_EQ(*Unbox(9), 9);
}

TEST(StatusTest, ContextPrefixesMessageAndKeepsCode) {
  Error e(Code::kNotFound, "object x not found");
  Error c = e.Context("reading snapshot");
  EXPECT_EQ(c.code(), Code::kNotFound);
  EXPECT_EQ(c.message(), "reading snapshot: object x not found");
  auto r = WithContext(Half(3), "halving");
  EXPECT_EQ(r.error().message(), "halving: odd");
  EXPECT_EQ(*WithContext(Half(4), "halving"), 2);
}

TEST(StatusTest, OnlyTransientCodesAreRetryable) {
  for (int i = static_cast<int>(Code::kOk); i <= static_cast<int>(Code::kRepositoryNotFound); ++i) {
    Code code = static_cast<Code>(i);
    bool expected = code == Code::kUnavailable || code == Code::kResourceExhausted;
    EXPECT_EQ(Error(code, "").retryable(), expected) << CodeName(code);
    EXPECT_NE(CodeName(code), "unknown");
  }
}

}  // namespace
}  // namespace arkiv
