#include "engine/restore_plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <numeric>
#include <unordered_map>

namespace arkiv::engine {
namespace {

constexpr uint32_t kNotIndexed = std::numeric_limits<uint32_t>::max();

// A blob reference before the blobs are sorted: `blob` is the slot of the
// blob in the order it was first met.
struct Reference {
  uint32_t blob;
  uint32_t file;
  uint64_t offset;
};

void CutRuns(RestorePlan& plan, const RunLimits& limits) {
  uint64_t run_plain = 0;  // opened bytes of the last run
  for (uint32_t i = 0; i < plan.blobs.size(); ++i) {
    const PlannedBlob& blob = plan.blobs[i];
    uint64_t start = blob.entry.offset, end = start + blob.entry.length;
    if (!plan.runs.empty()) {
      PackRun& run = plan.runs.back();
      uint64_t run_end = run.offset + run.length;
      bool joins = run.pack == blob.pack && start >= run_end && start - run_end <= limits.max_gap &&
                   end - run.offset <= limits.max_span && run_plain + blob.entry.raw_length <= limits.max_plain;
      if (joins) {
        run.blob_count++;
        run.length = end - run.offset;
        run_plain += blob.entry.raw_length;
        continue;
      }
    }
    plan.runs.push_back({blob.pack, i, 1, start, end - start});
    run_plain = blob.entry.raw_length;
  }
}

}  // namespace

RestorePlan PlanRestore(const repo::Index& index, const std::vector<const std::vector<Id>*>& contents,
                        const RunLimits& limits) {
  RestorePlan plan;
  plan.files.resize(contents.size());
  std::unordered_map<Id, uint32_t, IdHash> slot_of;  // blob id -> slot, or kNotIndexed
  std::unordered_map<Id, uint32_t, IdHash> pack_of;
  std::vector<PlannedBlob> by_slot;
  std::vector<Reference> references;

  for (uint32_t f = 0; f < contents.size(); ++f) {
    const std::vector<Id>& content = *contents[f];
    PlannedFile& file = plan.files[f];
    // All blobs first: a file that cannot be restored whole is not planned.
    for (const Id& id : content) {
      auto [it, inserted] = slot_of.try_emplace(id, kNotIndexed);
      if (inserted) {
        auto location = index.Find(id);
        if (!location) {
          plan.errors.emplace_back(f, Error(Code::kNotFound, fmt::format("blob {} is not in the index", id.Hex())));
          file.missing = true;
          break;
        }
        auto [pack, new_pack] = pack_of.try_emplace(location->pack, static_cast<uint32_t>(plan.packs.size()));
        if (new_pack) plan.packs.push_back(location->pack);
        it->second = static_cast<uint32_t>(by_slot.size());
        by_slot.push_back(PlannedBlob{pack->second, location->entry, 0, 0});
      } else if (it->second == kNotIndexed) {
        plan.errors.emplace_back(f, Error(Code::kNotFound, fmt::format("blob {} is not in the index", id.Hex())));
        file.missing = true;
        break;
      }
    }
    if (file.missing) continue;
    for (const Id& id : content) {
      uint32_t slot = slot_of.at(id);
      references.push_back({slot, f, file.size});
      file.size += by_slot[slot].entry.raw_length;
      file.pieces++;
    }
  }

  // Blobs in (pack, offset) order; packs in the order files first need them,
  // so that files complete roughly in walk order.
  std::vector<uint32_t> order(by_slot.size());
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    return std::pair(by_slot[a].pack, by_slot[a].entry.offset) < std::pair(by_slot[b].pack, by_slot[b].entry.offset);
  });
  std::vector<uint32_t> position(by_slot.size());
  plan.blobs.reserve(by_slot.size());
  for (uint32_t i = 0; i < order.size(); ++i) {
    position[order[i]] = i;
    plan.blobs.push_back(by_slot[order[i]]);
  }
  by_slot = {};

  for (auto& r : references) r.blob = position[r.blob];
  std::sort(references.begin(), references.end(), [](const Reference& a, const Reference& b) {
    return std::tie(a.blob, a.file, a.offset) < std::tie(b.blob, b.file, b.offset);
  });
  plan.places.reserve(references.size());
  for (uint32_t i = 0; i < references.size(); ++i) {
    PlannedBlob& blob = plan.blobs[references[i].blob];
    if (blob.place_count == 0) blob.first_place = i;
    blob.place_count++;
    plan.places.push_back({references[i].file, references[i].offset});
  }
  CutRuns(plan, limits);
  return plan;
}

}  // namespace arkiv::engine
