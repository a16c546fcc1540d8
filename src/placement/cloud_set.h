// The clouds of a multi-cloud repository and how data is spread over them
// (design.md §20.1). Stored sealed as clouds/<sha256> on every cloud, so any
// one cloud and the password lead to all the others.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/status.h"
#include "placement/policy.h"

namespace arkiv::placement {

struct CloudSpec {
  std::string name;  // [a-z0-9][a-z0-9_-]{0,31}
  std::string url;   // a store URL without secrets
  double read_cost = 1.0;
  friend bool operator==(const CloudSpec&, const CloudSpec&) = default;
};

// A change of the cloud set staged by `cloud add` / `cloud remove` and not
// yet carried out: `rebalance` moves the data to it and makes it current
// (design.md §20.6). Until then reads and writes use the current clouds.
struct PendingClouds {
  Policy policy;
  int write_quorum = 0;
  std::vector<CloudSpec> clouds;
  friend bool operator==(const PendingClouds&, const PendingClouds&) = default;
};

struct CloudSet {
  uint64_t generation = 1;
  Policy policy;
  int write_quorum = 0;  // 0: the default, N-1
  std::vector<CloudSpec> clouds;
  std::optional<PendingClouds> pending;

  // The pending change, or the current clouds when nothing is pending.
  PendingClouds Target() const;
  // This set with `target` current (generation + 1, nothing pending).
  CloudSet Advanced(const PendingClouds& target) const;

  // kInvalidArgument naming the problem: bad or repeated names, a URL with a
  // secret in it, a cloud count the policy cannot use, a bad quorum.
  Status Validate() const;
  Bytes Serialize() const;
  // kDataLoss when malformed (it came from a store), else Validate's errors.
  static Result<CloudSet> Parse(ByteView bytes);
};

// kInvalidArgument for bad or repeated names or URLs, or a URL with a
// secret (the checks of Validate that do not depend on the policy).
Status ValidateCloudList(const std::vector<CloudSpec>& clouds);

// [a-z0-9][a-z0-9_-]{0,31}
bool IsValidCloudName(std::string_view name);

// "a, b, c": the clouds' names, for messages.
std::string CloudNames(const std::vector<CloudSpec>& clouds);

// "NAME=URL" as given to `--cloud`.
Result<CloudSpec> ParseCloudArgument(std::string_view text);

// kInvalidArgument when `url` carries a credential (a SAS signature, a
// password in the authority, a secret key parameter): the repository is
// copied to every cloud and must not hold any.
Status CheckNoSecretsInUrl(std::string_view url);

}  // namespace arkiv::placement
