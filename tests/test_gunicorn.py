"""The documented production command: gunicorn's gevent worker serves pages, API and websockets."""

from __future__ import annotations

import os
import subprocess
import threading

import pytest
import socketio
from live import ROOT, SECRET, HttpParticipant, cli, free_port, gunicorn_command, wait_until_serving

pytestmark = [pytest.mark.server]


def test_gunicorn_gevent_worker_serves_live_updates_over_websocket(tmp_path):
    database_url = f"sqlite:///{tmp_path / 'g.sqlite3'}"
    cli(
        database_url,
        "create-event",
        "--name=Prod",
        "--slug=prod",
        "--starts-on=2026-02-27",
        "--room=A",
        "--slot=09:00-10:00",
    )
    port = free_port()
    env = {**os.environ, "SECRET_KEY": SECRET, "DATABASE_URL": database_url}
    command = gunicorn_command(port)
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(base, server, timeout=60)
        person = HttpParticipant(base, "prod")
        received: list[dict] = []
        arrived = threading.Event()
        client = socketio.Client(reconnection=False)

        @client.on("wall_changed")
        def _changed(message):
            received.append(message)
            arrived.set()

        cookie = "; ".join(f"{k}={v}" for k, v in person.http.cookies.get_dict().items())
        client.connect(base, transports=["websocket"], headers={"Cookie": cookie}, wait_timeout=20)
        assert client.transport() == "websocket"
        assert client.call("join", {"event": "prod"}, timeout=20)["ok"] is True
        topic = person.post({"title": "Unter gunicorn", "host": "Ops"}).json()["topic"]
        assert arrived.wait(10)
        assert received == [{"revision": 1, "change": {"type": "topic_posted", "topic": topic}}]
        client.disconnect()
    finally:
        server.terminate()
        output = server.communicate(timeout=20)[0].decode(errors="replace")
    assert "Booting worker" in output
    assert "Traceback" not in output
