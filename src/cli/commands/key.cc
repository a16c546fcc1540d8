// arkiv key: manage the passwords that open the repository.
#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/format.h"
#include "repo/lock.h"

namespace arkiv::cli {
namespace {

// The new password for `key add` / `key passwd`: --new-password-file, else a
// prompt; never ARKIV_PASSWORD / ARKIV_PASSWORD_FILE, which hold the current one.
Result<std::string> NewPassword(const std::string& file) {
  if (!file.empty()) return ReadPasswordFile(file);
  return PromptPassword(true, "new password");
}

}  // namespace

void AddKeyCommand(CLI::App& app, GlobalOptions& global, int& exit_code) {
  struct Options {
    std::string new_password_file;
    std::string id;
    int kdf_log2 = crypto::kDefaultScryptCost;
  };
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("key", "Manage the passwords (key files) that open the repository");
  cmd->require_subcommand(1);
  CLI::App* list = cmd->add_subcommand("list", "List key files");
  CLI::App* add = cmd->add_subcommand("add", "Add a password");
  CLI::App* remove = cmd->add_subcommand("remove", "Remove a key file (not the one in use)");
  CLI::App* passwd = cmd->add_subcommand("passwd", "Change the password in use");
  for (CLI::App* sub : {add, passwd}) {
    sub->add_option("--new-password-file", opts->new_password_file, "Read the new password from this file");
    sub->add_option("--kdf-cost", opts->kdf_log2,
                    "scrypt cost as log2(N) for the new key (default 16: ~0.75 s, 64 MiB)")
        ->check(CLI::Range(crypto::kMinScryptCost, crypto::kMaxScryptCost));
  }
  remove->add_option("id", opts->id, "Key id (or unique prefix)")->required();

  list->callback([&global, &exit_code] {
    exit_code = RunCommand(global, [&]() -> Result<int> {
      ASSIGN_OR_RETURN(auto repo, OpenRepository(global));
      ASSIGN_OR_RETURN(auto keys, repo->ListKeys());
      nlohmann::json out = nlohmann::json::array();
      for (const auto& [id, key] : keys) {
        bool current = id == repo->key_id();
        if (global.json) {
          out.push_back({{"id", id.Hex()},
                         {"current", current},
                         {"user", key.user},
                         {"host", key.host},
                         {"created", key.created},
                         {"kdf_n", key.params.n}});
        } else {
          std::cout << fmt::format("{}{} {:<12} {:<16} {}\n", current ? "*" : " ", id.Short(), key.user, key.host,
                                   key.created);
        }
      }
      if (global.json) std::cout << JsonText(out) << std::endl;
      return kExitOk;
    });
  });
  add->callback([&global, &exit_code, opts] {
    exit_code = RunCommand(global, [&]() -> Result<int> {
      ASSIGN_OR_RETURN(auto repo, OpenRepository(global));
      ASSIGN_OR_RETURN(std::string password, NewPassword(opts->new_password_file));
      ASSIGN_OR_RETURN(Id id, repo->AddKey(password, crypto::ScryptParamsForCost(opts->kdf_log2)));
      if (!global.quiet) std::cout << fmt::format("added key {}\n", id.Short());
      return kExitOk;
    });
  });
  passwd->callback([&global, &exit_code, opts] {
    exit_code = RunCommand(global, [&]() -> Result<int> {
      ASSIGN_OR_RETURN(auto repo, OpenRepository(global));
      ASSIGN_OR_RETURN(std::string password, NewPassword(opts->new_password_file));
      // Add the new key before removing the old: never a moment without one.
      ASSIGN_OR_RETURN(Id id, repo->AddKey(password, crypto::ScryptParamsForCost(opts->kdf_log2)));
      RETURN_IF_ERROR(repo->store().Remove(repo::FileName(repo::FileKind::kKey, repo->key_id())));
      if (!global.quiet)
        std::cout << fmt::format("password changed (key {} replaces {})\n", id.Short(), repo->key_id().Short());
      return kExitOk;
    });
  });
  remove->callback([&global, &exit_code, opts] {
    exit_code = RunCommand(global, [&]() -> Result<int> {
      ASSIGN_OR_RETURN(auto repo, OpenRepository(global));
      ASSIGN_OR_RETURN(auto keys, repo->ListKeys());
      std::vector<Id> matches;
      for (const auto& [id, key] : keys) {
        if (id.Hex().starts_with(opts->id)) matches.push_back(id);
      }
      if (matches.size() != 1) {
        return Fail(matches.empty() ? Code::kNotFound : Code::kInvalidArgument,
                    fmt::format("key {:?} matches {} keys", opts->id, matches.size()));
      }
      RETURN_IF_ERROR(repo->RemoveKey(matches[0]));
      if (!global.quiet) std::cout << fmt::format("removed key {}\n", matches[0].Short());
      return kExitOk;
    });
  });
}

}  // namespace arkiv::cli
