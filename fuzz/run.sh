#!/usr/bin/env bash
# Builds the fuzz targets in build-fuzz/ and runs each for SECONDS seconds
# (default 20) on a scratch copy of its seed corpus (fuzz/corpus-work/).
# Fails if any target crashes, leaks, hits a sanitizer report, a timeout or
# an out-of-memory, and names the input that did it. See fuzz/README.md.
#   FUZZ_TARGETS="tree lock"  run only these targets
#   FUZZ_JOBS=2               targets run at once (default 2: the machine's cores)
#   FUZZ_CXX=g++              compiler for a fresh build-fuzz/ (see README: clang 14 cannot build arkiv)
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-20}"
build=build-fuzz
work=fuzz/corpus-work
jobs="${FUZZ_JOBS:-2}"

if [ ! -f "$build/CMakeCache.txt" ]; then
  CXX="${FUZZ_CXX:-g++}" cmake -S . -B "$build" -G Ninja -DARKIV_FUZZ=ON -DARKIV_TESTS=OFF -DARKIV_BENCH=OFF \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
echo "fuzz: building targets in $build/"
cmake --build "$build" -j2 --target arkiv_fuzz >"$build/fuzz-build.log" 2>&1 || {
  tail -50 "$build/fuzz-build.log"
  echo "fuzz: build failed (full log: $build/fuzz-build.log)"
  exit 1
}

if [ -n "${FUZZ_TARGETS:-}" ]; then
  read -r -a targets <<<"$FUZZ_TARGETS"
else
  targets=()
  for f in fuzz/fuzz_*.cc; do
    name="${f#fuzz/fuzz_}"
    targets+=("${name%.cc}")
  done
fi

# Longest input worth trying: JSON documents are small; binary formats get
# room for a few dozen entries.
max_len() {
  case "$1" in
    config | lock | key_file) echo 4096 ;;
    snapshot) echo 8192 ;;
    *) echo 16384 ;;
  esac
}

rm -rf "$work"
mkdir -p "$work/artifacts"

# Runs one target; writes its log and a one-line summary into $work.
run_target() {
  local name="$1" binary="$build/fuzz/fuzz_$1"
  local corpus="$work/$name" log="$work/$name.log" summary="$work/$name.summary"
  mkdir -p "$corpus"
  if [ -d "fuzz/corpus/$name" ]; then cp fuzz/corpus/"$name"/* "$corpus"/ 2>/dev/null || true; fi
  local status=0
  ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=0:${ASAN_OPTIONS:-}" \
    UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:abort_on_error=1:${UBSAN_OPTIONS:-}" \
    "$binary" "$corpus" -max_total_time="$seconds" -max_len="$(max_len "$name")" -timeout=25 \
    -rss_limit_mb=2560 -print_final_stats=1 -artifact_prefix="$work/artifacts/$name-" >"$log" 2>&1 || status=$?
  local runs cov
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' "$log" | tail -1 || true)
  if [ "$status" -eq 0 ] && ! grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:' "$log"; then
    printf 'fuzz_%-18s ok    %9s runs in %ss  %s\n' "$name" "${runs:-?}" "$seconds" "$cov" >"$summary"
  else
    local artifact
    artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
    {
      printf 'fuzz_%-18s FAIL  exit %s, %s runs; input: %s; log: %s\n' "$name" "$status" "${runs:-?}" \
        "${artifact:-none}" "$log"
    } >"$summary"
  fi
}

for name in "${targets[@]}"; do
  if [ ! -x "$build/fuzz/fuzz_$name" ]; then
    echo "fuzz: no target fuzz_$name" >&2
    exit 1
  fi
  run_target "$name" &
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
done
wait

failed=0
for name in "${targets[@]}"; do
  cat "$work/$name.summary"
  if grep -q ' FAIL ' "$work/$name.summary"; then
    failed=1
    echo "---- last lines of $work/$name.log"
    grep -vE '^(#[0-9]+|INFO:|MERGE|\s*$)' "$work/$name.log" | tail -40
    echo "----"
  fi
done
if [ "$failed" -ne 0 ]; then
  echo "fuzz: FAILED (reproduce: $build/fuzz/fuzz_NAME INPUT; see fuzz/README.md)"
  exit 1
fi
echo "fuzz: all ${#targets[@]} targets passed, ${seconds}s each"
