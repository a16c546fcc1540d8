#include "cli/plan_output.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "cli/format.h"

namespace arkiv::cli {
namespace {

using planning::PlanCloud;
using planning::PolicyPlan;
using planning::RestoreEstimate;

// ---- JSON -------------------------------------------------------------------

nlohmann::json CloudNames(const std::vector<size_t>& ids, const std::vector<PlanCloud>& clouds) {
  nlohmann::json names = nlohmann::json::array();
  for (size_t id : ids) names.push_back(clouds[id].name);
  return names;
}

nlohmann::json EstimateJson(const std::optional<RestoreEstimate>& e, const std::vector<PlanCloud>& clouds) {
  if (!e) return nullptr;
  return {{"seconds", e->seconds},
          {"clouds", CloudNames(e->clouds, clouds)},
          {"cost",
           {{"egress", e->cost.egress},
            {"retrieval", e->cost.retrieval},
            {"requests", e->cost.requests},
            {"total", e->cost.total()}}}};
}

nlohmann::json CloudJson(const PlanCloud& cloud) {
  const auto& p = cloud.profile;
  nlohmann::json j{
      {"name", cloud.name},       {"kind", p.kind},     {"description", p.description}, {"measured", cloud.measured},
      {"assumed", cloud.assumed}, {"source", p.source}, {"assumptions", p.assumptions}, {"read_cost", cloud.read_cost}};
  for (const auto& key : planning::ProfileKeys()) j[key] = planning::ProfileValue(p, key);
  return j;
}

nlohmann::json PolicyJson(const PolicyPlan& plan, const std::vector<PlanCloud>& clouds) {
  const auto& c = plan.candidate;
  nlohmann::json stored = nlohmann::json::array(), monthly = nlohmann::json::array();
  double stored_total = 0;
  for (size_t i = 0; i < c.clouds.size(); ++i) {
    const std::string& name = clouds[c.clouds[i]].name;
    stored.push_back({{"cloud", name}, {"data", plan.stored[i].data}, {"other", plan.stored[i].other}});
    stored_total += plan.stored[i].total();
    monthly.push_back({{"cloud", name}, {"storage", plan.monthly[i].storage}, {"requests", plan.monthly[i].requests}});
  }
  const auto& r = plan.reliability;
  return {{"policy", c.policy.ToString()},
          {"label", c.Label()},
          {"current", c.current},
          {"clouds", CloudNames(c.clouds, clouds)},
          {"write_quorum", c.write_quorum},
          {"storage_factor", plan.storage_factor},
          {"stored_bytes", stored_total},
          {"stored", stored},
          {"monthly_cost",
           {{"storage", plan.monthly_total.storage},
            {"requests", plan.monthly_total.requests},
            {"total", plan.monthly_total.total()},
            {"per_cloud", monthly}}},
          {"p_loss_per_year", r.loss_per_year},
          {"p_restore_can_start", r.restore_can_start()},
          {"p_restore_blocked", r.restore_blocked},
          {"p_write_quorum", r.quorum_reached()},
          {"p_write_quorum_missed", r.quorum_missed},
          {"restore_all_up", EstimateJson(plan.all_up, clouds)},
          {"fastest_cloud", clouds[plan.fastest_cloud].name},
          {"restore_fastest_lost", EstimateJson(plan.fastest_lost, clouds)},
          {"fastest_plan", EstimateJson(plan.fastest_plan, clouds)},
          {"cheapest_within_rto", EstimateJson(plan.cheapest_within_rto, clouds)}};
}

// ---- text -------------------------------------------------------------------

// Columns on a terminal: UTF-8 code points ("×" is one).
size_t Width(std::string_view text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

std::string Pad(const std::string& text, size_t width) {
  return text + std::string(width > Width(text) ? width - Width(text) : 0, ' ');
}

std::string Table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()));
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], Width(row[i]));
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) line += Pad(row[i], i + 1 < row.size() ? widths[i] + 2 : 0);
    out += line + "\n";
  }
  return out;
}

std::string Money(double usd) {
  if (usd == 0) return "$0";
  if (usd < 0.01) return "<$0.01";
  return fmt::format("${:.2f}", usd);
}

std::string Probability(double p) {
  if (p == 0) return "0";
  if (p >= 0.01) return fmt::format("{:.1f}%", p * 100);
  return fmt::format("{:.1e}", p);
}

// 1 − `missed` as a percentage with enough nines to show it.
std::string Uptime(double missed) {
  if (missed <= 0) return "100%";
  // (the epsilon keeps 1 − 0.9999 from asking for one more digit)
  int decimals = std::clamp(static_cast<int>(std::ceil(-std::log10(missed * 100) - 1e-9)), 0, 12);
  return fmt::format("{:.{}f}%", 100 * (1 - missed), decimals);
}

// HumanDuration, with milliseconds below a second (small test repositories).
std::string Duration(double seconds) {
  if (seconds < 0.001) return "<1ms";
  if (seconds < 1) return fmt::format("{:.0f}ms", seconds * 1000);
  return HumanDuration(seconds);
}

std::string Names(const std::vector<size_t>& ids, const std::vector<PlanCloud>& clouds) {
  std::string names;
  for (size_t id : ids) names += (names.empty() ? "" : " ") + clouds[id].name;
  return names;
}

std::string Rate(double bytes_per_second) {
  return HumanBytes(static_cast<uint64_t>(bytes_per_second)) + "/s";
}

std::string CloudTable(const std::vector<PlanCloud>& clouds) {
  std::vector<std::vector<std::string>> rows = {
      {"CLOUD", "KIND", "$/GB-MONTH", "EGRESS $/GB", "AVAILABILITY", "LOSS/YEAR", "DOWNLOAD", "LATENCY"}};
  for (const auto& c : clouds) {
    const auto& p = c.profile;
    std::string speed = c.measured ? "measured" : "assumed";
    rows.push_back({c.name + (c.assumed ? " (assumed)" : ""), p.kind, fmt::format("{}", p.storage_per_gb_month),
                    fmt::format("{}", p.egress_per_gb), Uptime(1 - p.availability), Probability(p.loss_per_year),
                    fmt::format("{} {}", Rate(p.download_rate), speed), fmt::format("{:.0f}ms", p.latency * 1000)});
  }
  return Table(rows);
}

std::string EstimateText(const std::optional<RestoreEstimate>& e, const std::vector<PlanCloud>& clouds) {
  if (!e) return "cannot restore";
  return fmt::format("{} from {}", Duration(e->seconds), Names(e->clouds, clouds));
}

std::string PolicyTable(const PlanReport& report) {
  const auto& clouds = report.inputs.clouds;
  const char* labels[] = {"clouds",
                          "storage",
                          "monthly cost",
                          "P(data loss) per year",
                          "P(restore can start)",
                          "P(write quorum)",
                          "restore, all up",
                          "restore, fastest lost",
                          "restore cost (all up)",
                          "fastest plan",
                          "cheapest within RTO"};
  std::vector<std::vector<std::string>> rows = {{""}};
  for (const char* label : labels) rows.push_back({label});
  for (const PolicyPlan& plan : report.policies) {
    const auto& c = plan.candidate;
    double stored = 0;
    for (const auto& s : plan.stored) stored += s.total();
    rows[0].push_back(c.Label() + (c.current ? " (current)" : ""));
    rows[1].push_back(Names(c.clouds, clouds));
    rows[2].push_back(fmt::format("{:.2f}×, {}", plan.storage_factor, HumanBytes(static_cast<uint64_t>(stored))));
    rows[3].push_back(Money(plan.monthly_total.total()));
    rows[4].push_back(Probability(plan.reliability.loss_per_year));
    rows[5].push_back(Uptime(plan.reliability.restore_blocked));
    rows[6].push_back(fmt::format("{} (Q={})", Uptime(plan.reliability.quorum_missed), c.write_quorum));
    rows[7].push_back(EstimateText(plan.all_up, clouds));
    rows[8].push_back(plan.fastest_lost ? fmt::format("{} ({} lost)", Duration(plan.fastest_lost->seconds),
                                                      clouds[plan.fastest_cloud].name)
                                        : fmt::format("cannot restore ({} lost)", clouds[plan.fastest_cloud].name));
    rows[9].push_back(plan.all_up ? Money(plan.all_up->cost.total()) : "-");
    bool same = plan.fastest_plan && plan.all_up && plan.fastest_plan->clouds == plan.all_up->clouds;
    rows[10].push_back(same ? "as above" : EstimateText(plan.fastest_plan, clouds));
    if (!report.settings.rto_seconds) {
      rows[11].push_back("(give --rto)");
    } else if (!plan.cheapest_within_rto) {
      rows[11].push_back("none is quick enough");
    } else {
      const auto& e = *plan.cheapest_within_rto;
      rows[11].push_back(
          fmt::format("{}, {} from {}", Money(e.cost.total()), Duration(e.seconds), Names(e.clouds, clouds)));
    }
  }
  return Table(rows);
}

}  // namespace

nlohmann::json PlanJson(const PlanReport& report) {
  const auto& in = report.inputs;
  const auto& f = in.figures;
  nlohmann::json clouds = nlohmann::json::array(), policies = nlohmann::json::array();
  for (const auto& c : in.clouds) clouds.push_back(CloudJson(c));
  for (const auto& p : report.policies) policies.push_back(PolicyJson(p, in.clouds));
  nlohmann::json rto = nullptr;
  if (report.settings.rto_seconds) rto = *report.settings.rto_seconds;
  return {{"message_type", "plan"},
          {"price_table_date", planning::kPriceTableDate},
          {"restore", {{"bytes", f.restore.bytes}, {"requests", f.restore.requests}, {"source", in.restore_source}}},
          {"repository",
           {{"data_bytes", f.data_bytes},
            {"data_packs", f.data_packs},
            {"metadata_bytes", f.metadata_bytes},
            {"new_bytes_per_month", f.new_bytes_per_month},
            {"backups_per_month", f.backups_per_month}}},
          {"settings",
           {{"common_cause", report.settings.common_cause},
            {"link_rate", report.settings.link_rate},
            {"rto_seconds", rto}}},
          {"clouds", clouds},
          {"policies", policies},
          {"warnings", in.warnings}};
}

std::string PlanText(const PlanReport& report) {
  const auto& in = report.inputs;
  std::string out = fmt::format(
      "Prices: default table of {} (docs/planning.md; change any value with --set NAME.KEY=VALUE).\n"
      "Restore of {} in {:.0f} reads ({}); common cause β = {}{}{}.\n\n",
      planning::kPriceTableDate, HumanBytes(static_cast<uint64_t>(in.figures.restore.bytes)),
      in.figures.restore.requests, in.restore_source, report.settings.common_cause,
      report.settings.rto_seconds ? ", RTO " + Duration(*report.settings.rto_seconds) : "",
      report.settings.link_rate > 0 ? ", line " + Rate(report.settings.link_rate) : "");
  out += CloudTable(in.clouds);
  out += "\n";
  out += PolicyTable(report);
  out +=
      "\nRestore times are for arkiv's own read order; a plan's clouds are read alone when the others get\n"
      "a higher read_cost (`cloud add --read-cost`).\n";
  if (report.policies.size() < 2) {
    out += "\n(add --assume-clouds N or --policy P to compare other placements)\n";
  }
  return out;
}

}  // namespace arkiv::cli
