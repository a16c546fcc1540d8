#!/usr/bin/env bash
# Backup -> restore round trip of a tree with every kind of file arkiv
# supports: contents, sparse files, symlinks (also dangling), hard links,
# odd names (spaces, newline, non-UTF-8, unicode), modes (setuid/setgid,
# sticky), owners, nanosecond mtimes, empty files and directories, a fifo.
# Then: restore --include of one subdirectory, --verify, restoring over an
# earlier restore.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
export TZ=UTC

src=$WORK/src/data
mkdir -p "$src"/{text,bin,empty_dir,nested/deeper/empty_too,sub/inner,modes}

# Contents: random and text, a few MB, plus one file larger than a chunk.
for i in 1 2 3 4 5; do text_file "$src/text/doc-$i.txt" $((i * 70000)); done
random_file "$src/bin/random-3m.bin" $((3 * 1024 * 1024 + 17))
random_file "$src/bin/small.bin" 1
text_file "$src/bin/big-text.txt" $((2 * 1024 * 1024))
cp "$src/bin/random-3m.bin" "$src/bin/random-copy.bin"   # deduplicated
: >"$src/empty_file"
: >"$src/sub/inner/empty_in_sub"
text_file "$src/sub/inner/notes.txt" 5000
random_file "$src/sub/blob.bin" 300000

# Sparse: 64 MiB with one byte in the middle and one at the end.
truncate -s 64M "$src/sparse.img"
printf 'x' | dd of="$src/sparse.img" bs=1 seek=$((32 * 1024 * 1024)) conv=notrunc status=none
printf 'y' | dd of="$src/sparse.img" bs=1 seek=$((64 * 1024 * 1024 - 1)) conv=notrunc status=none

# Symlinks: relative, absolute-dangling, to a directory, with an odd target.
ln -s text/doc-1.txt "$src/link-to-doc"
ln -s /nonexistent/arkiv/target "$src/dangling"
ln -s sub "$src/link-to-dir"
ln -s $'odd target\nwith newline' "$src/odd-link"

# Hard links, one across directories.
text_file "$src/hard-a" 12345
ln "$src/hard-a" "$src/sub/hard-b"
ln "$src/hard-a" "$src/hard-c"

# Odd names.
text_file "$src/with space.txt" 100
text_file "$src/"$'new\nline.txt' 200
text_file "$src/"$'\xff\xfe-not-utf8' 300
text_file "$src/ünïcödé-日本語-😀.txt" 400
text_file "$src/-starts-with-dash" 50
text_file "$src/back\\slash" 60
text_file "$src/tab"$'\t'"char" 70
text_file "$src/"'glob*?[chars]' 80
mkdir "$src/dir with "$'\xff'" byte"
text_file "$src/dir with "$'\xff'" byte/inside" 90

# Modes and owners.
text_file "$src/modes/private" 10 && chmod 0600 "$src/modes/private"
text_file "$src/modes/exec" 10 && chmod 0755 "$src/modes/exec"
text_file "$src/modes/none" 10 && chmod 0000 "$src/modes/none"
text_file "$src/modes/setuid" 10 && chmod 4755 "$src/modes/setuid"
mkdir "$src/modes/setgid-dir" && chmod 2775 "$src/modes/setgid-dir"
text_file "$src/modes/setgid-dir/f" 10
mkdir "$src/modes/sticky-dir" && chmod 1777 "$src/modes/sticky-dir"
mkdir "$src/modes/ro-dir" && text_file "$src/modes/ro-dir/f" 10 && chmod 0555 "$src/modes/ro-dir"
text_file "$src/modes/owned" 10
ln -s owned "$src/modes/owned-link"
if ((EUID == 0)); then   # only root may give files away (and restore owners)
  chown 1234:5678 "$src/modes/owned"
  chown -h 4321:8765 "$src/modes/owned-link"
fi

# FIFO.
mkfifo "$src/a-fifo"

# Nanosecond mtimes on files, symlinks, directories (children first).
touch -d '2001-02-03 04:05:06.123456789' "$src/text/doc-1.txt"
touch -d '1999-12-31 23:59:59.999999999' "$src/bin/small.bin"
touch -d '2030-01-01 00:00:00.000000001' "$src/empty_file"
touch -h -d '2005-05-05 05:05:05.555555555' "$src/link-to-doc" "$src/dangling"
touch -d '2010-10-10 10:10:10.101010101' "$src/a-fifo"
touch -d '1980-01-01 00:00:00.5' "$src/"$'\xff\xfe-not-utf8'
find "$src" -mindepth 1 -type d -print0 | xargs -0 touch -d '2012-12-12 12:12:12.121212121'
touch -d '2013-01-01 01:01:01.010101010' "$src/sub" "$src"

init_repo

run arkiv backup --tag roundtrip "$src"
expect_rc 0 "backup of the test tree"
assert_file_lacks "$ERR" 'warning|skipped' "backup printed no warnings"

# ---- full restore ------------------------------------------------------------
run arkiv restore latest --target "$WORK/restored"
expect_rc 0 "restore latest"
out=$WORK/restored/data
assert_same_tree "$src" "$out" "full restore"
assert_same_metadata "$src" "$out" "full restore"
# The listing above reads mtimes to the nanosecond; check one explicitly too.
assert_eq "$(stat -c %y "$out/text/doc-1.txt")" "$(stat -c %y "$src/text/doc-1.txt")" "nanosecond mtime of a file"
assert_eq "$(stat -c %y "$out/text/doc-1.txt")" "2001-02-03 04:05:06.123456789 +0000" "mtime is the one set"

# Sparse file: same size and content, but few blocks allocated.
size=$(stat -c %s "$out/sparse.img")
alloc=$(($(stat -c %b "$out/sparse.img") * $(stat -c %B "$out/sparse.img")))
assert_eq "$size" $((64 * 1024 * 1024)) "sparse file size"
if ((alloc < size / 100)); then
  pass "sparse file restored sparse ($alloc bytes allocated for $size)"
else
  fail "sparse file is not sparse after restore: $alloc bytes allocated for $size"
fi
cmp -s "$src/sparse.img" "$out/sparse.img" && pass "sparse file content" || fail "sparse file content differs"

# Hard links: one inode for the three names.
ino_a=$(stat -c %i "$out/hard-a")
assert_eq "$(stat -c %i "$out/sub/hard-b")" "$ino_a" "hard link across directories restored as the same inode"
assert_eq "$(stat -c %i "$out/hard-c")" "$ino_a" "hard link in the same directory restored as the same inode"
assert_eq "$(stat -c %h "$out/hard-a")" 3 "hard link count"

# Types and modes (also covered by the listing; explicit for clear messages).
[[ -p $out/a-fifo ]] && pass "fifo restored as a fifo" || fail "fifo not restored as a fifo"
[[ -L $out/dangling && ! -e $out/dangling ]] && pass "dangling symlink restored dangling" || fail "dangling symlink"
assert_eq "$(readlink "$out/dangling")" /nonexistent/arkiv/target "dangling symlink target"
assert_eq "$(readlink "$out/odd-link")" $'odd target\nwith newline' "symlink target with a newline"
assert_eq "$(stat -c %a "$out/modes/setgid-dir")" 2775 "setgid directory mode"
assert_eq "$(stat -c %a "$out/modes/sticky-dir")" 1777 "sticky directory mode"
assert_eq "$(stat -c %a "$out/modes/setuid")" 4755 "setuid file mode"
assert_eq "$(stat -c %a "$out/modes/none")" 0 "mode 0000"
if ((EUID == 0)); then
  assert_eq "$(stat -c %u:%g "$out/modes/owned")" 1234:5678 "file owner restored (as root)"
  assert_eq "$(stat -c %u:%g "$out/modes/owned-link")" 4321:8765 "symlink owner restored (as root)"
else
  echo "SKIP - owners (not root)"
fi
[[ -f $out/$'\xff\xfe-not-utf8' ]] && pass "non-UTF-8 name restored byte for byte" || fail "non-UTF-8 name missing"
[[ -f $out/$'new\nline.txt' ]] && pass "name with a newline restored" || fail "name with a newline missing"
[[ -d $out/empty_dir && -z $(ls -A "$out/empty_dir") ]] && pass "empty directory" || fail "empty directory"

# ls lists the odd names too (one line per entry, the newline one splits).
run arkiv ls latest
expect_rc 0 "ls latest"
assert_file_contains "$OUT" '^/data/ünïcödé-日本語-😀\.txt$' "ls shows the unicode name"
assert_file_contains "$OUT" '^/data/sub/inner/notes\.txt$' "ls shows nested files"

# ---- restore --include ---------------------------------------------------------
run arkiv restore latest --target "$WORK/partial" --include /data/sub
expect_rc 0 "restore --include /data/sub"
got=$(cd "$WORK/partial" && find . -mindepth 1 | LC_ALL=C sort | tr '\n' ' ')
want=$(cd "$WORK/src" && find data/sub | sed 's|^|./|' | { echo ./data; cat; } | LC_ALL=C sort | tr '\n' ' ')
assert_eq "$got" "$want" "--include restores only the subdirectory (and its parent)"
assert_same_tree "$src/sub" "$WORK/partial/data/sub" "--include subdirectory"
assert_same_metadata "$src/sub" "$WORK/partial/data/sub" "--include subdirectory" nolinks

run arkiv restore latest --target "$WORK/partial2" --include /data/text/doc-3.txt --include 'data/modes/setgid-dir/'
expect_rc 0 "restore with two --include (a file and a directory)"
got=$(cd "$WORK/partial2" && find . -mindepth 1 ! -type d | LC_ALL=C sort | tr '\n' ' ')
assert_eq "$got" "./data/modes/setgid-dir/f ./data/text/doc-3.txt " "two --include select exactly those"
cmp -s "$src/text/doc-3.txt" "$WORK/partial2/data/text/doc-3.txt" && pass "--include file content" ||
  fail "--include file content differs"

# ---- --verify ------------------------------------------------------------------
nfiles=$(find "$src" -type f -printf x | wc -c)   # a name holds a newline
run arkiv --json restore latest --target "$WORK/verified" --verify
expect_rc 0 "restore --verify"
verified=$(json_last "$OUT" 'j["verified_files"]')
files=$(json_last "$OUT" 'j["files"]')
# Hard links are written once (the other names are links to it).
assert_eq "$files" $((nfiles - 2)) "restore --json counts the written files"
assert_eq "$verified" "$files" "--verify read back every restored file"
assert_same_tree "$src" "$WORK/verified/data" "restore --verify"

# ---- restore over an earlier restore -------------------------------------------
echo "local change" >"$out/text/doc-2.txt"
rm "$out/link-to-doc"
echo "not a link" >"$out/link-to-doc"
run arkiv restore latest --target "$WORK/restored"
expect_rc 0 "restore again over the earlier restore"
assert_same_tree "$src" "$out" "restore over an earlier restore"
assert_same_metadata "$src" "$out" "restore over an earlier restore"

# ---- a path whose own name is not UTF-8 ------------------------------------------
odd=$WORK/src/$'top\xffname'
mkdir "$odd" && text_file "$odd/f" 1000
run arkiv backup "$odd"
expect_rc 0 "backup of a directory whose own name is not UTF-8"
expect_no_crash "backup of a non-UTF-8 path"
run arkiv restore latest --target "$WORK/oddrestore"
expect_rc 0 "restore of that snapshot"
cmp -s "$odd/f" "$WORK/oddrestore/"$'top\xffname'/f && pass "non-UTF-8 top-level name restored" ||
  fail "non-UTF-8 top-level name not restored byte for byte"
run arkiv snapshots
expect_rc 0 "snapshots lists a snapshot of a non-UTF-8 path"

finish
