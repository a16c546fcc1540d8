#!/usr/bin/env bash
# forget (policies, ids, --keep-tag, --host, --dry-run) and prune (frees the
# space of forgotten data, keeps everything still used, repacks with
# --max-unused 0, changes nothing with --dry-run).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

src=$WORK/src
mkdir -p "$src/common" "$WORK/states"
for i in 1 2 3 4; do random_file "$src/common/shared-$i.bin" $((700 * 1024)); done
text_file "$src/common/notes.txt" 200000

init_repo --pack-size 1 --chunk-size 256

# backup NAME HOST [TAG]: a snapshot whose unique.bin (1.5 MB random) no
# other snapshot has (unless NO_UNIQUE is set); the source as backed up is
# kept in states/NAME.
declare -A ID=()
backup() {
  local name=$1 host=$2 tag=${3:-}
  [[ -z ${NO_UNIQUE:-} ]] && random_file "$src/unique.bin" $((1536 * 1024))
  echo "$name" >"$src/name.txt"
  local args=(--host "$host")
  [[ -n $tag ]] && args+=(--tag "$tag")
  arkiv --json backup "${args[@]}" "$src" >"$WORK/b.json"
  ID[$name]=$(json_last "$WORK/b.json" 'j["snapshot_id"]')
  rm -rf "$WORK/states/$name"
  cp -a "$src" "$WORK/states/$name"
}
backup a1 hostA
backup a2 hostA keep
backup a3 hostA
backup a4 hostA
backup a5 hostA
backup b1 hostB
backup b2 hostB

snapshot_ids() { arkiv snapshots --json | python3 -c 'import json,sys; print(" ".join(sorted(s["id"] for s in json.load(sys.stdin))))'; }
ids_of() { local n out=(); for n in "$@"; do out+=("${ID[$n]}"); done; printf '%s\n' "${out[@]}" | sort | tr '\n' ' ' | sed 's/ $//'; }

# Restores every snapshot still listed and compares it with its source.
restore_all_identical() {
  local label=$1 name id bad=0
  for name in "${!ID[@]}"; do
    id=${ID[$name]}
    grep -q "$id" <<<"$(snapshot_ids)" || continue
    rm -rf "$WORK/r"
    if ! arkiv restore -q "$id" --target "$WORK/r" 2>"$WORK/r.err" || ! diff -r "$WORK/states/$name" "$WORK/r/src" >/dev/null; then
      fail "$label: snapshot $name (${id:0:8}) does not restore identical"
      bad=1
    fi
  done
  rm -rf "$WORK/r"
  ((bad == 0)) && pass "$label: every remaining snapshot restores byte-identical"
}

all=$(ids_of a1 a2 a3 a4 a5 b1 b2)
assert_eq "$(snapshot_ids)" "$all" "seven snapshots"
run arkiv snapshots --host hostB --json
assert_eq "$(json_eval "$OUT" 'len(j)')" 2 "snapshots --host filters by host"
run arkiv snapshots --tag keep --json
assert_eq "$(json_eval "$OUT" 'j[0]["id"]')" "${ID[a2]}" "snapshots --tag filters by tag"

# ---- forget --dry-run changes nothing ------------------------------------------------
listing=$(repo_listing)
run arkiv --json forget --keep-last 2 --dry-run
expect_rc 0 "forget --keep-last 2 --dry-run"
would=$(json_eval "$OUT" '" ".join(sorted(s["id"] for s in j["remove"]))')
assert_eq "$would" "$(ids_of a1 a2 a3)" "dry run names the three oldest of hostA (hostB has only 2)"
assert_eq "$(snapshot_ids)" "$all" "dry run removed no snapshot"
assert_eq "$(repo_listing)" "$listing" "dry run changed no file in the repository"

# ---- forget --keep-last 2 --keep-tag keep ---------------------------------------------
run arkiv forget --keep-last 2 --keep-tag keep
expect_rc 0 "forget --keep-last 2 --keep-tag keep"
assert_eq "$(snapshot_ids)" "$(ids_of a2 a4 a5 b1 b2)" "removed exactly a1 and a3 (a2 kept by its tag)"

# ---- forget by id (a prefix) --------------------------------------------------------------
run arkiv forget "${ID[b1]:0:10}"
expect_rc 0 "forget by id prefix"
assert_eq "$(snapshot_ids)" "$(ids_of a2 a4 a5 b2)" "removed exactly b1"

# ---- forget --keep-last 1 --host hostA: other hosts untouched ---------------------------
run arkiv forget --keep-last 1 --host hostA --keep-tag keep
expect_rc 0 "forget --keep-last 1 --host hostA --keep-tag keep"
assert_eq "$(snapshot_ids)" "$(ids_of a2 a5 b2)" "removed a4 only; hostB untouched"

# ---- prune: dry run changes nothing, then frees the forgotten data -------------------------
listing=$(repo_listing)
run arkiv --json prune --dry-run
expect_rc 0 "prune --dry-run"
would_delete=$(json_eval "$OUT" 'j["packs_deleted"] + j["packs_repacked"]')
((would_delete > 0)) && pass "prune --dry-run has work to report ($would_delete packs)" ||
  fail "prune --dry-run reports nothing to do after forgetting 4 snapshots"
assert_eq "$(repo_listing)" "$listing" "prune --dry-run changed no file in the repository"

size_before=$(repo_data_bytes)
run arkiv --json forget --prune --safety-window 0 "${ID[b2]}"
expect_rc 0 "forget --prune"
size_after=$(repo_data_bytes)
# Five snapshots' unique.bin (1.5 MiB random each) are gone: a1 a3 a4 b1 b2.
freed=$((size_before - size_after))
((freed >= 5 * 1536 * 1024 * 9 / 10)) &&
  pass "forget --prune freed $freed bytes (5 forgotten unique files of 1.5 MiB)" ||
  fail "forget --prune freed only $freed bytes of data packs ($size_before -> $size_after)"
assert_eq "$(snapshot_ids)" "$(ids_of a2 a5)" "forget --prune removed b2"
restore_all_identical "after forget --prune"
run arkiv check --read-data
expect_rc 0 "check --read-data after prune"
assert_file_lacks "$ERR" 'warning|error' "check is clean after prune"

# ---- prune --max-unused 0 repacks partly used packs ------------------------------------------
# keep.bin and drop.bin are saved together (one pack, under 1 MiB); the next
# snapshot has keep.bin only. Forgetting the first leaves that pack half used.
rm "$src/unique.bin"
random_file "$src/keep.bin" $((100 * 1024))
random_file "$src/drop.bin" $((100 * 1024))
NO_UNIQUE=1 backup c1 hostC
rm "$src/drop.bin"
NO_UNIQUE=1 backup c2 hostC
rm "$src/keep.bin"
run arkiv forget "${ID[c1]}"
expect_rc 0 "forget c1"
run arkiv --json prune --safety-window 0
expect_rc 0 "prune with the default --max-unused"
unused=$(json_eval "$OUT" 'j["bytes_unused_after"]')
# drop.bin (100 KiB) is under 5% of the used data: the default leaves it.
((unused >= 100 * 1024)) && pass "default prune leaves the partly used pack alone ($unused bytes unused)" ||
  fail "default prune left only $unused unused bytes: the repack test below would be vacuous"
repacked=$(json_eval "$OUT" 'j["packs_repacked"]')
assert_eq "$repacked" 0 "default prune repacked nothing"
[[ $repacked == 0 ]] || sed 's/^/  | /' "$OUT" >&2 # the whole report: which pack was the most wasteful
listing=$(repo_listing)
run arkiv --json prune --max-unused 0 --dry-run
assert_eq "$(repo_listing)" "$listing" "prune --max-unused 0 --dry-run changed nothing"
run arkiv --json prune --max-unused 0 --safety-window 0
expect_rc 0 "prune --max-unused 0"
repacked=$(json_eval "$OUT" 'j["packs_repacked"]')
((repacked >= 1)) && pass "prune --max-unused 0 repacked $repacked pack(s)" || fail "prune --max-unused 0 repacked nothing"
assert_eq "$(json_eval "$OUT" 'j["bytes_unused_after"]')" 0 "no unused data left"
run arkiv --json prune --dry-run
assert_eq "$(json_eval "$OUT" 'j["blobs_unused"]')" 0 "a later prune finds no unused blob"
restore_all_identical "after repacking"
run arkiv check --read-data
expect_rc 0 "check --read-data after repacking"
assert_file_lacks "$ERR" 'warning|error' "check is clean after repacking"

finish
