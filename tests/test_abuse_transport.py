"""Transport under abuse: oversized Socket.IO bodies and malformed joins are refused at once."""

from __future__ import annotations

import socket

import pytest
import requests
from live import LiveServer

from openspace.guard import refusal_of


def test_join_with_wrong_number_of_arguments_is_refused_in_ack(alice):
    sock = alice.socket()
    expected = {"ok": False, "error": "Expected a JSON object.", "code": "bad_request"}
    assert sock.emit("join", callback=True) == expected
    assert sock.emit("join", {"event": "zukunft"}, "extra", callback=True) == expected
    assert sock.emit("join", {"event": "zukunft"}, callback=True)["ok"] is True


def test_guard_refuses_oversized_and_malformed_declared_lengths():
    path = "/socket.io/"
    assert refusal_of({"PATH_INFO": path, "CONTENT_LENGTH": "99999999"}, 65536) == "413 Content Too Large"
    assert refusal_of({"PATH_INFO": path, "CONTENT_LENGTH": "-1"}, 65536) == "400 Bad Request"
    assert refusal_of({"PATH_INFO": path, "CONTENT_LENGTH": "١٢"}, 65536) == "400 Bad Request"
    assert refusal_of({"PATH_INFO": path, "CONTENT_LENGTH": "65536"}, 65536) is None
    assert refusal_of({"PATH_INFO": "/api/x", "CONTENT_LENGTH": "99999999"}, 65536) is None


@pytest.mark.server
def test_oversized_long_polling_post_is_answered_413_at_once_and_closed(tmp_path):
    with LiveServer(f"sqlite:///{tmp_path / 'a.sqlite3'}") as server:
        open_text = requests.get(f"{server.url}/socket.io/?EIO=4&transport=polling", timeout=5).text
        sid = open_text[open_text.index('"sid":"') + 7 :].split('"', 1)[0]
        held = []
        for _ in range(50):
            conn = socket.create_connection(("127.0.0.1", server.port), timeout=5)
            conn.sendall(
                f"POST /socket.io/?EIO=4&transport=polling&sid={sid} HTTP/1.1\r\nHost: x\r\n"
                "Content-Length: 99999999\r\n\r\n".encode()
            )
            held.append(conn)
        answers = []
        for conn in held:
            data = b""
            while chunk := conn.recv(4096):  # the server answers and closes: recv ends with b""
                data += chunk
            answers.append(data.split(b"\r\n", 1)[0])
            conn.close()
        assert answers == [b"HTTP/1.1 413 Content Too Large"] * 50
        assert requests.get(f"{server.url}/", timeout=5).status_code == 200
