#!/usr/bin/env bash
# `arkiv serve` (design.md §22) on a three-cloud ec:2+1 repository: /metrics
# in the Prometheus text format (read back by the prometheus_client parser),
# /api/status and /api/history as JSON, a cloud taken down and seen down at
# the next refresh, all clouds down (the refresh fails: CRITICAL, and the
# server keeps serving) and back; the status page opened in headless
# Chromium, checked for what it shows, screenshotted, and loading nothing
# from anywhere but the server; state changes told to the notify command
# once; SIGTERM and SIGINT end it with exit 0.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
export ARKIV_PASSWORD=serve-pass
export ARKIV_CACHE_DIR=$WORK/cache
unset ARKIV_REPOSITORY

CHROMIUM=$(command -v chromium || true)
if [[ -z $CHROMIUM ]]; then
  fail "chromium is not installed: scripts/bootstrap.sh installs it (Debian package chromium)"
  finish
fi
# The screenshot outlives $WORK: next to the binary, in test-output/.
OUTPUT_DIR=${ARKIV_TEST_OUTPUT:-$(dirname "$ARKIV")/test-output}
mkdir -p "$OUTPUT_DIR"

src=$WORK/src
mkdir -p "$src"
random_file "$src/a.bin" 400000
text_file "$src/b.txt" 200000
c() { echo "file://$WORK/clouds/c$1"; }
take_down() { mv "$WORK/clouds/c$1" "$WORK/clouds/c$1.away" && : >"$WORK/clouds/c$1"; }
bring_back() { rm -f "$WORK/clouds/c$1" && mv "$WORK/clouds/c$1.away" "$WORK/clouds/c$1"; }
mkdir -p "$WORK/clouds"
run arkiv init --kdf-cost 10 --cloud "c0=$(c 0)" --cloud "c1=$(c 1)" --cloud "c2=$(c 2)" --policy ec:2+1
expect_rc 0 "init ec:2+1 over three clouds"
run arkiv --repo "$(c 0)" backup "$src"
expect_rc 0 "first backup"
text_file "$src/c.txt" 50000
run arkiv --repo "$(c 0)" backup "$src"
expect_rc 0 "second backup"
run arkiv --repo "$(c 0)" check
expect_rc 0 "check"
run arkiv --repo "$(c 1)" drill --without c2
expect_rc 0 "drill without c2"

# http_get PATH FILE: the body into FILE, the status code on stdout ("000" when nothing answers).
http_get() {
  curl --noproxy '*' -s -m 20 -o "$2" -w '%{http_code}' "$BASE$1" || true
}
# wait_for_metric REGEX: until /metrics has a line matching it (90 s at most:
# a refresh probes and lists three clouds, slow on a loaded machine).
wait_for_metric() {
  local i
  for ((i = 0; i < 900; i++)); do
    if [[ $(http_get /metrics "$WORK/metrics.txt") == 200 ]] && grep -qE -- "$1" "$WORK/metrics.txt"; then return 0; fi
    kill -0 "$SERVE_PID" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}
# start_serve ARGS...: in the background; sets SERVE_PID and BASE (http://127.0.0.1:PORT).
start_serve() {
  "$ARKIV" "$@" >"$WORK/serve.out" 2>"$WORK/serve.err" &
  SERVE_PID=$!
  register_pid "$SERVE_PID"
  BASE=
  local i
  for ((i = 0; i < 300; i++)); do
    BASE=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$WORK/serve.out" | head -n 1 || true)
    [[ -n $BASE ]] && return 0
    kill -0 "$SERVE_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "  serve did not start:" >&2
  sed 's/^/  | /' "$WORK/serve.out" "$WORK/serve.err" >&2
  return 1
}
# stop_serve SIGNAL: sets RC to serve's exit code.
stop_serve() {
  kill "-$1" "$SERVE_PID"
  wait "$SERVE_PID" && RC=0 || RC=$?
}

# Chromium without any traffic off this machine: its own background requests
# (updates, accounts) go to a proxy port where nothing listens, and no name
# but the server's address resolves. Loopback bypasses the proxy.
chromium_run() {
  HOME=$WORK/chromium-home timeout 120 "$CHROMIUM" --headless --disable-gpu --no-sandbox \
    --user-data-dir="$WORK/chromium" --no-first-run --disable-background-networking --disable-component-update \
    --disable-sync --disable-default-apps --disable-extensions --disable-domain-reliability --no-pings \
    --metrics-recording-only --proxy-server=http://127.0.0.1:9 --host-resolver-rules='MAP * ~NOTFOUND , EXCLUDE 127.0.0.1' \
    "$@" 2>>"$WORK/chromium.err"
}

# --- serving -------------------------------------------------------------------------
ARKIV_NOTIFY_COMMAND="cat >> '$WORK/events.jsonl'" start_serve --repo "$(c 0)" serve --listen 127.0.0.1:0 \
  --interval 1 --list-interval 0
pass "serve started: $BASE"
port=${BASE##*:}
run arkiv --repo "$(c 0)" serve --listen "127.0.0.1:$port"
expect_rc 1 "a second serve on the same port"
expect_err_line "cannot listen on 127\.0\.0\.1:$port" "it names the address"
run arkiv --repo "$(c 0)" serve --listen localhost
expect_rc 1 "--listen without a port"
expect_err_line "--listen localhost: no port" "it says what is wrong"

assert_true "the first refresh is published" wait_for_metric '^arkiv_status '
m=$WORK/metrics.txt
assert_file_contains "$m" '^arkiv_status 0$' "arkiv_status 0: all up, backed up, checked, drilled"
for i in 0 1 2; do assert_file_contains "$m" "^arkiv_cloud_up\{cloud=\"c$i\"\} 1$" "c$i is up"; done
assert_file_contains "$m" '^arkiv_repair_debt_objects 0$' "no repair debt"
assert_file_contains "$m" "^arkiv_last_backup_timestamp_seconds\{host=\"[^\"]+\",source=\"[^\"]+:$src\"\} [0-9.e+]+$" \
  "the last backup's time per source"
assert_file_contains "$m" "^arkiv_backup_duration_seconds\{host=\"[^\"]+\",source=\"[^\"]+:$src\"\} [0-9.e+-]+$" \
  "the last backup's duration"
assert_file_contains "$m" '^arkiv_snapshots\{host="[^"]+",source="[^"]+"\} 2$' "two snapshots"
assert_file_contains "$m" '^arkiv_last_job_success\{job="drill",host="[^"]+"\} 1$' "the drill's result"
assert_file_contains "$m" '^arkiv_last_drill_info\{host="[^"]+",without="c2"\} 1$' "the cloud the drill left out"
assert_file_contains "$m" '^arkiv_last_drill_files_verified\{host="[^"]+"\} [1-9][0-9]*$' "the files it verified"
assert_file_contains "$m" '^arkiv_last_drill_estimate_seconds\{host="[^"]+"\} [0-9.e+-]+$' "plan's estimate of it"
assert_file_contains "$m" '^arkiv_cloud_stored_bytes\{cloud="c1"\} [1-9][0-9]*$' "bytes stored on c1"
assert_file_contains "$m" '^arkiv_serve_last_refresh_success 1$' "the refresh succeeded"
assert_file_contains "$m" '^arkiv_store_requests_total\{cloud="c2",op="stat"\} [1-9][0-9]*$' \
  "the probes' requests are counted per cloud"
assert_eq "$(grep -cvE '^(# (HELP|TYPE) .*|[a-z_]+(\{[^}]*\})? -?[0-9.e+-]+|[a-z_]+(\{[^}]*\})? (NaN|\+Inf))$' "$m" || true)" "0" \
  "every line is a comment or NAME{LABELS} VALUE"
assert_eq "$(grep '^# TYPE ' "$m" | sort | uniq -d | wc -l)" "0" "no metric family is declared twice"
parsed=$(/usr/bin/python3 - "$m" <<'EOF'
import sys
from prometheus_client.parser import text_string_to_metric_families
families = list(text_string_to_metric_families(open(sys.argv[1]).read()))
up = {s.labels["cloud"]: s.value for f in families if f.name == "arkiv_cloud_up" for s in f.samples}
print(len(families) > 20, up)
EOF
) || parsed="parser failed"
assert_eq "$parsed" "True {'c0': 1.0, 'c1': 1.0, 'c2': 1.0}" "prometheus_client parses /metrics"

assert_eq "$(http_get /api/status "$WORK/status.json")" "200" "/api/status answers"
assert_eq "$(json_eval "$WORK/status.json" \
  'j["verdict"], [(c["name"], c["up"]) for c in j["clouds"]], len(j["sources"][0]["times_ns"]), sorted(x["kind"] for x in j["jobs"]), j["serve"]["refresh_ok"]')" \
  "('OK', [('c0', True), ('c1', True), ('c2', True)], 2, ['check', 'drill'], True)" \
  "/api/status: verdict, clouds, the two snapshots' times, the jobs"
assert_eq "$(http_get /api/history "$WORK/history.json")" "200" "/api/history answers"
assert_eq "$(json_eval "$WORK/history.json" '[(c["name"], len(c["points"]) > 0) for c in j["clouds"]]')" \
  "[('c0', True), ('c1', True), ('c2', True)]" "/api/history: probe latency per cloud"
assert_eq "$(http_get /healthz "$WORK/healthz")" "200" "/healthz answers"
assert_eq "$(cat "$WORK/healthz")" "ok" "/healthz says ok"
assert_eq "$(http_get /nothing "$WORK/nothing")" "404" "an unknown path is 404"

# The page itself: nothing from elsewhere.
assert_eq "$(http_get / "$WORK/page.html")" "200" "/ answers"
assert_eq "$(grep -oE 'https?://[^"'\''<> )]*' "$WORK/page.html" | grep -vcE '^https?://127\.0\.0\.1[:/]' || true)" "0" \
  "the page names no URL but the server's"
assert_file_lacks "$WORK/page.html" '(src|href|action)=|url\(|@import' "the page loads no script, style, image or font"
curl --noproxy '*' -s -I "$BASE/" >"$WORK/headers"
assert_file_contains "$WORK/headers" "^Content-Security-Policy: default-src 'none'" "and the browser is told to load none"

# --- one cloud down ------------------------------------------------------------------
take_down 2
assert_true "c2 is seen down at the next refresh" wait_for_metric '^arkiv_cloud_up\{cloud="c2"\} 0$'
assert_file_contains "$m" '^arkiv_status 1$' "arkiv_status 1 (WARNING)"
assert_file_contains "$m" '^arkiv_cloud_up\{cloud="c0"\} 1$' "c0 is still up"
assert_file_contains "$m" '^arkiv_cloud_probe_errors_recent\{cloud="c2"\} [1-9][0-9]*$' "c2's failed probes are counted"

# What a person sees: Chromium loads the page, runs its script (and a poll of
# the API: virtual time), and dumps the DOM.
run chromium_run --virtual-time-budget=3000 --log-net-log="$WORK/netlog.json" --dump-dom "$BASE/"
expect_rc 0 "chromium dumps the page"
cp "$OUT" "$WORK/dom.html"
shown=$(python3 - "$WORK/dom.html" <<'EOF'
import re, sys
from html.parser import HTMLParser
dom = open(sys.argv[1]).read()
class Text(HTMLParser):
    def __init__(self):
        super().__init__(); self.parts = []; self.skip = 0
    def handle_starttag(self, tag, attrs): self.skip += tag in ("script", "style")
    def handle_endtag(self, tag): self.skip -= tag in ("script", "style")
    def handle_data(self, data):
        if not self.skip: self.parts.append(data)
t = Text(); t.feed(dom); text = " ".join(" ".join(t.parts).split())
dom = re.sub(r"<script>.*?</script>", "", dom, flags=re.S)  # what is shown, not the code that shows it
verdict = re.search(r'data-verdict="(\w+)"', dom)
print("verdict", verdict.group(1) if verdict else None)
print("banner", "WARNING cloud c2 does not answer" in text)
for name in ("c0", "c1", "c2"):
    row = re.search(r'<tr class="cloud" data-cloud="%s">(.*?)</tr>' % name, dom)
    print(name, "down" if row and "pill down" in row.group(1) else "up" if row and "pill up" in row.group(1) else None)
def job_ok(kind):
    row = re.search(r'<tr class="job" data-kind="%s">(.*?)</tr>' % kind, dom)
    return bool(row) and 'class="pill ok">ok<' in row.group(1)
print("drill", job_ok("drill"), "check", job_ok("check"))
drill = re.search(r'<tr class="job" data-kind="drill">(.*?)</tr>', dom)
print("drill detail", bool(drill) and bool(re.search(r"without c2 · (\d+) of \1 files verified · .* · plan estimated [0-9.]+s", drill.group(1))))
print("charts", dom.count('class="sparkline"'), len(re.findall(r"<rect [^>]*rx=", dom)), dom.count("<circle"))
print("source", "within the RPO" in text)
EOF
)
assert_eq "$shown" "verdict WARNING
banner True
c0 up
c1 up
c2 down
drill True check True
drill detail True
charts 3 3 2
source True" "the page shows the verdict, the clouds (c2 down), the drill and check, the charts, the source"
# Every request the page made went to the server (Chromium's own background
# requests have no initiator; they went to the dead proxy).
requests=$(python3 - "$WORK/netlog.json" "$BASE" <<'EOF'
import json, sys
log, base = json.load(open(sys.argv[1])), sys.argv[2]
names = {v: k for k, v in log["constants"]["logEventTypes"].items()}
page = [e["params"] for e in log["events"]
        if names.get(e["type"]) == "URL_REQUEST_START_JOB" and e.get("params", {}).get("initiator") == base]
print(len(page) > 0, sorted({p["url"] for p in page if not p["url"].startswith(base + "/")}))
EOF
) || requests="netlog unreadable"
assert_eq "$requests" "True []" "the page's requests (its polls) went to the server only"

screenshot=$OUTPUT_DIR/serve_status.png
rm -f "$screenshot"
run chromium_run --hide-scrollbars --window-size=1200,900 --screenshot="$screenshot" "$BASE/"
expect_rc 0 "chromium takes a screenshot"
assert_eq "$(python3 -c 'import struct,sys; d=open(sys.argv[1],"rb").read(24); print(d[:8] == b"\x89PNG\r\n\x1a\n", struct.unpack(">II", d[16:24]))' "$screenshot" 2>&1)" \
  "True (1200, 900)" "the screenshot is a 1200x900 PNG"
echo "screenshot: $screenshot"

# --- every cloud down: CRITICAL, restores impossible ------------------------------
take_down 0
take_down 1
assert_true "c0 and c1 are seen down too" wait_for_metric '^arkiv_cloud_up\{cloud="c0"\} 0$'
assert_file_contains "$m" '^arkiv_status 2$' "arkiv_status 2 (CRITICAL)"
assert_eq "$(http_get /api/status "$WORK/status.json")" "200" "/api/status answers"
assert_eq "$(json_eval "$WORK/status.json" 'j["verdict"] + " | " + j["findings"][0]["message"]')" \
  "CRITICAL | restore impossible now: 0 of 3 clouds answer, 2 needed" "the finding says restores are impossible"
bring_back 0
bring_back 1
bring_back 2

# --- a refresh that fails: CRITICAL, the last facts kept, the server goes on ---------
# Every cloud's snapshots/ made unlistable (a symlink to itself: ELOOP).
for i in 0 1 2; do
  mv "$WORK/clouds/c$i/snapshots" "$WORK/clouds/c$i/snapshots.away"
  ln -s snapshots "$WORK/clouds/c$i/snapshots"
done
assert_true "a failed refresh is published" wait_for_metric '^arkiv_serve_last_refresh_success 0$'
assert_file_contains "$m" '^arkiv_status 2$' "arkiv_status 2 (CRITICAL)"
assert_file_lacks "$m" '^arkiv_cloud_up' "no stale cloud facts in the metrics"
assert_file_contains "$m" '^arkiv_serve_refresh_failures_total [1-9][0-9]*$' "the failures are counted"
assert_eq "$(http_get /api/status "$WORK/status.json")" "200" "/api/status still answers"
assert_eq "$(json_eval "$WORK/status.json" 'j["verdict"] + " | " + j["findings"][0]["message"][:32] + " | " + str(len(j["clouds"]))')" \
  "CRITICAL | the status could not be gathered | 3" "the failure is the finding; the last facts are kept for the page"
run chromium_run --dump-dom "$BASE/"
assert_file_contains "$OUT" "the status could not be gathered" "the page shows the failure"
assert_file_contains "$OUT" "The facts below were gathered" "and the age of the facts it still shows"
assert_true "serve is still running" kill -0 "$SERVE_PID"
assert_eq "$(grep -c 'could not be gathered' "$WORK/serve.err")" "1" "the failure is logged once, not at every refresh"
for i in 0 1 2; do
  rm "$WORK/clouds/c$i/snapshots"
  mv "$WORK/clouds/c$i/snapshots.away" "$WORK/clouds/c$i/snapshots"
done
assert_true "repaired: the next refresh succeeds" wait_for_metric '^arkiv_serve_last_refresh_success 1$'
assert_file_contains "$m" '^arkiv_status 0$' "arkiv_status 0 again"

events=$(python3 -c 'import json,sys; print(" ".join(json.loads(l)["event"] + ":" + json.loads(l)["cloud"] for l in open(sys.argv[1])))' \
  "$WORK/events.jsonl" 2>&1 || true)
assert_eq "$events" "cloud_down:c2 cloud_down:c0 cloud_down:c1 cloud_up:c0 cloud_up:c1 cloud_up:c2" \
  "clouds going down and coming back are notified once each, not at every refresh"

stop_serve TERM
cp "$WORK/serve.err" "$WORK/serve1.err"
expect_rc 0 "SIGTERM stops serve"
assert_file_contains "$WORK/serve.out" '^stopped$' "it says it stopped"
assert_file_lacks "$WORK/serve.err" 'terminate called|Segmentation|Aborted' "no crash"

# SIGINT too, and a refresh interval longer than the test: the signal does not wait for it.
start_serve --repo "$(c 2)" serve --listen 127.0.0.1:0 --interval 1h
assert_true "the second serve refreshes at once" wait_for_metric '^arkiv_status 0$'
stop_serve INT
expect_rc 0 "SIGINT stops serve"

finish
