#!/usr/bin/env bash
# Multi-cloud repositories on local folders standing in for clouds
# (design.md §20): every policy survives the losses it promises, and fails
# cleanly — never with wrong bytes — beyond them; `check` names what each
# cloud lacks or holds damaged; `repair` rebuilds it; a backup with a cloud
# out succeeds with exit 3 and records the debt.
# (The same against the real S3/Azure/SFTP servers: cloud_multicloud_test.sh,
# cloud_ec_servers_test.sh and cloud_ec_five_test.sh.)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
export ARKIV_PASSWORD=multi-cloud-pass
unset ARKIV_REPOSITORY

src=$WORK/src
mkdir -p "$src/docs" "$src/bin"
for i in 1 2 3; do text_file "$src/docs/doc-$i.txt" $((i * 400000)); done
random_file "$src/bin/a.bin" $((9 * 1024 * 1024 + 5))
random_file "$src/bin/b.bin" $((3 * 1024 * 1024))
random_file "$src/bin/small.bin" 17

# clouds N: the --cloud flags for clouds c0..c(N-1) under $WORK/$prefix.
cloud_flags() {
  local prefix=$1 n=$2 i
  for ((i = 0; i < n; i++)); do printf -- '--cloud c%d=file://%s/%s/c%d ' "$i" "$WORK" "$prefix" "$i"; done
}
# A cloud that is out: its folder replaced by a file, so every call fails.
take_down() { mv "$1" "$1.away" && : >"$1"; }
bring_back() { rm -f "$1" && mv "$1.away" "$1"; }
wipe() { rm -rf "$1" && mkdir "$1"; }
restore_and_compare() {  # repo-url target message
  rm -rf "$2"
  run arkiv --repo "$1" restore latest --target "$2"
  expect_rc 0 "$3: restore"
  if [[ $RC -eq 0 ]]; then assert_same_tree "$src" "$2/src" "$3"; fi
}

# --- ec:2+1 over three clouds -------------------------------------------------
# shellcheck disable=SC2046
run arkiv init --kdf-cost 10 --pack-size 2 $(cloud_flags ec21 3) --policy ec:2+1
expect_rc 0 "init ec:2+1 over 3 clouds"
repo=file://$WORK/ec21/c1
run arkiv --repo "$repo" backup "$src"
expect_rc 0 "backup to ec:2+1"
run arkiv --repo "file://$WORK/ec21/c2" cloud list --json
expect_rc 0 "cloud list from another cloud's URL"
assert_eq "$(json_last "$OUT" "j['policy'] + ' ' + str(len(j['clouds'])) + ' ' + str(all(c['up'] for c in j['clouds']))")" \
  "ec:2+1 3 True" "cloud list: policy, clouds, all up"

# Stored bytes: (K+M)/K of a single copy, plus small per-shard headers and
# metadata on every cloud.
data_bytes() { du -sb --apparent-size "$@" | awk '{s += $1} END {print s}'; }
shards=$(data_bytes "$WORK"/ec21/c{0,1,2}/data)
mkdir -p "$WORK/single"
run arkiv init --kdf-cost 10 --pack-size 2 --repo "$WORK/single/repo"
run arkiv --repo "$WORK/single/repo" backup "$src"
single=$(data_bytes "$WORK/single/repo/data")
ratio=$(python3 -c "print(round($shards / $single, 3))")
assert_true "ec:2+1 stores at most 1.55x a single copy (got ${ratio}x)" python3 -c "import sys; sys.exit(not $ratio <= 1.55)"

# One cloud wiped: restore is byte-identical, check names what is missing, repair rebuilds.
wipe "$WORK/ec21/c0"
restore_and_compare "file://$WORK/ec21/c1" "$WORK/r1" "ec:2+1, cloud c0 wiped"
assert_file_contains "$ERR" "degraded" "a degraded restore is reported"
run arkiv --repo "file://$WORK/ec21/c1" check
expect_rc 1 "check with a wiped cloud"
assert_file_contains "$ERR" "cloud c0: missing data/.*\\.ec2\\+1\\.0\\." "check names the missing shard on c0"
assert_file_contains "$ERR" "cloud c0: missing snapshots/" "check names the missing snapshot copy on c0"
run arkiv --repo "file://$WORK/ec21/c1" repair --dry-run
expect_rc 0 "repair --dry-run"
# (the check before wrote its result, status/, to every cloud)
assert_true "dry run writes nothing" test -z "$(find "$WORK/ec21/c0" -type f ! -path '*/locks/*' ! -path '*/status/*')"
run arkiv --repo "file://$WORK/ec21/c1" repair
expect_rc 0 "repair rebuilds the wiped cloud"
run arkiv --repo "file://$WORK/ec21/c0" check --read-data
expect_rc 0 "check --read-data after repair, opened through the rebuilt cloud"
run arkiv --repo "file://$WORK/ec21/c0" repair
expect_rc 0 "repair again: idempotent"
assert_file_contains "$OUT" "rebuilt 0 objects" "nothing left to rebuild"

# Then a second, different cloud wiped.
wipe "$WORK/ec21/c2"
restore_and_compare "file://$WORK/ec21/c0" "$WORK/r2" "ec:2+1, cloud c2 wiped after c0 was repaired"

# Corrupt objects on two clouds, in different packs: check finds each one,
# restore is still right, repair --read-data fixes them.
run arkiv --repo "file://$WORK/ec21/c0" repair
mapfile -t packs < <(find "$WORK/ec21/c0/data" -type f -name '*.ec2+1.0.*' -printf '%f\n' | sed 's/\.ec2+1.*//' | sort)
assert_true "at least two data packs" test "${#packs[@]}" -ge 2
flip() {  # file: flips one byte in the middle
  python3 - "$1" <<'EOF'
import sys
p = sys.argv[1]
b = bytearray(open(p, 'rb').read())
b[len(b) // 2] ^= 0x40
open(p, 'wb').write(b)
EOF
}
bad0=$(find "$WORK/ec21/c0/data" -name "${packs[0]}.ec2+1.0.*")
bad1=$(find "$WORK/ec21/c1/data" -name "${packs[1]}.ec2+1.1.*")
flip "$bad0"
flip "$bad1"
run arkiv --repo "file://$WORK/ec21/c2" check --read-data
expect_rc 1 "check --read-data with two corrupt shards"
assert_file_contains "$ERR" "cloud c0: corrupt .*${packs[0]}" "check names the corrupt shard on c0"
assert_file_contains "$ERR" "cloud c1: corrupt .*${packs[1]}" "check names the corrupt shard on c1"
restore_and_compare "file://$WORK/ec21/c2" "$WORK/r3" "ec:2+1 with corrupt shards on two clouds"
run arkiv --repo "file://$WORK/ec21/c2" repair --read-data
expect_rc 0 "repair --read-data rewrites the corrupt shards"
run arkiv --repo "file://$WORK/ec21/c2" check --read-data
expect_rc 0 "check --read-data after repairing corruption"

# A backup with one cloud out: done, exit 3, the cloud named, debt recorded.
random_file "$src/bin/new.bin" $((2 * 1024 * 1024))
take_down "$WORK/ec21/c2"
run arkiv --repo "file://$WORK/ec21/c0" backup "$src"
expect_rc 3 "backup with cloud c2 out"
assert_file_contains "$ERR" "cloud c2 missed [0-9]+ placements" "the warning names the cloud that missed placements"
bring_back "$WORK/ec21/c2"
run arkiv --repo "file://$WORK/ec21/c0" check
expect_rc 1 "check reports what c2 missed"
assert_file_contains "$ERR" "recorded as repair debt" "check reports the repair debt"
run arkiv --repo "file://$WORK/ec21/c0" repair
expect_rc 0 "repair completes the missed placements"
assert_file_contains "$OUT" "repair records cleared" "repair clears the records"
run arkiv --repo "file://$WORK/ec21/c0" check --read-data
expect_rc 0 "check --read-data after repairing the debt"
restore_and_compare "file://$WORK/ec21/c2" "$WORK/r4" "restore of the backup made while c2 was out"

# Two of three clouds out (below the quorum): the backup fails, no snapshot appears.
snapshots_before=$(ls "$WORK/ec21/c0/snapshots" | wc -l)
random_file "$src/bin/newer.bin" 100000
take_down "$WORK/ec21/c1"
take_down "$WORK/ec21/c2"
run arkiv --repo "file://$WORK/ec21/c0" backup "$src"
expect_rc 1 "backup with two of three clouds out"
assert_file_contains "$ERR" "stored on 1 of 3 clouds, 2 needed" "the error says the quorum was not reached"
bring_back "$WORK/ec21/c1"
bring_back "$WORK/ec21/c2"
assert_eq "$(ls "$WORK/ec21/c0/snapshots" | wc -l)" "$snapshots_before" "no snapshot from the failed backup"
rm -f "$src/bin/newer.bin"

# A cloud retired and replaced by a new one: everything rebuilt onto the new
# one first (from the others, the old one is not read), then the set switches.
run arkiv --repo "file://$WORK/ec21/c0" cloud replace c1 "fresh=file://$WORK/ec21/fresh"
expect_rc 0 "cloud replace c1 by a new, empty cloud"
assert_file_contains "$OUT" "cloud c1 replaced by fresh: [1-9][0-9]* objects" "replace reports what it rebuilt"
run arkiv --repo "file://$WORK/ec21/fresh" cloud list --json
expect_rc 0 "the repository opens through the new cloud"
assert_eq "$(json_last "$OUT" "','.join(c['name'] for c in j['clouds']) + ' ' + str(j['generation'])")" "c0,fresh,c2 2" \
  "the new cloud takes the old one's place; generation 2"
# The replaced cloud still holds the old cloud set: opening through it finds the newer one.
run arkiv --repo "file://$WORK/ec21/c1" cloud list --json
expect_rc 0 "open through the replaced cloud"
assert_eq "$(json_last "$OUT" "','.join(c['name'] for c in j['clouds'])")" "c0,fresh,c2" \
  "opening through the replaced cloud leads to the current cloud set"
rm -rf "$WORK/ec21/c1"
run arkiv --repo "file://$WORK/ec21/c2" check --read-data
expect_rc 0 "check --read-data after the replace (old cloud gone)"
restore_and_compare "file://$WORK/ec21/fresh" "$WORK/r4b" "restore after the replace"
run arkiv --repo "file://$WORK/ec21/c0" cloud replace nosuch "x=file://$WORK/x/y"
expect_rc 1 "replacing an unknown cloud"
assert_file_contains "$ERR" "no cloud named 'nosuch'" "it names the unknown cloud"

# --- ec:3+2 over five clouds: two out is fine, three out is a clear error ----
# shellcheck disable=SC2046
run arkiv init --kdf-cost 10 $(cloud_flags ec32 5) --policy ec:3+2
expect_rc 0 "init ec:3+2 over 5 clouds"
run arkiv --repo "file://$WORK/ec32/c0" backup "$src"
expect_rc 0 "backup to ec:3+2"
shards=$(data_bytes "$WORK"/ec32/c{0,1,2,3,4}/data)
single=$(data_bytes "$WORK/single/repo/data")
# (the source changed since the single-copy backup: compare with a fresh one)
rm -rf "$WORK/single2" && run arkiv init --kdf-cost 10 --repo "$WORK/single2"
run arkiv --repo "$WORK/single2" backup "$src"
single=$(data_bytes "$WORK/single2/data")
ratio=$(python3 -c "print(round($shards / $single, 3))")
assert_true "ec:3+2 stores at most 1.7x a single copy (got ${ratio}x)" python3 -c "import sys; sys.exit(not $ratio <= 1.7)"
take_down "$WORK/ec32/c1"
take_down "$WORK/ec32/c3"
restore_and_compare "file://$WORK/ec32/c0" "$WORK/r5" "ec:3+2 with two clouds out"
take_down "$WORK/ec32/c4"
rm -rf "$WORK/r6"
run arkiv --repo "file://$WORK/ec32/c0" restore latest --target "$WORK/r6"
expect_rc 1 "ec:3+2 with three clouds out: restore fails"
assert_file_contains "$ERR" "cloud c1" "the error names a missing cloud"
assert_file_lacks "$ERR" "terminate called|Segmentation" "no crash"
if [[ -d $WORK/r6/src ]]; then
  # Whatever was written must be right: no file may differ from the source.
  bad=$(cd "$WORK/r6/src" && find . -type f -size +0 -exec cmp -s {} "$src/{}" \; -print -o -type f -size +0 -print | wc -l)
  good=$(cd "$WORK/r6/src" && find . -type f -size +0 -exec cmp -s {} "$src/{}" \; -print | wc -l)
  assert_eq "$bad" "$good" "no restored file holds wrong bytes"
fi
for c in c1 c3 c4; do bring_back "$WORK/ec32/$c"; done

# --- replicate over three clouds: two out is fine ------------------------------
# shellcheck disable=SC2046
run arkiv init --kdf-cost 10 $(cloud_flags rep 3) --policy replicate
expect_rc 0 "init replicate over 3 clouds"
run arkiv --repo "file://$WORK/rep/c2" backup "$src"
expect_rc 0 "backup to replicate"
take_down "$WORK/rep/c0"
take_down "$WORK/rep/c1"
restore_and_compare "file://$WORK/rep/c2" "$WORK/r7" "replicate with two of three clouds out"

# --- bad input ------------------------------------------------------------------
run arkiv init --kdf-cost 10 --cloud a=file://$WORK/x/a --cloud b=file://$WORK/x/b --policy ec:2+1
expect_rc 1 "ec:2+1 with two clouds is refused"
assert_file_contains "$ERR" "needs exactly 3 clouds" "the error says how many clouds the policy needs"
run arkiv init --kdf-cost 10 --cloud a=file://$WORK/x/a --cloud b=file://$WORK/x/b --policy raid5
expect_rc 1 "an unknown policy is refused"
run arkiv init --kdf-cost 10 --cloud "a=azure://acct/c?sig=SECRETSIG" --cloud b=file://$WORK/x/b
expect_rc 1 "a URL with a SAS signature is refused"
assert_file_lacks "$ERR" "SECRETSIG" "the refused secret is not repeated"
run arkiv init --kdf-cost 10 --cloud "A B=file://$WORK/x/a"
expect_rc 1 "a bad cloud name is refused"
run arkiv --repo "$WORK/single/repo" repair
expect_rc 1 "repair on a single-store repository"
assert_file_contains "$ERR" "single-store" "it says the repository has no clouds"

finish
