// ChangeWhileRead: what a backup says about a file that changed between the
// listing (lstat) and the end of its read (fstat of the open file).
#include "engine/file_metadata.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "engine/engine_test_util.h"

namespace arkiv::engine {
namespace {

using arkiv::testing::SetMtime;
using arkiv::testing::TempDir;
using arkiv::testing::WriteFile;

class ChangeWhileReadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_ / "f";
    WriteFile(path_, "0123456789");
    SetMtime(path_, 1'600'000'000'000'000'000);
    listed_ = NodeFromStat("f", arkiv::testing::Lstat(path_));
    fd_ = ::open(path_.c_str(), O_RDONLY);
    ASSERT_GE(fd_, 0);
  }
  void TearDown() override { ::close(fd_); }

  std::string After(uint64_t bytes_read) {
    struct stat st{};
    EXPECT_EQ(::fstat(fd_, &st), 0);
    return ChangeWhileRead(listed_, st, bytes_read);
  }

  TempDir dir_;
  std::string path_;
  repo::Node listed_;
  int fd_ = -1;
};

TEST_F(ChangeWhileReadTest, AnUntouchedFileReadWholeIsUnchanged) {
  EXPECT_EQ(After(10), "");
}

TEST_F(ChangeWhileReadTest, AFileThatGrewIsReported) {
  WriteFile(path_, "0123456789 and more");
  EXPECT_EQ(After(19), "size changed: 10 bytes when listed, 19 read, 19 after");
}

TEST_F(ChangeWhileReadTest, AFileThatShrankIsReported) {
  ASSERT_EQ(::truncate(path_.c_str(), 4), 0);
  EXPECT_EQ(After(4), "size changed: 10 bytes when listed, 4 read, 4 after");
}

TEST_F(ChangeWhileReadTest, ReadingFewerBytesThanListedIsReportedEvenIfTheSizeCameBack) {
  EXPECT_EQ(After(7), "size changed: 10 bytes when listed, 7 read, 10 after");
}

TEST_F(ChangeWhileReadTest, ContentRewrittenInPlaceAtTheSameSizeIsReported) {
  int fd = ::open(path_.c_str(), O_WRONLY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::pwrite(fd, "XY", 2, 3), 2);
  ::close(fd);
  EXPECT_EQ(After(10), "modified while it was read");
}

TEST_F(ChangeWhileReadTest, MtimeSetBackStillShowsInTheCtime) {
  int fd = ::open(path_.c_str(), O_WRONLY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::pwrite(fd, "XY", 2, 3), 2);
  ::close(fd);
  SetMtime(path_, listed_.mtime_ns);  // as `touch -r` would hide it
  EXPECT_EQ(After(10), "modified while it was read");
}

TEST_F(ChangeWhileReadTest, AFileReplacedUnderItsNameIsReported) {
  // Between the listing and the open another file took the name: what was
  // opened (and read) is the new file.
  WriteFile(dir_ / "g", "0123456789");
  ASSERT_EQ(::rename((dir_ / "g").c_str(), path_.c_str()), 0);
  struct stat now = arkiv::testing::Lstat(path_);
  EXPECT_EQ(ChangeWhileRead(listed_, now, 10), "replaced by another file");
}

}  // namespace
}  // namespace arkiv::engine
