#!/usr/bin/env python3
"""Compare a restored tree with its source.

  verify_tree.py SOURCE RESTORED

Checks that both trees hold the same paths with the same types, and that
every regular file has the same content (byte-for-byte) and the same symlink
targets. Also compares, as a separate "metadata" verdict, permission bits and
mtimes (nanoseconds) of files and directories, including the top directory.

Prints a JSON summary on stdout. Exit status: 0 if the content matches
(metadata mismatches are reported but do not fail), 1 otherwise.
Only the standard library is used.
"""

import json
import os
import stat
import sys

BLOCK = 1 << 20
SHOW = 10  # examples listed per kind of mismatch


def scan(top):
    """{relative path: lstat result} for everything under top, top included."""
    out = {".": os.lstat(top)}
    for dirpath, dirnames, filenames in os.walk(top):
        for name in dirnames + filenames:
            full = os.path.join(dirpath, name)
            out[os.path.relpath(full, top)] = os.lstat(full)
    return out


def kind(st):
    m = st.st_mode
    if stat.S_ISREG(m):
        return "file"
    if stat.S_ISDIR(m):
        return "dir"
    if stat.S_ISLNK(m):
        return "symlink"
    return "other"


def same_content(a, b):
    with open(a, "rb") as fa, open(b, "rb") as fb:
        while True:
            x, y = fa.read(BLOCK), fb.read(BLOCK)
            if x != y:
                return False
            if not x:
                return True


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    src, dst = sys.argv[1], sys.argv[2]
    if not os.path.isdir(dst):
        json.dump({"content_ok": False, "metadata_ok": False,
                   "error": f"restored tree {dst} does not exist"}, sys.stdout)
        print()
        sys.exit(1)
    a, b = scan(src), scan(dst)
    missing = sorted(set(a) - set(b))
    extra = sorted(set(b) - set(a))
    wrong_type, wrong_content, wrong_mode, wrong_mtime = [], [], [], []
    files = dirs = nbytes = 0
    for rel in sorted(set(a) & set(b)):
        sa, sb = a[rel], b[rel]
        k = kind(sa)
        if k != kind(sb):
            wrong_type.append(rel)
            continue
        if k == "file":
            files += 1
            nbytes += sa.st_size
            if sa.st_size != sb.st_size or not same_content(
                    os.path.join(src, rel), os.path.join(dst, rel)):
                wrong_content.append(rel)
        elif k == "dir":
            dirs += 1
        elif k == "symlink":
            if os.readlink(os.path.join(src, rel)) != os.readlink(os.path.join(dst, rel)):
                wrong_content.append(rel)
            continue  # symlink modes and mtimes are not meaningful here
        if stat.S_IMODE(sa.st_mode) != stat.S_IMODE(sb.st_mode):
            wrong_mode.append(rel)
        if sa.st_mtime_ns != sb.st_mtime_ns:
            wrong_mtime.append(rel)

    content_ok = not (missing or extra or wrong_type or wrong_content)
    summary = {
        "content_ok": content_ok,
        "metadata_ok": not (wrong_mode or wrong_mtime),
        "files": files,
        "dirs": dirs,
        "bytes": nbytes,
        "missing": len(missing), "missing_examples": missing[:SHOW],
        "extra": len(extra), "extra_examples": extra[:SHOW],
        "type_mismatch": len(wrong_type), "type_examples": wrong_type[:SHOW],
        "content_mismatch": len(wrong_content), "content_examples": wrong_content[:SHOW],
        "mode_mismatch": len(wrong_mode), "mode_examples": wrong_mode[:SHOW],
        "mtime_mismatch": len(wrong_mtime), "mtime_examples": wrong_mtime[:SHOW],
    }
    json.dump(summary, sys.stdout)
    print()
    sys.exit(0 if content_ok else 1)


if __name__ == "__main__":
    main()
