#!/usr/bin/env bash
# Configures and builds arkiv into build/ (or $BUILD_DIR) with -j2.
# Extra arguments go to cmake (e.g. -DARKIV_SANITIZE=ON).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build}
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-RelWithDebInfo} "$@" >/dev/null
ninja -C "$build_dir" -j "${JOBS:-2}"
