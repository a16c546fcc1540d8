// Differences between two snapshots' trees.
#pragma once

#include <string>
#include <vector>

#include "repo/repository.h"

namespace arkiv::engine {

struct Change {
  char kind;  // '+' added, '-' removed, 'M' content changed, 'U' metadata only, 'T' type changed
  std::string path;
};

Result<std::vector<Change>> DiffTrees(const repo::Repository& repo, const Id& before, const Id& after);

}  // namespace arkiv::engine
