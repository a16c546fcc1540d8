#!/usr/bin/env python3
"""Prints, as one JSON object, the machine and the tool versions a benchmark
ran with: nproc, CPU model, RAM, the disk under bench/, kernel, load average,
arkiv's git revision (and whether the tree had changes), restic, borg, moto,
Azurite. Tools that are missing are reported as null.

  machine_info.py [ARKIV_BINARY]
"""
import json
import os
import platform
import re
import shutil
import subprocess
import sys

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)


def run(*cmd, cwd=None):
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=30, cwd=cwd)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return (out.stdout or out.stderr).strip() if out.returncode == 0 else None


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def ram_gib():
    try:
        with open("/proc/meminfo") as f:
            kib = int(re.search(r"MemTotal:\s+(\d+)", f.read()).group(1))
        return round(kib / 1024 / 1024, 1)
    except (OSError, AttributeError):
        return None


def disk():
    usage = shutil.disk_usage(BENCH)
    device = run("findmnt", "-n", "-o", "SOURCE,FSTYPE", "--target", BENCH)
    return {"device": device, "size_gib": round(usage.total / 2**30), "free_gib": round(usage.free / 2**30)}


def azurite_version():
    path = os.path.join(ROOT, "tests/servers/node_modules/azurite/package.json")
    try:
        with open(path) as f:
            return json.load(f)["version"]
    except (OSError, ValueError, KeyError):
        return None


def main():
    rev = run("git", "rev-parse", "--short=12", "HEAD", cwd=ROOT)
    dirty = run("git", "status", "--porcelain", "--untracked-files=no", cwd=ROOT)
    arkiv = sys.argv[1] if len(sys.argv) > 1 else None
    info = {
        "nproc": os.cpu_count(),
        "cpu": cpu_model(),
        "ram_gib": ram_gib(),
        "disk": disk(),
        "kernel": platform.release(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "arkiv_git_rev": (rev + ("+changes" if dirty else "")) if rev else None,
        "arkiv_binary": arkiv,
        "restic": run("restic", "version"),
        "borg": run("borg", "--version"),
        "moto": run(sys.executable, "-c", "import moto; print(moto.__version__)"),
        "azurite": azurite_version(),
        "python": platform.python_version(),
    }
    print(json.dumps(info))


if __name__ == "__main__":
    main()
