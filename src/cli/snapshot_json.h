// The JSON form of a snapshot used by `snapshots --json`, `cat snapshot` and `forget --json`.
#pragma once

#include <nlohmann/json.hpp>

#include "repo/repository.h"

namespace arkiv::cli {

nlohmann::json SnapshotJson(const repo::SnapshotRecord& record);

}  // namespace arkiv::cli
