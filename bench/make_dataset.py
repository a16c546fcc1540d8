#!/usr/bin/env python3
"""Build the deterministic benchmark dataset used by bench/run.sh.

The dataset mimics what a backup tool typically sees on a developer machine:

  * many small "source-like" text files (200 B - 40 KB, log-normal sizes,
    median ~4 KB) spread over a nested tree of a few hundred directories;
  * a handful of large binary-ish files (default 12 x 128 MiB = 1.5 GiB) made
    of segments of four kinds:
      - random bytes (incompressible),
      - code-like text (compressible),
      - exact copies of an earlier segment, of the same file or of an
        earlier file (deduplicable),
      - near-copies of an earlier segment with a few bytes inserted or
        deleted in the middle (tests that content-defined chunking
        re-synchronises after a shift).

Everything is derived from one random.Random(seed), so the same seed and scale
always give byte-identical trees, including file mtimes (fixed epoch).

Usage:
  make_dataset.py [--scale S] [--seed N] DIR   ensure DIR holds the pristine
                                               dataset (generate it, or undo a
                                               previous --mutate)
  make_dataset.py --mutate DIR                 apply the deterministic "small
                                               change" (1% of the small files
                                               edited, bytes inserted in the
                                               middle of one large file)
  make_dataset.py --revert DIR                 undo --mutate
  make_dataset.py --describe DIR               print the manifest (JSON)

Book-keeping lives next to the tree, in DIR.meta/ (manifest.json and the
original copies of the files that --mutate edits), so that it is never part
of what gets backed up.

Only the standard library is used.
"""

import argparse
import json
import math
import os
import random
import shutil
import sys
import time

# Bump when the generator changes in a way that changes the output, so that
# an old dataset on disk is regenerated rather than silently reused.
GENERATOR_VERSION = 1

# All files and directories get this mtime (2024-01-01T00:00:00Z); files
# edited by --mutate get one day more. Fixed mtimes keep the tree identical
# from one generation to the next, metadata included.
BASE_MTIME_NS = 1_704_067_200 * 1_000_000_000
MUTATED_MTIME_NS = BASE_MTIME_NS + 86_400 * 1_000_000_000

# Full-scale (--scale 1) shape.
FULL_SMALL_FILES = 50_000
FULL_DIRS = 400
FULL_LARGE_FILES = 12
FULL_LARGE_FILE_BYTES = 128 << 20

SMALL_MIN, SMALL_MAX, SMALL_MEDIAN = 200, 40_000, 4_000

# Large-file segments. Their sizes are NOT scaled: they must stay well above
# the chunkers' average chunk size (~1 MiB for restic) for duplicate regions
# to be detectable at all, so a smaller scale means fewer segments, not
# smaller ones.
SEG_MIN, SEG_MAX = 512 << 10, 6 << 20
SEG_WEIGHTS = [("random", 35), ("text", 40), ("dup", 15), ("neardup", 10)]
RESERVOIR = 24  # earlier segments kept in memory as sources for duplicates

# --mutate parameters.
MUTATE_FRACTION = 0.01
INSERT_BYTES = 4099  # odd on purpose: shifts everything after it


# --------------------------------------------------------------------------
# Text generation
# --------------------------------------------------------------------------

_PARTS = (
    "get set add del put buf len cnt idx ptr ref val key map list node tree "
    "file path dir name size data byte read write open close init free load "
    "save sync lock wait pack blob chunk hash seal meta item info conf opts "
    "ctx req resp err status result handle parse format encode decode push "
    "pop peek scan find sort merge split join copy move send recv queue pool "
    "task job worker thread time date user group mode perm index cache store "
    "repo snap tag host base next prev head tail first last min max sum avg"
).split()
_WORDS = (
    "the a of to in and is for that this it with as be on not are by from "
    "when if we must should can will returns value error buffer caller note "
    "invariant assumes thread safe lock held before after each every only "
    "TODO FIXME see below above because otherwise fallback fast path slow"
).split()
_TYPES = "int long size_t bool auto char u8 u32 u64 i64 str bytes float".split()
_EXTS = [".cc", ".h", ".py", ".rs", ".go", ".js", ".ts", ".java", ".md", ".txt"]


def make_identifiers(rng, n):
    """n distinct identifiers in snake_case or camelCase, in a fixed order."""
    seen = set()
    out = []
    while len(out) < n:
        k = rng.randint(1, 3)
        parts = [rng.choice(_PARTS) for _ in range(k)]
        if rng.random() < 0.5:
            ident = "_".join(parts)
        else:
            ident = parts[0] + "".join(p.capitalize() for p in parts[1:])
        if rng.random() < 0.1:
            ident += str(rng.randint(0, 99))
        if ident not in seen:
            seen.add(ident)
            out.append(ident)
    return out


def make_line_pool(rng, idents, n):
    """n lines of code-like text (ending with a newline), as bytes."""
    c = rng.choice
    templates = [
        lambda: f"{c(_TYPES)} {c(idents)} = {c(idents)}({c(idents)}, {rng.randint(0, 4096)});",
        lambda: f"if ({c(idents)} != {c(idents)}) {{",
        lambda: f"return {c(idents)}.{c(idents)}({c(idents)});",
        lambda: f"for (auto& {c(idents)} : {c(idents)}) {{",
        lambda: f"{c(idents)}->{c(idents)} = {c(idents)};",
        lambda: "}",
        lambda: "",
        lambda: "// " + " ".join(rng.choices(_WORDS, k=rng.randint(3, 12))),
        lambda: f"# {c(idents)}: " + " ".join(rng.choices(_WORDS, k=rng.randint(2, 9))),
        lambda: f"def {c(idents)}(self, {c(idents)}, {c(idents)}={rng.randint(0, 9)}):",
        lambda: f"fn {c(idents)}({c(idents)}: &{c(_TYPES)}) -> Result<{c(_TYPES)}> {{",
        lambda: f'log("{c(idents)}: %d", {c(idents)});',
        lambda: f'{c(idents)} = "{c(idents)}-{rng.randint(0, 1 << 20):x}"',
        lambda: f"#include \"{c(idents)}/{c(idents)}.h\"",
        lambda: f"    {c(idents)}, {c(idents)}, {c(idents)},",
    ]
    pool = []
    for _ in range(n):
        indent = " " * (4 * rng.choice((0, 1, 1, 2, 2, 3)))
        pool.append((indent + rng.choice(templates)() + "\n").encode())
    return pool


def text_block(rng, pool, size):
    """Exactly `size` bytes of code-like text: random lines of the pool."""
    if size <= 0:
        return b""
    k = size // 30 + 16  # pool lines average ~35 bytes: over-provision
    out = b"".join(rng.choices(pool, k=k))
    while len(out) < size:
        out += b"".join(rng.choices(pool, k=k))
    out = out[:size]
    return out[:-1] + b"\n"


# --------------------------------------------------------------------------
# Generation
# --------------------------------------------------------------------------

def shape(scale):
    """Counts and sizes for a given scale factor."""
    large_total = int(FULL_LARGE_FILES * FULL_LARGE_FILE_BYTES * scale)
    n_large = max(2, round(FULL_LARGE_FILES * scale))
    return {
        "small_files": max(20, round(FULL_SMALL_FILES * scale)),
        "dirs": max(8, round(FULL_DIRS * scale)),
        "large_files": n_large,
        "large_file_bytes": max(SEG_MIN, large_total // n_large),
    }


def make_dirs(rng, n_dirs, idents):
    """A nested tree of n_dirs relative directory paths (root "" first)."""
    top = ["src", "lib", "include", "tests", "docs", "tools", "third_party", "examples"]
    dirs = [""]
    depth = {"": 0}
    children = {"": set()}
    while len(dirs) < n_dirs:
        # Prefer recent directories as parents: gives deep, bushy trees.
        parent = dirs[max(0, len(dirs) - 1 - int(rng.expovariate(1 / 12)))]
        if depth[parent] >= 6:
            parent = rng.choice(dirs[: max(1, len(dirs) // 4)])
            if depth[parent] >= 6:
                continue
        name = rng.choice(top) if parent == "" else rng.choice(idents)
        if name in children[parent]:
            continue
        children[parent].add(name)
        path = f"{parent}/{name}" if parent else name
        dirs.append(path)
        depth[path] = depth[parent] + 1
        children[path] = set()
    return dirs


def small_size(rng):
    mu = math.log(SMALL_MEDIAN)
    return int(min(SMALL_MAX, max(SMALL_MIN, rng.lognormvariate(mu, 1.0))))


def generate(root, scale, seed):
    rng = random.Random(seed)
    sh = shape(scale)
    t0 = time.time()

    idents = make_identifiers(rng, 4000)
    pool = make_line_pool(rng, idents, 150_000)
    header = b"".join(rng.choices(pool, k=12))  # a shared "license" header

    # ---- small files -----------------------------------------------------
    dirs = make_dirs(rng, sh["dirs"], idents)
    for d in dirs:
        os.makedirs(os.path.join(root, "tree", d), exist_ok=True)
    weights = [rng.paretovariate(1.2) for _ in dirs]  # some dirs are big
    taken = {d: set() for d in dirs}
    small_bytes = 0
    small_files = []
    for i in range(sh["small_files"]):
        d = rng.choices(dirs, weights=weights)[0]
        while True:
            name = rng.choice(idents) + rng.choice(_EXTS)
            if name not in taken[d]:
                taken[d].add(name)
                break
        size = small_size(rng)
        body = text_block(rng, pool, size)
        if rng.random() < 0.4 and size > len(header) * 2:
            body = header + body[len(header):]
        rel = os.path.join("tree", d, name)
        with open(os.path.join(root, rel), "wb") as f:
            f.write(body)
        small_files.append(rel)
        small_bytes += size
        if (i + 1) % 10_000 == 0:
            log(f"  {i + 1} small files ({small_bytes / 1e6:.0f} MB)")

    # ---- large files -----------------------------------------------------
    os.makedirs(os.path.join(root, "large"), exist_ok=True)
    reservoir = []
    kinds = [k for k, _ in SEG_WEIGHTS]
    kind_w = [w for _, w in SEG_WEIGHTS]
    kind_bytes = {k: 0 for k in kinds}
    large_files = []
    for i in range(sh["large_files"]):
        rel = os.path.join("large", f"blob-{i:02d}.bin")
        remaining = sh["large_file_bytes"]
        with open(os.path.join(root, rel), "wb") as f:
            while remaining > 0:
                kind = rng.choices(kinds, weights=kind_w)[0]
                if kind in ("dup", "neardup") and not reservoir:
                    kind = "random"
                if kind == "random":
                    seg = rng.randbytes(rng.randint(SEG_MIN, SEG_MAX))
                elif kind == "text":
                    seg = text_block(rng, pool, rng.randint(SEG_MIN, SEG_MAX))
                elif kind == "dup":
                    seg = rng.choice(reservoir)
                else:  # neardup: shifted copy of an earlier segment
                    src = rng.choice(reservoir)
                    at = rng.randint(len(src) // 4, 3 * len(src) // 4)
                    if rng.random() < 0.5:
                        seg = src[:at] + rng.randbytes(rng.randint(1, 64)) + src[at:]
                    else:
                        seg = src[:at] + src[at + rng.randint(1, 64):]
                seg = seg[:remaining]
                f.write(seg)
                remaining -= len(seg)
                kind_bytes[kind] += len(seg)
                if kind in ("random", "text"):
                    if len(reservoir) < RESERVOIR:
                        reservoir.append(seg)
                    else:
                        reservoir[rng.randrange(RESERVOIR)] = seg
        large_files.append(rel)
        log(f"  large file {i + 1}/{sh['large_files']}")

    # ---- fixed mtimes, deepest paths first so dirs keep theirs -------------
    for rel in small_files + large_files:
        os.utime(os.path.join(root, rel), ns=(BASE_MTIME_NS, BASE_MTIME_NS))
    all_dirs = [os.path.normpath(os.path.join("tree", d)) for d in dirs] + ["large", ""]
    depth = lambda p: p.count("/") + 1 if p else 0
    for rel in sorted(all_dirs, key=lambda p: -depth(p)):
        os.utime(os.path.join(root, rel), ns=(BASE_MTIME_NS, BASE_MTIME_NS))

    return {
        "generator_version": GENERATOR_VERSION,
        "seed": seed,
        "scale": scale,
        "complete": True,
        "mutated": False,
        "small_files": len(small_files),
        "small_bytes": small_bytes,
        "dirs": len(all_dirs),
        "large_files": len(large_files),
        "large_bytes": sum(kind_bytes.values()),
        "large_segment_bytes": kind_bytes,
        "total_files": len(small_files) + len(large_files),
        "total_bytes": small_bytes + sum(kind_bytes.values()),
        "small_file_list": small_files,
        "large_file_list": large_files,
        "generation_seconds": round(time.time() - t0, 1),
    }


# --------------------------------------------------------------------------
# Mutation / revert
# --------------------------------------------------------------------------

def mutate(root, manifest, meta):
    rng = random.Random(manifest["seed"] * 7919 + 1)
    orig = os.path.join(meta, "orig")
    os.makedirs(orig, exist_ok=True)
    small = manifest["small_file_list"]
    n = max(1, round(len(small) * MUTATE_FRACTION))
    chosen = sorted(rng.sample(small, n))
    idents = make_identifiers(rng, 200)
    pool = make_line_pool(rng, idents, 2000)
    for rel in chosen:
        src = os.path.join(root, rel)
        keep = os.path.join(orig, rel)
        os.makedirs(os.path.dirname(keep), exist_ok=True)
        shutil.copyfile(src, keep)
        with open(src, "rb") as f:
            lines = f.read().splitlines(keepends=True)
        # A typical edit: rewrite one line, insert a few new ones elsewhere.
        lines[rng.randrange(len(lines))] = rng.choice(pool)
        at = rng.randint(0, len(lines))
        lines[at:at] = rng.choices(pool, k=rng.randint(1, 5))
        with open(src, "r+b") as f:  # in place: no new inode, dir untouched
            f.write(b"".join(lines))
            f.truncate()
        os.utime(src, ns=(MUTATED_MTIME_NS, MUTATED_MTIME_NS))

    # Insert bytes in the middle of one large file, in place.
    large = manifest["large_file_list"]
    big = large[len(large) // 2]
    path = os.path.join(root, big)
    size = os.path.getsize(path)
    offset = size // 2 + rng.randrange(4096)
    insert = rng.randbytes(INSERT_BYTES)
    with open(path, "r+b") as f:
        f.seek(offset)
        tail = f.read()
        f.seek(offset)
        f.write(insert)
        f.write(tail)
    os.utime(path, ns=(MUTATED_MTIME_NS, MUTATED_MTIME_NS))

    manifest["mutated"] = True
    manifest["mutation"] = {
        "small_files_edited": chosen,
        "large_file": big,
        "insert_offset": offset,
        "insert_bytes": INSERT_BYTES,
    }


def revert(root, manifest, meta):
    m = manifest["mutation"]
    orig = os.path.join(meta, "orig")
    for rel in m["small_files_edited"]:
        dst = os.path.join(root, rel)
        with open(os.path.join(orig, rel), "rb") as f:
            data = f.read()
        with open(dst, "r+b") as f:
            f.write(data)
            f.truncate()
        os.utime(dst, ns=(BASE_MTIME_NS, BASE_MTIME_NS))
    path = os.path.join(root, m["large_file"])
    with open(path, "r+b") as f:
        f.seek(m["insert_offset"] + m["insert_bytes"])
        tail = f.read()
        f.seek(m["insert_offset"])
        f.write(tail)
        f.truncate()
    os.utime(path, ns=(BASE_MTIME_NS, BASE_MTIME_NS))
    shutil.rmtree(orig)
    manifest["mutated"] = False
    del manifest["mutation"]


# --------------------------------------------------------------------------

def log(msg):
    print(msg, file=sys.stderr, flush=True)


def load_manifest(meta):
    try:
        with open(os.path.join(meta, "manifest.json")) as f:
            return json.load(f)
    except FileNotFoundError:
        return None


def save_manifest(meta, manifest):
    tmp = os.path.join(meta, "manifest.json.tmp")
    with open(tmp, "w") as f:
        json.dump(manifest, f, indent=1)
    os.replace(tmp, os.path.join(meta, "manifest.json"))


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dir", help="dataset directory (the tree that gets backed up)")
    ap.add_argument("--scale", type=float, default=1.0,
                    help="shrink factor (1.0 = 50k small files + 1.5 GiB of large files)")
    ap.add_argument("--seed", type=int, default=20240101)
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--mutate", action="store_true", help="apply the small change")
    mode.add_argument("--revert", action="store_true", help="undo --mutate")
    mode.add_argument("--describe", action="store_true", help="print the manifest")
    args = ap.parse_args()

    root = os.path.abspath(args.dir)
    meta = root + ".meta"
    manifest = load_manifest(meta)

    if args.describe or args.mutate or args.revert:
        if not manifest or not manifest.get("complete"):
            sys.exit(f"make_dataset: no complete dataset in {root}")
        if args.describe:
            brief = {k: v for k, v in manifest.items() if not k.endswith("_list")}
            if "mutation" in brief:
                brief["mutation"] = dict(brief["mutation"])
                brief["mutation"]["small_files_edited"] = len(
                    brief["mutation"]["small_files_edited"])
            json.dump(brief, sys.stdout, indent=1)
            print()
        elif args.mutate:
            if manifest["mutated"]:
                log("make_dataset: already mutated, nothing to do")
            else:
                mutate(root, manifest, meta)
                save_manifest(meta, manifest)
                log(f"make_dataset: mutated {len(manifest['mutation']['small_files_edited'])}"
                    f" small files and {manifest['mutation']['large_file']}")
        else:
            if manifest["mutated"]:
                revert(root, manifest, meta)
                save_manifest(meta, manifest)
                log("make_dataset: reverted")
            else:
                log("make_dataset: not mutated, nothing to do")
        return

    # Default mode: make sure the pristine dataset is there.
    if (manifest and manifest.get("complete")
            and manifest["generator_version"] == GENERATOR_VERSION
            and manifest["seed"] == args.seed and manifest["scale"] == args.scale):
        if manifest["mutated"]:
            revert(root, manifest, meta)
            save_manifest(meta, manifest)
            log(f"make_dataset: reverted previous mutation in {root}")
        else:
            log(f"make_dataset: dataset already present in {root}")
        return

    # (Re)generate. Only ever delete a directory that we created: one that
    # has our DIR.meta next to it.
    if os.path.exists(root) and os.listdir(root):
        if not os.path.isdir(meta):
            sys.exit(f"make_dataset: {root} is not empty and was not made by "
                     "this script; refusing to overwrite it")
        log(f"make_dataset: discarding stale or incomplete dataset in {root}")
        shutil.rmtree(root)
    if os.path.isdir(meta):
        shutil.rmtree(meta)
    os.makedirs(meta)
    os.makedirs(root, exist_ok=True)
    save_manifest(meta, {"complete": False})
    log(f"make_dataset: generating scale={args.scale} seed={args.seed} in {root}")
    manifest = generate(root, args.scale, args.seed)
    save_manifest(meta, manifest)
    log(f"make_dataset: done, {manifest['total_files']} files, "
        f"{manifest['total_bytes'] / 1e6:.1f} MB in {manifest['generation_seconds']} s")


if __name__ == "__main__":
    main()
