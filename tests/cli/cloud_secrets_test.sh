#!/usr/bin/env bash
# Secrets never appear in arkiv's output. Full runs (init, backup, backup
# --json, snapshots --json, ls, restore, check --read-data, status [--json],
# drill --json, forget --prune; cloud list on three clouds),
# all with -v, on S3 (moto) and on Azure (Azurite) with a connection string,
# a SAS token in AZURE_STORAGE_SAS_TOKEN and one in the URL; then runs that
# fail (wrong keys, a tampered SAS, a missing bucket and container, a server
# that is down, retried). Stdout and stderr of every run are kept, and none
# may contain the repository password, an S3 secret key, an Azure account
# key, a SAS signature, or any Signature= / Authorization / SharedKey text;
# nor may the repository's objects (a folder cloud of a three-cloud
# repository) or the local SQLite history hold any of them.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/cloud_servers.sh"

export ARKIV_PASSWORD='repo-pass-Vq81zT-never-printed'
export ARKIV_RETRY_MAX_ATTEMPTS=3
# The local history (SQLite) of status, drills and jobs, searched at the end.
export ARKIV_CACHE_DIR=$WORK/cache
ALL=$WORK/all-output  # every byte arkiv printed
: >"$ALL"
RUNS=0

mkdir -p "$WORK/src/docs"
text_file "$WORK/src/docs/a.txt" 200000
random_file "$WORK/src/blob" 3000000

# Runs arkiv -v ARGS, keeps its output in $ALL; sets $RC like `run`.
logged() {
  run arkiv -v "$@"
  RUNS=$((RUNS + 1))
  { echo "=== arkiv -v $*"; cat "$OUT" "$ERR"; } >>"$ALL"
}

# Everything a user does with a repository; ARKIV_REPOSITORY and the
# credentials are set by the caller.
full_run() {  # LABEL [INIT ARGS...]
  local label=$1
  shift
  logged init --kdf-cost 10 "$@"
  expect_rc 0 "$label: init"
  logged backup "$WORK/src"
  expect_rc 0 "$label: backup"
  echo more >>"$WORK/src/docs/a.txt"
  logged backup --json "$WORK/src"
  expect_rc 0 "$label: backup --json"
  logged snapshots --json
  expect_rc 0 "$label: snapshots --json"
  logged ls latest
  expect_rc 0 "$label: ls"
  rm -rf "$WORK/restore"
  logged restore latest --target "$WORK/restore" --verify
  expect_rc 0 "$label: restore"
  assert_same_tree "$WORK/src" "$WORK/restore/src" "$label: restore"
  logged check --read-data
  expect_rc 0 "$label: check --read-data"
  rm -rf "$WORK/drill"
  logged drill --json --target "$WORK/drill"
  expect_rc 0 "$label: drill --json"
  logged status --json
  expect_rc 0 "$label: status --json"
  logged status
  expect_rc 0 "$label: status"
  logged forget --keep-last 1 --prune
  expect_rc 0 "$label: forget --prune"
}

# --- S3 ---------------------------------------------------------------------------
S3_SECRET='s3-secret-Hx7Pq2-never-printed'
WRONG_S3_SECRET='s3-wrong-secret-Lm4Rd9-never-printed'
if start_moto; then
  export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=$S3_SECRET
  export ARKIV_REPOSITORY="s3://secrets/repo?endpoint=http://127.0.0.1:$MOTO_PORT&region=us-east-1"
  full_run s3 --create-bucket
  ARKIV_REPOSITORY="s3://no-such-bucket/repo?endpoint=http://127.0.0.1:$MOTO_PORT" logged snapshots
  expect_rc 10 "s3: missing bucket"
fi
if start_s3rver; then
  export ARKIV_REPOSITORY="s3://secrets/repo?endpoint=http://127.0.0.1:$S3RVER_PORT&region=us-east-1"
  AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER logged init --kdf-cost 10 --create-bucket
  expect_rc 0 "s3rver: init"
  AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=$WRONG_S3_SECRET logged backup "$WORK/src"
  expect_rc 1 "s3: wrong secret"
fi
down=$(free_port)
ARKIV_REPOSITORY="s3://x/repo?endpoint=http://127.0.0.1:$down" logged snapshots
expect_rc 1 "s3: server down"

# --- Azure ------------------------------------------------------------------------
WRONG_AZURE_KEY=$(echo -n 'wrong-azure-key-Tz5Wc1-never-printed' | base64)
if start_azurite; then
  connection="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$AZURITE_KEY;BlobEndpoint=$AZURITE_ENDPOINT;"
  export AZURE_STORAGE_CONNECTION_STRING=$connection
  export ARKIV_REPOSITORY="azure://devstoreaccount1/secrets/by-key"
  full_run "azure (connection string)" --create-bucket

  # A SAS for the container, made by Azure's own Python client.
  sas=$(/usr/bin/python3 - "$AZURITE_KEY" <<'EOF'
import datetime, sys
from azure.storage.blob import generate_container_sas, ContainerSasPermissions
expiry = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
print(generate_container_sas("devstoreaccount1", "secrets", account_key=sys.argv[1], expiry=expiry,
      permission=ContainerSasPermissions(read=True, write=True, delete=True, list=True, create=True)))
EOF
  ) || sas=
  sig=$(python3 -c 'import sys, urllib.parse as u; print(dict(u.parse_qsl(sys.argv[1]))["sig"])' "$sas" 2>/dev/null) || sig=
  if [[ -n $sig ]]; then
    unset AZURE_STORAGE_CONNECTION_STRING
    export AZURE_STORAGE_SAS_TOKEN=$sas
    export ARKIV_REPOSITORY="azure://devstoreaccount1/secrets/by-sas-env?endpoint=$AZURITE_ENDPOINT"
    full_run "azure (SAS in the environment)"
    unset AZURE_STORAGE_SAS_TOKEN
    sas_in_url=$(python3 -c 'import sys, urllib.parse as u; print(u.quote(sys.argv[1], safe=""))' "$sas")
    export ARKIV_REPOSITORY="azure://devstoreaccount1/secrets/by-sas-url?endpoint=$AZURITE_ENDPOINT&sas=$sas_in_url"
    full_run "azure (SAS in the URL)"
    # The process title (/proc/PID/cmdline, what ps shows to every user)
    # of a run with the SAS in its URL: a slow backup, looked at mid-way.
    random_file "$WORK/slow.bin" 2000000
    "$ARKIV" --repo "$ARKIV_REPOSITORY" --limit-upload 200KiB backup "$WORK/slow.bin" >"$WORK/slow.out" 2>&1 &
    slow=$!
    register_pid "$slow"
    sleep 2
    title=$(tr '\0' ' ' <"/proc/$slow/cmdline" 2>/dev/null) || title=
    kill -KILL "$slow" 2>/dev/null || true
    wait "$slow" 2>/dev/null || true
    if [[ $title == *"--limit-upload"* ]]; then
      pass "the slow backup was still running after 2 s"
      [[ $title == *"sas=***"* ]] && pass "the SAS in the process title is masked" ||
        fail "the SAS is not masked in the process title: ${title:0:60}"
      echo "$title" >>"$ALL"
    else
      fail "the slow backup ended before its process title could be read"
      cat "$WORK/slow.out" >&2
    fi
    # One repository over S3, Azure (SAS in its URL) and a folder: the
    # folder holds a copy of every metadata object (config, keys, clouds,
    # index, snapshots), searched for the secrets below.
    if [[ -n ${MOTO_PORT:-} ]]; then
      export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=$S3_SECRET
      export ARKIV_REPOSITORY=$WORK/mc-folder
      full_run "three clouds" --cloud folder="$WORK/mc-folder" \
        --cloud s3="s3://secrets/mc?endpoint=http://127.0.0.1:$MOTO_PORT&region=us-east-1" \
        --cloud azure="azure://devstoreaccount1/secrets/mc?endpoint=$AZURITE_ENDPOINT&sas=$sas_in_url" \
        --policy ec:2+1
      logged cloud list
      expect_rc 0 "three clouds: cloud list"
      logged --json cloud list
      expect_rc 0 "three clouds: cloud list --json"
    fi
    tampered=${sas/sig=/sig=AAAA}
    AZURE_STORAGE_SAS_TOKEN=$tampered ARKIV_REPOSITORY="azure://devstoreaccount1/secrets/by-sas-env?endpoint=$AZURITE_ENDPOINT" \
      logged snapshots
    expect_rc 1 "azure: tampered SAS"
    ARKIV_REPOSITORY="azure://devstoreaccount1/secrets/by-sas-url?endpoint=$AZURITE_ENDPOINT&sas=$sas_in_url&tier=Lukewarm" \
      logged snapshots
    expect_rc 1 "azure: bad URL parameter beside a SAS"
  else
    fail "no SAS token from /usr/bin/python3 (azure-storage-blob)"
  fi

  export AZURE_STORAGE_CONNECTION_STRING=${connection/AccountKey=$AZURITE_KEY/AccountKey=$WRONG_AZURE_KEY}
  export ARKIV_REPOSITORY="azure://devstoreaccount1/secrets/by-key"
  logged backup "$WORK/src"
  expect_rc 1 "azure: wrong key"
  export AZURE_STORAGE_CONNECTION_STRING=$connection
  ARKIV_REPOSITORY="azure://devstoreaccount1/no-such-container/repo" logged snapshots
  expect_rc 10 "azure: missing container"
  ARKIV_REPOSITORY="azure://devstoreaccount1/x/repo?endpoint=http://127.0.0.1:$down/devstoreaccount1" logged snapshots
  expect_rc 1 "azure: server down"
fi

# --- The verdict ------------------------------------------------------------------
# The runs did talk about the stores (retries logged, JSON printed), so a
# clean output means the secrets were kept out, not that nothing was said.
assert_file_contains "$ALL" 'retrying in' "verbose output includes the retries"
assert_file_contains "$ALL" '"message_type"' "JSON output was captured"
assert_file_contains "$ALL" 'rejected the credentials' "the wrong-key errors were captured"
secrets=("$ARKIV_PASSWORD" "$S3_SECRET" "$WRONG_S3_SECRET" "${AZURITE_KEY:-unset}" "$WRONG_AZURE_KEY"
  "${AZURITE_KEY:0:20}" "${WRONG_AZURE_KEY:0:20}")
if [[ -n ${sig:-} ]]; then
  secrets+=("$sig" "$(python3 -c 'import sys, urllib.parse as u; print(u.quote(sys.argv[1], safe=""))' "$sig")")
fi
for secret in "${secrets[@]}"; do
  if grep -qF -- "$secret" "$ALL"; then
    fail "a secret (${secret:0:6}...) appears in the output of arkiv"
    grep -nF -- "$secret" "$ALL" | head -n 3 | cut -c1-200 | sed 's/^/  | /' >&2
  else
    pass "secret ${secret:0:6}... is in none of the $RUNS runs' output"
  fi
done
# Nor in what arkiv leaves on disk: the repository's objects in the folder
# cloud (key files are plain JSON; object names are hashes) and the SQLite
# history of status, drill and jobs.
stored=("$WORK/mc-folder" "$ARKIV_CACHE_DIR")
has_files() { compgen -G "$1" >/dev/null; }
assert_true "the folder cloud holds key files" has_files "$WORK/mc-folder/keys/*"
assert_true "the history database was written" has_files "$ARKIV_CACHE_DIR/*"
for secret in "${secrets[@]}"; do
  if grep -rqaF -- "$secret" "${stored[@]}"; then
    fail "a secret (${secret:0:6}...) is stored in plain text"
    grep -rlaF -- "$secret" "${stored[@]}" | head -n 3 | sed 's/^/  | /' >&2
  else
    pass "secret ${secret:0:6}... is in no object of the repository and not in the history"
  fi
done
if find "$WORK/mc-folder" -type f -printf '%P\n' | grep -qE 'sig|secret|Vq81zT'; then
  fail "an object name carries a secret"
else
  pass "object names carry no secret"
fi
# (Azure's error code AuthorizationFailure may appear; a header may not.)
assert_file_lacks "$ALL" 'Signature=|Authorization:|AWS4-HMAC-SHA256|SharedKey [a-z]|[?&]sig=|x-amz-security-token' \
  "no signature, Authorization header or SAS sig= in the output"
finish
