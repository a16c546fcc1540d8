#!/usr/bin/env bash
# bench/plan_vs_restore.sh — `arkiv plan`'s restore-time estimate against
# measured restores (docs/planning.md, "Recovery time").
#
# Three local folders stand in for clouds; each URL carries a download_limit
# (default 40, 20 and 10 MiB/s) so that the clouds, not this machine's CPU,
# bound the restore, as on a real network. For ec:2+1 and for replicate
# over the same three clouds:
#   1. backup a dataset (random and text files, --size MiB in all);
#   2. `arkiv plan --measure --json`: measured rates, estimated restore time
#      with every cloud up and with the fastest cloud lost;
#   3. restore with every cloud up, then with the fastest cloud's folder
#      moved away, timing both (wall clock) and comparing the bytes.
# Prints a table: estimate, measured, measured / estimate. Not a test: timings
# vary with the machine; the ratio says how far the model is from reality.
#
# Usage: [ARKIV=path] bench/plan_vs_restore.sh [--size MiB] [--limits A,B,C] [--keep]
#   --size MiB       dataset size (default 120)
#   --limits A,B,C   download limits of the three clouds in MiB/s (default 40,20,10)
#   --keep           keep bench/work/plan-<run id>/
#   ARKIV            the arkiv binary (default build/arkiv)

set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH/.." && pwd)
SIZE_MIB=120
LIMITS=40,20,10
KEEP=0
usage() { sed -n '/^# Usage:/,/^$/p' "$0" | sed 's/^# \{0,1\}//'; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --size) SIZE_MIB=${2:?--size needs a value}; shift 2 ;;
    --limits) LIMITS=${2:?--limits needs a value}; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "plan_vs_restore.sh: unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done
ARKIV=${ARKIV:-build/arkiv}
[[ "$ARKIV" = /* ]] || ARKIV="$ROOT/$ARKIV"
[[ -x "$ARKIV" ]] || { echo "plan_vs_restore.sh: $ARKIV not found (bash scripts/build.sh)" >&2; exit 1; }
IFS=, read -r -a limit <<<"$LIMITS"
[[ ${#limit[@]} -eq 3 ]] || { echo "plan_vs_restore.sh: --limits needs three values" >&2; exit 2; }

WORK=$ROOT/bench/work/plan-$(date -u +%Y%m%d-%H%M%S)
mkdir -p "$WORK"
[[ $KEEP -eq 1 ]] || trap 'rm -rf "$WORK"' EXIT
export ARKIV_PASSWORD=plan-bench ARKIV_REPOSITORY=
say() { echo "[$(date +%H:%M:%S)] $*" >&2; }

# Dataset: two thirds random (incompressible), one third text.
python3 - "$WORK/src" "$SIZE_MIB" <<'EOF'
import os, random, sys
root, mib = sys.argv[1], int(sys.argv[2])
os.makedirs(root)
rng = random.Random(7)
random_bytes = mib * 2 // 3 << 20
for i in range(max(1, random_bytes >> 23)):
    with open(f"{root}/r{i}.bin", "wb") as f:
        f.write(rng.randbytes(min(8 << 20, random_bytes - (i << 23))))
words = ["alpha", "beta", "gamma", "delta", "restore", "pack", "index", "tree"]
for i in range(max(1, (mib // 3) // 4)):
    with open(f"{root}/t{i}.txt", "w") as f:
        f.write(" ".join(rng.choice(words) + str(rng.randrange(1000)) for _ in range(600000)))
EOF

now() { date +%s.%N; }
rows=()
bench_policy() {  # policy
  local policy=$1 dir=$WORK/$1 i flags=()
  for i in 0 1 2; do flags+=(--cloud "c$i=file://$dir/c$i?download_limit=${limit[i]}MiB"); done
  say "$policy: init and backup"
  "$ARKIV" init -q --kdf-cost 12 "${flags[@]}" --policy "$policy" >/dev/null
  local repo="file://$dir/c1?download_limit=${limit[1]}MiB"
  "$ARKIV" --repo "$repo" backup -q "$WORK/src"
  say "$policy: plan --measure"
  "$ARKIV" --repo "$repo" plan --measure --json >"$dir.plan.json"
  read -r up lost fastest < <(python3 -c '
import json, sys
p = json.load(open(sys.argv[1]))["policies"][0]
print(p["restore_all_up"]["seconds"], p["restore_fastest_lost"]["seconds"], p["fastest_cloud"])' "$dir.plan.json")
  say "$policy: restore, all clouds up"
  local t0 t1
  t0=$(now)
  "$ARKIV" --repo "$repo" restore -q latest --target "$dir.r1"
  t1=$(now)
  rows+=("$policy|all up|$up|$(python3 -c "print($t1 - $t0)")")
  say "$policy: restore, $fastest lost"
  mv "$dir/$fastest" "$dir/$fastest.away" && : >"$dir/$fastest"  # out: every call fails
  local survivor
  survivor=$(for i in 0 1 2; do [[ c$i != "$fastest" ]] && echo "file://$dir/c$i?download_limit=${limit[i]}MiB" && break; done)
  t0=$(now)
  "$ARKIV" --repo "$survivor" restore -q latest --target "$dir.r2" 2>/dev/null
  t1=$(now)
  rows+=("$policy|$fastest lost|$lost|$(python3 -c "print($t1 - $t0)")")
  diff -r "$WORK/src" "$dir.r1/src" >/dev/null && diff -r "$WORK/src" "$dir.r2/src" >/dev/null ||
    { echo "plan_vs_restore.sh: a restore differs from the source" >&2; exit 1; }
  rm -rf "$dir.r1" "$dir.r2"
}
bench_policy ec:2+1
bench_policy replicate

echo "Dataset $SIZE_MIB MiB; clouds c0, c1, c2 limited to ${limit[0]}, ${limit[1]}, ${limit[2]} MiB/s."
echo
echo "| policy | clouds | estimate (s) | measured (s) | measured / estimate |"
echo "|---|---|---|---|---|"
for row in "${rows[@]}"; do
  IFS='|' read -r policy case estimate measured <<<"$row"
  python3 -c 'import sys; p, c, e, m = sys.argv[1:]; e, m = float(e), float(m)
print(f"| {p} | {c} | {e:.1f} | {m:.1f} | {m / e:.2f} |")' "$policy" "$case" "$estimate" "$measured"
done
