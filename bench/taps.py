"""11: interest taps from many phones while every phone watches: coalesced `counts_changed`, CPU, loop stalls.

`clients` phones are joined to the wall; `taps` interest marks arrive over `seconds` (from `people`
participants, each marking different topics). Without coalescing that would be `taps` broadcasts to every
phone; with it each phone gets at most one `counts_changed` a second.
"""

from __future__ import annotations

import time
from itertools import cycle, pairwise
from time import perf_counter
from typing import Any

import requests

from bench.harness import (
    HOST,
    WALLS,
    PageSession,
    app_server,
    create_event,
    log,
    populate,
    read_probe,
    running,
    temp_database,
)
from bench.reactor import HttpConn, Reactor
from bench.scenarios import SLUG, Crowd, app_target, wait_for_quiet

TAP_ENV = {"RATE_LIMIT_TAPS": "100000 per second", "RATE_LIMIT_TAPS_PER_ADDRESS": "100000 per second"}


def taps(clients: int = 2000, count: int = 2000, seconds: float = 20, people: int = 100, cpu: int | None = 0) -> dict:
    """`count` taps spread evenly over `seconds` while `clients` phones watch; what each phone received."""
    rooms, slots, topics = WALLS["standard"]
    log(f"taps: {clients} clients watching, {count} interest taps in {seconds:.0f} s from {people} participants")
    with temp_database() as url:
        create_event(url, SLUG, rooms, slots)
        with running(app_server(url, cpu, extra_env=TAP_ENV)) as (server,):
            populate(server.url, SLUG, topics)
            sessions = [PageSession(server.url, f"/e/{SLUG}/") for _ in range(people)]
            target = app_target([server])
            reactor = Reactor()
            crowd = Crowd(reactor, target, clients, None)
            try:
                crowd.connect(concurrency=100, timeout=180)
                quiet = wait_for_quiet(reactor, target.servers)
                result = _tap(reactor, server, sessions, count, seconds, topics)
                received = [len(c.counts) for c in crowd.clients]
                gaps = [b - a for c in crowd.clients for a, b in pairwise(c.counts)]
                wall = requests.get(f"{server.url}/api/events/{SLUG}/wall", timeout=30).json()
            finally:
                crowd.close()
    counted = sum(t["interest"] for t in wall["topics"])
    return {
        "scenario": "taps",
        "clients": clients,
        "taps": count,
        "participants": people,
        "quiet": quiet,
        **result,
        "counts_changed_per_client": {
            "min": min(received),
            "max": max(received),
            "mean": round(sum(received) / len(received), 1),
        },
        "messages_without_coalescing_per_client": result["taps_ok"],
        "shortest_gap_between_messages_ms": round(min(gaps) * 1000) if gaps else None,
        "final_counts_match": counted == result["taps_ok"],
        "time": time.strftime("%H:%M:%S"),
    }


def _tap(reactor: Reactor, server: Any, sessions: list[PageSession], count: int, seconds: float, topics: int) -> dict:
    """Send the taps at an even rate, each participant on its own connection marking its next topic."""
    conns = [
        HttpConn(reactor, HOST, server.port, {"Cookie": s.cookie, "X-CSRFToken": s.csrf, "Accept": "application/json"})
        for s in sessions
    ]
    nexts = {id(c): iter(range(1, topics + 1)) for c in conns}
    ring = cycle(conns)
    state = {"sent": 0, "ok": 0, "failed": 0, "skipped": 0, "open": 0}
    latencies: list[float] = []
    interval = seconds / count

    def done(status: int, _headers: dict, _body: bytes, sent_at: float, at: float) -> None:
        state["open"] -= 1
        state["ok" if status == 200 else "failed"] += 1
        latencies.append(at - sent_at)

    def tap() -> None:
        if state["sent"] >= count:
            return
        for _ in range(len(conns)):
            conn = next(ring)
            if not conn.busy:
                topic = next(nexts[id(conn)], None)
                if topic is not None:
                    state["sent"] += 1
                    state["open"] += 1
                    conn.request("POST", f"/api/events/{SLUG}/topics/{topic}/interest", done, b"")
                    break
        else:
            state["skipped"] += 1
        reactor.call_later(interval, tap)

    read_probe(server.url)  # resets the stall probe
    cpu0, t0 = server.cpu_seconds(), perf_counter()
    reactor.call_later(0, tap)
    reactor.run(lambda: state["sent"] >= count and state["open"] == 0, seconds * 5 + 60)
    tapping = perf_counter() - t0
    reactor.run(None, 2.5)  # the last coalesced message
    cpu = server.cpu_seconds() - cpu0
    probe = read_probe(server.url) or {}
    for conn in conns:
        conn.close()
    latencies.sort()
    return {
        "tapping_s": round(tapping, 1),
        "taps_ok": state["ok"],
        "taps_failed": state["failed"],
        "tap_latency_p50_ms": round(latencies[len(latencies) // 2] * 1000, 1) if latencies else None,
        "tap_latency_p99_ms": round(latencies[int(len(latencies) * 0.99)] * 1000, 1) if latencies else None,
        "server_cpu_s": round(cpu, 1),
        "server_cpu_per_tap_ms": round(cpu * 1000 / max(state["ok"], 1), 2),
        "max_loop_stall_ms": probe.get("max_stall_ms"),
    }
