#!/usr/bin/env bash
# bench/run.sh — end-to-end benchmark of arkiv against restic.
#
# Both tools back up the same deterministic dataset (bench/make_dataset.py)
# into fresh local repositories, in the same conditions, in one run:
#
#   phase "initial"   first backup into an empty repository
#   phase "nochange"  second backup, nothing changed
#   (the dataset is mutated: 1% of the small files edited, bytes inserted in
#    the middle of one large file)
#   phase "change"    third backup, after the small change
#   phase "restore"   restore of the latest snapshot into an empty directory,
#                     then verified against the (mutated) dataset
#
# Each phase runs for every tool before the next phase starts, so both tools
# always see exactly the same data. Every command is measured with
# /usr/bin/time -v (wall time, user+sys CPU, peak RSS); the repository size
# (du -sb) is taken after each backup.
#
# Results: bench/RESULTS.md (markdown tables) and bench/results.json (raw
# numbers). The dataset lives in bench/data/, repositories, restores and logs
# in bench/work/ (both git-ignored).
#
# Usage: [ARKIV=path/to/arkiv] bench/run.sh [--scale S] [--only restic|arkiv] [--keep]
#   --scale S   dataset scale factor (default 1 = 50k small files + 1.5 GiB of
#               large files; 0.01 makes a quick smoke run)
#   --only T    run only one tool (no ratios then)
#   --keep      keep repositories, restores and logs in bench/work/<run id>
#   ARKIV       arkiv binary (default: build/arkiv, relative to the repo root)

set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH/.." && pwd)
ORIG_ARGS=("$@")

# ---------------------------------------------------------------- options --
SCALE=1
ONLY=""
KEEP=0
usage() { sed -n '/^# Usage:/,/^$/p' "$0" | sed 's/^# \{0,1\}//'; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --scale) SCALE=${2:?--scale needs a value}; shift 2 ;;
    --scale=*) SCALE=${1#*=}; shift ;;
    --only) ONLY=${2:?--only needs a value}; shift 2 ;;
    --only=*) ONLY=${1#*=}; shift ;;
    --keep) KEEP=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run.sh: unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done
# Normalise the scale (so "0.010" and "0.01" share a dataset) and check it.
SCALE=$(python3 -c 'import sys; s=float(sys.argv[1]); assert 0 < s <= 10; print(repr(s))' "$SCALE") \
  || { echo "run.sh: bad --scale" >&2; exit 2; }
case "$ONLY" in
  "") TOOLS=(restic arkiv) ;;
  restic|arkiv) TOOLS=("$ONLY") ;;
  *) echo "run.sh: --only must be restic or arkiv" >&2; exit 2 ;;
esac

ARKIV=${ARKIV:-build/arkiv}
[[ "$ARKIV" = /* ]] || ARKIV="$ROOT/$ARKIV"

# ------------------------------------------------------------- utilities --
if [[ -t 1 ]]; then BOLD=$'\033[1m' RED=$'\033[1;31m' OFF=$'\033[0m'; else BOLD="" RED="" OFF=""; fi
say() { printf '\n%s[%s] %s%s\n' "$BOLD" "$(date +%H:%M:%S)" "$*" "$OFF"; }
die() { printf '\n%srun.sh: ERROR: %s%s\n' "$RED" "$*" "$OFF" >&2; exit 1; }
has_tool() { local t; for t in "${TOOLS[@]}"; do [[ $t == "$1" ]] && return 0; done; return 1; }

# ------------------------------------------------------------ prerequisites --
command -v python3 >/dev/null || die "python3 is required"
if [[ ! -x /usr/bin/time ]]; then
  say "installing GNU time (/usr/bin/time)"
  SUDO=""; [[ $(id -u) -eq 0 ]] || SUDO=sudo
  $SUDO apt-get install -y time || die "could not install the 'time' package"
fi
if has_tool restic; then
  command -v restic >/dev/null || die "restic not found (apt-get install restic)"
fi
if has_tool arkiv; then
  [[ -x "$ARKIV" ]] || die "arkiv binary not found at $ARKIV (build it, or set ARKIV=path)"
fi

# ---------------------------------------------------------------- dataset --
DATA_DIR="$BENCH/data/scale-$SCALE"
DATASET="$DATA_DIR/dataset"       # the directory that gets backed up
say "dataset: scale $SCALE in $DATASET"
# Generates it if absent; if present, undoes a mutation left by an earlier run.
python3 "$BENCH/make_dataset.py" --scale "$SCALE" "$DATASET"

# ------------------------------------------------------------- work area --
RUN_ID=$(date +%Y%m%d-%H%M%S)
WORK="$BENCH/work/$RUN_ID"
LOGS="$WORK/logs"
RAW="$WORK/raw.jsonl"               # one JSON object per measurement
mkdir -p "$LOGS"
: >"$RAW"
SUCCESS=0
cleanup() {
  # Never leave the dataset mutated (the next run would revert it anyway).
  if [[ $SUCCESS -eq 0 ]]; then
    python3 "$BENCH/make_dataset.py" --revert "$DATASET" 2>/dev/null || true
  fi
  if [[ $SUCCESS -eq 1 && $KEEP -eq 0 ]]; then
    rm -rf "$WORK"
  elif [[ $KEEP -eq 0 ]]; then
    # Failure: drop the bulky parts, keep the logs for the post-mortem.
    rm -rf "$WORK"/repo-* "$WORK"/restore-* "$WORK"/cache-*
    echo "run.sh: logs kept in $LOGS" >&2
  else
    echo "run.sh: work directory kept: $WORK" >&2
  fi
}
trap cleanup EXIT

# Fixed benchmark passwords (the repositories are throw-away).
export RESTIC_PASSWORD=arkiv-bench-password
export ARKIV_PASSWORD=arkiv-bench-password

repo_of()    { echo "$WORK/repo-$1"; }
restore_of() { echo "$WORK/restore-$1"; }

# The command line of each tool for each operation. Each tool gets its own
# cache directory inside the work area (restic keeps a local cache of
# metadata by default; XDG_CACHE_HOME is set for arkiv too in case it has
# one), so no run inherits anything from a previous one.
tool_cmd() {  # tool op -> sets the array CMD
  local tool=$1 op=$2 repo; repo=$(repo_of "$1")
  case "$tool" in
    restic)
      local env=(env RESTIC_CACHE_DIR="$WORK/cache-restic" XDG_CACHE_HOME="$WORK/cache-restic")
      case "$op" in
        init)      CMD=("${env[@]}" restic init -r "$repo") ;;
        backup)    CMD=("${env[@]}" restic -r "$repo" backup "$DATASET") ;;
        restore)   CMD=("${env[@]}" restic -r "$repo" restore latest --target "$(restore_of restic)") ;;
        snapshots) CMD=("${env[@]}" restic -r "$repo" snapshots --json) ;;
      esac ;;
    arkiv)
      local env=(env XDG_CACHE_HOME="$WORK/cache-arkiv")
      case "$op" in
        init)      CMD=("${env[@]}" "$ARKIV" init --repo "$repo") ;;
        backup)    CMD=("${env[@]}" "$ARKIV" backup --repo "$repo" "$DATASET") ;;
        restore)   CMD=("${env[@]}" "$ARKIV" restore latest --repo "$repo" --target "$(restore_of arkiv)") ;;
        snapshots) CMD=("${env[@]}" "$ARKIV" snapshots --repo "$repo" --json) ;;
      esac ;;
  esac
}

# Where each tool puts the restored dataset: restic recreates the absolute
# path under the target, arkiv puts the basename of the backed-up path there.
restored_root() {
  case "$1" in
    restic) echo "$(restore_of restic)$DATASET" ;;
    arkiv)  echo "$(restore_of arkiv)/$(basename "$DATASET")" ;;
  esac
}

dir_bytes() { if [[ -e $1 ]]; then du -sb "$1" | cut -f1; else echo 0; fi; }

# measure TOOL PHASE OP: run the tool's OP under /usr/bin/time -v, fail loudly
# if it fails, append a JSON record to $RAW.
declare -A REPO_BYTES  # tool -> repository size after its last backup
measure() {
  local tool=$1 phase=$2 op=$3
  local log="$LOGS/$tool-$phase.log" tf="$LOGS/$tool-$phase.time"
  tool_cmd "$tool" "$op"
  sync  # flush the previous command's writes so they are not billed to this one
  printf '  %-7s %-9s ... ' "$tool" "$phase"
  if ! /usr/bin/time -v -o "$tf" "${CMD[@]}" >"$log" 2>&1; then
    echo "FAILED"
    echo "---- command: ${CMD[*]}" >&2
    echo "---- last lines of $log:" >&2
    tail -n 40 "$log" >&2
    echo "---- $tf:" >&2
    head -n 3 "$tf" >&2 || true
    die "$tool $phase failed"
  fi
  # GNU time: "Elapsed (wall clock) time (h:mm:ss or m:ss): 1:02.03".
  local wall user sys rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {
           n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s }' "$tf")
  user=$(awk -F': ' '/User time \(seconds\)/ {print $2}' "$tf")
  sys=$(awk -F': ' '/System time \(seconds\)/ {print $2}' "$tf")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tf")
  [[ -n $wall && -n $user && -n $sys && -n $rss ]] || die "could not parse $tf"
  local repo_bytes cache_bytes added=null
  repo_bytes=$(dir_bytes "$(repo_of "$tool")")
  cache_bytes=$(dir_bytes "$WORK/cache-$tool")
  if [[ $op == backup ]]; then
    added=$(( repo_bytes - ${REPO_BYTES[$tool]} ))
    REPO_BYTES[$tool]=$repo_bytes
  elif [[ $op == init ]]; then
    REPO_BYTES[$tool]=$repo_bytes
  fi
  printf '{"tool":"%s","phase":"%s","wall_s":%s,"user_s":%s,"sys_s":%s,"max_rss_kb":%s,"repo_bytes":%s,"added_bytes":%s,"cache_bytes":%s}\n' \
    "$tool" "$phase" "$wall" "$user" "$sys" "$rss" "$repo_bytes" "$added" "$cache_bytes" >>"$RAW"
  awk -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" -v b="$repo_bytes" -v a="$added" 'BEGIN {
    printf "wall %7.2f s  cpu %7.2f s  rss %6.0f MiB", w, u + s, r / 1024
    if (a != "null") printf "  repo %8.1f MiB (+%.1f MiB)", b / 1048576, a / 1048576
    printf "\n" }'
}

# Number of snapshots in a tool's repository (sanity check, not measured).
snapshot_count() {
  tool_cmd "$1" snapshots
  "${CMD[@]}" >"$LOGS/$1-snapshots.json" 2>"$LOGS/$1-snapshots.err" \
    || die "$1 snapshots failed: $(tail -n 5 "$LOGS/$1-snapshots.err")"
  python3 -c '
import json, sys
try:
    d = json.load(sys.stdin)
except ValueError:
    print("?"); sys.exit()
if isinstance(d, dict):
    d = d.get("snapshots", d)
print(len(d) if isinstance(d, list) else "?")' <"$LOGS/$1-snapshots.json"
}

# --------------------------------------------------------------- context --
say "recording context"
CTX_RESTIC_VERSION="n/a"
has_tool restic && CTX_RESTIC_VERSION=$(restic version)
CTX_ARKIV_VERSION="n/a"
if has_tool arkiv; then
  CTX_ARKIV_VERSION=$("$ARKIV" --version 2>/dev/null | head -n1 || true)
  [[ -n $CTX_ARKIV_VERSION ]] || CTX_ARKIV_VERSION="unknown (no --version)"
fi
CTX_ARKIV_COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ -n $(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null) ]]; then
  CTX_ARKIV_COMMIT+=" (dirty)"
fi
CTX_COMMAND="ARKIV=$(printf '%q' "${ARKIV#"$ROOT/"}") bench/run.sh"
for a in "${ORIG_ARGS[@]+"${ORIG_ARGS[@]}"}"; do CTX_COMMAND+=" $(printf '%q' "$a")"; done
CTX_DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ)
CTX_NPROC=$(nproc)
CTX_CPU=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//' || echo unknown)
CTX_KERNEL=$(uname -sr)
CTX_FREE=$(free -g)
CTX_FS=$(df -hT "$BENCH" | tail -n1)
export CTX_RESTIC_VERSION CTX_ARKIV_VERSION CTX_ARKIV_COMMIT CTX_COMMAND CTX_DATE \
  CTX_NPROC CTX_CPU CTX_KERNEL CTX_FREE CTX_FS
python3 - "$WORK/context.json" "$RUN_ID" "$ARKIV" "$SCALE" "$DATASET" "${TOOLS[@]}" <<'EOF'
import json, os, sys
out, run_id, arkiv, scale, dataset, *tools = sys.argv[1:]
e = os.environ
json.dump({
    "date": e["CTX_DATE"], "run_id": run_id,
    "nproc": int(e["CTX_NPROC"]), "cpu": e["CTX_CPU"], "kernel": e["CTX_KERNEL"],
    "free_g": e["CTX_FREE"], "filesystem": e["CTX_FS"],
    "restic_version": e["CTX_RESTIC_VERSION"], "arkiv_version": e["CTX_ARKIV_VERSION"],
    "arkiv_commit": e["CTX_ARKIV_COMMIT"], "arkiv_binary": arkiv,
    "command": e["CTX_COMMAND"], "scale": float(scale), "tools": tools,
    "dataset_path": dataset,
}, open(out, "w"), indent=1)
EOF
has_tool restic && echo "  restic: $CTX_RESTIC_VERSION"
has_tool arkiv && echo "  arkiv:  $CTX_ARKIV_VERSION, commit $CTX_ARKIV_COMMIT, $ARKIV"
echo "  command: $CTX_COMMAND"

# ------------------------------------------------------------- benchmark --
# Warm the page cache so that the first tool does not pay for cold reads
# the second one avoids (the page cache cannot be dropped here).
say "warming the page cache"
find "$DATASET" -type f -print0 | xargs -0 cat >/dev/null

say "init repositories"
for t in "${TOOLS[@]}"; do measure "$t" init init; done

say "phase 1/4: initial backup"
for t in "${TOOLS[@]}"; do measure "$t" initial backup; done

say "phase 2/4: backup with no change"
for t in "${TOOLS[@]}"; do measure "$t" nochange backup; done

say "mutating the dataset"
python3 "$BENCH/make_dataset.py" --mutate "$DATASET"
python3 "$BENCH/make_dataset.py" --describe "$DATASET" >"$WORK/dataset.json"

say "phase 3/4: backup after a small change"
for t in "${TOOLS[@]}"; do measure "$t" change backup; done

for t in "${TOOLS[@]}"; do
  n=$(snapshot_count "$t")
  echo "  $t: $n snapshots"
  [[ $n == "?" || $n == 3 ]] || die "$t: expected 3 snapshots, found $n"
done

say "phase 4/4: full restore of the latest snapshot"
VERIFY_FAILED=0
for t in "${TOOLS[@]}"; do
  rm -rf "$(restore_of "$t")"
  mkdir -p "$(restore_of "$t")"
  measure "$t" restore restore
  printf '  %-7s verify    ... ' "$t"
  if python3 "$BENCH/verify_tree.py" "$DATASET" "$(restored_root "$t")" >"$WORK/verify-$t.json"; then
    echo "PASS (content)"
  else
    echo "FAIL — see $WORK/verify-$t.json"; VERIFY_FAILED=1
  fi
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("         ", {k: v for k, v in d.items() if not k.endswith("examples")})' "$WORK/verify-$t.json"
  [[ $KEEP -eq 1 ]] || rm -rf "$(restore_of "$t")"  # free the disk space early
done

say "restoring the pristine dataset"
python3 "$BENCH/make_dataset.py" --revert "$DATASET"

# ---------------------------------------------------------------- report --
say "writing bench/RESULTS.md and bench/results.json"
python3 "$BENCH/report.py" --work "$WORK" \
  --markdown "$BENCH/RESULTS.md" --json "$BENCH/results.json"
echo
cat "$BENCH/RESULTS.md" | sed -n '/^## Comparison/,/^## Raw/p' | sed '$d'

[[ $VERIFY_FAILED -eq 0 ]] || die "restore verification FAILED (see RESULTS.md)"
SUCCESS=1
say "done"
