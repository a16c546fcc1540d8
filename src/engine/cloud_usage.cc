#include "engine/cloud_usage.h"

#include <algorithm>
#include <utility>

namespace arkiv::engine {

Result<CloudUsage> CloudUsageOf(storage::Store& store, size_t keep_largest) {
  CloudUsage usage;
  std::vector<std::pair<uint64_t, std::string>> largest;  // a min-heap by size
  auto smaller_on_top = [](const auto& a, const auto& b) { return a.first > b.first; };
  RETURN_IF_ERROR(store.List("", [&](const storage::ObjectInfo& info) -> Status {
    if (info.name.starts_with("locks/")) return OkStatus();
    if (!info.name.starts_with("data/")) {
      usage.other_bytes += info.size;
      return OkStatus();
    }
    usage.data_bytes += info.size;
    usage.data_objects++;
    if (keep_largest == 0) return OkStatus();
    largest.emplace_back(info.size, info.name);
    std::push_heap(largest.begin(), largest.end(), smaller_on_top);
    if (largest.size() > keep_largest) {
      std::pop_heap(largest.begin(), largest.end(), smaller_on_top);
      largest.pop_back();
    }
    return OkStatus();
  }));
  std::sort(largest.begin(), largest.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  for (auto& [size, name] : largest) usage.largest_data.push_back(std::move(name));
  return usage;
}

}  // namespace arkiv::engine
