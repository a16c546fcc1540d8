#!/usr/bin/env bash
# Many hosts, one repository (issue 6 item 1): four `arkiv backup` processes
# (different hosts, tags and data that overlaps) run at the same time into an
# ec:2+1 repository over S3 (moto), Azure (Azurite) and SFTP (sshd), twice.
# Every snapshot is complete, data the repository already held is not stored
# again by any of them, `check --read-data` is clean and every snapshot
# restores byte-identical.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/cloud_servers.sh"
if ! have_sshd; then
  echo "skipped: needs root and /usr/sbin/sshd"
  exit 0
fi
export ARKIV_PASSWORD=many-hosts
export ARKIV_CACHE_DIR=$WORK/cache
unset ARKIV_REPOSITORY

start_three_clouds arkiv-many
urls=("$s3" "$az" "$sftp" "$s3")

run arkiv init --kdf-cost 10 --pack-size 1 --create-bucket --cloud "aws=$s3" --cloud "azure=$az" \
  --cloud "nas=$sftp" --policy ec:2+1
expect_rc 0 "init ec:2+1 over moto, Azurite and sshd"

# The data every host has (backed up once first), and per host its own files
# and a part it shares with one other host (h1 with h2, h3 with h4).
common=$WORK/common
mkdir -p "$common"
random_file "$common/os-image.bin" $((4 * 1024 * 1024))
for i in $(seq 1 10); do text_file "$common/lib-$i.txt" $((i * 3000)); done
random_file "$WORK/pair-a.bin" $((2 * 1024 * 1024))
random_file "$WORK/pair-b.bin" $((2 * 1024 * 1024))
for h in 1 2 3 4; do
  d=$WORK/hosts/h$h/data
  mkdir -p "$d/own"
  cp -r "$common" "$d/common"
  random_file "$d/own/unique.bin" $((1536 * 1024 + h))
  for i in $(seq 1 15); do text_file "$d/own/note-$i.txt" $((h * 1000 + i * 200)); done
  if ((h <= 2)); then cp "$WORK/pair-a.bin" "$d/pair.bin"; else cp "$WORK/pair-b.bin" "$d/pair.bin"; fi
done

run arkiv --repo "$s3" backup --host base "$common"
expect_rc 0 "the common data, backed up once"

# backup_all ROUND: the four hosts at once, each through another cloud's URL.
backup_all() {
  local h pids=() rc
  for h in 1 2 3 4; do
    "$ARKIV" --repo "${urls[$((h - 1))]}" --json backup --host "h$h" --tag "round$1" --tag "host$h" \
      "$WORK/hosts/h$h/data" >"$WORK/backup-$1-h$h.json" 2>"$WORK/backup-$1-h$h.err" &
    pids+=($!)
    register_pid "${pids[-1]}"
  done
  for h in 1 2 3 4; do
    wait "${pids[$((h - 1))]}" && rc=0 || rc=$?
    assert_eq "$rc" "0" "round $1: the backup of h$h finished (exit 0)"
    [[ $rc == 0 ]] || sed 's/^/  | /' "$WORK/backup-$1-h$h.err" >&2
  done
}

backup_all 1
# What each added: its own files and (for one of each pair, or both if they
# raced) the shared pair file; never the common data, stored before.
for h in 1 2 3 4; do
  added=$(json_summary "$WORK/backup-1-h$h.json" 'j["bytes_added"]')
  assert_true "round 1: h$h added its own data, not the common data ($added bytes)" \
    test "$added" -lt $((1536 * 1024 + 120000 + 2 * 1024 * 1024 + 200000))
done

# Round 2: every host changes a file; the backups run at once again.
for h in 1 2 3 4; do text_file "$WORK/hosts/h$h/data/own/new-$h.txt" 40000; done
backup_all 2
for h in 1 2 3 4; do
  added=$(json_summary "$WORK/backup-2-h$h.json" 'j["bytes_added"]')
  assert_true "round 2: h$h added only what changed ($added bytes)" test "$added" -lt 200000
done

run arkiv --repo "$s3" --json snapshots
expect_rc 0 "snapshots"
assert_eq "$(json_eval "$OUT" 'len(j), sorted({s["host"] for s in j})')" "(9, ['base', 'h1', 'h2', 'h3', 'h4'])" \
  "nine snapshots: the base and two per host"
assert_eq "$(json_eval "$OUT" 'sorted(s["summary"]["files_failed"] for s in j)')" "[0, 0, 0, 0, 0, 0, 0, 0, 0]" \
  "every snapshot is complete"
run arkiv --repo "$az" check --read-data
expect_rc 0 "check --read-data is clean after the concurrent backups"

# Every snapshot restores byte-identical (round 1 snapshots lack the round-2 file).
for h in 1 2 3 4; do
  for round in 1 2; do
    id=$(json_summary "$WORK/backup-$round-h$h.json" 'j["snapshot_id"]')
    run arkiv --repo "$sftp" restore "$id" --target "$WORK/restore-$round-h$h"
    expect_rc 0 "restore round $round of h$h"
    expected=$WORK/expected-$round-h$h
    cp -a "$WORK/hosts/h$h/data" "$expected"
    [[ $round == 1 ]] && rm "$expected/own/new-$h.txt"
    assert_same_tree "$expected" "$WORK/restore-$round-h$h/data" "round $round of h$h restores identical"
  done
done

finish
