#!/usr/bin/env bash
# The arkiv demo: installs what is needed, builds, then backs up a sample
# folder, changes it, backs up again, lists and diffs snapshots, simulates
# losing the originals, restores, and proves the restore is byte-identical;
# checks every byte of the repository; then does the same backup and restore
# with the repository in a cloud stand-in (S3 served by moto on 127.0.0.1).
# Cross-cloud placement (one repository over several clouds) comes next.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
bash scripts/build.sh
arkiv=$PWD/build/arkiv

work=$(mktemp -d /tmp/arkiv-demo.XXXXXX)
moto_pid=
cleanup() {
  if [ -n "$moto_pid" ]; then kill "$moto_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
export ARKIV_REPOSITORY=$work/repository ARKIV_PASSWORD=demo-password-not-secret
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "making a sample folder"
mkdir -p "$work/data/docs" "$work/data/photos"
for i in $(seq 1 200); do printf 'report %d\n%s\n' "$i" "$(seq 1 $((i * 10)))" >"$work/data/docs/report-$i.txt"; done
head -c 20000000 /dev/urandom >"$work/data/photos/holiday.raw"
cp "$work/data/photos/holiday.raw" "$work/data/photos/holiday-copy.raw"   # deduplicated
ln -s ../docs/report-1.txt "$work/data/photos/link-to-report"
du -sh "$work/data"

step "arkiv init"
$arkiv init --kdf-cost 14
step "arkiv backup (first)"
$arkiv backup --tag demo "$work/data"
step "changing a few files and backing up again (unchanged files are not read)"
echo "an edit" >>"$work/data/docs/report-7.txt"
rm "$work/data/docs/report-8.txt"
$arkiv backup --tag demo "$work/data"
step "arkiv snapshots"
$arkiv snapshots
step "arkiv diff"
first=$($arkiv snapshots --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
$arkiv diff "$first" latest
step "disaster: the originals are gone; arkiv restore latest"
mv "$work/data" "$work/data-original"
$arkiv restore latest --target "$work/restored" --verify
step "comparing the restore with the originals, byte for byte"
diff -r --no-dereference "$work/data-original" "$work/restored/data" && echo "identical"
step "arkiv check --read-data"
$arkiv check --read-data

step "the same in a cloud: an S3 repository on a local stand-in (moto, 127.0.0.1 only)"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m moto.server -H 127.0.0.1 -p "$port" >"$work/moto.log" 2>&1 &
moto_pid=$!
for _ in $(seq 1 100); do
  python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null && break
  sleep 0.2
done
export AWS_ACCESS_KEY_ID=demo AWS_SECRET_ACCESS_KEY=demo-secret AWS_DEFAULT_REGION=us-east-1
python3 -c "import boto3; boto3.client('s3', endpoint_url='http://127.0.0.1:$port').create_bucket(Bucket='arkiv-demo')"
export ARKIV_REPOSITORY="s3://arkiv-demo/backups?endpoint=http://127.0.0.1:$port&region=us-east-1"
$arkiv init --kdf-cost 14
$arkiv backup --tag demo "$work/data-original"
$arkiv restore latest --target "$work/restored-from-s3" --verify
diff -r --no-dereference "$work/data-original" "$work/restored-from-s3/data-original" && echo "identical (from S3)"
$arkiv check --read-data

echo
echo "demo finished: backup, restore and verification succeeded (local directory and S3)"
