#!/usr/bin/env bash
# bench/requests_bench.sh — requests per GB backed up and restored, arkiv and
# restic against the same moto S3 server (issue 7: "request economy").
#
# Usage: [ARKIV=build/arkiv] bench/requests_bench.sh [--size SIZE] [--keep] [--no-record]
#   --size SIZE   dataset size (default 512MiB; bench/make_dataset.py at the
#                 matching scale: large files and ~50,000·scale small ones)
#   --keep        keep bench/work/requests-<run id>/
#   --no-record   leave bench/RESULTS.md and bench/requests_results.json alone
# One moto server on 127.0.0.1; arkiv's repository in bucket "arkiv", restic's
# (`restic -r s3:http://127.0.0.1:PORT/restic`) in bucket "restic". Phases:
# initial backup, no-change backup, restore of the latest snapshot (compared
# with the dataset). The requests of each phase are counted from moto's
# request log (the same counter for both tools: every HTTP request, by method;
# a GET of the bucket itself is a LIST) and, for arkiv, also taken from its
# --json summary (`requests`: calls of its store interface, see docs/json.md).

set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH/.." && pwd)
SIZE=512MiB
KEEP=0
RECORD=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --size) SIZE=${2:?--size needs a value}; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --no-record) RECORD=0; shift ;;
    -h|--help) sed -n '/^# Usage:/,/^$/p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "requests_bench.sh: unknown argument: $1" >&2; exit 2 ;;
  esac
done
die() { echo "requests_bench.sh: ERROR: $*" >&2; exit 1; }
say() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*"; }

ARKIV=${ARKIV:-build/arkiv}
[[ "$ARKIV" = /* ]] || ARKIV="$ROOT/$ARKIV"
[[ -x $ARKIV ]] || die "arkiv binary not found: $ARKIV (set ARKIV)"
command -v restic >/dev/null || die "restic not found (apt-get install -y restic)"
python3 -c 'import moto' 2>/dev/null || die "python3 moto is needed"
SCALE=$(python3 "$BENCH/size_scale.py" "$SIZE") || die "bad --size $SIZE"
DATASET=$BENCH/data/scale-$SCALE/dataset
say "dataset: $SIZE (make_dataset.py scale $SCALE) in $DATASET"
python3 "$BENCH/make_dataset.py" --scale "$SCALE" "$DATASET" >/dev/null
DATASET_BYTES=$(du -sb --apparent-size "$DATASET" | cut -f1)

WORK=$BENCH/work/requests-$(date -u +%Y%m%d-%H%M%S)
mkdir -p "$WORK/logs"
source "$BENCH/servers.sh"
cleanup() {
  stop_all_servers
  [[ $KEEP -eq 1 ]] || rm -rf "$WORK/restore-"* "$WORK/cache-"*
}
trap cleanup EXIT
python3 "$BENCH/machine_info.py" "$ARKIV" >"$WORK/machine.json"

export ARKIV_PASSWORD=arkiv-bench-password RESTIC_PASSWORD=arkiv-bench-password
export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench-secret AWS_DEFAULT_REGION=us-east-1
export RESTIC_CACHE_DIR=$WORK/cache-restic XDG_CACHE_HOME=$WORK/cache-xdg
unset AWS_CA_BUNDLE AWS_PROFILE AWS_SESSION_TOKEN
start_moto moto
PORT=$SERVER_PORT
MOTO_LOG=$WORK/logs/moto.log
ARKIV_REPO="s3://arkiv/repo?endpoint=http://127.0.0.1:$PORT&region=us-east-1"
RESTIC_REPO="s3:http://127.0.0.1:$PORT/restic/repo"

: >"$WORK/results.jsonl"
# run TOOL PHASE COMMAND...: runs it, then counts the requests moto logged for
# the tool's bucket since the previous phase.
run() {
  local tool=$1 phase=$2
  shift 2
  local start; start=$(wc -l <"$MOTO_LOG")
  local t0; t0=$(date +%s.%N)
  "$@" >"$WORK/logs/$tool-$phase.out" 2>"$WORK/logs/$tool-$phase.err" ||
    die "$tool $phase failed: $(tail -3 "$WORK/logs/$tool-$phase.err")"
  local t1; t1=$(date +%s.%N)
  sleep 0.5  # moto logs a request after answering it
  tail -n +"$((start + 1))" "$MOTO_LOG" >"$WORK/logs/$tool-$phase.moto"
  python3 - "$tool" "$phase" "$WORK/logs/$tool-$phase.moto" "$WORK/logs/$tool-$phase.out" "$t0" "$t1" <<'PY' | tee -a "$WORK/results.jsonl"
import collections, json, re, sys
tool, phase, log, out, t0, t1 = sys.argv[1:]
counts = collections.Counter()
for line in open(log, errors="replace"):
    m = re.search(r'"(GET|PUT|HEAD|DELETE|POST) (/[^ ?"]*)(\?[^ "]*)? HTTP', line)
    if not m:
        continue
    method, path, query = m.group(1), m.group(2), m.group(3) or ""
    parts = path.strip("/").split("/", 1)
    if parts[0] != tool:
        continue
    if method == "GET" and (len(parts) == 1 or parts[1] == "" or "list-type" in query or "prefix=" in query):
        method = "LIST"
    counts[method] += 1
row = {"tool": tool, "phase": phase, "seconds": round(float(t1) - float(t0), 1), "moto": dict(counts)}
if tool == "arkiv":
    summaries = [json.loads(l) for l in open(out) if l.startswith("{") and '"summary"' in l]
    if summaries:
        row["arkiv_json"] = summaries[-1].get("requests")
print(json.dumps(row))
PY
}

say "init"
"$ARKIV" --repo "$ARKIV_REPO" init --create-bucket >"$WORK/logs/arkiv-init.log" 2>&1 || die "arkiv init failed"
restic -r "$RESTIC_REPO" init >"$WORK/logs/restic-init.log" 2>&1 || die "restic init failed: $(tail -3 "$WORK/logs/restic-init.log")"
for phase in initial nochange; do
  say "$phase backup"
  run restic "$phase" restic -r "$RESTIC_REPO" backup "$DATASET"
  run arkiv "$phase" "$ARKIV" --repo "$ARKIV_REPO" --json backup "$DATASET"
done
say "restore"
verdicts=""
run restic restore restic -r "$RESTIC_REPO" restore latest --target "$WORK/restore-restic"
python3 "$BENCH/verify_tree.py" "$DATASET" "$WORK/restore-restic$DATASET" >"$WORK/logs/restic-verify.json" &&
  verdicts+="restic PASS" || verdicts+="restic FAIL"
rm -rf "$WORK/restore-restic"
run arkiv restore "$ARKIV" --repo "$ARKIV_REPO" --json restore latest --target "$WORK/restore-arkiv"
python3 "$BENCH/verify_tree.py" "$DATASET" "$WORK/restore-arkiv/$(basename "$DATASET")" >"$WORK/logs/arkiv-verify.json" &&
  verdicts+=", arkiv PASS" || verdicts+=", arkiv FAIL"
rm -rf "$WORK/restore-arkiv"
# What `arkiv plan` models for this repository (docs/planning.md): restore GETs.
"$ARKIV" --repo "$ARKIV_REPO" --json plan >"$WORK/logs/arkiv-plan.json" 2>"$WORK/logs/arkiv-plan.err" || true

python3 - "$WORK" "$SIZE" "$DATASET_BYTES" "$RECORD" "$BENCH" "$verdicts" <<'PY'
import json, os, sys
work, size, dataset_bytes, record, bench, verdicts = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1", sys.argv[5], sys.argv[6]
rows = [json.loads(l) for l in open(os.path.join(work, "results.jsonl"))]
machine = json.load(open(os.path.join(work, "machine.json")))
plan = None
try:
    plan = json.load(open(os.path.join(work, "logs", "arkiv-plan.json")))
except (OSError, ValueError):
    pass
gib = dataset_bytes / 2**30
result = {"size": size, "dataset_bytes": dataset_bytes, "machine": machine, "rows": rows, "verdicts": verdicts,
          "plan_restore": (plan or {}).get("restore")}
json.dump(result, open(os.path.join(work, "results.json"), "w"), indent=1)
md = []
w = md.append
w(f"## Requests per GB: arkiv vs restic on one S3 server ({size})")
w("")
w(f"`bench/requests_bench.sh --size {size}`: `make_dataset.py` dataset of {gib:.2f} GiB, one moto server on 127.0.0.1, "
  "each tool's repository in its own bucket, default settings. Requests counted from moto's request log "
  "(every HTTP request by method; a GET of the bucket is a LIST); restores compared with the dataset: "
  f"{verdicts}.")
w("")
w(f"- **Machine:** nproc {machine['nproc']}, {machine['cpu']}; load average at the start "
  f"{' / '.join(str(x) for x in machine['load_average'])}.")
w(f"- **Versions:** arkiv {machine['arkiv_git_rev']}, {machine['restic']}, moto {machine['moto']}.")
w("")
w("| Phase | Tool | PUT | GET | LIST | HEAD | DELETE | POST | Total | Per GiB of dataset | Seconds |")
w("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for phase in ("initial", "nochange", "restore"):
    for tool in ("restic", "arkiv"):
        r = next((x for x in rows if x["tool"] == tool and x["phase"] == phase), None)
        if not r:
            continue
        c = r["moto"]
        total = sum(c.values())
        w(f"| {phase} | {tool} | {c.get('PUT', 0)} | {c.get('GET', 0)} | {c.get('LIST', 0)} | {c.get('HEAD', 0)} | "
          f"{c.get('DELETE', 0)} | {c.get('POST', 0)} | {total} | {total / gib:.1f} | {r['seconds']} |")
w("")
w("arkiv's own count (`requests` in its `--json` summaries; Store calls: an S3 Remove is a HEAD and a DELETE, "
  "a List one call however many pages):")
w("")
w("| Phase | PUT | GET | LIST | STAT | DELETE | MiB up | MiB down |")
w("|---|---:|---:|---:|---:|---:|---:|---:|")
for r in rows:
    q = r.get("arkiv_json")
    if q:
        w(f"| {r['phase']} | {q['put']} | {q['get']} | {q['list']} | {q['stat']} | {q['delete']} | "
          f"{q['bytes_up'] / 2**20:.1f} | {q['bytes_down'] / 2**20:.1f} |")
if plan and plan.get("restore"):
    w("")
    w(f"`arkiv plan` models this restore as {plan['restore'].get('requests')} requests for "
      f"{plan['restore'].get('bytes', 0) / 2**20:.1f} MiB.")
text = "\n".join(md) + "\n"
open(os.path.join(work, "section.md"), "w").write(text)
print(text)
if record:
    json.dump(result, open(os.path.join(bench, "requests_results.json"), "w"), indent=1)
PY
if [[ $RECORD -eq 1 ]]; then python3 "$BENCH/results_section.py" requests <"$WORK/section.md"; fi
say "work directory: $WORK"
