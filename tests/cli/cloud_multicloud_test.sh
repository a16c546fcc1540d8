#!/usr/bin/env bash
# One repository over three real stand-in clouds — S3 (moto), Azure (Azurite)
# and a local folder — with ec:2+1: back up; lose Azure (server stopped);
# restore byte-identical from the two left; back up while it is out (exit 3,
# debt recorded); Azure comes back empty (a new account); repair rebuilds it;
# then the S3 bucket is emptied and restore still works from the others.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/cloud_servers.sh"
export ARKIV_PASSWORD=multi-cloud-real
unset ARKIV_REPOSITORY
# A stopped server is retried a little, not for a minute, in a test.
export ARKIV_RETRY_MAX_ATTEMPTS=2

start_moto || finish
start_azurite || finish
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing-secret AWS_DEFAULT_REGION=us-east-1
export AZURE_STORAGE_CONNECTION_STRING=$AZURITE_CONNECTION
s3="s3://arkiv-mc/repo?endpoint=http://127.0.0.1:$MOTO_PORT&region=us-east-1"
az="azure://devstoreaccount1/arkiv-mc/repo?endpoint=$AZURITE_ENDPOINT"
disk="file://$WORK/disk"

src=$WORK/src
mkdir -p "$src/a" "$src/b"
random_file "$src/a/one.bin" $((6 * 1024 * 1024 + 3))
random_file "$src/b/two.bin" $((2 * 1024 * 1024))
text_file "$src/b/notes.txt" 300000

restore_and_compare() {  # repo-url target message
  rm -rf "$2"
  run arkiv --repo "$1" restore latest --target "$2"
  expect_rc 0 "$3: restore"
  if [[ $RC -eq 0 ]]; then assert_same_tree "$src" "$2/src" "$3"; fi
}

run arkiv init --kdf-cost 10 --pack-size 2 --create-bucket --cloud "aws=$s3" --cloud "azure=$az" \
  --cloud "disk=$disk" --policy ec:2+1
expect_rc 0 "init ec:2+1 over S3, Azure and a folder (--create-bucket)"
run arkiv --repo "$s3" backup "$src"
expect_rc 0 "backup to three clouds"
run arkiv --repo "$az" cloud list
expect_rc 0 "cloud list through the Azure URL"
assert_file_contains "$OUT" "^azure +up" "Azure is up"

# Azure is lost.
stop_server "$AZURITE_PID" "$AZURITE_PORT"
run arkiv --repo "$s3" cloud list
expect_rc 3 "cloud list with Azure out"
assert_file_contains "$OUT" "^azure +DOWN" "Azure is shown down"
restore_and_compare "$disk" "$WORK/r1" "restore with Azure out"
random_file "$src/b/three.bin" 500000
run arkiv --repo "$s3" backup "$src"
expect_rc 3 "backup with Azure out"
assert_file_contains "$ERR" "cloud azure missed [0-9]+ placements" "the backup names the cloud that missed placements"

# Azure comes back as a new, empty account on the same address.
start_azurite "$AZURITE_PORT" "$WORK/azurite-new" || finish
run arkiv --repo "$s3" check
expect_rc 1 "check finds Azure empty"
assert_file_contains "$ERR" "cloud azure: missing" "check names what Azure lacks"
run arkiv --repo "$s3" repair
expect_rc 0 "repair rebuilds Azure (creating its container)"
run arkiv --repo "$az" check --read-data
expect_rc 0 "check --read-data through the rebuilt Azure"

# The S3 bucket is emptied: restore from Azure and the folder.
cloud_objects "$s3" wipe
assert_eq "$(cloud_objects "$s3" list | wc -l)" 0 "the S3 bucket is empty"
restore_and_compare "$az" "$WORK/r2" "restore with the S3 bucket emptied"
assert_file_contains "$ERR" "degraded" "the degraded restore is reported"
run arkiv --repo "$disk" repair --cloud aws
expect_rc 0 "repair --cloud aws"
run arkiv --repo "$s3" check --read-data
expect_rc 0 "all three clouds whole again"

finish
