#!/usr/bin/env bash
# bench/small_files_bench.sh — many small files: arkiv, restic and borg in the
# same run, to local repositories (issue 7: "1 million small files").
#
# Usage: [ARKIV=build/arkiv] bench/small_files_bench.sh [--files N] [--only TOOLS] [--restore-dir DIR] [--profile] [--keep] [--no-record]
#   --files N      files in the generated tree (default 1000000; 100000 for a
#                  shorter run); bench/make_small_files.py makes them once per N
#                  in bench/data/small-N/ (seeded, ~3.8 KB each on average, 1,000
#                  per directory, 32 directories per parent)
#   --only TOOLS   comma-separated subset of arkiv,restic,borg (no ratios then)
#   --restore-dir DIR  restore into DIR/restore-TOOL instead of the work
#                  directory, e.g. /dev/shm: on this machine's ext4 creating
#                  100,000 files took 8 to 45 s of kernel time from one run to
#                  the next (python alone, no tool), which hid the tools' own
#                  restore cost; tmpfs took 1 s. The filesystem is recorded.
#   --profile      also record arkiv's initial backup under `perf record -g`
#                  (a second backup into a throw-away repository) and keep the
#                  top of `perf report` in the work directory and the results
#   --keep         keep bench/work/small-<run id>/ (repositories, logs)
#   --no-record    do not touch bench/RESULTS.md and bench/small_files_results*.json
# Phases, each run by every tool before the next starts: initial backup,
# no-change backup, restore of the latest snapshot (compared with the tree by
# bench/verify_tree.py). Each is timed with /usr/bin/time: wall, CPU, peak RSS.
# Writes the work directory's results.json; unless --no-record, also
# bench/small_files_results_N.json and the "small_files_N" section of
# RESULTS.md (one per file count, so the 100k and 1M runs stand side by side).

set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH/.." && pwd)
FILES=1000000
ONLY=arkiv,restic,borg
PROFILE=0
RESTORE_DIR=
KEEP=0
RECORD=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --files) FILES=${2:?--files needs a value}; shift 2 ;;
    --only) ONLY=${2:?--only needs a value}; shift 2 ;;
    --restore-dir) RESTORE_DIR=${2:?--restore-dir needs a value}; shift 2 ;;
    --profile) PROFILE=1; shift ;;
    --keep) KEEP=1; shift ;;
    --no-record) RECORD=0; shift ;;
    -h|--help) sed -n '/^# Usage:/,/^$/p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "small_files_bench.sh: unknown argument: $1" >&2; exit 2 ;;
  esac
done
die() { echo "small_files_bench.sh: ERROR: $*" >&2; exit 1; }
say() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*"; }

ARKIV=${ARKIV:-build/arkiv}
[[ "$ARKIV" = /* ]] || ARKIV="$ROOT/$ARKIV"
IFS=, read -r -a TOOLS <<<"$ONLY"
for tool in "${TOOLS[@]}"; do
  case $tool in
    arkiv) [[ -x $ARKIV ]] || die "arkiv binary not found: $ARKIV (set ARKIV)" ;;
    restic) command -v restic >/dev/null || die "restic not found (apt-get install -y restic)" ;;
    borg) command -v borg >/dev/null || die "borg not found (apt-get install -y borgbackup)" ;;
    *) die "unknown tool: $tool" ;;
  esac
done
[[ -x /usr/bin/time ]] || die "GNU time not found at /usr/bin/time (apt-get install time)"

DATA=$BENCH/data/small-$FILES
DATASET=$DATA/dataset
say "dataset: $FILES files in $DATASET"
mkdir -p "$DATA"
python3 "$BENCH/make_small_files.py" --files "$FILES" "$DATASET"
DATASET_BYTES=$(du -sb --apparent-size "$DATASET" | cut -f1)

WORK=$BENCH/work/small-$(date -u +%Y%m%d-%H%M%S)
mkdir -p "$WORK/logs"
RESTORE_DIR=${RESTORE_DIR:-$WORK}
mkdir -p "$RESTORE_DIR" || die "cannot create restore directory $RESTORE_DIR"
RESTORE_FS=$(df --output=fstype "$RESTORE_DIR" | tail -1 | tr -d ' ')
cleanup() {
  [[ $KEEP -eq 1 ]] || rm -rf "$WORK/repo-"* "$WORK/restore-"* "$WORK/cache-"* "$WORK/profile-repo"
  rm -rf "$RESTORE_DIR/restore-"*  # a restore directory outside the work directory is never kept
}
trap cleanup EXIT
python3 "$BENCH/machine_info.py" "$ARKIV" >"$WORK/machine.json"

export ARKIV_PASSWORD=arkiv-bench-password RESTIC_PASSWORD=arkiv-bench-password BORG_PASSPHRASE=arkiv-bench-password
export RESTIC_CACHE_DIR=$WORK/cache-restic BORG_BASE_DIR=$WORK/cache-borg XDG_CACHE_HOME=$WORK/cache-xdg
export BORG_RELOCATED_REPO_ACCESS_IS_OK=yes BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK=yes
: >"$WORK/results.jsonl"

# measure TOOL PHASE DIR COMMAND...: runs COMMAND in DIR under /usr/bin/time.
measure() {
  local tool=$1 phase=$2 dir=$3
  shift 3
  local log=$WORK/logs/$tool-$phase
  sync
  local load; load=$(cut -d' ' -f1 /proc/loadavg)
  if ! (cd "$dir" && /usr/bin/time -f '%e %U %S %M' -o "$log.time" "$@" >"$log.out" 2>"$log.err"); then
    die "$tool $phase failed: $(tail -5 "$log.err")"
  fi
  local wall user sys rss
  read -r wall user sys rss <"$log.time"
  local repo_bytes=0
  [[ -d $WORK/repo-$tool ]] && repo_bytes=$(du -sb "$WORK/repo-$tool" | cut -f1)
  python3 - "$tool" "$phase" "$wall" "$user" "$sys" "$rss" "$repo_bytes" "$load" <<'PY' | tee -a "$WORK/results.jsonl"
import json, sys
tool, phase, wall, user, sys_, rss, repo, load = sys.argv[1:]
print(json.dumps({"tool": tool, "phase": phase, "wall_s": float(wall), "cpu_s": round(float(user) + float(sys_), 2),
                  "peak_rss_mib": round(int(rss) / 1024, 1), "repo_bytes": int(repo), "load_before": float(load)}))
PY
}

verify() {  # TOOL RESTORED_DATASET
  if python3 "$BENCH/verify_tree.py" "$DATASET" "$2" >"$WORK/logs/$1-verify.json"; then
    echo "{\"tool\": \"$1\", \"phase\": \"verify\", \"content\": \"PASS\"}" >>"$WORK/results.jsonl"
  else
    echo "{\"tool\": \"$1\", \"phase\": \"verify\", \"content\": \"FAIL\"}" >>"$WORK/results.jsonl"
    say "$1: restored tree differs from the dataset (see $WORK/logs/$1-verify.json)"
  fi
}

PARENT=$(dirname "$DATASET")
say "init (uptime: $(uptime))"
for tool in "${TOOLS[@]}"; do
  case $tool in
    arkiv) "$ARKIV" --repo "$WORK/repo-arkiv" init >"$WORK/logs/arkiv-init.log" 2>&1 || die "arkiv init failed" ;;
    restic) restic -r "$WORK/repo-restic" init >"$WORK/logs/restic-init.log" 2>&1 || die "restic init failed" ;;
    borg) borg init -e repokey "$WORK/repo-borg" >"$WORK/logs/borg-init.log" 2>&1 || die "borg init failed" ;;
  esac
done
# The page cache holds the tree for every tool alike.
find "$DATASET" -type f -exec cat {} + >/dev/null

backup() {  # TOOL PHASE ARCHIVE
  case $1 in
    arkiv) measure arkiv "$2" "$PARENT" "$ARKIV" --repo "$WORK/repo-arkiv" --json backup "$DATASET" ;;
    restic) measure restic "$2" "$PARENT" restic -r "$WORK/repo-restic" backup "$DATASET" ;;
    # borg stores the path as given: a relative one restores to TARGET/dataset.
    borg) measure borg "$2" "$PARENT" borg create "$WORK/repo-borg::$3" dataset ;;
  esac
}
for phase in initial nochange; do
  say "$phase backup"
  archive=s1; [[ $phase == nochange ]] && archive=s2
  for tool in "${TOOLS[@]}"; do backup "$tool" "$phase" "$archive"; done
done
say "restore"
for tool in "${TOOLS[@]}"; do
  target=$RESTORE_DIR/restore-$tool
  mkdir -p "$target"
  case $tool in
    arkiv) measure arkiv restore "$target" "$ARKIV" --repo "$WORK/repo-arkiv" --json restore latest --target "$target"
           verify arkiv "$target/dataset" ;;
    restic) measure restic restore "$target" restic -r "$WORK/repo-restic" restore latest --target "$target"
            verify restic "$target$DATASET" ;;
    borg) measure borg restore "$target" borg extract "$WORK/repo-borg::s2"
          verify borg "$target/dataset" ;;
  esac
  rm -rf "$target"
done
# arkiv's request counts, from its --json summaries.
if [[ " ${TOOLS[*]} " == *" arkiv "* ]]; then
  for phase in initial nochange restore; do
    python3 - "$phase" "$WORK/logs/arkiv-$phase.out" <<'PY' >>"$WORK/results.jsonl"
import json, sys
phase, path = sys.argv[1:]
summary = [json.loads(l) for l in open(path) if '"summary"' in l][-1]
print(json.dumps({"tool": "arkiv", "phase": phase + "-requests", "requests": summary.get("requests")}))
PY
  done
fi

if [[ $PROFILE -eq 1 && " ${TOOLS[*]} " == *" arkiv "* ]]; then
  say "profile: arkiv initial backup under perf record -g"
  command -v perf >/dev/null || die "perf not found (apt-get install -y linux-perf)"
  "$ARKIV" --repo "$WORK/profile-repo" init >/dev/null 2>&1 || die "arkiv init (profile) failed"
  (cd "$PARENT" && perf record -g -o "$WORK/perf.data" -- "$ARKIV" --repo "$WORK/profile-repo" -q backup "$DATASET") \
    >"$WORK/logs/perf-record.log" 2>&1 || die "perf record failed: $(tail -3 "$WORK/logs/perf-record.log")"
  perf report -i "$WORK/perf.data" --no-children --sort dso,symbol --stdio 2>/dev/null |
    grep -v '^#' | grep -E '^ +[0-9]' | head -40 >"$WORK/perf-top.txt" || true
  perf report -i "$WORK/perf.data" --children --sort symbol --stdio -g none 2>/dev/null |
    grep -v '^#' | grep -E '^ +[0-9]' | head -60 >"$WORK/perf-children.txt" || true
  rm -f "$WORK/perf.data"
fi

python3 - "$WORK" "$FILES" "$DATASET_BYTES" "$RECORD" "$BENCH" "$RESTORE_FS" <<'PY'
import json, os, sys
work, files, dataset_bytes, record, bench = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "1", sys.argv[5]
restore_fs = sys.argv[6]
rows = [json.loads(l) for l in open(os.path.join(work, "results.jsonl"))]
machine = json.load(open(os.path.join(work, "machine.json")))
def read(name):
    p = os.path.join(work, name)
    return open(p).read() if os.path.exists(p) else None
result = {"files": files, "dataset_bytes": dataset_bytes, "machine": machine, "rows": rows, "restore_fs": restore_fs,
          "perf_top": read("perf-top.txt"), "perf_children": read("perf-children.txt")}
json.dump(result, open(os.path.join(work, "results.json"), "w"), indent=1)
timed = {(r["tool"], r["phase"]): r for r in rows if "wall_s" in r}
tools = [t for t in ("arkiv", "restic", "borg") if (t, "initial") in timed]
verdict = {r["tool"]: r["content"] for r in rows if r["phase"] == "verify"}
md = []
w = md.append
w(f"## Many small files: arkiv vs restic vs borg ({files:,} files)")
w("")
w(f"`bench/small_files_bench.sh --files {files}` (`bench/make_small_files.py`: {files:,} files, "
  f"{dataset_bytes / 2**30:.2f} GiB, 1,000 per directory, log-normal sizes around 3 KB, 25% random, 5% copies); "
  f"local repositories, default settings of each tool, warm page cache, restores into {restore_fs}; one run.")
w("")
w(f"- **Machine:** nproc {machine['nproc']}, {machine['cpu']}, {machine['ram_gib']} GiB RAM, disk "
  f"{machine['disk']['device']}, kernel {machine['kernel']}; load average at the start "
  f"{' / '.join(str(x) for x in machine['load_average'])} (other sessions built and tested meanwhile: times are noisy; "
  "the ratios of one run are what to compare).")
w(f"- **Versions:** arkiv {machine['arkiv_git_rev']}, {machine['restic']}, {machine['borg']}.")
w("")
w("| Phase | Tool | Wall s | CPU s | Peak RSS MiB | Repository MiB | Load before |")
w("|---|---|---:|---:|---:|---:|---:|")
for phase in ("initial", "nochange", "restore"):
    for t in tools:
        r = timed.get((t, phase))
        if r:
            w(f"| {phase} | {t} | {r['wall_s']:.1f} | {r['cpu_s']:.1f} | {r['peak_rss_mib']:.0f} | "
              f"{r['repo_bytes'] / 2**20:.0f} | {r['load_before']:.2f} |")
w("")
w("Restored trees compared with the dataset (bench/verify_tree.py): " +
  ", ".join(f"{t} {verdict.get(t, 'not run')}" for t in tools) + ".")
if "arkiv" in tools and len(tools) > 1:
    w("")
    w("Targets (issue 7): arkiv ≥ 2× faster and ≤ half the peak RSS of the better peer, on each phase.")
    w("")
    w("| Phase | Better peer (wall) | Speed ratio peer/arkiv | Target ≥ 2 | Lower peer RSS MiB | RSS ratio peer/arkiv | Target ≥ 2 |")
    w("|---|---|---:|---|---:|---:|---|")
    for phase in ("initial", "nochange", "restore"):
        a = timed.get(("arkiv", phase))
        peers = [timed[(t, phase)] for t in tools if t != "arkiv" and (t, phase) in timed]
        if not a or not peers:
            continue
        best = min(peers, key=lambda r: r["wall_s"])
        low = min(r["peak_rss_mib"] for r in peers)
        sr = best["wall_s"] / a["wall_s"] if a["wall_s"] else float("inf")
        rr = low / a["peak_rss_mib"] if a["peak_rss_mib"] else float("inf")
        w(f"| {phase} | {best['tool']} | {sr:.2f} | {'met' if sr >= 2 else 'MISSED'} | {low:.0f} | {rr:.2f} | "
          f"{'met' if rr >= 2 else 'MISSED'} |")
reqs = {r["phase"]: r["requests"] for r in rows if r["phase"].endswith("-requests") and r.get("requests")}
if reqs:
    w("")
    w("arkiv's requests (its `--json` summaries):")
    w("")
    w("| Phase | PUT | GET | LIST | STAT | DELETE | MiB up | MiB down |")
    w("|---|---:|---:|---:|---:|---:|---:|---:|")
    for phase, q in reqs.items():
        w(f"| {phase[:-9]} | {q['put']} | {q['get']} | {q['list']} | {q['stat']} | {q['delete']} | "
          f"{q['bytes_up'] / 2**20:.1f} | {q['bytes_down'] / 2**20:.1f} |")
if result["perf_top"]:
    w("")
    w("Profile of arkiv's initial backup (`--profile`: `perf record -g`, self time, top entries):")
    w("")
    w("```")
    w("\n".join(result["perf_top"].splitlines()[:25]))
    w("```")
text = "\n".join(md) + "\n"
open(os.path.join(work, "section.md"), "w").write(text)
print(text)
if record:
    json.dump(result, open(os.path.join(bench, f"small_files_results_{files}.json"), "w"), indent=1)
PY
if [[ $RECORD -eq 1 ]]; then
  python3 "$BENCH/results_section.py" "small_files_$FILES" <"$WORK/section.md"
  say "recorded in bench/RESULTS.md and bench/small_files_results_$FILES.json"
fi
say "work directory: $WORK"
