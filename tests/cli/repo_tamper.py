"""Forges objects in a local arkiv repository with its password, as a buggy,
newer or malicious writer holding the key could (tests only).

Usage: python3 repo_tamper.py REPO PASSWORD ACTION [ARGS]
  config-version N    rewrites `config` with "version": N (sealed again)
  snapshot-twin       adds a copy of the newest-named snapshot, sealed again
                      until its id shares the first 4 hex digits with the
                      original; prints that prefix

Formats: docs/design.md §3 (sealing), §4 (key files), sealed files
(src/repo/sealed_file.h): AES-256-GCM(version 1 || compression 0 || u64 size
LE || payload), associated data "arkiv <kind>".
"""
import base64
import glob
import hashlib
import json
import os
import struct
import subprocess
import sys

from cryptography.hazmat.primitives.ciphers.aead import AESGCM


def master_key(repo, password):
    for path in glob.glob(os.path.join(repo, "keys", "*")):
        k = json.load(open(path))
        wrapping = hashlib.scrypt(password.encode(), salt=base64.b64decode(k["salt"]), n=k["n"], r=k["r"],
                                  p=k["p"], maxmem=2**31 - 1, dklen=32)
        data = base64.b64decode(k["data"])
        try:
            plain = AESGCM(wrapping).decrypt(data[:12], data[12:], b"arkiv key")
        except Exception:
            continue
        return base64.b64decode(json.loads(plain)["encryption"])
    sys.exit("no key file opens with that password")


def open_sealed(key, kind, sealed):
    framed = AESGCM(key).decrypt(sealed[:12], sealed[12:], b"arkiv " + kind.encode())
    assert framed[0] == 1
    if framed[1] == 0:
        return framed[10:]
    return subprocess.run(["zstd", "-dc"], input=framed[10:], stdout=subprocess.PIPE, check=True).stdout


def seal(key, kind, plain):
    framed = bytes([1, 0]) + struct.pack("<Q", len(plain)) + plain
    nonce = os.urandom(12)
    return nonce + AESGCM(key).encrypt(nonce, framed, b"arkiv " + kind.encode())


def main():
    repo, password, action = sys.argv[1:4]
    key = master_key(repo, password)
    if action == "config-version":
        path = os.path.join(repo, "config")
        config = json.loads(open_sealed(key, "config", open(path, "rb").read()))
        config["version"] = int(sys.argv[4])
        open(path, "wb").write(seal(key, "config", json.dumps(config).encode()))
    elif action == "snapshot-twin":
        path = sorted(glob.glob(os.path.join(repo, "snapshots", "*")))[-1]
        original = os.path.basename(path)
        plain = open_sealed(key, "snapshot", open(path, "rb").read())
        while True:
            sealed = seal(key, "snapshot", plain)
            twin = hashlib.sha256(sealed).hexdigest()
            if twin[:4] == original[:4] and twin != original:
                break
        open(os.path.join(repo, "snapshots", twin), "wb").write(sealed)
        print(original[:4])
    else:
        sys.exit("unknown action " + action)


main()
