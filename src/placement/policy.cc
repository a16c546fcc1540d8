#include "placement/policy.h"

#include <fmt/format.h>

#include <charconv>
#include <optional>

namespace arkiv::placement {
namespace {

std::optional<int> ParseSmallInt(std::string_view text) {
  int value = 0;
  if (text.empty() || text.size() > 3) return std::nullopt;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

std::string Policy::ToString() const {
  if (!erasure()) return "replicate";
  return fmt::format("ec:{}+{}", k, m);
}

Result<Policy> ParsePolicy(std::string_view text) {
  if (text == "replicate") return Policy{};
  auto bad = [&](std::string_view why) {
    return Fail(Code::kInvalidArgument,
                fmt::format("policy '{}': {} (use 'replicate' or 'ec:K+M', e.g. ec:2+1)", text, why));
  };
  if (!text.starts_with("ec:")) return bad("unknown policy");
  std::string_view rest = text.substr(3);
  size_t plus = rest.find('+');
  if (plus == std::string_view::npos) return bad("expected K+M after 'ec:'");
  auto k = ParseSmallInt(rest.substr(0, plus));
  auto m = ParseSmallInt(rest.substr(plus + 1));
  if (!k || !m) return bad("K and M must be whole numbers");
  if (*k < 1) return bad("K must be at least 1");
  if (*m < 1) return bad("M must be at least 1 (with no parity, a lost cloud loses data)");
  if (*k + *m > kMaxShards) return bad(fmt::format("K+M must be at most {}", kMaxShards));
  return Policy{Policy::Kind::kErasure, *k, *m};
}

Result<int> EffectiveWriteQuorum(const Policy& policy, int clouds, int requested) {
  int low = policy.MinimumCopies();
  if (requested == 0) return std::max(low, clouds - 1);
  if (requested < low || requested > clouds) {
    return Fail(Code::kInvalidArgument,
                fmt::format("write_quorum {} is outside [{}, {}] for policy {} over {} clouds", requested, low, clouds,
                            policy.ToString(), clouds));
  }
  return requested;
}

}  // namespace arkiv::placement
