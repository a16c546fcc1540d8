// Tree::Parse on a tree blob's plaintext (JSON). Properties: every parsed
// name is safe to create in a restore target and unique; Serialize then
// Parse gives the same nodes (sorted by name), and serializing that again
// gives the same bytes.
#include <algorithm>
#include <set>

#include "fuzz/fuzz_common.h"
#include "repo/tree.h"

using namespace arkiv;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto tree = repo::Tree::Parse(ByteView(data, size));
  if (!tree) return 0;
  std::set<std::string> names;
  for (const auto& node : tree->nodes) {
    FUZZ_CHECK(repo::IsSafeName(node.name));
    FUZZ_CHECK(names.insert(node.name).second);
  }
  Bytes serialized = tree->Serialize();
  auto reparsed = repo::Tree::Parse(serialized);
  FUZZ_CHECK(reparsed.has_value());
  auto sorted = tree->nodes;
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  FUZZ_CHECK(reparsed->nodes == sorted);
  FUZZ_CHECK(reparsed->Serialize() == serialized);
  return 0;
}
