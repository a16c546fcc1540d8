#!/usr/bin/env bash
# Changing the clouds and the policy of a repository (design.md §20.6):
# `cloud add` / `cloud remove` stage a change, `rebalance` carries it out —
# replicate over 2 → over 3 → ec:2+1 → ec:3+2 over 5 → ec:2+2 over 4 — and
# after every step the repository survives the losses its new policy
# promises, holds no old layout, and `check --read-data` is clean. A
# rebalance that fails part-way changes nothing and completes when run again.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
export ARKIV_PASSWORD=rebalance-pass
unset ARKIV_REPOSITORY

src=$WORK/src
mkdir -p "$src/docs" "$src/bin"
for i in 1 2; do text_file "$src/docs/doc-$i.txt" $((i * 300000)); done
random_file "$src/bin/a.bin" $((5 * 1024 * 1024 + 7))
random_file "$src/bin/b.bin" $((2 * 1024 * 1024))

c() { echo "file://$WORK/clouds/c$1"; }
take_down() { mv "$WORK/clouds/c$1" "$WORK/clouds/c$1.away" && : >"$WORK/clouds/c$1"; }
bring_back() { rm -f "$WORK/clouds/c$1" && mv "$WORK/clouds/c$1.away" "$WORK/clouds/c$1"; }
restore_and_compare() {  # repo-url target message
  rm -rf "$2"
  run arkiv --repo "$1" restore latest --target "$2"
  expect_rc 0 "$3: restore"
  if [[ $RC -eq 0 ]]; then assert_same_tree "$src" "$2/src" "$3"; fi
}
# layouts N: how cloud N holds data packs ("copy", "ec2+1", ...), one per line.
layouts() {
  find "$WORK/clouds/c$1/data" -type f ! -name '.arkiv-tmp-*' -printf '%f\n' 2>/dev/null |
    sed -E 's/^[0-9a-f]{64}$/copy/; s/^[0-9a-f]{64}\.ec([0-9]+)\+([0-9]+)\..*/ec\1+\2/' | sort -u | tr '\n' ' '
}
expect_layout() {  # layout message clouds...
  local want=$1 msg=$2 i
  shift 2
  for i in "$@"; do assert_eq "$(layouts "$i")" "$want " "$msg: cloud c$i holds $want only"; done
}
data_bytes() { du -sb --apparent-size "$WORK/clouds/c$1/data" | cut -f1; }

mkdir -p "$WORK/clouds"
run arkiv init --kdf-cost 10 --pack-size 1 --cloud "c0=$(c 0)" --cloud "c1=$(c 1)" --policy replicate
expect_rc 0 "init replicate over two clouds"
run arkiv --repo "$(c 0)" backup "$src"
expect_rc 0 "backup"
copy_bytes=$(data_bytes 0)

# --- replicate over 2 → over 3 ------------------------------------------------
run arkiv --repo "$(c 0)" cloud add "c2=$(c 2)"
expect_rc 0 "cloud add c2"
assert_file_contains "$OUT" "pending cloud set: replicate over c0, c1, c2" "cloud add shows the pending set"
assert_file_contains "$OUT" "arkiv rebalance" "cloud add says what to run next"
run arkiv --repo "$(c 1)" cloud list
expect_rc 0 "cloud list with a change pending"
assert_file_contains "$OUT" "pending \(run .arkiv rebalance.\): replicate over c0, c1, c2" "cloud list shows the pending set"
run arkiv --repo "$(c 0)" cloud add "c2=$(c 3)"
expect_rc 1 "a second cloud named c2 is refused"
run arkiv --repo "$(c 0)" cloud add "c9=$(c 1)"
expect_rc 1 "a second cloud with c1's URL is refused"
run arkiv --repo "$(c 0)" --json rebalance --dry-run
expect_rc 0 "rebalance --dry-run"
assert_eq "$(json_eval "$OUT" 'j["written"] > 0 and j["removed"] == 0 and j["added"] == ["c2"]')" "True" \
  "the plan writes onto c2 and removes nothing"
assert_true "the dry run wrote nothing" [ ! -e "$WORK/clouds/c2/config" ]
run arkiv --repo "$(c 0)" rebalance
expect_rc 0 "rebalance onto c2"
assert_file_contains "$OUT" "rebalanced: replicate over c0, c1, c2" "rebalance says where the data is"
expect_layout copy "replicate over 3" 0 1 2
take_down 0
take_down 1
restore_and_compare "$(c 2)" "$WORK/r1" "replicate over 3 with c0 and c1 out"
bring_back 0
bring_back 1

# --- replicate over 3 → ec:2+1 ---------------------------------------------------
run arkiv --repo "$(c 2)" rebalance --policy ec:2+1
expect_rc 0 "rebalance replicate → ec:2+1"
expect_layout ec2+1 "ec:2+1" 0 1 2
shard_bytes=$(data_bytes 0)
assert_true "a cloud holds about half of a copy under ec:2+1 ($shard_bytes of $copy_bytes bytes)" \
  [ $((shard_bytes * 100 / copy_bytes)) -le 55 ]
run arkiv --repo "$(c 0)" check --read-data
expect_rc 0 "check --read-data after ec:2+1 (no old layout left, nothing missing)"
take_down 1
restore_and_compare "$(c 0)" "$WORK/r2" "ec:2+1 with c1 out"
bring_back 1

# --- ec:2+1 → ec:3+2 over five; the move fails once on a new cloud -----------------
run arkiv --repo "$(c 0)" cloud add "c3=$(c 3)"
expect_rc 0 "cloud add c3"
assert_file_contains "$OUT" "needs 3 clouds: run .arkiv rebalance --policy ec:K\+M. with K\+M = 4" \
  "cloud add under ec says a policy is needed"
run arkiv --repo "$(c 0)" cloud add "c4=$(c 4)"
expect_rc 0 "cloud add c4"
run arkiv --repo "$(c 0)" rebalance
expect_rc 1 "rebalance without a policy that fits five clouds"
expect_err_line "policy ec:2\+1 needs exactly 3 clouds" "the error says why"
mkdir -p "$WORK/clouds/c4"
take_down 4
run arkiv --repo "$(c 0)" rebalance --policy ec:3+2
expect_rc 1 "rebalance with the new cloud c4 out"
expect_err_line "c4.*the cloud set is unchanged" "the error names the cloud and says nothing changed"
bring_back 4
run arkiv --repo "$(c 0)" --json cloud list
assert_eq "$(json_eval "$OUT" 'j["policy"] + " " + str(len(j["clouds"])) + " " + j["pending"]["policy"]')" \
  "ec:2+1 3 ec:2+1" "after the failed move the repository is still ec:2+1 over 3, the change pending"
run arkiv --repo "$(c 0)" rebalance --policy ec:3+2
expect_rc 0 "rebalance ec:2+1 → ec:3+2, run again"
expect_layout ec3+2 "ec:3+2" 0 1 2 3 4
take_down 0
take_down 3
restore_and_compare "$(c 4)" "$WORK/r3" "ec:3+2 with c0 and c3 out"
bring_back 0
bring_back 3

# --- remove a cloud: ec:3+2 over 5 → ec:2+2 over 4 -----------------------------------
run arkiv --repo "$(c 0)" cloud remove c9
expect_rc 1 "removing an unknown cloud"
run arkiv --repo "$(c 0)" cloud remove c1
expect_rc 0 "cloud remove c1"
before=$(find "$WORK/clouds/c1" -type f | wc -l)  # (no lock: none is held now)
run arkiv --repo "$(c 0)" rebalance --policy ec:2+2
expect_rc 0 "rebalance to ec:2+2 without c1"
assert_file_contains "$OUT" "cloud c1 left the set" "rebalance says c1 left"
expect_layout ec2+2 "ec:2+2" 0 2 3 4
assert_eq "$(find "$WORK/clouds/c1" -type f | wc -l)" "$before" "the objects of the removed cloud are left in place"

rm -rf "$WORK/clouds/c1"
take_down 2
take_down 3
restore_and_compare "$(c 0)" "$WORK/r4" "ec:2+2 with c2 and c3 out and c1 gone"
bring_back 2
bring_back 3
run arkiv --repo "$(c 4)" check --read-data
expect_rc 0 "check --read-data after all the moves"
run arkiv --repo "$(c 4)" rebalance
expect_rc 0 "rebalance with nothing pending"
assert_file_contains "$OUT" "wrote 0 objects .*removed 0" "nothing left to do"

finish
