#!/usr/bin/env bash
# Disaster recovery on real stand-in clouds (issue 5): ec:2+1 over S3 (moto),
# Azure (Azurite) and SFTP (OpenSSH sshd).
#  1. `drill --without` each cloud in turn passes, every file verified, and the
#     left-out server receives no request while the drill restores (moto's
#     request log: afterwards only the drill's record and lock go there);
#     `drill --without` two clouds fails, exit 1, naming them.
#  2. `status` and `serve`'s /metrics with the servers up: OK, arkiv_cloud_up 1.
#     Azurite stopped: arkiv_cloud_up{cloud="azure"} 0, WARNING (exit 1);
#     sshd stopped too: CRITICAL (exit 2, a restore is impossible); both back:
#     OK again (exit 0), and serve sees them up again.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/cloud_servers.sh"
if ! have_sshd; then
  echo "skipped: needs root and /usr/sbin/sshd"
  exit 0
fi
export ARKIV_PASSWORD=dr-servers
export ARKIV_CACHE_DIR=$WORK/cache
unset ARKIV_REPOSITORY
export ARKIV_RETRY_MAX_ATTEMPTS=2

start_three_clouds arkiv-dr

src=$WORK/src
mkdir -p "$src/big" "$src/docs"
for i in 1 2 3; do random_file "$src/big/part-$i.bin" $((2 * 1024 * 1024 + i)); done
for i in $(seq 1 20); do text_file "$src/docs/doc-$i.txt" $((i * 5000)); done
files=$(find "$src" -type f | wc -l)

run arkiv init --kdf-cost 10 --pack-size 1 --create-bucket --cloud "aws=$s3" --cloud "azure=$az" \
  --cloud "nas=$sftp" --policy ec:2+1
expect_rc 0 "init ec:2+1 over moto, Azurite and sshd"
run arkiv --repo "$s3" backup "$src"
expect_rc 0 "backup"
run arkiv --repo "$s3" check
expect_rc 0 "check"

# --- 1. drills -----------------------------------------------------------------------
moto_requests() { grep -c '"[A-Z]* /' "$WORK/moto-$MOTO_PORT.log" || true; }
# The requests moto received after line $1 of its log for the repository's
# config, keys, index, snapshots or packs: what a restore reads. (Once the
# drill is over, its record goes to every cloud: the cloud set is read,
# status/ written, the lock removed.)
moto_other_requests() {
  grep '"[A-Z]* /' "$WORK/moto-$MOTO_PORT.log" | tail -n +"$(($1 + 1))" |
    grep -cE 'repo(/|%2F)(config|keys|index|snapshots|data|tree)' || true
}
repo_for() { case $1 in aws) echo "$az" ;; *) echo "$s3" ;; esac; }
for cloud in aws azure nas; do
  moto_before=$(moto_requests)
  run arkiv --repo "$(repo_for $cloud)" --json drill --without "$cloud"
  expect_rc 0 "drill --without $cloud passes"
  assert_eq "$(json_eval "$OUT" 'j["ok"] and j["files_verified"] == j["files_selected"] == j["files_in_snapshot"]')" \
    "True" "drill --without $cloud: every file restored and verified"
  assert_eq "$(json_eval "$OUT" 'j["files_in_snapshot"]')" "$files" "drill --without $cloud: the $files files"
  assert_eq "$(json_eval "$OUT" "sorted(c['name'] for c in j['clouds'])")" \
    "$(python3 -c "print(sorted(set(['aws', 'azure', 'nas']) - {'$cloud'}))")" "drill --without $cloud: read from the others"
  assert_eq "$(json_eval "$OUT" 'j["estimate"]["seconds"] > 0')" "True" "drill --without $cloud: plan's estimate beside it"
  if [[ $cloud == aws ]]; then
    assert_eq "$(moto_other_requests "$moto_before")" "0" "moto received no request for data during the drill without aws"
  else
    assert_true "moto served the drill without $cloud" test "$(moto_other_requests "$moto_before")" -gt 0
  fi
done
run arkiv --repo "$s3" drill --without azure --without nas
expect_rc 1 "drill without two of the three clouds fails"
assert_file_contains "$OUT" "^FAILED" "FAILED is said"
assert_file_contains "$ERR" "azure|nas" "the error names the missing clouds"
run arkiv --repo "$s3" status
expect_rc 2 "status is CRITICAL after the failed drill"
run arkiv --repo "$s3" drill --without nas --sample 30
expect_rc 0 "a drill that passes again"

# --- 2. status and metrics with servers stopped ----------------------------------------
run arkiv --repo "$s3" status
expect_rc 0 "status OK with every server up (checked, drilled)"
run arkiv --repo "$s3" status --prometheus
for cloud in aws azure nas; do
  assert_file_contains "$OUT" "^arkiv_cloud_up\{cloud=\"$cloud\"\} 1$" "status --prometheus: $cloud up"
done

"$ARKIV" --repo "$s3" serve --listen 127.0.0.1:0 --interval 1 --list-interval 0 >"$WORK/serve.out" 2>"$WORK/serve.err" &
SERVE_PID=$!
register_pid "$SERVE_PID"
BASE=
for ((i = 0; i < 300; i++)); do
  BASE=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$WORK/serve.out" | head -n 1 || true)
  [[ -n $BASE ]] && break
  sleep 0.1
done
assert_true "serve started" test -n "$BASE"
# wait_for_metric REGEX: until serve's /metrics has a line matching it (60 s at most).
wait_for_metric() {
  local i
  for ((i = 0; i < 600; i++)); do
    if curl --noproxy '*' -s -m 20 -o "$WORK/metrics.txt" "$BASE/metrics" && grep -qE -- "$1" "$WORK/metrics.txt"; then
      return 0
    fi
    kill -0 "$SERVE_PID" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}
assert_true "serve: every cloud up, verdict OK" wait_for_metric '^arkiv_status 0$'

stop_server "$AZURITE_PID" "$AZURITE_PORT"
run arkiv --repo "$s3" status
expect_rc 1 "status WARNING with Azurite stopped"
assert_file_contains "$OUT" "^WARNING" "the verdict is WARNING"
assert_file_contains "$OUT" "azure" "it names the cloud"
run arkiv --repo "$s3" status --prometheus
assert_file_contains "$OUT" '^arkiv_cloud_up\{cloud="azure"\} 0$' "status --prometheus: azure down"
assert_file_contains "$OUT" '^arkiv_cloud_up\{cloud="aws"\} 1$' "status --prometheus: aws still up"
assert_file_contains "$OUT" '^arkiv_status 1$' "status --prometheus: arkiv_status 1"
assert_true "serve: azure down" wait_for_metric '^arkiv_cloud_up\{cloud="azure"\} 0$'
assert_file_contains "$WORK/metrics.txt" '^arkiv_status 1$' "serve: arkiv_status 1"

stop_server "$SSHD_PID" "$SSHD_PORT"
run arkiv --repo "$s3" status
expect_rc 2 "status CRITICAL with Azurite and sshd stopped"
assert_file_contains "$OUT" "^CRITICAL" "the verdict is CRITICAL"
assert_true "serve: nas down too, CRITICAL" wait_for_metric '^arkiv_cloud_up\{cloud="nas"\} 0$'
assert_file_contains "$WORK/metrics.txt" '^arkiv_status 2$' "serve: arkiv_status 2"

start_azurite "$AZURITE_PORT" || finish
start_sshd "$SSHD_PORT" || finish
run arkiv --repo "$s3" status
expect_rc 0 "status OK again with both servers back"
assert_true "serve: every cloud up again" wait_for_metric '^arkiv_cloud_up\{cloud="nas"\} 1$'
assert_true "serve: verdict OK again" wait_for_metric '^arkiv_status 0$'
assert_file_contains "$WORK/metrics.txt" '^arkiv_cloud_up\{cloud="azure"\} 1$' "serve: azure up again"
kill -TERM "$SERVE_PID"
wait "$SERVE_PID" && RC=0 || RC=$?
assert_eq "$RC" "0" "serve stops on SIGTERM with exit 0"

finish
