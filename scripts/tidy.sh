#!/usr/bin/env bash
# Runs clang-tidy-16 with the checks of .clang-tidy over the sources under
# src/ (tests left out), two files at a time; any finding fails the run.
#   BUILD_DIR=dir   where compile_commands.json is (default build; configured
#                   here if missing — only cmake's configure step is needed)
#   TIDY_TIMES=1    print each file's time, slowest first
#   TIDY_CHECKS=..  checks added to .clang-tidy's for this run (e.g. a slow
#                   one left out of CI: performance-unnecessary-value-param)
#   scripts/tidy.sh FILE...   only these files
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build}
if [ ! -f "$build_dir/compile_commands.json" ]; then
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi

if (($#)); then
  files=("$@")
else
  mapfile -t files < <(find src -name '*.cc' ! -name '*_test.cc' | sort)
fi
times=$(mktemp)
trap 'rm -f "$times"' EXIT
export build_dir times TIDY_CHECKS=${TIDY_CHECKS:-}

# One file: prints its findings, appends its time to $times.
tidy_one() {
  local start=$EPOCHREALTIME rc=0
  # clang 16 parses libstdc++ 12 only as C++2b, and libstdc++ 12 shows
  # <expected> only to compilers announcing concepts 202002L (clang 16 says
  # 201907L); the -U keeps the redefinition from being a warning.
  local out
  out=$(clang-tidy-16 -p "$build_dir" --quiet ${TIDY_CHECKS:+"--checks=$TIDY_CHECKS"} --extra-arg=-std=c++2b \
    --extra-arg=-U__cpp_concepts --extra-arg=-D__cpp_concepts=202002L "$1" 2>&1) || rc=$?
  # One write per file, so that the two workers' reports do not interleave.
  out=$(grep -vE '^[0-9]+ warnings? (and [0-9]+ errors? )?generated\.$' <<<"$out" || true)
  if [ -n "$out" ]; then printf '%s\n' "$out"; fi
  awk -v a="$start" -v b="$EPOCHREALTIME" -v f="$1" 'BEGIN { printf "%6.1f s  %s\n", b - a, f }' >>"$times"
  if [ "$rc" != 0 ]; then echo "tidy: findings in $1"; fi
  return "$rc"
}
export -f tidy_one

start=$SECONDS
status=0
# xargs exits 123 when any file had findings; every file is still checked.
printf '%s\n' "${files[@]}" | xargs -P 2 -n 1 bash -c 'tidy_one "$1"' _ || status=$?
if [ "${TIDY_TIMES:-0}" = 1 ]; then sort -rn "$times"; fi
echo "tidy: ${#files[@]} files in $((SECONDS - start)) s"
if [ "$status" != 0 ]; then
  echo "tidy: FAILED (findings above)"
  exit 1
fi
echo "tidy: clean"
