#include "storage/backends/local_store.h"

#include <filesystem>

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

}  // namespace
}  // namespace arkiv::storage
