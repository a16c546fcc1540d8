#!/usr/bin/env bash
# Installs every Debian 12 package arkiv needs to build, test, fuzz and
# benchmark. Idempotent: installs only what is missing. Run as root.
set -euo pipefail

packages=(
  # toolchain
  g++ cmake ninja-build pkg-config make git python3 time
  # libraries (see docs/design.md, "Dependencies")
  libssl-dev libcurl4-openssl-dev libzstd-dev libisal-dev libssh-dev libsqlite3-dev
  libcli11-dev nlohmann-json3-dev libtomlplusplus-dev libfmt-dev
  # tests, fuzzing, benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev clang-14 libclang-rt-14-dev restic
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "bootstrap: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "bootstrap: all packages present"
