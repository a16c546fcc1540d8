#!/usr/bin/env bash
# The `requests` of the --json summaries (docs/json.md) are the requests that
# were made: on a folder repository every object a backup adds is one PUT of
# its size (N packs: N PUTs, plus index, snapshot and the lock), a check
# --read-data GETs every pack, a prune DELETEs what it removed; per cloud on
# a multi-cloud repository; one "requests:" line without --json.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

src=$WORK/src
mkdir -p "$src/d"
for i in 1 2 3 4 5; do random_file "$src/d/r$i.bin" 700000; done
text_file "$src/a.txt" 20000

# listing DIR NAME: "path size" of every object under DIR, into $WORK/NAME.
listing() { (cd "$1" && find . -type f ! -name '.arkiv-*' -printf '%P %s\n' | LC_ALL=C sort) >"$WORK/$2"; }

# counts_ok WHAT BEFORE AFTER EXPR: EXPR holds, with `q` the summary's
# requests, `s` its stores, `j` the summary, `added`/`removed` the objects
# (path -> size) that appeared or changed / went between the two listings,
# and `packs(d)` the objects of d under data/ or tree/.
counts_ok() {
  if python3 - "$OUT" "$WORK/$2" "$WORK/$3" "$4" <<'EOF'
import json, sys
out, before_path, after_path, expr = sys.argv[1:]
def load(p):
    return {l.rsplit(" ", 1)[0]: int(l.rsplit(" ", 1)[1]) for l in open(p) if l.strip()}
before, after = load(before_path), load(after_path)
added = {k: v for k, v in after.items() if before.get(k) != v}
removed = {k: v for k, v in before.items() if k not in after}
lines = [json.loads(l) for l in open(out) if l.strip()]
j = [l for l in lines if "requests" in l][-1]
q = j["requests"]
s = q["stores"]
def packs(d):
    return {k: v for k, v in d.items() if k.startswith(("data/", "tree/"))}
ok = eval(expr)
if not ok:
    print("requests:", json.dumps(q), file=sys.stderr)
    print("added:", added, "removed:", removed, file=sys.stderr)
sys.exit(0 if ok else 1)
EOF
  then pass "$1"; else fail "$1 (false: $4)"; show_output; fi
}

R=$ARKIV_REPOSITORY
run init_repo --pack-size 1
expect_rc 0 "init --pack-size 1"

# ---- backup: one PUT per object it adds, of that object's size, and the lock --
listing "$R" b0
run arkiv --json backup "$src"
expect_rc 0 "backup --json"
listing "$R" b1
counts_ok "backup writes at least 3 data packs (1 MiB packs, 3.5 MB of random data)" b0 b1 \
  'len([k for k in added if k.startswith("data/")]) >= 3'
counts_ok "backup: PUTs = objects added (packs, index, snapshot) + the lock" b0 b1 \
  'q["put"] == len(added) + 1 and q["put"] == s["repository"]["put"]'
counts_ok "backup: bytes up = the added objects' bytes + one small lock" b0 b1 \
  '0 < q["bytes_up"] - sum(added.values()) < 4096'
counts_ok "backup: nothing deleted before the summary; totals add up" b0 b1 \
  'q["delete"] == 0 and not removed and q["total"] == q["put"] + q["get"] + q["list"] + q["stat"] + q["delete"]'
counts_ok "backup: it read the config and the key" b0 b1 \
  'q["get"] >= 2 and q["bytes_down"] >= after["config"] + sum(v for k, v in after.items() if k.startswith("keys/"))'
counts_ok "backup: no errors on a folder, one store" b0 b1 'q["errors"] == 0 and list(s) == ["repository"]'

# ---- no-change backup: no pack, a snapshot --------------------------------------
run arkiv --json backup "$src"
expect_rc 0 "no-change backup --json"
listing "$R" b2
counts_ok "no-change backup: no pack PUT, only what it added (snapshot) and the lock" b1 b2 \
  'not packs(added) and any(k.startswith("snapshots/") for k in added) and q["put"] == len(added) + 1'

# ---- restore: GETs at least the restore's own reads, one PUT (the lock) ---------
run arkiv --json restore latest --target "$WORK/restored"
expect_rc 0 "restore --json"
listing "$R" b3
counts_ok "restore: requests hold its reads; the only PUT is the lock" b2 b3 \
  'q["get"] >= j["reads"] > 0 and q["bytes_down"] >= j["bytes_read"] > 3000000 and q["put"] == 1 and not added'
assert_same_tree "$src" "$WORK/restored/src" "restore"

# ---- check --read-data: every pack read ----------------------------------------
run arkiv --json check --read-data
expect_rc 0 "check --read-data --json"
listing "$R" b4
counts_ok "check --read-data: GETs and bytes cover every pack" b3 b4 \
  'q["get"] >= len(packs(after)) and q["bytes_down"] >= sum(packs(after).values())'
counts_ok "check: PUTs = what it added (its status record) + the lock; DELETEs = what it removed" b3 b4 \
  'q["put"] == len(added) + 1 and q["delete"] == len(removed)'

# ---- prune: DELETEs = objects removed --------------------------------------------
rm "$src/d/r5.bin"
run arkiv --json backup "$src"
expect_rc 0 "backup without r5.bin"
run arkiv --json forget --keep-last 1
expect_rc 0 "forget --keep-last 1"
listing "$R" b5
run arkiv --json prune --safety-window 0
expect_rc 0 "prune --safety-window 0 --json"
listing "$R" b6
counts_ok "prune removed packs" b5 b6 'len(packs(removed)) >= 1'
# Markers and an intermediate index file are written and removed within the
# run: the report counts them, the listings do not see them.
# (index_files_written counts the rewritten index, not the index file of the
# repacked packs, which the pack writer adds: hence at least.)
counts_ok "prune: PUTs = at least the packs, index files and markers it wrote + the lock" b5 b6 \
  'q["put"] >= j["packs_written"] + j["index_files_written"] + j["markers_written"] + 1 and q["put"] > len(added)'
counts_ok "prune: DELETEs = packs swept + index files and markers removed" b5 b6 \
  'q["delete"] == j["packs_swept"] + j["index_files_removed"] + j["markers_swept"] and q["delete"] >= len(removed)'
counts_ok "prune: what was put and not kept is what was deleted and not there before" b5 b6 \
  'q["put"] - 1 - len(added) == q["delete"] - len(removed)'

# ---- without --json: one line ----------------------------------------------------
run arkiv backup "$src"
expect_rc 0 "backup (text)"
assert_file_contains "$OUT" '^requests: [0-9]+ PUT, [0-9]+ GET, [0-9]+ LIST, [0-9]+ STAT, [0-9]+ DELETE \(.* up, .* down\)$' \
  "backup prints the requests line"

# ---- multi-cloud (folders): per cloud -------------------------------------------
A=$WORK/cloud-a B=$WORK/cloud-b
export ARKIV_REPOSITORY=$A
run "$ARKIV" init --kdf-cost 10 -q --pack-size 1 --cloud "a=$A" --cloud "b=$B" --policy replicate
expect_rc 0 "init replicate over two folders"
listing "$A" a0
listing "$B" c0
run arkiv --json backup "$src"
expect_rc 0 "replicate backup --json"
listing "$A" a1
listing "$B" c1
counts_ok "replicate: requests per cloud, the opening store's under its cloud's name" a0 a1 \
  'sorted(s) == ["a", "b"] and q["put"] == s["a"]["put"] + s["b"]["put"]'
counts_ok "replicate: cloud a PUT each object it holds now, and the lock" a0 a1 \
  's["a"]["put"] == len(added) + 1 and 0 < s["a"]["bytes_up"] - sum(added.values()) < 4096'
counts_ok "replicate: cloud b PUT each object it holds now, and the lock" c0 c1 \
  's["b"]["put"] == len(added) + 1 and 0 < s["b"]["bytes_up"] - sum(added.values()) < 4096'

finish
