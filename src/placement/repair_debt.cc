#include "placement/repair_debt.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace arkiv::placement {

Bytes DebtRecord::Serialize() const {
  nlohmann::json entries_json = nlohmann::json::array();
  for (const auto& e : entries) entries_json.push_back({{"object", e.object}, {"cloud", e.cloud}});
  nlohmann::json j = {{"version", 1}, {"time_ns", time_ns}, {"host", host}, {"missing", entries_json}};
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
  for (const auto& e : j["missing"]) {
    if (!e.is_object() || !e.contains("object") || !e["object"].is_string() || !e.contains("cloud") ||
        !e["cloud"].is_string()) {
      return bad("an entry lacks 'object' or 'cloud'");
    }
    record.entries.push_back({e["object"].get<std::string>(), e["cloud"].get<std::string>()});
  }
  return record;
}

}  // namespace arkiv::placement
