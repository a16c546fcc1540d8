#!/usr/bin/env bash
# Installs every Debian 12 package arkiv needs to build, test, fuzz and
# benchmark. Idempotent: installs only what is missing. Run as root.
set -euo pipefail

packages=(
  # toolchain
  g++ cmake ninja-build pkg-config make git python3 time
  # libraries (see docs/design.md, "Dependencies")
  libssl-dev libcurl4-openssl-dev libzstd-dev libisal-dev libssh-dev libsqlite3-dev
  libcli11-dev nlohmann-json3-dev libtomlplusplus-dev libfmt-dev libcpp-httplib-dev
  # tests, fuzzing, benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev clang-14 libclang-rt-14-dev restic
  # static analysis (scripts/tidy.sh)
  clang-tidy-16
  # cloud stand-ins and independent clients for the integration tests
  openssh-server openssh-client python3-azure python3-boto3 rclone
  # arkiv serve's test: HTTP client, an independent Prometheus text parser, a
  # headless browser for the status page
  curl python3-prometheus-client chromium
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "bootstrap: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  # Never let a package start a system service (sshd on port 22): the tests
  # start their own servers on 127.0.0.1 and high ports.
  created_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod +x /usr/sbin/policy-rc.d
    created_policy=1
  fi
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  if [ "$created_policy" = 1 ]; then $SUDO rm -f /usr/sbin/policy-rc.d; fi
fi

# Node.js and npm come with the machine image (Node 20); Debian's own
# nodejs/npm packages conflict with it, so they are only a fallback.
if ! command -v npm >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi

# npm servers (Azurite, the SigV4-checking s3rver fork), pinned by
# tests/servers/package-lock.json, into the git-ignored tests/servers/node_modules.
servers=$(cd "$(dirname "$0")/../tests/servers" && pwd)
if [ ! -f "$servers/node_modules/.package-lock.json" ] || \
   [ "$servers/package-lock.json" -nt "$servers/node_modules/.package-lock.json" ]; then
  echo "bootstrap: installing npm test servers"
  (cd "$servers" && npm ci --no-audit --no-fund --ignore-scripts >/dev/null)
fi
echo "bootstrap: all packages present"
