#!/usr/bin/env bash
# ec:3+2 over five real stores — S3 on moto, S3 on the signature-checking
# s3rver, Azure on Azurite, SFTP on sshd, and a folder — and replicate over
# three (moto, Azurite, sshd):
#  - ec:3+2 stores at most 1.7x the bytes of a single-copy repository;
#  - two servers stopped: restore is byte-identical;
#  - three stopped: restore fails with exit 1 naming the clouds it lacks, and
#    leaves no file with wrong bytes behind;
#  - replicate with two of its three servers stopped: restore is byte-identical
#    (listings then come from one cloud: a degraded read, design.md §20.4).
# Credentials: arkiv takes one set of AWS keys for every S3 cloud (from the
# environment or one AWS_PROFILE), so both S3 clouds use s3rver's keys; moto
# accepts any.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/cloud_servers.sh"
if ! have_sshd; then
  echo "skipped: needs root and /usr/sbin/sshd"
  exit 0
fi
export ARKIV_PASSWORD=ec-five
unset ARKIV_REPOSITORY
# A stopped server is retried a little, not for a minute, in a test.
export ARKIV_RETRY_MAX_ATTEMPTS=2

start_moto || finish
start_s3rver || finish
start_azurite || finish
start_sshd || finish
export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_DEFAULT_REGION=us-east-1
export AZURE_STORAGE_CONNECTION_STRING=$AZURITE_CONNECTION
moto() { echo "s3://$1/repo?endpoint=http://127.0.0.1:$MOTO_PORT&region=us-east-1"; }
s3rver() { echo "s3://$1/repo?endpoint=http://127.0.0.1:$S3RVER_PORT&region=us-east-1"; }
azurite() { echo "azure://devstoreaccount1/$1/repo?endpoint=$AZURITE_ENDPOINT"; }
mkdir -p "$WORK/sftp"
clouds=(aws="$(moto arkiv-five)" s3r="$(s3rver arkiv-five)" azure="$(azurite arkiv-five)"
  nas="$(sftp_url "$WORK/sftp/five")" disk="file://$WORK/disk/five")
replicas=(aws="$(moto arkiv-rep)" azure="$(azurite arkiv-rep)" nas="$(sftp_url "$WORK/sftp/rep")")
ec=$(moto arkiv-five)
rep=$(moto arkiv-rep)

src=$WORK/src
mkdir -p "$src/bin" "$src/docs"
for i in $(seq 1 5); do random_file "$src/bin/part-$i.bin" $((3 * 1024 * 1024 + i * 1000)); done
random_file "$src/bin/tiny.bin" 17
for i in 1 2 3; do text_file "$src/docs/doc-$i.txt" $((i * 250000)); done

run arkiv init --kdf-cost 10 --pack-size 1 --create-bucket "${clouds[@]/#/--cloud=}" --policy ec:3+2
expect_rc 0 "init ec:3+2 over moto, s3rver, Azurite, sshd and a folder"
run arkiv --repo "$ec" backup "$src"
expect_rc 0 "backup to five clouds"
run arkiv init --kdf-cost 10 --pack-size 1 --create-bucket "${replicas[@]/#/--cloud=}" --policy replicate
expect_rc 0 "init replicate over moto, Azurite and sshd"
run arkiv --repo "$rep" backup "$src"
expect_rc 0 "backup to three replicas"

# Stored bytes, as each server lists them, against a single-copy repository.
run arkiv init --kdf-cost 10 --pack-size 1 --repo "$WORK/single"
run arkiv --repo "$WORK/single" backup "$src"
expect_rc 0 "single-copy backup of the same data"
single=$(cloud_objects "file://$WORK/single" bytes)
total=0
sizes=""
for cloud in "${clouds[@]}"; do
  bytes=$(cloud_objects "${cloud#*=}" bytes)
  total=$((total + bytes))
  sizes+=" ${cloud%%=*} $bytes"
done
ratio=$(python3 -c "print(round($total / $single, 4))")
echo "# stored bytes: single copy $single; ec:3+2$sizes = ${ratio}x"
assert_true "ec:3+2 stores at most 1.7x a single copy (measured ${ratio}x)" \
  python3 -c "import sys; sys.exit(not 1.6 <= $ratio <= 1.7)"

restore_and_compare() {  # repo-url target message
  rm -rf "$2"
  run arkiv --repo "$1" restore latest --target "$2"
  expect_rc 0 "$3: restore"
  if [[ $RC -eq 0 ]]; then assert_same_tree "$src" "$2/src" "$3"; fi
}

# --- two of five down ----------------------------------------------------------
stop_server "$S3RVER_PID" "$S3RVER_PORT"
stop_server "$SSHD_PID" "$SSHD_PORT"
restore_and_compare "$ec" "$WORK/r1" "ec:3+2 with s3rver and sshd stopped"
assert_file_contains "$ERR" "degraded" "the degraded restore is reported"

# --- three of five down: a clear error, never wrong bytes ----------------------
stop_server "$AZURITE_PID" "$AZURITE_PORT"
rm -rf "$WORK/r2"
run arkiv --repo "$ec" restore latest --target "$WORK/r2"
expect_rc 1 "ec:3+2 with s3rver, sshd and Azurite stopped: restore fails"
expect_no_crash "restore with three clouds down"
for cloud in s3r nas azure; do
  assert_file_contains "$ERR" "cloud $cloud: get data/" "the error names the missing cloud $cloud"
done
cut -c1-300 "$ERR" | awk 'NR <= 2 || /^arkiv/ {print "# restore: " $0}'
# Every file the failed restore left must hold the right bytes.
wrong=$(cd "$WORK/r2" 2>/dev/null && find . -type f | while read -r f; do cmp -s "$f" "$src/../$f" || echo "$f"; done)
restored=$(find "$WORK/r2" -type f 2>/dev/null | wc -l)
assert_eq "$wrong" "" "no file the failed restore left ($restored) holds wrong or partial bytes"

# --- replicate, two of three down ------------------------------------------------
restore_and_compare "$rep" "$WORK/r3" "replicate with Azurite and sshd stopped"
assert_file_contains "$ERR" "degraded" "the degraded restore is reported"

finish
