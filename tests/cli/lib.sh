# Shared helpers for the end-to-end tests in tests/cli/*_test.sh.
# Sourced (not run) by each test, which is itself run as
#   bash tests/cli/NAME_test.sh /path/to/arkiv
#
# Gives each test:
#   $ARKIV          absolute path of the binary under test
#   $WORK           a private temp dir, removed on exit (mounts undone first)
#   arkiv ARGS      runs the binary
#   run CMD...      runs CMD without tripping `set -e`; sets $RC and fills
#                   $OUT / $ERR (files) with its stdout / stderr
#   pass/fail MSG   count results; fail prints MSG (and continues)
#   expect_rc N MSG           after `run`: exit code must be N
#   expect_err_line REGEX MSG after `run`: stderr is one clear line matching REGEX
#   assert_eq A B MSG, assert_file_contains FILE REGEX MSG, ...
#   tree_listing / assert_same_tree / assert_same_metadata   compare trees
#   json_eval / json_last / json_summary   evaluate a Python expression on JSON output
#   register_mount / register_pid   undone / killed on exit
#   start_stopped ARGS / kill_stopped   a live arkiv process holding a lock
#   finish          prints "N passed, M failed" and exits non-zero on failures
# shellcheck shell=bash

if [[ $# -lt 1 || ! -x $1 ]]; then
  echo "usage: bash $0 /path/to/arkiv" >&2
  exit 2
fi
ARKIV=$(realpath "$1")
TEST_NAME=$(basename "$0" .sh)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/arkiv-${TEST_NAME}.XXXXXX")
OUT=$WORK/.out
ERR=$WORK/.err
RC=0
PASSED=0
FAILED=0
TEST_START=$SECONDS
declare -a _MOUNTS=()
declare -a _PIDS=()

_cleanup() {
  local rc=$?
  local pid m
  # Only our own background jobs still running (`jobs -p` forgets a job once
  # it has been waited for, so a recycled pid is never signalled).
  for pid in $(jobs -p); do
    if [[ " ${_PIDS[*]} " == *" $pid "* ]]; then
      kill -CONT "$pid" 2>/dev/null || true
      kill -KILL "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  for ((i = ${#_MOUNTS[@]} - 1; i >= 0; i--)); do
    m=${_MOUNTS[i]}
    mountpoint -q "$m" 2>/dev/null && umount -l "$m" 2>/dev/null || true
  done
  if [[ -n ${KEEP_WORK:-} ]]; then
    echo "(work dir kept: $WORK)" >&2
  else
    chmod -R u+rwX "$WORK" 2>/dev/null || true
    rm -rf "$WORK"
  fi
  if [[ $rc -ne 0 && -z ${_FINISHED:-} ]]; then
    echo "ABORTED: $TEST_NAME stopped early (exit $rc) after $PASSED passed, $FAILED failed" >&2
    echo "$PASSED passed, $((FAILED + 1)) failed"
  fi
  exit "$rc"
}
trap _cleanup EXIT

# Names the failing line when `set -e` aborts (errtrace: also inside functions).
set -E
trap 'echo "ERROR: unexpected failure at ${BASH_SOURCE[0]}:${LINENO}: $BASH_COMMAND" >&2' ERR

register_mount() { _MOUNTS+=("$1"); }
register_pid() { _PIDS+=("$1"); }

export ARKIV_REPOSITORY=$WORK/repo
export ARKIV_PASSWORD=e2e-password
unset ARKIV_PASSWORD_FILE

arkiv() { "$ARKIV" "$@"; }

# The interpreter itself: version-manager shims (pyenv) cost ~0.2 s a call.
PYTHON=$(command python3 -c 'import sys; print(sys.executable)')
python3() { "$PYTHON" "$@"; }

# A repository with a cheap KDF; extra arguments go to `arkiv init`.
init_repo() { "$ARKIV" init --kdf-cost 10 -q "$@"; }

run() {
  "$@" >"$OUT" 2>"$ERR" && RC=0 || RC=$?
}

pass() {
  PASSED=$((PASSED + 1))
  echo "ok   - $*"
}

fail() {
  FAILED=$((FAILED + 1))
  echo "FAIL - $*" >&2
}

# Prints the captured output of the last `run` (for failure context).
show_output() {
  echo "  --- exit code: $RC" >&2
  echo "  --- stdout (first 20 lines):" >&2
  head -n 20 "$OUT" | sed 's/^/  | /' >&2
  echo "  --- stderr (first 20 lines):" >&2
  head -n 20 "$ERR" | sed 's/^/  | /' >&2
}

expect_rc() {
  local want=$1
  shift
  if [[ $RC -eq $want ]]; then
    pass "$* (exit $want)"
  else
    fail "$*: expected exit $want, got $RC"
    show_output
  fi
}

# Stderr must be free of crash traces (uncaught exceptions, sanitizer reports,
# signals), and the exit code must not come from a signal.
expect_no_crash() {
  if grep -qE 'terminate called|what\(\)|Aborted|core dumped|Segmentation|AddressSanitizer|runtime error|std::' "$ERR" ||
    [[ $RC -ge 128 ]]; then
    fail "$*: crashed or printed a stack trace"
    show_output
  else
    pass "$*: no crash / stack trace"
  fi
}

# Stderr is exactly one line, "arkiv: ...", matching the regex (grep -E, case-insensitive).
expect_err_line() {
  local regex=$1
  shift
  local lines
  lines=$(grep -c . "$ERR" || true)
  if [[ $lines -eq 1 ]] && grep -qE '^arkiv: ' "$ERR" && grep -qiE -- "$regex" "$ERR"; then
    pass "$*: one-line error matching /$regex/"
  else
    fail "$*: expected one stderr line 'arkiv: ...' matching /$regex/ (got $lines lines)"
    show_output
  fi
  expect_no_crash "$*"
}

assert_eq() {
  if [[ "$1" == "$2" ]]; then
    pass "$3"
  else
    fail "$3: expected [$2], got [$1]"
  fi
}

assert_true() {
  local msg=$1
  shift
  if "$@"; then pass "$msg"; else fail "$msg (false: $*)"; fi
}

# assert_file_contains FILE REGEX MSG (grep -E)
assert_file_contains() {
  if grep -qE -- "$2" "$1"; then
    pass "$3"
  else
    fail "$3: /$2/ not found in $(basename "$1")"
    # (head closes the pipe early on a long file: not a failure of the test)
    { sed 's/^/  | /' "$1" | head -n 30 >&2; } || true
  fi
}

assert_file_lacks() {
  if grep -qE -- "$2" "$1"; then
    fail "$3: /$2/ unexpectedly found in $(basename "$1")"
    { grep -E -- "$2" "$1" | sed 's/^/  | /' | head -n 10 >&2; } || true
  else
    pass "$3"
  fi
}

# Two trees are byte-identical (contents, symlink targets, types). diff
# reports any two fifos (or devices, sockets) as different: those lines are
# dropped when both sides have the same type (the metadata listing compares them).
assert_same_tree() {
  local a=$1 b=$2 msg=$3 d
  d=$(diff -r --no-dereference "$a" "$b" 2>&1 |
    grep -vE '^File .* is a (fifo|character special file|block special file|socket) while file .* is a \1$' || true)
  if [[ -z $d ]]; then
    pass "$msg: contents identical"
  else
    fail "$msg: contents differ"
    echo "$d" | head -n 20 | sed 's/^/  | /' >&2
  fi
}

# Metadata listing of a tree: type, mode, owner, size (not of directories,
# whose size depends on the file system's history), mtime in nanoseconds,
# link target and link count (unless $2 is "nolinks": a partial restore
# has fewer names for a hard-linked file). Names are shown with cat -v.
tree_listing() {
  local links='%n'
  [[ ${2:-} == nolinks ]] && links=''
  (
    cd "$1"
    find . -mindepth 1 ! -type d -printf "%P|%y|%m|%U:%G|%s|%T@|%l|$links\\n"
    find . -mindepth 1 -type d -printf '%P|%y|%m|%U:%G|-|%T@||\n'
  ) | LC_ALL=C sort | cat -v
}

# assert_same_metadata A B MSG [nolinks]
assert_same_metadata() {
  local a=$1 b=$2 msg=$3
  if diff <(tree_listing "$a" "${4:-}") <(tree_listing "$b" "${4:-}") >"$WORK/.metadiff"; then
    pass "$msg: metadata identical"
  else
    fail "$msg: metadata differs (< original, > restored)"
    head -n 20 "$WORK/.metadiff" | sed 's/^/  | /' >&2
  fi
}

# json_eval FILE PYTHON-EXPR: prints EXPR evaluated with `j` bound to the JSON document in FILE.
json_eval() {
  python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# Like json_eval, on the last line of a JSON-lines file.
json_last() {
  python3 -c 'import json,sys; j=json.loads(open(sys.argv[1]).read().splitlines()[-1]); print(eval(sys.argv[2]))' "$1" "$2"
}

# json_summary FILE EXPR: EXPR on the last "summary" line of a command's
# --json output (a multi-cloud command may print a "clouds" line after it,
# e.g. when a read was served degraded, still exit 0).
json_summary() {
  python3 -c 'import json,sys
lines = [json.loads(l) for l in open(sys.argv[1]).read().splitlines() if l.strip()]
j = [l for l in lines if l.get("message_type") == "summary"][-1]
print(eval(sys.argv[2]))' "$1" "$2"
}

# File of random (incompressible) bytes.
random_file() { head -c "$2" /dev/urandom >"$1"; }

# File of compressible text of about $2 bytes (different for each path).
text_file() {
  local path=$1 size=$2
  python3 - "$path" "$size" >"$path" <<'EOF'
import os, random, sys
path, size = sys.argv[1], int(sys.argv[2])
words = ["alpha", "beta", "gamma", "delta", "backup", "restore", "chunk", "pack", "index", "tree"]
rng = random.Random(os.fsencode(path))
out, n = [], 0
while n < size:
    line = " ".join(rng.choice(words) for _ in range(12)) + f" {rng.randrange(10**9)}\n"
    out.append(line)
    n += len(line)
sys.stdout.write("".join(out)[:size])
EOF
}

# The names of the files of a kind in the repository (data packs, snapshots, ...).
repo_files() { find "$ARKIV_REPOSITORY/$1" -type f ! -name '.arkiv-tmp-*' -printf '%P\n' 2>/dev/null | LC_ALL=C sort; }

# Listing of every object in the repository with its size (locks excluded).
repo_listing() {
  find "$ARKIV_REPOSITORY" -path "$ARKIV_REPOSITORY/locks" -prune -o -type f -printf '%P %s\n' | LC_ALL=C sort
}

repo_data_bytes() { du -sb --apparent-size "$ARKIV_REPOSITORY/data" | cut -f1; }

# Waits until a lock file appears in the repository (up to $2 seconds, default 20),
# while process $1 is alive. Returns 1 if the process ended first or time ran out.
wait_for_lock() {
  local pid=$1 limit=${2:-20} i
  for ((i = 0; i < limit * 200; i++)); do
    if [[ -n $(repo_files locks) ]]; then return 0; fi
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.005
  done
  return 1
}

finish() {
  _FINISHED=1
  echo "$TEST_NAME: $PASSED passed, $FAILED failed ($((SECONDS - TEST_START)) s)"
  echo "$PASSED passed, $FAILED failed"
  if ((FAILED > 0)); then exit 1; fi
  exit 0
}

# Starts `arkiv ARGS` in the background, waits until it holds a repository
# lock, then stops it with SIGSTOP: a live process holding a fresh lock, for
# as long as the test wants (the lock is only refreshed every 5 minutes).
# Sets $STOPPED_PID. Returns 1 if the process finished before it could be
# stopped (give it more work).
start_stopped() {
  "$ARKIV" "$@" >"$WORK/.stopped.out" 2>"$WORK/.stopped.err" &
  STOPPED_PID=$!
  register_pid "$STOPPED_PID"
  if ! wait_for_lock "$STOPPED_PID" 30; then
    wait "$STOPPED_PID" 2>/dev/null || true
    return 1
  fi
  kill -STOP "$STOPPED_PID"
  # Still alive and still locked?
  kill -0 "$STOPPED_PID" 2>/dev/null && [[ -n $(repo_files locks) ]]
}

# Ends a process started by start_stopped (SIGKILL: it leaves a stale lock).
kill_stopped() {
  kill -KILL "$STOPPED_PID" 2>/dev/null || true
  kill -CONT "$STOPPED_PID" 2>/dev/null || true
  wait "$STOPPED_PID" 2>/dev/null || true
}
