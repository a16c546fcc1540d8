"""An HTTP proxy for arkiv's tests that fails chosen requests.

Usage: python3 failing_proxy.py PORT UPSTREAM_PORT MATCH NTH

Listens on 127.0.0.1:PORT and passes every request on to 127.0.0.1:UPSTREAM_PORT
unchanged (Host included, so signatures still hold). Requests whose
"METHOD /path?query" contains MATCH are counted; from the NTH of them on
(counting from 1) the proxy answers HTTP 500 with an S3/Azure-style
InternalError body instead of passing them on.

GET /__proxy__/log answers one line per request so far, in arrival order:
"METHOD /path?query STATUS", where STATUS is the one the client got.
Exits when its parent (the test program) is gone.
"""
import http.client
import http.server
import os
import sys
import threading

port, upstream, match, nth = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
parent = os.getppid()
lock = threading.Lock()
matched = 0
log = []

HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "upgrade"}
FAILURE = (b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code>'
           b'<Message>failed on purpose by the test proxy</Message></Error>')


class Proxy(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def answer(self, status, headers, body, content_length=None):
        self.send_response_only(status)
        for name, value in headers:
            if name.lower() not in HOP_BY_HOP and name.lower() != "content-length":
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body) if content_length is None else content_length))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def handle_any(self):
        global matched
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        line = f"{self.command} {self.path}"
        if self.command == "GET" and self.path == "/__proxy__/log":
            with lock:
                text = "".join(entry + "\n" for entry in log).encode()
            return self.answer(200, [("Content-Type", "text/plain")], text)
        with lock:
            fail = match in line and (matched := matched + 1) >= nth
        if fail:
            status, headers, reply, length = 500, [("Content-Type", "application/xml"),
                                                   ("x-ms-error-code", "InternalError")], FAILURE, None
        else:
            connection = http.client.HTTPConnection("127.0.0.1", upstream, timeout=120)
            headers = [(n, v) for n, v in self.headers.items() if n.lower() not in HOP_BY_HOP]
            connection.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
            for name, value in headers:
                connection.putheader(name, value)
            connection.endheaders(body if body or self.command in ("PUT", "POST") else None)
            response = connection.getresponse()
            reply = response.read()
            status, headers = response.status, response.getheaders()
            length = response.getheader("Content-Length") if self.command == "HEAD" else None
            connection.close()
        with lock:
            log.append(f"{line} {status}")
        self.answer(status, headers, reply, length)

    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = handle_any

    def log_message(self, *args):
        pass


def watch_parent():
    while True:
        threading.Event().wait(1)
        if os.getppid() != parent:
            os._exit(0)


threading.Thread(target=watch_parent, daemon=True).start()
http.server.ThreadingHTTPServer(("127.0.0.1", port), Proxy).serve_forever()
