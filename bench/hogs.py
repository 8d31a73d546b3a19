"""7: clients that never read. N WebSockets join a big wall again and again and read nothing.

Reports the server's RSS before, while they hold on, and after they closed, and how long other people's
requests take meanwhile; once with the app's limit on unread bytes per connection, once without it
(SOCKETIO_MAX_QUEUED_BYTES set beyond reach), in the same run, so the ratio shows what the limit buys.
"""

from __future__ import annotations

import json
import socket
import time
from time import perf_counter
from typing import Any

import requests

from bench.harness import (
    WALLS,
    PageSession,
    app_server,
    create_event,
    log,
    populate,
    running,
    summary_ms,
    temp_database,
)

SLUG = "hogs"
UNLIMITED = str(1 << 40)


def _others(base_url: str, cookie: str, count: int = 20) -> list[float]:
    """Seconds each of `count` wall requests of another participant took."""
    times = []
    for _ in range(count):
        started = perf_counter()
        requests.get(f"{base_url}/api/events/{SLUG}/wall", headers={"Cookie": cookie}, timeout=60).raise_for_status()
        times.append(perf_counter() - started)
    return times


def _dropped(hog: Any) -> bool:
    """True when the server cut this connection (what it had written first may still be unread)."""
    hog.sock.setblocking(False)
    try:
        while True:
            if not hog.sock.recv(1 << 20):
                return True
    except BlockingIOError:
        return False
    except OSError:
        return True


def run_once(n: int, joins: int, cpu: int | None, *, limited: bool, settle: float) -> dict[str, Any]:
    from rawws import RawSocketIO  # tests/ is on the path once bench.harness is imported

    rooms, slots, topics = WALLS["big"]
    extra = {} if limited else {"SOCKETIO_MAX_QUEUED_BYTES": UNLIMITED}
    with temp_database() as url:
        create_event(url, SLUG, rooms, slots)
        with running(app_server(url, cpu, extra_env=extra)) as (server,):
            populate(server.url, SLUG, topics)
            cookie = PageSession(server.url, f"/e/{SLUG}/").cookie
            wall_bytes = len(requests.get(f"{server.url}/api/events/{SLUG}/wall", timeout=30).content)
            time.sleep(settle)
            rss_before = server.rss_kb()
            quiet = _others(server.url, cookie)
            hogs = []
            try:
                for _ in range(n):
                    hog = RawSocketIO(server.url, cookie, slow=True)
                    hog.request_join(SLUG)
                    for number in range(2, joins + 1):
                        hog.send_text(f"42{number}" + json.dumps(["join", {"event": SLUG}]))
                    hogs.append(hog)
                time.sleep(settle)
                rss_under = server.rss_kb()
                loaded = _others(server.url, cookie)
                dropped = sum(_dropped(h) for h in hogs)
            finally:
                for hog in hogs:
                    try:
                        hog.sock.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
                    hog.close()
            time.sleep(settle * 2)
            rss_after = server.rss_kb()
            return {
                "limited": limited,
                "wall_bytes": wall_bytes,
                "rss_mb": {
                    "before": round(rss_before / 1024, 1),
                    "under": round(rss_under / 1024, 1),
                    "after": round(rss_after / 1024, 1),
                },
                "dropped_by_server": dropped,
                "others_wall_request": {"quiet": summary_ms(quiet), "under_hogs": summary_ms(loaded)},
            }


def hogs(n: int = 300, joins: int = 20, cpu: int | None = 0, *, settle: float = 5) -> dict[str, Any]:
    """The scenario: the app with its limit, and without it, one after the other."""
    log(f"hogs: {n} connections that never read, {joins} joins each, big wall")
    limited = run_once(n, joins, cpu, limited=True, settle=settle)
    unlimited = run_once(n, joins, cpu, limited=False, settle=settle)

    def growth(run: dict[str, Any], when: str) -> float:
        return round(run["rss_mb"][when] - run["rss_mb"]["before"], 1)

    return {
        "scenario": "hogs",
        "connections": n,
        "joins_each": joins,
        "wall": dict(zip(("rooms", "slots", "topics"), WALLS["big"], strict=True)),
        "limited": limited,
        "unlimited": unlimited,
        "ratios": {
            "rss_growth_under_limited_vs_unlimited": round(growth(limited, "under") / growth(unlimited, "under"), 3)
            if growth(unlimited, "under") > 0
            else None,
        },
        "rss_growth_mb": {
            "limited_under": growth(limited, "under"),
            "limited_after": growth(limited, "after"),
            "unlimited_under": growth(unlimited, "under"),
            "unlimited_after": growth(unlimited, "after"),
        },
    }
