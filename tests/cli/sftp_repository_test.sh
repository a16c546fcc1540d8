#!/usr/bin/env bash
# End to end over SFTP: init, backup, check and restore with the repository on
# a throwaway OpenSSH sshd on 127.0.0.1 (start_sshd: needs root and /usr/sbin/sshd);
# an unknown host key stops arkiv before anything is sent.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/cloud_servers.sh"
if ! have_sshd; then
  echo "skipped: needs root and /usr/sbin/sshd"
  exit 0
fi
export ARKIV_PASSWORD=correct-horse
start_sshd || finish

mkdir -p "$WORK/repo" "$WORK/source/sub"
export ARKIV_REPOSITORY
ARKIV_REPOSITORY=$(sftp_url "$WORK/repo")
random_file "$WORK/source/random.bin" 3000000
echo "hello over sftp" >"$WORK/source/sub/hello.txt"

run arkiv init --kdf-cost 10
expect_rc 0 "init over SFTP"
run arkiv backup "$WORK/source"
expect_rc 0 "backup over SFTP"
run arkiv check --read-data
expect_rc 0 "check --read-data over SFTP"
run arkiv restore latest --target "$WORK/restore" --verify
expect_rc 0 "restore --verify over SFTP"
assert_same_tree "$WORK/source" "$WORK/restore/source" "restore over SFTP"
assert_eq "$(find "$WORK/repo" -name '.arkiv-tmp-*' | wc -l)" 0 "no temporary files left in the repository"

# An unknown host key stops arkiv before anything is sent.
: >"$WORK/empty_known_hosts"
run arkiv --repo "sftp://root@127.0.0.1:$SSHD_PORT$WORK/repo2?key=$SSHD_KEY&known_hosts=$WORK/empty_known_hosts" init
expect_rc 1 "init against an unknown host key"
assert_file_contains "$ERR" "not in $WORK/empty_known_hosts" "the error names the known_hosts file"
assert_true "nothing was created on the server" test ! -e "$WORK/repo2"

finish
