# Cloud stand-ins for the end-to-end tests, on 127.0.0.1 only, each stopped
# when the test exits (register_pid). Source after lib.sh.
#
#   free_port                      a TCP port that was free a moment ago
#   wait_port PORT                 waits (30 s) until 127.0.0.1:PORT accepts
#   start_moto                     sets MOTO_PORT   (any credentials work)
#   start_s3rver                   sets S3RVER_PORT (checks SigV4; keys S3RVER / S3RVER)
#   start_azurite                  sets AZURITE_PORT, AZURITE_KEY, AZURITE_ENDPOINT
#   start_proxy TARGET_PORT        tests/servers/fault_proxy.py in front of a server;
#                                  sets PROXY_PORT and PROXY_CONTROL
#   proxy CONTROL_PORT COMMAND...  one control command; prints the reply ("ok ...")
#   proxy_count CONTROL_PORT NAME  one counter of `stats` (requests, connections, ...)
# Servers run as direct children (not through the python3 function of lib.sh),
# so that killing $! stops them.
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
  MOTO_PORT=$(free_port)
  "$PYTHON" -m moto.server -H 127.0.0.1 -p "$MOTO_PORT" >"$WORK/moto.log" 2>&1 &
  register_pid $!
  _started moto "$MOTO_PORT" "$WORK/moto.log"
}

start_s3rver() {
  S3RVER_PORT=$(free_port)
  mkdir -p "$WORK/s3rver"
  NODE_OPTIONS=--openssl-legacy-provider node "$SERVERS/s3rver.js" "$S3RVER_PORT" "$WORK/s3rver" \
    >"$WORK/s3rver.log" 2>&1 &
  register_pid $!
  _started s3rver "$S3RVER_PORT" "$WORK/s3rver.log"
}

start_azurite() {
  AZURITE_PORT=$(free_port)
  AZURITE_KEY='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='
  AZURITE_ENDPOINT="http://127.0.0.1:$AZURITE_PORT/devstoreaccount1"
  mkdir -p "$WORK/azurite"
  node "$SERVERS/node_modules/azurite/dist/src/blob/main.js" --blobHost 127.0.0.1 --blobPort "$AZURITE_PORT" \
    --location "$WORK/azurite" --disableTelemetry --silent >"$WORK/azurite.log" 2>&1 &
  register_pid $!
  _started azurite "$AZURITE_PORT" "$WORK/azurite.log"
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
