// `arkiv plan` output: the clouds and the policies side by side as text, or
// one JSON object (docs/planning.md lists its fields).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/plan_inputs.h"
#include "planning/plan.h"

namespace arkiv::cli {

struct PlanReport {
  PlanInputs inputs;
  planning::PlanSettings settings;
  std::vector<planning::PolicyPlan> policies;
};

nlohmann::json PlanJson(const PlanReport& report);
std::string PlanText(const PlanReport& report);

}  // namespace arkiv::cli
