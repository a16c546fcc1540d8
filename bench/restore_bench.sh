#!/usr/bin/env bash
# bench/restore_bench.sh — restore's request economy: one repository on one
# moto server (S3) on 127.0.0.1, restored by two arkiv binaries, counting the
# GET requests moto answered (from its request log) and timing each restore.
# BEFORE is e.g. a build of an older commit, AFTER the current build; the
# repository is backed up once, by AFTER, so both read the same packs. Each
# restore is compared byte for byte with the dataset (bench/verify_tree.py).
#
# Usage: BEFORE=path [AFTER=build/arkiv] bench/restore_bench.sh [--scale S] [--keep]
#   --scale S  bench/make_dataset.py scale (default 0.1: 5,000 small files and
#              12 large ones, ~190 MiB)
#   --keep     keep bench/work/restore-<run id>/
# Prints one line per restore: wall, user+sys CPU, peak RSS, GETs (all and of
# data packs), the verdict; the same as JSON in the work directory's results.json.

set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH/.." && pwd)
SCALE=0.1
KEEP=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --scale) SCALE=${2:?--scale needs a value}; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) sed -n '/^# Usage:/,/^$/p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "restore_bench.sh: unknown argument: $1" >&2; exit 2 ;;
  esac
done
die() { echo "restore_bench.sh: ERROR: $*" >&2; exit 1; }
say() { printf '\n[%s] %s\n' "$(date +%H:%M:%S)" "$*"; }

AFTER=${AFTER:-build/arkiv}
[[ "$AFTER" = /* ]] || AFTER="$ROOT/$AFTER"
[[ -n ${BEFORE:-} ]] || die "set BEFORE to the arkiv binary to compare with"
[[ "$BEFORE" = /* ]] || BEFORE="$ROOT/$BEFORE"
[[ -x $BEFORE && -x $AFTER ]] || die "arkiv binaries not found: $BEFORE, $AFTER"
[[ -x /usr/bin/time ]] || die "GNU time not found at /usr/bin/time (apt-get install time)"
python3 -c 'import moto' 2>/dev/null || die "python3 moto is needed"

DATASET=$BENCH/data/scale-$SCALE/dataset
say "dataset: make_dataset.py scale $SCALE in $DATASET"
python3 "$BENCH/make_dataset.py" --scale "$SCALE" "$DATASET"

WORK=$BENCH/work/restore-$(date -u +%Y%m%d-%H%M%S)
mkdir -p "$WORK/logs"
source "$BENCH/servers.sh"
cleanup() {
  stop_all_servers
  if [[ $KEEP -eq 0 ]]; then rm -rf "$WORK/restore-"*; fi
}
trap cleanup EXIT

# Throw-away repository and credentials (moto accepts any keys).
export ARKIV_PASSWORD=arkiv-bench-password
export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench-secret AWS_DEFAULT_REGION=us-east-1
unset AWS_CA_BUNDLE AWS_PROFILE AWS_SESSION_TOKEN
start_moto moto
REPO="s3://arkiv-bench/repo?endpoint=http://127.0.0.1:$SERVER_PORT&region=us-east-1"
MOTO_LOG=$WORK/logs/moto.log

say "backup (by $AFTER)"
"$AFTER" --repo "$REPO" init --create-bucket >"$WORK/logs/init.log" 2>&1 || die "init failed"
"$AFTER" --repo "$REPO" backup -q "$DATASET" >"$WORK/logs/backup.log" 2>&1 || die "backup failed"

gets() { grep -c "\"GET /arkiv-bench/repo/$1" "$MOTO_LOG" || true; }
: >"$WORK/results.json"
measure() {  # NAME BINARY
  local name=$1 bin=$2 target=$WORK/restore-$1 all0 data0
  all0=$(gets "") data0=$(gets "data/")
  /usr/bin/time -f '%e %U %S %M' -o "$WORK/logs/$name.time" \
    "$bin" --repo "$REPO" --json restore latest --target "$target" >"$WORK/logs/$name.out" 2>"$WORK/logs/$name.err" ||
    die "$name: restore failed: $(tail -3 "$WORK/logs/$name.err")"
  local all data verdict=PASS
  all=$(($(gets "") - all0)) data=$(($(gets "data/") - data0))
  python3 "$BENCH/verify_tree.py" "$DATASET" "$target/$(basename "$DATASET")" >"$WORK/logs/$name.verify" || verdict=FAIL
  read -r wall user sys rss <"$WORK/logs/$name.time"
  python3 - "$name" "$wall" "$user" "$sys" "$rss" "$all" "$data" "$verdict" "$(uptime)" <<'EOF' | tee -a "$WORK/results.json"
import json, sys
n, wall, user, sys_, rss, gets, data_gets, verdict, load = sys.argv[1:]
print(json.dumps({"restore": n, "wall_s": float(wall), "cpu_s": round(float(user) + float(sys_), 2),
                  "peak_rss_mib": round(int(rss) / 1024), "gets": int(gets), "data_pack_gets": int(data_gets),
                  "content": verdict, "load_after": load.split("load average:")[1].strip()}))
EOF
  rm -rf "$target"
}
say "restores (uptime: $(uptime))"
measure before "$BEFORE"
measure after "$AFTER"
echo "results: $WORK/results.json"
