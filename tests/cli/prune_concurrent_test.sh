#!/usr/bin/env bash
# Two-phase prune beside running backups (docs/design.md §13): rounds of three
# concurrent backups (three hosts, overlapping data, new, changed and deleted
# files) while `forget --prune` marks and sweeps with a short safety window.
# Backups get a lease shorter than the window (ARKIV_BACKUP_PRUNE_LEASE_SECONDS);
# one that outlives it may fail with a clear message, never write a bad
# snapshot. Afterwards check --read-data is clean and every snapshot restores
# byte-identical. Six rounds on a local folder, then three against moto's S3.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/cloud_servers.sh"

export ARKIV_BACKUP_PRUNE_LEASE_SECONDS=1
window=3s
mkdir -p "$WORK/pool" "$WORK/states"
for i in 0 1 2 3 4 5 6 7; do random_file "$WORK/pool/$i" $((300 * 1024 + i * 7000)); done
declare -A STATE=()  # snapshot id -> directory with the source as backed up

# race LABEL ROUNDS [INIT-ARGS...]: the rounds into $ARKIV_REPOSITORY, then the checks.
race() {
  init_repo --pack-size 1 --chunk-size 256 "${@:3}"
  STATE=()
  local aborted=0 swept=0 round h s i id pids listed bad n name
  for round in $(seq 1 "$2"); do
    pids=()
    for h in a b c; do
      s=$WORK/src-$h
      mkdir -p "$s"
      # Overlapping data: every host draws from the same pool.
      cp "$WORK/pool/$(((round + ${#h}) % 8))" "$s/shared-$round"
      cp "$WORK/pool/$(( (RANDOM) % 8 ))" "$s/changing"
      random_file "$s/unique-$round" $((200 * 1024))
      rm -f "$s/unique-$((round - 2))" "$s/shared-$((round - 3))"
      rm -rf "$WORK/states/$1-$round-$h"
      cp -a "$s" "$WORK/states/$1-$round-$h"
      ( arkiv --json backup --host "host-$h" "$s" >"$WORK/b-$1-$round-$h.json" 2>"$WORK/b-$1-$round-$h.err" ) &
      pids+=($!)
    done
    # Prune while they run: forget the oldest, mark, sweep what is due.
    run arkiv --json forget --keep-last 2 --prune --safety-window "$window"
    expect_rc 0 "$1: round $round: forget --prune beside three backups"
    swept=$((swept + $(json_last "$OUT" 'j.get("packs_swept", 0)')))
    for i in 0 1 2; do
      h=$(echo a b c | cut -d' ' -f$((i + 1)))
      if wait "${pids[$i]}"; then
        id=$(json_summary "$WORK/b-$1-$round-$h.json" 'j["snapshot_id"]')
        STATE[$id]=$WORK/states/$1-$round-$h
      elif grep -q 'prune lease' "$WORK/b-$1-$round-$h.err"; then
        aborted=$((aborted + 1))
      else
        fail "$1: round $round: backup of host-$h failed: $(tail -1 "$WORK/b-$1-$round-$h.err")"
      fi
    done
    sleep 1.5
  done
  # Sweep everything that is due once the window has passed.
  sleep 3.5
  run arkiv --json prune --sweep-only
  expect_rc 0 "$1: final sweep"
  swept=$((swept + $(json_last "$OUT" 'j["packs_swept"]')))
  ((swept > 0)) && pass "$1: prune swept $swept packs while backups ran ($aborted backups aborted by their lease)" ||
    fail "$1: nothing was swept: the test raced nothing"

  run arkiv check --read-data
  expect_rc 0 "$1: check --read-data after concurrent backups and prunes"
  assert_file_lacks "$ERR" 'error' "$1: check finds no error"

  listed=$(arkiv snapshots --json | python3 -c 'import json,sys; print(" ".join(s["id"] for s in json.load(sys.stdin)))')
  bad=0 n=0
  for id in $listed; do
    n=$((n + 1))
    [[ -n ${STATE[$id]:-} ]] || { fail "$1: snapshot ${id:0:8} is not one the backups reported"; bad=1; continue; }
    rm -rf "$WORK/r"
    if ! arkiv restore -q "$id" --target "$WORK/r" 2>"$WORK/r.err"; then
      fail "$1: snapshot ${id:0:8} does not restore: $(tail -1 "$WORK/r.err")"; bad=1; continue
    fi
    name=$(basename "$(ls -d "$WORK"/r/*)")
    diff -r "${STATE[$id]}" "$WORK/r/$name" >/dev/null || { fail "$1: snapshot ${id:0:8} differs from its source"; bad=1; }
  done
  # forget keeps the last two of each of the three hosts.
  ((n >= 6)) && ((bad == 0)) && pass "$1: all $n remaining snapshots restore byte-identical"
  return 0
}

race local 6
if start_moto; then
  export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing-secret AWS_DEFAULT_REGION=us-east-1
  export ARKIV_REPOSITORY="s3://prune-race/repo?endpoint=http://127.0.0.1:$MOTO_PORT&region=us-east-1"
  rm -rf "$WORK"/src-?
  race s3 3 --create-bucket
fi
finish
