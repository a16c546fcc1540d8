#!/usr/bin/env bash
# The arkiv demo: installs what is needed, builds, then backs up a sample
# folder, changes it, backs up again, lists and diffs snapshots, simulates
# losing the originals, restores, and proves the restore is byte-identical;
# checks every byte of the repository; then does the same backup and restore
# with the repository in a cloud stand-in (S3 served by moto on 127.0.0.1);
# then one repository over three stand-in clouds (S3, Azure, a folder) with
# erasure coding: a cloud is lost, the restore is still byte-identical, the
# cloud comes back empty and `arkiv repair` rebuilds it; a DR drill without
# the S3 cloud, `arkiv status` and `arkiv plan` end it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
bash scripts/build.sh
arkiv=$PWD/build/arkiv

work=$(mktemp -d /tmp/arkiv-demo.XXXXXX)
moto_pid=
azurite_pid=
cleanup() {
  if [ -n "$moto_pid" ]; then kill "$moto_pid" 2>/dev/null || true; fi
  if [ -n "$azurite_pid" ]; then kill "$azurite_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
export ARKIV_REPOSITORY=$work/repository ARKIV_PASSWORD=demo-password-not-secret
export ARKIV_CACHE_DIR=$work/cache  # the history of status and drill stays with the demo
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
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 1 300); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }
port=$(free_port)
python3 -m moto.server -H 127.0.0.1 -p "$port" >"$work/moto.log" 2>&1 &
moto_pid=$!
wait_port "$port"
export AWS_ACCESS_KEY_ID=demo AWS_SECRET_ACCESS_KEY=demo-secret AWS_DEFAULT_REGION=us-east-1
export ARKIV_REPOSITORY="s3://arkiv-demo/backups?endpoint=http://127.0.0.1:$port&region=us-east-1"
$arkiv init --kdf-cost 14 --create-bucket
$arkiv backup --tag demo "$work/data-original"
$arkiv restore latest --target "$work/restored-from-s3" --verify
diff -r --no-dereference "$work/data-original" "$work/restored-from-s3/data-original" && echo "identical (from S3)"
$arkiv check --read-data
unset ARKIV_REPOSITORY

step "one repository over three clouds: S3 (moto), Azure (Azurite) and a folder, erasure-coded ec:2+1"
echo "(each pack is cut into 2 data shards + 1 parity shard, one per cloud: any one cloud may be lost;"
echo " storage is 1.5x the data instead of 3x for three full copies)"
az_port=$(free_port)
az_key='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='
azurite() {  # DATA-DIR: Microsoft's Azure Storage emulator on 127.0.0.1
  node tests/servers/node_modules/azurite/dist/src/blob/main.js --blobHost 127.0.0.1 --blobPort "$az_port" \
    --location "$1" --disableTelemetry --silent >>"$work/azurite.log" 2>&1 &
  azurite_pid=$!
  wait_port "$az_port"
}
mkdir -p "$work/azurite-1" "$work/azurite-2"
azurite "$work/azurite-1"
export AZURE_STORAGE_CONNECTION_STRING="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$az_key;BlobEndpoint=http://127.0.0.1:$az_port/devstoreaccount1;"
s3="s3://arkiv-multi/repo?endpoint=http://127.0.0.1:$port&region=us-east-1"
az="azure://devstoreaccount1/arkiv-multi/repo?endpoint=http://127.0.0.1:$az_port/devstoreaccount1"
disk="file://$work/disk-cloud"
$arkiv init --kdf-cost 14 --create-bucket --policy ec:2+1 --cloud "aws=$s3" --cloud "azure=$az" --cloud "disk=$disk"
$arkiv --repo "$s3" backup --tag multi-cloud "$work/data-original"
$arkiv --repo "$s3" cloud list

step "disaster: the Azure cloud is gone (its server stopped)"
kill "$azurite_pid"; wait "$azurite_pid" 2>/dev/null || true
export ARKIV_RETRY_MAX_ATTEMPTS=2   # give up on the dead cloud quickly in a demo
$arkiv --repo "$s3" cloud list || echo "(exit $?: a cloud is down)"
step "restore from the two clouds left (opened through any one of them)"
$arkiv --repo "$disk" restore latest --target "$work/restored-multi" --verify
diff -r --no-dereference "$work/data-original" "$work/restored-multi/data-original" && echo "identical (with Azure lost)"
step "a backup while Azure is out still succeeds; what Azure missed is recorded"
echo "a change made during the outage" >>"$work/data-original/docs/report-9.txt"
$arkiv --repo "$s3" backup --tag multi-cloud "$work/data-original" || echo "(exit $?: done, with a cloud out)"

step "Azure is back, as a new empty account; arkiv check sees what it lacks, arkiv repair rebuilds it"
azurite "$work/azurite-2"
$arkiv --repo "$s3" check || echo "(exit $?: the check found what Azure lacks)"
$arkiv --repo "$s3" repair
$arkiv --repo "$az" check --read-data
step "DR drill: could we restore if the S3 account were lost? (S3 is not contacted; every file verified)"
$arkiv --repo "$disk" drill --without aws
step "arkiv status: the health of the clouds and the backups (exit 0 OK, 1 WARNING, 2 CRITICAL)"
$arkiv --repo "$disk" status --rpo 1d || echo "(exit $?)"
step "arkiv plan: this policy against others — loss probability, restore time, cost"
$arkiv --repo "$disk" plan --policy replicate || echo "(exit $?)"
unset ARKIV_RETRY_MAX_ATTEMPTS
kill "$azurite_pid" 2>/dev/null || true

echo
echo "demo finished: backup, restore and verification succeeded (local directory, S3, and one repository"
echo "over S3 + Azure + a folder that lost a cloud, restored from the rest, repaired it, and passed a DR drill)"
