#!/usr/bin/env bash
# S3 Object Lock against moto on 127.0.0.1 (issue 6 item 3, docs/security.md):
#   - `init --create-bucket` with object_lock=compliance&lock_days=1 creates a
#     bucket with Object Lock enabled; every repository object (data, index,
#     snapshots, keys, config) is written with COMPLIANCE retention, multipart
#     parts included (S3 wants their Content-MD5); locks/ are not;
#   - `forget` leaves a retained snapshot in place, says until when, exit 3;
#   - prune refreshes the retention of every object in use;
#   - an attacker holding the repository's S3 keys deletes every version it
#     can (S3 refuses each locked one), hides the rest behind delete markers
#     and overwrites the snapshots with garbage: arkiv then finds nothing;
#   - scripts/s3_rollback.py rolls the prefix back to before the attack, and
#     check --read-data is clean and every snapshot restores byte-identical;
#   - a lock_days without object_lock is refused with one line.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/cloud_servers.sh"

ROLLBACK="$(cd "$(dirname "$0")/../.." && pwd)/scripts/s3_rollback.py"
start_moto || finish
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing-secret AWS_DEFAULT_REGION=us-east-1
endpoint="http://127.0.0.1:$MOTO_PORT"
# 5 MiB parts from 5 MiB on: the packs of the 12 MiB file go up in parts.
repo="s3://locked/repo?endpoint=$endpoint&region=us-east-1&object_lock=compliance&lock_days=1&multipart_threshold=5242880&part_size=5242880"
export ARKIV_REPOSITORY=$repo ARKIV_PASSWORD=object-lock-test

# Runs boto3 against moto (the system interpreter has it); $1 is the script.
s3py() {
  /usr/bin/python3 - "$endpoint" <<EOF
import sys, boto3
s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1")
$1
EOF
}

mkdir -p "$WORK/src/docs"
random_file "$WORK/src/big.bin" $((12 << 20))
text_file "$WORK/src/docs/a.txt" 40000
text_file "$WORK/src/docs/b.txt" 30000

run init_repo --create-bucket
expect_rc 0 "init --create-bucket with object_lock=compliance"
run s3py 'print(s3.get_object_lock_configuration(Bucket="locked")["ObjectLockConfiguration"]["ObjectLockEnabled"])'
assert_eq "Enabled" "$(cat "$OUT")" "the bucket was created with Object Lock enabled"

run arkiv backup "$WORK/src" --json
expect_rc 0 "first backup into the locked bucket"
cp -a "$WORK/src" "$WORK/src-v1"
text_file "$WORK/src/docs/c.txt" 20000
echo "changed" >>"$WORK/src/docs/a.txt"
run arkiv backup "$WORK/src"
expect_rc 0 "second backup"
cp -a "$WORK/src" "$WORK/src-v2"

# What S3 holds: retention on every repository object, none on locks.
run s3py '
import datetime
now = datetime.datetime.now(datetime.timezone.utc)
kinds = {}
for page in s3.get_paginator("list_objects_v2").paginate(Bucket="locked", Prefix="repo/"):
    for o in page.get("Contents", []):
        head = s3.head_object(Bucket="locked", Key=o["Key"])
        kind = o["Key"].split("/")[1]
        mode = head.get("ObjectLockMode", "none")
        until = head.get("ObjectLockRetainUntilDate")
        days = round((until - now).total_seconds() / 86400) if until else 0
        kinds.setdefault(kind, set()).add(f"{mode}:{days}")
for kind in sorted(kinds):
    print(kind, ",".join(sorted(kinds[kind])))
'
for kind in config data index keys snapshots; do
  assert_file_contains "$OUT" "^$kind COMPLIANCE:1$" "every $kind object is under COMPLIANCE retention for 1 day"
done
assert_file_lacks "$OUT" "^locks " "no lock file is left behind"
run s3py '
n = 0
for page in s3.get_paginator("list_objects_v2").paginate(Bucket="locked", Prefix="repo/data/"):
    n += sum(1 for o in page.get("Contents", []) if o["Size"] > 5242880)
print(n)'
assert_true "a pack above 5 MiB went up in parts ($(cat "$OUT"))" test "$(cat "$OUT")" -ge 1

run arkiv snapshots --json
mapfile -t snaps < <(json_eval "$OUT" "'\\n'.join(s['id'] for s in sorted(j, key=lambda s: s['time']))")
assert_eq 2 "${#snaps[@]}" "two snapshots"

# forget cannot remove a retained snapshot; it says until when.
run arkiv forget "${snaps[0]}"
expect_rc 3 "forget of a retained snapshot: done with a warning"
assert_file_contains "$ERR" "retained by S3 Object Lock \(COMPLIANCE\) until 20[0-9-]+T" "forget says the snapshot is retained and until when"
run arkiv snapshots --json
assert_eq 2 "$(json_eval "$OUT" "len(j)")" "both snapshots are still there"

# prune keeps the retention of everything in use fresh (here: all of it,
# with more than half of the day left, so nothing needs extending).
run arkiv --json prune --safety-window 0
expect_rc 0 "prune on the locked repository"
checked=$(json_last "$OUT" 'j["retention_checked"]')
assert_true "prune checked the retention of every object in use ($checked)" test "$checked" -ge 8

# The attack, with the repository's own S3 keys, two seconds after the backups.
sleep 2
as_of=$(date -u +%Y-%m-%dT%H:%M:%SZ)
sleep 2
run s3py '
from botocore.exceptions import ClientError
refused = deleted = 0
bookkeeping = 0  # status/ records carry no retention: deleting them is allowed
versions = []
for page in s3.get_paginator("list_object_versions").paginate(Bucket="locked", Prefix="repo/"):
    versions += [(v["Key"], v["VersionId"]) for v in page.get("Versions", [])]
for key, version in versions:
    try:
        s3.delete_object(Bucket="locked", Key=key, VersionId=version)
        if key.startswith(("repo/status/", "repo/locks/", "repo/prune/")):
            bookkeeping += 1
        else:
            deleted += 1
            print("deleted", key, file=sys.stderr)
    except ClientError as e:
        refused += 1
print("refused", refused, "deleted", deleted, "bookkeeping", bookkeeping)
for key, _ in versions:
    if "/snapshots/" in key:
        s3.put_object(Bucket="locked", Key=key, Body=b"ransom note: pay to get your backups back")
    else:
        s3.delete_object(Bucket="locked", Key=key)
'
read -r _ refused _ deleted _ bookkeeping <"$OUT"
assert_true "S3 refused to delete every version of the repository's objects ($refused refused, $deleted deleted; $bookkeeping status records deleted)" \
  test "$refused" -ge 10 -a "$deleted" -eq 0
run arkiv snapshots
assert_true "after the attack arkiv finds no repository (exit $RC)" test "$RC" -ne 0

# The rollback brings the repository back as it was.
run /usr/bin/python3 "$ROLLBACK" --endpoint "$endpoint" --region us-east-1 --as-of "$as_of" --dry-run locked/repo
expect_rc 0 "s3_rollback.py --dry-run"
run arkiv snapshots
assert_true "a dry run changes nothing" test "$RC" -ne 0
run /usr/bin/python3 "$ROLLBACK" --endpoint "$endpoint" --region us-east-1 --as-of "$as_of" locked/repo
expect_rc 0 "s3_rollback.py to before the attack"
assert_file_contains "$OUT" "restored from an older version" "the rollback reports what it did"
run arkiv check --read-data
expect_rc 0 "check --read-data after the rollback"
for i in 0 1; do
  rm -rf "$WORK/restore$i"
  run arkiv restore "${snaps[$i]}" --target "$WORK/restore$i"
  expect_rc 0 "restore snapshot $((i + 1)) after the rollback"
done
assert_same_tree "$WORK/src-v1" "$WORK/restore0/src" "snapshot 1 restores byte-identical"
assert_same_tree "$WORK/src-v2" "$WORK/restore1/src" "snapshot 2 restores byte-identical"

run arkiv --repo "s3://locked/other?endpoint=$endpoint&lock_days=3" snapshots
expect_rc 1 "lock_days without object_lock"
expect_err_line "object_lock and lock_days go together" "lock_days without object_lock: one line"
run arkiv --repo "s3://locked/other?endpoint=$endpoint&object_lock=forever&lock_days=3" snapshots
expect_rc 1 "a bad object_lock mode"
expect_err_line "object_lock must be compliance or governance" "a bad object_lock mode: one line"

finish
