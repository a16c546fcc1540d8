#include "repo/prune_marker.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "repo/system_info.h"

namespace arkiv::repo {

// Bounds what a damaged or hostile marker can make us allocate.
constexpr size_t kMaxMarkerPacks = 10'000'000;

Bytes PruneMarker::Serialize() const {
  nlohmann::json j{{"time", FormatRfc3339(time_ns)}, {"window_ns", window_ns}, {"host", host}, {"packs", packs}};
  return ToBytes(j.dump());
}

// A function-try-block: json accessors throw when a field has another type.
Result<PruneMarker> PruneMarker::Parse(ByteView bytes) try {
  auto j = nlohmann::json::parse(AsString(bytes), nullptr, false);
  if (!j.is_object() || !j.contains("time") || !j["time"].is_string() || !j.contains("window_ns") ||
      !j["window_ns"].is_number_integer() || !j.contains("packs") || !j["packs"].is_array() ||
      j["packs"].size() > kMaxMarkerPacks) {
    return Fail(Code::kDataLoss, "prune marker is malformed");
  }
  PruneMarker m;
  m.time_ns = ParseRfc3339(j["time"].get<std::string>());
  if (m.time_ns < 0) return Fail(Code::kDataLoss, "prune marker has an unreadable time");
  m.window_ns = j["window_ns"].get<int64_t>();
  if (m.window_ns < 0) return Fail(Code::kDataLoss, "prune marker has a negative window");
  m.host = j.value("host", "");
  for (const auto& p : j["packs"]) {
    auto name = p.get<std::string>();
    if (!(name.starts_with("data/") || name.starts_with("tree/")) || !IdFromName(name)) {
      return Fail(Code::kDataLoss, fmt::format("prune marker names {:?}, which is not a pack", name));
    }
    m.packs.push_back(std::move(name));
  }
  return m;
} catch (const nlohmann::json::exception& e) {
  return Fail(Code::kDataLoss, std::string("prune marker is malformed: ") + e.what());
}

Result<std::vector<StoredPruneMarker>> LoadPruneMarkers(Repository& repo) {
  ASSIGN_OR_RETURN(auto ids, repo.ListFiles(FileKind::kPruneMarker));
  std::vector<StoredPruneMarker> markers;
  for (const Id& id : ids) {
    auto plain = repo.LoadFile(FileKind::kPruneMarker, id);
    if (!plain) {
      if (plain.error().code() == Code::kNotFound) continue;  // swept meanwhile
      return Fail(plain.error());
    }
    auto marker = PruneMarker::Parse(*plain);
    if (!marker) {
      return Fail(marker.error().Context(fmt::format("{}: {}", repo.store().Location(), FileName(FileKind::kPruneMarker, id))));
    }
    markers.push_back({id, std::move(*marker)});
  }
  return markers;
}

std::unordered_set<Id, IdHash> MarkedPackIds(const std::vector<StoredPruneMarker>& markers) {
  std::unordered_set<Id, IdHash> ids;
  for (const auto& m : markers) {
    for (const auto& name : m.marker.packs) ids.insert(*IdFromName(name));
  }
  return ids;
}

}  // namespace arkiv::repo
