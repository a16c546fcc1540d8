#include "placement/repair_debt.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

namespace arkiv::placement {

Bytes DebtRecord::Serialize() const {
  nlohmann::json missing = nlohmann::json::array(), removed = nlohmann::json::array();
  for (const auto& e : entries) {
    (e.op == DebtOp::kRemove ? removed : missing).push_back({{"object", e.object}, {"cloud", e.cloud}});
  }
  nlohmann::json j = {{"version", 1}, {"time_ns", time_ns}, {"host", host}, {"missing", missing}};
  // Absent when empty: records without removes stay byte for byte what
  // earlier versions wrote.
  if (!removed.empty()) j["removed"] = removed;
  std::string text = j.dump();
  return Bytes(text.begin(), text.end());
}

Result<DebtRecord> DebtRecord::Parse(ByteView bytes) {
  auto bad = [](std::string_view why) { return Fail(Code::kDataLoss, fmt::format("repair record: {}", why)); };
  nlohmann::json j = nlohmann::json::parse(bytes.begin(), bytes.end(), nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return bad("not a JSON object");
  if (!j.contains("version") || !j["version"].is_number_integer() || j["version"].get<int64_t>() != 1) {
    return bad("unknown version");
  }
  DebtRecord record;
  if (j.contains("time_ns") && j["time_ns"].is_number_integer()) record.time_ns = j["time_ns"].get<int64_t>();
  if (j.contains("host") && j["host"].is_string()) record.host = j["host"].get<std::string>();
  if (!j.contains("missing") || !j["missing"].is_array()) return bad("no 'missing' list");
  if (j.contains("removed") && !j["removed"].is_array()) return bad("'removed' is not a list");
  for (const auto& [key, op] : {std::pair{"missing", DebtOp::kPlace}, std::pair{"removed", DebtOp::kRemove}}) {
    if (!j.contains(key)) continue;
    for (const auto& e : j[key]) {
      if (!e.is_object() || !e.contains("object") || !e["object"].is_string() || !e.contains("cloud") ||
          !e["cloud"].is_string()) {
        return bad(fmt::format("an entry of '{}' lacks 'object' or 'cloud'", key));
      }
      record.entries.push_back({e["object"].get<std::string>(), e["cloud"].get<std::string>(), op});
    }
  }
  return record;
}

bool DebtRecord::HasRemovals() const {
  return std::any_of(entries.begin(), entries.end(), [](const DebtEntry& e) { return e.op == DebtOp::kRemove; });
}

}  // namespace arkiv::placement
