#!/usr/bin/env bash
# End to end over SFTP: init, backup, check and restore with the repository on
# a throwaway OpenSSH sshd on 127.0.0.1 (needs root and /usr/sbin/sshd).
# Usage: sftp_repository_test.sh path/to/arkiv
set -euo pipefail
arkiv=$(realpath "$1")
if [ "$(id -u)" != 0 ] || [ ! -x /usr/sbin/sshd ]; then
  echo "skipped: needs root and /usr/sbin/sshd"
  exit 0
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/arkiv-sftp-e2e-XXXXXX")
sshd_pid=
cleanup() {
  if [ -n "$sshd_pid" ]; then
    pkill -KILL -P "$sshd_pid" 2>/dev/null || true
    kill "$sshd_pid" 2>/dev/null || true
    wait "$sshd_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p /run/sshd "$work/repo" "$work/source/sub" "$work/restore"
ssh-keygen -q -t ed25519 -N '' -f "$work/host"
ssh-keygen -q -t ed25519 -N '' -f "$work/client"
cp "$work/client.pub" "$work/authorized_keys"
cat >"$work/sshd_config" <<CONFIG
ListenAddress 127.0.0.1
Port $port
HostKey $work/host
AuthorizedKeysFile $work/authorized_keys
PidFile $work/sshd.pid
AuthenticationMethods publickey
UsePAM no
PermitRootLogin prohibit-password
StrictModes no
Subsystem sftp internal-sftp
ForceCommand internal-sftp
CONFIG
echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$work/host.pub")" >"$work/known_hosts"
/usr/sbin/sshd -D -e -f "$work/sshd_config" 2>"$work/sshd.log" &
sshd_pid=$!
for _ in $(seq 100); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
  sleep 0.1
done

export ARKIV_REPOSITORY="sftp://root@127.0.0.1:$port$work/repo?key=$work/client&known_hosts=$work/known_hosts"
export ARKIV_PASSWORD=correct-horse
head -c 3000000 /dev/urandom >"$work/source/random.bin"
echo "hello over sftp" >"$work/source/sub/hello.txt"

"$arkiv" init
"$arkiv" backup "$work/source"
"$arkiv" check --read-data
"$arkiv" restore latest --target "$work/restore" --verify
diff -r "$work/source" "$work/restore/source"
if find "$work/repo" -name '.arkiv-tmp-*' | grep -q .; then
  echo "temporary files left in the repository" >&2
  exit 1
fi

# An unknown host key stops arkiv before anything is sent.
: >"$work/empty_known_hosts"
if ARKIV_REPOSITORY="sftp://root@127.0.0.1:$port$work/repo2?key=$work/client&known_hosts=$work/empty_known_hosts" \
  "$arkiv" init 2>"$work/err"; then
  echo "init succeeded against an unknown host key" >&2
  exit 1
fi
grep -q "not in $work/empty_known_hosts" "$work/err"
[ ! -e "$work/repo2" ]
echo "sftp repository: ok"
