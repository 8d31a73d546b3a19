"""Opt-in event-loop stall probe for benchmarks: only active when OPENSPACE_STALL_PROBE=1.

A greenlet asks to wake every 10 ms and records how late it actually woke: that
lateness is the longest time the gevent loop was busy with something else (a
request, a broadcast) without yielding. The API also reports how long each post
took from the domain call through commit to the emitted broadcast
(`record_write`). `GET /_probe/stall` returns both since the previous read and
starts over. Without the variable nothing is spawned, nothing is recorded and
the route does not exist.
"""

from __future__ import annotations

import os
import resource
import time
from typing import Any

from flask import Flask, Response, jsonify

TICK_SECONDS = 0.010


class StallProbe:
    """The ticker's state: worst and total lateness and tick count since the last read."""

    def __init__(self, tick: float = TICK_SECONDS) -> None:
        self.tick = tick
        self._reset()

    def _reset(self) -> None:
        self.writes: list[float] = []
        self.max_late = 0.0
        self.total_late = 0.0
        self.ticks = 0
        self.since = time.perf_counter()

    def run(self) -> None:
        """Tick forever (run in its own greenlet)."""
        import gevent

        while True:
            start = time.perf_counter()
            gevent.sleep(self.tick)
            late = time.perf_counter() - start - self.tick
            self.ticks += 1
            self.total_late += late
            self.max_late = max(self.max_late, late)

    def read_and_reset(self) -> dict[str, Any]:
        """The figures since the last read, in milliseconds; then start over."""
        figures = {
            "max_stall_ms": round(self.max_late * 1000, 3),
            "mean_lateness_ms": round(self.total_late * 1000 / self.ticks, 3) if self.ticks else None,
            "ticks": self.ticks,
            "window_s": round(time.perf_counter() - self.since, 3),
            "post_commit_emit": _percentiles(self.writes),
            # The largest resident set any finished child reached (the PDF worker): its peak memory.
            "children_peak_rss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
        }
        self._reset()
        return figures


_active: StallProbe | None = None


def _percentiles(samples: list[float]) -> dict[str, Any]:
    ordered = sorted(samples)
    if not ordered:
        return {"n": 0}

    def pick(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 3)

    return {"n": len(ordered), "p50_ms": pick(0.5), "p99_ms": pick(0.99), "max_ms": round(ordered[-1] * 1000, 3)}


def record_write(seconds: float) -> None:
    """Remember how long one post took from the domain call to the emitted broadcast (only while probing)."""
    if _active is not None:
        _active.writes.append(seconds)


def install_stall_probe(app: Flask) -> StallProbe | None:
    """If OPENSPACE_STALL_PROBE=1: spawn the ticker greenlet and register GET /_probe/stall."""
    global _active
    if os.environ.get("OPENSPACE_STALL_PROBE") != "1":
        return None
    import gevent

    probe = _active = StallProbe()
    gevent.spawn(probe.run)

    def stall() -> Response:
        return jsonify(probe.read_and_reset())

    app.add_url_rule("/_probe/stall", "stall_probe", stall)
    return probe
