#include "storage/backends/local_store.h"

#include <filesystem>

#include "core/status_test_util.h"
#include "storage/testing/conformance.h"

ARKIV_STORE_CONFORMANCE(Local, [] {
  return std::make_shared<arkiv::storage::LocalStore>(arkiv::storage::testing::MakeTempDir("local"));
});

namespace arkiv::storage {
namespace {

TEST(LocalStoreTest, TemporaryFilesAreInvisible) {
  std::string dir = testing::MakeTempDir("tmpfiles");
  LocalStore store(dir);
  ASSERT_TRUE(store.Put("data/aa/x", AsBytes("hello")));
  // A crash mid-put leaves a temporary file behind: it must not be listed.
  std::FILE* f = std::fopen((dir + "/data/aa/.arkiv-tmp-dead").c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fputs("partial", f);
  std::fclose(f);
  std::vector<std::string> names;
  ASSERT_TRUE(store.List("data/", [&](const ObjectInfo& info) {
    names.push_back(info.name);
    return OkStatus();
  }));
  EXPECT_EQ(names, std::vector<std::string>{"data/aa/x"});
}

TEST(LocalStoreTest, NameThatIsADirectoryOfObjectsIsAPreconditionFailure) {
  LocalStore store(testing::MakeTempDir("conflict"));
  ASSERT_TRUE(store.Put("a/b", AsBytes("deep")));
  // "a" is a directory holding "a/b": a file cannot take its place.
  EXPECT_EQ(CodeOf(store.Put("a", AsBytes("flat"))), Code::kFailedPrecondition);
  EXPECT_EQ(CodeOf(store.Put("a", AsBytes("flat"), PutMode::kCreateOnly)), Code::kFailedPrecondition);
  // And an object cannot become a directory.
  ASSERT_TRUE(store.Put("f", AsBytes("file")));
  EXPECT_EQ(CodeOf(store.Put("f/g", AsBytes("below"))), Code::kFailedPrecondition);
  EXPECT_EQ(*store.Get("a/b"), ToBytes("deep"));
  EXPECT_EQ(*store.Get("f"), ToBytes("file"));
}

TEST(LocalStoreTest, FailedPutLeavesNoTemporaryFile) {
  std::string dir = testing::MakeTempDir("failedput");
  LocalStore store(dir);
  ASSERT_TRUE(store.Put("a/b", AsBytes("deep")));
  ASSERT_FALSE(store.Put("a", AsBytes("flat")));
  size_t entries = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::recursive_directory_iterator(dir)) ++entries;
  EXPECT_EQ(entries, 2u);  // the directory a and the file a/b
}

}  // namespace
}  // namespace arkiv::storage
