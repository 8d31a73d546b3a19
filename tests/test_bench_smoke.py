"""A smoke-sized run of the fan-out benchmark (bench/): correctness only, never timing.

100 raw Engine.IO clients join one event on a real `python wsgi.py`; one poster
makes 10 changes per second for 3 s through the HTTP API. Every client must get
every change exactly once, each revision exactly one above the one before.
"""

from __future__ import annotations

import pytest
import requests
from live import HttpParticipant, LiveServer, cli

from bench.scenarios import app_event, app_target, measure_fanout

pytestmark = [pytest.mark.server]

CLIENTS = 100
RATE = 10
SECONDS = 3


def test_fanout_smoke_every_client_gets_every_change_in_order():
    with app_event(cpu=None) as server:
        result = measure_fanout(app_target([server]), CLIENTS, RATE, SECONDS, drain_timeout=30)
    posts = RATE * SECONDS
    assert result["post_statuses"] == {"201": posts}, result["post_statuses"]
    assert result["posts_ok"] == posts
    assert result["expected"] == CLIENTS * posts
    assert result["received"] == CLIENTS * posts, result
    assert result["lost"] == 0
    assert result["duplicates"] == 0
    assert result["clients_dropped"] == 0, result["client_errors"]
    assert result["clients_with_gaps"] == 0
    assert result["clients_complete"] == CLIENTS
    assert result["revisions_ok"] is True  # each client: join revision, then +1 per change, up to the last post


def test_stall_probe_reports_each_post_only_when_switched_on(tmp_path):
    database_url = f"sqlite:///{tmp_path / 'probe.sqlite3'}"
    cli(
        database_url,
        "create-event",
        "--name=Probe",
        "--slug=probe",
        "--starts-on=2026-02-27",
        "--room=A",
        "--slot=09:00-10:00",
    )
    with LiveServer(database_url) as plain:
        assert requests.get(f"{plain.url}/_probe/stall", timeout=10).status_code == 404
    with LiveServer(database_url, env={"OPENSPACE_STALL_PROBE": "1"}) as probed:
        person = HttpParticipant(probed.url, "probe")
        requests.get(f"{probed.url}/_probe/stall", timeout=10).raise_for_status()  # start counting now
        for title in ("Eins", "Zwei"):
            assert person.post({"title": title, "host": "Ada"}).status_code == 201
        figures = requests.get(f"{probed.url}/_probe/stall", timeout=10).json()["post_commit_emit"]
        again = requests.get(f"{probed.url}/_probe/stall", timeout=10).json()["post_commit_emit"]
    assert figures["n"] == 2
    assert 0 < figures["p50_ms"] <= figures["max_ms"]
    assert again == {"n": 0}  # each read starts over
