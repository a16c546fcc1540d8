#!/usr/bin/env bash
# bench/big_dir_bench.sh — one directory of N entries (default 1,000,000):
# backup, no-change backup and restore into a local folder repository, each
# under /usr/bin/time -v (peak RSS, wall, CPU); then the same with restic
# when installed (--no-restic to skip). The restore is checked: entry count
# and the contents of a sample of files.
#
# Usage: [ARKIV=build/arkiv] bench/big_dir_bench.sh [--entries N] [--content empty|tiny] [--no-restic] [--keep]
#   --entries N   entries in the one directory (default 1000000)
#   --content     empty: empty files (the tree alone; default); tiny: each
#                 file holds its own name (N data blobs, so the index counts too)
#   --keep        keep bench/work/bigdir-<run id>/ (source, repositories)
# Prints one JSON line per step; all of them in the work directory's results.json.

set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH/.." && pwd)
ENTRIES=1000000
CONTENT=empty
RESTIC=1
KEEP=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --entries) ENTRIES=${2:?--entries needs a value}; shift 2 ;;
    --content) CONTENT=${2:?--content needs empty or tiny}; shift 2 ;;
    --no-restic) RESTIC=0; shift ;;
    --keep) KEEP=1; shift ;;
    -h|--help) sed -n '/^# Usage:/,/^$/p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "big_dir_bench.sh: unknown argument: $1" >&2; exit 2 ;;
  esac
done
die() { echo "big_dir_bench.sh: ERROR: $*" >&2; exit 1; }
say() { printf '\n[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

ARKIV=${ARKIV:-build/arkiv}
[[ "$ARKIV" = /* ]] || ARKIV="$ROOT/$ARKIV"
[[ -x $ARKIV ]] || die "arkiv binary not found: $ARKIV"
[[ -x /usr/bin/time ]] || die "GNU time not found at /usr/bin/time (apt-get install time)"
[[ $CONTENT == empty || $CONTENT == tiny ]] || die "--content takes empty or tiny"
if [[ $RESTIC -eq 1 ]] && ! command -v restic >/dev/null; then
  say "restic not installed: arkiv only"
  RESTIC=0
fi

WORK=$BENCH/work/bigdir-$(date -u +%Y%m%d-%H%M%S)
mkdir -p "$WORK/logs"
cleanup() { if [[ $KEEP -eq 0 ]]; then rm -rf "$WORK/src" "$WORK/restore-"* "$WORK/repo-"*; fi; }
trap cleanup EXIT

SRC=$WORK/src/big
say "source: $ENTRIES $CONTENT files in $SRC"
python3 - "$SRC" "$ENTRIES" "$CONTENT" <<'EOF'
import os, sys
root, n, content = sys.argv[1], int(sys.argv[2]), sys.argv[3]
os.makedirs(root)
for i in range(n):
    name = f"f{i:07d}"
    fd = os.open(os.path.join(root, name), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    if content == "tiny":
        os.write(fd, name.encode())
    os.close(fd)
EOF

export ARKIV_PASSWORD=arkiv-bench-password RESTIC_PASSWORD=arkiv-bench-password
: >"$WORK/results.json"
# Runs "$@" under /usr/bin/time -v; appends {tool, step, wall_s, cpu_s, peak_rss_mib}.
measure() {  # TOOL STEP command...
  local tool=$1 step=$2
  shift 2
  say "$tool $step"
  /usr/bin/time -v -o "$WORK/logs/$tool-$step.time" "$@" >"$WORK/logs/$tool-$step.out" 2>"$WORK/logs/$tool-$step.err" ||
    die "$tool $step failed: $(tail -3 "$WORK/logs/$tool-$step.err")"
  python3 - "$tool" "$step" "$ENTRIES" "$CONTENT" "$WORK/logs/$tool-$step.time" "$(uptime)" <<'EOF' | tee -a "$WORK/results.json"
import json, re, sys
tool, step, entries, content, path, load = sys.argv[1:]
t = open(path).read()
def field(name):
    return re.search(re.escape(name) + r": (.*)", t).group(1).strip()
wall = field("Elapsed (wall clock) time (h:mm:ss or m:ss)").split(":")
seconds = sum(float(x) * 60 ** i for i, x in enumerate(reversed(wall)))
cpu = float(field("User time (seconds)")) + float(field("System time (seconds)"))
print(json.dumps({"tool": tool, "step": step, "entries": int(entries), "content": content,
                  "wall_s": round(seconds, 1), "cpu_s": round(cpu, 1),
                  "peak_rss_mib": round(int(field("Maximum resident set size (kbytes)")) / 1024),
                  "load_after": load.split("load average:")[1].strip()}))
EOF
}
# The restored directory has every entry, and a sample holds the right bytes.
verify() {  # RESTORED_DIR
  python3 - "$SRC" "$1" "$ENTRIES" "$CONTENT" <<'EOF' || die "restore of $1 differs"
import os, sys
src, dst, n, content = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
count = sum(1 for _ in os.scandir(dst))
assert count == n, f"{count} entries restored, {n} expected"
for i in range(0, n, max(1, n // 1000)):
    name = f"f{i:07d}"
    with open(os.path.join(dst, name), "rb") as f:
        got = f.read()
    assert got == (name.encode() if content == "tiny" else b""), name
    assert os.stat(os.path.join(dst, name)).st_mtime_ns == os.stat(os.path.join(src, name)).st_mtime_ns, name
EOF
}

REPO=$WORK/repo-arkiv
# --kdf-cost 10: scrypt takes 1 MiB instead of the default 64 MiB, which
# would otherwise be the peak of every step (it is freed once the key is open).
"$ARKIV" --repo "$REPO" init --kdf-cost 10 >"$WORK/logs/arkiv-init.log" 2>&1 || die "arkiv init failed"
measure arkiv backup "$ARKIV" --repo "$REPO" --json backup -q "$SRC"
measure arkiv backup-nochange "$ARKIV" --repo "$REPO" --json backup -q "$SRC"
measure arkiv ls "$ARKIV" --repo "$REPO" ls latest
measure arkiv restore "$ARKIV" --repo "$REPO" restore latest --target "$WORK/restore-arkiv"
verify "$WORK/restore-arkiv/big"
rm -rf "$WORK/restore-arkiv"
# The stored form of the directory: tree blobs (pages, page list, root) and
# their plaintext bytes, from the index files.
for index in $(ls "$REPO/index"/*/* 2>/dev/null || ls "$REPO/index"); do
  "$ARKIV" --repo "$REPO" cat index "$(basename "$index")"
done | python3 -c '
import json, sys
dec, text, pos, blobs, raw = json.JSONDecoder(), sys.stdin.read(), 0, set(), 0
while pos < len(text.strip()):
    j, end = dec.raw_decode(text, pos)
    pos = end + 1
    for p in j["packs"]:
        for b in p["blobs"]:
            if b["type"] == "tree" and b["id"] not in blobs:
                blobs.add(b["id"]); raw += b["raw_length"]
print(json.dumps({"tool": "arkiv", "step": "stored-trees", "tree_blobs": len(blobs), "tree_plaintext_mib": round(raw / 2**20, 1)}))
' | tee -a "$WORK/results.json"

if [[ $RESTIC -eq 1 ]]; then
  RREPO=$WORK/repo-restic
  restic -r "$RREPO" init >"$WORK/logs/restic-init.log" 2>&1 || die "restic init failed"
  measure restic backup restic -r "$RREPO" backup -q "$SRC"
  measure restic backup-nochange restic -r "$RREPO" backup -q "$SRC"
  measure restic ls restic -r "$RREPO" ls latest
  measure restic restore restic -r "$RREPO" restore latest --target "$WORK/restore-restic"
  verify "$WORK/restore-restic$SRC"
  rm -rf "$WORK/restore-restic"
fi
echo "results: $WORK/results.json" >&2
