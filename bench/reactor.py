"""The load generator: a single-threaded epoll loop driving raw Engine.IO/WebSocket and HTTP/1.1 clients.

Why not python-socketio's client or one greenlet per socket: a delivered message
must cost the load generator much less than it costs the server, or the
generator becomes the bottleneck and the figures measure it instead. Here a
message costs one epoll event, one recv() and a few byte comparisons; the
revision is read straight from the frame without JSON-decoding the delta.

WsClient speaks just enough of the protocols: the WebSocket upgrade (with the
Cookie of an event page), client frames masked as RFC 6455 demands, the
Engine.IO v4 open (`0{...}`), ping `2` → pong `3`, the Socket.IO connect `40`
→ `40{"sid":...}`, `420["join",{"event":slug}]` → ack `430[{...}]`, and
`42["wall_changed",{"revision":N,...}]`.
"""

from __future__ import annotations

import base64
import errno
import heapq
import itertools
import json
import os
import select
import socket
from collections.abc import Callable
from time import perf_counter
from typing import Any

EPOLLIN = select.EPOLLIN
EPOLLOUT = select.EPOLLOUT
EPOLLERR = select.EPOLLERR | select.EPOLLHUP
RECV_SIZE = 256 * 1024


class Reactor:
    """epoll plus a timer heap; every connection registers itself with a handler object."""

    def __init__(self) -> None:
        self.epoll = select.epoll()
        self.handlers: dict[int, Any] = {}
        self.timers: list[tuple[float, int, Callable[[], None]]] = []
        self._seq = itertools.count()

    def register(self, fd: int, handler: Any, mask: int) -> None:
        self.handlers[fd] = handler
        self.epoll.register(fd, mask)

    def modify(self, fd: int, mask: int) -> None:
        self.epoll.modify(fd, mask)

    def unregister(self, fd: int) -> None:
        if self.handlers.pop(fd, None) is not None:
            try:
                self.epoll.unregister(fd)
            except (OSError, ValueError):
                pass

    def call_at(self, when: float, callback: Callable[[], None]) -> None:
        heapq.heappush(self.timers, (when, next(self._seq), callback))

    def call_later(self, delay: float, callback: Callable[[], None]) -> None:
        self.call_at(perf_counter() + delay, callback)

    def run(self, until: Callable[[], bool] | None = None, timeout: float = 10.0) -> bool:
        """Dispatch events and timers until `until()` is true (→ True) or `timeout` seconds passed (→ False)."""
        deadline = perf_counter() + timeout
        poll = self.epoll.poll
        handlers = self.handlers
        timers = self.timers
        while True:
            if until is not None and until():
                return True
            now = perf_counter()
            if now >= deadline:
                return False
            wait = min(deadline - now, 0.05)
            if timers:
                wait = max(0.0, min(wait, timers[0][0] - now))
            for fd, mask in poll(wait, 8192):
                handler = handlers.get(fd)
                if handler is not None:
                    handler.on_event(mask)
            if timers:
                now = perf_counter()
                while timers and timers[0][0] <= now:
                    heapq.heappop(timers)[2]()

    def close(self) -> None:
        self.epoll.close()


def mask_frame(payload: bytes, opcode: int = 1) -> bytes:
    """One final client frame (clients must mask, RFC 6455 §5.3)."""
    n = len(payload)
    if n < 126:
        header = bytes((0x80 | opcode, 0x80 | n))
    elif n < 65536:
        header = bytes((0x80 | opcode, 0x80 | 126)) + n.to_bytes(2, "big")
    else:
        header = bytes((0x80 | opcode, 0x80 | 127)) + n.to_bytes(8, "big")
    key = os.urandom(4)
    if not n:
        return header + key
    stream = (key * (n // 4 + 1))[:n]
    return header + key + (int.from_bytes(payload, "big") ^ int.from_bytes(stream, "big")).to_bytes(n, "big")


class Recorder:
    """Receipt times of `wall_changed` per revision, over all clients of one run."""

    def __init__(self) -> None:
        self.times: dict[int, list[float]] = {}
        self.total = 0

    def arrive(self, revision: int, at: float) -> None:
        times = self.times.get(revision)
        if times is None:
            self.times[revision] = [at]
        else:
            times.append(at)
        self.total += 1


PONG = b"3"
LAST_OPEN = b"{}"  # the last Engine.IO open packet seen: the server's pingInterval and pingTimeout


def engineio_settings() -> dict[str, Any]:
    """pingInterval / pingTimeout (ms) from the last Engine.IO open packet any client received."""
    settings = json.loads(LAST_OPEN)
    return {k: settings.get(k) for k in ("pingInterval", "pingTimeout")}


CHANGE_PREFIX = b'42["wall_changed",'
COUNTS_PREFIX = b'42["counts_changed",'
REVISION_KEY = b'"revision":'


class WsClient:
    """One Socket.IO client over a raw non-blocking socket, driven by the Reactor.

    state: connecting → upgrading → opening (engine.io open, socket.io connect) →
    joining → joined; or failed / closed. `revision` is the revision of the last
    snapshot or consecutive delta; `gaps` counts deltas that were not exactly the
    next revision (a real client would re-join; here they count as a defect).
    """

    __slots__ = (
        "buf",
        "cookie",
        "counts",
        "error",
        "fragments",
        "gaps",
        "host",
        "index",
        "join_revision",
        "joined_at",
        "on_failed",
        "on_joined",
        "out",
        "port",
        "reactor",
        "received",
        "recorder",
        "revision",
        "slug",
        "sock",
        "started_at",
        "state",
    )

    def __init__(
        self,
        reactor: Reactor,
        host: str,
        port: int,
        slug: str,
        cookie: str | None,
        *,
        index: int = 0,
        recorder: Recorder | None = None,
        on_joined: Callable[[WsClient], None] | None = None,
        on_failed: Callable[[WsClient], None] | None = None,
    ) -> None:
        self.reactor = reactor
        self.host, self.port, self.slug, self.cookie = host, port, slug, cookie
        self.index = index
        self.recorder = recorder
        self.on_joined, self.on_failed = on_joined, on_failed
        self.sock: socket.socket | None = None
        self.state = "new"
        self.buf = b""
        self.out = b""
        self.fragments: list[bytes] | None = None
        self.revision = -1
        self.join_revision = -1
        self.received = 0
        self.gaps = 0
        self.counts: list[float] = []  # arrival times of `counts_changed`
        self.error: str | None = None
        self.started_at = 0.0
        self.joined_at = 0.0

    # -- connection management
    def start(self) -> None:
        """Begin a fresh connection (also used to reconnect after close())."""
        self.buf, self.out, self.fragments, self.error = b"", b"", None, None
        self.started_at = perf_counter()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock = sock
        self.state = "connecting"
        code = sock.connect_ex((self.host, self.port))
        if code not in (0, errno.EINPROGRESS):
            self._fail(f"connect: {os.strerror(code)}")
            return
        self.reactor.register(sock.fileno(), self, EPOLLOUT)

    def close(self) -> None:
        """Drop the connection at once (no closing handshake), as a dying phone would."""
        if self.sock is not None:
            self.reactor.unregister(self.sock.fileno())
            self.sock.close()
            self.sock = None
        if self.state not in ("failed",):
            self.state = "closed"

    def _fail(self, why: str) -> None:
        self.error = why
        self.close()
        self.state = "failed"
        if self.on_failed is not None:
            self.on_failed(self)

    # -- I/O
    def on_event(self, mask: int) -> None:
        if self.state == "connecting":
            err = self.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if err:
                self._fail(f"connect: {os.strerror(err)}")
                return
            self._upgrade()
            return
        if mask & EPOLLOUT and self.out:
            self._flush()
        if mask & (EPOLLIN | EPOLLERR):
            self._read()

    def _upgrade(self) -> None:
        key = base64.b64encode(os.urandom(16)).decode()
        lines = [
            "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1",
            f"Host: {self.host}:{self.port}",
            "Upgrade: websocket",
            "Connection: Upgrade",
            f"Sec-WebSocket-Key: {key}",
            "Sec-WebSocket-Version: 13",
        ]
        if self.cookie:
            lines.append(f"Cookie: {self.cookie}")
        self.state = "upgrading"
        self.reactor.modify(self.sock.fileno(), EPOLLIN)
        self._send(("\r\n".join(lines) + "\r\n\r\n").encode())

    def _send(self, data: bytes) -> None:
        if self.sock is None:
            return
        if self.out:
            self.out += data
            return
        try:
            sent = self.sock.send(data)
        except BlockingIOError:
            sent = 0
        except OSError as error:
            self._fail(f"send: {error}")
            return
        if sent < len(data):
            self.out = data[sent:]
            self.reactor.modify(self.sock.fileno(), EPOLLIN | EPOLLOUT)

    def _flush(self) -> None:
        try:
            sent = self.sock.send(self.out)
        except BlockingIOError:
            return
        except OSError as error:
            self._fail(f"send: {error}")
            return
        self.out = self.out[sent:]
        if not self.out:
            self.reactor.modify(self.sock.fileno(), EPOLLIN)

    def send_text(self, text: bytes) -> None:
        self._send(mask_frame(text))

    def _read(self) -> None:
        try:
            data = self.sock.recv(RECV_SIZE)
        except BlockingIOError:
            return
        except OSError as error:
            self._fail(f"recv: {error}")
            return
        at = perf_counter()
        if not data:
            self._fail("closed by server" if self.state == "joined" else f"closed by server while {self.state}")
            return
        buf = self.buf + data if self.buf else data
        if self.state == "upgrading":
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                self.buf = buf
                return
            status = buf[: buf.find(b"\r\n")]
            if b" 101 " not in status + b" ":
                self._fail(f"upgrade refused: {status.decode(errors='replace')}")
                return
            self.state = "opening"
            buf = buf[end + 4 :]
        # WebSocket frames (server frames are not masked).
        pos, size = 0, len(buf)
        while size - pos >= 2:
            b0, b1 = buf[pos], buf[pos + 1]
            length, head = b1 & 0x7F, 2
            if length == 126:
                if size - pos < 4:
                    break
                length, head = int.from_bytes(buf[pos + 2 : pos + 4], "big"), 4
            elif length == 127:
                if size - pos < 10:
                    break
                length, head = int.from_bytes(buf[pos + 2 : pos + 10], "big"), 10
            if b1 & 0x80:
                head += 4
            end = pos + head + length
            if end > size:
                break
            payload = buf[pos + head : end]
            if b1 & 0x80:
                key = buf[end - length - 4 : end - length]
                stream = (key * (length // 4 + 1))[:length]
                payload = (int.from_bytes(payload, "big") ^ int.from_bytes(stream, "big")).to_bytes(length, "big")
            pos = end
            opcode = b0 & 0x0F
            if opcode in (1, 2):
                if b0 & 0x80:
                    self._message(payload, at)
                else:
                    self.fragments = [payload]
            elif opcode == 0:
                if self.fragments is not None:
                    self.fragments.append(payload)
                    if b0 & 0x80:
                        whole, self.fragments = b"".join(self.fragments), None
                        self._message(whole, at)
            elif opcode == 8:
                self._fail("websocket closed by server")
                return
            elif opcode == 9:
                self._send(mask_frame(payload, 10))
            if self.sock is None:
                return
        self.buf = buf[pos:] if pos < size else b""

    # -- Engine.IO / Socket.IO
    def _message(self, payload: bytes, at: float) -> None:
        if payload.startswith(CHANGE_PREFIX):
            start = payload.find(REVISION_KEY, 18) + 11
            end = start
            while 48 <= payload[end] <= 57 or payload[end] == 32:
                end += 1
            revision = int(payload[start:end])
            if revision != self.revision + 1:
                self.gaps += 1
            if revision > self.revision:
                self.revision = revision
            self.received += 1
            if self.recorder is not None:
                self.recorder.arrive(revision, at)
        elif payload.startswith(COUNTS_PREFIX):
            self.counts.append(at)
        elif payload == b"2":
            self._send(mask_frame(PONG))
        elif payload.startswith(b"430"):
            answer = json.loads(payload[3:])[0]
            if not (isinstance(answer, dict) and answer.get("ok")):
                self._fail(f"join refused: {answer!r}")
                return
            wall = answer.get("wall")
            self.join_revision = self.revision = wall["revision"] if isinstance(wall, dict) else 0
            self.state = "joined"
            self.joined_at = at
            if self.on_joined is not None:
                self.on_joined(self)
        elif payload.startswith(b"40"):
            self.state = "joining"
            self.send_text(b'420["join",{"event":"' + self.slug.encode() + b'"}]')
        elif payload.startswith(b"0"):
            global LAST_OPEN
            LAST_OPEN = payload[1:]
            self.send_text(b"40")
        elif payload.startswith(b"44"):
            self._fail(f"connect refused: {payload[2:200].decode(errors='replace')}")
        elif payload.startswith(b"41") or payload == b"1":
            self._fail("disconnected by server")


class HttpConn:
    """One keep-alive HTTP/1.1 connection, one request at a time, driven by the Reactor.

    callback(status, headers, body, sent_at, done_at) runs when the response is complete.
    """

    def __init__(self, reactor: Reactor, host: str, port: int, headers: dict[str, str] | None = None) -> None:
        self.reactor = reactor
        self.host, self.port = host, port
        self.headers = {"Host": f"{host}:{port}", **(headers or {})}
        self.sock: socket.socket | None = None
        self.busy = False
        self.callback: Callable[[int, dict[str, str], bytes, float, float], None] | None = None
        self.sent_at = 0.0
        self._reset()
        self.failures = 0

    def _reset(self) -> None:
        self.buf = bytearray()
        self.status = 0
        self.response_headers: dict[str, str] | None = None
        self.body_start = 0
        self.length: int | None = None
        self.chunked = False

    def _connect(self) -> None:
        sock = socket.create_connection((self.host, self.port), timeout=10)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.setblocking(False)
        self.sock = sock
        self.reactor.register(sock.fileno(), self, EPOLLIN)

    def close(self) -> None:
        if self.sock is not None:
            self.reactor.unregister(self.sock.fileno())
            self.sock.close()
            self.sock = None

    def request(
        self,
        method: str,
        path: str,
        callback: Callable[[int, dict[str, str], bytes, float, float], None],
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        if self.busy:
            raise RuntimeError("HttpConn is busy")
        if self.sock is None:
            self._connect()
        lines = [f"{method} {path} HTTP/1.1"]
        lines += [f"{k}: {v}" for k, v in {**self.headers, **(headers or {})}.items()]
        if body is not None:
            lines.append(f"Content-Length: {len(body)}")
        data = ("\r\n".join(lines) + "\r\n\r\n").encode() + (body or b"")
        self.busy, self.callback = True, callback
        self._reset()
        self.sent_at = perf_counter()
        self.sock.setblocking(True)  # requests are small: a blocking sendall on loopback returns at once
        try:
            self.sock.sendall(data)
        finally:
            self.sock.setblocking(False)

    def on_event(self, _mask: int) -> None:
        try:
            data = self.sock.recv(RECV_SIZE)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        at = perf_counter()
        if not data:
            self.close()
            if self.busy:
                self.busy = False
                self.failures += 1
                self.callback(0, {}, b"", self.sent_at, at)
            return
        self.buf += data
        self._parse(at)

    def _parse(self, at: float) -> None:
        buf = self.buf
        if self.response_headers is None:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(buf[:end]).decode("latin-1").split("\r\n")
            self.status = int(head[0].split()[1])
            self.response_headers = {
                k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in head[1:])
            }
            self.body_start = end + 4
            if "content-length" in self.response_headers:
                self.length = int(self.response_headers["content-length"])
            elif self.response_headers.get("transfer-encoding", "").lower() == "chunked":
                self.chunked = True
        if self.length is not None:
            if len(buf) - self.body_start < self.length:
                return
            body = bytes(buf[self.body_start : self.body_start + self.length])
        elif self.chunked:
            body = self._dechunk()
            if body is None:
                return
        else:
            return  # read until close: handled by on_event's EOF branch (not used by this app)
        headers = self.response_headers
        self.busy = False
        if headers.get("connection", "").lower() == "close":
            self.close()
        callback = self.callback
        callback(self.status, headers, body, self.sent_at, at)

    def _dechunk(self) -> bytes | None:
        buf, pos, parts = self.buf, self.body_start, []
        while True:
            line_end = buf.find(b"\r\n", pos)
            if line_end < 0:
                return None
            size = int(bytes(buf[pos:line_end]).split(b";")[0], 16)
            if size == 0:
                return b"".join(parts) if buf.find(b"\r\n\r\n", line_end) >= 0 else None
            if len(buf) < line_end + 2 + size + 2:
                return None
            parts.append(bytes(buf[line_end + 2 : line_end + 2 + size]))
            pos = line_end + 2 + size + 2
