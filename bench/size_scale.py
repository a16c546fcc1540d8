#!/usr/bin/env python3
"""bench/make_dataset.py's --scale for a dataset size ("1GiB", "300MiB"):
scale 1 is 12 x 128 MiB of large files plus 50,000 small ones averaging
~6.4 KB (1.80 GiB). Three significant digits, so that the same size reuses
the same dataset (as bench/multicloud_bench.sh computes it).

  size_scale.py SIZE
"""
import re
import sys

m = re.fullmatch(r"\s*([0-9.]+)\s*([KMGT]?)(i?B?)\s*", sys.argv[1], re.I)
if not m:
    sys.exit(f"bad size {sys.argv[1]!r} (e.g. 1GiB, 300MiB)")
unit = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}[m.group(2).upper()]
full = 12 * (128 << 20) + 50_000 * 6_403
scale = float(f"{float(m.group(1)) * unit / full:.3g}")
if not 0.005 <= scale <= 10:
    sys.exit(f"size {sys.argv[1]} is out of range (10 MiB to 18 GiB)")
print(repr(scale))
