"""A raw WebSocket + Engine.IO + Socket.IO client that shows the frames themselves, for transport tests.

python-socketio's client hides how a message travelled (compressed or not, one frame or several); this one
reads every frame off a plain socket, inflates permessage-deflate messages with one context per connection
(RFC 7692, context takeover) and answers Engine.IO pings, so tests can look at what the server really wrote.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import socket
import struct
import termios
import time
import zlib
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass
class Frame:
    """One WebSocket frame from the server, its payload inflated if it was compressed."""

    opcode: int
    compressed: bool
    text: str
    wire_size: int  # payload bytes as sent, before inflating


class RawSocketIO:
    """One connection to /socket.io/ over a WebSocket, opened with the cookies of a page view."""

    def __init__(self, base_url: str, cookie: str, *, deflate: bool = False, slow: bool = False):
        parts = urlsplit(base_url)
        self.sock = socket.socket()
        if slow:
            # Like a phone on Wi-Fi, not loopback: a small receive buffer, and segments of Ethernet size, which
            # keep the server's send buffer near the size it has on a real network instead of megabytes.
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, 1400)
        self.sock.settimeout(10)
        self.sock.connect((parts.hostname, parts.port))
        key = base64.b64encode(os.urandom(16)).decode()
        lines = [
            "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1",
            f"Host: {parts.netloc}",
            f"Origin: {base_url}",
            "Upgrade: websocket",
            "Connection: Upgrade",
            f"Sec-WebSocket-Key: {key}",
            "Sec-WebSocket-Version: 13",
            f"Cookie: {cookie}",
        ]
        if deflate:
            lines.append("Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits")
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        self.buffer = b""
        while b"\r\n\r\n" not in self.buffer:
            self.buffer += self._recv()
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        self.response_head = head.decode()
        assert self.response_head.startswith("HTTP/1.1 101"), self.response_head
        self.inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        self.frames: list[Frame] = []  # every data frame, in order
        self.pongs: list[str] = []  # payloads of WebSocket pongs, in order
        self.open = json.loads(self.next_text()[1:])  # Engine.IO "0{...}"

    def _recv(self) -> bytes:
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError("the server closed the connection")
        return data

    def _read_exact(self, size: int) -> bytes:
        while len(self.buffer) < size:
            self.buffer += self._recv()
        data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data

    def read_frame(self) -> Frame:
        """The next frame; protocol errors (masked or fragmented server frames, RSV2/3) fail the test."""
        first, second = self._read_exact(2)
        assert first & 0x80, "server frames are never fragmented here"
        assert not first & 0x30, "RSV2 and RSV3 are never set"
        assert not second & 0x80, "server frames are never masked"
        size = second & 0x7F
        if size == 126:
            (size,) = struct.unpack("!H", self._read_exact(2))
        elif size == 127:
            (size,) = struct.unpack("!Q", self._read_exact(8))
        payload = self._read_exact(size)
        compressed = bool(first & 0x40)
        if compressed:
            payload = self.inflater.decompress(payload + b"\x00\x00\xff\xff")
        frame = Frame(opcode=first & 0x0F, compressed=compressed, text=payload.decode(), wire_size=size)
        if frame.opcode in (1, 2):
            self.frames.append(frame)
        elif frame.opcode == 0xA:
            self.pongs.append(frame.text)
        return frame

    def next_text(self) -> str:
        """The next Engine.IO packet that is not a ping (pings are answered) or a no-op."""
        while True:
            frame = self.read_frame()
            if frame.opcode == 8:
                raise ConnectionError("the server sent a close frame")
            if frame.opcode != 1:
                continue
            if frame.text == "2":
                self.send_text("3")
                continue
            if frame.text == "6":
                continue
            return frame.text

    def send_text(self, text: str) -> None:
        self._send_frame(0x1, text.encode())

    def send_ping(self, payload: bytes) -> None:
        """A WebSocket-level ping (some native clients and proxies send them; browsers do not)."""
        self._send_frame(0x9, payload)

    def _send_frame(self, opcode: int, payload: bytes) -> None:
        mask = os.urandom(4)
        size = len(payload)
        if size < 126:
            header = struct.pack("!BB", 0x80 | opcode, 0x80 | size)
        elif size < 1 << 16:
            header = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, size)
        else:
            header = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, size)
        self.sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def request_join(self, slug: str) -> None:
        """Socket.IO connect, then ask to `join` the event (the acknowledgement is left unread)."""
        self.send_text("40")
        assert self.next_text().startswith("40{"), "Socket.IO connect refused"
        self.send_text("421" + json.dumps(["join", {"event": slug}]))

    def connect_and_join(self, slug: str) -> dict:
        """Socket.IO connect, then `join` the event; returns the acknowledgement."""
        self.request_join(slug)
        ack = self.next_text()
        assert ack.startswith("431["), ack
        return json.loads(ack[3:])[0]

    def next_event(self) -> tuple[str, dict]:
        """The next Socket.IO event as (name, data)."""
        text = self.next_text()
        assert text.startswith("42["), text
        name, data = json.loads(text[2:])
        return name, data

    def unread(self) -> int:
        """Bytes waiting in this client's receive queue (FIONREAD), plus those read off it but not yet parsed."""
        queued = struct.unpack("i", fcntl.ioctl(self.sock.fileno(), termios.FIONREAD, b"\0\0\0\0"))[0]
        return queued + len(self.buffer)

    def server_queue(self) -> int:
        """Bytes the server's kernel holds for this connection, written by the server but not yet taken by us."""
        client_port = self.sock.getsockname()[1]
        server_port = self.sock.getpeername()[1]
        with open("/proc/net/tcp") as table:
            for line in table.readlines()[1:]:
                fields = line.split()
                local, remote = (int(address.split(":")[1], 16) for address in fields[1:3])
                if (local, remote) == (server_port, client_port):
                    return int(fields[4].split(":")[0], 16)
        raise AssertionError("the server's end of this connection is not in /proc/net/tcp")

    def wait_until_stalled(self, *, timeout: float = 10, settle: float = 0.3) -> int:
        """Wait until the server cannot write on: data is queued at both ends and nothing moved for `settle` s.

        Returns the bytes queued; a test compares them with the frame it then reads: fewer means the server was
        stuck in the middle of writing it, the rest still unwritten in the server process.
        """
        deadline = time.monotonic() + timeout
        last, since = None, time.monotonic()
        while time.monotonic() < deadline:
            now = (self.unread(), self.server_queue())
            if now != last:
                last, since = now, time.monotonic()
            elif now[0] > 0 and now[1] > 0 and time.monotonic() - since >= settle:
                return sum(now)
            time.sleep(0.02)
        raise AssertionError(f"the server did not stall mid-message within {timeout} s (queues: {last})")

    def close(self) -> None:
        self.sock.close()
