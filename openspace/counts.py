"""Interest marks and check-ins: stored per participant hash, shown to everyone only as counts, sent coalesced.

Counts change far more often than the wall and never bump its revision. Each process keeps the counts it last
read from the database (a tap refreshes its own topic's or slot's count in its write transaction) and merges
them into every wall state it sends, so a join or rejoin always gets them. Every tap marks its event dirty; a
background task sends at most one `counts_changed` per event and COUNTS_INTERVAL, a second after the first
tap it carries, with the counts read from the database at that moment (so every message is true).

With several processes (REDIS_URL), a Redis key set with NX and a PX of the interval lets one of them send per
event and interval; the others keep their dirt for a later tick. Their cached counts are then re-read after at
most one interval, since taps reaching another process do not refresh them.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, current_app
from flask_babel import gettext as _
from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError

from .database import write_transaction
from .errors import DomainError
from .extensions import db, socketio
from .identity import Actor
from .models import CheckIn, Event, Interest, Room, Slot, Topic, utcnow
from .wall import _check_not_blocked

SOON = timedelta(minutes=10)  # a slot starting within this long is "now" for check-ins
TICK = 0.1  # seconds between the flusher's looks at the dirty events
IDLE_EXIT = 30.0  # the flusher stops after this long without dirt (the next tap starts it again)

log = logging.getLogger(__name__)

# A topic's count: every mark on it except its host's own.
_COUNTS = (
    select(Interest.topic_id, func.count())
    .join(Topic, Topic.id == Interest.topic_id)
    .where(Interest.event_id == bindparam("event_id"), Interest.author_hash != Topic.author_hash)
    .group_by(Interest.topic_id)
)
_HEADS = (
    select(CheckIn.room_id, func.count())
    .where(CheckIn.event_id == bindparam("event_id"), CheckIn.slot_id == bindparam("slot_id"))
    .group_by(CheckIn.room_id)
)


def now_utc() -> datetime:
    """Now, as an aware UTC time (tests move it)."""
    return datetime.now(UTC)


def pick_slot(slots: Iterable[tuple[int, datetime, datetime, bool]], now: datetime) -> int | None:
    """The current slot among (id, start, end, is_break) with aware times: the one running (not a break),
    else the first to start within SOON; None when neither."""
    running = soon = None
    for slot_id, start, end, is_break in sorted(slots, key=lambda s: (s[1], s[0])):
        if is_break:
            continue
        if start <= now < end and running is None:
            running = slot_id
        elif now < start <= now + SOON and soon is None:
            soon = slot_id
    return running if running is not None else soon


def current_slot_id(event_id: int, timezone: str, now: datetime | None = None) -> int | None:
    """The event's current slot (see pick_slot) from the database; slot times are the event's local time."""
    zone = ZoneInfo(timezone)
    rows = db.session.execute(
        select(Slot.id, Slot.starts_at, Slot.ends_at, Slot.is_break).where(Slot.event_id == event_id)
    )
    slots = [(r.id, r.starts_at.replace(tzinfo=zone), r.ends_at.replace(tzinfo=zone), r.is_break) for r in rows]
    return pick_slot(slots, now or now_utc())


def state_slot_id(state: dict[str, Any], now: datetime | None = None) -> int | None:
    """The current slot of a wall state (its slot times carry their offsets)."""
    slots = [
        (s["id"], datetime.fromisoformat(s["starts_at"]), datetime.fromisoformat(s["ends_at"]), s["is_break"])
        for s in state["slots"]
    ]
    return pick_slot(slots, now or now_utc())


@dataclass
class _Live:
    """One event's counts as this process last read them, and what it still has to send."""

    interest: dict[int, int] | None = None
    interest_at: float = 0.0
    heads: tuple[int | None, dict[int, int]] | None = None
    heads_at: float = 0.0
    dirty_topics: set[int] = field(default_factory=set)
    dirty_heads: bool = False
    dirty_since: float | None = None
    sent_at: float = float("-inf")
    sent_interest: dict[int, int] = field(default_factory=dict)
    sent_heads: tuple[int | None, dict[int, int]] | None = None


class Hub:
    """Per app: the cached counts of its events and the background task that sends their changes."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.interval = float(app.config["COUNTS_INTERVAL"])
        self.shared = bool(app.config["REDIS_URL"])
        self.ttl = self.interval if self.shared else float("inf")
        self.lock = threading.Lock()
        self.events: dict[int, _Live] = {}
        self.running = False
        self._redis: Any = None
        self.server = socketio.server  # the Socket.IO server of this app (tests build many apps in one process)
        self.sent = 0  # counts_changed messages sent (for the benchmark)

    def live(self, event_id: int) -> _Live:
        found = self.events.get(event_id)
        if found is None:
            found = self.events[event_id] = _Live()
        return found

    def mark(self, event_id: int, *, topics: Iterable[int] = (), heads: bool = False) -> None:
        """Note a changed count; the flusher sends it within the interval."""
        with self.lock:
            live = self.live(event_id)
            live.dirty_topics.update(topics)
            live.dirty_heads = live.dirty_heads or heads
            if live.dirty_since is None:
                live.dirty_since = time.monotonic()
            start, self.running = not self.running, True
        if start:
            socketio.start_background_task(self._run)

    def _run(self) -> None:
        idle_since = time.monotonic()
        while True:
            socketio.sleep(TICK)
            now = time.monotonic()
            if socketio.server is not self.server:  # this app's server was replaced: no one to tell
                with self.lock:
                    self.running = False
                return
            with self.lock:
                due = [
                    event_id
                    for event_id, live in self.events.items()
                    if live.dirty_since is not None
                    and now >= live.dirty_since + self.interval
                    and now >= live.sent_at + self.interval
                ]
                dirty = any(live.dirty_since is not None for live in self.events.values())
                if not dirty and now - idle_since > IDLE_EXIT:
                    self.running = False
                    return
            if dirty:
                idle_since = now
            if due:
                with self.app.app_context():
                    for event_id in due:
                        try:
                            self.flush(event_id)
                        except Exception:  # a failed read keeps nothing back: the dirt is put back
                            log.exception("counts of event %s not sent", event_id)
                        finally:
                            db.session.remove()

    def _gate(self, event_id: int) -> bool:
        """Across processes: True for the one that may send this event's counts in this interval."""
        if not self.shared:
            return True
        if self._redis is None:
            import redis

            self._redis = redis.Redis.from_url(self.app.config["REDIS_URL"], socket_timeout=2)
        key = f"openspace:counts-gate:{event_id}"
        return bool(self._redis.set(key, "1", nx=True, px=int(self.interval * 1000)))

    def flush(self, event_id: int) -> None:
        """Send the event's changed counts, read from the database now (nothing when none changed)."""
        if not self._gate(event_id):
            return  # another process sent this interval: the dirt waits for a later tick
        with self.lock:
            live = self.live(event_id)
            topics, heads = live.dirty_topics, live.dirty_heads
            live.dirty_topics, live.dirty_heads, live.dirty_since = set(), False, None
        try:
            message = self._message(event_id, live, topics, heads)
        except Exception:
            self.mark(event_id, topics=topics, heads=heads)
            raise
        if message:
            from .broadcast import announce_counts

            announce_counts(event_id, message)
            with self.lock:
                live.sent_at = time.monotonic()
                self.sent += 1

    def _message(self, event_id: int, live: _Live, topics: set[int], heads: bool) -> dict[str, Any]:
        message: dict[str, Any] = {}
        if topics:
            read = dict(db.session.execute(_COUNTS.where(Interest.topic_id.in_(topics)), {"event_id": event_id}).all())
            fresh = {topic_id: read.get(topic_id, 0) for topic_id in topics}
            with self.lock:
                if live.interest is not None:
                    live.interest.update(fresh)
                changed = {t: n for t, n in fresh.items() if self.shared or live.sent_interest.get(t) != n}
                live.sent_interest.update(changed)
            if changed:
                message["interest"] = {str(t): n for t, n in sorted(changed.items())}
        if heads:
            event = db.session.get(Event, event_id)
            if event is not None:
                slot_id, rooms = read_heads(event_id, event.timezone)
                with self.lock:
                    live.heads, live.heads_at = (slot_id, rooms), time.monotonic()
                    before = live.sent_heads
                    if before is not None and before[0] != slot_id:  # a new slot: clients replace the rooms
                        changed_rooms = dict(rooms)
                    elif self.shared or before is None:  # not known what clients hold: every room, zeros too
                        room_ids = db.session.scalars(select(Room.id).where(Room.event_id == event_id))
                        changed_rooms = {room_id: rooms.get(room_id, 0) for room_id in room_ids}
                    else:
                        changed_rooms = {
                            r: rooms.get(r, 0)
                            for r in set(rooms) | set(before[1])
                            if rooms.get(r, 0) != before[1].get(r, 0)
                        }
                    live.sent_heads = (slot_id, dict(rooms))
                if changed_rooms or before is None or before[0] != slot_id:
                    message["headcounts"] = {
                        "slot_id": slot_id,
                        "rooms": {str(r): n for r, n in sorted(changed_rooms.items())},
                    }
        return message


def hub() -> Hub:
    """The counts hub of the current app."""
    found = current_app.extensions.get("openspace_counts")
    if found is None:
        found = current_app.extensions["openspace_counts"] = Hub(current_app._get_current_object())  # type: ignore[attr-defined]
    return found


def read_heads(event_id: int, timezone: str) -> tuple[int | None, dict[int, int]]:
    """The current slot and its headcount per room, from the database."""
    slot_id = current_slot_id(event_id, timezone)
    if slot_id is None:
        return None, {}
    return slot_id, dict(db.session.execute(_HEADS, {"event_id": event_id, "slot_id": slot_id}).all())


def interest_counts(event_id: int) -> dict[int, int]:
    """Every topic's counted interest in the event (topics without marks left out), cached per process."""
    center = hub()
    with center.lock:
        live = center.live(event_id)
        if live.interest is not None and time.monotonic() - live.interest_at < center.ttl:
            return live.interest
    counts = dict(db.session.execute(_COUNTS, {"event_id": event_id}).all())
    with center.lock:
        live.interest, live.interest_at = counts, time.monotonic()
    return counts


def counted_topic(event_id: int, topic: dict[str, Any] | None) -> dict[str, Any] | None:
    """A topic dict with its current interest count (None stays None)."""
    return None if topic is None else {**topic, "interest": interest_counts(event_id).get(topic["id"], 0)}


def counted_marketplace(event_id: int, market: dict[str, Any]) -> dict[str, Any]:
    """The marketplace part with the current interest count in each topic it shows."""
    if not market.get("open"):
        return market
    return {
        **market,
        "current": counted_topic(event_id, market["current"]),
        "next": [counted_topic(event_id, t) for t in market["next"]],
    }


def headcounts(event_id: int, state: dict[str, Any]) -> dict[str, Any]:
    """The wall state's `headcounts`: the current slot (from the state's slots) and its count per room."""
    slot_id = state_slot_id(state)
    if slot_id is None:
        return {"slot_id": None, "rooms": {}}
    center = hub()
    with center.lock:
        live = center.live(event_id)
        cached = live.heads
        fresh = cached is not None and cached[0] == slot_id and time.monotonic() - live.heads_at < center.ttl
    if not fresh:
        rooms = dict(db.session.execute(_HEADS, {"event_id": event_id, "slot_id": slot_id}).all())
        with center.lock:
            live.heads, live.heads_at = (slot_id, rooms), time.monotonic()
        cached = (slot_id, rooms)
    assert cached is not None
    return {"slot_id": slot_id, "rooms": {str(r): n for r, n in sorted(cached[1].items()) if n}}


def _participant(actor: Actor) -> str:
    if actor.author_hash is None:
        raise DomainError("forbidden", _("Your browser did not send its participant cookie. Please reload the page."))
    return actor.author_hash


def mark_interest(event: Event, *, actor: Actor, topic_id: int, interested: bool) -> dict[str, Any]:
    """Mark (or unmark) the caller's interest in a live topic of the event; idempotent. Allowed on a locked wall:
    the lock keeps the wall's arrangement, and a mark changes none of it."""
    author_hash = _participant(actor)
    for attempt in (1, 2):
        try:
            with write_transaction():
                topic = db.session.get(Topic, topic_id)
                if topic is None or topic.event_id != event.id:
                    raise DomainError("not_found", _("This topic does not exist."))
                if topic.status != "live":
                    raise DomainError("not_live", _("This topic is not on the wall."))
                _check_not_blocked(event.id, actor)
                mark = db.session.get(Interest, (topic_id, author_hash))
                changed = (mark is None) == interested and author_hash != topic.author_hash  # what anyone sees
                if interested and mark is None:
                    db.session.add(Interest(topic_id=topic_id, author_hash=author_hash, event_id=event.id))
                elif not interested and mark is not None:
                    db.session.delete(mark)
                db.session.flush()
                count = db.session.scalar(
                    select(func.count())
                    .select_from(Interest)
                    .where(Interest.topic_id == topic_id, Interest.author_hash != topic.author_hash)
                )
                _remember_interest(event.id, topic_id, count)
            break
        except IntegrityError:  # the same mark, a moment ago, from another process: it is there now
            if attempt == 2:
                raise
    if changed:  # a repeated tap, or the host's own mark, sends nothing
        hub().mark(event.id, topics=(topic_id,))
    return {"topic_id": topic_id, "interested": interested, "interest": count}


def _remember_interest(event_id: int, topic_id: int, count: int) -> None:
    center = hub()
    with center.lock:
        live = center.live(event_id)
        if live.interest is not None:
            live.interest[topic_id] = count


def check_in(event: Event, *, actor: Actor, room_id: int) -> dict[str, Any]:
    """Check the caller into a room for the current slot, moving them from any other room of that slot."""
    author_hash = _participant(actor)
    room = db.session.get(Room, room_id)
    if room is None or room.event_id != event.id:
        raise DomainError("not_found", _("This room does not exist."))
    event_id, capacity = event.id, room.capacity
    with write_transaction():
        _check_not_blocked(event_id, actor)
        slot_id = current_slot_id(event_id, event.timezone)
        if slot_id is None:
            raise DomainError("no_slot_now", _("No session runs now, so there is nothing to check in to."))
        found = db.session.get(CheckIn, (event_id, slot_id, author_hash))
        moved = found is None or found.room_id != room_id
        if found is None:
            db.session.add(CheckIn(event_id=event_id, slot_id=slot_id, author_hash=author_hash, room_id=room_id))
        else:
            found.room_id, found.at = room_id, utcnow()
        db.session.flush()
        rooms = dict(db.session.execute(_HEADS, {"event_id": event_id, "slot_id": slot_id}).all())
        center = hub()
        with center.lock:
            live = center.live(event_id)
            live.heads, live.heads_at = (slot_id, rooms), time.monotonic()
    if moved:
        hub().mark(event_id, heads=True)
    return {"room_id": room_id, "slot_id": slot_id, "headcount": rooms.get(room_id, 0), "capacity": capacity}
