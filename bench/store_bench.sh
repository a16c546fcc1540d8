#!/usr/bin/env bash
# bench/store_bench.sh — arkiv's stores against rclone, on the same local servers.
#
# Starts moto (S3), Azurite (Azure blobs) and OpenSSH sshd (SFTP, when run as
# root) on 127.0.0.1, then for each server, in one run:
#   arkiv   build/bench/arkiv_store_bench: puts 64 objects of 16 MiB (1 GiB)
#           with 8 calls in flight, gets them back and compares them;
#   rclone  `rclone copy DIR remote:… --transfers 8` of 64 files of 16 MiB,
#           then `rclone copy remote:… DIR2 --transfers 8`.
# Times are wall-clock; the table gives MiB/s and the ratio arkiv / rclone
# (above 1: arkiv faster). The emulators are single-process and CPU-bound,
# so the ratio is what matters, not the MiB/s.
#
# Results: a markdown table on stdout, raw numbers in bench/store_results.json.
# Work files (random data, server state, logs) in bench/work/store-<run id>/,
# removed at the end unless --keep.
#
# Usage: [STORE_BENCH=path] bench/store_bench.sh [--scale S] [--servers LIST] [--keep]
#   --scale S       fraction of the 64 objects (at least 1); 0.05 is a quick run
#   --servers LIST  comma-separated subset of s3,azure,sftp (default: all)
#   --keep          keep bench/work/store-<run id>/
#   STORE_BENCH     the arkiv_store_bench binary (default build/bench/arkiv_store_bench)

set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH/.." && pwd)

SCALE=1
SERVERS=s3,azure,sftp
KEEP=0
usage() { sed -n '/^# Usage:/,/^$/p' "$0" | sed 's/^# \{0,1\}//'; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --scale) SCALE=${2:?--scale needs a value}; shift 2 ;;
    --servers) SERVERS=${2:?--servers needs a value}; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "store_bench.sh: unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done

OBJECT_MIB=16
OBJECTS=$(python3 -c 'import sys; print(max(1, round(64 * float(sys.argv[1]))))' "$SCALE")
PARALLEL=8  # arkiv's default connections for a cloud store; rclone gets --transfers 8
STORE_BENCH=${STORE_BENCH:-build/bench/arkiv_store_bench}
[[ "$STORE_BENCH" = /* ]] || STORE_BENCH="$ROOT/$STORE_BENCH"

die() { echo "store_bench.sh: ERROR: $*" >&2; exit 1; }
say() { echo "[$(date +%H:%M:%S)] $*" >&2; }
[[ -x "$STORE_BENCH" ]] || die "$STORE_BENCH not found (build it: bash scripts/build.sh)"
command -v rclone >/dev/null || die "rclone not found (apt-get install rclone)"

# The environment's CA bundle is not needed on plain HTTP, and rclone's AWS
# SDK reads AWS_CA_BUNDLE: keep both tools on the same footing without it.
unset AWS_CA_BUNDLE

RUN_ID=$(date -u +%Y%m%d-%H%M%S)
WORK=$ROOT/bench/work/store-$RUN_ID
mkdir -p "$WORK/logs"
source "$BENCH/servers.sh"  # the servers: start_moto, start_azurite, start_sshd
cleanup() {
  stop_all_servers
  if [[ $KEEP == 0 ]]; then rm -rf "$WORK"; else echo "kept $WORK" >&2; fi
}
trap cleanup EXIT

now() { date +%s.%N; }
mib_s() { python3 -c 'import sys; print(round(float(sys.argv[1]) / float(sys.argv[2]), 1))' "$1" "$2"; }

# ------------------------------------------------------------------- runs --
RESULTS=$WORK/results.jsonl
: >"$RESULTS"
record() {  # SERVER TOOL OP SECONDS
  python3 -c 'import json, sys
s, t, o, sec, mib = sys.argv[1:6]
print(json.dumps({"server": s, "tool": t, "op": o, "seconds": float(sec), "mib": float(mib),
                  "mib_s": float(mib) / float(sec)}))' "$1" "$2" "$3" "$4" "$TOTAL_MIB" >>"$RESULTS"
}

# SERVER URL: one arkiv_store_bench run.
bench_arkiv() {
  say "$1: arkiv upload + download"
  local out
  out=$("$STORE_BENCH" --url "$2" --objects "$OBJECTS" --size "${OBJECT_MIB}MiB" --parallel "$PARALLEL" \
    --prefix "store-bench/" 2>"$WORK/logs/arkiv-$1.log") || die "arkiv_store_bench on $1 failed: $(cat "$WORK/logs/arkiv-$1.log")"
  echo "$out" >>"$WORK/logs/arkiv-$1.log"
  record "$1" arkiv upload "$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["seconds_up"])' "$out")"
  record "$1" arkiv download "$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["seconds_down"])' "$out")"
}

# SERVER REMOTE_PATH: rclone copy up, copy down, compare, purge.
bench_rclone() {
  local server=$1 remote=$2 down=$WORK/rclone-down t0 t1
  rclone mkdir "$remote" >>"$WORK/logs/rclone-$server.log" 2>&1 || die "rclone mkdir $remote failed"
  say "$server: rclone upload"
  t0=$(now)
  rclone copy "$WORK/data" "$remote" --transfers "$PARALLEL" >>"$WORK/logs/rclone-$server.log" 2>&1 \
    || die "rclone upload to $server failed: $(tail -5 "$WORK/logs/rclone-$server.log")"
  t1=$(now)
  record "$server" rclone upload "$(python3 -c "print($t1 - $t0)")"
  say "$server: rclone download"
  rm -rf "$down"
  t0=$(now)
  rclone copy "$remote" "$down" --transfers "$PARALLEL" >>"$WORK/logs/rclone-$server.log" 2>&1 \
    || die "rclone download from $server failed: $(tail -5 "$WORK/logs/rclone-$server.log")"
  t1=$(now)
  record "$server" rclone download "$(python3 -c "print($t1 - $t0)")"
  diff -rq "$WORK/data" "$down" >/dev/null || die "rclone's download from $server differs from what it uploaded"
  rm -rf "$down"
  rclone purge "$remote" >>"$WORK/logs/rclone-$server.log" 2>&1 || true
}

TOTAL_MIB=$((OBJECTS * OBJECT_MIB))
say "rclone's source: $OBJECTS random files of $OBJECT_MIB MiB"
mkdir -p "$WORK/data"
for i in $(seq -f %05g 0 $((OBJECTS - 1))); do
  head -c $((OBJECT_MIB << 20)) /dev/urandom >"$WORK/data/obj-$i"
done
# No rclone config file: every remote comes from RCLONE_CONFIG_<NAME>_* below.
export RCLONE_CONFIG=$WORK/rclone.conf
: >"$RCLONE_CONFIG"

for server in ${SERVERS//,/ }; do
  case "$server" in
    s3)
      start_moto moto
      MOTO_PORT=$SERVER_PORT
      export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench-secret AWS_DEFAULT_REGION=us-east-1
      export RCLONE_CONFIG_MOTO_TYPE=s3 RCLONE_CONFIG_MOTO_PROVIDER=Other \
        RCLONE_CONFIG_MOTO_ENDPOINT=http://127.0.0.1:$MOTO_PORT RCLONE_CONFIG_MOTO_REGION=us-east-1 \
        RCLONE_CONFIG_MOTO_ACCESS_KEY_ID=bench RCLONE_CONFIG_MOTO_SECRET_ACCESS_KEY=bench-secret \
        RCLONE_CONFIG_MOTO_FORCE_PATH_STYLE=true
      bench_arkiv s3 "s3://arkiv-bench/repo?endpoint=http://127.0.0.1:$MOTO_PORT&region=us-east-1"
      bench_rclone s3 moto:rclone-bench/repo
      ;;
    azure)
      start_azurite azurite
      AZURITE_PORT=$SERVER_PORT
      export AZURE_STORAGE_ACCOUNT=devstoreaccount1 AZURE_STORAGE_KEY=$AZURITE_KEY
      # rclone 1.60 reads `endpoint` as a host suffix (https://ACCOUNT.ENDPOINT)
      # unless use_emulator is on; then it is the whole URL, and the account
      # and key are the emulator's well-known ones.
      export RCLONE_CONFIG_AZURITE_TYPE=azureblob RCLONE_CONFIG_AZURITE_USE_EMULATOR=true \
        RCLONE_CONFIG_AZURITE_ENDPOINT=http://127.0.0.1:$AZURITE_PORT/devstoreaccount1
      bench_arkiv azure "azure://devstoreaccount1/arkiv-bench/repo?endpoint=http://127.0.0.1:$AZURITE_PORT/devstoreaccount1"
      bench_rclone azure azurite:rclone-bench/repo
      ;;
    sftp)
      if [[ $(id -u) != 0 || ! -x /usr/sbin/sshd ]]; then say "sftp: skipped (needs root and /usr/sbin/sshd)"; continue; fi
      start_sshd sshd
      SSHD_PORT=$SERVER_PORT
      mkdir -p "$WORK/sftp"
      export RCLONE_CONFIG_SSH_TYPE=sftp RCLONE_CONFIG_SSH_HOST=127.0.0.1 RCLONE_CONFIG_SSH_PORT=$SSHD_PORT \
        RCLONE_CONFIG_SSH_USER=root RCLONE_CONFIG_SSH_KEY_FILE=$WORK/sshd/client \
        RCLONE_CONFIG_SSH_KNOWN_HOSTS_FILE=$WORK/sshd/known_hosts RCLONE_CONFIG_SSH_SHELL_TYPE=none
      bench_arkiv sftp "sftp://root@127.0.0.1:$SSHD_PORT$WORK/sftp/arkiv?key=$WORK/sshd/client&known_hosts=$WORK/sshd/known_hosts"
      bench_rclone sftp "ssh:$WORK/sftp/rclone"
      ;;
    *) die "unknown server $server (s3, azure or sftp)" ;;
  esac
done

python3 - "$RESULTS" "$BENCH/store_results.json" "$SCALE" "$OBJECTS" "$OBJECT_MIB" "$PARALLEL" \
  "$(rclone version | head -1)" "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)" <<'EOF'
import datetime, json, sys
path, out, scale, objects, object_mib, parallel, rclone, commit = sys.argv[1:9]
rows = [json.loads(line) for line in open(path)]
by = {(r["server"], r["tool"], r["op"]): r for r in rows}
table = []
print("| server | op | arkiv MiB/s | rclone MiB/s | ratio arkiv / rclone |")
print("|---|---|---:|---:|---:|")
for server in dict.fromkeys(r["server"] for r in rows):
    for op in ("upload", "download"):
        a, r = by.get((server, "arkiv", op)), by.get((server, "rclone", op))
        if not a or not r:
            continue
        ratio = a["mib_s"] / r["mib_s"]
        table.append({"server": server, "op": op, "arkiv_mib_s": round(a["mib_s"], 1),
                      "rclone_mib_s": round(r["mib_s"], 1), "ratio": round(ratio, 2),
                      "arkiv_seconds": round(a["seconds"], 3), "rclone_seconds": round(r["seconds"], 3)})
        print(f"| {server} | {op} | {a['mib_s']:.1f} | {r['mib_s']:.1f} | {ratio:.2f} |")
with open(out, "w") as f:
    json.dump({"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
               "scale": float(scale), "objects": int(objects), "object_mib": int(object_mib),
               "parallel": int(parallel), "rclone": rclone, "arkiv_commit": commit,
               "results": table}, f, indent=2)
    f.write("\n")
EOF
