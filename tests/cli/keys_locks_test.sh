#!/usr/bin/env bash
# Keys: add, list, open with either password, refuse to remove the key in
# use, remove another, change a password. Locks: a killed backup leaves a
# stale lock that `unlock` removes; a live one stays (unless --remove-all);
# shared locks coexist, exclusive ones do not; prune locks coexist with
# shared ones (backups) but not with each other.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/src"
text_file "$WORK/src/a.txt" 50000
random_file "$WORK/src/b.bin" 200000
printf 'first-password\n' >"$WORK/pw1"
printf 'second-password\n' >"$WORK/pw2"
printf 'third-password\r\n' >"$WORK/pw3"   # CRLF: the \r is not part of it

export ARKIV_PASSWORD=first-password
init_repo
arkiv backup -q "$WORK/src"

# with_password PASSWORD CMD...: runs arkiv with that password (via the environment).
with_password() { local pw=$1; shift; ARKIV_PASSWORD=$pw run "$ARKIV" "$@"; }
key_ids() { arkiv --json key list | python3 -c 'import json,sys; print(" ".join(sorted(k["id"] for k in json.load(sys.stdin))))'; }
current_key() { ARKIV_PASSWORD=$1 "$ARKIV" --json key list | python3 -c 'import json,sys; print([k["id"] for k in json.load(sys.stdin) if k["current"]][0])'; }

# ---- key add ------------------------------------------------------------------------
key1=$(current_key first-password)
run arkiv key add --new-password-file "$WORK/pw2" --kdf-cost 10
expect_rc 0 "key add --new-password-file"
run arkiv --json key list
expect_rc 0 "key list --json"
assert_eq "$(json_eval "$OUT" 'len(j)')" 2 "key list --json shows two keys"
assert_eq "$(json_eval "$OUT" 'sum(1 for k in j if k["current"])')" 1 "exactly one key is the current one"
key2=$(current_key second-password)
[[ $key1 != "$key2" ]] && pass "each password opens its own key file" || fail "both passwords report the same key"
assert_eq "$(key_ids)" "$(printf '%s\n' "$key1" "$key2" | sort | tr '\n' ' ' | sed 's/ $//')" "key list shows both keys"

with_password first-password ls latest
expect_rc 0 "the first password opens the repository"
with_password second-password ls latest
expect_rc 0 "the second password opens the repository"
assert_file_contains "$OUT" '/src/a\.txt' "and reads its snapshots"
ARKIV_PASSWORD= run "$ARKIV" --password-file "$WORK/pw2" snapshots
expect_rc 0 "the second password from --password-file"
with_password wrong-password snapshots
expect_rc 12 "a third password opens nothing"

# ---- key remove -------------------------------------------------------------------------
with_password first-password key remove "${key1:0:12}"
expect_rc 1 "removing the key in use is refused"
expect_err_line 'refusing to remove the key in use' "removing the key in use"
assert_eq "$(key_ids | wc -w)" 2 "both keys still there"

with_password first-password key remove "${key2:0:12}"
expect_rc 0 "removing the other key"
with_password second-password snapshots
expect_rc 12 "the removed key's password no longer opens"
with_password first-password snapshots
expect_rc 0 "the remaining password still opens"

with_password first-password key remove ffffffff
expect_rc 1 "removing an unknown key"
expect_err_line 'matches 0 keys' "removing an unknown key"

# ---- key passwd ------------------------------------------------------------------------------
with_password first-password key passwd --new-password-file "$WORK/pw3" --kdf-cost 10
expect_rc 0 "key passwd"
with_password first-password snapshots
expect_rc 12 "the old password no longer opens after passwd"
with_password third-password snapshots
expect_rc 0 "the new password opens (CR of the CRLF line dropped)"
with_password third-password restore latest --target "$WORK/r"
expect_rc 0 "restore with the new password"
assert_same_tree "$WORK/src" "$WORK/r/src" "data readable after passwd"
assert_eq "$(ARKIV_PASSWORD=third-password "$ARKIV" --json key list | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" 1 \
  "passwd replaced the key (one key file)"
export ARKIV_PASSWORD=third-password

# ---- stale lock of a killed backup ------------------------------------------------------------
random_file "$WORK/src/big.bin" $((60 * 1024 * 1024))
if start_stopped backup -q "$WORK/src"; then
  pass "a backup holds a lock (stopped while running)"
  held=$(repo_files locks)

  # Live lock: unlock keeps it; a shared lock lets other backups and restores run.
  run arkiv unlock
  expect_rc 0 "unlock with a live lock"
  assert_file_contains "$OUT" 'removed 0 locks' "unlock does not remove a live lock"
  assert_eq "$(repo_files locks)" "$held" "the live lock is still there"
  run arkiv backup -q "$WORK/src/a.txt"
  expect_rc 0 "a second backup runs next to a shared lock"
  run arkiv restore latest --target "$WORK/r2"
  expect_rc 0 "restore runs next to a shared lock"
  # Two-phase prune (docs/design.md §13) runs beside backups: it only marks,
  # and sweeps after the safety window.
  run arkiv prune
  expect_rc 0 "prune runs beside a backup"
  run arkiv --no-lock check
  expect_rc 0 "check --no-lock ignores locks"

  # Dead holder: its lock is stale.
  kill_stopped
  assert_eq "$(repo_files locks)" "$held" "the killed backup left its lock behind"
  run arkiv unlock
  expect_rc 0 "unlock after kill -9"
  assert_file_contains "$OUT" 'removed 1 lock$' "unlock reports removing the stale lock"
  assert_eq "$(repo_files locks | wc -l)" 0 "no lock left"
  run arkiv prune -q
  expect_rc 0 "prune runs after unlock"
else
  fail "could not catch a backup holding its lock (it finished too fast)"
fi

# A live lock is removed by --remove-all.
if start_stopped backup -q --force "$WORK/src"; then
  run arkiv unlock --remove-all
  expect_rc 0 "unlock --remove-all"
  assert_file_contains "$OUT" 'removed 1 lock$' "--remove-all removes a live lock"
  assert_eq "$(repo_files locks | wc -l)" 0 "no lock left after --remove-all"
  kill_stopped
else
  fail "could not catch a backup holding its lock (it finished too fast)"
fi

# A prune lock (prune, stopped) lets backups run and blocks a second prune.
arkiv forget -q "$(arkiv snapshots --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')"
if start_stopped prune -q; then
  run arkiv backup -q "$WORK/src/a.txt"
  expect_rc 0 "a backup runs while prune holds its lock"
  run arkiv prune -q
  expect_rc 11 "a second prune is refused while one holds the prune lock"
  expect_err_line 'locked' "a second prune is refused: one line naming the lock"
  kill_stopped
  run arkiv unlock
  assert_file_contains "$OUT" 'removed 1 lock$' "the killed prune's lock is removed"
  run arkiv check
  expect_rc 0 "check after a killed prune"
else
  echo "SKIP - prune finished before it could be stopped"
fi

run arkiv check --read-data
expect_rc 0 "check --read-data at the end"

finish
