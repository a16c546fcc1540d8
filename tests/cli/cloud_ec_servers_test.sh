#!/usr/bin/env bash
# ec:2+1 over three real stand-in clouds — S3 (moto), Azure (Azurite) and SFTP
# (OpenSSH sshd) — the losses issue 4 promises to survive:
#  1. Azurite stopped in the middle of a backup (and later sshd): the backup finishes, exit 3,
#     naming the cloud; Azurite restarted on its port with its data; repair
#     completes what it missed; check --read-data clean; restore identical.
#     Stored bytes: at most 1.55x a single-copy repository of the same data.
#  2. Every object of one cloud deleted: every snapshot restores identical
#     from the other two; repair rebuilds it; then another cloud wiped, and
#     every snapshot still restores.
#  3. Shards of different packs corrupted on each cloud (through the servers'
#     own APIs, and sshd's folder): check --read-data names each; restore is
#     right; repair --read-data fixes them; check clean.
# (ec:3+2 over five stores and replicate: cloud_ec_five_test.sh.)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/cloud_servers.sh"
if ! have_sshd; then
  echo "skipped: needs root and /usr/sbin/sshd"
  exit 0
fi
export ARKIV_PASSWORD=ec-servers
unset ARKIV_REPOSITORY
# A stopped server is retried a little, not for a minute, in a test.
export ARKIV_RETRY_MAX_ATTEMPTS=2

start_three_clouds arkiv-ec

src=$WORK/src
mkdir -p "$src/big" "$src/docs"
for i in $(seq 1 10); do random_file "$src/big/part-$i.bin" $((3 * 1024 * 1024 + i)); done
for i in 1 2 3; do text_file "$src/docs/doc-$i.txt" $((i * 300000)); done

run arkiv init --kdf-cost 10 --pack-size 1 --create-bucket --cloud "aws=$s3" --cloud "azure=$az" \
  --cloud "nas=$sftp" --policy ec:2+1
expect_rc 0 "init ec:2+1 over moto, Azurite and sshd"

# --- 1. Azurite stopped mid-backup ---------------------------------------------
shards_on_nas() { { find "$sftp_dir/repo/data" -type f -name '*.ec2+1.*' 2>/dev/null || true; } | wc -l; }
# backup_stopping URL PID PORT: backs up $src through URL and stops the server
# PID (listening on PORT) in the middle. The backup writes to all clouds at
# once: once sshd's folder holds 3 shards more than before, it is under way.
# It is paused (SIGSTOP) while the server is stopped, so that the stop lands
# mid-backup however slow or fast the machine is; its requests in flight then
# find the server gone. Fills $OUT, $ERR and $RC like `run`.
backup_stopping() {
  local start paused=no pid state
  start=$(shards_on_nas)
  "$ARKIV" --repo "$1" backup "$src" >"$OUT" 2>"$ERR" &
  pid=$!
  register_pid "$pid"
  for _ in $(seq 1 1500); do
    (($(shards_on_nas) >= start + 3)) && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.02
  done
  # A process that has exited but not been waited for is a zombie: SIGSTOP
  # "succeeds" on it, so its state is read instead.
  kill -STOP "$pid" 2>/dev/null || true
  for _ in $(seq 1 200); do
    state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || echo gone)
    [[ $state == T ]] && paused=yes
    [[ $state == T || $state == Z || $state == gone ]] && break
    sleep 0.01
  done
  echo "# backup paused with $(($(shards_on_nas) - start)) new shards on sshd; stopping the server"
  stop_server "$2" "$3"
  kill -CONT "$pid" 2>/dev/null || true
  wait "$pid" && RC=0 || RC=$?
  assert_eq "$paused" yes "the backup was still running when the server was stopped"
}
backup_stopping "$s3" "$AZURITE_PID" "$AZURITE_PORT"
expect_rc 3 "backup with Azurite stopped mid-backup"
assert_file_contains "$ERR" "cloud azure missed [0-9]+ placements" "the backup names the cloud that missed placements"
sed 's/^/# backup: /' "$ERR"
cp -a "$src" "$WORK/v1"

start_azurite "$AZURITE_PORT" || finish
# Azurite keeps what it stored before it was stopped (same --location).
kept=$(cloud_objects "$az" list | grep -c '\.ec2+1\.1\.' || true)
assert_true "Azurite restarted with the shards it had stored ($kept)" test "$kept" -ge 1
run arkiv --repo "$az" check
expect_rc 1 "check after the outage"
assert_file_contains "$ERR" "recorded as repair debt" "check reports the repair debt"
run arkiv --repo "$az" repair
expect_rc 0 "repair completes what Azurite missed"
assert_file_contains "$OUT" "repair records cleared" "repair clears the records"
run arkiv --repo "$sftp" check --read-data
expect_rc 0 "check --read-data clean after repair"
# The backup could not remove its lock from Azurite while it was down: that
# lock is stale (its process is gone) and stops no one; unlock removes it.
locks_left() { for url in "$s3" "$az" "$sftp"; do cloud_objects "$url" list | grep -c '^locks/' || true; done | paste -sd' '; }
assert_eq "$(locks_left)" "0 1 0" "the backup's lock is left on Azurite only (aws azure nas)"
run arkiv --repo "$s3" prune --dry-run
expect_rc 0 "an exclusive command is not stopped by the stale lock"
run arkiv --repo "$s3" unlock
expect_rc 0 "unlock"
assert_eq "$(locks_left)" "0 0 0" "unlock removed the stale lock from Azurite"
rm -rf "$WORK/r1"
run arkiv --repo "$az" restore latest --target "$WORK/r1"
expect_rc 0 "restore after the repair"
[[ $RC -eq 0 ]] && assert_same_tree "$src" "$WORK/r1/src" "restore of the interrupted-then-repaired backup"


# Stored bytes, as the servers list them, against a single-copy repository of
# the same data: ec:2+1 keeps 3/2 of the data plus small shard headers, and
# the metadata (a small part here) on every cloud.
run arkiv init --kdf-cost 10 --pack-size 1 --repo "$WORK/single"
run arkiv --repo "$WORK/single" backup "$src"
expect_rc 0 "single-copy backup of the same data"
single=$(cloud_objects "file://$WORK/single" bytes)
on_aws=$(cloud_objects "$s3" bytes)
on_azure=$(cloud_objects "$az" bytes)
on_nas=$(cloud_objects "$sftp" bytes)
ratio=$(python3 -c "print(round(($on_aws + $on_azure + $on_nas) / $single, 4))")
echo "# stored bytes: single copy $single; ec:2+1 aws $on_aws + azure $on_azure + nas $on_nas = ${ratio}x"
assert_true "ec:2+1 stores at most 1.55x a single copy (measured ${ratio}x)" \
  python3 -c "import sys; sys.exit(not 1.4 <= $ratio <= 1.55)"

# --- 2. One cloud wiped, then another: every snapshot restores -----------------
# Two more snapshots with files added, changed and removed; each snapshot's
# source is kept to compare its restore with.
# The second one loses sshd in the middle (sessions and all), which comes
# back on its port with its folder.
random_file "$src/big/part-13.bin" $((10 * 1024 * 1024))
text_file "$src/docs/doc-1.txt" 500000
rm "$src/big/part-2.bin"
backup_stopping "$az" "$SSHD_PID" "$SSHD_PORT"
expect_rc 3 "second backup, sshd stopped mid-backup"
assert_file_contains "$ERR" "cloud nas missed [0-9]+ placements" "the backup names the SFTP cloud"
sed 's/^/# backup: /' "$ERR"
cp -a "$src" "$WORK/v2"
start_sshd "$SSHD_PORT" || finish
run arkiv --repo "$sftp" repair
expect_rc 0 "repair completes what sshd missed"
run arkiv --repo "$s3" check --read-data
expect_rc 0 "check --read-data clean after the repair"
run arkiv --repo "$s3" unlock
random_file "$src/big/part-3.bin" $((1024 * 1024))
mkdir "$src/new" && text_file "$src/new/notes.txt" 200000
run arkiv --repo "$s3" backup "$src"
expect_rc 0 "third backup"
cp -a "$src" "$WORK/v3"
run arkiv --repo "$s3" snapshots --json
mapfile -t snapshots < <(json_eval "$OUT" "'\\n'.join(s['id'] for s in sorted(j, key=lambda s: s['time']))")
assert_eq "${#snapshots[@]}" 3 "three snapshots"

restore_every_snapshot() {  # repo-url message
  local i target
  for i in 0 1 2; do
    target=$WORK/restore-$((i + 1))
    rm -rf "$target"
    run arkiv --repo "$1" restore "${snapshots[i]}" --target "$target"
    expect_rc 0 "$2: restore snapshot $((i + 1))"
    if [[ $RC -eq 0 ]]; then assert_same_tree "$WORK/v$((i + 1))" "$target/src" "$2: snapshot $((i + 1))"; fi
  done
}

held=$(cloud_objects "$s3" list | grep -vc '^locks/')
cloud_objects "$s3" wipe
assert_eq "$(cloud_objects "$s3" list | wc -l)" 0 "every object deleted from the S3 bucket"
restore_every_snapshot "$az" "S3 wiped"
assert_file_contains "$ERR" "degraded" "the degraded restore is reported"
run arkiv --repo "$sftp" check
expect_rc 1 "check with S3 wiped"
assert_file_contains "$ERR" "cloud aws: missing data/.*\\.ec2\\+1\\.0\\." "check names the shards S3 lacks"
assert_file_contains "$ERR" "cloud aws: missing config" "check names the config S3 lacks"
assert_file_contains "$ERR" "cloud aws: [0-9]+ objects, $held missing, 0 corrupt" "check counts every object S3 held as missing ($held)"
run arkiv --repo "$sftp" repair
expect_rc 0 "repair rebuilds S3"
run arkiv --repo "$s3" check --read-data
expect_rc 0 "check --read-data through the rebuilt S3"

rm -rf "$sftp_dir/repo"
restore_every_snapshot "$s3" "then sshd's folder wiped"
run arkiv --repo "$az" repair
expect_rc 0 "repair rebuilds the SFTP cloud"
run arkiv --repo "$sftp" check --read-data
expect_rc 0 "check --read-data after both repairs"

# --- 3. Corrupt shards on every cloud, each in a different pack ----------------
mapfile -t packs < <(cloud_objects "$s3" list | sed -n 's|^data/../\([0-9a-f]*\)\.ec2+1\.0\..*|\1|p' | shuf)
assert_true "enough data packs to corrupt three different ones (${#packs[@]})" test "${#packs[@]}" -ge 3
shard_of() {  # url pack: the name of that pack's shard on that cloud
  cloud_objects "$1" list | awk -v p="$2" 'index($1, p ".ec2+1.") {print $1}'
}
bad_aws=$(shard_of "$s3" "${packs[0]}")
bad_azure=$(shard_of "$az" "${packs[1]}")
bad_nas=$(shard_of "$sftp" "${packs[2]}")
# (awk reads to the end: an early exit would break the lister's pipe)
bad_index=$(cloud_objects "$az" list | awk '/^index\// && !found++ {print $1}')
cloud_objects "$s3" flip "$bad_aws"
cloud_objects "$az" flip "$bad_azure" "$bad_index"
cloud_objects "$sftp" flip "$bad_nas"
run arkiv --repo "$s3" check --read-data
expect_rc 1 "check --read-data with corrupt objects on three clouds"
escape() { local s=${1//./\\.}; echo "${s//+/\\+}"; }  # for grep -E
assert_file_contains "$ERR" "cloud aws: corrupt $(escape "$bad_aws")" "check names the corrupt shard on S3"
assert_file_contains "$ERR" "cloud azure: corrupt $(escape "$bad_azure")" "check names the corrupt shard on Azure"
assert_file_contains "$ERR" "cloud azure: corrupt $(escape "$bad_index")" "check names the corrupt index copy on Azure"
assert_file_contains "$ERR" "cloud nas: corrupt $(escape "$bad_nas")" "check names the corrupt shard on SFTP"
restore_every_snapshot "$az" "corrupt shards on three clouds"
run arkiv --repo "$sftp" repair --read-data
expect_rc 0 "repair --read-data rewrites the corrupt objects"
run arkiv --repo "$az" check --read-data
expect_rc 0 "check --read-data clean after the repair"

finish
