#include "repo/config.h"

#include <fmt/format.h>

#include <cstdint>
#include <nlohmann/json.hpp>

#include "crypto/random.h"
#include "repo/system_info.h"

namespace arkiv::repo {

Config Config::Create() {
  Config config;
  config.id = crypto::RandomId();
  config.created = NowRfc3339();
  Bytes seed = crypto::RandomBytes(8);
  for (uint8_t b : seed) config.chunker.seed = config.chunker.seed << 8 | b;
  return config;
}

Bytes Config::Serialize() const {
  nlohmann::json j{{"version", version},
                   {"id", id.Hex()},
                   {"created", created},
                   {"chunker",
                    {{"min_size", chunker.min_size},
                     {"avg_size", chunker.avg_size},
                     {"max_size", chunker.max_size},
                     {"seed", chunker.seed}}},
                   {"compression_level", compression_level},
                   {"pack_size", pack_size}};
  return ToBytes(j.dump(2) + "\n");
}

// A function-try-block: json::value() throws when a field has another type.
Result<Config> Config::Parse(ByteView bytes) try {
  auto j = nlohmann::json::parse(AsString(bytes), nullptr, false);
  auto bad = [](std::string_view why) { return Fail(Code::kDataLoss, fmt::format("config is malformed: {}", why)); };
  if (!j.is_object()) return bad("not a JSON object");
  if (!j.contains("version") || !j["version"].is_number_integer()) return bad("no version");
  // Read as 64 bits: a huge version must not truncate into a supported one.
  int64_t version = j["version"].is_number_unsigned() && j["version"].get<uint64_t>() > INT64_MAX
                        ? INT64_MAX
                        : j["version"].get<int64_t>();
  if (version > kRepositoryVersion) {
    return Fail(Code::kFailedPrecondition,
                fmt::format("repository format version {} is newer than this arkiv supports ({}): upgrade arkiv",
                            version, kRepositoryVersion));
  }
  if (version < 1) return bad("bad version");
  Config config;
  config.version = static_cast<int>(version);
  // json::value() throws on a field of another type: check types first.
  if (!j.contains("id") || !j["id"].is_string()) return bad("bad id");
  auto id = Id::Parse(j["id"].get<std::string>());
  if (!id) return bad("bad id");
  config.id = *id;
  if (j.contains("created")) {
    if (!j["created"].is_string()) return bad("bad created");
    config.created = j["created"].get<std::string>();
  }
  if (!j.contains("chunker") || !j["chunker"].is_object()) return bad("bad chunker");
  const auto& c = j["chunker"];
  for (const char* f : {"min_size", "avg_size", "max_size", "seed"}) {
    if (!c.contains(f) || !c[f].is_number_unsigned()) return bad(fmt::format("chunker.{} missing", f));
  }
  for (const char* f : {"min_size", "avg_size", "max_size"}) {
    if (c[f].get<uint64_t>() > UINT32_MAX) return bad(fmt::format("chunker.{} out of range", f));
  }
  config.chunker.min_size = c["min_size"].get<uint32_t>();
  config.chunker.avg_size = c["avg_size"].get<uint32_t>();
  config.chunker.max_size = c["max_size"].get<uint32_t>();
  config.chunker.seed = c["seed"].get<uint64_t>();
  if (!config.chunker.Validate()) return bad("chunker sizes out of range");
  if (!j.contains("compression_level") || !j["compression_level"].is_number_integer()) return bad("no compression");
  int64_t level = j["compression_level"].get<int64_t>();
  if (level < 0 || level > 22) return bad("compression level out of range");
  config.compression_level = static_cast<int>(level);
  if (!j.contains("pack_size") || !j["pack_size"].is_number_unsigned()) return bad("no pack_size");
  uint64_t pack_size = j["pack_size"].get<uint64_t>();
  if (pack_size < (64u << 10) || pack_size > (1u << 30)) return bad("pack_size out of range");
  config.pack_size = static_cast<uint32_t>(pack_size);
  return config;
} catch (const nlohmann::json::exception& e) {
  return Fail(Code::kDataLoss, fmt::format("config is malformed: {}", e.what()));
}

}  // namespace arkiv::repo
