#!/usr/bin/env bash
# bench/multicloud_bench.sh — a backup to two clouds: arkiv `replicate` against
# what a restic user does today (back up to repository A, then `restic copy`
# to repository B), and arkiv's restore from ec:2+1 with all clouds up and
# with one down. One run, the same dataset, the same local servers.
#
#   replicate  clouds A and B are two moto servers (S3) on 127.0.0.1.
#              restic: init A; backup → A; init B --from-repo A
#              --copy-chunker-params; copy A → B.
#              arkiv:  init --cloud a=… --cloud b=… --policy replicate; backup.
#              Compared: arkiv's backup wall time against restic's backup +
#              copy (target: at most half). Then each tool restores from B,
#              and the restored trees are compared byte for byte with the
#              dataset.
#   ec:2+1     clouds s3 (moto A), azure (Azurite) and sftp (sshd; a third
#              moto when not root): backup, restore with all three up, stop
#              Azurite (it holds data shard 1, so every pack is decoded from
#              parity), restore again. Each restore is compared byte for byte.
#
# Every command runs under /usr/bin/time -v (wall, user+sys, peak RSS); the
# machine's load average and the CPU that other processes took while it ran
# are recorded with it, to tell a disturbed run.
#
# Results: bench/multicloud_results.json and the "Multi-cloud benchmark"
# section of bench/RESULTS.md (bench/multicloud_report.py). Dataset in
# bench/data/, servers, repositories, restores and logs in
# bench/work/multicloud-<run id>/ (removed unless --keep or on failure).
#
# Usage: [ARKIV=path] bench/multicloud_bench.sh [--size SIZE] [--only replicate|ec] [--keep]
#   --size SIZE  dataset size, e.g. 1GiB (default), 200MiB; mixed small and large
#                files (bench/make_dataset.py at the matching scale)
#   --only P     run only the replicate comparison or only the ec:2+1 restores
#   --keep       keep bench/work/multicloud-<run id>/
#   ARKIV        arkiv binary (default build/arkiv, relative to the repo root)

set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH/.." && pwd)
ORIG_ARGS=("$@")

SIZE=1GiB
ONLY=""
KEEP=0
usage() { sed -n '/^# Usage:/,/^$/p' "$0" | sed 's/^# \{0,1\}//'; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --size) SIZE=${2:?--size needs a value}; shift 2 ;;
    --size=*) SIZE=${1#*=}; shift ;;
    --only) ONLY=${2:?--only needs a value}; shift 2 ;;
    --only=*) ONLY=${1#*=}; shift ;;
    --keep) KEEP=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "multicloud_bench.sh: unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done
case "$ONLY" in
  "") SCENARIOS=(replicate ec) ;;
  replicate|ec) SCENARIOS=("$ONLY") ;;
  *) echo "multicloud_bench.sh: --only must be replicate or ec" >&2; exit 2 ;;
esac
has_scenario() { [[ " ${SCENARIOS[*]} " == *" $1 "* ]]; }

ARKIV=${ARKIV:-build/arkiv}
[[ "$ARKIV" = /* ]] || ARKIV="$ROOT/$ARKIV"

if [[ -t 1 ]]; then BOLD=$'\033[1m' RED=$'\033[1;31m' OFF=$'\033[0m'; else BOLD="" RED="" OFF=""; fi
say() { printf '\n%s[%s] %s%s\n' "$BOLD" "$(date +%H:%M:%S)" "$*" "$OFF"; }
die() { printf '\n%smulticloud_bench.sh: ERROR: %s%s\n' "$RED" "$*" "$OFF" >&2; exit 1; }

# The dataset generator's scale for a size: scale 1 is 12 × 128 MiB of large
# files plus 50,000 small ones averaging ~6.4 KB (1.80 GiB). Three significant
# digits, so that the same --size reuses the same dataset.
SCALE=$(python3 - "$SIZE" <<'EOF'
import re, sys
m = re.fullmatch(r"\s*([0-9.]+)\s*([KMGT]?)(i?B?)\s*", sys.argv[1], re.I)
if not m:
    sys.exit(f"bad --size {sys.argv[1]!r} (e.g. 1GiB, 300MiB)")
unit = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}[m.group(2).upper()]
full = 12 * (128 << 20) + 50_000 * 6_403
scale = float(f"{float(m.group(1)) * unit / full:.3g}")
if not 0.005 <= scale <= 10:
    sys.exit(f"--size {sys.argv[1]} is out of range (10 MiB to 18 GiB)")
print(repr(scale))
EOF
) || die "bad --size $SIZE"

# ------------------------------------------------------------ prerequisites --
command -v restic >/dev/null || die "restic not found (apt-get install restic)"
[[ -x "$ARKIV" ]] || die "arkiv binary not found at $ARKIV (bash scripts/build.sh, or set ARKIV=path)"
[[ -x /usr/bin/time ]] || die "GNU time not found at /usr/bin/time (apt-get install time)"
python3 -c 'import moto, boto3' 2>/dev/null || die "python3 moto and boto3 are needed (the test servers)"
THIRD=sshd
if [[ $(id -u) != 0 || ! -x /usr/sbin/sshd ]]; then THIRD=moto; fi

# ---------------------------------------------------------------- dataset --
DATASET=$BENCH/data/scale-$SCALE/dataset
say "dataset: $SIZE (make_dataset.py scale $SCALE) in $DATASET"
python3 "$BENCH/make_dataset.py" --scale "$SCALE" "$DATASET"

# -------------------------------------------------------------- work area --
RUN_ID=$(date -u +%Y%m%d-%H%M%S)
WORK=$BENCH/work/multicloud-$RUN_ID
LOGS=$WORK/logs
RAW=$WORK/raw.jsonl  # one JSON object per measured command
mkdir -p "$LOGS"
: >"$RAW"
python3 "$BENCH/make_dataset.py" --describe "$DATASET" >"$WORK/dataset.json"
source "$BENCH/servers.sh"
SUCCESS=0
cleanup() {
  stop_all_servers
  if [[ $SUCCESS -eq 1 && $KEEP -eq 0 ]]; then
    rm -rf "$WORK"
  elif [[ $KEEP -eq 0 ]]; then
    # Failure: keep the logs for the post-mortem, drop the bulk.
    find "$WORK" -mindepth 1 -maxdepth 1 ! -name logs ! -name raw.jsonl -exec rm -rf {} +
    echo "multicloud_bench.sh: logs kept in $LOGS" >&2
  else
    echo "multicloud_bench.sh: work directory kept: $WORK" >&2
  fi
}
trap cleanup EXIT

# Throw-away repositories and credentials (moto accepts any keys). Nothing
# here leaves 127.0.0.1.
export RESTIC_PASSWORD=arkiv-bench-password ARKIV_PASSWORD=arkiv-bench-password
echo "$RESTIC_PASSWORD" >"$WORK/password"
export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench-secret AWS_DEFAULT_REGION=us-east-1
unset AWS_CA_BUNDLE AWS_PROFILE AWS_SESSION_TOKEN
export RESTIC_CACHE_DIR=$WORK/cache-restic
export XDG_CACHE_HOME=$WORK/cache-arkiv

# ------------------------------------------------------------- measuring --
CLK_TCK=$(getconf CLK_TCK)
busy_ticks() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8}' /proc/stat; }  # user nice system irq softirq

# measure NAME OK_CODES CMD...: runs CMD under /usr/bin/time -v; an exit code
# outside OK_CODES (comma-separated) stops the run with the log. Appends one
# record to $RAW: times, peak RSS, exit code, the 1-minute load average before,
# and the CPU the servers and all other processes used meanwhile ("foreign":
# the whole machine's busy time minus the command's and the servers').
measure() {
  local name=$1 ok=$2
  shift 2
  local log=$LOGS/$name.log tf=$LOGS/$name.time rc=0
  sync  # the previous command's writes are not billed to this one
  local load busy0 srv0 busy1 srv1
  load=$(cut -d' ' -f1 /proc/loadavg)
  busy0=$(busy_ticks) srv0=$(servers_cpu_ticks)
  printf '  %-24s ... ' "$name"
  /usr/bin/time -v -o "$tf" "$@" >"$log" 2>&1 || rc=$?
  busy1=$(busy_ticks) srv1=$(servers_cpu_ticks)
  if [[ ",$ok," != *",$rc,"* ]]; then
    echo "FAILED (exit $rc)"
    echo "---- command: $*" >&2
    tail -n 30 "$log" >&2
    die "$name failed"
  fi
  local wall user sys rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {
           n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s }' "$tf")
  user=$(awk -F': ' '/User time \(seconds\)/ {print $2}' "$tf")
  sys=$(awk -F': ' '/System time \(seconds\)/ {print $2}' "$tf")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tf")
  [[ -n $wall && -n $user && -n $sys && -n $rss ]] || die "could not parse $tf"
  python3 - "$RAW" "$name" "$wall" "$user" "$sys" "$rss" "$rc" "$load" \
    "$((busy1 - busy0))" "$((srv1 - srv0))" "$CLK_TCK" <<'EOF'
import json, sys
raw, name, wall, user, sys_s, rss, rc, load, busy, servers, hz = sys.argv[1:]
wall, user, sys_s, hz = float(wall), float(user), float(sys_s), int(hz)
r = {"name": name, "wall_s": wall, "user_s": user, "sys_s": sys_s, "cpu_s": round(user + sys_s, 2),
     "max_rss_kb": int(rss), "exit_code": int(rc), "load1_before": float(load),
     "machine_busy_cpu_s": int(busy) / hz, "servers_cpu_s": int(servers) / hz}
r["foreign_cpu_s"] = round(max(0.0, r["machine_busy_cpu_s"] - r["cpu_s"] - r["servers_cpu_s"]), 2)
with open(raw, "a") as f:
    f.write(json.dumps(r) + "\n")
print(f"wall {wall:7.2f} s  cpu {user + sys_s:7.2f} s  rss {int(rss) / 1024:6.0f} MiB  "
      f"servers {r['servers_cpu_s']:6.2f} s  others {r['foreign_cpu_s']:5.2f} s  load {load}"
      + (f"  (exit {rc})" if rc != "0" else ""))
EOF
}

# verify NAME RESTORED_ROOT: the restored tree against the dataset, byte for byte.
verify() {
  printf '  %-24s ... ' "verify $1"
  if python3 "$BENCH/verify_tree.py" "$DATASET" "$2" >"$WORK/verify-$1.json"; then
    echo "PASS"
  else
    echo "FAIL"
    head -c 2000 "$WORK/verify-$1.json" >&2
    die "the $1 restore differs from the dataset ($WORK/verify-$1.json)"
  fi
}

# stored_bytes LABEL BUCKET PORT [PREFIX]: bytes under an S3 prefix (one listing).
stored_bytes() {
  python3 - "$@" >>"$WORK/stored.jsonl" <<'EOF'
import json, sys, boto3
label, bucket, port = sys.argv[1:4]
prefix = sys.argv[4] if len(sys.argv) > 4 else ""
s3 = boto3.client("s3", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1")
total = count = 0
for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
    for o in page.get("Contents", []):
        total += o["Size"]
        count += 1
print(json.dumps({"label": label, "bytes": total, "objects": count}))
EOF
}
dir_stored_bytes() {  # LABEL DIR: bytes of the files under a server's directory
  python3 -c 'import json, sys; print(json.dumps({"label": sys.argv[1], "bytes": int(sys.argv[2]), "objects": int(sys.argv[3])}))' \
    "$1" "$(du -sb "$2" | cut -f1)" "$(find "$2" -type f | wc -l)" >>"$WORK/stored.jsonl"
}

# --------------------------------------------------------------- context --
say "context"
uptime | tee "$WORK/uptime-start.txt"
python3 - "$WORK/context.json" <<EOF
import json, os, subprocess, sys
def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=30).stdout.strip()
    except Exception as e:
        return f"unknown ({e})"
commit = sh("git -C '$ROOT' rev-parse --short HEAD")
if sh("git -C '$ROOT' status --porcelain --untracked-files=no"):
    commit += " (dirty)"
json.dump({
    "date": sh("date -u +%Y-%m-%dT%H:%M:%SZ"), "run_id": "$RUN_ID",
    "command": $(python3 -c 'import json, sys; print(json.dumps(sys.argv[1]))' \
      "ARKIV=${ARKIV#"$ROOT/"} bench/multicloud_bench.sh${ORIG_ARGS[*]:+ ${ORIG_ARGS[*]}}"),
    "size": "$SIZE", "scale": $SCALE, "scenarios": "${SCENARIOS[*]}".split(),
    "nproc": int(sh("nproc")), "cpu": sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'"),
    "kernel": sh("uname -sr"), "free_g": sh("free -g"), "uptime_start": sh("uptime"),
    "filesystem": sh("df -hT '$BENCH' | tail -n1"),
    "restic_version": sh("restic version"), "arkiv_version": sh("'$ARKIV' --version | head -n1"),
    "arkiv_commit": commit, "arkiv_binary": "$ARKIV",
    "moto_version": sh("python3 -c 'import moto; print(moto.__version__)'"),
    "azurite_version": sh("node -p \"require('$BENCH_SERVERS_DIR/node_modules/azurite/package.json').version\""),
    "node_version": sh("node --version"), "sshd_version": sh("/usr/sbin/sshd -V 2>&1 | head -n1"),
    "ec_third_cloud": "$THIRD",
}, open(sys.argv[1], "w"), indent=1)
EOF
echo "  restic: $(restic version)"
echo "  arkiv:  $("$ARKIV" --version | head -n1), $ARKIV"

say "warming the page cache"
find "$DATASET" -type f -print0 | xargs -0 cat >/dev/null

say "servers"
start_moto moto-a; PORT_A=$SERVER_PORT
start_moto moto-b; PORT_B=$SERVER_PORT
echo "  clouds A and B: moto on ports $PORT_A and $PORT_B"
s3_url() { echo "s3://$2/repo?endpoint=http://127.0.0.1:$1&region=us-east-1"; }  # PORT BUCKET

# ------------------------------------------------------- replicate vs copy --
if has_scenario replicate; then
  RESTIC_A="s3:http://127.0.0.1:$PORT_A/restic-a/repo"
  RESTIC_B="s3:http://127.0.0.1:$PORT_B/restic-b/repo"
  say "restic: backup to A, then copy A → B"
  measure restic-init-a 0 restic -r "$RESTIC_A" init
  measure restic-backup-a 0 restic -r "$RESTIC_A" backup "$DATASET"
  measure restic-init-b 0 restic -r "$RESTIC_B" init --from-repo "$RESTIC_A" \
    --from-password-file "$WORK/password" --copy-chunker-params
  measure restic-copy-a-b 0 restic -r "$RESTIC_B" copy --from-repo "$RESTIC_A" \
    --from-password-file "$WORK/password"

  say "arkiv: backup to A and B at once (replicate)"
  REP_A=$(s3_url "$PORT_A" arkiv-a) REP_B=$(s3_url "$PORT_B" arkiv-b)
  measure arkiv-init-replicate 0 "$ARKIV" init --create-bucket --cloud "a=$REP_A" --cloud "b=$REP_B" \
    --policy replicate
  measure arkiv-backup-replicate 0 "$ARKIV" --repo "$REP_A" backup "$DATASET"

  say "checking both copies"
  # Untimed: every object on both clouds (arkiv), and one snapshot in B (restic).
  "$ARKIV" --repo "$REP_B" check >"$LOGS/arkiv-check-replicate.log" 2>&1 \
    || die "arkiv check of the replicated repository failed: $(tail -5 "$LOGS/arkiv-check-replicate.log")"
  echo "  arkiv check: both clouds hold every object"
  n=$(restic -r "$RESTIC_B" snapshots --json 2>"$LOGS/restic-snapshots-b.err" | python3 -c 'import json, sys; print(len(json.load(sys.stdin)))')
  [[ $n == 1 ]] || die "restic repository B holds $n snapshots, not 1"
  echo "  restic: repository B holds the copied snapshot"
  stored_bytes restic-a restic-a "$PORT_A" repo/
  stored_bytes restic-b restic-b "$PORT_B" repo/
  stored_bytes arkiv-a arkiv-a "$PORT_A" repo/
  stored_bytes arkiv-b arkiv-b "$PORT_B" repo/

  say "restores from B, compared with the dataset"
  measure restic-restore-b 0 restic -r "$RESTIC_B" restore latest --target "$WORK/restore-restic"
  verify restic-b "$WORK/restore-restic$DATASET"
  rm -rf "$WORK/restore-restic"
  measure arkiv-restore-replicate 0 "$ARKIV" --repo "$REP_B" restore latest --target "$WORK/restore-arkiv"
  verify arkiv-replicate "$WORK/restore-arkiv/$(basename "$DATASET")"
  rm -rf "$WORK/restore-arkiv"
fi

# ------------------------------------------------------------------ ec:2+1 --
if has_scenario ec; then
  say "ec:2+1 over moto, Azurite and $THIRD"
  start_azurite azurite; PORT_AZ=$SERVER_PORT
  export AZURE_STORAGE_CONNECTION_STRING="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$AZURITE_KEY;BlobEndpoint=http://127.0.0.1:$PORT_AZ/devstoreaccount1;"
  EC_S3=$(s3_url "$PORT_A" arkiv-ec)
  EC_AZ="azure://devstoreaccount1/arkiv-ec/repo?endpoint=http://127.0.0.1:$PORT_AZ/devstoreaccount1"
  if [[ $THIRD == sshd ]]; then
    start_sshd sshd
    mkdir -p "$WORK/sftp"
    EC_THIRD="sftp://root@127.0.0.1:$SERVER_PORT$WORK/sftp/arkiv?key=$WORK/sshd/client&known_hosts=$WORK/sshd/known_hosts"
  else
    start_moto moto-c
    EC_THIRD=$(s3_url "$SERVER_PORT" arkiv-ec)
  fi
  measure arkiv-init-ec 0 "$ARKIV" init --create-bucket --cloud "s3=$EC_S3" --cloud "azure=$EC_AZ" \
    --cloud "third=$EC_THIRD" --policy ec:2+1
  measure arkiv-backup-ec 0 "$ARKIV" --repo "$EC_S3" backup "$DATASET"
  stored_bytes ec-s3 arkiv-ec "$PORT_A" repo/
  dir_stored_bytes ec-azure-dir "$WORK/azurite"
  if [[ $THIRD == sshd ]]; then dir_stored_bytes ec-sftp "$WORK/sftp/arkiv"; fi

  measure arkiv-restore-ec-all-up 0 "$ARKIV" --repo "$EC_S3" restore latest --target "$WORK/restore-ec"
  verify arkiv-ec-all-up "$WORK/restore-ec/$(basename "$DATASET")"
  rm -rf "$WORK/restore-ec"

  say "Azurite (data shard 1) stopped"
  stop_server azurite
  # 0, or 3 if arkiv reports the degraded reads as a warning.
  measure arkiv-restore-ec-one-down 0,3 "$ARKIV" --repo "$EC_S3" restore latest --target "$WORK/restore-ec"
  verify arkiv-ec-one-down "$WORK/restore-ec/$(basename "$DATASET")"
  grep -iE 'degraded|azure' "$LOGS/arkiv-restore-ec-one-down.log" | head -n 5 | sed 's/^/  | /' || true
  rm -rf "$WORK/restore-ec"
fi

uptime | tee "$WORK/uptime-end.txt"
python3 - "$WORK/context.json" "$(uptime)" <<'EOF'
import json, sys
ctx = json.load(open(sys.argv[1]))
ctx["uptime_end"] = sys.argv[2].strip()
json.dump(ctx, open(sys.argv[1], "w"), indent=1)
EOF

# ---------------------------------------------------------------- report --
say "writing bench/multicloud_results.json and the Multi-cloud section of bench/RESULTS.md"
python3 "$BENCH/multicloud_report.py" --work "$WORK" --json "$BENCH/multicloud_results.json" \
  --markdown "$BENCH/RESULTS.md"
SUCCESS=1
say "done"
