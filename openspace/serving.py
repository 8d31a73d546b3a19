"""How `python wsgi.py` holds its connections: every wait on a client is bounded (gevent's pywsgi has no limits).

A client that opens a connection and then sends its request line or headers slowly, or nothing at all, or a
body it never finishes, or that keeps an idle keep-alive connection open, would hold a descriptor for good;
a few hundred such clients made every page time out. Here the next request line on a connection must come
within `HTTP_IDLE_TIMEOUT`, the headers after it within `HTTP_HEADER_TIMEOUT`, and every other read or write
(bodies, WebSocket frames) within `HTTP_IO_TIMEOUT`; WebSockets stay open as long as Engine.IO's pings flow
(every 4 s). A connection that was a WebSocket is closed afterwards, never reused for another request.

Every connection sends without Nagle's delay (TCP_NODELAY): a response written in two parts (headers, then
body) on a keep-alive connection otherwise waits for the client's delayed acknowledgement, 40 ms on Linux, on
every request after the first; small WebSocket frames sent one after the other waited the same way.
"""

from __future__ import annotations

import os
import socket
from typing import Any

import gevent
from gevent.pywsgi import WSGIHandler


def _seconds(name: str, default: float) -> float:
    return float(os.environ.get(name) or default)


class TimedHandler(WSGIHandler):  # type: ignore[misc]
    """gevent's WSGI handler, with a deadline on every wait for the client."""

    idle_timeout = _seconds("HTTP_IDLE_TIMEOUT", 30)
    header_timeout = _seconds("HTTP_HEADER_TIMEOUT", 10)
    io_timeout = _seconds("HTTP_IO_TIMEOUT", 60)

    def handle(self) -> None:
        """Serve the connection with a timeout on each socket operation."""
        if self.socket is not None:
            self.socket.settimeout(self.io_timeout)
            no_delay(self.socket)
        super().handle()

    def read_requestline(self) -> str:
        """The next request line, or "" (the connection closes) when none comes within the idle timeout."""
        with gevent.Timeout(self.idle_timeout, False):
            return super().read_requestline()
        return ""

    def read_request(self, raw_requestline: str) -> Any:
        """The headers, which must arrive within the header timeout (else 400 and the connection closes)."""
        try:
            with gevent.Timeout(self.header_timeout):
                return super().read_request(raw_requestline)
        except gevent.Timeout:
            raise ValueError("the request headers did not arrive in time") from None

    def handle_one_request(self) -> Any:
        """One request; after a WebSocket the connection is closed instead of read for another request."""
        result = super().handle_one_request()
        environ = getattr(self, "environ", None) or {}
        if result is True and environ.get("HTTP_UPGRADE", "").lower() == "websocket":
            return None
        return result


def no_delay(sock: Any) -> None:
    """Send small writes at once (TCP_NODELAY) on a TCP socket; any other socket (a Unix one) is left alone."""
    if getattr(sock, "family", None) in (socket.AF_INET, socket.AF_INET6):
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:  # the peer already went away
            pass


def bound_client_io(app: Any) -> Any:
    """Under gunicorn (whose keep-alive timeout bounds request lines and headers), bound every read and write.

    gunicorn's gevent worker waits on a body sent slowly, or never, for good; it hands the connection's socket
    over in the environ, so each request gives it the same per-operation timeout (and TCP_NODELAY) as
    `python wsgi.py`.
    """

    def bounded(environ: dict, start_response: Any) -> Any:
        sock = environ.get("gunicorn.socket")
        if sock is not None:
            sock.settimeout(TimedHandler.io_timeout)
            no_delay(sock)
        return app(environ, start_response)

    return bounded
