"""A loopback TCP proxy that can play a Wi-Fi drop between browsers and the test server.

Playwright's offline mode leaves open WebSockets alone, so the browser is pointed at this proxy instead of the
server, and the test cuts and restores the "network" underneath every connection:

- cut():     close every current connection in both directions (FIN to browser and server) and reset new ones at once;
- stall():   keep every connection open but stop moving bytes either way (a silent drop: no FIN, no RST);
- hold_responses(): keep forwarding requests to the server but hold back what it answers;
- restore(): accept and forward again (held bytes flow on).

Loopback only, a bounded number of connections (two daemon threads each), and close() stops everything.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from collections.abc import Callable

_CHUNK = 65536
_POLL = 0.05  # seconds: how often blocked threads look at the proxy's state


def _reset(sock: socket.socket) -> None:
    """Close with RST instead of FIN (SO_LINGER 0): the peer sees "connection reset" at once."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.close()


class _Pair:
    """One browser connection and its upstream connection to the server."""

    def __init__(self, client: socket.socket) -> None:
        self.client = client
        self.upstream: socket.socket | None = None
        self.closed = threading.Event()
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            if self.closed.is_set():
                return
            self.closed.set()
            for sock in (self.client, self.upstream):
                if sock is None:
                    continue
                # shutdown() also wakes the pump threads blocked in recv()/sendall() on these sockets.
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                with contextlib.suppress(OSError):
                    sock.close()


class TcpProxy:
    """Forward 127.0.0.1:<port> to 127.0.0.1:<target_port>; see the module docstring."""

    def __init__(self, target_port: int, *, max_connections: int = 128, connect_timeout: float = 2.0) -> None:
        self.target = ("127.0.0.1", target_port)
        self.max_connections = max_connections
        self.connect_timeout = connect_timeout
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self._listener.settimeout(_POLL)
        self.port: int = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._lock = threading.Lock()
        self._pairs: set[_Pair] = set()
        self._threads: set[threading.Thread] = set()
        self._cut = False
        self._closed = threading.Event()
        self._upward = threading.Event()  # browser -> server bytes may flow
        self._downward = threading.Event()  # server -> browser bytes may flow
        self._upward.set()
        self._downward.set()
        self.accepted = 0  # connections accepted and forwarded (for the test's report)
        self.refused = 0  # connections reset because the proxy was cut, full, or the server was down
        self._acceptor = self._spawn(self._accept_loop, "tcp-proxy-accept")

    # ------------------------------------------------------------------ control

    def cut(self) -> None:
        """Drop the network: close every connection both ways, reset new ones until restore()."""
        with self._lock:
            self._cut = True
            pairs = list(self._pairs)
        for pair in pairs:
            pair.close()

    def stall(self) -> None:
        """A silent drop: connections stay open but no byte moves either way until restore()."""
        self._upward.clear()
        self._downward.clear()

    def hold_responses(self) -> None:
        """Requests still reach the server, its answers are held back until restore() (or lost by cut())."""
        self._downward.clear()

    def restore(self) -> None:
        """The network is back: accept, connect and forward again."""
        with self._lock:
            self._cut = False
        self._upward.set()
        self._downward.set()

    @property
    def open_connections(self) -> int:
        with self._lock:
            return len(self._pairs)

    def close(self) -> None:
        """Stop accepting, close every connection and wait (briefly) for the threads."""
        self._closed.set()
        self.restore()  # wake threads waiting at a closed gate; they then see _closed
        self.cut()
        with contextlib.suppress(OSError):
            self._listener.close()
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            if thread is not threading.current_thread():
                thread.join(timeout=2)

    def __enter__(self) -> TcpProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ internals

    def _count(self, name: str) -> None:
        with self._lock:
            setattr(self, name, getattr(self, name) + 1)

    def _spawn(self, target: Callable[..., None], name: str, *args: object) -> threading.Thread:
        def run() -> None:
            try:
                target(*args)
            finally:
                with self._lock:
                    self._threads.discard(thread)

        thread = threading.Thread(target=run, name=name, daemon=True)
        with self._lock:
            self._threads.add(thread)
        thread.start()
        return thread

    def _accept_loop(self) -> None:
        while not self._closed.is_set():
            try:
                client, _address = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return  # listener closed
            client.settimeout(None)
            with self._lock:
                refuse = self._cut or self._closed.is_set() or len(self._pairs) >= self.max_connections
                pair = None if refuse else _Pair(client)
                if pair is not None:
                    self._pairs.add(pair)
            if pair is None:
                self._count("refused")
                _reset(client)
                continue
            self._spawn(self._serve, f"tcp-proxy-{self.port}-up", pair)

    def _serve(self, pair: _Pair) -> None:
        """Connect upstream (once bytes may flow), then pump both ways until either side ends."""
        try:
            if not self._wait(self._upward, pair):
                return
            try:
                upstream = socket.create_connection(self.target, timeout=self.connect_timeout)
            except OSError:
                self._count("refused")  # server down: the browser sees a reset, like a refused connection
                _reset(pair.client)
                pair.closed.set()
                return
            upstream.settimeout(None)
            upstream.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            pair.client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                cut = self._cut
                pair.upstream = upstream
            if cut or pair.closed.is_set():  # cut() ran while we were connecting
                pair.close()
                return
            self._count("accepted")
            self._spawn(self._pump, f"tcp-proxy-{self.port}-down", pair, upstream, pair.client, self._downward)
            self._pump(pair, pair.client, upstream, self._upward)
        finally:
            pair.close()
            with self._lock:
                self._pairs.discard(pair)

    def _wait(self, gate: threading.Event, pair: _Pair) -> bool:
        """Wait until the gate opens; False when the pair or the proxy closed meanwhile."""
        while not gate.wait(_POLL):
            if pair.closed.is_set() or self._closed.is_set():
                return False
        return not (pair.closed.is_set() or self._closed.is_set())

    def _pump(self, pair: _Pair, source: socket.socket, sink: socket.socket, gate: threading.Event) -> None:
        try:
            while True:
                data = source.recv(_CHUNK)
                # Held at a closed gate: bytes and the end of the stream alike (a silent drop carries no FIN).
                if not self._wait(gate, pair) or not data:
                    break
                sink.sendall(data)
        except OSError:
            pass
        finally:
            pair.close()
