"""A TCP proxy that breaks the network on demand, for arkiv's tests.

Usage: python3 fault_proxy.py --target HOST:PORT [--port N] [--control-port N]

It listens on 127.0.0.1:PORT (0 or absent: a free port), forwards every
connection to the target and prints one line, "fault_proxy PORT CONTROL_PORT",
once both ports accept connections. It exits when its parent process does.

Faults are switched at run time through the control port (127.0.0.1 only):
send one command per line, read one reply line, "ok ..." or "error WHY".

  latency MS            delay every byte by MS milliseconds, each way (0: off)
  bandwidth BYTES_PER_S at most this many bytes a second each way, shared by
                        all connections (0: off)
  reset_after BYTES [K] the next K connections (default 1) to send BYTES bytes
                        upstream after this command are reset (RST) right
                        after those bytes: a connection lost mid-body
  blackhole             new connections are accepted and never answered;
                        bytes on open connections are dropped
  slowdown K [STYLE]    the next K HTTP requests are answered by the proxy,
                        not forwarded: 503 SlowDown (S3) or 503 ServerBusy
                        (Azure), STYLE s3 or azure, by default guessed from
                        the request (x-ms-version: Azure); the connection is
                        closed after the answer
  clear                 every fault off (counters stay)
  stats                 "ok connections=N requests=N slowdowns=N resets=N
                        blackholed=N bytes_up=N bytes_down=N"

Requests are counted by reading HTTP/1.1 request heads and skipping
Content-Length bodies (what libcurl sends); a connection that sends anything
else (chunked bodies, SSH) is forwarded untouched and counted no further.
"""
import argparse
import asyncio
import os
import socket
import struct
import sys

CHUNK = 64 * 1024
MAX_HEAD = 64 * 1024


class Faults:
    def __init__(self):
        self.clear()

    def clear(self):
        self.latency = 0.0  # seconds
        self.bandwidth = 0  # bytes per second, 0: unlimited
        self.reset_bytes = 0
        self.reset_budget = 0
        self.reset_epoch = getattr(self, "reset_epoch", 0) + 1
        self.blackhole = False
        self.slowdown_budget = 0
        self.slowdown_style = None


class Stats:
    def __init__(self):
        self.connections = 0
        self.requests = 0
        self.slowdowns = 0
        self.resets = 0
        self.blackholed = 0
        self.bytes_up = 0
        self.bytes_down = 0

    def line(self):
        return " ".join(f"{name}={value}" for name, value in vars(self).items())


FAULTS = Faults()
STATS = Stats()


class Throttle:
    """A bandwidth cap shared by all connections in one direction."""

    def __init__(self):
        self.free_at = 0.0

    async def take(self, size):
        rate = FAULTS.bandwidth
        if rate <= 0:
            return
        now = asyncio.get_running_loop().time()
        self.free_at = max(now, self.free_at) + size / rate
        if self.free_at > now:
            await asyncio.sleep(self.free_at - now)


UP_THROTTLE = Throttle()
DOWN_THROTTLE = Throttle()


def busy_reply(style, method):
    if style == "azure":
        status = "503 Server Busy"
        body = (
            '<?xml version="1.0" encoding="utf-8"?><Error><Code>ServerBusy</Code>'
            "<Message>The server is busy (fault_proxy).</Message></Error>"
        )
        extra = "x-ms-error-code: ServerBusy\r\n"
    else:
        status = "503 Slow Down"
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code>'
            "<Message>Please reduce your request rate.</Message><RequestId>fault-proxy</RequestId></Error>"
        )
        extra = ""
    if method == "HEAD":
        body = ""
    return (
        f"HTTP/1.1 {status}\r\nContent-Type: application/xml\r\n{extra}"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n{body}"
    ).encode()


class RequestFramer:
    """Splits the client's bytes into HTTP requests, counts them and decides
    which ones the proxy answers itself. feed() returns a list of events:
    ("data", bytes) to forward, ("answer", reply bytes) to send instead."""

    def __init__(self):
        self.head = b""
        self.body_left = 0
        self.in_body = False
        self.swallow = False  # the current request is answered by the proxy
        self.reply = b""
        self.raw = False

    def feed(self, data):
        events = []
        while data:
            if self.raw:
                events.append(("data", data))
                return events
            if self.in_body:
                take = data[: self.body_left]
                data = data[len(take):]
                self.body_left -= len(take)
                if not self.swallow:
                    events.append(("data", take))
                if self.body_left == 0:
                    self.in_body = False
                    if self.swallow:
                        events.append(("answer", self.reply))
                        return events  # the connection ends with the answer
                continue
            self.head += data
            data = b""
            end = self.head.find(b"\r\n\r\n")
            if end < 0:
                if len(self.head) > MAX_HEAD:
                    self.raw = True
                    data, self.head = self.head, b""
                continue
            head, data = self.head[: end + 4], self.head[end + 4:]
            self.head = b""
            self.start_request(head, events)
        return events

    def start_request(self, head, events):
        lines = head.decode("latin-1").split("\r\n")
        method = lines[0].split(" ", 1)[0]
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if "transfer-encoding" in headers or not method.isalpha():
            self.raw = True
            events.append(("data", head))
            return
        STATS.requests += 1
        self.body_left = int(headers.get("content-length", "0") or "0")
        self.in_body = self.body_left > 0
        self.swallow = FAULTS.slowdown_budget > 0
        if self.swallow:
            FAULTS.slowdown_budget -= 1
            style = FAULTS.slowdown_style or ("azure" if "x-ms-version" in headers else "s3")
            self.reply = busy_reply(style, method)
            if not self.in_body:
                events.append(("answer", self.reply))
        else:
            events.append(("data", head))


def reset(writer):
    """Closes with an RST instead of a FIN."""
    sock = writer.get_extra_info("socket")
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    writer.transport.abort()


class Connection:
    def __init__(self, client_reader, client_writer):
        self.client_reader = client_reader
        self.client_writer = client_writer
        self.server_reader = None
        self.server_writer = None
        self.framer = RequestFramer()
        self.reset_epoch = FAULTS.reset_epoch
        self.sent_up = 0  # since the last reset_after command
        self.dropped = False  # lost bytes to a blackhole: out of step
        self.done = asyncio.Event()

    async def run(self):
        STATS.connections += 1
        if FAULTS.blackhole:
            STATS.blackholed += 1
            await self.swallow_client()
            return
        host, port = TARGET
        try:
            self.server_reader, self.server_writer = await asyncio.open_connection(host, port)
        except OSError:
            reset(self.client_writer)
            return
        up = asyncio.Queue()
        down = asyncio.Queue()
        tasks = [
            asyncio.create_task(self.read_client(up)),
            asyncio.create_task(self.deliver(up, self.server_writer, UP_THROTTLE, "up")),
            asyncio.create_task(self.read_server(down)),
            asyncio.create_task(self.deliver(down, self.client_writer, DOWN_THROTTLE, "down")),
        ]
        await self.done.wait()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self.client_writer.close()
        self.server_writer.close()

    async def swallow_client(self):
        try:
            while data := await self.client_reader.read(CHUNK):
                self.framer.feed(data)  # counts the requests, answers none
        except OSError:
            pass
        self.client_writer.transport.abort()

    def due(self):
        return asyncio.get_running_loop().time() + FAULTS.latency

    async def read_client(self, queue):
        try:
            while True:
                data = await self.client_reader.read(CHUNK)
                if not data:
                    break
                if self.dropped and not FAULTS.blackhole:
                    break  # bytes were lost: this connection is out of step
                for kind, payload in self.framer.feed(data):
                    if FAULTS.blackhole:
                        self.dropped = True
                        continue
                    if kind == "answer":
                        STATS.slowdowns += 1
                        await queue.put((self.due(), "answer", payload))
                        return
                    if not await self.forward_up(queue, payload):
                        return
        except OSError:
            pass
        await queue.put((self.due(), "end", b""))

    async def forward_up(self, queue, payload):
        """Queues `payload` for the server; False once a reset was queued."""
        if self.reset_epoch != FAULTS.reset_epoch:
            self.reset_epoch, self.sent_up = FAULTS.reset_epoch, 0
        if FAULTS.reset_budget > 0 and self.sent_up + len(payload) >= FAULTS.reset_bytes:
            FAULTS.reset_budget -= 1
            cut = payload[: max(0, FAULTS.reset_bytes - self.sent_up)]
            await queue.put((self.due(), "data", cut))
            await queue.put((self.due(), "reset", b""))
            return False
        self.sent_up += len(payload)
        await queue.put((self.due(), "data", payload))
        return True

    async def read_server(self, queue):
        try:
            while True:
                data = await self.server_reader.read(CHUNK)
                if not data:
                    break
                if FAULTS.blackhole:
                    self.dropped = True
                    continue
                await queue.put((self.due(), "data", data))
        except OSError:
            pass
        await queue.put((self.due(), "end", b""))

    async def deliver(self, queue, writer, throttle, direction):
        loop = asyncio.get_running_loop()
        try:
            while True:
                due, kind, payload = await queue.get()
                if due > loop.time():
                    await asyncio.sleep(due - loop.time())
                if kind == "data":
                    await throttle.take(len(payload))
                    writer.write(payload)
                    await writer.drain()
                    if direction == "up":
                        STATS.bytes_up += len(payload)
                    else:
                        STATS.bytes_down += len(payload)
                elif kind == "reset":
                    STATS.resets += 1
                    reset(self.client_writer)
                    reset(self.server_writer)
                    break
                elif kind == "answer":
                    self.client_writer.write(payload)
                    await self.client_writer.drain()
                    break
                else:
                    break
        except OSError:
            pass
        self.done.set()


def apply(words):
    """Runs one control command; returns the reply line."""
    command, args = words[0], words[1:]
    number = [int(a) for a in args if a.isdigit()]
    if command == "latency" and len(args) == 1 and number:
        FAULTS.latency = number[0] / 1000.0
    elif command == "bandwidth" and len(args) == 1 and number:
        FAULTS.bandwidth = number[0]
    elif command == "reset_after" and 1 <= len(args) <= 2 and len(number) == len(args) and number[0] > 0:
        FAULTS.reset_bytes = number[0]
        FAULTS.reset_budget = number[1] if len(number) > 1 else 1
        FAULTS.reset_epoch += 1
    elif command == "blackhole" and not args:
        FAULTS.blackhole = True
    elif command == "slowdown" and 1 <= len(args) <= 2 and args[0].isdigit():
        style = args[1] if len(args) > 1 else None
        if style not in (None, "s3", "azure"):
            return "error slowdown STYLE is s3 or azure"
        FAULTS.slowdown_budget, FAULTS.slowdown_style = int(args[0]), style
    elif command == "clear" and not args:
        FAULTS.clear()
    elif command == "stats" and not args:
        return "ok " + STATS.line()
    else:
        return "error unknown command or bad arguments: " + " ".join(words)
    return "ok"


async def control(reader, writer):
    try:
        while True:
            line = await reader.readline()
            if not line:
                break
            words = line.decode("utf-8", "replace").split()
            reply = apply(words) if words else "error empty command"
            writer.write((reply + "\n").encode())
            await writer.drain()
    except OSError:
        pass
    writer.close()


async def watch_parent(parent):
    while os.getppid() == parent:
        await asyncio.sleep(1)
    os._exit(0)


async def main():
    parser = argparse.ArgumentParser(description="TCP fault proxy for arkiv's tests (127.0.0.1 only)")
    parser.add_argument("--target", required=True, help="HOST:PORT to forward to")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--control-port", type=int, default=0)
    args = parser.parse_args()
    host, _, port = args.target.rpartition(":")
    global TARGET
    TARGET = (host or "127.0.0.1", int(port))
    # The control port first: once the proxy port accepts, both do.
    control_server = await asyncio.start_server(control, "127.0.0.1", args.control_port)
    proxy_server = await asyncio.start_server(
        lambda r, w: Connection(r, w).run(), "127.0.0.1", args.port, reuse_address=True
    )
    proxy_port = proxy_server.sockets[0].getsockname()[1]
    control_port = control_server.sockets[0].getsockname()[1]
    print(f"fault_proxy {proxy_port} {control_port}", flush=True)
    await watch_parent(os.getppid())


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
