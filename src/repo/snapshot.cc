#include "repo/snapshot.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/hex.h"
#include "repo/system_info.h"

namespace arkiv::repo {

using nlohmann::json;

namespace {

// Paths and tags are bytes: when one is not UTF-8, the list is also stored
// exactly as "<key>_b64" (base64 of each), which Parse prefers; "<key>"
// then shows it with U+FFFD for the invalid bytes.
void PutStrings(json& j, const char* key, const std::vector<std::string>& values) {
  j[key] = values;
  if (std::all_of(values.begin(), values.end(), [](const std::string& v) { return IsValidUtf8(v); })) return;
  json encoded = json::array();
  for (const auto& v : values) encoded.push_back(Base64Encode(AsBytes(v)));
  j[std::string(key) + "_b64"] = std::move(encoded);
}

bool GetStrings(const json& j, const char* key, std::vector<std::string>& out) {
  std::string b64_key = std::string(key) + "_b64";
  bool encoded = j.contains(b64_key);
  if (!encoded && !j.contains(key)) return true;
  const json& list = encoded ? j[b64_key] : j[key];
  if (!list.is_array()) return false;
  for (const auto& v : list) {
    if (!v.is_string()) return false;
    if (!encoded) {
      out.push_back(v.get<std::string>());
      continue;
    }
    auto raw = Base64Decode(v.get<std::string>());
    if (!raw) return false;
    out.emplace_back(AsString(*raw));
  }
  return true;
}

}  // namespace

Bytes Snapshot::Serialize() const {
  const auto& s = summary;
  json j{{"time", FormatRfc3339(time_ns)},
         {"host", host},
         {"user", user},
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
  PutStrings(j, "paths", paths);
  PutStrings(j, "tags", tags);
  if (parent) j["parent"] = parent->Hex();
  // Replace, not throw, on invalid UTF-8 left in host, user or the shown lists.
  return ToBytes(j.dump(-1, ' ', false, json::error_handler_t::replace));
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
  if (!GetStrings(j, "paths", snap.paths) || !GetStrings(j, "tags", snap.tags)) return bad("paths or tags");
  // json::value() throws on a field of another type: check types first.
  for (auto [key, out] : {std::pair{"host", &snap.host}, std::pair{"user", &snap.user},
                          std::pair{"program_version", &snap.program_version}}) {
    if (!j.contains(key)) continue;
    if (!j[key].is_string()) return bad("host, user and program_version must be strings");
    *out = j[key].get<std::string>();
  }
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
