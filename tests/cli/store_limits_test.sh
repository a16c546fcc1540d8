#!/usr/bin/env bash
# --limit-upload / --limit-download and the store URL options (connections=,
# upload_limit=, download_limit=): bad values are refused clearly before
# anything is created; small valid limits still back up and restore every byte.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/src/docs"
random_file "$WORK/src/photo.bin" $((600 * 1024))
text_file "$WORK/src/docs/notes.txt" 30000

# ---- bad values: usage errors (exit 2), nothing created ---------------------------------
run arkiv --limit-upload fast init --kdf-cost 10
expect_rc 2 "--limit-upload with a bad rate"
assert_file_contains "$ERR" "limit-upload: 'fast' is not a rate" "the flag and the value are named"
assert_file_contains "$ERR" 'MiB' "the message says what a rate looks like"
expect_no_crash "--limit-upload with a bad rate"
[[ ! -e $ARKIV_REPOSITORY ]] && pass "nothing created on a bad rate" || fail "a bad rate created the repository"

run arkiv --limit-download 10XB snapshots
expect_rc 2 "--limit-download with a bad unit"
assert_file_contains "$ERR" "limit-download: '10XB' is not a rate" "the download flag is named"

run arkiv --limit-upload snapshots
expect_rc 2 "--limit-upload without a value"

# ---- bad URL options: errors naming the parameter (exit 1) ------------------------------
run arkiv --repo "$ARKIV_REPOSITORY?connections=0" init --kdf-cost 10
expect_rc 1 "connections=0 in the repository URL"
expect_err_line "store URL parameter connections: '0' is not a number from 1 to 256" "connections=0"
run arkiv --repo "$ARKIV_REPOSITORY?upload_limit=lots" init --kdf-cost 10
expect_rc 1 "upload_limit=lots in the repository URL"
expect_err_line "store URL parameter upload_limit: 'lots' is not a rate" "upload_limit=lots"
[[ ! -e $ARKIV_REPOSITORY ]] && pass "nothing created on bad URL options" || fail "bad URL options created the repository"

# ---- small valid limits still do the job ------------------------------------------------
run init_repo --limit-upload 256KiB
expect_rc 0 "init with --limit-upload"
run arkiv --limit-upload 256KiB/s --limit-download 1MiB backup -q "$WORK/src"
expect_rc 0 "backup with --limit-upload 256KiB/s"
run arkiv --repo "$ARKIV_REPOSITORY?connections=1&download_limit=256KiB" --limit-upload 0 \
  restore latest --target "$WORK/restored"
expect_rc 0 "restore through connections=1 and download_limit=256KiB"
assert_same_tree "$WORK/src" "$WORK/restored/src" "restored under limits"
run arkiv --repo "file://$ARKIV_REPOSITORY?connections=2&upload_limit=1MiB" check --read-data
expect_rc 0 "check --read-data with URL options on a file:// URL"
# The options never reach the store: no directory named after them.
[[ -z $(find "$WORK" -maxdepth 1 -name 'repo?*') ]] && pass "no directory named with the options" ||
  fail "the options became part of the path"

finish
