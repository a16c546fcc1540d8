#!/usr/bin/env bash
# `arkiv drill`: restore without some clouds, every file verified; passes
# when the others can serve, fails (exit 1, never silently) when they
# cannot or when what they serve is damaged; records the result for
# `arkiv status`.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
export ARKIV_PASSWORD=drill-pass
export ARKIV_CACHE_DIR=$WORK/cache
unset ARKIV_REPOSITORY

src=$WORK/src
mkdir -p "$src/many"
random_file "$src/big.bin" $((3 * 1024 * 1024))
for i in $(seq 1 40); do text_file "$src/many/f$i.txt" $((1000 + i * 300)); done

c() { echo "file://$WORK/clouds/c$1"; }
mkdir -p "$WORK/clouds"
run arkiv init --kdf-cost 10 --pack-size 1 --cloud "c0=$(c 0)" --cloud "c1=$(c 1)" --cloud "c2=$(c 2)" --policy ec:2+1
expect_rc 0 "init ec:2+1"
run arkiv --repo "$(c 0)" backup "$src"
expect_rc 0 "backup"
run arkiv --repo "$(c 0)" check
expect_rc 0 "check"

run arkiv --repo "$(c 0)" drill --without c1
expect_rc 0 "drill without c1"
assert_file_contains "$OUT" "^PASSED" "the drill passes"
assert_file_contains "$OUT" "cloud c1 +left out, not contacted" "c1 is said to be left out"
run arkiv --repo "$(c 2)" --json drill --without c0
expect_rc 0 "drill --json without c0"
assert_eq "$(json_eval "$OUT" 'j["ok"] and j["files_verified"] == j["files_selected"] == j["files_in_snapshot"] == 41')" \
  "True" "every one of the 41 files restored and verified"
assert_eq "$(json_eval "$OUT" 'sorted(c["name"] for c in j["clouds"] if c["requests"] > 0)')" "['c1', 'c2']" \
  "only c1 and c2 served the drill"
assert_eq "$(json_eval "$OUT" 'j["bytes_downloaded"] > 0 and j["seconds"] > 0')" "True" "bytes and time measured"
assert_eq "$(json_eval "$OUT" 'j["price_table"] != "" and j["cost_usd"] == 0 and {c["kind"] for c in j["clouds"]} == {"local"}')" \
  "True" "the restore is priced by the table (local folders cost nothing)"

# The drill's time beside plan's estimate for the same reads. With speeds
# set in the config file for c1 and c2 (and c0 left out), the model of
# docs/planning.md gives: c1 serves its own half of the data plus, taking
# turns with c2, the rebuild of c0's half; so c1 reads all `bytes` and
# `requests` (one per tree, one per run of a pack), and the estimate is
# bytes/rate + requests*latency/connections.
cat > "$WORK/plan.toml" <<EOF
[clouds.c0]
url = "$(c 0)"
[clouds.c1]
url = "$(c 1)"
[clouds.c1.plan]
download_rate = "10MiB"
latency = "20ms"
[clouds.c2]
url = "$(c 2)"
[clouds.c2.plan]
download_rate = "10MiB"
latency = "20ms"
EOF
run arkiv --config "$WORK/plan.toml" --repo "$(c 2)" --json drill --without c0
expect_rc 0 "drill with configured speeds"
assert_eq "$(json_eval "$OUT" 'j["estimate"]["speeds"]')" "configured" "the estimate says its speeds are configured"
assert_eq "$(json_eval "$OUT" 'abs(j["estimate"]["seconds"] - (j["read"]["bytes"] / (10 * 2**20) + j["read"]["requests"] * 0.020 / 8)) < 1e-6 * j["estimate"]["seconds"]')" \
  "True" "the estimate is the model's for what the drill read"
assert_eq "$(json_eval "$OUT" 'abs(j["estimate"]["measured_over_estimate"] - j["seconds"] / j["estimate"]["seconds"]) < 1e-9')" \
  "True" "measured over estimate"
assert_eq "$(json_eval "$OUT" 'j["read"]["blobs"] > 41 and j["read"]["bytes"] > 3 * 2**20 and 1 < j["read"]["requests"] < j["read"]["blobs"]')" "True" \
  "the reads cover every file's blobs and the trees, in fewer requests than blobs"
assert_eq "$(json_eval "$OUT" 'all(c["bytes_per_second"] > 0 for c in j["clouds"])')" "True" \
  "each cloud's observed rate is reported"
run arkiv --repo "$(c 0)" drill --without c1
assert_file_contains "$OUT" "plan's estimate: .* from assumed default speeds; measured" \
  "without a config the estimate says its speeds are assumed"
printf '[clouds.c1]\nurl = "%s"\n[clouds.c1.plan]\ndownload_rat = "10MiB"\n' "$(c 1)" > "$WORK/bad.toml"
run arkiv --config "$WORK/bad.toml" --repo "$(c 0)" drill
expect_rc 1 "a misspelt plan key is refused"
expect_err_line "bad.toml:4:1: .*download_rat" "naming the file, the line and the key"

run arkiv --repo "$(c 0)" drill --without c1 --target "$WORK/kept"
expect_rc 0 "drill --target keeps the files"
assert_same_tree "$src" "$WORK/kept/src" "the kept restore"
run arkiv --repo "$(c 0)" drill --target "$WORK/kept"
expect_rc 1 "a non-empty --target is refused"
run arkiv --repo "$(c 0)" --json drill --sample 30
expect_rc 0 "drill --sample 30"
assert_eq "$(json_eval "$OUT" '0 < j["files_selected"] < j["files_in_snapshot"] and j["files_verified"] == j["files_selected"]')" \
  "True" "a sample restores some of the files, all verified"

run arkiv --repo "$(c 0)" drill --without c1 --without c2
expect_rc 1 "drill without two of three clouds fails"
assert_file_contains "$ERR" "c1|c2" "the error names the missing clouds"
run arkiv --repo "$(c 1)" drill --without c1
expect_rc 1 "--repo through a left-out cloud is refused"
expect_err_line "--repo is cloud c1, which the drill leaves out" "and says why"
run arkiv --repo "$(c 0)" drill --without c9
expect_rc 1 "an unknown cloud is refused"

# Damage the data on c0 and leave c1 out: c2 alone cannot serve, so the
# drill fails, naming what could not be restored.
for f in $(find "$WORK/clouds/c0/data" -type f -size +100k | head -3); do
  printf 'XXXX' | dd of="$f" bs=1 seek=200 conv=notrunc status=none
done
run arkiv --repo "$(c 2)" drill --without c1
expect_rc 1 "drill with c0 damaged and c1 left out fails"
assert_file_contains "$OUT" "^FAILED" "FAILED is said"
run arkiv --repo "$(c 2)" --json status
assert_eq "$(json_eval "$OUT" '[x["ok"] for x in j["jobs"] if x["kind"] == "drill"]')" "[False]" \
  "status shows the failed drill"
assert_eq "$(json_eval "$OUT" 'j["verdict"]')" "CRITICAL" "a failed drill is CRITICAL"

finish
