"""Refuse a Socket.IO request whose declared body is too large or malformed before engine.io reads it.

python-engineio answers an oversized long-polling POST by disconnecting the session, and that disconnect
waits for a poll that never comes: the request is never answered and its connection is never released
(one client could hold every descriptor). Here such a request gets 413 (400 for a malformed length) at
once, with `Connection: close`, and its body is never read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

WSGIApp = Callable[[dict, Callable[..., Any]], Iterable[bytes]]


def refusal_of(environ: dict, limit: int) -> str | None:
    """The status line to refuse this request with, or None when engine.io may read it."""
    if not environ.get("PATH_INFO", "").startswith("/socket.io"):
        return None
    declared = environ.get("CONTENT_LENGTH") or "0"
    if not declared.isascii() or not declared.isdigit():
        return "400 Bad Request"
    if int(declared) > limit:
        return "413 Content Too Large"
    return None


def guard_socketio(app: WSGIApp, *, limit: int) -> WSGIApp:
    """Wrap the WSGI app so oversized or malformed Socket.IO bodies are refused and their connection closed."""

    def guarded(environ: dict, start_response: Callable[..., Any]) -> Iterable[bytes]:
        status = refusal_of(environ, limit)
        if status is None:
            return app(environ, start_response)
        body = status.encode()
        stream = environ.get("wsgi.input")
        if hasattr(stream, "content_length"):  # gevent pywsgi: do not read (discard) the unread body afterwards
            stream.content_length = 0
        start_response(
            status, [("Content-Type", "text/plain"), ("Content-Length", str(len(body))), ("Connection", "close")]
        )
        return [body]

    return guarded
