# Cloud stand-ins for the benchmarks, on 127.0.0.1 only. Sourced (not run) by
# bench/store_bench.sh and bench/multicloud_bench.sh, which define $WORK (logs
# go to $WORK/logs/NAME.log, server state to $WORK/NAME/) and die MESSAGE.
#
#   start_moto NAME       moto (S3, objects in memory; any credentials work)
#   start_azurite NAME    Azurite (Azure blobs, on disk); key in $AZURITE_KEY
#   start_sshd NAME       OpenSSH sshd, internal-sftp only (needs root); client
#                         key $WORK/NAME/client, known hosts $WORK/NAME/known_hosts
#   stop_server NAME      stops it and waits until its port no longer answers
#   stop_all_servers      for the EXIT trap
#   servers_cpu_ticks     CPU ticks (user+sys, reaped children included) used so
#                         far by every running server, to tell their share of a
#                         measured command from what other processes took
# Each start_* sets SERVER_PORT; NAME keys SERVER_PIDS and SERVER_PORTS.
# shellcheck shell=bash

BENCH_SERVERS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../tests/servers" && pwd)
# The interpreter itself, not a version-manager shim, so that the pid we keep
# is the server's.
BENCH_PYTHON=$(command python3 -c 'import sys; print(sys.executable)')
AZURITE_KEY='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='
declare -A SERVER_PIDS=() SERVER_PORTS=()

free_port() { "$BENCH_PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

port_answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

_server_started() {  # NAME PID PORT
  local i
  for i in $(seq 1 300); do
    if port_answers "$3"; then
      SERVER_PIDS[$1]=$2 SERVER_PORTS[$1]=$3 SERVER_PORT=$3
      return 0
    fi
    kill -0 "$2" 2>/dev/null || break
    sleep 0.1
  done
  kill "$2" 2>/dev/null || true
  die "$1 did not start: $(tail -5 "$WORK/logs/$1.log")"
}

start_moto() {
  local port; port=$(free_port)
  mkdir -p "$WORK/logs"
  "$BENCH_PYTHON" -m moto.server -H 127.0.0.1 -p "$port" >"$WORK/logs/$1.log" 2>&1 &
  _server_started "$1" $! "$port"
}

start_azurite() {
  local port; port=$(free_port)
  mkdir -p "$WORK/logs" "$WORK/$1"
  node "$BENCH_SERVERS_DIR/node_modules/azurite/dist/src/blob/main.js" --blobHost 127.0.0.1 --blobPort "$port" \
    --location "$WORK/$1" --silent --disableTelemetry >"$WORK/logs/$1.log" 2>&1 &
  _server_started "$1" $! "$port"
}

# As src/storage/testing/sshd_server.cc: throwaway host and client keys,
# public-key login as root, internal-sftp only.
start_sshd() {
  local port dir=$WORK/$1
  port=$(free_port)
  mkdir -p "$WORK/logs" "$dir" /run/sshd
  ssh-keygen -q -t ed25519 -N '' -C arkiv-bench -f "$dir/host"
  ssh-keygen -q -t ed25519 -N '' -C arkiv-bench -f "$dir/client"
  cp "$dir/client.pub" "$dir/authorized_keys"
  cat >"$dir/sshd_config" <<EOF
ListenAddress 127.0.0.1
Port $port
HostKey $dir/host
AuthorizedKeysFile $dir/authorized_keys
PidFile $dir/sshd.pid
AuthenticationMethods publickey
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
PermitRootLogin prohibit-password
StrictModes no
MaxStartups 100
MaxSessions 100
Subsystem sftp internal-sftp
ForceCommand internal-sftp
EOF
  echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$dir/host.pub")" >"$dir/known_hosts"
  /usr/sbin/sshd -D -e -f "$dir/sshd_config" >"$WORK/logs/$1.log" 2>&1 &
  _server_started "$1" $! "$port"
}

stop_server() {
  local pid=${SERVER_PIDS[$1]:-} port=${SERVER_PORTS[$1]:-} i
  [[ -n $pid ]] || return 0
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  unset "SERVER_PIDS[$1]"
  for i in $(seq 1 100); do
    port_answers "$port" || return 0
    sleep 0.1
  done
  die "$1 still answers on port $port after being stopped"
}

stop_all_servers() {
  local name
  for name in "${!SERVER_PIDS[@]}"; do kill "${SERVER_PIDS[$name]}" 2>/dev/null || true; done
  for name in "${!SERVER_PIDS[@]}"; do wait "${SERVER_PIDS[$name]}" 2>/dev/null || true; done
  SERVER_PIDS=()
}

servers_cpu_ticks() {
  local name total=0 ticks
  for name in "${!SERVER_PIDS[@]}"; do
    # Fields after the ")" that ends the command name: utime is the 12th,
    # stime, cutime, cstime follow.
    ticks=$(sed 's/.*) //' "/proc/${SERVER_PIDS[$name]}/stat" 2>/dev/null | awk '{print $12 + $13 + $14 + $15}') || ticks=0
    total=$((total + ${ticks:-0}))
  done
  echo "$total"
}
