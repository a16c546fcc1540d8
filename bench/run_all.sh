#!/usr/bin/env bash
# bench/run_all.sh — every benchmark of bench/, one after the other, each
# recording its results (bench/RESULTS.md, bench/*results.json) with the
# machine and the tool versions.
#
# Usage: [ARKIV=build/arkiv] bench/run_all.sh [--quick] [--only NAMES] [--keep-going]
#   --quick        each benchmark at a small scale, to prove the harness works
#                  (minutes, not hours); bench/RESULTS.md and bench/*results.json
#                  are put back as they were afterwards, so smoke numbers are
#                  never recorded
#   --only NAMES   comma-separated subset of the names below
#   --keep-going   run the others when one fails (exit 1 at the end)
# ARKIV is handed to every benchmark; STORE_BENCH (default: bench/arkiv_store_bench
# beside ARKIV) to the store benchmark, BEFORE and AFTER to restore_bench.sh
# (default: ARKIV itself).
# Benchmarks another change adds later (index_bench.sh, big_dir_bench.sh) run
# when their script is there and are skipped otherwise.
#
#   name         script                full run                   --quick
#   run          run.sh                --scale 1                  --scale 0.01
#   store        store_bench.sh        (all 64 objects)           --scale 0.05
#   multicloud   multicloud_bench.sh   --size 1GiB                --size 20MiB
#   restore      restore_bench.sh      --scale 0.1                --scale 0.01
#   plan         plan_vs_restore.sh    --size 120                 --size 10
#   small_files  small_files_bench.sh  --files 1000000            --files 2000
#   ec_restore   ec_restore_bench.sh   --size 1GiB                --size 20MiB
#   requests     requests_bench.sh     --size 512MiB              --size 20MiB
#   index        index_bench.sh        (its defaults)             --quick
#   big_dir      big_dir_bench.sh      (its defaults)             --quick

set -uo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH/.." && pwd)
QUICK=0
ONLY=""
KEEP_GOING=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) QUICK=1; shift ;;
    --only) ONLY=${2:?--only needs a value}; shift 2 ;;
    --keep-going) KEEP_GOING=1; shift ;;
    -h|--help) sed -n '/^# Usage:/,/^$/p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run_all.sh: unknown argument: $1" >&2; exit 2 ;;
  esac
done
say() { printf '\n==== [%s] %s\n' "$(date +%H:%M:%S)" "$*"; }

export ARKIV=${ARKIV:-build/arkiv}
[[ "$ARKIV" = /* ]] || ARKIV="$ROOT/$ARKIV"
export BEFORE=${BEFORE:-$ARKIV} AFTER=${AFTER:-$ARKIV}
export STORE_BENCH=${STORE_BENCH:-$(dirname "$ARKIV")/bench/arkiv_store_bench}
[[ -x $ARKIV ]] || { echo "run_all.sh: arkiv binary not found: $ARKIV (set ARKIV)" >&2; exit 1; }

# name, script, arguments of a full run, arguments of a quick one.
BENCHES=(
  "run|run.sh|--scale 1|--scale 0.01"
  "store|store_bench.sh||--scale 0.05"
  "multicloud|multicloud_bench.sh|--size 1GiB|--size 20MiB"
  "restore|restore_bench.sh|--scale 0.1|--scale 0.01"
  "plan|plan_vs_restore.sh|--size 120|--size 10"
  "small_files|small_files_bench.sh|--files 1000000 --restore-dir /dev/shm/arkiv-bench|--files 2000"
  "ec_restore|ec_restore_bench.sh|--size 1GiB|--size 20MiB"
  "requests|requests_bench.sh|--size 512MiB|--size 20MiB"
  "index|index_bench.sh||--quick"
  "big_dir|big_dir_bench.sh||--quick"
)

LOGS=$BENCH/work/run-all-$(date -u +%Y%m%d-%H%M%S)
mkdir -p "$LOGS"
if [[ $QUICK -eq 1 ]]; then
  # Smoke numbers must not replace recorded ones.
  mkdir -p "$LOGS/recorded"
  cp -p "$BENCH/RESULTS.md" "$BENCH/"*results.json "$LOGS/recorded/" 2>/dev/null
  restore_recorded() {
    rm -f "$BENCH/"*results.json
    cp -p "$LOGS/recorded/"* "$BENCH/"
  }
  trap restore_recorded EXIT
fi
python3 "$BENCH/machine_info.py" "$ARKIV" | tee "$LOGS/machine.json"

summary=()
failed=0
for entry in "${BENCHES[@]}"; do
  IFS='|' read -r name script full quick <<<"$entry"
  if [[ -n $ONLY && ",$ONLY," != *",$name,"* ]]; then continue; fi
  if [[ ! -f $BENCH/$script ]]; then
    summary+=("$name: skipped ($script is not in this checkout)")
    continue
  fi
  args=$full
  [[ $QUICK -eq 1 ]] && args=$quick
  say "$name: bench/$script $args (load: $(cut -d' ' -f1-3 /proc/loadavg))"
  start=$(date +%s)
  # shellcheck disable=SC2086  # the arguments are words
  if bash "$BENCH/$script" $args 2>&1 | tee "$LOGS/$name.log"; [[ ${PIPESTATUS[0]} -eq 0 ]]; then
    summary+=("$name: ok in $(( $(date +%s) - start )) s")
  else
    summary+=("$name: FAILED after $(( $(date +%s) - start )) s (log: $LOGS/$name.log)")
    failed=1
    [[ $KEEP_GOING -eq 1 ]] || break
  fi
done

say "summary ($([[ $QUICK -eq 1 ]] && echo quick || echo full) run; logs in $LOGS)"
printf '  %s\n' "${summary[@]}"
exit $failed
