#!/usr/bin/env bash
# End to end on the cloud stand-ins: init --create-bucket, backup, change, backup, check
# --read-data, restore byte-identical — with the repository in S3 (moto) and
# in Azure Blob (Azurite), both started here on 127.0.0.1 and stopped on exit.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

SERVERS=$(cd "$(dirname "$0")/../servers" && pwd)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_port() {
  for _ in $(seq 1 300); do
    if python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $1), 0.2)" 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  return 1
}

mkdir -p "$WORK/src/docs" "$WORK/src/bin"
text_file "$WORK/src/docs/a.txt" 300000
random_file "$WORK/src/bin/blob" 6000000
ln -s ../docs/a.txt "$WORK/src/bin/link"
: >"$WORK/src/empty"

roundtrip() {  # $1 = label; ARKIV_REPOSITORY set by the caller
  local label=$1
  run init_repo --create-bucket
  expect_rc 0 "$label: init --create-bucket"
  run arkiv backup -q "$WORK/src"
  expect_rc 0 "$label: first backup"
  echo "changed" >>"$WORK/src/docs/a.txt"
  run arkiv backup --json "$WORK/src"
  expect_rc 0 "$label: second backup"
  assert_eq "$(json_last "$OUT" 'j["files_unchanged"]')" "2" "$label: unchanged files not re-read"
  run arkiv check --read-data
  expect_rc 0 "$label: check --read-data"
  run arkiv restore latest --target "$WORK/restore-$label" --verify -q
  expect_rc 0 "$label: restore --verify"
  assert_same_tree "$WORK/src" "$WORK/restore-$label/src" "$label: restore is byte-identical"
}

# --- S3 on moto
moto_port=$(free_port)
# "$PYTHON", not the python3 function of lib.sh: $! must be moto itself, or killing it leaves moto running.
"$PYTHON" -m moto.server -H 127.0.0.1 -p "$moto_port" >"$WORK/moto.log" 2>&1 &
register_pid $!
if wait_port "$moto_port"; then
  export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing-secret AWS_DEFAULT_REGION=us-east-1
  export ARKIV_REPOSITORY="s3://arkiv-e2e/repo?endpoint=http://127.0.0.1:$moto_port&region=us-east-1"
  roundtrip s3
  run arkiv --repo "s3://missing-bucket/x?endpoint=http://127.0.0.1:$moto_port&region=us-east-1" snapshots
  expect_rc 10 "s3: missing bucket: no repository there"
  assert_file_contains "$ERR" "missing-bucket" "s3: the error names the bucket"
  AWS_SECRET_ACCESS_KEY=wrong run true
  assert_file_lacks "$WORK/moto.log" "testing-secret" "s3: the secret never reaches the server log"
else
  fail "moto did not start: $(tail -5 "$WORK/moto.log")"
fi

# --- Azure Blob on Azurite
az_port=$(free_port)
mkdir -p "$WORK/azurite"
node "$SERVERS/node_modules/azurite/dist/src/blob/main.js" --blobHost 127.0.0.1 --blobPort "$az_port" \
  --location "$WORK/azurite" --disableTelemetry --silent >"$WORK/azurite.log" 2>&1 &
register_pid $!
if wait_port "$az_port"; then
  key='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='
  export AZURE_STORAGE_CONNECTION_STRING="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$key;BlobEndpoint=http://127.0.0.1:$az_port/devstoreaccount1;"
  export ARKIV_REPOSITORY="azure://devstoreaccount1/arkiv-e2e/repo?endpoint=http://127.0.0.1:$az_port/devstoreaccount1"
  roundtrip azure
  run env AZURE_STORAGE_CONNECTION_STRING="${AZURE_STORAGE_CONNECTION_STRING/AccountKey=Eby8/AccountKey=Xby8}" "$ARKIV" snapshots
  expect_rc 1 "azure: a wrong key is an error"
  assert_file_lacks "$ERR" "Xby8" "azure: the key is not in the message"
else
  fail "azurite did not start: $(tail -5 "$WORK/azurite.log")"
fi
finish
