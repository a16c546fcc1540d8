#!/usr/bin/env bash
# A directory stored as pages (ARKIV_TREE_PAGE_NODES=50: 3,000 entries make
# 61 pages): backup, ls (whole and a path deep in the pages), restore
# compared byte for byte with metadata, a second backup reusing the
# unchanged files, diff, check --read-data, forget + prune keeping every
# page of the kept snapshot, and a restore after. Then a page's pack goes
# missing: check names the directory, restore names it and fails.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

export ARKIV_TREE_PAGE_NODES=50
src=$WORK/src/big
mkdir -p "$src"
python3 - "$src" <<'PY'
import os, sys
root = sys.argv[1]
for i in range(3000):
    path = os.path.join(root, f"f{i:05d}")
    if i % 500 == 7:
        os.mkdir(path)
        with open(os.path.join(path, "inner"), "w") as f:
            f.write(f"inner {i}\n")
    elif i % 700 == 9:
        os.symlink(f"target-{i}", path)
    else:
        with open(path, "w") as f:
            f.write(f"file {i}\n" * (i % 5))
PY
touch -d '2020-02-02 02:02:02' "$src"

init_repo
arkiv --json backup "$src" >"$WORK/b1.json"
first=$(json_last "$WORK/b1.json" 'j["snapshot_id"]')

run arkiv ls latest
expect_rc 0 "ls of a paged directory"
assert_eq "$(grep -c '^/big/f' "$OUT")" 3006 "ls lists every entry once (3,000 and 6 inner files)"
assert_eq "$(LC_ALL=C sort "$OUT" | diff - "$OUT" >/dev/null && echo sorted)" sorted "ls lists in name order"
run arkiv ls latest big/f02507
expect_rc 0 "ls of a path on page 51"
assert_file_contains "$OUT" 'f02507/inner' "ls of a path deep in the pages"

arkiv restore latest --target "$WORK/r1" -q
assert_same_tree "$src" "$WORK/r1/big" "restore of a paged directory"
assert_same_metadata "$src" "$WORK/r1/big" "restore of a paged directory"

# Change files on different pages, remove one, add one.
echo changed >"$src/f00101"
echo changed >"$src/f02999"
rm "$src/f01500"
echo new >"$src/f01500b"
touch -d '2020-02-02 02:02:02' "$src"
arkiv --json backup "$src" >"$WORK/b2.json"
assert_eq "$(json_last "$WORK/b2.json" '(j["files_new"], j["files_changed"])')" "(1, 2)" "second backup reads only what changed"
run arkiv diff "$first" latest
expect_rc 0 "diff of paged directories"
assert_eq "$(grep -cE '^[-+MUT] ' "$OUT")" 4 "diff lists the four changes"
assert_file_contains "$OUT" '^M +/big/f00101$' "diff: modified on page 3"
assert_file_contains "$OUT" '^- +/big/f01500$' "diff: removed"
assert_file_contains "$OUT" '^\+ +/big/f01500b$' "diff: added"

run arkiv check --read-data
expect_rc 0 "check --read-data of paged trees"

arkiv forget -q "$first"
run arkiv prune --max-unused 0 --safety-window 0
expect_rc 0 "prune"
run arkiv check --read-data
expect_rc 0 "check after prune: every page kept"
arkiv restore latest --target "$WORK/r2" -q
assert_same_tree "$src" "$WORK/r2/big" "restore after prune"

# The pack of page 10 gone (unchanged since the first backup, so not in the
# pack of the root tree): check names the directory, restore names it.
root=$(arkiv cat snapshot latest | json_eval /dev/stdin 'j["tree"]')
big=$(arkiv cat tree "$root" | json_eval /dev/stdin 'j["nodes"][0]["subtree"]')
page=$(arkiv cat tree "$big" | json_eval /dev/stdin 'j["pages"][10]')
for index in $(repo_files index); do
  arkiv cat index "${index##*/}" >"$WORK/index.json"
  pack=$(json_eval "$WORK/index.json" "next((p['id'] for p in j['packs'] if any(b['id'] == '$page' for b in p['blobs'])), '')")
  [[ -n $pack ]] && break
done
assert_true "the pack of page 10 is indexed" test -n "$pack"
rm "$ARKIV_REPOSITORY/tree/${pack:0:2}/$pack"
run arkiv check
expect_rc 1 "check with a page missing"
cat "$OUT" "$ERR" >"$WORK/check.txt"
assert_file_contains "$WORK/check.txt" 'affects snapshot [0-9a-f]+: big$' "check names the directory of the missing pages"
run arkiv restore latest --target "$WORK/r3"
expect_rc 1 "restore with a page missing"
assert_file_contains "$ERR" '/big: tree [0-9a-f]{64} page [0-9]+ of [0-9]+ \([0-9a-f]{64}\).*not found' \
  "restore names the directory, the tree, the page and the object"
finish
