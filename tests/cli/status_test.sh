#!/usr/bin/env bash
# `arkiv status`: the verdict (exit 0 OK, 1 WARNING, 2 CRITICAL) follows the
# repository's state — no backups or checks yet, clouds out (repair debt,
# restore impossible), a repository that cannot be opened; --json and
# --prometheus carry the same facts; check and repair results are recorded
# in the repository, so a machine with an empty history sees them too.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
export ARKIV_PASSWORD=status-pass
export ARKIV_CACHE_DIR=$WORK/cache
unset ARKIV_REPOSITORY

src=$WORK/src
mkdir -p "$src"
random_file "$src/a.bin" 300000
text_file "$src/b.txt" 100000

# --- a single store ---------------------------------------------------------------
repo=$WORK/single
init_repo --repo "$repo"
run arkiv --repo "$repo" status
expect_rc 1 "status of an empty, never checked repository"
assert_file_contains "$OUT" "^WARNING: " "the verdict comes first"
assert_file_contains "$OUT" "no snapshots yet" "no snapshots is said"
assert_file_contains "$OUT" "never checked" "no check is said"
run arkiv --repo "$repo" backup "$src"
expect_rc 0 "backup"
run arkiv --repo "$repo" check
expect_rc 0 "check"
run arkiv --repo "$repo" status
expect_rc 0 "status after a backup and a check"
assert_file_contains "$OUT" "^OK: " "OK"
assert_file_contains "$OUT" "^repository +up" "the store is probed"
run arkiv --repo "$repo" --json status --rpo 2d
expect_rc 0 "status --json"
assert_eq "$(json_eval "$OUT" 'j["verdict"] + " " + str(len(j["sources"])) + " " + str(j["sources"][0]["rpo_seconds"]) + " " + j["jobs"][0]["kind"]')" \
  "OK 1 172800.0 check" "--json: verdict, one source with its RPO, the check job"
assert_eq "$(json_eval "$OUT" 'j["clouds"][0]["objects"] > 0 and j["clouds"][0]["bytes"] > 0')" "True" \
  "--json: objects and bytes stored"
run arkiv --repo "$repo" status --prometheus
expect_rc 0 "status --prometheus"
assert_file_contains "$OUT" "^arkiv_status 0$" "arkiv_status 0"
assert_file_contains "$OUT" "^arkiv_last_backup_timestamp_seconds\{host=\"[^\"]+\",source=\"[^\"]+:$src\"\} [0-9.e+]+$" \
  "the last backup's time per source"
assert_file_contains "$OUT" "^arkiv_last_job_success\{job=\"check\",host=\"[^\"]+\"\} 1$" "the check's result"
# Every line is a comment or NAME{LABELS} VALUE.
assert_eq "$(grep -cvE '^(# (HELP|TYPE) .*|[a-z_]+(\{[^}]*\})? -?[0-9.e+-]+|[a-z_]+(\{[^}]*\})? (NaN|\+Inf))$' "$OUT")" "0" \
  "every line of --prometheus is in the exposition format"
run arkiv --repo "$repo" status --rpo soon
expect_rc 2 "a bad --rpo is CRITICAL (the check cannot be made)"
expect_err_line "--rpo soon: not a duration" "and says why"
run arkiv --repo "$WORK/nowhere" status
expect_rc 2 "a repository that cannot be opened is CRITICAL"

# --- three clouds, ec:2+1 ------------------------------------------------------------
c() { echo "file://$WORK/clouds/c$1"; }
take_down() { mv "$WORK/clouds/c$1" "$WORK/clouds/c$1.away" && : >"$WORK/clouds/c$1"; }
bring_back() { rm -f "$WORK/clouds/c$1" && mv "$WORK/clouds/c$1.away" "$WORK/clouds/c$1"; }
mkdir -p "$WORK/clouds"
run arkiv init --kdf-cost 10 --cloud "c0=$(c 0)" --cloud "c1=$(c 1)" --cloud "c2=$(c 2)" --policy ec:2+1
expect_rc 0 "init ec:2+1"
run arkiv --repo "$(c 0)" backup "$src"
expect_rc 0 "backup to three clouds"
run arkiv --repo "$(c 0)" check
expect_rc 0 "check"
run arkiv --repo "$(c 1)" status
expect_rc 1 "status: no drill yet"
assert_file_contains "$OUT" "no DR drill yet" "the missing drill is named"
assert_file_lacks "$OUT" "never checked" "the check is known"
export ARKIV_NOTIFY_COMMAND="cat >> '$WORK/events.jsonl'"
events() { python3 -c 'import json,sys; print(" ".join(json.loads(l)["event"] + ":" + json.loads(l).get("cloud", json.loads(l).get("source", "")) for l in open(sys.argv[1])))' "$WORK/events.jsonl"; }
run arkiv --repo "$(c 1)" status
assert_true "no event while all is well" test ! -s "$WORK/events.jsonl"
take_down 2
random_file "$src/c.bin" 200000
run arkiv --repo "$(c 0)" backup "$src"
expect_rc 3 "backup with c2 out"
assert_eq "$(events)" "backup_degraded:" "the degraded backup is notified"
run arkiv --repo "$(c 0)" --json status
expect_rc 1 "status with c2 out: WARNING"
assert_eq "$(json_eval "$OUT" '[c["up"] for c in j["clouds"]] == [True, True, False] and j["repair_debt"] > 0')" "True" \
  "c2 down and the debt it owes are reported"
assert_file_contains "$OUT" "cloud c2 does not answer" "the finding names c2"
run arkiv --repo "$(c 0)" status
assert_eq "$(events)" "backup_degraded: cloud_down:c2" "c2 going down is notified once, not at every status"
assert_eq "$(json_last "$WORK/events.jsonl" 'j["host"] != "" and len(j["repository"]) == 64 and "c2" in j["message"] and j["time"].endswith("Z")')" \
  "True" "the event names the host, the repository, the cloud, the time"
take_down 1
run arkiv --repo "$(c 0)" status
expect_rc 2 "status with two of three out: CRITICAL"
assert_file_contains "$OUT" "^CRITICAL: restore impossible now: 1 of 3 clouds answer, 2 needed" "and why"
bring_back 1
bring_back 2
run arkiv --repo "$(c 0)" repair
expect_rc 0 "repair"
run arkiv --repo "$(c 0)" status
assert_eq "$(events)" "backup_degraded: cloud_down:c2 cloud_down:c1 cloud_up:c1 cloud_up:c2" \
  "c1 and c2 coming back are notified"
run arkiv --repo "$WORK/nowhere" backup "$src"
assert_eq "$(events | wc -w)" "6" "a backup that fails is notified"
assert_eq "$(json_last "$WORK/events.jsonl" 'j["event"]')" "backup_failed" "as backup_failed"
ARKIV_NOTIFY_COMMAND="exit 7" run arkiv --repo "$(c 0)" backup "$WORK/nowhere-src"
assert_file_contains "$ERR" "warning: notify command for backup_failed exited with 7" "a failing notify command is warned about"
unset ARKIV_NOTIFY_COMMAND
# Another machine: an empty history, the same repository.
ARKIV_CACHE_DIR=$WORK/other-cache run arkiv --repo "$(c 2)" --json status
assert_eq "$(json_eval "$OUT" 'sorted(x["kind"] for x in j["jobs"])')" "['check', 'repair']" \
  "another machine sees the check and the repair, from the repository"
assert_eq "$(json_eval "$OUT" 'j["repair_debt"]')" "0" "the debt is repaid"
assert_true "the history database is under ARKIV_CACHE_DIR" test -n "$(find "$WORK/cache" -name history.sqlite)"

finish
