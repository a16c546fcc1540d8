// Tree::Parse on a tree blob's plaintext (JSON). Properties: every parsed
// name is safe to create in a restore target and unique; Serialize then
// Parse gives the same nodes (sorted by name), and serializing that again
// gives the same bytes. ParseTreeBlob (either form) agrees with Tree::Parse
// on plain trees; a page list it accepts names 2 or more distinct pages and
// serializes back to bytes it parses to the same list.
#include <algorithm>
#include <set>
#include <variant>

#include "fuzz/fuzz_common.h"
#include "repo/tree.h"

using namespace arkiv;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto tree = repo::Tree::Parse(ByteView(data, size));
  auto blob = repo::ParseTreeBlob(ByteView(data, size));
  if (blob && std::holds_alternative<repo::PageList>(*blob)) {
    const auto& pages = std::get<repo::PageList>(*blob).pages;
    FUZZ_CHECK(!tree.has_value());  // readers before pages refuse it
    FUZZ_CHECK(pages.size() >= 2);
    FUZZ_CHECK(std::set<Id>(pages.begin(), pages.end()).size() == pages.size());
    auto again = repo::ParseTreeBlob(std::get<repo::PageList>(*blob).Serialize());
    FUZZ_CHECK(again.has_value() && std::get<repo::PageList>(*again).pages == pages);
    return 0;
  }
  FUZZ_CHECK(blob.has_value() == tree.has_value());
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
