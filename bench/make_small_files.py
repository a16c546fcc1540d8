#!/usr/bin/env python3
"""Deterministic tree of many small files for bench/small_files_bench.sh.

  make_small_files.py --files N [--seed S] DIR

N files in directories of 1,000 files (the last one fewer), the directories
grouped 32 to a parent (DIR/p000/d00000/f000000.txt): 1M files make 1,000
directories under 32 parents. Sizes are log-normal around 3 KB (median
3,000 B, sigma 0.7, cut to 1 B..256 KiB): ~3.8 KB on average, ~3.6 GB for 1M
files. Contents: 70% text (words of a fixed vocabulary and numbers: source
and config files, compress ~3x), 25% random bytes (already compressed),
5% exact copies of an earlier file (deduplication finds them). Every file
and directory gets a fixed mtime, so the same N and seed always give the same
tree, byte for byte and stat for stat; DIR.complete (beside the tree, not
in it) records N and the seed, and a complete tree is reused as it is.
"""
import argparse
import json
import math
import os
import random
import sys

FILES_PER_DIR = 1000
DIRS_PER_PARENT = 32
MTIME = 1_700_000_000
VERSION = 1


def text_bytes(rng, vocab, size):
    parts, n = [], 0
    while n < size:
        line = " ".join(rng.choice(vocab) for _ in range(rng.randint(3, 12)))
        if rng.random() < 0.3:
            line += " = %d;" % rng.randint(0, 1 << 20)
        line += "\n"
        parts.append(line)
        n += len(line)
    return "".join(parts).encode()[:size]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--files", type=int, required=True)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("dir")
    args = ap.parse_args()
    marker = args.dir.rstrip("/") + ".complete"
    want = {"files": args.files, "seed": args.seed, "version": VERSION}
    try:
        with open(marker) as f:
            if json.load(f) == want:
                return 0
    except (OSError, ValueError):
        pass
    if os.path.exists(args.dir):
        sys.exit(f"{args.dir} exists but is not a complete tree of these parameters; remove it first")
    rng = random.Random(args.seed)
    vocab = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz_") for _ in range(rng.randint(2, 10))) for _ in range(4000)]
    recent = []  # a window of earlier files to copy from
    total = 0
    dirs = []
    for i in range(args.files):
        d, f = divmod(i, FILES_PER_DIR)
        path = os.path.join(args.dir, "p%03d" % (d // DIRS_PER_PARENT), "d%05d" % d)
        if f == 0:
            os.makedirs(path)
            dirs.append(path)
        size = int(min(max(rng.lognormvariate(math.log(3000), 0.7), 1), 256 * 1024))
        kind = rng.random()
        if kind < 0.05 and recent:
            data = rng.choice(recent)
        elif kind < 0.30:
            data = rng.randbytes(size)
        else:
            data = text_bytes(rng, vocab, size)
        if len(recent) < 512:
            recent.append(data)
        else:
            recent[rng.randrange(512)] = data
        name = os.path.join(path, "f%06d.%s" % (i, "bin" if kind < 0.30 and kind >= 0.05 else "txt"))
        with open(name, "wb") as out:
            out.write(data)
        os.utime(name, (MTIME, MTIME))
        total += len(data)
    for path in dirs:
        os.utime(path, (MTIME, MTIME))
    for parent in sorted({os.path.dirname(p) for p in dirs}):
        os.utime(parent, (MTIME, MTIME))
    with open(marker, "w") as f:
        json.dump(want, f)
    print(f"{args.files} files, {len(dirs)} directories, {total} bytes in {args.dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
