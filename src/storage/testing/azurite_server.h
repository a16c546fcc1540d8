// One Azurite (Azure Blob emulator) for a test program, on 127.0.0.1.
//
// Started on first use with its data in a temporary directory, stopped when
// the program exits. Each test makes its own container, so tests sharing the
// server do not see each other's objects.
#pragma once

#include <string>

#include "core/status.h"
#include "storage/backends/azure_config.h"

namespace arkiv::storage::testing {

inline constexpr std::string_view kAzuriteAccount = "devstoreaccount1";
inline constexpr std::string_view kAzuriteKey =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

class AzuriteServer {
 public:
  // The shared server, started on first call; an error if it cannot start.
  static Result<AzuriteServer*> Shared();

  int port() const { return port_; }
  // "http://127.0.0.1:PORT/devstoreaccount1"
  std::string Endpoint() const;
  // A connection string for that endpoint and the well-known key.
  std::string ConnectionString() const;
  // A fresh container name ("c-<counter>-<random>"), not yet created.
  static std::string NewContainerName();
  // A key-authenticated config for `container` with the given prefix.
  AzureConfig Config(const std::string& container, const std::string& prefix = "") const;

 private:
  explicit AzuriteServer(int port) : port_(port) {}
  int port_;
};

}  // namespace arkiv::storage::testing
