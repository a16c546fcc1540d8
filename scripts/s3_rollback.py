#!/usr/bin/python3
"""Rolls an arkiv repository in a versioned S3 bucket back to how it was at a
point in time: the recovery after a stolen credential was used to delete or
overwrite objects (docs/security.md, "Object Lock").

With Object Lock (arkiv's `object_lock=...&lock_days=N`), S3 refuses to
destroy a locked version; a DELETE only puts a delete marker in front of it
and a PUT only adds a newer version. This script makes, for every key under
the prefix, the newest version written at or before --as-of the current one
again:
  * when only delete markers came after it, the markers are removed;
  * when newer versions came after it, it is copied over the key (the newer
    versions stay in the bucket's history; nothing is deleted).
Keys created after --as-of are left alone (arkiv ignores or reports them);
--dry-run shows what would change.

Usage: s3_rollback.py [--endpoint URL] [--region R] [--dry-run] --as-of TIME BUCKET[/PREFIX]
  TIME   ISO 8601 in UTC, e.g. 2026-11-28T04:00:00Z
Credentials come from the usual AWS places (AWS_* variables, ~/.aws).
Runs under /usr/bin/python3 with Debian's python3-boto3.
"""
import argparse
import datetime
import sys


def parse_time(text):
    when = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    return when


def history(client, bucket, prefix):
    """{key: [(time, version_id, is_marker)] newest first}."""
    keys = {}
    pages = client.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=prefix)
    for page in pages:
        for v in page.get("Versions", []):
            keys.setdefault(v["Key"], []).append((v["LastModified"], v["VersionId"], False))
        for m in page.get("DeleteMarkers", []):
            keys.setdefault(m["Key"], []).append((m["LastModified"], m["VersionId"], True))
    for entries in keys.values():
        entries.sort(key=lambda e: e[0], reverse=True)
    return keys


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--endpoint")
    parser.add_argument("--region", default=None)
    parser.add_argument("--dry-run", action="store_true")
    parser.add_argument("--as-of", required=True, type=parse_time)
    parser.add_argument("location", help="BUCKET[/PREFIX]")
    args = parser.parse_args()

    import boto3
    bucket, _, prefix = args.location.partition("/")
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    client = boto3.client("s3", endpoint_url=args.endpoint, region_name=args.region)
    unmarked = copied = unchanged = newer = 0
    for key, entries in sorted(history(client, bucket, prefix).items()):
        before = [e for e in entries if e[0] <= args.as_of]
        if not before or before[0][2]:
            newer += 1  # did not exist then (or was deleted then): not ours to bring back
            continue
        keep = before[0]
        after = [e for e in entries if e[0] > args.as_of]
        if entries[0][1] == keep[1]:
            unchanged += 1
            continue
        if all(e[2] for e in after):
            for e in after:
                print(f"remove delete marker {key} ({e[1]})")
                if not args.dry_run:
                    client.delete_object(Bucket=bucket, Key=key, VersionId=e[1])
            unmarked += 1
        else:
            print(f"restore {key} to version {keep[1]} of {keep[0].isoformat()}")
            if not args.dry_run:
                client.copy_object(Bucket=bucket, Key=key,
                                   CopySource={"Bucket": bucket, "Key": key, "VersionId": keep[1]})
            copied += 1
    print(f"{unmarked} undeleted, {copied} restored from an older version, {unchanged} unchanged, "
          f"{newer} newer than --as-of left alone{' (dry run)' if args.dry_run else ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
