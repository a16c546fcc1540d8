// How check and repair show a cloud audit (engine/cloud_audit.h).
#pragma once

#include <iosfwd>
#include <nlohmann/json.hpp>
#include <vector>

#include "engine/cloud_audit.h"
#include "placement/placement_store.h"

namespace arkiv::cli {

// Per cloud: counts of objects, missing, corrupt, unexpected; unreachable.
nlohmann::json CloudAuditJson(const engine::CloudAuditReport& audit, const std::vector<placement::Cloud>& clouds);

// One line per finding (up to `limit` per cloud and kind) and a summary line
// per cloud, on `out`.
void PrintCloudAudit(std::ostream& out, const engine::CloudAuditReport& audit,
                     const std::vector<placement::Cloud>& clouds, size_t limit = 20);

}  // namespace arkiv::cli
