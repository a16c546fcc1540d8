#include "cli/global_options.h"

#include <fmt/format.h>
#include <termios.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/config_options.h"
#include "cli/exit_codes.h"
#include "cli/format.h"
#include "core/byte_size.h"
#include "core/posix_error.h"
#include "engine/clouds.h"
#include "storage/open_store.h"

namespace arkiv::cli {
namespace {

// The name of the store the repository is opened on in the request counts.
constexpr std::string_view kOpeningStoreName = "repository";

Result<std::string> PromptHidden(const char* prompt) {
  std::FILE* tty = std::fopen("/dev/tty", "r+");
  if (tty == nullptr) {
    return Fail(Code::kInvalidArgument,
                "no password given: set ARKIV_PASSWORD or ARKIV_PASSWORD_FILE, or use --password-file");
  }
  int fd = ::fileno(tty);
  termios old{};
  bool have_termios = ::tcgetattr(fd, &old) == 0;
  if (have_termios) {
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(fd, TCSAFLUSH, &quiet);
  }
  std::fprintf(tty, "enter %s: ", prompt);
  std::fflush(tty);
  std::string password;
  for (int c; (c = std::fgetc(tty)) != EOF && c != '\n';) password.push_back(static_cast<char>(c));
  if (have_termios) ::tcsetattr(fd, TCSAFLUSH, &old);
  std::fprintf(tty, "\n");
  // NOLINTNEXTLINE(cert-err33-c): /dev/tty was only prompted on; nothing to lose.
  std::fclose(tty);
  return password;
}

}  // namespace

Result<std::string> ReadPasswordFile(const std::string& file) {
  std::ifstream in(file);
  if (!in) return FailErrno(errno, "open password file " + file);
  std::string password;
  std::getline(in, password);
  if (!password.empty() && password.back() == '\r') password.pop_back();
  if (password.empty()) return Fail(Code::kInvalidArgument, fmt::format("password file {} is empty", file));
  return password;
}

Result<std::string> PromptPassword(bool confirm, const char* prompt) {
  ASSIGN_OR_RETURN(std::string password, PromptHidden(prompt));
  if (password.empty()) return Fail(Code::kInvalidArgument, "empty password");
  if (confirm) {
    ASSIGN_OR_RETURN(std::string again, PromptHidden("the same password again"));
    if (again != password) return Fail(Code::kInvalidArgument, "the passwords do not match");
  }
  return password;
}

Result<std::string> ReadPassword(const GlobalOptions& options, bool confirm, const char* prompt) {
  if (const char* env = std::getenv("ARKIV_PASSWORD"); env != nullptr && *env != '\0') return std::string(env);
  std::string file = options.password_file;
  if (file.empty()) {
    if (const char* env = std::getenv("ARKIV_PASSWORD_FILE")) file = env;
  }
  if (file.empty()) file = ConfigPasswordFile(options);
  if (!file.empty()) return ReadPasswordFile(file);
  return PromptPassword(confirm, prompt);
}

void AddStoreLimitOptions(CLI::App& app, GlobalOptions& options) {
  // Checked while parsing, so that a bad rate is a usage error like any
  // other bad option value.
  CLI::Validator rate(
      [](std::string& text) -> std::string {
        auto bytes = ParseByteRate(text);
        return bytes ? std::string() : bytes.error().message();
      },
      /*validator_desc=*/"");
  auto add = [&](const char* name, std::optional<uint64_t>& slot, const char* help) {
    app.add_option_function<std::string>(
           name, [&slot](const std::string& text) { slot = ParseByteRate(text).value(); }, help)
        ->check(rate)
        ->type_name("RATE");
  };
  add("--limit-upload", options.limit_upload,
      "Upload at most RATE bytes per second to the repository (e.g. 500KiB, 10MiB; 0: no limit)");
  add("--limit-download", options.limit_download,
      "Download at most RATE bytes per second from the repository (e.g. 500KiB, 10MiB; 0: no limit)");
}

Result<std::shared_ptr<storage::Store>> OpenRepositoryStore(const GlobalOptions& options) {
  ASSIGN_OR_RETURN(std::string url, RepositoryUrl(options));
  ASSIGN_OR_RETURN(
      storage::StoreStack stack,
      storage::OpenStoreStack(url, storage::OpenStoreOptions{.upload_limit = options.limit_upload,
                                                             .download_limit = options.limit_download,
                                                             .cloud_name = {},
                                                             .credentials = RepositoryCredentials(options, url)}));
  return options.requests->Enter(std::move(stack), std::string(kOpeningStoreName), url);
}

Result<std::unique_ptr<repo::Repository>> OpenRepository(const GlobalOptions& options) {
  ASSIGN_OR_RETURN(auto store, OpenRepositoryStore(options));
  ASSIGN_OR_RETURN(std::string password, ReadPassword(options, false));
  ASSIGN_OR_RETURN(auto repo, repo::Repository::Open(std::move(store), password));
  // A multi-cloud repository: the one cloud it was opened on names the
  // others, and from now on every read and write goes through all of them.
  ASSIGN_OR_RETURN(auto placement, engine::AttachClouds(*repo, CloudStoreOpener(options)));
  // The store it was opened on is one of the clouds: its requests are that cloud's.
  if (placement) options.requests->FoldByUrl(std::string(kOpeningStoreName));
  return repo;
}

engine::StoreOpener CloudStoreOpener(const GlobalOptions& options) {
  return [&options](const placement::CloudSpec& cloud) -> Result<std::shared_ptr<storage::Store>> {
    // Matched by name: the repository's URL for a cloud may differ from the
    // config's (a region parameter added later), the account is the same.
    storage::StoreCredentials credentials = CloudCredentials(options, cloud.name);
    if (auto fit = storage::CheckCredentialsFit(cloud.url, credentials); !fit) {
      return Fail(fit.error().Context(
          fmt::format("cloud {} ([clouds.{}] in {})", cloud.name, cloud.name, options.config->path)));
    }
    ASSIGN_OR_RETURN(
        storage::StoreStack stack,
        storage::OpenStoreStack(cloud.url, storage::OpenStoreOptions{.upload_limit = options.limit_upload,
                                                                     .download_limit = options.limit_download,
                                                                     .cloud_name = cloud.name,
                                                                     .credentials = std::move(credentials)}));
    return options.requests->Enter(std::move(stack), cloud.name, cloud.url);
  };
}

int FinishOnClouds(const repo::Repository& repo, const GlobalOptions& options, int exit_code) {
  auto placement = engine::PlacementOf(repo);
  if (!placement) return exit_code;
  Status flushed = placement->FlushDebt();
  placement::PlacementStats stats = placement->stats();
  const auto& clouds = placement->clouds();
  nlohmann::json missed = nlohmann::json::object();
  for (size_t i = 0; i < clouds.size(); ++i) {
    if (stats.cloud_missed[i] == 0) continue;
    missed[clouds[i].name] = stats.cloud_missed[i];
    if (!options.json) {
      std::cerr << fmt::format(
          "warning: cloud {} missed {} placements; they are recorded and `arkiv repair` "
          "completes them\n",
          clouds[i].name, stats.cloud_missed[i]);
    }
  }
  nlohmann::json missed_removes = nlohmann::json::object();
  for (size_t i = 0; i < clouds.size(); ++i) {
    if (stats.cloud_missed_removes[i] == 0) continue;
    missed_removes[clouds[i].name] = stats.cloud_missed_removes[i];
    if (!options.json) {
      std::cerr << fmt::format(
          "warning: cloud {} missed {} removes; the copies left there are recorded, hidden, and `arkiv repair` "
          "removes them\n",
          clouds[i].name, stats.cloud_missed_removes[i]);
    }
  }
  if (stats.degraded_reads > 0 && !options.json) {
    std::cerr << fmt::format(
        "note: {} reads were served from other clouds or decoded from parity (degraded); "
        "`arkiv check --read-data` finds the cause\n",
        stats.degraded_reads);
  }
  if (!flushed && !options.json) std::cerr << "warning: " << flushed.error().message() << "\n";
  if (options.json && (!missed.empty() || !missed_removes.empty() || stats.degraded_reads > 0 || !flushed)) {
    nlohmann::json j{{"message_type", "clouds"},
                     {"missed_placements", missed},
                     {"missed_removes", missed_removes},
                     {"degraded_reads", stats.degraded_reads}};
    if (!flushed) j["error"] = flushed.error().message();
    std::cout << JsonText(j) << std::endl;
  }
  if ((stats.missed_placements > 0 || stats.missed_removes > 0 || !flushed) && exit_code == kExitOk) {
    return kExitWarnings;
  }
  return exit_code;
}

Result<std::unique_ptr<repo::RepositoryLock>> LockForReading(repo::Repository& repo, const GlobalOptions& options) {
  if (options.no_lock) return std::unique_ptr<repo::RepositoryLock>();
  return repo::RepositoryLock::Acquire(repo, /*exclusive=*/false);
}

int ReportError(const GlobalOptions& options, const Error& error) {
  int code = ExitCodeFor(error);
  if (options.json) {
    nlohmann::json j{
        {"message_type", "error"}, {"error", error.message()}, {"code", CodeName(error.code())}, {"exit_code", code}};
    std::cout << JsonText(j) << std::endl;
  }
  std::cerr << "arkiv: " << error.message() << std::endl;
  return code;
}

}  // namespace arkiv::cli
