#!/usr/bin/env bash
# bench/index_bench.sh — index scale (issue 7 items 1 and 3): peak RSS and
# time of opening a repository of many blobs, a small backup, check, and a
# prune with 30% garbage, on a synthetic repository (bench/synthetic_repo.cc),
# and restic on the same shape (tiny files, bench/make_tiny_files.py).
#
#   bench/index_bench.sh [--blobs 10000000] [--restic-blobs 1000000] [--label after] [--keep]
#
# Options:
#   --blobs N         data blobs of the synthetic arkiv repository (0: skip arkiv)
#   --restic-blobs N  tiny files (= data blobs) for restic and arkiv-files (0: skip both)
#   --label NAME      names this run's records (e.g. before/after)
#   --keep            keep bench/work/index-<run>/ (repositories, logs)
# Environment:
#   ARKIV   arkiv binary (default build/arkiv; e.g. another branch's build for "before")
#   SYNTH   the builder (default: bench/arkiv_synthetic_repo beside $ARKIV's build dir)
#
# Each step runs under /usr/bin/time -v; one JSON line per step is appended
# to bench/work/index-<run>/raw.jsonl and printed, and all lines are merged
# into bench/index_results.json (keyed by tool, blobs and label).
# Steps, arkiv: build (the builder), open (`cat blob`: opens, loads the whole
# index, reads one blob), backup_small (100 new files of 4 KiB), check (no
# --read-data), forget (snapshots 0–2: 30% of the blobs unused), prune
# (--safety-window 0: marks, repacks, sweeps in one run), check_after.
# restic: the same steps; its repository is made by `restic backup` of one
# group of files per snapshot (ten snapshots), the first three forgotten; then
# arkiv the same way on the same files ("arkiv-files").
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BLOBS=10000000
RESTIC_BLOBS=1000000
LABEL=after
KEEP=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --blobs) BLOBS=$2; shift 2 ;;
    --restic-blobs) RESTIC_BLOBS=$2; shift 2 ;;
    --label) LABEL=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    *) echo "usage: $0 [--blobs N] [--restic-blobs N] [--label NAME] [--keep]" >&2; exit 2 ;;
  esac
done
ARKIV=${ARKIV:-build/arkiv}
[[ "$ARKIV" = /* ]] || ARKIV="$ROOT/$ARKIV"
SYNTH=${SYNTH:-$(dirname "$ARKIV")/bench/arkiv_synthetic_repo}
[[ "$SYNTH" = /* ]] || SYNTH="$ROOT/$SYNTH"
RUN_ID=$(date -u +%Y%m%dT%H%M%SZ)
WORK="$ROOT/bench/work/index-$RUN_ID"
RAW="$WORK/raw.jsonl"
mkdir -p "$WORK/logs"
export ARKIV_PASSWORD=arkiv-bench-password RESTIC_PASSWORD=arkiv-bench-password
export XDG_CACHE_HOME="$WORK/cache" RESTIC_CACHE_DIR="$WORK/cache-restic"
die() { echo "index_bench.sh: $*" >&2; exit 1; }
cleanup() { [[ $KEEP -eq 1 ]] && echo "work directory kept: $WORK" >&2 || rm -rf "$WORK"/repo-* "$WORK"/files; }
trap cleanup EXIT
[[ -x /usr/bin/time ]] || die "GNU time missing (apt-get install time)"

# measure TOOL BLOBS STEP CMD...: runs CMD under /usr/bin/time -v; appends one JSON line.
measure() {
  local tool=$1 blobs=$2 step=$3; shift 3
  local log="$WORK/logs/$tool-$blobs-$step.log" tf="$WORK/logs/$tool-$blobs-$step.time"
  sync
  if ! /usr/bin/time -v -o "$tf" "$@" >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    die "$tool $step failed: $*"
  fi
  python3 - "$tf" "$tool" "$blobs" "$step" "$LABEL" >>"$RAW" <<'EOF'
import json, sys
tf, tool, blobs, step, label = sys.argv[1:]
v = {}
for line in open(tf):
    k, _, val = line.strip().rpartition(": ")
    v[k] = val
wall = 0.0
for part in v["Elapsed (wall clock) time (h:mm:ss or m:ss)"].split(":"):
    wall = wall * 60 + float(part)
print(json.dumps({"tool": tool, "blobs": int(blobs), "label": label, "step": step, "wall_s": wall,
                  "cpu_s": round(float(v["User time (seconds)"]) + float(v["System time (seconds)"]), 2),
                  "max_rss_mib": round(int(v["Maximum resident set size (kbytes)"]) / 1024, 1)}))
EOF
  tail -n 1 "$RAW"
}

SMALL="$WORK/small"
mkdir -p "$SMALL"
python3 - "$SMALL" <<'EOF'
import os, sys
for i in range(100):
    with open(os.path.join(sys.argv[1], f"new{i:03}"), "wb") as f:
        f.write(os.urandom(4096))
EOF

if [[ $BLOBS -gt 0 ]]; then
  [[ -x "$ARKIV" && -x "$SYNTH" ]] || die "build arkiv and bench/arkiv_synthetic_repo first ($ARKIV, $SYNTH)"
  R="$WORK/repo-arkiv"
  measure arkiv "$BLOBS" build "$SYNTH" --repo "$R" --blobs "$BLOBS"
  INFO=$(cat "$WORK/logs/arkiv-$BLOBS-build.log")
  read -r SAMPLE S0 S1 S2 < <(python3 -c 'import json,sys; j=json.loads(sys.argv[1]); print(j["sample_blob"], *j["snapshots"][:3])' "$INFO")
  echo "$INFO" >"$WORK/synthetic.json"
  measure arkiv "$BLOBS" open "$ARKIV" cat blob "$SAMPLE" --repo "$R"
  measure arkiv "$BLOBS" backup_small "$ARKIV" backup --repo "$R" "$SMALL"
  measure arkiv "$BLOBS" check "$ARKIV" check --repo "$R"
  measure arkiv "$BLOBS" forget "$ARKIV" forget --repo "$R" "$S0" "$S1" "$S2"
  measure arkiv "$BLOBS" prune "$ARKIV" prune --repo "$R" --safety-window 0
  measure arkiv "$BLOBS" check_after "$ARKIV" check --repo "$R"
  cp "$WORK/logs/arkiv-$BLOBS-prune.log" "$WORK/arkiv-prune-output.txt"
  rm -rf "$R"
fi

if [[ $RESTIC_BLOBS -gt 0 ]]; then
  command -v restic >/dev/null || die "restic missing"
  F="$WORK/files" R="$WORK/repo-restic"
  SAMPLE=$(python3 "$ROOT/bench/make_tiny_files.py" "$F" --files "$RESTIC_BLOBS")
  restic init -r "$R" >/dev/null
  # One snapshot per group, in order (build: all ten backups; peak RSS of the largest).
  measure restic "$RESTIC_BLOBS" build bash -c 'for g in 0 1 2 3 4 5 6 7 8 9; do restic -r "$1" backup --host synthetic "$2/g$g" || exit 1; done' _ "$R" "$F"
  IDS=$(restic -r "$R" snapshots --json | python3 -c 'import json,sys; s=sorted(json.load(sys.stdin), key=lambda x: x["time"]); print(" ".join(x["id"] for x in s[:3]))')
  measure restic "$RESTIC_BLOBS" open restic -r "$R" cat blob "$SAMPLE"
  measure restic "$RESTIC_BLOBS" backup_small restic -r "$R" backup --host synthetic "$SMALL"
  measure restic "$RESTIC_BLOBS" check restic -r "$R" check
  # shellcheck disable=SC2086  # IDS is a list of snapshot ids
  measure restic "$RESTIC_BLOBS" forget restic -r "$R" forget $IDS
  measure restic "$RESTIC_BLOBS" prune restic -r "$R" prune
  measure restic "$RESTIC_BLOBS" check_after restic -r "$R" check
  rm -rf "$R"
  # arkiv on the very same files, the same way ("arkiv-files"); open is
  # `ls` of one directory of the newest snapshot (loads the whole index).
  if [[ -x "$ARKIV" ]]; then
    R="$WORK/repo-arkiv-files"
    "$ARKIV" init --repo "$R" >/dev/null
    measure arkiv-files "$RESTIC_BLOBS" build bash -c 'for g in 0 1 2 3 4 5 6 7 8 9; do "$3" backup --repo "$1" "$2/g$g" || exit 1; done' _ "$R" "$F" "$ARKIV"
    IDS=$("$ARKIV" snapshots --repo "$R" --json | python3 -c 'import json,sys; s=sorted(json.load(sys.stdin), key=lambda x: x["time"]); print(" ".join(x["id"] for x in s[:3]))')
    LAST_DIR=$(cd "$F/g9" && ls | tail -n 1)
    measure arkiv-files "$RESTIC_BLOBS" open "$ARKIV" ls --repo "$R" latest "g9/$LAST_DIR"
    measure arkiv-files "$RESTIC_BLOBS" backup_small "$ARKIV" backup --repo "$R" "$SMALL"
    measure arkiv-files "$RESTIC_BLOBS" check "$ARKIV" check --repo "$R"
    # shellcheck disable=SC2086  # IDS is a list of snapshot ids
    measure arkiv-files "$RESTIC_BLOBS" forget "$ARKIV" forget --repo "$R" $IDS
    measure arkiv-files "$RESTIC_BLOBS" prune "$ARKIV" prune --repo "$R" --safety-window 0
    measure arkiv-files "$RESTIC_BLOBS" check_after "$ARKIV" check --repo "$R"
    rm -rf "$R"
  fi
  rm -rf "$F"
fi

# Merge this run's lines into bench/index_results.json (replacing earlier
# records of the same tool, blob count, label and step), with the machine.
python3 - "$RAW" "$ROOT/bench/index_results.json" "$("$ARKIV" --version 2>/dev/null | head -n1)" "$(restic version 2>/dev/null)" <<'EOF'
import json, os, platform, sys
raw, out, arkiv_version, restic_version = sys.argv[1:]
data = {"records": []}
if os.path.exists(out):
    data = json.load(open(out))
new = [json.loads(l) for l in open(raw) if l.strip()]
key = lambda r: (r["tool"], r["blobs"], r["label"], r["step"])
keys = {key(r) for r in new}
data["records"] = [r for r in data["records"] if key(r) not in keys] + new
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
mem = next((l.split()[1] for l in open("/proc/meminfo") if l.startswith("MemTotal")), "0")
data["machine"] = {"cpu": cpu, "cores": os.cpu_count(), "mem_gib": round(int(mem) / 1048576, 1),
                   "kernel": platform.release()}
data["versions"] = {"arkiv": arkiv_version, "restic": restic_version}
json.dump(data, open(out, "w"), indent=1)
EOF
echo "results merged into bench/index_results.json"
