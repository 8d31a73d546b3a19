"""WebSocket writes under gevent: a packet goes straight onto an idle connection, as a frame built once.

python-engineio hands every packet to a per-connection writer greenlet through a queue, and simple-websocket
frames it with wsproto, once per recipient. At 1,000 phones that per-recipient machinery, not the app, set
how long the last phone waited for a change (docs/performance.md). Here, a packet for a connection whose
writer is idle and whose queue is empty is written at once, in a send that never waits, as a frame built
once per packet, so a broadcast frames its one packet once for every phone. Everything else (a writer
busy with an earlier packet, packets already queued, a full socket buffer) takes the library's own path,
so the order of packets on a connection never changes. What a direct write could not finish is written
before anything else.

A connection that stops reading cannot make the server hold its packets without bound: the bytes waiting
for the writer are counted, and past `max_queued_bytes` (but never for a single packet alone, so a large
snapshot always goes out) the connection is dropped; the browser reconnects and resyncs from a snapshot.

Every other write (the writer's, and simple-websocket's pongs and close frames) goes out whole
(`sendall`), one at a time: simple-websocket's `send()` drops the rest of a partial write, and its
reader answers pings in the middle of whatever frame is waiting for room in the socket; both corrupt
the stream of a slow phone receiving a large snapshot.
"""

from __future__ import annotations

import socket
import struct
from collections import deque
from typing import Any

import simple_websocket
from engineio import packet as eio_packet
from engineio.async_drivers.gevent import WebSocketWSGI
from engineio.socket import Socket as EngineSocket
from gevent import socket as gevent_socket
from gevent.lock import Semaphore
from wsproto.events import BytesMessage, TextMessage

_last: list[Any] = [None, b""]  # the packet framed last and its frame: a broadcast sends one packet object to all
COMPRESS_FROM = 4096  # on connections with permessage-deflate, larger packets (wall snapshots) are compressed


def text_frame(text: str) -> bytes:
    """One final, unmasked, uncompressed WebSocket text frame (RFC 6455, 5.2).

    Valid on connections with permessage-deflate too: a message whose RSV1 bit is clear is not compressed
    (RFC 7692, 6), and neither side's compression context sees it.
    """
    data = text.encode()
    size = len(data)
    if size < 126:
        header = struct.pack("!BB", 0x81, size)
    elif size < 1 << 16:
        header = struct.pack("!BBH", 0x81, 126, size)
    else:
        header = struct.pack("!BBQ", 0x81, 127, size)
    return header + data


def frame_of(pkt: eio_packet.Packet) -> bytes | None:
    """The WebSocket frame of an Engine.IO text packet, built once per packet object; None for binary ones."""
    if _last[0] is pkt:
        return _last[1]
    encoded = pkt.encode()
    if not isinstance(encoded, str):
        return None
    try:
        frame = text_frame(encoded)
    except UnicodeEncodeError:  # never valid UTF-8: the library's path refuses it for this connection only
        return None
    _last[0], _last[1] = pkt, frame
    return frame


class _SerialSocket:
    """The socket as simple-websocket sees it: its own writes (pongs, close frames) wait their turn."""

    def __init__(self, connection: DirectWebSocket, raw: Any) -> None:
        self._connection = connection
        self._raw = raw
        self.recv = raw.recv  # the reader's every call: no __getattr__ detour

    def send(self, data: bytes) -> int:
        self._connection.write(data)
        return len(data)

    def __getattr__(self, name: str) -> Any:  # close, fileno, ...
        return getattr(self._raw, name)


class DirectWebSocket(WebSocketWSGI):  # type: ignore[misc]  # engineio's simple-websocket wrapper under gevent
    """One WebSocket connection whose Engine.IO socket writes straight to the wire when nothing is ahead."""

    def __init__(self, handler: Any, server: Any) -> None:
        super().__init__(handler, server)
        self.lock = Semaphore()  # held while bytes are written by the engine.io writer or simple-websocket
        self.rest = b""  # the unwritten end of a direct write; written before anything else
        self.raw: Any = None  # the socket, once the handshake is done
        self.direct = False  # a plain gevent socket (TLS sockets ignore a send timeout of 0)
        self.compresses = False  # the browser asked for permessage-deflate (simple-websocket always agrees)
        self.max_queued = getattr(server, "max_queued_bytes", None)
        self.queued: deque[int] = deque()  # sizes of the packets handed to the writer, oldest first
        self.queued_bytes = 0
        self.dropped = False
        engine = getattr(handler, "__self__", None)
        # A second upgrade request for one session must not take over the first's writes.
        self.engine_socket: EngineSocket | None = None
        if isinstance(engine, EngineSocket) and "send" not in vars(engine):
            engine.send = self.send_packet  # type: ignore[method-assign]
            self.engine_socket = engine

    def __call__(self, environ: dict, start_response: Any) -> Any:
        """Serve the connection (as SimpleWebSocketWSGI does, with the socket wrapped before the first read)."""
        self.compresses = "permessage-deflate" in environ.get("HTTP_SEC_WEBSOCKET_EXTENSIONS", "")
        self.ws = simple_websocket.Server(environ, **self.server_args)
        self.raw = self.ws.sock
        self.direct = type(self.raw) is gevent_socket.socket
        self.ws.sock = _SerialSocket(self, self.raw)
        try:
            result = self.app(self)
        finally:
            if self.engine_socket is not None:  # afterwards the Engine.IO socket sends through the library again
                vars(self.engine_socket).pop("send", None)
                self.engine_socket = None
        if self.ws.mode == "gunicorn":
            raise StopIteration()
        if self.ws.mode == "werkzeug":
            raise ConnectionError()
        return result

    def send_packet(self, pkt: eio_packet.Packet) -> None:
        """Engine.IO `Socket.send`: onto the wire now if the connection is idle, else into its queue."""
        engine = self.engine_socket
        if (
            pkt.packet_type != eio_packet.MESSAGE  # pings keep the writer, which exits after 9 s without one
            or engine is None
            or not self.direct
            or self.lock.locked()
            or self.rest
            or not self.ws.connected
            or not engine.upgraded
            or engine.upgrading
            or engine.closed
            or engine.queue.qsize()
        ):
            return self.enqueue(engine, pkt)
        if not engine.check_ping_timeout():
            return None
        self.queued.clear()  # nothing is waiting: the count starts again from zero (it never drifts upwards)
        self.queued_bytes = 0
        frame = frame_of(pkt)
        if frame is None or (self.compresses and len(frame) > COMPRESS_FROM):
            return self.enqueue(engine, pkt)
        try:
            sent = self.raw.send(frame, 0, 0.0)  # gevent: a timeout of 0 never waits
        except OSError:  # full buffer, or broken: the writer sends it, or finds out and closes
            return self.enqueue(engine, pkt)
        if sent < len(frame):
            self.rest = frame[sent:]
            EngineSocket.send(engine, eio_packet.Packet(eio_packet.NOOP))  # wakes the writer for the rest
        return None

    def enqueue(self, engine: EngineSocket, pkt: eio_packet.Packet) -> None:
        """The library's path through the writer's queue, counted; a connection that stopped reading is dropped."""
        if self.dropped:
            return
        data = pkt.data
        size = len(data) if isinstance(data, str | bytes) else 16  # characters of text: near enough, no copy
        if self.max_queued is not None and self.queued_bytes and self.queued_bytes + size > self.max_queued:
            self.drop()
            return
        self.queued.append(size)
        self.queued_bytes += size
        EngineSocket.send(engine, pkt)

    def drop(self) -> None:
        """Cut a connection whose unread packets passed the limit: its writer and reader end, its packets go."""
        self.dropped = True
        self.queued.clear()
        self.queued_bytes = 0
        self.rest = b""
        if self.engine_socket is not None:
            self.engine_socket.queue.put(None)  # ends the writer once the socket is cut
        try:
            self.raw.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def send(self, message: str | bytes) -> None:
        """The engine.io writer's send: one whole message, framed (and compressed, if agreed) by wsproto."""
        if self.queued:
            self.queued_bytes = max(0, self.queued_bytes - self.queued.popleft())
        ws = self.ws
        if not ws.connected:
            raise OSError("the WebSocket is closed")
        event = TextMessage(data=message) if isinstance(message, str) else BytesMessage(data=message)
        self.write(ws.ws.send(event))

    def write(self, data: bytes) -> None:
        """Write bytes whole, after the rest of an unfinished direct write, one greenlet at a time."""
        with self.lock:
            if self.rest:
                rest, self.rest = self.rest, b""
                self.raw.sendall(rest)
            self.raw.sendall(data)


def install(engineio_server: Any, *, max_queued_bytes: int | None = None) -> None:
    """Serve this Engine.IO server's WebSocket connections with DirectWebSocket (gevent mode only)."""
    engineio_server.max_queued_bytes = max_queued_bytes
    if engineio_server.async_mode == "gevent":
        engineio_server._async = {**engineio_server._async, "websocket": DirectWebSocket}
