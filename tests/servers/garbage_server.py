"""An HTTP server that answers every request badly, for arkiv's tests: a
cloud endpoint gone wrong (a captive portal, a broken gateway, a proxy that
cuts bodies).

Usage: python3 garbage_server.py MODE
  garbage    200 OK with a body of random bytes (Content-Length right)
  xml        200 OK with well-formed XML that is no S3 or Azure answer
  truncated  200 OK announcing 65536 bytes, sending 100, then closing
  huge       200 OK announcing 4 GiB, sending 100, then closing

Listens on a free port of 127.0.0.1, prints "garbage_server PORT" and
counts requests (GET /__count__ is not counted and answers the count).
Exits when its parent process does.
"""
import http.server
import os
import sys
import threading
import time

MODE = sys.argv[1]
PARENT = os.getppid()
COUNT = 0
LOCK = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self):
        global COUNT
        length = int(self.headers.get("Content-Length", "0") or "0")
        if length:
            self.rfile.read(length)
        if self.path == "/__count__":
            body = str(COUNT).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        with LOCK:
            COUNT += 1
        if MODE == "garbage":
            body = os.urandom(3000)
        elif MODE == "xml":
            body = b'<?xml version="1.0"?><html><body>Welcome to the hotel network</body></html>'
        else:
            body = os.urandom(100)
        self.send_response(200)
        self.send_header("Content-Type", "application/xml")
        announced = {"truncated": 65536, "huge": 4 << 30}.get(MODE, len(body))
        self.send_header("Content-Length", str(announced))
        # Azure's answers carry these; without them a client may stop early.
        self.send_header("x-ms-request-id", "garbage")
        self.send_header("ETag", '"garbage"')
        self.send_header("Last-Modified", "Wed, 01 Jan 2025 00:00:00 GMT")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        if MODE in ("truncated", "huge"):
            self.wfile.flush()
            self.close_connection = True

    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = answer


def watch_parent():
    while os.getppid() == PARENT:
        time.sleep(0.5)
    os._exit(0)


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
threading.Thread(target=watch_parent, daemon=True).start()
print(f"garbage_server {server.server_address[1]}", flush=True)
server.serve_forever()
