#include "core/posix_error.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>

namespace arkiv {
namespace {

TEST(PosixErrorTest, MapsErrnoToWhatTheCallerShouldDo) {
  const std::pair<int, Code> cases[] = {
      {ENOENT, Code::kNotFound},
      {ENOTDIR, Code::kNotFound},
      {EACCES, Code::kPermissionDenied},
      {EPERM, Code::kPermissionDenied},
      {EROFS, Code::kPermissionDenied},
      {EEXIST, Code::kAlreadyExists},
      {ENOSPC, Code::kResourceExhausted},
      {EDQUOT, Code::kResourceExhausted},
      {EMFILE, Code::kResourceExhausted},
      {ENOMEM, Code::kResourceExhausted},
      {EINTR, Code::kUnavailable},
      {EAGAIN, Code::kUnavailable},
      {ETIMEDOUT, Code::kUnavailable},
      {EIO, Code::kDataLoss},
      {EINVAL, Code::kInvalidArgument},
      {ENAMETOOLONG, Code::kInvalidArgument},
      {ELOOP, Code::kInvalidArgument},
      {EXDEV, Code::kInternal},  // anything unexpected is a bug to report
      {0, Code::kInternal},
  };
  for (const auto& [err, code] : cases) {
    EXPECT_EQ(PosixError(err, "op").code(), code) << "errno " << err << " (" << std::strerror(err) << ")";
  }
}

TEST(PosixErrorTest, RetryableExactlyForTransientErrors) {
  EXPECT_TRUE(PosixError(EAGAIN, "op").retryable());
  EXPECT_TRUE(PosixError(ENOSPC, "op").retryable());
  EXPECT_FALSE(PosixError(ENOENT, "op").retryable());
  EXPECT_FALSE(PosixError(EACCES, "op").retryable());
  EXPECT_FALSE(PosixError(EIO, "op").retryable());
}

TEST(PosixErrorTest, MessageNamesOperationAndReason) {
  Error e = PosixError(ENOENT, "open /srv/x");
  EXPECT_EQ(e.message(), std::string("open /srv/x: ") + std::strerror(ENOENT));
  auto failed = FailErrno(EACCES, "write /srv/y");
  EXPECT_EQ(failed.error().code(), Code::kPermissionDenied);
  EXPECT_NE(failed.error().message().find("write /srv/y"), std::string::npos);
}

}  // namespace
}  // namespace arkiv
