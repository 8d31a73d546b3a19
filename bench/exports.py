"""10: every export of a documented event while 1,000 clients are connected: time, memory, loop stalls, import.

The event: 30 rooms x 12 slots, 300 topics, each with a result of about 2 KB, 5 action items and 2 photos
(written through the domain functions in a setup step). Each export is downloaded by an organizer while the
crowd keeps its connections; the server's RSS is sampled during the download and the stall probe read after it.
Then the event.json is imported beside the original through `flask import`.
"""

from __future__ import annotations

import io
import random
import re
import tempfile
import threading
import time
from pathlib import Path
from time import perf_counter
from typing import Any

import requests

from bench.harness import (
    SECRET,
    WALLS,
    app_server,
    cli,
    create_event,
    log,
    populate,
    read_probe,
    running,
    temp_database,
)
from bench.reactor import Reactor
from bench.scenarios import SLUG, Crowd, app_target, wait_for_quiet

# name -> target in seconds (issue: JSON/CSV/MD/ICS/frab < 1 s; HTML < 3 s; PDF < 60 s).
EXPORTS = {
    "event.json": 1,
    "topics.csv": 1,
    "action-items.csv": 1,
    "report.md": 1,
    "schedule.ics": 1,
    "schedule.json": 1,
    "schedule.xml": 1,
    "report.html": 3,
    "report.pdf": 60,
}
IMPORT_TARGET_S = 10
STALL_TARGET_MS = 50
WORDS = "Ergebnis Maßnahme Kunde Größe Retoure Prozess Team Woche Idee Frage Zukunft Köln nächste Schritte".split()


def _text(rng: random.Random, length: int) -> str:
    words: list[str] = []
    while sum(len(w) + 1 for w in words) < length:
        words.append(rng.choice(WORDS))
    return " ".join(words)[:length]


def _photos(count: int) -> list[bytes]:
    """Small flipchart-like JPEGs (noise on a light background), as a phone upload would be after re-encoding."""
    from PIL import Image

    photos = []
    for n in range(count):
        noise = Image.effect_noise((480, 360), 24 + n).convert("RGB")
        buffer = io.BytesIO()
        Image.blend(Image.new("RGB", noise.size, (240, 240, 230)), noise, 0.3).save(buffer, "JPEG", quality=80)
        photos.append(buffer.getvalue())
    return photos


def document(database_url: str, slug: str) -> dict[str, Any]:
    """Give every topic a result of ~2 KB, 5 action items and 2 photos through the domain functions."""
    from sqlalchemy import select

    from openspace import create_app
    from openspace.events import event_by_slug
    from openspace.extensions import db
    from openspace.identity import Actor
    from openspace.models import Topic
    from openspace.photos import add_photo
    from openspace.results import save_result

    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": SECRET})
    rng = random.Random(11)
    photos = _photos(4)
    started = perf_counter()
    with app.app_context():
        event = event_by_slug(slug)
        orga = Actor(organizer_of=frozenset({event.id}))
        live = select(Topic.id).where(Topic.event_id == event.id, Topic.status == "live").order_by(Topic.id)
        ids = list(db.session.scalars(live))
        for n, topic_id in enumerate(ids):
            items = [{"what": _text(rng, 80), "who": f"Team {k}", "due": f"2026-03-{k + 10:02d}"} for k in range(5)]
            data = {
                "version": 0,
                "summary": _text(rng, 1200),
                "insights": _text(rng, 800),
                "attendees": 5 + n % 30,
                "links": [f"https://pad.example.org/session-{n}"],
                "action_items": items,
            }
            save_result(event, actor=orga, topic_id=topic_id, data=data)
            for k in range(2):
                add_photo(event, actor=orga, topic_id=topic_id, data=photos[(n + k) % len(photos)])
    return {"results": len(ids), "photo_bytes": [len(p) for p in photos], "seconds": round(perf_counter() - started, 1)}


def _download(reactor: Reactor, server: Any, session: requests.Session, name: str) -> dict[str, Any]:
    """One export's time, size and the server's RSS growth during it; the crowd is served meanwhile."""
    figures: dict[str, Any] = {}
    base_rss = server.rss_kb()
    peak = {"kb": base_rss}

    def fetch() -> None:
        t0 = perf_counter()
        answer = session.get(f"{server.url}/e/{SLUG}/export/{name}", timeout=600)
        figures.update(status=answer.status_code, bytes=len(answer.content), seconds=round(perf_counter() - t0, 3))

    def sample() -> None:
        while worker.is_alive():
            peak["kb"] = max(peak["kb"], server.rss_kb())
            time.sleep(0.01)

    read_probe(server.url)  # reset the stall probe
    worker = threading.Thread(target=fetch, daemon=True)
    sampler = threading.Thread(target=sample, daemon=True)
    worker.start()
    sampler.start()
    reactor.run(lambda: not worker.is_alive(), 600)
    worker.join()
    sampler.join()
    reactor.run(None, 0.2)  # the probe's next tick lands after the download
    probe = read_probe(server.url) or {}
    figures["rss_growth_mb"] = round((peak["kb"] - base_rss) / 1024, 1)
    figures["max_loop_stall_ms"] = probe.get("max_stall_ms")
    return figures


def exports(clients: int = 1000, cpu: int | None = 0) -> dict[str, Any]:
    """Every export with `clients` connected; then the import of event.json through the CLI."""
    rooms, slots, topics = WALLS["big"]
    log(f"exports: {rooms}x{slots}, {topics} documented topics, {clients} clients connected")
    with temp_database() as url:
        link = re.search(r"(/e/\S+/organize/\S+)", create_event(url, SLUG, rooms, slots)).group(1)
        with running(app_server(url, cpu)) as (server,):
            populate(server.url, SLUG, topics)
            setup = document(url, SLUG)
            log(f"exports: documented in {setup['seconds']} s")
            organizer = requests.Session()
            organizer.get(server.url + link, timeout=30).raise_for_status()
            target = app_target([server])
            reactor = Reactor()
            crowd = Crowd(reactor, target, clients, None)
            results: dict[str, Any] = {}
            try:
                crowd.connect(concurrency=100, timeout=180)
                quiet = wait_for_quiet(reactor, target.servers)
                _download(reactor, server, organizer, "report.md")  # warm-up (imports, caches), not measured
                read_probe(server.url)
                reactor.run(None, 5)  # the same crowd without an export: the stalls it causes by itself
                idle = read_probe(server.url) or {}
                for name, limit in EXPORTS.items():
                    figures = _download(reactor, server, organizer, name)
                    figures["target_s"] = limit
                    figures["ok"] = figures.get("status") == 200 and figures["seconds"] < limit
                    figures["stall_ok"] = (figures["max_loop_stall_ms"] or 0) <= STALL_TARGET_MS
                    results[name] = figures
                    log(f"exports: {name} {figures}")
                joined = crowd.joined
            finally:
                crowd.close()
            dump = organizer.get(f"{server.url}/e/{SLUG}/export/event.json", timeout=120).content
            with tempfile.TemporaryDirectory() as directory:
                path = Path(directory) / "event.json"
                path.write_bytes(dump)
                t0 = perf_counter()
                cli(url, "import", str(path), "--slug", "imported")
                imported = round(perf_counter() - t0, 2)
    return {
        "scenario": "exports",
        "rooms": rooms,
        "slots": slots,
        "topics": topics,
        "clients": clients,
        "clients_joined": joined,
        "setup": setup,
        "quiet": quiet,
        "idle_5s_max_loop_stall_ms": idle.get("max_stall_ms"),
        "exports": results,
        "import_cli_s": imported,
        "import_ok": imported < IMPORT_TARGET_S,
        "event_json_mb": round(len(dump) / 2**20, 1),
        "time": time.strftime("%H:%M:%S"),
    }
