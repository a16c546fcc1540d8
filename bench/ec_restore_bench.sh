#!/usr/bin/env bash
# bench/ec_restore_bench.sh — restore from ec:2+1 over three local S3 servers
# against restore from one of them alone, in one run (issue 7: "bandwidth
# adds up", target ec ≥ 1.5× faster).
#
# Usage: [ARKIV=build/arkiv] bench/ec_restore_bench.sh [--size SIZE] [--bandwidth RATE] [--keep] [--no-record]
#   --size SIZE       dataset size (default 1GiB; bench/make_dataset.py at the
#                     matching scale: large files and ~50,000·scale small ones)
#   --bandwidth RATE  put tests/servers/fault_proxy.py in front of each server,
#                     limited to RATE bytes/s each way (e.g. 20MiB): emulates
#                     clouds whose bandwidth, not their CPU, is the limit
#   --keep            keep bench/work/ec-restore-<run id>/
#   --no-record       leave bench/RESULTS.md and bench/ec_restore[_bandwidth]_results.json alone
# Three moto servers (each its own process on 127.0.0.1). The dataset is
# backed up once with `--policy ec:2+1` over the three and once to a single
# one of them (another bucket of server a); both are restored, one after the
# other, timed (/usr/bin/time), and compared with the dataset. The CPU each
# server process used during each restore is read from /proc: on a 2-core
# machine the Python servers' CPU, not the network, is the likely limit.

set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH/.." && pwd)
SIZE=1GiB
BANDWIDTH=""
KEEP=0
RECORD=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --size) SIZE=${2:?--size needs a value}; shift 2 ;;
    --bandwidth) BANDWIDTH=${2:?--bandwidth needs a value}; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --no-record) RECORD=0; shift ;;
    -h|--help) sed -n '/^# Usage:/,/^$/p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "ec_restore_bench.sh: unknown argument: $1" >&2; exit 2 ;;
  esac
done
die() { echo "ec_restore_bench.sh: ERROR: $*" >&2; exit 1; }
say() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*"; }

ARKIV=${ARKIV:-build/arkiv}
[[ "$ARKIV" = /* ]] || ARKIV="$ROOT/$ARKIV"
[[ -x $ARKIV ]] || die "arkiv binary not found: $ARKIV (set ARKIV)"
[[ -x /usr/bin/time ]] || die "GNU time not found at /usr/bin/time (apt-get install time)"
python3 -c 'import moto' 2>/dev/null || die "python3 moto is needed"
SCALE=$(python3 "$BENCH/size_scale.py" "$SIZE") || die "bad --size $SIZE"
RATE=0
if [[ -n $BANDWIDTH ]]; then
  RATE=$(python3 -c '
import re, sys
m = re.fullmatch(r"([0-9.]+)([KMG]?)(i?B)?", sys.argv[1], re.I)
if not m: sys.exit("bad --bandwidth " + sys.argv[1])
print(int(float(m.group(1)) * {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}[m.group(2).upper()]))' "$BANDWIDTH") ||
    die "bad --bandwidth $BANDWIDTH"
fi

DATASET=$BENCH/data/scale-$SCALE/dataset
say "dataset: $SIZE (make_dataset.py scale $SCALE) in $DATASET"
python3 "$BENCH/make_dataset.py" --scale "$SCALE" "$DATASET" >/dev/null

WORK=$BENCH/work/ec-restore-$(date -u +%Y%m%d-%H%M%S)
mkdir -p "$WORK/logs"
source "$BENCH/servers.sh"
PROXY_PIDS=()
cleanup() {
  local pid
  for pid in "${PROXY_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  stop_all_servers
  [[ $KEEP -eq 1 ]] || rm -rf "$WORK/restore-"*
}
trap cleanup EXIT
python3 "$BENCH/machine_info.py" "$ARKIV" >"$WORK/machine.json"

export ARKIV_PASSWORD=arkiv-bench-password
export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench-secret AWS_DEFAULT_REGION=us-east-1
unset AWS_CA_BUNDLE AWS_PROFILE AWS_SESSION_TOKEN
declare -A ENDPOINT_PORT=()
for name in a b c; do
  start_moto "moto-$name"
  ENDPOINT_PORT[$name]=$SERVER_PORT
  if [[ $RATE -gt 0 ]]; then
    # The proxy prints "fault_proxy PORT CONTROL_PORT" once it listens.
    coproc PROXY { exec python3 "$BENCH_SERVERS_DIR/fault_proxy.py" --target "127.0.0.1:$SERVER_PORT" 2>>"$WORK/logs/proxy-$name.log"; }
    PROXY_PIDS+=("$PROXY_PID")
    read -r _ port control <&"${PROXY[0]}" || die "fault_proxy for moto-$name did not start"
    python3 - "$control" "$RATE" <<'PY' || die "fault_proxy for moto-$name refused the bandwidth"
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(f"bandwidth {sys.argv[2]}\n".encode())
reply = s.makefile().readline()
sys.exit(0 if reply.startswith("ok") else reply)
PY
    ENDPOINT_PORT[$name]=$port
    exec {PROXY[0]}<&- {PROXY[1]}>&-
  fi
done
url() { echo "s3://$2/repo?endpoint=http://127.0.0.1:${ENDPOINT_PORT[$1]}&region=us-east-1"; }  # SERVER BUCKET
EC_A=$(url a arkiv-ec) SINGLE=$(url a arkiv-single)

say "backups (ec:2+1 over a, b, c; single on a)"
"$ARKIV" init --create-bucket --cloud "a=$EC_A" --cloud "b=$(url b arkiv-ec)" --cloud "c=$(url c arkiv-ec)" --policy ec:2+1 \
  >"$WORK/logs/init-ec.log" 2>&1 || die "init ec failed: $(tail -3 "$WORK/logs/init-ec.log")"
"$ARKIV" --repo "$EC_A" -q backup "$DATASET" >"$WORK/logs/backup-ec.log" 2>&1 || die "backup ec failed"
"$ARKIV" --repo "$SINGLE" init --create-bucket >"$WORK/logs/init-single.log" 2>&1 || die "init single failed"
"$ARKIV" --repo "$SINGLE" -q backup "$DATASET" >"$WORK/logs/backup-single.log" 2>&1 || die "backup single failed"

ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }  # utime + stime of PID
: >"$WORK/results.jsonl"
measure() {  # NAME REPO
  local name=$1 repo=$2 target=$WORK/restore-$1 s
  declare -A before=()
  for s in a b c; do before[$s]=$(ticks "${SERVER_PIDS[moto-$s]}"); done
  local load; load=$(cut -d' ' -f1 /proc/loadavg)
  sync
  /usr/bin/time -f '%e %U %S %M' -o "$WORK/logs/$name.time" \
    "$ARKIV" --repo "$repo" --json restore latest --target "$target" >"$WORK/logs/$name.out" 2>"$WORK/logs/$name.err" ||
    die "$name: restore failed: $(tail -3 "$WORK/logs/$name.err")"
  local cpu=""
  for s in a b c; do cpu+="$(( $(ticks "${SERVER_PIDS[moto-$s]}") - before[$s] )) "; done
  local verdict=PASS
  python3 "$BENCH/verify_tree.py" "$DATASET" "$target/$(basename "$DATASET")" >"$WORK/logs/$name.verify" || verdict=FAIL
  read -r wall user sys rss <"$WORK/logs/$name.time"
  python3 - "$name" "$wall" "$user" "$sys" "$rss" "$cpu" "$verdict" "$load" "$(getconf CLK_TCK)" "$WORK/logs/$name.out" <<'PY' | tee -a "$WORK/results.jsonl"
import json, sys
n, wall, user, sys_, rss, cpu, verdict, load, hz, out = sys.argv[1:]
ticks = [int(x) for x in cpu.split()]
summary = [json.loads(l) for l in open(out) if '"summary"' in l][-1]
print(json.dumps({"restore": n, "wall_s": float(wall), "arkiv_cpu_s": round(float(user) + float(sys_), 2),
                  "peak_rss_mib": round(int(rss) / 1024), "server_cpu_s": dict(zip("abc", [round(t / int(hz), 1) for t in ticks])),
                  "content": verdict, "load_before": float(load), "requests": summary.get("requests")}))
PY
  rm -rf "$target"
}
say "restores (uptime: $(uptime))"
measure single "$SINGLE"
measure ec "$EC_A"

python3 - "$WORK" "$SIZE" "$BANDWIDTH" "$RECORD" "$BENCH" <<'PY'
import json, os, sys
work, size, bandwidth, record, bench = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] == "1", sys.argv[5]
rows = {r["restore"]: r for r in (json.loads(l) for l in open(os.path.join(work, "results.jsonl")))}
machine = json.load(open(os.path.join(work, "machine.json")))
s, e = rows["single"], rows["ec"]
ratio = s["wall_s"] / e["wall_s"]
result = {"size": size, "bandwidth_per_server": bandwidth or None, "machine": machine, "restores": rows,
          "ratio_single_over_ec": round(ratio, 2)}
json.dump(result, open(os.path.join(work, "results.json"), "w"), indent=1)
md = []
w = md.append
title = f"## ec:2+1 restore vs a single server ({size}" + (f", {bandwidth}/s per server" if bandwidth else "") + ")"
w(title)
w("")
w(f"`bench/ec_restore_bench.sh --size {size}" + (f" --bandwidth {bandwidth}" if bandwidth else "") +
  "`: three moto servers, each its own process on 127.0.0.1" +
  (f", each behind `tests/servers/fault_proxy.py` limited to {bandwidth}/s each way (emulated per-cloud bandwidth)"
   if bandwidth else " (no bandwidth limit: the servers' CPU is the limit)") +
  "; the dataset (`make_dataset.py`) backed up once with ec:2+1 over the three and once to server a alone; "
  "both restored in the same run, each compared with the dataset.")
w("")
w(f"- **Machine:** nproc {machine['nproc']}, {machine['cpu']}, {machine['ram_gib']} GiB RAM; load average at the start "
  f"{' / '.join(str(x) for x in machine['load_average'])} (other sessions built and tested meanwhile).")
w(f"- **Versions:** arkiv {machine['arkiv_git_rev']}, moto {machine['moto']}.")
w("")
w("| Restore | Wall s | arkiv CPU s | Peak RSS MiB | Server CPU s (a / b / c) | GETs | MiB down | Content | Load before |")
w("|---|---:|---:|---:|---|---:|---:|---|---:|")
for name in ("single", "ec"):
    r = rows[name]
    q = r.get("requests") or {}
    cpu = r["server_cpu_s"]
    w(f"| {name} | {r['wall_s']:.1f} | {r['arkiv_cpu_s']:.1f} | {r['peak_rss_mib']} | {cpu['a']} / {cpu['b']} / {cpu['c']} | "
      f"{q.get('get', '?')} | {q.get('bytes_down', 0) / 2**20:.0f} | {r['content']} | {r['load_before']:.2f} |")
w("")
w(f"Ratio single / ec:2+1: **{ratio:.2f}** (target ≥ 1.5: {'met' if ratio >= 1.5 else 'MISSED'}).")
text = "\n".join(md) + "\n"
open(os.path.join(work, "section.md"), "w").write(text)
print(text)
if record:
    name = "ec_restore_bandwidth_results.json" if bandwidth else "ec_restore_results.json"
    json.dump(result, open(os.path.join(bench, name), "w"), indent=1)
PY
if [[ $RECORD -eq 1 ]]; then
  section=ec_restore
  [[ -n $BANDWIDTH ]] && section=ec_restore_bandwidth
  python3 "$BENCH/results_section.py" "$section" <"$WORK/section.md"
fi
say "work directory: $WORK"
