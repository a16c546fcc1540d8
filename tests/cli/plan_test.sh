#!/usr/bin/env bash
# `arkiv plan` (docs/planning.md) on local folders standing in for clouds:
# the JSON report agrees with the closed forms of the models and with what
# the clouds really hold; candidate policies, hypothetical clouds, per-cloud
# overrides, what-if plans without a repository; bad input is refused with
# one clear line; --measure is read-only; a cloud that is out is a warning.
# (Estimated against measured restore times: bench/plan_vs_restore.sh.)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
export ARKIV_PASSWORD=plan-pass
unset ARKIV_REPOSITORY

src=$WORK/src
mkdir -p "$src/docs"
random_file "$src/a.bin" $((6 * 1024 * 1024 + 3))
random_file "$src/b.bin" $((2 * 1024 * 1024))
for i in 1 2; do text_file "$src/docs/doc-$i.txt" $((i * 300000)); done

run arkiv init --kdf-cost 10 --pack-size 2 --cloud c0="file://$WORK/c0" --cloud c1="file://$WORK/c1" \
  --cloud c2="file://$WORK/c2" --policy ec:2+1
expect_rc 0 "init ec:2+1 over three folders"
repo=file://$WORK/c1
run arkiv --repo "$repo" backup "$src"
expect_rc 0 "backup"

# py EXPR: evaluates EXPR with `j` the JSON report in $OUT and `P` the
# policies by label; prints the result.
py() {
  python3 -c '
import json, math, sys
from itertools import product
j = json.load(open(sys.argv[1]))
P = {p["label"]: p for p in j["policies"]}
C = {c["name"]: c for c in j["clouds"]}
def tail(ps, k):  # P(at least k of independent events), by enumeration
    total = 0.0
    for outcome in product([0, 1], repeat=len(ps)):
        if sum(outcome) >= k:
            total += math.prod(p if o else 1 - p for p, o in zip(ps, outcome))
    return total
print(eval(sys.argv[2]))' "$OUT" "$1"
}
check() {  # check MESSAGE EXPR: EXPR must be True
  local got
  got=$(py "$2" 2>&1) || true
  if [[ $got == True ]]; then pass "$1"; else fail "$1 (got: $got)"; fi
}

# --- the report for the repository ------------------------------------------
run arkiv --repo "$repo" plan --json
expect_rc 0 "plan --json"
check "price table date" 'j["price_table_date"] == "2026-09"'
check "default candidates: current first, then replicate over 2 and 3" \
  '[p["label"] for p in j["policies"]] == ["ec:2+1", "replicate×2", "replicate×3"] and j["policies"][0]["current"]'
check "every policy has every field" 'all(k in p for p in j["policies"] for k in ("storage_factor", "monthly_cost",
  "p_loss_per_year", "p_restore_can_start", "p_write_quorum", "restore_all_up", "restore_fastest_lost",
  "fastest_plan", "cheapest_within_rto", "write_quorum"))'
check "clouds are guessed local, with the default loss probability" \
  'all(c["kind"] == "local" and c["loss_per_year"] == 0.05 and not c["measured"] for c in j["clouds"])'
check "ec:2+1 stores 1.5x within shard overhead" '1.5 <= P["ec:2+1"]["storage_factor"] <= 1.51'
check "P(loss) of ec:2+1 is 3p^2 - 2p^3" \
  'abs(P["ec:2+1"]["p_loss_per_year"] - (3 * 0.05**2 - 2 * 0.05**3)) < 1e-15'
check "P(loss) of replicate over 2 and 3 is p^2 and p^3" \
  'abs(P["replicate×2"]["p_loss_per_year"] - 0.05**2) < 1e-15 and abs(P["replicate×3"]["p_loss_per_year"] - 0.05**3) < 1e-15'
check "P(restore can start) of ec:2+1 is a^3 + 3a^2(1-a)" \
  'abs(P["ec:2+1"]["p_restore_can_start"] - (0.99**3 + 3 * 0.99**2 * 0.01)) < 1e-12'
check "write quorum of the repository is 2 of 3" 'P["ec:2+1"]["write_quorum"] == 2'
check "restore reads the data shards on c0 and c1" 'P["ec:2+1"]["restore_all_up"]["clouds"] == ["c0", "c1"]'
check "with c0 lost, c1 and c2 decode" \
  'P["ec:2+1"]["fastest_cloud"] == "c0" and P["ec:2+1"]["restore_fastest_lost"]["clouds"] == ["c1", "c2"]'
check "losing a data cloud doubles the ec:2+1 restore time (equal clouds)" \
  'abs(P["ec:2+1"]["restore_fastest_lost"]["seconds"] / P["ec:2+1"]["restore_all_up"]["seconds"] - 2) < 1e-9'
check "replicas of equal read_cost are read in turn" 'P["replicate×3"]["restore_all_up"]["clouds"] == ["c0", "c1", "c2"]'
check "no RTO, no cheapest plan" 'P["ec:2+1"]["cheapest_within_rto"] is None'
# A restore reads the snapshot's blobs: at least the incompressible files,
# at most everything plus sealing overhead.
total=$(du -sb --apparent-size "$src" | cut -f1)
check "restore size is the snapshot's stored blobs" \
  "$((6 * 1024 * 1024 + 2 * 1024 * 1024)) < j['restore']['bytes'] < $total + 200000 and j['restore']['source'].startswith('latest snapshot')"
# What the clouds hold was listed: it matches the folders byte for byte.
for i in 0 1 2; do
  data=$(find "$WORK/c$i/data" -type f -printf '%s\n' | awk '{s += $1} END {print s}')
  check "stored data on c$i is what the folder holds" "P['ec:2+1']['stored'][$i]['data'] == $data"
done
check "the candidates' storage is derived: replicate stores the data twice" \
  'abs(P["replicate×2"]["storage_factor"] - 2) < 1e-12'

run arkiv --repo "$repo" plan
expect_rc 0 "plan as text"
assert_file_contains "$OUT" "default table of 2026-09" "text names the price table's date"
assert_file_contains "$OUT" "ec:2\\+1 \\(current\\)" "text shows the current policy"
assert_file_contains "$OUT" "P\\(data loss\\) per year" "text has the reliability rows"
assert_file_contains "$OUT" "restore, fastest lost" "text has the restore-time rows"

# --- candidates, hypothetical clouds, overrides ------------------------------
run arkiv --repo "$repo" plan --json --policy ec:3+2 --assume-clouds 2 --rto 1h
expect_rc 0 "plan --policy ec:3+2 --assume-clouds 2"
check "--policy replaces the default candidates" '[p["label"] for p in j["policies"]] == ["ec:2+1", "ec:3+2"]'
check "ec:3+2 uses the two assumed clouds" \
  'P["ec:3+2"]["clouds"] == ["c0", "c1", "c2", "assumed1", "assumed2"] and C["assumed2"]["assumed"]'
check "P(loss) of ec:3+2 is the binomial tail" \
  'abs(P["ec:3+2"]["p_loss_per_year"] - sum(math.comb(5, i) * 0.05**i * 0.95**(5 - i) for i in range(3, 6))) < 1e-15'
check "ec:3+2 stores 5/3 within shard overhead" '5 / 3 <= P["ec:3+2"]["storage_factor"] <= 5 / 3 + 0.01'
check "an RTO of an hour is met for free on own hardware" \
  'P["ec:2+1"]["cheapest_within_rto"]["cost"]["total"] == 0 and j["settings"]["rto_seconds"] == 3600'

run arkiv --repo "$repo" plan --json --set c0.loss_per_year=0.2 --set c1.loss_per_year=0.1 --set c2.kind=b2
expect_rc 0 "plan with per-cloud overrides"
check "overrides reach the profiles, kind included" \
  'C["c0"]["loss_per_year"] == 0.2 and C["c1"]["loss_per_year"] == 0.1 and C["c2"]["kind"] == "b2"'
check "unequal P(loss) matches enumeration of every outcome" \
  'abs(P["ec:2+1"]["p_loss_per_year"] - tail([0.2, 0.1, 0.01], 2)) < 1e-15'

run arkiv --repo "$repo" plan --json --common-cause 0.3
check "a common cause raises P(loss)" 'P["ec:2+1"]["p_loss_per_year"] > 3 * 0.05**2 - 2 * 0.05**3'

# --- refused input -----------------------------------------------------------
run arkiv --repo "$repo" plan --policy raid5
expect_rc 1 "bad --policy"
expect_err_line "policy 'raid5'.*replicate.*ec:K\\+M" "bad --policy names the accepted forms"
run arkiv --repo "$repo" plan --policy ec:3+2
expect_rc 1 "--policy needing more clouds"
expect_err_line "ec:3\\+2 needs 5 clouds, there are 3.*--assume-clouds" "says how many clouds and what to do"
run arkiv --repo "$repo" plan --set c9.loss_per_year=0.1
expect_rc 1 "--set on an unknown cloud"
expect_err_line "no cloud named c9 \\(clouds: c0, c1, c2\\)" "names the clouds"
run arkiv --repo "$repo" plan --set c0.availability=1.5
expect_rc 1 "--set out of range"
expect_err_line "cloud c0: availability=1.5: a probability" "names the cloud, key and value"
run arkiv --repo "$repo" plan --set c0.prices=1
expect_rc 1 "--set of an unknown key"
expect_err_line "unknown cloud setting 'prices'" "names the key"
run arkiv --repo "$repo" plan --rto soon
expect_rc 1 "bad --rto"
expect_err_line "--rto: 'soon' is not a duration" "says what a duration looks like"

# --- --measure is read-only -------------------------------------------------
listing() { (cd "$WORK" && find c0 c1 c2 -type f -printf '%P %s %T@\n' | LC_ALL=C sort); }
before=$(listing)
run arkiv --repo "$repo" plan --json --measure
expect_rc 0 "plan --measure"
check "every cloud measured" 'all(c["measured"] and c["download_rate"] > 0 for c in j["clouds"])'
assert_eq "$(listing)" "$before" "--measure wrote, changed or removed nothing"

# --- a cloud that is out ------------------------------------------------------
mv "$WORK/c2" "$WORK/c2.away" && : >"$WORK/c2"
run arkiv --repo "$repo" plan --json
expect_rc 3 "plan with c2 out: done with a warning"
check "the warning names c2" 'any("cloud c2 does not answer" in w for w in j["warnings"])'
check "the plan falls back to derived storage" '1.5 <= P["ec:2+1"]["storage_factor"] <= 1.51'
rm -f "$WORK/c2" && mv "$WORK/c2.away" "$WORK/c2"

# --- a single-store repository ------------------------------------------------
run arkiv init --kdf-cost 10 --repo "$WORK/single"
run arkiv --repo "$WORK/single" backup "$src"
run arkiv --repo "$WORK/single" plan --json
expect_rc 0 "plan on a single-store repository"
check "one copy: losing it is losing everything" \
  '[p["label"] for p in j["policies"]] == ["replicate×1"] and j["policies"][0]["restore_fastest_lost"] is None and j["policies"][0]["p_loss_per_year"] == 0.05'
run arkiv --repo "$WORK/single" plan --json --assume-clouds 2
check "--assume-clouds brings the usual candidates" \
  '[p["label"] for p in j["policies"]] == ["replicate×1", "replicate×2", "replicate×3", "ec:2+1"]'

# --- what-if without a repository ---------------------------------------------
run arkiv plan --json --size 1TiB --cloud aws=s3-standard \
  --cloud "b2=s3://bkt/arkiv?endpoint=https://s3.us-west-002.backblazeb2.com"
expect_rc 0 "what-if plan"
check "kind from the URL" 'C["b2"]["kind"] == "b2" and C["aws"]["kind"] == "s3-standard"'
check "replicate over S3 and B2 costs 1 TiB at 0.023 + 0.006 a month" \
  'abs(P["replicate×2"]["monthly_cost"]["storage"] - 1024 * (0.023 + 0.006)) < 1e-9'
check "and loses data with p^2" 'abs(P["replicate×2"]["p_loss_per_year"] - 0.01**2) < 1e-15'
check "restore egress: S3 beyond its free 100 GB, B2 within 3x stored" \
  'abs(P["replicate×2"]["restore_all_up"]["cost"]["egress"] - (512 - 100) * 0.09) < 1e-9'
run arkiv plan --cloud aws=s3-standard
expect_rc 1 "what-if without --size"
expect_err_line "needs --size BYTES" "says what is missing"
run arkiv plan --size 1TiB --cloud aws=tape
expect_rc 1 "what-if with an unknown kind"
expect_err_line "cloud aws: unknown cloud kind 'tape' \\(known: s3-standard" "names the known kinds"

finish
