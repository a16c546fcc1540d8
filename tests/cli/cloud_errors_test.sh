#!/usr/bin/env bash
# What the user sees when the cloud is not as expected, on S3 (moto, and the
# signature-checking s3rver) and Azure (Azurite) on 127.0.0.1:
#   - a missing bucket / container: exit 10, one line naming it and the
#     endpoint and suggesting `arkiv init --create-bucket`;
#   - wrong keys: exit 1, one line saying the cloud rejected the credentials,
#     and no retries (the fault proxy in front counts the requests);
#   - a server that is down: retried with backoff (ARKIV_RETRY_MAX_ATTEMPTS
#     keeps it short), then exit 1, one line naming the cloud.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/cloud_servers.sh"

mkdir -p "$WORK/src"
text_file "$WORK/src/a.txt" 50000

# One error line that matches every regex given (grep -E, case-insensitive).
expect_error() {  # LABEL REGEX...
  local label=$1 regex
  shift
  expect_err_line "$1" "$label"
  for regex in "${@:2}"; do assert_file_contains "$ERR" "$regex" "$label: the message says /$regex/"; done
}

# --- S3 ---------------------------------------------------------------------------
if start_moto; then
  export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing-secret AWS_DEFAULT_REGION=us-east-1
  moto="endpoint=http://127.0.0.1:$MOTO_PORT&region=us-east-1"
  for command in snapshots "backup $WORK/src"; do
    # shellcheck disable=SC2086
    run arkiv --repo "s3://no-such-bucket/repo?$moto" $command
    expect_rc 10 "s3: missing bucket: ${command%% *}"
    expect_error "s3: missing bucket: ${command%% *}" "bucket 'no-such-bucket' does not exist" \
      "at http://127\.0\.0\.1:$MOTO_PORT" 'arkiv init --create-bucket'
  done
  run init_repo --repo "s3://no-such-bucket/repo?$moto"
  expect_rc 1 "s3: init without --create-bucket on a missing bucket"
  expect_error "s3: init on a missing bucket" "bucket 'no-such-bucket' does not exist" '--create-bucket'
  run init_repo --repo "s3://no-such-bucket/repo?$moto" --create-bucket
  expect_rc 0 "s3: init --create-bucket makes it"
  run arkiv --repo "s3://no-such-bucket/repo?$moto" snapshots
  expect_rc 0 "s3: then the repository is there"
fi

if start_s3rver && start_proxy "$S3RVER_PORT"; then
  s3rver_control=$PROXY_CONTROL
  repo="s3://keys-test/repo?endpoint=http://127.0.0.1:$PROXY_PORT&region=us-east-1"
  AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER run init_repo --repo "$repo" --create-bucket
  expect_rc 0 "s3rver: init with the right keys"
  for command in snapshots "backup $WORK/src"; do
    before=$(proxy_count "$s3rver_control" requests)
    # shellcheck disable=SC2086
    AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=wrong-secret-never-shown run arkiv --repo "$repo" $command
    expect_rc 1 "s3: wrong secret: ${command%% *}"
    expect_error "s3: wrong secret: ${command%% *}" 'S3 rejected the credentials' 'AWS_SECRET_ACCESS_KEY'
    assert_file_lacks "$ERR" 'wrong-secret-never-shown|Signature=' "s3: wrong secret: ${command%% *}: no secret in the message"
    requests=$(($(proxy_count "$s3rver_control" requests) - before))
    assert_true "s3: wrong secret: ${command%% *}: no retries ($requests requests)" test "$requests" -le 2
  done
fi

# --- Azure ------------------------------------------------------------------------
if start_azurite && start_proxy "$AZURITE_PORT"; then
  azurite_control=$PROXY_CONTROL
  endpoint="http://127.0.0.1:$PROXY_PORT/devstoreaccount1"
  connection() { echo "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$1;BlobEndpoint=$endpoint;"; }
  export AZURE_STORAGE_CONNECTION_STRING
  AZURE_STORAGE_CONNECTION_STRING=$(connection "$AZURITE_KEY")
  for command in snapshots "backup $WORK/src"; do
    # shellcheck disable=SC2086
    run arkiv --repo "azure://devstoreaccount1/no-such-container/repo" $command
    expect_rc 10 "azure: missing container: ${command%% *}"
    expect_error "azure: missing container: ${command%% *}" "container 'no-such-container' does not exist" \
      "at http://127\.0\.0\.1:$PROXY_PORT" 'arkiv init --create-bucket'
  done
  repo="azure://devstoreaccount1/keys-test/repo"
  run init_repo --repo "$repo" --create-bucket
  expect_rc 0 "azure: init --create-bucket"
  wrong_key=$(echo -n 'a wrong key, never shown' | base64)
  for command in snapshots "backup $WORK/src"; do
    before=$(proxy_count "$azurite_control" requests)
    # shellcheck disable=SC2086
    AZURE_STORAGE_CONNECTION_STRING=$(connection "$wrong_key") run arkiv --repo "$repo" $command
    expect_rc 1 "azure: wrong key: ${command%% *}"
    expect_error "azure: wrong key: ${command%% *}" 'Azure rejected the credentials' 'account key'
    assert_file_lacks "$ERR" "$wrong_key|SharedKey" "azure: wrong key: ${command%% *}: no key in the message"
    requests=$(($(proxy_count "$azurite_control" requests) - before))
    assert_true "azure: wrong key: ${command%% *}: no retries ($requests requests)" test "$requests" -le 2
  done
  unset AZURE_STORAGE_CONNECTION_STRING
fi

# --- Nothing listening ------------------------------------------------------------
down=$(free_port)
export ARKIV_RETRY_MAX_ATTEMPTS=3
for cloud in S3 Azure; do
  if [[ $cloud == S3 ]]; then
    repo="s3://some-bucket/repo?endpoint=http://127.0.0.1:$down&region=us-east-1"
  else
    repo="azure://devstoreaccount1/some-container/repo?endpoint=http://127.0.0.1:$down/devstoreaccount1"
  fi
  AZURE_STORAGE_KEY=$AZURITE_KEY run arkiv --repo "$repo" snapshots
  expect_rc 1 "$cloud: server down"
  expect_error "$cloud: server down" "request to $cloud failed" 'gave up after 3 attempts' "127\.0\.0\.1:$down"
  # -v shows the retries: two waits before attempts 2 and 3.
  AZURE_STORAGE_KEY=$AZURITE_KEY run arkiv -v --repo "$repo" snapshots
  expect_rc 1 "$cloud: server down, verbose"
  assert_eq "$(grep -c 'retrying in' "$ERR" || true)" 2 "$cloud: server down: retried twice, then gave up"
done
ARKIV_RETRY_MAX_ATTEMPTS=lots run arkiv --repo "s3://some-bucket/repo?endpoint=http://127.0.0.1:$down" snapshots
expect_rc 1 "a bad ARKIV_RETRY_MAX_ATTEMPTS"
expect_error "a bad ARKIV_RETRY_MAX_ATTEMPTS" 'ARKIV_RETRY_MAX_ATTEMPTS must be a number'

finish
