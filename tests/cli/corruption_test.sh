#!/usr/bin/env bash
# Damage to the repository is found and contained: one flipped byte in a data
# pack is reported by `check --read-data` with the pack and the files it
# affects; everything else still restores byte-identical; the affected file
# fails to restore, by name. Damaged snapshots, index files, truncated and
# missing packs are reported by `check`.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

src=$WORK/src
mkdir -p "$src/small" "$src/other"
for f in a b c; do random_file "$src/$f.bin" $((3 * 1024 * 1024 + RANDOM)); done
text_file "$src/d.txt" $((1024 * 1024))
for i in $(seq 1 10); do text_file "$src/small/s$i.txt" 3000; done
text_file "$src/other/o.txt" 4000

init_repo --pack-size 1 --chunk-size 256
run arkiv backup -q "$src"
expect_rc 0 "backup into 1 MiB packs"
run arkiv backup -q "$src/other"
expect_rc 0 "second snapshot (of another path)"
npacks=$(repo_files data | wc -l)
((npacks >= 8)) && pass "data spread over $npacks packs" || fail "expected at least 8 data packs, got $npacks"
main_snap=$(arkiv snapshots --json | python3 -c 'import json,sys; print([s["id"] for s in json.load(sys.stdin) if s["paths"] == [sys.argv[1]]][0])' "$src")
other_snap=$(arkiv snapshots --json | python3 -c 'import json,sys; print([s["id"] for s in json.load(sys.stdin) if s["paths"] != [sys.argv[1]]][0])' "$src")

run arkiv check --read-data
expect_rc 0 "check --read-data of the intact repository"
cp -a "$WORK/repo" "$WORK/pristine"

# Flips the byte at OFFSET of FILE.
flip_byte() {
  python3 - "$1" "$2" <<'EOF'
import sys
path, off = sys.argv[1], int(sys.argv[2])
with open(path, "r+b") as f:
    f.seek(off); b = f.read(1); f.seek(off); f.write(bytes([b[0] ^ 0x5A]))
EOF
}

# ---- one flipped byte inside one data blob ----------------------------------------
# Pick the largest data blob from the index and flip a byte in its middle.
for idx in $(repo_files index); do arkiv cat index "$idx"; done >"$WORK/indexes.json"
read -r pack off len < <(python3 - "$WORK/indexes.json" <<'EOF'
import json, sys
text = open(sys.argv[1]).read()
dec, pos, best = json.JSONDecoder(), 0, None
while pos < len(text):
    while pos < len(text) and text[pos].isspace(): pos += 1
    if pos >= len(text): break
    doc, pos = dec.raw_decode(text, pos)
    for p in doc["packs"]:
        for b in p["blobs"]:
            if b["type"] == "data" and (best is None or b["length"] > best[2]):
                best = (p["id"], b["offset"], b["length"])
print(*best)
EOF
)
pack_file="data/${pack:0:2}/$pack"
[[ -f $WORK/repo/$pack_file ]] && pass "blob's pack located: $pack_file" || fail "pack $pack_file not found"
flip_byte "$WORK/repo/$pack_file" $((off + len / 2))

run arkiv check
expect_rc 0 "check without --read-data does not read pack contents"

run arkiv check --read-data
expect_rc 1 "check --read-data finds the flipped byte"
assert_file_contains "$ERR" "$pack" "check names the damaged pack"
assert_file_contains "$ERR" "affects snapshot ${main_snap:0:8}: src/" "check names an affected file"
expect_no_crash "check --read-data of a damaged pack"

# Spread over four days: exactly the slice holding the damaged pack finds it,
# and the four slices together read every pack once.
found=0
: >"$WORK/slice_packs"
for n in 1 2 3 4; do
  run arkiv --json check --read-data-subset "$n/4"
  case $RC in
    0) ;;
    1) found=$((found + 1)); assert_file_contains "$OUT" "$pack" "slice $n/4 names the damaged pack" ;;
    *) fail "check --read-data-subset $n/4 exited $RC" ;;
  esac
  python3 - "$OUT" "$WORK/slice_packs" "$n/4" <<'EOF'
import json, sys
report = json.loads(open(sys.argv[1]).read().splitlines()[-1])
assert report["read_data_subset"] == sys.argv[3], report["read_data_subset"]
with open(sys.argv[2], "a") as f:
    f.write(f"{report['packs_read']} {report['packs']}\n")
EOF
done
((found == 1)) && pass "one slice of four found the flipped byte" || fail "$found slices of four found the flipped byte"
python3 - "$WORK/slice_packs" <<'EOF' && pass "the four slices read every pack once" || fail "slices do not add up to every pack"
import sys
rows = [tuple(map(int, l.split())) for l in open(sys.argv[1])]
assert len(rows) == 4 and sum(r[0] for r in rows) == rows[0][1], rows
EOF
run arkiv check --read-data-subset 5/4
expect_rc 1 "check --read-data-subset 5/4 is refused"
assert_file_contains "$ERR" "expected n/m" "the refusal says the accepted forms"
run arkiv check --read-data --read-data-subset 1/2
expect_rc 2 "--read-data with --read-data-subset is a usage error"

run arkiv --json check --read-data
expect_rc 1 "check --read-data --json"
python3 - "$OUT" "$WORK/affected" <<'EOF'
import json, sys
report = json.loads(open(sys.argv[1]).read().splitlines()[-1])
assert report["ok"] is False
paths = set()
for p in report["problems"]:
    if p["kind"] == "damaged blob":
        for a in p["affected"]:
            paths.add(a.split(": ", 1)[1])
open(sys.argv[2], "w").write("".join(f"{p}\n" for p in sorted(paths)))
EOF
mapfile -t affected <"$WORK/affected"
if ((${#affected[@]} >= 1)); then pass "affected files: ${affected[*]}"; else fail "check --json lists no affected file"; fi
for a in "${affected[@]}"; do
  [[ -f $WORK/$a ]] && pass "affected path $a is a backed-up file" || fail "affected path $a is not a file of the source"
done

# Restore everything not affected, by --include, byte-identical.
includes=()
unaffected=()
while IFS= read -r f; do
  rel=src/${f#"$src/"}
  if ! printf '%s\n' "${affected[@]}" | grep -qxF "$rel"; then
    includes+=(--include "/$rel")
    unaffected+=("$rel")
  fi
done < <(find "$src" -type f | LC_ALL=C sort)
run arkiv restore "$main_snap" --target "$WORK/good" "${includes[@]}"
expect_rc 0 "restore of the ${#unaffected[@]} unaffected files"
bad=0
for rel in "${unaffected[@]}"; do cmp -s "$WORK/$rel" "$WORK/good/$rel" || { bad=1; fail "unaffected $rel differs"; }; done
((bad == 0)) && pass "all unaffected files byte-identical"
for a in "${affected[@]}"; do
  [[ -e $WORK/good/$a ]] && fail "affected $a restored although not included" || true
done

# Restoring the affected file fails, naming it.
for a in "${affected[@]}"; do
  run arkiv restore "$main_snap" --target "$WORK/bad" --include "/$a"
  expect_rc 1 "restore of the damaged file $a"
  assert_file_contains "$ERR" "$(basename "$a")" "restore error names $a"
  expect_no_crash "restore of a damaged file"
done

# A full restore restores everything else and fails only the damaged file.
run arkiv restore "$main_snap" --target "$WORK/full"
expect_rc 1 "full restore with one damaged blob"
bad=0
for rel in "${unaffected[@]}"; do cmp -s "$WORK/$rel" "$WORK/full/$rel" || { bad=1; fail "full restore: $rel differs"; }; done
((bad == 0)) && pass "full restore: all unaffected files byte-identical"

# The other snapshot does not use the pack: it restores cleanly.
run arkiv restore "$other_snap" --target "$WORK/other"
expect_rc 0 "restore of a snapshot not using the damaged pack"
assert_same_tree "$src/other" "$WORK/other/other" "snapshot not using the damaged pack"

# ---- damaged snapshot file ------------------------------------------------------------
rm -rf "$WORK/repo" && cp -a "$WORK/pristine" "$WORK/repo"
flip_byte "$WORK/repo/snapshots/$other_snap" 10
run arkiv check
expect_rc 1 "check finds a damaged snapshot file"
assert_file_contains "$ERR" "snapshots/$other_snap" "check names the damaged snapshot file"
run arkiv restore "${main_snap:0:12}" --target "$WORK/snapok"
expect_rc 0 "an intact snapshot still restores next to a damaged one"
assert_same_tree "$src" "$WORK/snapok/src" "intact snapshot next to a damaged one"
run arkiv snapshots
# Listing stops at the damaged file (reported, not skipped): a clear error is required.
if [[ $RC -eq 0 ]]; then
  pass "snapshots still lists with a damaged snapshot file"
else
  expect_rc 1 "snapshots with a damaged snapshot file"
  expect_err_line "snapshots/$other_snap" "snapshots names the damaged snapshot file"
fi

# ---- damaged index file ----------------------------------------------------------------
rm -rf "$WORK/repo" && cp -a "$WORK/pristine" "$WORK/repo"
idx=$(repo_files index | head -n 1)
flip_byte "$WORK/repo/index/$idx" 40
run arkiv check
expect_rc 1 "check finds a damaged index file"
assert_file_contains "$ERR" "index/$idx" "check names the damaged index file"
expect_no_crash "check with a damaged index"
run arkiv --json check
python3 -c '
import json, sys
r = json.loads(open(sys.argv[1]).read().splitlines()[-1])
kinds = {p["kind"] for p in r["problems"]}
assert "damaged index" in kinds, kinds
' "$OUT" && pass "check --json reports kind 'damaged index'" || fail "check --json lacks 'damaged index'"

# ---- truncated and missing packs (found without --read-data) -----------------------------
rm -rf "$WORK/repo" && cp -a "$WORK/pristine" "$WORK/repo"
victim=$(repo_files data | head -n 1)
truncate -s -1 "$WORK/repo/data/$victim"
run arkiv check
expect_rc 1 "check finds a truncated pack"
assert_file_contains "$ERR" "$(basename "$victim").*bytes, the index says" "check names the truncated pack"

rm -rf "$WORK/repo" && cp -a "$WORK/pristine" "$WORK/repo"
rm "$WORK/repo/data/$victim"
run arkiv check
expect_rc 1 "check finds a missing pack"
assert_file_contains "$ERR" "$(basename "$victim").*missing" "check names the missing pack"
assert_file_contains "$ERR" "affects snapshot" "check names what the missing pack affects"

finish
