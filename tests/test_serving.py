"""How `python wsgi.py` and gunicorn hold a connection: small writes leave at once (TCP_NODELAY).

Without it, a response written as headers then body on a keep-alive connection waits for the client's delayed
acknowledgement (40 ms on Linux) on every request after the first.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from gevent.pywsgi import WSGIHandler

from openspace.serving import TimedHandler, bound_client_io, no_delay


@pytest.fixture
def accepted() -> Iterator[socket.socket]:
    """The server's side of a real TCP connection on 127.0.0.1."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        with socket.create_connection(server.getsockname()) as client:
            conn, _ = server.accept()
            with conn:
                assert conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0
                yield conn
                client.close()


def nodelay(sock: socket.socket) -> int:
    return sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)


def test_no_delay_sets_the_option_on_a_tcp_socket(accepted):
    no_delay(accepted)
    assert nodelay(accepted) == 1


def test_no_delay_leaves_a_unix_socket_alone():
    left, right = socket.socketpair(socket.AF_UNIX)
    with left, right:
        no_delay(left)  # no error: the option does not exist there
        assert left.family == socket.AF_UNIX


def test_the_wsgi_handler_sets_it_on_every_connection(accepted, monkeypatch):
    monkeypatch.setattr(WSGIHandler, "handle", lambda self: None)  # serve nothing: only the set-up is looked at
    TimedHandler(accepted, ("127.0.0.1", 1), None).handle()
    assert nodelay(accepted) == 1
    assert accepted.gettimeout() == TimedHandler.io_timeout


def test_under_gunicorn_each_request_sets_it_on_the_connection(accepted):
    seen = []
    app = bound_client_io(lambda environ, start_response: seen.append(environ["PATH_INFO"]) or [b""])
    app({"gunicorn.socket": accepted, "PATH_INFO": "/"}, None)
    assert seen == ["/"]
    assert nodelay(accepted) == 1
    assert accepted.gettimeout() == TimedHandler.io_timeout
