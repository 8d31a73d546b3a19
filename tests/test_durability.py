"""kill -9 under a steady load of posts: every acknowledged topic survives, the database stays intact."""

from __future__ import annotations

import random
import signal
import sqlite3
import threading
import time
import uuid

import pytest
import requests
from live import HttpParticipant, LiveServer, cli

pytestmark = [pytest.mark.server, pytest.mark.slow]
KILLS = 20


def post_steadily(base_url: str, stop: threading.Event, acknowledged: list[str], errors: list[str]) -> None:
    """Post unplaced topics one after another until stopped; remember every acknowledged request id."""
    person = None
    while not stop.is_set():
        try:
            person = person or HttpParticipant(base_url, "crash")
            request_id = uuid.uuid4().hex
            body = {"title": f"Anliegen {request_id[:8]}", "host": "Last", "request_id": request_id}
            response = person.post(body)
            if response.status_code in (200, 201):
                acknowledged.append(request_id)
            elif response.status_code >= 500:
                errors.append(f"{response.status_code} {response.text[:200]}")
        except requests.RequestException:
            person = None
            time.sleep(0.02)


def test_kill_nine_twenty_times_loses_no_acknowledged_topic(tmp_path):
    database = tmp_path / "crash.sqlite3"
    url = f"sqlite:///{database}"
    cli(
        url,
        "create-event",
        "--name=Crash",
        "--slug=crash",
        "--starts-on=2026-02-27",
        "--max-topics-per-participant=0",
        "--room=A",
        "--slot=09:00-10:00",
    )
    rng = random.Random(4711)
    acknowledged: list[str] = []
    errors: list[str] = []
    port = None
    for _ in range(KILLS):
        server = LiveServer(url, port=port).start()
        port = server.port
        stop = threading.Event()
        posters = [
            threading.Thread(target=post_steadily, args=(server.url, stop, acknowledged, errors)) for _ in range(3)
        ]
        for poster in posters:
            poster.start()
        time.sleep(rng.uniform(0.3, 1.2))
        server.process.send_signal(signal.SIGKILL)
        server.process.wait()
        stop.set()
        for poster in posters:
            poster.join(timeout=30)
    with LiveServer(url, port=port) as server:
        wall = HttpParticipant(server.url, "crash").wall()
    with sqlite3.connect(database) as conn:
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        stored = {row[0] for row in conn.execute("SELECT request_id FROM topics")}
    missing = [r for r in acknowledged if r not in stored]
    figures = f"acknowledged={len(acknowledged)} stored={len(stored)} missing={len(missing)}"
    print(f"kills={KILLS} {figures} integrity={integrity}")
    assert errors == [], errors[:5]
    assert len(acknowledged) > KILLS * 10
    assert missing == []
    assert integrity == "ok"
    assert len(wall["topics"]) == len(stored)
    assert wall["revision"] == len(stored)
