#include "repo/snapshot.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "repo/system_info.h"

namespace arkiv::repo {

using nlohmann::json;

Bytes Snapshot::Serialize() const {
  const auto& s = summary;
  json j{{"time", FormatRfc3339(time_ns)},
         {"host", host},
         {"user", user},
         {"paths", paths},
         {"tags", tags},
         {"tree", tree.Hex()},
         {"program_version", program_version},
         {"summary",
          {{"files_new", s.files_new},
           {"files_changed", s.files_changed},
           {"files_unchanged", s.files_unchanged},
           {"dirs", s.dirs},
           {"files_failed", s.files_failed},
           {"bytes_processed", s.bytes_processed},
           {"bytes_total", s.bytes_total},
           {"blobs_added", s.blobs_added},
           {"bytes_added", s.bytes_added},
           {"bytes_stored", s.bytes_stored},
           {"duration_seconds", s.duration_seconds}}}};
  if (parent) j["parent"] = parent->Hex();
  return ToBytes(j.dump());
}

// A function-try-block: json::value() throws when a field has another type.
Result<Snapshot> Snapshot::Parse(ByteView bytes) try {
  auto j = json::parse(AsString(bytes), nullptr, false);
  auto bad = [](const char* why) { return Fail(Code::kDataLoss, std::string("snapshot is malformed: ") + why); };
  if (!j.is_object()) return bad("not an object");
  Snapshot snap;
  if (!j.contains("time") || !j["time"].is_string()) return bad("no time");
  snap.time_ns = ParseRfc3339(j["time"].get<std::string>());
  if (snap.time_ns < 0) return bad("bad time");
  auto tree = j.contains("tree") && j["tree"].is_string() ? Id::Parse(j["tree"].get<std::string>()) : std::nullopt;
  if (!tree) return bad("bad tree id");
  snap.tree = *tree;
  if (j.contains("parent")) {
    auto parent = j["parent"].is_string() ? Id::Parse(j["parent"].get<std::string>()) : std::nullopt;
    if (!parent) return bad("bad parent id");
    snap.parent = *parent;
  }
  auto strings = [&](const char* key, std::vector<std::string>& out) -> bool {
    if (!j.contains(key)) return true;
    if (!j[key].is_array()) return false;
    for (const auto& v : j[key]) {
      if (!v.is_string()) return false;
      out.push_back(v.get<std::string>());
    }
    return true;
  };
  if (!strings("paths", snap.paths) || !strings("tags", snap.tags)) return bad("paths or tags");
  snap.host = j.value("host", "");
  snap.user = j.value("user", "");
  snap.program_version = j.value("program_version", "");
  if (j.contains("summary") && j["summary"].is_object()) {
    const auto& s = j["summary"];
    auto num = [&](const char* key) { return s.contains(key) && s[key].is_number_unsigned() ? s[key].get<uint64_t>() : 0; };
    snap.summary.files_new = num("files_new");
    snap.summary.files_changed = num("files_changed");
    snap.summary.files_unchanged = num("files_unchanged");
    snap.summary.dirs = num("dirs");
    snap.summary.files_failed = num("files_failed");
    snap.summary.bytes_processed = num("bytes_processed");
    snap.summary.bytes_total = num("bytes_total");
    snap.summary.blobs_added = num("blobs_added");
    snap.summary.bytes_added = num("bytes_added");
    snap.summary.bytes_stored = num("bytes_stored");
    if (s.contains("duration_seconds") && s["duration_seconds"].is_number()) {
      snap.summary.duration_seconds = s["duration_seconds"].get<double>();
    }
  }
  return snap;
} catch (const nlohmann::json::exception& e) {
  return Fail(Code::kDataLoss, std::string("snapshot is malformed: ") + e.what());
}

bool Snapshot::HasTag(std::string_view tag) const { return std::find(tags.begin(), tags.end(), tag) != tags.end(); }

}  // namespace arkiv::repo
