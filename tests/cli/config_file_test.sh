#!/usr/bin/env bash
# The TOML config file: a repository over three local folders (ec:2+1)
# created and used from the config file alone (--config, ARKIV_CONFIG, the
# XDG default), byte-identical restores; the command line and the
# environment win over it; bad files stop every command with
# FILE:LINE:COLUMN. Then three real stand-in clouds — s3rver (checks SigV4),
# moto and Azurite — whose credentials are only in the config file while the
# environment holds wrong ones: init, backup, restore work, and no secret of
# the config file appears in any output (-v, --json) or in the repository.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/cloud_servers.sh"
unset ARKIV_REPOSITORY ARKIV_PASSWORD ARKIV_CONFIG
export XDG_CONFIG_HOME=$WORK/xdg  # never the user's own config file
export ARKIV_RETRY_MAX_ATTEMPTS=2

src=$WORK/src
mkdir -p "$src/docs"
random_file "$src/one.bin" $((3 * 1024 * 1024 + 17))
text_file "$src/docs/notes.txt" 200000

restore_and_compare() {  # target message ARKIV-ARGS...
  local target=$1 message=$2
  shift 2
  rm -rf "$target"
  run arkiv "$@" restore latest --target "$target"
  expect_rc 0 "$message: restore"
  if [[ $RC -eq 0 ]]; then assert_same_tree "$src" "$target/src" "$message"; fi
}

# --- three local folders, from the config file only ----------------------------
mkdir -p "$WORK/etc"
echo 'config-file-password' >"$WORK/etc/pass"
cfg=$WORK/etc/config.toml
cat >"$cfg" <<EOF
# clouds in shard order: not the order of their names
password_file = "pass"          # relative to this file
policy = "ec:2+1"

[clouds.zulu]
url = "file://$WORK/zulu"

[clouds.alpha]
url = "file://$WORK/alpha"

[clouds.mike]
url = "file://$WORK/mike"
read_cost = 2.5
EOF
run arkiv --config "$cfg" init --kdf-cost 10 --pack-size 1
expect_rc 0 "init ec:2+1 over three folders from the config file alone"
run arkiv --config "$cfg" --json cloud list
expect_rc 0 "cloud list with --config only"
assert_eq "$(json_eval "$OUT" '" ".join(c["name"] for c in j["clouds"])')" "zulu alpha mike" \
  "the clouds are in the order of the file"
assert_eq "$(json_eval "$OUT" 'j["policy"], j["clouds"][2]["read_cost"]')" "('ec:2+1', 2.5)" \
  "policy and read_cost come from the file"
run arkiv --config "$cfg" backup "$src"
expect_rc 0 "backup with only --config"
for cloud in zulu alpha mike; do
  assert_true "cloud $cloud holds data shards" test -n "$(find "$WORK/$cloud/data" -type f | head -1)"
done
restore_and_compare "$WORK/r1" "--config only" --config "$cfg"
ARKIV_CONFIG=$cfg restore_and_compare "$WORK/r2" "ARKIV_CONFIG only"
mkdir -p "$XDG_CONFIG_HOME/arkiv"
cp "$cfg" "$XDG_CONFIG_HOME/arkiv/config.toml"
echo 'config-file-password' >"$XDG_CONFIG_HOME/arkiv/pass"
restore_and_compare "$WORK/r3" "the default file in \$XDG_CONFIG_HOME"
rm -rf "$XDG_CONFIG_HOME"

# The command line and the environment win over the file.
run arkiv --config "$cfg" --repo "$WORK/nothing-here" snapshots
expect_rc 10 "--repo wins over the config's first cloud"
ARKIV_REPOSITORY=$WORK/nothing-here run arkiv --config "$cfg" snapshots
expect_rc 10 "ARKIV_REPOSITORY wins over the config's first cloud"
run arkiv --config "$cfg" --repo "file://$WORK/mike" snapshots
expect_rc 0 "--repo with another cloud's URL opens the same repository"
echo wrong >"$WORK/wrong-pass"
run arkiv --config "$cfg" --password-file "$WORK/wrong-pass" snapshots
expect_rc 12 "--password-file wins over the config's password_file"
ARKIV_PASSWORD=wrong run arkiv --config "$cfg" snapshots
expect_rc 12 "ARKIV_PASSWORD wins over the config's password_file"
run arkiv --config "$cfg" init --kdf-cost 10 --policy replicate
expect_rc 1 "init again on the same clouds (from the file, --policy from the flag) is refused"
run arkiv --config "$cfg" --repo "$WORK/single" init --kdf-cost 10
expect_rc 1 "init with clouds in the config and an unrelated --repo"
expect_err_line "names clouds, but the repository given" "it says why"

# A single-store repository from `repository`, with `~` in the password file.
mkdir -p "$WORK/home"
echo 'home-password' >"$WORK/home/.arkiv-pass"
cat >"$WORK/single.toml" <<EOF
repository = "$WORK/single"
password_file = "~/.arkiv-pass"
EOF
HOME=$WORK/home run arkiv --config "$WORK/single.toml" init --kdf-cost 10
expect_rc 0 "init a single store from repository = and password_file = ~/..."
HOME=$WORK/home run arkiv --config "$WORK/single.toml" backup "$src"
expect_rc 0 "backup to it"
HOME=$WORK/home restore_and_compare "$WORK/r4" "single store from the config" --config "$WORK/single.toml"
assert_true "it is a plain repository at the path" test -f "$WORK/single/config"

# --- bad config files -------------------------------------------------------------
bad=$WORK/bad/config.toml
mkdir -p "$WORK/bad"
printf 'policy = "ec:2+1"\n\n[clouds.a]\nurl = "file:///x"\n  acess_key = "x"\n' >"$bad"
run arkiv --config "$bad" snapshots
expect_rc 1 "an unknown key stops the command"
expect_err_line "^arkiv: $bad:5:3: unknown key 'acess_key' in \[clouds\.a\]" "named with file:line:column"
printf 'repository = "/x"\nwrite_quorum = "two"\n' >"$bad"
run arkiv --config "$bad" --json snapshots
expect_rc 1 "a value of the wrong type"
assert_file_contains "$ERR" "config.toml:2:16: write_quorum must be an integer" "the wrong type is named"
assert_eq "$(json_last "$OUT" 'j["message_type"], j["exit_code"]')" "('error', 1)" "--json gets an error object"
printf 'repository = "/x\n' >"$bad"
run arkiv --config "$bad" snapshots
expect_rc 1 "a TOML syntax error"
expect_err_line "config.toml:1:[0-9]+: " "the syntax error is placed"
printf '[clouds.a]\nurl = "file:///x"\npolicy = "ec:2+1"\n' >"$bad"
ARKIV_CONFIG=$bad run arkiv snapshots
expect_rc 1 "a misplaced key through ARKIV_CONFIG"
expect_err_line "config.toml:3:1: unknown key 'policy' in \[clouds\.a\]" "the misplaced key is named"
run arkiv --config "$WORK/missing.toml" snapshots
expect_rc 1 "a missing --config file"
expect_err_line "missing\.toml" "the missing file is named"
run arkiv --config "$bad" snapshots --help
expect_rc 0 "--help works whatever the config file says"
mkdir -p "$XDG_CONFIG_HOME/arkiv"
printf 'bogus = 1\n' >"$XDG_CONFIG_HOME/arkiv/config.toml"
run arkiv --repo "$WORK/single" --password-file "$WORK/home/.arkiv-pass" snapshots
expect_rc 1 "a broken default config file is not ignored"
expect_err_line "xdg/arkiv/config.toml:1:1: unknown key 'bogus'" "the default file is named"
rm -rf "$XDG_CONFIG_HOME"

# --- real servers: credentials only in the config file ------------------------------
MOTO_SECRET='moto-secret-Kp4Xw7-never-printed'
MOTO_KEY_ID='MOTOKEYID7Q2'
start_s3rver || finish
start_moto || finish
start_azurite || finish
WRONG_AZURE_KEY=$(echo -n 'wrong-azure-key-Gh3Vb8' | base64)
export AWS_ACCESS_KEY_ID=WRONGKEYID AWS_SECRET_ACCESS_KEY=wrong-env-secret AWS_DEFAULT_REGION=us-east-1
export AZURE_STORAGE_CONNECTION_STRING="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$WRONG_AZURE_KEY;BlobEndpoint=$AZURITE_ENDPOINT;"
s3rver_url="s3://cfg-bucket/repo?endpoint=http://127.0.0.1:$S3RVER_PORT&region=us-east-1"
moto_url="s3://cfg-bucket/repo?endpoint=http://127.0.0.1:$MOTO_PORT&region=us-east-1"
azure_url="azure://devstoreaccount1/cfg-box/repo?endpoint=$AZURITE_ENDPOINT"
server_config() {  # FILE [S3RVER-SECRET [REPOSITORY]]
  cat >"$1" <<EOF
password_file = "$WORK/etc/pass"
repository = "${3:-$s3rver_url}"
policy = "ec:2+1"

[clouds.s3rver]
url = "$s3rver_url"
access_key_id = "S3RVER"
secret_access_key = "${2:-S3RVER}"

[clouds.moto]
url = "$moto_url"
access_key_id = "$MOTO_KEY_ID"
secret_access_key = "$MOTO_SECRET"

[clouds.azure]
url = "$azure_url"
account_key = "$AZURITE_KEY"
EOF
  chmod 600 "$1"
}
scfg=$WORK/etc/servers.toml
server_config "$scfg"
ALL=$WORK/all-output
: >"$ALL"
logged() {  # runs arkiv -v ARGS, keeping all it printed
  run arkiv -v "$@"
  { echo "=== arkiv -v $*"; cat "$OUT" "$ERR"; } >>"$ALL"
}

logged --config "$scfg" init --kdf-cost 10 --pack-size 1 --create-bucket
expect_rc 0 "init on s3rver, moto and Azurite with the config's keys (the environment's are wrong)"
logged --config "$scfg" backup "$src"
expect_rc 0 "backup with the config's keys"
logged --config "$scfg" --json backup "$src"
expect_rc 0 "backup --json"
logged --config "$scfg" --json cloud list
expect_rc 0 "every cloud answers"
logged --config "$scfg" --json snapshots
expect_rc 0 "snapshots --json"
rm -rf "$WORK/r5"
logged --config "$scfg" restore latest --target "$WORK/r5"
expect_rc 0 "restore with the config's keys"
assert_same_tree "$src" "$WORK/r5/src" "restore from the clouds"
logged --config "$scfg" --repo "$azure_url" --json check --read-data
expect_rc 0 "check --read-data, opened through Azure's URL with the config's key"
logged --config "$scfg" cat clouds
expect_rc 0 "cat clouds"
assert_file_contains "$OUT" '"name":"s3rver"' "the stored cloud set names the clouds"
assert_file_lacks "$OUT" 'access_key|secret|account_key|S3RVER|MOTOKEYID' "the stored cloud set holds no credential"

# Without the config's key for s3rver, the wrong one from the environment is used.
server_config "$WORK/etc/wrong.toml" "not-the-s3rver-secret" "$moto_url"
logged --config "$WORK/etc/wrong.toml" backup "$src"
expect_rc 3 "with a wrong s3rver secret in the config, the backup misses s3rver"
assert_file_contains "$ERR" "cloud s3rver missed" "the backup names s3rver"
logged --config "$WORK/etc/wrong.toml" --json cloud list
expect_rc 3 "cloud list shows s3rver down"
assert_eq "$(json_eval "$OUT" '[c["up"] for c in j["clouds"]]')" "[False, True, True]" "only s3rver is down"

# A config file with secrets that others can read gets a warning.
chmod 644 "$scfg"
logged --config "$scfg" snapshots
expect_rc 0 "snapshots with a world-readable config file"
assert_file_contains "$ERR" "warning: config file .*servers.toml holds credentials and can be read by others" \
  "the world-readable config file is warned about"
chmod 600 "$scfg"
logged --config "$scfg" snapshots
assert_file_lacks "$ERR" "warning" "no warning once it is private"

# No secret of the config file in any output or in the stored repository.
for secret in "$MOTO_SECRET" "$MOTO_KEY_ID" "$AZURITE_KEY" "not-the-s3rver-secret" "wrong-env-secret" \
  "$WRONG_AZURE_KEY" "config-file-password"; do
  if grep -rqF -- "$secret" "$ALL"; then
    fail "a secret appears in the output: ${secret:0:6}..."
    grep -F -- "$secret" "$ALL" | head -3 | sed 's/^/  | /' >&2
  else
    pass "no ${secret:0:6}... in any output"
  fi
  if grep -rqF -- "$secret" "$WORK/s3rver" "$WORK/azurite"; then
    fail "a secret is stored in the repository: ${secret:0:6}..."
  else
    pass "no ${secret:0:6}... in the stored objects"
  fi
done
assert_file_lacks "$ALL" "Signature=|Authorization|SharedKey " "no signature or authorization header in any output"

finish
