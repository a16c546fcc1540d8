# Cloud stand-ins for the end-to-end tests, on 127.0.0.1 only, each stopped
# when the test exits (register_pid). Source after lib.sh.
#
#   free_port                      a TCP port that was free a moment ago
#   wait_port PORT                 waits (30 s) until 127.0.0.1:PORT accepts
#   start_moto [PORT]              sets MOTO_PORT, MOTO_PID (any credentials work; data in memory, lost when stopped)
#   start_s3rver [PORT]            sets S3RVER_PORT, S3RVER_PID (checks SigV4; keys S3RVER / S3RVER;
#                                  data in $WORK/s3rver, kept across a restart)
#   start_azurite [PORT [DIR]]     sets AZURITE_PORT, AZURITE_PID, AZURITE_KEY, AZURITE_ENDPOINT,
#                                  AZURITE_CONNECTION (a connection string); data in DIR (default
#                                  $WORK/azurite), kept across a restart with the same DIR
#   have_sshd                      true when sshd can run here (root and /usr/sbin/sshd)
#   start_sshd [PORT]              OpenSSH sshd serving SFTP to root with a throwaway key; sets SSHD_PORT,
#                                  SSHD_PID, SSHD_KEY (client key), SSHD_KNOWN_HOSTS
#   sftp_url PATH                  the sftp:// URL of the local PATH through that sshd
#   stop_server PID PORT           stops a server and every process under it (sshd's sessions too),
#                                  waits until PORT refuses connections
#   start_proxy TARGET_PORT        tests/servers/fault_proxy.py in front of a server;
#                                  sets PROXY_PORT and PROXY_CONTROL
#   proxy CONTROL_PORT COMMAND...  one control command; prints the reply ("ok ...")
#   proxy_count CONTROL_PORT NAME  one counter of `stats` (requests, connections, ...)
#   cloud_objects URL ACTION ...   tests/servers/cloud_objects.py: list, wipe or corrupt the objects
#                                  behind an arkiv URL through the server's own API
# Servers run as direct children (not through the python3 function of lib.sh),
# so that killing their pid stops them. Starting again on the same PORT is a
# restart of a stopped server.
# Each start_* fails the test (showing the log) and returns 1 when the server does not come up.
# shellcheck shell=bash

SERVERS=$(cd "$(dirname "${BASH_SOURCE[0]}")/../servers" && pwd)

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

wait_port() {
  local i
  for i in $(seq 1 300); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  return 1
}

_started() {  # NAME PORT LOG
  if wait_port "$2"; then return 0; fi
  fail "$1 did not start: $(tail -5 "$3")"
  return 1
}

start_moto() {
  MOTO_PORT=${1:-$(free_port)}
  "$PYTHON" -m moto.server -H 127.0.0.1 -p "$MOTO_PORT" >>"$WORK/moto-$MOTO_PORT.log" 2>&1 &
  MOTO_PID=$!
  register_pid "$MOTO_PID"
  _started moto "$MOTO_PORT" "$WORK/moto-$MOTO_PORT.log"
}

start_s3rver() {
  S3RVER_PORT=${1:-$(free_port)}
  mkdir -p "$WORK/s3rver"
  NODE_OPTIONS=--openssl-legacy-provider node "$SERVERS/s3rver.js" "$S3RVER_PORT" "$WORK/s3rver" \
    >>"$WORK/s3rver.log" 2>&1 &
  S3RVER_PID=$!
  register_pid "$S3RVER_PID"
  _started s3rver "$S3RVER_PORT" "$WORK/s3rver.log"
}

start_azurite() {
  AZURITE_PORT=${1:-$(free_port)}
  local dir=${2:-$WORK/azurite}
  AZURITE_KEY='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='
  AZURITE_ENDPOINT="http://127.0.0.1:$AZURITE_PORT/devstoreaccount1"
  # shellcheck disable=SC2034  # for the tests that source this file
  AZURITE_CONNECTION="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$AZURITE_KEY;BlobEndpoint=$AZURITE_ENDPOINT;"
  mkdir -p "$dir"
  node "$SERVERS/node_modules/azurite/dist/src/blob/main.js" --blobHost 127.0.0.1 --blobPort "$AZURITE_PORT" \
    --location "$dir" --disableTelemetry --silent >>"$WORK/azurite-$AZURITE_PORT.log" 2>&1 &
  AZURITE_PID=$!
  register_pid "$AZURITE_PID"
  _started azurite "$AZURITE_PORT" "$WORK/azurite-$AZURITE_PORT.log"
}

have_sshd() { [[ $(id -u) == 0 && -x /usr/sbin/sshd ]]; }

# Keys and config live in $WORK/sshd and are made once, so a restart on the
# same port presents the same host key.
start_sshd() {
  SSHD_PORT=${1:-$(free_port)}
  local dir=$WORK/sshd
  SSHD_KEY=$dir/client
  SSHD_KNOWN_HOSTS=$dir/known_hosts
  mkdir -p /run/sshd "$dir"
  if [[ ! -f $dir/host ]]; then
    ssh-keygen -q -t ed25519 -N '' -f "$dir/host"
    ssh-keygen -q -t ed25519 -N '' -f "$SSHD_KEY"
    cp "$SSHD_KEY.pub" "$dir/authorized_keys"
  fi
  cat >"$dir/sshd_config-$SSHD_PORT" <<CONFIG
ListenAddress 127.0.0.1
Port $SSHD_PORT
HostKey $dir/host
AuthorizedKeysFile $dir/authorized_keys
PidFile $dir/sshd-$SSHD_PORT.pid
AuthenticationMethods publickey
UsePAM no
PermitRootLogin prohibit-password
StrictModes no
Subsystem sftp internal-sftp
ForceCommand internal-sftp
CONFIG
  grep -qF "[127.0.0.1]:$SSHD_PORT " "$SSHD_KNOWN_HOSTS" 2>/dev/null ||
    echo "[127.0.0.1]:$SSHD_PORT $(cut -d' ' -f1,2 "$dir/host.pub")" >>"$SSHD_KNOWN_HOSTS"
  /usr/sbin/sshd -D -e -f "$dir/sshd_config-$SSHD_PORT" 2>>"$WORK/sshd-$SSHD_PORT.log" &
  SSHD_PID=$!
  register_pid "$SSHD_PID"
  _started sshd "$SSHD_PORT" "$WORK/sshd-$SSHD_PORT.log"
}

sftp_url() { echo "sftp://root@127.0.0.1:$SSHD_PORT$1?key=$SSHD_KEY&known_hosts=$SSHD_KNOWN_HOSTS"; }

_descendants() {
  local child
  for child in $(pgrep -P "$1"); do
    _descendants "$child"
    echo "$child"
  done
}

# SIGTERM first (Azurite saves its metadata on the way out), SIGKILL for
# whatever is still there after 10 s.
stop_server() {
  local pid=$1 port=$2 i state
  # shellcheck disable=SC2046
  kill -TERM $(_descendants "$pid") "$pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do
    state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || echo gone)
    [[ $state == Z || $state == gone ]] && break
    sleep 0.1
  done
  # shellcheck disable=SC2046
  kill -KILL $(_descendants "$pid") "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || return 0
    sleep 0.1
  done
  fail "server $pid still accepts connections on port $port after it was stopped"
  return 1
}

start_proxy() {
  PROXY_PORT=$(free_port)
  PROXY_CONTROL=$(free_port)
  "$PYTHON" "$SERVERS/fault_proxy.py" --target "127.0.0.1:$1" --port "$PROXY_PORT" --control-port "$PROXY_CONTROL" \
    >"$WORK/proxy-$PROXY_PORT.log" 2>&1 &
  register_pid $!
  _started fault_proxy "$PROXY_PORT" "$WORK/proxy-$PROXY_PORT.log"
}

proxy() {
  local control=$1 reply
  shift
  exec 9<>"/dev/tcp/127.0.0.1/$control"
  echo "$*" >&9
  read -r -t 10 reply <&9 || reply="error no reply"
  exec 9>&-
  echo "$reply"
  [[ $reply == ok* ]]
}

proxy_count() { proxy "$1" stats | tr ' ' '\n' | sed -n "s/^$2=//p"; }

# Runs through the system interpreter: it has both boto3 and azure-storage-blob.
cloud_objects() { /usr/bin/python3 "$SERVERS/cloud_objects.py" "$@"; }

# start_three_clouds BUCKET: moto, Azurite and sshd on loopback, their
# credentials exported, and the repository URLs on each in $s3, $az and
# $sftp (the SFTP folder is $sftp_dir). Ends the test when one cannot start.
start_three_clouds() {
  start_moto || finish
  start_azurite || finish
  start_sshd || finish
  export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing-secret AWS_DEFAULT_REGION=us-east-1
  export AZURE_STORAGE_CONNECTION_STRING=$AZURITE_CONNECTION
  s3="s3://$1/repo?endpoint=http://127.0.0.1:$MOTO_PORT&region=us-east-1"
  az="azure://devstoreaccount1/$1/repo?endpoint=$AZURITE_ENDPOINT"
  sftp_dir=$WORK/sftp-cloud
  mkdir -p "$sftp_dir"
  sftp=$(sftp_url "$sftp_dir/repo")
}
