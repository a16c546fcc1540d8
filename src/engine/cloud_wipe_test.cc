// Clouds wiped up to the policy's tolerance are rebuilt by repair, metadata
// included (design.md §20.5): under ec:3+2 (write quorum 4) two wiped clouds
// leave config, keys, index and snapshots on three clouds, fewer than the
// quorum, and the audit must still expect them on the wiped two.
#include <gtest/gtest.h>

#include "engine/cloud_audit.h"
#include "engine/cloud_repair.h"
#include "engine/multi_cloud_test_util.h"

namespace arkiv::engine {
namespace {

using namespace arkiv::testing;

class CloudWipeTest : public MultiCloudTest {
 protected:
  std::set<std::string> NamesButData(const std::string& cloud) {
    std::set<std::string> names;
    for (const auto& [name, size] : Objects(cloud)) {
      if (!name.starts_with("data/") && !name.starts_with("locks/")) names.insert(name);
    }
    return names;
  }
  size_t DataObjects(const std::string& cloud) {
    size_t n = 0;
    for (const auto& [name, size] : Objects(cloud)) n += name.starts_with("data/");
    return n;
  }
};

TEST_F(CloudWipeTest, TwoWipedCloudsOfEc3Plus2AreRebuiltWholeAndCarryARestore) {
  Init("ec:3+2", {"a", "b", "c", "d", "e"});
  BackupVia("a");
  BackupVia("b");  // a second snapshot and index file (ExpectRestores compares both with the source)
  std::set<std::string> metadata = NamesButData("a");
  size_t shards = DataObjects("a");
  ASSERT_GT(shards, 0u);
  Wipe("d");
  Wipe("e");
  {
    auto repo = Open("a");
    ASSERT_TRUE(repo);
    auto placement = PlacementOf(*repo);
    ASSERT_OK_AND_ASSIGN(auto audit, AuditClouds(*repo, *placement, {"", false}));
    EXPECT_EQ(audit.Count(CloudFinding::Kind::kUnexpected), 0u);
    // Every object of a healthy cloud is missing on each wiped one.
    EXPECT_EQ(audit.Count(CloudFinding::Kind::kMissing), 2 * (metadata.size() + shards));
    ASSERT_OK_AND_ASSIGN(auto repaired, RepairClouds(*placement, audit, false));
    EXPECT_EQ(repaired.failed, std::vector<std::string>{});
    ASSERT_OK_AND_ASSIGN(auto after, AuditClouds(*repo, *placement, {"", true}));
    for (const auto& f : after.findings) ADD_FAILURE() << FindingKindName(f.kind) << " " << f.object;
  }
  for (const std::string cloud : {"d", "e"}) {
    EXPECT_EQ(NamesButData(cloud), metadata) << cloud;
    EXPECT_EQ(DataObjects(cloud), shards) << cloud;
  }
  // The rebuilt clouds carry the repository: two others may now go.
  Wipe("a");
  Wipe("b");
  ExpectRestores("d", "from c, d and e after a and b were wiped");
}

}  // namespace
}  // namespace arkiv::engine
