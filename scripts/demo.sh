#!/usr/bin/env bash
# The arkiv demo: installs what is needed, builds, then backs up a sample
# folder, changes it, backs up again, lists and diffs snapshots, simulates
# losing the originals, restores, and proves the restore is byte-identical;
# finally checks every byte of the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
bash scripts/build.sh
arkiv=$PWD/build/arkiv

work=$(mktemp -d /tmp/arkiv-demo.XXXXXX)
trap 'rm -rf "$work"' EXIT
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
echo
echo "demo finished: backup, restore and verification succeeded"
