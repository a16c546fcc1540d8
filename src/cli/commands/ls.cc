// arkiv ls: list the files of a snapshot.
#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/format.h"
#include "engine/tree_walker.h"
#include "repo/system_info.h"

namespace arkiv::cli {
namespace {

std::string ModeString(const repo::Node& n) {
  char type = '-';
  switch (n.type) {
    case repo::NodeType::kDirectory: type = 'd'; break;
    case repo::NodeType::kSymlink: type = 'l'; break;
    case repo::NodeType::kBlockDevice: type = 'b'; break;
    case repo::NodeType::kCharDevice: type = 'c'; break;
    case repo::NodeType::kFifo: type = 'p'; break;
    case repo::NodeType::kSocket: type = 's'; break;
    default: break;
  }
  std::string s(1, type);
  const char* rwx = "rwxrwxrwx";
  for (int i = 0; i < 9; ++i) s += (n.mode & (0400 >> i)) ? rwx[i] : '-';
  return s;
}

}  // namespace

void AddLsCommand(CLI::App& app, GlobalOptions& global, int& exit_code) {
  struct Options {
    std::string snapshot;
    std::string path;
    bool long_format = false;
  };
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("ls", "List the files in a snapshot");
  cmd->add_option("snapshot", opts->snapshot, "Snapshot id (or unique prefix), or 'latest'")->required();
  cmd->add_option("path", opts->path, "Only below this path in the snapshot (e.g. home/docs)");
  cmd->add_flag("-l,--long", opts->long_format, "Show mode, owner, size and time");
  cmd->callback([&global, &exit_code, opts] {
    exit_code = RunCommand(global, [&]() -> Result<int> {
      ASSIGN_OR_RETURN(auto repo, OpenRepository(global));
      RETURN_IF_ERROR(repo->LoadIndex());
      ASSIGN_OR_RETURN(auto record, repo->FindSnapshot(opts->snapshot));
      std::string start = opts->path;
      while (!start.empty() && start.front() == '/') start.erase(0, 1);
      while (!start.empty() && start.back() == '/') start.pop_back();
      auto print = [&](const std::string& path, const repo::Node& n) {
        if (global.json) {
          nlohmann::json j{{"path", "/" + path},
                           {"name", n.name},
                           {"type", repo::NodeTypeName(n.type)},
                           {"mode", n.mode},
                           {"uid", n.uid},
                           {"gid", n.gid},
                           {"size", n.size},
                           {"mtime", repo::FormatRfc3339(n.mtime_ns)}};
          if (n.type == repo::NodeType::kSymlink) j["target"] = n.link_target;
          std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
        } else if (opts->long_format) {
          std::cout << fmt::format("{} {:>8} {:>8} {:>10} {} /{}{}\n", ModeString(n),
                                   n.user.empty() ? std::to_string(n.uid) : n.user,
                                   n.group.empty() ? std::to_string(n.gid) : n.group, n.size, LocalTime(n.mtime_ns),
                                   path, n.type == repo::NodeType::kSymlink ? " -> " + n.link_target : "");
        } else {
          std::cout << "/" << path << "\n";
        }
      };
      Id tree = record.snapshot.tree;
      std::string prefix;
      if (!start.empty()) {
        ASSIGN_OR_RETURN(repo::Node node, engine::FindNode(*repo, tree, start));
        print(start, node);
        if (node.type != repo::NodeType::kDirectory) return kExitOk;
        tree = node.subtree;
        prefix = start;
      }
      RETURN_IF_ERROR(engine::WalkTree(*repo, tree, prefix, [&](const std::string& path, const repo::Node& n) {
        print(path, n);
        return true;
      }));
      std::cout.flush();
      return kExitOk;
    });
  });
}

}  // namespace arkiv::cli
