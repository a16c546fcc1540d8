#!/usr/bin/env python3
"""Writes N distinct tiny files for the index scale benchmark (bench/index_bench.sh).

    make_tiny_files.py DIR --files 1000000 [--seed 1] [--per-dir 1000]

Layout: DIR/g0 … DIR/g9 (ten groups of 10% of the files each), each holding
directories dNNNNNN of `per-dir` files fNNNN of 16 bytes ([seed u64][file
number u64], little-endian): every file is its own blob for restic or arkiv
(one chunk each), so N files make N data blobs, like the synthetic arkiv
repository (bench/synthetic_repo.cc). Prints the blob id restic gives file
N/2 (the SHA-256 of its content) for `restic cat blob`.
"""
import argparse
import hashlib
import os
import struct


def content(seed: int, n: int) -> bytes:
    return struct.pack("<QQ", seed, n)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir")
    ap.add_argument("--files", type=int, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--per-dir", type=int, default=1000)
    args = ap.parse_args()
    dirs = (args.files + args.per_dir - 1) // args.per_dir
    n = 0
    for d in range(dirs):
        group = d * 10 // dirs
        path = os.path.join(args.dir, f"g{group}", f"d{d:06}")
        os.makedirs(path, exist_ok=True)
        for f in range(min(args.per_dir, args.files - n)):
            with open(os.path.join(path, f"f{f:04}"), "wb") as out:
                out.write(content(args.seed, n))
            n += 1
    print(hashlib.sha256(content(args.seed, args.files // 2)).hexdigest())


if __name__ == "__main__":
    main()
