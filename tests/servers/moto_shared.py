"""moto's S3 server on 127.0.0.1, shared by the test programs of one run.

Usage: python3 moto_shared.py STATE_DIR PORT

ctest runs every test in its own process; starting moto (2-3 s of imports)
for each would dominate the run. Test programs attach instead: under
STATE_DIR/start.lock they read STATE_DIR/port, start this script if no
server answers there, and hold STATE_DIR/users.lock shared while they live.
This server exits once nobody has held users.lock for GRACE seconds,
removing the port file first (under start.lock, so no one attaches to a
server that is going away).
"""
import fcntl
import os
import sys
import time

from moto.server import ThreadedMotoServer

GRACE = 15

state_dir, port = sys.argv[1], int(sys.argv[2])
server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
server.start()

start_fd = os.open(os.path.join(state_dir, "start.lock"), os.O_RDWR | os.O_CREAT, 0o600)
users_fd = os.open(os.path.join(state_dir, "users.lock"), os.O_RDWR | os.O_CREAT, 0o600)
port_path = os.path.join(state_dir, "port")
last_used = time.monotonic()
while True:
    time.sleep(1)
    fcntl.flock(start_fd, fcntl.LOCK_EX)
    try:
        fcntl.flock(users_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        last_used = time.monotonic()
        fcntl.flock(start_fd, fcntl.LOCK_UN)
        continue
    if time.monotonic() - last_used > GRACE:
        try:
            with open(port_path) as f:
                if f.read().strip() == str(port):
                    os.unlink(port_path)
        except FileNotFoundError:
            pass
        os._exit(0)
    fcntl.flock(users_fd, fcntl.LOCK_UN)
    fcntl.flock(start_fd, fcntl.LOCK_UN)
