"""8: the organizer prints 300 A3 topic sheets as one PDF while the wall is live: loop stalls, others' latency.

The PDF is laid out by a worker process (openspace/pdf.py); this measures whether the server's event loop and
the live walls of everyone else notice. Two windows of equal length: the same posting without a PDF, then
while the PDF is made.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import threading
import time
from time import perf_counter
from typing import Any

import requests

from bench.harness import (
    HOST,
    WALLS,
    app_server,
    create_event,
    log,
    populate,
    running,
    temp_database,
)
from bench.reactor import HttpConn, Reactor, Recorder
from bench.scenarios import SLUG, Crowd, app_target, deliveries, wait_for_quiet


def _window(reactor: Reactor, target: Any, recorder: Recorder, n: int, rate: float, until: Any) -> dict[str, Any]:
    """Post at `rate`/s until `until()` is true; the wall latency of those posts to all `n` clients."""
    conn = HttpConn(reactor, HOST, target.poster_server.port, target.post_headers)
    sent: list[tuple[int, float]] = []
    counter = iter(range(10**9))
    busy: dict[str, Any] = {"posting": False}

    def post() -> None:
        if until():
            return
        if not conn.busy:  # a post still unanswered after 1/rate s: this tick is skipped (and counted)
            busy["posting"] = True
            conn.request("POST", target.post_path, done, target.body(200000 + next(counter)))
        else:
            busy["skipped"] = busy.get("skipped", 0) + 1
        reactor.call_later(1 / rate, post)

    def done(status: int, _headers: dict, body: bytes, at_sent: float, _at: float) -> None:
        busy["posting"] = False
        match = re.search(rb'"revision":\s*(\d+)', body) if 200 <= status < 300 else None
        if match:
            sent.append((int(match.group(1)), at_sent))

    target.probes()  # reset the stall probe
    started = perf_counter()
    reactor.call_later(0, post)
    reactor.run(lambda: until() and not busy["posting"], 600)
    seconds = perf_counter() - started
    reactor.run(lambda: all(len(recorder.times.get(r, ())) >= n for r, _ in sent), 15)
    probe = target.probes()[0] or {}
    figures = deliveries(recorder, sent, n)
    conn.close()
    return {
        "seconds": round(seconds, 1),
        "posts": len(sent),
        "ticks_skipped_post_unanswered": busy.get("skipped", 0),
        "wall_latency_last_client": figures["last_client"],
        "wall_latency_all": figures["all_deliveries"],
        "lost": figures["lost"],
        "max_loop_stall_ms": probe.get("max_stall_ms"),
        "mean_tick_lateness_ms": probe.get("mean_lateness_ms"),
    }


def printables(topics: int = 300, clients: int = 200, rate: float = 5, cpu: int | None = 0) -> dict[str, Any]:
    """`clients` watch the wall and one participant posts at `rate`/s while an organizer downloads all sheets."""
    rooms, slots, _ = WALLS["big"]
    log(f"printables: {topics} A3 sheets as one PDF, {clients} clients watching, posts at {rate}/s")
    with temp_database() as url:
        link = re.search(r"(/e/\S+/organize/\S+)", create_event(url, SLUG, rooms, slots)).group(1)
        with running(app_server(url, cpu)) as (server,):
            populate(server.url, SLUG, topics)
            organizer = requests.Session()
            organizer.get(server.url + link, timeout=30).raise_for_status()
            target = app_target([server])
            reactor, recorder = Reactor(), Recorder()
            crowd = Crowd(reactor, target, clients, recorder)
            try:
                crowd.connect(concurrency=100, timeout=120)
                quiet = wait_for_quiet(reactor, target.servers)
                pdf: dict[str, Any] = {}

                def download() -> None:
                    t0 = perf_counter()
                    answer = organizer.get(f"{server.url}/e/{SLUG}/print/topics.pdf", timeout=600)
                    pdf.update(status=answer.status_code, bytes=len(answer.content), seconds=perf_counter() - t0)
                    pdf["pages"] = _pages(answer.content)

                # Warm-up render of one sheet (the worker's imports and font cache), not measured.
                organizer.get(f"{server.url}/e/{SLUG}/print/topics/1.pdf", timeout=120).raise_for_status()
                end_quiet = perf_counter() + 15
                without = _window(reactor, target, recorder, clients, rate, lambda: perf_counter() >= end_quiet)
                worker = threading.Thread(target=download, daemon=True)
                worker.start()
                during = _window(reactor, target, recorder, clients, rate, lambda: not worker.is_alive())
                worker.join()
            finally:
                crowd.close()
    return {
        "scenario": "printables",
        "topics": topics,
        "clients": clients,
        "post_rate_per_s": rate,
        "quiet": quiet,
        "pdf": {k: round(v, 1) if isinstance(v, float) else v for k, v in pdf.items()},
        # The sheets are every topic on the wall when the PDF is asked for: the populated ones and those the
        # first window posted.
        "ms_per_sheet": round(pdf["seconds"] * 1000 / pdf["pages"], 1) if pdf.get("pages") else None,
        "without_pdf": without,
        "while_pdf_renders": during,
        "p99_slowdown": _ratio(during, without),
        "time": time.strftime("%H:%M:%S"),
    }


def _ratio(during: dict[str, Any], without: dict[str, Any]) -> float | None:
    """How much slower the last client's p99 got while the PDF was made."""
    a = during["wall_latency_last_client"].get("p99_ms")
    b = without["wall_latency_last_client"].get("p99_ms")
    return round(a / b, 2) if a and b else None


def _pages(data: bytes) -> int | None:
    """Pages of a PDF as pdfinfo (poppler-utils) counts them; None without it."""
    if shutil.which("pdfinfo") is None:
        return None
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(data)
        file.flush()
        info = subprocess.run(["pdfinfo", file.name], capture_output=True, text=True).stdout
    match = re.search(r"^Pages:\s+(\d+)", info, re.M)
    return int(match.group(1)) if match else None
