#!/usr/bin/env bash
# --json output of every command is valid JSON (strict UTF-8, even for file
# names that are not), with the documented shape: JSON lines for backup, ls,
# diff, restore; one document for snapshots, check, forget, prune, key list.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

src=$WORK/src
mkdir -p "$src/dir"
text_file "$src/a.txt" 30000
random_file "$src/dir/b.bin" 300000
text_file "$src/"$'bad-\xff-name' 100
text_file "$src/ünïcödé.txt" 100
ln -s a.txt "$src/link"

# json_lines FILE: every line is a JSON object, the file strict UTF-8.
json_lines() {
  python3 - "$1" <<'EOF'
import json, sys
text = open(sys.argv[1], "rb").read().decode("utf-8")  # strict: raises on invalid UTF-8
lines = text.splitlines()
assert lines, "no output"
for line in lines:
    assert isinstance(json.loads(line), dict), line
EOF
}
# json_doc FILE: the whole output is one JSON document.
json_doc() { python3 -c 'import json,sys; json.loads(open(sys.argv[1],"rb").read().decode("utf-8"))' "$1"; }

expect_json_lines() {
  if json_lines "$OUT" 2>"$WORK/.pyerr"; then pass "$1: valid JSON lines"; else
    fail "$1: output is not valid JSON lines"; cat "$WORK/.pyerr" >&2; show_output; fi
}
expect_json_doc() {
  if json_doc "$OUT" 2>"$WORK/.pyerr"; then pass "$1: valid JSON"; else
    fail "$1: output is not one valid JSON document"; cat "$WORK/.pyerr" >&2; show_output; fi
}
# py_assert FILE EXPR MSG: EXPR is true with `j` = the document (or `lines` = the JSON lines).
py_assert() {
  if python3 - "$1" "$2" <<'EOF'
import json, sys
text = open(sys.argv[1], "rb").read().decode("utf-8")
lines = [json.loads(l) for l in text.splitlines() if l.strip()]
try:
    j = json.loads(text)
except ValueError:
    j = None
sys.exit(0 if eval(sys.argv[2]) else 1)
EOF
  then pass "$3"; else fail "$3 (false: $2)"; show_output; fi
}

run arkiv --json init --kdf-cost 10
expect_rc 0 "init --json"
expect_json_lines "init --json"
py_assert "$OUT" 'lines[-1]["message_type"] == "initialized" and len(lines[-1]["id"]) == 64' "init --json has the repository id"

# ---- backup --------------------------------------------------------------------------
run arkiv --json backup --tag t1 "$src"
expect_rc 0 "backup --json"
expect_json_lines "backup --json"
py_assert "$OUT" 'all(l["message_type"] in ("status", "summary") for l in lines)' "backup --json: only status and summary lines"
py_assert "$OUT" 'lines[-1]["message_type"] == "summary"' "backup --json: the last line is the summary"
py_assert "$OUT" 'len(lines[-1]["snapshot_id"]) == 64 and all(c in "0123456789abcdef" for c in lines[-1]["snapshot_id"])' \
  "summary has a 64-digit snapshot_id"
py_assert "$OUT" 'lines[-1]["files_new"] == 4 and lines[-1]["bytes_total"] > 330000 and lines[-1]["files_failed"] == 0' \
  "summary counts the files and bytes"
snap=$(json_last "$OUT" 'j["snapshot_id"]')

# Warnings for a path that is not UTF-8 (and does not exist) stay valid JSON.
run arkiv --json backup "$src" "$WORK/"$'missing-\xfe'
expect_rc 3 "backup --json with a missing non-UTF-8 path"
expect_json_lines "backup --json with a warning about a non-UTF-8 path"
py_assert "$OUT" 'any(l["message_type"] == "error" and "missing-" in l["path"] for l in lines)' \
  "the warning is an error line naming the path"
py_assert "$OUT" 'lines[-1]["message_type"] == "summary" and lines[-1]["files_failed"] == 1' "summary counts the failure"

# ---- snapshots -----------------------------------------------------------------------
run arkiv --json snapshots
expect_rc 0 "snapshots --json"
expect_json_doc "snapshots --json"
py_assert "$OUT" 'isinstance(j, list) and len(j) == 2' "snapshots --json is a list of the two snapshots"
py_assert "$OUT" "j[0]['id'] == '$snap' and j[0]['tags'] == ['t1'] and j[0]['paths'] == ['$src']" \
  "snapshot id, tags and paths match the backup"
py_assert "$OUT" 'all(k in j[0] for k in ("short_id", "time", "host", "user", "tree", "summary"))' "snapshot fields"
py_assert "$OUT" 'len(j[1]["paths"]) == 2' "second snapshot has both paths"

# ---- ls --------------------------------------------------------------------------------
run arkiv --json ls "$snap"
expect_rc 0 "ls --json"
expect_json_lines "ls --json (a non-UTF-8 name among them)"
py_assert "$OUT" 'len(lines) == 7' "ls --json: one line per entry (src, 4 files, dir, link)"
py_assert "$OUT" 'any(l["path"] == "/src/ünïcödé.txt" and l["type"] == "file" and l["size"] == 100 for l in lines)' \
  "ls --json: unicode name, type and size"
py_assert "$OUT" 'any(l["path"] == "/src/link" and l["type"] == "symlink" and l["target"] == "a.txt" for l in lines)' \
  "ls --json: symlink target"
py_assert "$OUT" 'any(l["path"].startswith("/src/bad-") for l in lines)' "ls --json: the non-UTF-8 name is listed"

# ---- diff ------------------------------------------------------------------------------
echo "changed" >>"$src/a.txt"
run arkiv --json backup "$src"
snap2=$(json_last "$OUT" 'j["snapshot_id"]')
run arkiv --json diff "$snap" "$snap2"
expect_rc 0 "diff --json"
expect_json_lines "diff --json"
py_assert "$OUT" 'any(l["change"] == "M" and l["path"] == "/src/a.txt" for l in lines)' "diff --json names the modified file"

# ---- restore ---------------------------------------------------------------------------
run arkiv --json restore "$snap" --target "$WORK/r" --verify
expect_rc 0 "restore --json"
expect_json_lines "restore --json"
py_assert "$OUT" "lines[-1]['message_type'] == 'summary' and lines[-1]['snapshot_id'] == '$snap'" "restore --json summary"
py_assert "$OUT" 'lines[-1]["files"] == 4 and lines[-1]["verified_files"] == 4 and lines[-1]["errors"] == 0' \
  "restore --json counts"
# b.bin is 300,000 random bytes: at least that much read, trees and data packs in a few reads.
py_assert "$OUT" '2 <= lines[-1]["reads"] <= 10 and lines[-1]["bytes_read"] >= 300000' "restore --json reads and bytes_read"

# ---- check -----------------------------------------------------------------------------
run arkiv --json check --read-data
expect_rc 0 "check --json"
expect_json_doc "check --json"
py_assert "$OUT" 'j["message_type"] == "check" and j["ok"] is True and j["problems"] == [] and j["snapshots"] == 3' \
  "check --json: ok, no problems, three snapshots"
py_assert "$OUT" 'j["blobs_read"] == j["blobs"] and j["bytes_read"] > 0' "check --json --read-data read every blob"

# ---- forget and prune ------------------------------------------------------------------------
run arkiv --json forget --keep-last 1 --dry-run
expect_rc 0 "forget --json --dry-run"
expect_json_doc "forget --json"
py_assert "$OUT" 'j["message_type"] == "forget" and j["dry_run"] is True' "forget --json shape"
# Groups are host + paths: the two-path snapshot is alone in its group and kept.
py_assert "$OUT" "'$snap2' in [s['id'] for s in j['keep']] and [s['id'] for s in j['remove']] == ['$snap']" \
  "forget --json: keeps the newest of the group, removes the older"
py_assert "$OUT" "[s['reasons'] for s in j['keep'] if s['id'] == '$snap2'] == [['last']]" "forget --json gives the reason"
run arkiv --json forget --keep-last 1 --prune
expect_rc 0 "forget --prune --json"
expect_json_lines "forget --prune --json"
py_assert "$OUT" 'lines[0]["message_type"] == "forget" and lines[-1]["message_type"] == "prune"' \
  "forget --prune --json: a forget line then a prune line"
run arkiv --json prune --dry-run
expect_rc 0 "prune --json"
expect_json_doc "prune --json"
py_assert "$OUT" 'j["message_type"] == "prune" and j["dry_run"] is True and j["packs_before"] >= 1' "prune --json shape"

# ---- keys, cat ---------------------------------------------------------------------------------
run arkiv --json key list
expect_rc 0 "key list --json"
expect_json_doc "key list --json"
py_assert "$OUT" 'len(j) == 1 and j[0]["current"] is True and len(j[0]["id"]) == 64' "key list --json shape"
run arkiv cat snapshot latest
expect_rc 0 "cat snapshot"
expect_json_doc "cat snapshot"
run arkiv cat config
expect_rc 0 "cat config"
expect_json_doc "cat config"

# ---- a snapshot of a path that is not UTF-8 ---------------------------------------------------------
odd=$WORK/$'odd-\xff-dir'
mkdir "$odd" && text_file "$odd/f" 100
run arkiv --json backup "$odd"
expect_rc 0 "backup --json of a non-UTF-8 path"
expect_json_lines "backup --json of a non-UTF-8 path"
run arkiv --json snapshots
expect_rc 0 "snapshots --json with a non-UTF-8 path"
expect_json_doc "snapshots --json with a non-UTF-8 path"
py_assert "$OUT" 'any("/odd-\ufffd-dir" in p for s in j for p in s["paths"])' "the path is shown (invalid byte replaced)"
# The exact bytes are kept: a second backup of it finds the first as its parent.
run arkiv --json backup "$odd"
py_assert "$OUT" 'lines[-1]["files_unchanged"] == 1' "backup of the non-UTF-8 path again: the file is unchanged (parent found)"

# ---- errors in --json mode ------------------------------------------------------------------------
ARKIV_PASSWORD=wrong run arkiv --json snapshots
expect_rc 12 "wrong password with --json"
expect_json_lines "error with --json"
py_assert "$OUT" 'lines[-1]["message_type"] == "error" and lines[-1]["exit_code"] == 12 and "wrong password" in lines[-1]["error"]' \
  "error object has the message and exit code"
run arkiv --json restore 0123abcd --target "$WORK/x"
expect_rc 1 "unknown snapshot with --json"
py_assert "$OUT" 'lines[-1]["message_type"] == "error" and lines[-1]["exit_code"] == 1 and lines[-1]["code"]' \
  "unknown snapshot: error object"

finish
