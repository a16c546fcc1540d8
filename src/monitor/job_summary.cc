#include "monitor/job_summary.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "core/log.h"

namespace arkiv::monitor {

Bytes JobSummary::Serialize() const {
  nlohmann::json j{{"version", 1},       {"kind", kind}, {"host", host},
                   {"time_ns", time_ns}, {"ok", ok},     {"seconds", seconds}};
  auto parsed = nlohmann::json::parse(detail.empty() ? "{}" : detail, nullptr, false);
  j["detail"] = parsed.is_discarded() ? nlohmann::json::object() : parsed;
  std::string text = j.dump();
  return Bytes(text.begin(), text.end());
}

Result<JobSummary> JobSummary::Parse(ByteView bytes) {
  auto bad = [](std::string_view why) { return Fail(Code::kDataLoss, fmt::format("job summary: {}", why)); };
  auto j = nlohmann::json::parse(bytes.begin(), bytes.end(), nullptr, false);
  if (!j.is_object() || !j.contains("version") || j["version"] != 1) return bad("not a version 1 summary");
  JobSummary s;
  if (!j.contains("kind") || !j["kind"].is_string() || !j.contains("host") || !j["host"].is_string()) {
    return bad("no kind or host");
  }
  if (!j.contains("time_ns") || !j["time_ns"].is_number_integer()) return bad("no time");
  s.kind = j["kind"];
  s.host = j["host"];
  s.time_ns = j["time_ns"];
  s.ok = j.value("ok", false);
  s.seconds = j.contains("seconds") && j["seconds"].is_number() ? j["seconds"].get<double>() : 0.0;
  if (j.contains("detail") && j["detail"].is_object()) s.detail = j["detail"].dump();
  return s;
}

namespace {

struct Stored {
  Id id;
  JobSummary summary;
};

Result<std::vector<Stored>> LoadAll(repo::Repository& repo) {
  ASSIGN_OR_RETURN(auto ids, repo.ListFiles(repo::FileKind::kStatus));
  std::vector<Stored> out;
  for (const Id& id : ids) {
    auto plain = repo.LoadFile(repo::FileKind::kStatus, id);
    Result<JobSummary> summary = plain ? JobSummary::Parse(*plain) : Fail(plain.error());
    if (!summary) {
      LogLine(LogLevel::kWarning, summary.error().Context(repo::FileName(repo::FileKind::kStatus, id)).message());
      continue;
    }
    out.push_back({id, std::move(*summary)});
  }
  return out;
}

}  // namespace

Status PublishJobSummary(repo::Repository& repo, const JobSummary& summary) {
  ASSIGN_OR_RETURN(auto existing, LoadAll(repo));
  ASSIGN_OR_RETURN(Id id, repo.SaveFile(repo::FileKind::kStatus, summary.Serialize()));
  for (const auto& old : existing) {
    if (old.id != id && old.summary.host == summary.host && old.summary.kind == summary.kind &&
        old.summary.time_ns <= summary.time_ns) {
      (void)repo.RemoveFile(repo::FileKind::kStatus, old.id);
    }
  }
  return OkStatus();
}

Result<std::vector<JobSummary>> LoadJobSummaries(repo::Repository& repo) {
  ASSIGN_OR_RETURN(auto all, LoadAll(repo));
  std::map<std::pair<std::string, std::string>, JobSummary> newest;
  for (auto& s : all) {
    auto key = std::make_pair(s.summary.host, s.summary.kind);
    auto it = newest.find(key);
    if (it == newest.end() || it->second.time_ns < s.summary.time_ns) newest[key] = std::move(s.summary);
  }
  std::vector<JobSummary> out;
  for (auto& [key, s] : newest) out.push_back(std::move(s));
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.time_ns > b.time_ns; });
  return out;
}

}  // namespace arkiv::monitor
