// arkiv init: create a repository.
#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/format.h"
#include "engine/clouds.h"
#include "placement/cloud_set.h"
#include "repo/config.h"

namespace arkiv::cli {
namespace {

Result<placement::CloudSet> MakeCloudSet(const std::vector<std::string>& args, const std::string& policy, int quorum) {
  placement::CloudSet set;
  ASSIGN_OR_RETURN(set.policy, placement::ParsePolicy(policy.empty() ? "replicate" : policy));
  set.write_quorum = quorum;
  for (const auto& arg : args) {
    ASSIGN_OR_RETURN(auto spec, placement::ParseCloudArgument(arg));
    set.clouds.push_back(std::move(spec));
  }
  RETURN_IF_ERROR(set.Validate());
  return set;
}

// The clouds of the config file, with its policy and write quorum unless
// --policy / --write-quorum say otherwise.
Result<placement::CloudSet> CloudSetFromConfig(const GlobalOptions& global, const std::string& policy, int quorum) {
  const ConfigFile& config = *global.config;
  if (!global.repo.empty() && config.FindCloudByUrl(global.repo) == nullptr) {
    return Fail(Code::kInvalidArgument,
                fmt::format("the config file {} names clouds, but the repository given (--repo or ARKIV_REPOSITORY) "
                            "is none of them: drop it to create the repository on those clouds, or give --cloud",
                            config.path));
  }
  placement::CloudSet set;
  if (!policy.empty()) {
    ASSIGN_OR_RETURN(set.policy, placement::ParsePolicy(policy));
  } else {
    set.policy = config.policy.value_or(placement::Policy{});
  }
  set.write_quorum = quorum != 0 ? quorum : config.write_quorum.value_or(0);
  for (const auto& cloud : config.clouds) set.clouds.push_back(cloud.spec);
  RETURN_IF_ERROR(WithContext(set.Validate(), fmt::format("config file {}", config.path)));
  return set;
}

}  // namespace

void AddInitCommand(CLI::App& app, GlobalOptions& global, int& exit_code) {
  struct Options {
    int kdf_log2 = crypto::kDefaultScryptCost;
    int compression = repo::kDefaultCompressionLevel;
    uint32_t pack_mib = 16;
    uint32_t chunk_avg_kib = 1024;
    bool create_bucket = false;
    std::vector<std::string> clouds;
    std::string policy;  // empty: the config file's, else replicate
    int write_quorum = 0;
  };
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("init", "Create a new repository");
  cmd->footer(
      "Example:\n  ARKIV_PASSWORD_FILE=~/.arkiv-pass arkiv init --repo /srv/backup\n"
      "The password is asked twice on a terminal. Keep it safe: without it the data cannot be read.\n\n"
      "Several clouds (any one of their URLs opens the repository afterwards):\n"
      "  arkiv init --cloud aws=s3://bkt/arkiv --cloud az=azure://acct/backup --cloud nas=sftp://u@nas/srv/arkiv \\\n"
      "             --policy ec:2+1\n"
      "Policies: replicate (a full copy on every cloud; survives losing all but one) or ec:K+M (K+M clouds, "
      "erasure-coded; survives losing any M, stores (K+M)/K times the data). Metadata is copied to every cloud.\n\n"
      "Without --cloud, the clouds, policy and write_quorum of the config file are used (--policy and\n"
      "--write-quorum still win); its [clouds.NAME] tables, in the order of the file, are the shard order.\n"
      "Only each cloud's name, URL and read_cost are stored in the repository, never its credentials.");
  cmd->add_option("--kdf-cost", opts->kdf_log2,
                  "scrypt cost as log2(N) (r=8, p=3): 16 (the default) takes ~0.75 s and 64 MiB per unlock, each step "
                  "up doubles "
                  "both (tests use 10)")
      ->check(CLI::Range(crypto::kMinScryptCost, crypto::kMaxScryptCost));
  cmd->add_option("--compression-level", opts->compression, "zstd level for new data, 0 disables compression")
      ->check(CLI::Range(0, 19));
  cmd->add_option("--pack-size", opts->pack_mib, "Target pack size in MiB")->check(CLI::Range(1, 512));
  cmd->add_option("--chunk-size", opts->chunk_avg_kib,
                  "Average chunk size in KiB, a power of two (min is half, max is 8 times)")
      ->check(CLI::Range(64, 16384));
  cmd->add_flag("--create-bucket", opts->create_bucket,
                "Create the S3 bucket or Azure container first if it does not exist");
  cmd->add_option("--cloud", opts->clouds,
                  "NAME=URL of one cloud of a multi-cloud repository (repeat per cloud; default: the config file's "
                  "clouds)");
  cmd->add_option("--policy", opts->policy,
                  "With clouds: replicate or ec:K+M (K+M = number of clouds; default: the config file's, else "
                  "replicate)");
  cmd->add_option("--write-quorum", opts->write_quorum,
                  "With clouds: clouds a write must reach to succeed (default: the config file's, else all but one)")
      ->check(CLI::Range(1, 32));
  cmd->callback([&global, &exit_code, opts] {
    exit_code = RunCommand(global, [&]() -> Result<int> {
      if (!std::has_single_bit(opts->chunk_avg_kib)) {
        return Fail(Code::kInvalidArgument, "--chunk-size must be a power of two");
      }
      std::shared_ptr<storage::Store> store;
      std::optional<placement::CloudSet> clouds;
      if (!opts->clouds.empty()) {
        ASSIGN_OR_RETURN(clouds, MakeCloudSet(opts->clouds, opts->policy, opts->write_quorum));
      } else if (global.config && !global.config->clouds.empty()) {
        ASSIGN_OR_RETURN(clouds, CloudSetFromConfig(global, opts->policy, opts->write_quorum));
      } else if (!opts->policy.empty() || opts->write_quorum != 0) {
        return Fail(Code::kInvalidArgument, "--policy and --write-quorum need --cloud (or clouds in the config file)");
      }
      if (clouds) {
        ASSIGN_OR_RETURN(store, engine::OpenClouds(*clouds, CloudStoreOpener(global)));
      } else {
        ASSIGN_OR_RETURN(store, OpenRepositoryStore(global));
      }
      if (opts->create_bucket) RETURN_IF_ERROR(store->CreateLocation());
      ASSIGN_OR_RETURN(std::string password, ReadPassword(global, true, "new repository password"));
      repo::InitOptions init;
      init.kdf = crypto::ScryptParamsForCost(opts->kdf_log2);
      init.compression_level = opts->compression;
      init.pack_size = opts->pack_mib << 20;
      init.chunker.avg_size = opts->chunk_avg_kib << 10;
      init.chunker.min_size = init.chunker.avg_size / 2;
      init.chunker.max_size = init.chunker.avg_size * 8;
      if (clouds) init.clouds = clouds->Serialize();
      ASSIGN_OR_RETURN(auto repo, repo::Repository::Init(store, password, init));
      if (global.json) {
        nlohmann::json j{
            {"message_type", "initialized"}, {"id", repo->config().id.Hex()}, {"repository", store->Location()}};
        if (clouds) {
          j["policy"] = clouds->policy.ToString();
          for (const auto& c : clouds->clouds) j["clouds"].push_back({{"name", c.name}, {"url", c.url}});
        }
        std::cout << JsonText(j) << std::endl;
      } else if (!global.quiet) {
        std::cout << fmt::format("created arkiv repository {} at {}\n", repo->config().id.Short(), store->Location());
        if (clouds) {
          std::cout << "open it with --repo and the URL of any one of its clouds, e.g. --repo "
                    << clouds->clouds.front().url << "\n";
        }
      }
      return FinishOnClouds(*repo, global, kExitOk);
    });
  });
}

}  // namespace arkiv::cli
