#!/usr/bin/env bash
# A host that holds only backup rights cannot destroy earlier snapshots
# (issue 6 item 3, docs/design.md §16.2), against Azurite on 127.0.0.1, which
# enforces SAS permissions:
#   - the repository is made and first backed up with the account key;
#   - the backup host gets a container SAS with permissions rcl (read, create,
#     list: no write-over, no delete); its backups succeed, the lock files
#     it cannot remove left behind;
#   - with that SAS, forget, prune and overwriting a snapshot all fail with
#     the cloud's refusal, exit 1, and change nothing;
#   - with the account key again, check --read-data is clean and every
#     snapshot restores byte-identical; forget/prune with it work.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/cloud_servers.sh"

start_azurite || finish
export ARKIV_PASSWORD=append-only-test
repo="azure://devstoreaccount1/backups/repo?endpoint=$AZURITE_ENDPOINT"
mkdir -p "$WORK/src"
text_file "$WORK/src/a.txt" 60000
random_file "$WORK/src/b.bin" 300000

# The administrator: the account key.
admin() { AZURE_STORAGE_CONNECTION_STRING=$AZURITE_CONNECTION "$@"; }
run admin init_repo --repo "$repo" --create-bucket
expect_rc 0 "init with the account key"
run admin arkiv --repo "$repo" backup "$WORK/src"
expect_rc 0 "first backup with the account key"
cp -a "$WORK/src" "$WORK/v1"

# The backup host: a container SAS that can read, create and list, nothing else.
sas=$(/usr/bin/python3 - "$AZURITE_KEY" <<'EOF'
import datetime, sys
from azure.storage.blob import generate_container_sas, ContainerSasPermissions
print(generate_container_sas("devstoreaccount1", "backups", account_key=sys.argv[1],
      permission=ContainerSasPermissions(read=True, create=True, list=True),
      expiry=datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=2)))
EOF
)
assert_true "the SAS grants rcl only" grep -q 'sp=rcl' <<<"$sas"
encoded=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$sas")
host="$repo&sas=$encoded"
backup_host() { (unset AZURE_STORAGE_CONNECTION_STRING; "$@"); }

echo "more" >>"$WORK/src/a.txt"
random_file "$WORK/src/c.bin" 200000
run backup_host arkiv --repo "$host" backup "$WORK/src"
expect_rc 0 "a backup with the create-only SAS"
cp -a "$WORK/src" "$WORK/v2"
run backup_host arkiv --repo "$host" snapshots --json
mapfile -t snaps < <(json_eval "$OUT" "'\\n'.join(s['id'] for s in sorted(j, key=lambda s: s['time']))")
assert_eq 2 "${#snaps[@]}" "two snapshots, one from each credential"

run backup_host arkiv --repo "$host" forget "${snaps[0]}"
expect_rc 1 "forget with the create-only SAS is refused"
assert_file_contains "$ERR" "not authorized|denied|permission" "forget: the cloud's refusal is named"
assert_file_lacks "$ERR" "sig=|$AZURITE_KEY" "forget: no signature or key in the message"
run backup_host arkiv --repo "$host" forget --keep-last 1 --prune --safety-window 0
expect_rc 1 "forget --keep-last 1 --prune with the create-only SAS is refused"
run backup_host arkiv --repo "$host" prune --safety-window 0
assert_true "prune with the create-only SAS deletes nothing (exit $RC)" test "$RC" -le 1

# Overwriting a snapshot through the cloud's own API is refused too.
first_snapshot=$(admin /usr/bin/python3 "$SERVERS/cloud_objects.py" "$repo" list | awk '$1 ~ /^snapshots\// {print $1; exit}')
run /usr/bin/python3 - "$AZURITE_ENDPOINT" "$sas" "repo/$first_snapshot" <<'EOF'
import sys
from azure.storage.blob import ContainerClient
c = ContainerClient.from_container_url(f"{sys.argv[1]}/backups?{sys.argv[2]}")
try:
    c.upload_blob(sys.argv[3], b"ransom note", overwrite=True)
    print("overwritten")
except Exception as e:
    print("refused", type(e).__name__)
try:
    c.delete_blob(sys.argv[3])
    print("deleted")
except Exception as e:
    print("refused", type(e).__name__)
EOF
assert_eq "refused HttpResponseError
refused HttpResponseError" "$(cat "$OUT")" "overwriting and deleting a snapshot with the SAS are refused"

# Everything is still there.
run admin arkiv --repo "$repo" check --read-data
expect_rc 0 "check --read-data with the account key"
for i in 0 1; do
  rm -rf "$WORK/r$i"
  run admin arkiv --repo "$repo" restore "${snaps[$i]}" --target "$WORK/r$i"
  expect_rc 0 "restore snapshot $((i + 1))"
done
assert_same_tree "$WORK/v1" "$WORK/r0/src" "snapshot 1 restores byte-identical"
assert_same_tree "$WORK/v2" "$WORK/r1/src" "snapshot 2 restores byte-identical"

# The administrator can forget and prune (stale locks of the backup host are ignored).
run admin arkiv --repo "$repo" forget "${snaps[0]}" --prune --safety-window 0
expect_rc 0 "forget --prune with the account key"
run admin arkiv --repo "$repo" snapshots --json
assert_eq 1 "$(json_eval "$OUT" "len(j)")" "one snapshot left"

finish
