// Options every command takes, and the services commands share: reading
// the password, opening the repository, reporting errors.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "cli/config_file.h"
#include "cli/request_ledger.h"
#include "core/status.h"
#include "engine/clouds.h"
#include "repo/lock.h"
#include "repo/repository.h"
#include "storage/store.h"

namespace CLI {
class App;
}  // namespace CLI

namespace arkiv::cli {

struct GlobalOptions {
  std::string repo;           // --repo / ARKIV_REPOSITORY; empty: the config file's (RepositoryUrl)
  std::string password_file;  // --password-file / ARKIV_PASSWORD_FILE
  std::string config_file;    // --config / ARKIV_CONFIG; empty: the default path, if it exists
  // The config file that was read (LoadConfig, before any command runs); null: none.
  std::shared_ptr<const ConfigFile> config;
  bool json = false;
  bool quiet = false;
  bool verbose = false;
  bool no_lock = false;
  std::string notify_command;  // --notify-command / ARKIV_NOTIFY_COMMAND; empty: the config's
  // --limit-upload / --limit-download, bytes per second (0: no limit); they
  // win over the repository URL's upload_limit= / download_limit=.
  std::optional<uint64_t> limit_upload;
  std::optional<uint64_t> limit_download;
  // Every store opened by OpenRepositoryStore and CloudStoreOpener, counted
  // for the summaries' `requests`.
  std::shared_ptr<RequestLedger> requests = std::make_shared<RequestLedger>();
};

// Adds --limit-upload and --limit-download to `app`. A value that is not a
// rate is a usage error (exit 2) that says what a rate looks like.
void AddStoreLimitOptions(CLI::App& app, GlobalOptions& options);

// The repository's store (RepositoryUrl: --repo, or the config file's), with
// the limits of the command line and, when it is one of the config file's
// clouds, that cloud's credentials.
Result<std::shared_ptr<storage::Store>> OpenRepositoryStore(const GlobalOptions& options);

// ARKIV_PASSWORD, then the password file (--password-file,
// ARKIV_PASSWORD_FILE, the config file's password_file), then a prompt on a
// terminal.
// `confirm` asks twice (for a new password). Never logs the password.
Result<std::string> ReadPassword(const GlobalOptions& options, bool confirm, const char* prompt = "password");

// The two sources on their own, for a new password (key add / passwd), which
// must never come from ARKIV_PASSWORD / ARKIV_PASSWORD_FILE: those hold the
// current one. The first line of `file` (a trailing CR dropped), or a prompt.
Result<std::string> ReadPasswordFile(const std::string& file);
Result<std::string> PromptPassword(bool confirm, const char* prompt);

// Opens the repository at --repo; a multi-cloud one is put onto all its clouds.
Result<std::unique_ptr<repo::Repository>> OpenRepository(const GlobalOptions& options);

// Opens one cloud of a multi-cloud repository (its whole wrapper stack, with
// the --limit-* flags and the credentials the config file gives for a cloud
// of that name). The opener refers to `options`, which must outlive it.
engine::StoreOpener CloudStoreOpener(const GlobalOptions& options);

// After a command that used a multi-cloud repository: records pending repair
// debt, warns about clouds that missed placements and about degraded reads.
// Returns kExitWarnings (3) instead of a success `exit_code` when placements
// were missed; `exit_code` otherwise.
int FinishOnClouds(const repo::Repository& repo, const GlobalOptions& options, int exit_code);

// The shared lock of a reading command (check, restore); none with --no-lock.
Result<std::unique_ptr<repo::RepositoryLock>> LockForReading(repo::Repository& repo, const GlobalOptions& options);

// Prints "arkiv: <message>" on stderr (or a JSON error object with --json)
// and returns the exit code for it.
int ReportError(const GlobalOptions& options, const Error& error);

// Wraps a command's body: runs it, reports a failure, returns the exit code.
template <typename F>
int RunCommand(const GlobalOptions& options, F body) {
  Result<int> code = body();
  if (!code) return ReportError(options, code.error());
  return *code;
}

}  // namespace arkiv::cli
