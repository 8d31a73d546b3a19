"""Transport under abuse: oversized Socket.IO bodies and malformed joins are refused at once."""

from __future__ import annotations

import os
import resource
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests
from live import ROOT, LiveServer, gunicorn_command, wait_until_serving

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


def _descriptors(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


class Gunicorn(LiveServer):
    """The documented production command (one gevent worker; its keep-alive timeout bounds the headers)."""

    def start(self, timeout: float = 60) -> LiveServer:
        command = gunicorn_command(self.port)
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        wait_until_serving(f"{self.url}/", self.process, timeout)
        return self

    def worker_pid(self) -> int:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        return int(children[0])


@pytest.mark.parametrize("serve", ["python wsgi.py", "gunicorn"])
def test_hundreds_of_idle_and_half_sent_connections_time_out_and_the_server_keeps_answering(tmp_path, serve):
    """300 connections that send nothing, half a request or half a body, or idle after one request, against
    a server allowed 256 descriptors: each wait on a client is bounded, so it keeps answering and lets go."""
    timeouts = {"HTTP_IDLE_TIMEOUT": "2", "HTTP_HEADER_TIMEOUT": "2", "HTTP_IO_TIMEOUT": "3"}
    kind = Gunicorn if serve == "gunicorn" else LiveServer
    with kind(f"sqlite:///{tmp_path / 'fd.sqlite3'}", env=timeouts) as server:
        pid = server.worker_pid() if serve == "gunicorn" else server.process.pid
        resource.prlimit(pid, resource.RLIMIT_NOFILE, (256, 256))
        assert requests.get(f"{server.url}/", timeout=5).status_code == 200
        baseline = _descriptors(pid)
        kinds = [
            b"",  # connects, says nothing
            b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ",  # half the headers
            b"POST /new HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: 5000\r\n\r\nname=half",  # half the body
            b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",  # one whole request, then idle keep-alive
        ]
        held = []
        for number in range(300):
            conn = socket.create_connection(("127.0.0.1", server.port), timeout=10)
            if kinds[number % 4]:
                conn.sendall(kinds[number % 4])
            held.append(conn)
        try:
            deadline = time.monotonic() + 30
            answered = None
            while answered is None and time.monotonic() < deadline:
                try:
                    answered = requests.get(f"{server.url}/", timeout=2).status_code
                except requests.RequestException:
                    time.sleep(0.2)
            assert answered == 200
            closed = 0
            for conn in held:  # the server ends every one of them: each read ends with b"" (after any answer)
                try:
                    while conn.recv(65536):
                        pass
                    closed += 1
                except ConnectionResetError:
                    closed += 1
            assert closed == 300
        finally:
            for conn in held:
                conn.close()
        deadline = time.monotonic() + 20
        while _descriptors(pid) > baseline + 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _descriptors(pid) <= baseline + 2
        assert requests.get(f"{server.url}/", timeout=5).status_code == 200


def test_connection_that_was_a_websocket_is_never_reused_for_another_request(tmp_path):
    from live import HttpParticipant, cli
    from rawws import RawSocketIO

    database_url = f"sqlite:///{tmp_path / 'ws.sqlite3'}"
    cli(
        database_url,
        "create-event",
        "--name=Reuse",
        "--slug=reuse",
        "--starts-on=2026-02-27",
        "--room=A",
        "--slot=09:00-10:00",
    )
    with LiveServer(database_url) as server:
        person = HttpParticipant(server.url, "reuse")
        raw = RawSocketIO(server.url, "; ".join(f"{c.name}={c.value}" for c in person.http.cookies))
        assert raw.connect_and_join("reuse")["ok"] is True
        raw._send_frame(0x8, b"\x03\xe8")  # WebSocket close, 1000
        raw.sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        rest = raw.buffer
        try:
            while chunk := raw.sock.recv(65536):
                rest += chunk
        except ConnectionResetError:
            pass
        raw.close()
        assert b"HTTP/1.1" not in rest  # the server closed the connection instead of answering on it
        assert requests.get(f"{server.url}/", timeout=5).status_code == 200
