#!/usr/bin/env python3
"""Turn one bench/multicloud_bench.sh run into JSON and a RESULTS.md section.

  multicloud_report.py --work WORK_DIR --json OUT.json --markdown RESULTS.md

WORK_DIR holds context.json, dataset.json (make_dataset.py --describe),
raw.jsonl (one record per measured command), stored.jsonl (bytes per
repository and cloud) and verify-NAME.json (verify_tree.py). The section
"## Multi-cloud benchmark" of RESULTS.md is replaced (or appended); a
"### Analysis" subsection written by hand under it is kept, since a rerun
does not know why the figures are what they are. Standard library only.
"""

import argparse
import json
import os
import re

SECTION = "## Multi-cloud benchmark"
ANALYSIS = "### Analysis"
TARGET_RATIO = 0.5  # arkiv's replicate backup ≤ half of restic's backup + copy

LABELS = {
    "restic-init-a": "restic init A",
    "restic-backup-a": "restic backup → A",
    "restic-init-b": "restic init B --from-repo A --copy-chunker-params",
    "restic-copy-a-b": "restic copy A → B",
    "arkiv-init-replicate": "arkiv init --cloud a --cloud b --policy replicate",
    "arkiv-backup-replicate": "arkiv backup (replicate to A and B)",
    "restic-restore-b": "restic restore from B",
    "arkiv-restore-replicate": "arkiv restore (replicate, via B's URL)",
    "arkiv-init-ec": "arkiv init ec:2+1",
    "arkiv-backup-ec": "arkiv backup (ec:2+1)",
    "arkiv-restore-ec-all-up": "arkiv restore, ec:2+1, all three clouds up",
    "arkiv-restore-ec-one-down": "arkiv restore, ec:2+1, Azurite stopped",
}


def load_json(path, default=None):
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        return default


def load_lines(path):
    try:
        with open(path) as f:
            return [json.loads(line) for line in f if line.strip()]
    except FileNotFoundError:
        return []


def fmt_bytes(n):
    if n is None:
        return "–"
    if abs(n) < 1 << 20:
        return f"{n / 1024:.1f} KiB"
    if abs(n) < 1 << 30:
        return f"{n / 1048576:.1f} MiB"
    return f"{n / (1 << 30):.2f} GiB"


def summed(by, names):
    """A pseudo-measurement: the sum of several commands' times (peak RSS: the max)."""
    rows = [by[n] for n in names if n in by]
    if len(rows) != len(names):
        return None
    out = {k: round(sum(r[k] for r in rows), 2)
           for k in ("wall_s", "cpu_s", "servers_cpu_s", "foreign_cpu_s")}
    out["max_rss_kb"] = max(r["max_rss_kb"] for r in rows)
    return out


def row(label, r, extra=""):
    if r is None:
        return f"| {label} | – | – | – | – | – | – |"
    load = f"{r['load1_before']:.2f}" if "load1_before" in r else ""
    return (f"| {label} | {r['wall_s']:.2f} s | {r['cpu_s']:.2f} s | {r['max_rss_kb'] / 1024:.0f} MiB | "
            f"{r['servers_cpu_s']:.2f} s | {r['foreign_cpu_s']:.2f} s | {load}{extra} |")


def compare(by):
    """The figures the issue asks for, also written to the JSON."""
    out = {}
    restic = summed(by, ["restic-backup-a", "restic-copy-a-b"])
    restic_all = summed(by, ["restic-init-a", "restic-backup-a", "restic-init-b", "restic-copy-a-b"])
    arkiv = by.get("arkiv-backup-replicate")
    arkiv_all = summed(by, ["arkiv-init-replicate", "arkiv-backup-replicate"])
    if restic and arkiv:
        ratio = arkiv["wall_s"] / restic["wall_s"]
        out["replicate"] = {
            "restic_backup_plus_copy_wall_s": restic["wall_s"],
            "arkiv_backup_wall_s": arkiv["wall_s"],
            "ratio_arkiv_over_restic": round(ratio, 3),
            "target": f"≤ {TARGET_RATIO}", "met": ratio <= TARGET_RATIO,
            "restic_cpu_s": restic["cpu_s"], "arkiv_cpu_s": arkiv["cpu_s"],
        }
        if restic_all and arkiv_all:
            out["replicate"]["with_init"] = {
                "restic_wall_s": restic_all["wall_s"], "arkiv_wall_s": arkiv_all["wall_s"],
                "ratio_arkiv_over_restic": round(arkiv_all["wall_s"] / restic_all["wall_s"], 3)}
    up, down = by.get("arkiv-restore-ec-all-up"), by.get("arkiv-restore-ec-one-down")
    if up and down:
        out["ec_restore"] = {"all_up_wall_s": up["wall_s"], "one_down_wall_s": down["wall_s"],
                             "ratio_one_down_over_all_up": round(down["wall_s"] / up["wall_s"], 3),
                             "one_down_exit_code": down["exit_code"]}
    return out


def section(ctx, ds, runs, stored, verify, cmp, analysis):
    by = {r["name"]: r for r in runs}
    md = []
    w = md.append
    w(SECTION)
    w("")
    w(f"Run on {ctx['date']} (run id `{ctx['run_id']}`) with:")
    w("")
    w("```")
    w(ctx["command"])
    w("```")
    w("")
    w(f"- **Machine:** `nproc` = {ctx['nproc']}, CPU: {ctx['cpu']}, kernel {ctx['kernel']}; "
      f"filesystem `{ctx['filesystem']}`.")
    w(f"- **Load** (`uptime`) at the start: `{ctx['uptime_start']}`; at the end: "
      f"`{ctx.get('uptime_end', '?')}`.")
    w(f"- **Versions:** `{ctx['restic_version']}` (Debian 12; default settings: repository v2, "
      f"compression auto, 5 S3 connections); `{ctx['arkiv_version']}` at commit "
      f"`{ctx['arkiv_commit']}` (default settings: 8 connections per cloud); moto "
      f"{ctx['moto_version']}, Azurite {ctx['azurite_version']} (node {ctx['node_version']}), "
      f"{ctx['sshd_version']}.")
    if ds:
        seg = ds.get("large_segment_bytes", {})
        w(f"- **Dataset** (`bench/make_dataset.py`, seed {ds['seed']}, scale {ds['scale']:g} for "
          f"`--size {ctx['size']}`): {ds['total_files']:,} files, {fmt_bytes(ds['total_bytes'])}, "
          f"in {ds['dirs']} directories: {ds['small_files']:,} source-like text files "
          f"({fmt_bytes(ds['small_bytes'])}) and {ds['large_files']} large files "
          f"({fmt_bytes(ds['large_bytes'])}: {fmt_bytes(seg.get('random'))} random, "
          f"{fmt_bytes(seg.get('text'))} text, {fmt_bytes(seg.get('dup'))} duplicated, "
          f"{fmt_bytes(seg.get('neardup'))} shifted near-duplicates).")
    third = "sshd (SFTP)" if ctx.get("ec_third_cloud") == "sshd" else "a third moto"
    w(f"- **Clouds**, all on 127.0.0.1, started by the script: A and B are two moto servers "
      f"(S3); ec:2+1 uses moto A (shard 0), Azurite (shard 1) and {third} (shard 2, parity).")
    w("")
    w("Every command runs under `/usr/bin/time -v`, one after the other. \"Servers\" is the CPU "
      "the cloud stand-ins used meanwhile; \"others\" is what the rest of the machine used "
      "(busy time in `/proc/stat` minus the command's and the servers'): a few seconds there "
      "mean another engineer's build shared the 2 cores. \"Load\" is the 1-minute load average "
      "before the command.")
    w("")
    if "replicate" in cmp:
        c = cmp["replicate"]
        w("### Backup to two clouds: arkiv `replicate` vs restic backup + copy")
        w("")
        w("| step | wall | CPU (user+sys) | peak RSS | servers CPU | others CPU | load |")
        w("|---|---:|---:|---:|---:|---:|---:|")
        for n in ("restic-init-a", "restic-backup-a", "restic-init-b", "restic-copy-a-b"):
            w(row(LABELS[n], by.get(n)))
        w(row("**restic: backup + copy**", summed(by, ["restic-backup-a", "restic-copy-a-b"])))
        for n in ("arkiv-init-replicate", "arkiv-backup-replicate"):
            w(row(LABELS[n], by.get(n)))
        w("")
        met = "met" if c["met"] else "**NOT met**"
        w(f"**arkiv / restic (wall time, backup vs backup + copy): {c['ratio_arkiv_over_restic']:.2f}** "
          f"({c['arkiv_backup_wall_s']:.2f} s vs {c['restic_backup_plus_copy_wall_s']:.2f} s); "
          f"target ≤ {TARGET_RATIO}: {met}.")
        if "with_init" in c:
            wi = c["with_init"]
            w(f"Counting the `init` commands too: {wi['arkiv_wall_s']:.2f} s vs "
              f"{wi['restic_wall_s']:.2f} s, ratio {wi['ratio_arkiv_over_restic']:.2f}.")
        w(f"CPU: arkiv {c['arkiv_cpu_s']:.2f} s, restic {c['restic_cpu_s']:.2f} s.")
        w("")
        labels = {s["label"]: s for s in stored}
        parts = [f"{name} {fmt_bytes(labels[key]['bytes'])} ({labels[key]['objects']:,} objects)"
                 for key, name in (("restic-a", "restic A"), ("restic-b", "restic B"),
                                   ("arkiv-a", "arkiv A"), ("arkiv-b", "arkiv B")) if key in labels]
        if parts:
            w("Stored: " + "; ".join(parts) + ".")
            w("")
        w("Restores from B, each compared byte for byte with the dataset (`bench/verify_tree.py`):")
        w("")
        w("| restore | wall | CPU (user+sys) | peak RSS | servers CPU | others CPU | load | content |")
        w("|---|---:|---:|---:|---:|---:|---:|:---:|")
        for n, v in (("restic-restore-b", "restic-b"), ("arkiv-restore-replicate", "arkiv-replicate")):
            w(row(LABELS[n], by.get(n), f" | {verdict(verify.get(v))}"))
        w("")
    if "ec_restore" in cmp:
        c = cmp["ec_restore"]
        w("### ec:2+1: restore with all clouds up and with one down")
        w("")
        w("| step | wall | CPU (user+sys) | peak RSS | servers CPU | others CPU | load | content |")
        w("|---|---:|---:|---:|---:|---:|---:|:---:|")
        for n, v in (("arkiv-init-ec", None), ("arkiv-backup-ec", None),
                     ("arkiv-restore-ec-all-up", "arkiv-ec-all-up"),
                     ("arkiv-restore-ec-one-down", "arkiv-ec-one-down")):
            w(row(LABELS[n], by.get(n), f" | {verdict(verify.get(v)) if v else ''}"))
        w("")
        w(f"Restore with one cloud down / all up: **{c['ratio_one_down_over_all_up']:.2f}×** "
          f"({c['one_down_wall_s']:.2f} s vs {c['all_up_wall_s']:.2f} s; exit code "
          f"{c['one_down_exit_code']} with one down).")
        labels = {s["label"]: s for s in stored}
        parts = [f"{name} {fmt_bytes(labels[key]['bytes'])}"
                 for key, name in (("ec-s3", "moto (shard 0)"), ("ec-azure-dir", "Azurite's directory (shard 1)"),
                                   ("ec-sftp", "SFTP directory (shard 2)")) if key in labels]
        if parts:
            w("Stored: " + "; ".join(parts) + ".")
        w("")
    w("Raw numbers: `bench/multicloud_results.json`.")
    w("")
    if analysis:
        md.append(analysis.rstrip("\n"))
        md.append("")
    return "\n".join(md)


def verdict(v):
    if not v:
        return "not run"
    if "error" in v:
        return f"**FAIL** ({v['error']})"
    return "PASS" if v.get("content_ok") else "**FAIL**"


def split_results(text):
    """(before, our section, after) of RESULTS.md."""
    start = text.find(SECTION)
    if start < 0:
        return text.rstrip("\n") + "\n\n" if text else "", "", ""
    nxt = re.search(r"^## ", text[start + len(SECTION):], re.M)
    end = start + len(SECTION) + nxt.start() if nxt else len(text)
    return text[:start], text[start:end], text[end:]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", required=True)
    ap.add_argument("--json", required=True)
    ap.add_argument("--markdown", required=True)
    args = ap.parse_args()

    ctx = load_json(os.path.join(args.work, "context.json"))
    ds = load_json(os.path.join(args.work, "dataset.json"), {})
    ds = {k: v for k, v in ds.items() if not k.endswith("_list")}
    runs = load_lines(os.path.join(args.work, "raw.jsonl"))
    stored = load_lines(os.path.join(args.work, "stored.jsonl"))
    verify = {}
    for name in os.listdir(args.work):
        m = re.fullmatch(r"verify-(.+)\.json", name)
        if m:
            v = load_json(os.path.join(args.work, name), {})
            verify[m.group(1)] = {k: x for k, x in v.items() if not k.endswith("examples")}
    cmp = compare({r["name"]: r for r in runs})

    with open(args.json, "w") as f:
        json.dump({"context": ctx, "dataset": ds, "measurements": runs, "stored": stored,
                   "verification": verify, "comparison": cmp}, f, indent=1)
        f.write("\n")

    try:
        with open(args.markdown) as f:
            text = f.read()
    except FileNotFoundError:
        text = ""
    before, old, after = split_results(text)
    at = old.find(ANALYSIS)
    analysis = old[at:] if at >= 0 else ""
    with open(args.markdown, "w") as f:
        f.write(before + section(ctx, ds, runs, stored, verify, cmp, analysis)
                + ("\n" + after if after else ""))

    for key, c in cmp.items():
        print(f"  {key}: {json.dumps(c)}")


if __name__ == "__main__":
    main()
