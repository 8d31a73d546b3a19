"""WebSocket writes under gevent: a packet goes straight onto an idle connection, as a frame built once.

python-engineio hands every packet to a per-connection writer greenlet through a queue, and simple-websocket
frames it with wsproto, once per recipient. At 1,000 phones that per-recipient machinery, not the app, set
how long the last phone waited for a change (docs/performance.md). Here, a packet for a connection whose
writer is idle and whose queue is empty is written at once, in a send that never waits, as a frame built
once per packet, so a broadcast frames its one packet once for every phone. Everything else (a writer
busy with an earlier packet, packets already queued, a full socket buffer) takes the library's own path,
so the order of packets on a connection never changes. What a direct write could not finish is written
by the writer before anything else.

The writer's own sends go out whole (`sendall`): simple-websocket's `send()` drops the rest of a partial
write, which corrupts the stream of a slow phone receiving a large snapshot.
"""

from __future__ import annotations

import struct
from typing import Any

from engineio import packet as eio_packet
from engineio.socket import Socket as EngineSocket
from gevent import socket as gevent_socket
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


def _websocket_base() -> type:
    """python-engineio's gevent WebSocket wrapper (the simple-websocket one, which this module extends)."""
    from engineio.async_drivers import gevent as engineio_gevent

    return engineio_gevent.WebSocketWSGI


class DirectWebSocket(_websocket_base()):  # type: ignore[misc]
    """One WebSocket connection whose Engine.IO socket writes straight to the wire when nothing is ahead."""

    def __init__(self, handler: Any, server: Any) -> None:
        super().__init__(handler, server)
        self.busy = False  # the writer greenlet is inside send()
        self.compresses = False  # the browser asked for permessage-deflate (simple-websocket always agrees)
        self.rest = b""  # the unwritten end of a direct write; the writer sends it first
        self.engine_socket: EngineSocket | None = getattr(handler, "__self__", None)
        if isinstance(self.engine_socket, EngineSocket):
            self.engine_socket.send = self.send_packet  # type: ignore[method-assign]
        else:
            self.engine_socket = None

    def __call__(self, environ: dict, start_response: Any) -> Any:
        """Serve the connection; afterwards the Engine.IO socket sends through the library again."""
        self.compresses = "permessage-deflate" in environ.get("HTTP_SEC_WEBSOCKET_EXTENSIONS", "")
        try:
            return super().__call__(environ, start_response)
        finally:
            if self.engine_socket is not None:
                vars(self.engine_socket).pop("send", None)
                self.engine_socket = None

    def send_packet(self, pkt: eio_packet.Packet) -> None:
        """Engine.IO `Socket.send`: onto the wire now if the connection is idle, else into its queue."""
        engine = self.engine_socket
        ws = getattr(self, "ws", None)  # set once the handshake is done
        if (
            pkt.packet_type != eio_packet.MESSAGE  # pings keep the writer, which exits after 9 s without one
            or engine is None
            or ws is None
            or self.busy
            or self.rest
            or not ws.connected
            or not engine.upgraded
            or engine.upgrading
            or engine.closed
            or engine.queue.qsize()
            or not isinstance(ws.sock, gevent_socket.socket)
        ):
            return EngineSocket.send(engine, pkt)
        if not engine.check_ping_timeout():
            return None
        frame = frame_of(pkt)
        if frame is None or (self.compresses and len(frame) > COMPRESS_FROM):
            return EngineSocket.send(engine, pkt)
        try:
            sent = ws.sock.send(frame, 0, 0.0)  # gevent: a timeout of 0 never waits
        except OSError:  # full buffer, or broken: the writer sends it, or finds out and closes
            return EngineSocket.send(engine, pkt)
        if sent < len(frame):
            self.rest = frame[sent:]
            EngineSocket.send(engine, eio_packet.Packet(eio_packet.NOOP))  # wakes the writer for the rest
        return None

    def send(self, message: str | bytes) -> None:
        """The writer's send: the rest of an unfinished direct write first, then the whole message."""
        self.busy = True
        try:
            ws = self.ws
            if not ws.connected:
                raise OSError("the WebSocket is closed")
            if self.rest:
                rest, self.rest = self.rest, b""
                ws.sock.sendall(rest)
            event = TextMessage(data=message) if isinstance(message, str) else BytesMessage(data=message)
            ws.sock.sendall(ws.ws.send(event))
        finally:
            self.busy = False


def install(engineio_server: Any) -> None:
    """Serve this Engine.IO server's WebSocket connections with DirectWebSocket (gevent mode only)."""
    if engineio_server.async_mode == "gevent":
        engineio_server._async = {**engineio_server._async, "websocket": DirectWebSocket}
