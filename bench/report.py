#!/usr/bin/env python3
"""Turn the raw measurements of one bench/run.sh run into RESULTS.md + JSON.

  report.py --work WORK_DIR --markdown OUT.md --json OUT.json

WORK_DIR is the run's work directory, holding context.json (machine, tool
versions, command), dataset.json (make_dataset.py --describe after the
mutation), raw.jsonl (one record per measured command) and verify-TOOL.json
(verify_tree.py output). Only the standard library is used.
"""

import argparse
import json
import os

# The comparison rows: (label, phase, field, target).
# Ratios are always restic / arkiv, so "bigger is better for arkiv".
# A target is (minimum ratio, text), or None for information only:
#   speed "≥ 2×"       -> arkiv at least twice as fast
#   "arkiv ≤ restic"   -> ratio ≥ 1
#   "≤ restic + 5%"    -> arkiv ≤ 1.05 × restic, i.e. ratio ≥ 1 / 1.05
AT_LEAST_AS_SMALL = (1.0, "arkiv ≤ restic")
WITHIN_5_PERCENT = (1 / 1.05, "arkiv ≤ restic + 5%")
ROWS = [
    ("Initial backup: wall time", "initial", "wall_s", (2.0, "≥ 2× faster")),
    ("Initial backup: CPU (user+sys)", "initial", "cpu_s", None),
    ("Initial backup: peak RSS", "initial", "max_rss_kb", AT_LEAST_AS_SMALL),
    ("Initial backup: repository size", "initial", "repo_bytes", WITHIN_5_PERCENT),
    ("No-change backup: wall time", "nochange", "wall_s", (3.0, "≥ 3× faster")),
    ("No-change backup: CPU (user+sys)", "nochange", "cpu_s", None),
    ("No-change backup: peak RSS", "nochange", "max_rss_kb", AT_LEAST_AS_SMALL),
    ("No-change backup: bytes added", "nochange", "added_bytes", None),
    ("Change backup: wall time", "change", "wall_s", None),
    ("Change backup: CPU (user+sys)", "change", "cpu_s", None),
    ("Change backup: peak RSS", "change", "max_rss_kb", AT_LEAST_AS_SMALL),
    ("Change backup: bytes added", "change", "added_bytes", AT_LEAST_AS_SMALL),
    ("Final repository size", "change", "repo_bytes", WITHIN_5_PERCENT),
    ("Restore: wall time", "restore", "wall_s", (2.0, "≥ 2× faster")),
    ("Restore: CPU (user+sys)", "restore", "cpu_s", None),
    ("Restore: peak RSS", "restore", "max_rss_kb", AT_LEAST_AS_SMALL),
]
PHASES = ["init", "initial", "nochange", "change", "restore"]
# Sections other runs write (store_bench.sh by hand, multicloud_report.py): kept.
KEPT_SECTIONS = ("## Store benchmark", "## Multi-cloud benchmark")


def mib(n):
    return n / 1048576


def fmt_bytes(n):
    if n is None:
        return "–"
    if abs(n) < 1 << 20:
        return f"{n / 1024:.1f} KiB"
    if abs(n) < 1 << 30:
        return f"{mib(n):.1f} MiB"
    return f"{n / (1 << 30):.2f} GiB"


def fmt(field, v):
    if v is None:
        return "–"
    if field.endswith("_s"):
        return f"{v:.2f} s"
    if field == "max_rss_kb":
        return f"{v / 1024:.1f} MiB"
    return fmt_bytes(v)


def load_text(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return ""


def load_json(path, default=None):
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        return default


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", required=True)
    ap.add_argument("--markdown", required=True)
    ap.add_argument("--json", required=True)
    args = ap.parse_args()

    ctx = load_json(os.path.join(args.work, "context.json"))
    ds = load_json(os.path.join(args.work, "dataset.json"), {})
    runs = []
    with open(os.path.join(args.work, "raw.jsonl")) as f:
        for line in f:
            if line.strip():
                r = json.loads(line)
                r["cpu_s"] = round(r["user_s"] + r["sys_s"], 2)
                runs.append(r)
    by = {(r["tool"], r["phase"]): r for r in runs}
    tools = ctx["tools"]
    verify = {t: load_json(os.path.join(args.work, f"verify-{t}.json")) for t in tools}
    both = "restic" in tools and "arkiv" in tools

    # ---- comparison rows ---------------------------------------------------
    comparison = []
    for label, phase, field, target in ROWS:
        vals = {t: by.get((t, phase), {}).get(field) for t in ("restic", "arkiv")}
        row = {"metric": label, "phase": phase, "field": field,
               "restic": vals["restic"], "arkiv": vals["arkiv"],
               "ratio_restic_over_arkiv": None,
               "target": target[1] if target else None, "met": None}
        r, a = vals["restic"], vals["arkiv"]
        if r is not None and a is not None:
            if a > 0:
                row["ratio_restic_over_arkiv"] = r / a
            if target:
                row["met"] = r >= target[0] * a
        comparison.append(row)

    # ---- JSON ------------------------------------------------------------
    out = {
        "context": ctx,
        "dataset": ds,
        "measurements": runs,
        "comparison": comparison,
        "verification": verify,
    }
    with open(args.json, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")

    # ---- Markdown --------------------------------------------------------
    md = []
    w = md.append
    w("# arkiv vs restic: benchmark results")
    w("")
    smoke = ctx["scale"] != 1.0
    if smoke or not both:
        why = []
        if smoke:
            why.append(f"the dataset is at scale {ctx['scale']:g}, not the full 1.0")
        if not both:
            why.append(f"only {', '.join(tools)} was run, so there are no ratios")
        w(f"> **SMOKE RUN. These numbers are not representative.** This run checks "
          f"that the harness works: {'; '.join(why)}. "
          "For real numbers, run `bench/run.sh` at full scale with both tools.")
        w("")
    w(f"Run on {ctx['date']} (run id `{ctx['run_id']}`) with:")
    w("")
    w("```")
    w(ctx["command"])
    w("```")
    w("")
    w(f"- **Machine:** `nproc` = {ctx['nproc']}, CPU: {ctx['cpu']}, kernel {ctx['kernel']}.")
    w(f"- **Filesystem** (dataset, repositories and restores): `{ctx['filesystem']}`")
    w(f"- **restic:** `{ctx['restic_version']}` (default settings: repository v2, "
      "compression auto)")
    w(f"- **arkiv:** `{ctx['arkiv_version']}`, checkout at commit `{ctx['arkiv_commit']}`, "
      f"binary `{ctx['arkiv_binary']}`")
    if ds:
        seg = ds.get("large_segment_bytes", {})
        w(f"- **Dataset** (`bench/make_dataset.py`, seed {ds['seed']}, scale {ds['scale']:g}): "
          f"{ds['total_files']:,} files, {fmt_bytes(ds['total_bytes'])}, in {ds['dirs']} "
          f"directories: {ds['small_files']:,} source-like text files "
          f"({fmt_bytes(ds['small_bytes'])}, 200 B–40 KB) and {ds['large_files']} large "
          f"files ({fmt_bytes(ds['large_bytes'])}: "
          f"{fmt_bytes(seg.get('random'))} random, {fmt_bytes(seg.get('text'))} text, "
          f"{fmt_bytes(seg.get('dup'))} exact duplicates of earlier regions, "
          f"{fmt_bytes(seg.get('neardup'))} shifted near-duplicates).")
        m = ds.get("mutation")
        if m:
            w(f"- **Small change** (between the no-change and the change backups): "
              f"{m['small_files_edited']} small files edited, {m['insert_bytes']} bytes "
              f"inserted at offset {m['insert_offset']:,} of `{m['large_file']}`.")
    w("")
    w("`free -g`:")
    w("")
    w("```")
    w(ctx["free_g"])
    w("```")
    w("")
    w("Every command is measured with `/usr/bin/time -v`; phases are interleaved "
      "(both tools do phase 1, then both do phase 2, …) on the same data; "
      "repository size is `du -sb` of the repository after each backup. "
      "Ratios are restic / arkiv: above 1 means arkiv is faster or smaller.")
    w("")
    w("## Comparison")
    w("")
    w("| Measurement | restic | arkiv | restic / arkiv | Target | Met |")
    w("|---|---:|---:|---:|---|:---:|")
    for row in comparison:
        ratio = row["ratio_restic_over_arkiv"]
        ratio_s = f"{ratio:.2f}×" if ratio is not None else "–"
        met = {True: "yes", False: "**NO**", None: "–"}[row["met"]]
        w(f"| {row['metric']} | {fmt(row['field'], row['restic'])} | "
          f"{fmt(row['field'], row['arkiv'])} | {ratio_s} | {row['target'] or ''} | {met} |")
    w("")
    w("## Restore verification")
    w("")
    w("Restored tree compared with the source (after the change): paths, types and "
      "file contents (byte for byte) decide PASS/FAIL; permission bits and mtimes "
      "are reported separately.")
    w("")
    w("| Tool | Content | Files | Dirs | Bytes | Missing | Extra | Content diffs | "
      "Mode diffs | Mtime diffs |")
    w("|---|:---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for t in tools:
        v = verify.get(t)
        if not v:
            w(f"| {t} | not run | | | | | | | | |")
            continue
        if "error" in v:
            w(f"| {t} | **FAIL** ({v['error']}) | | | | | | | | |")
            continue
        w(f"| {t} | {'PASS' if v['content_ok'] else '**FAIL**'} | {v['files']:,} | "
          f"{v['dirs']:,} | {fmt_bytes(v['bytes'])} | {v['missing']} | {v['extra']} | "
          f"{v['content_mismatch']} | {v['mode_mismatch']} | {v['mtime_mismatch']} |")
    w("")
    w("## Raw measurements")
    w("")
    w("| Tool | Phase | Wall | User | Sys | CPU | Peak RSS | Repository | Added | Cache |")
    w("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for t in tools:
        for p in PHASES:
            r = by.get((t, p))
            if not r:
                continue
            added = fmt_bytes(r["added_bytes"]) if r["added_bytes"] is not None else "–"
            w(f"| {t} | {p} | {r['wall_s']:.2f} s | {r['user_s']:.2f} s | "
              f"{r['sys_s']:.2f} s | {r['cpu_s']:.2f} s | {r['max_rss_kb'] / 1024:.1f} MiB | "
              f"{fmt_bytes(r['repo_bytes'])} | {added} | {fmt_bytes(r['cache_bytes'])} |")
    w("")
    w("\"Added\" is the growth of the repository during that backup. \"Cache\" is "
      "the size of the tool's local cache directory (kept out of the repository "
      "size). Raw numbers: `bench/results.json`.")
    w("")
    # The store and multi-cloud benchmarks are other runs: keep their sections.
    previous = load_text(args.markdown)
    kept = [i for i in (previous.find(h) for h in KEPT_SECTIONS) if i >= 0]
    if kept:
        md.append(previous[min(kept):].rstrip("\n"))
        md.append("")
    with open(args.markdown, "w") as f:
        f.write("\n".join(md))


if __name__ == "__main__":
    main()
