"""What the wall looks like: wall_state(event) is its one shape, kept per revision as data and as JSON text.

Every change to what wall_state shows bumps the event's revision in the same transaction, so a snapshot of
one revision never goes stale: joins, pages and the API between two changes share one snapshot, and a
(re)connecting phone is sent JSON that was encoded once for everyone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, select

from .events import find_by_slug
from .extensions import db
from .identity import Actor
from .models import Event, Room, Slot, Topic


def _iso(moment: datetime, zone: ZoneInfo) -> str:
    return moment.replace(tzinfo=zone).isoformat()


def topic_dict(topic: Topic) -> dict[str, Any]:
    """Public fields of a topic (never its author hash or request id)."""
    return {
        "id": topic.id,
        "title": topic.title,
        "host": topic.host,
        "goal": topic.goal,
        "context": topic.context,
        "room_id": topic.room_id,
        "slot_id": topic.slot_id,
        "pinned": topic.pinned,
        "cohosts": list(topic.cohosts or ()),
        "result_state": topic.result_state or "missing",  # a quiet mark on walls: missing, draft, documented, reviewed
        "created_at": topic.created_at.replace(tzinfo=UTC).isoformat(),
        "updated_at": topic.updated_at.replace(tzinfo=UTC).isoformat(),
    }


def event_dict(event: Event) -> dict[str, Any]:
    """Public fields of an event."""
    return {
        "slug": event.slug,
        "name": event.name,
        "starts_on": event.starts_on.isoformat(),
        "ends_on": event.ends_on.isoformat(),
        "timezone": event.timezone,
        "language": event.language,
        "venue": event.venue,
        "description": event.description or "",
        "locked": event.locked,
        "lock_reason": event.lock_reason,
        "premoderation": event.premoderation,
        "max_topics_per_participant": event.max_topics_per_participant,
    }


def room_dict(room: Room) -> dict[str, Any]:
    """Public fields of a room."""
    return {"id": room.id, "name": room.name, "capacity": room.capacity, "location": room.location}


def slot_dict(slot: Slot, zone: ZoneInfo) -> dict[str, Any]:
    """Public fields of a slot, its times with the event's offset on that day."""
    return {
        "id": slot.id,
        "starts_at": _iso(slot.starts_at, zone),
        "ends_at": _iso(slot.ends_at, zone),
        "label": slot.label,
        "is_break": slot.is_break,
    }


@dataclass
class Snapshot:
    """The wall of one event at one revision; `state` is shared, so callers copy before changing it."""

    event_id: int
    revision: int
    created_at: datetime  # tells a recreated event (same id in a fresh database) from the old one
    state: dict[str, Any]
    _json: str | None = field(default=None, repr=False)

    def json(self) -> str:
        """The state as compact JSON text, encoded on first use."""
        if self._json is None:
            self._json = json.dumps(self.state, separators=(",", ":"), ensure_ascii=False)
        return self._json

    def json_with(self, **fields: Any) -> str:
        """The state's JSON text with more top-level fields, spliced in rather than encoding the wall again."""
        extra = json.dumps(fields, separators=(",", ":"), ensure_ascii=False)
        return f"{extra[:-1]},{self.json()[1:]}"


_snapshots: dict[tuple[str, int], Snapshot] = {}  # (database, event id) -> the newest snapshot built
_EVENT_VERSION = select(Event.id, Event.revision, Event.created_at).where(Event.slug == bindparam("slug"))
_MINE = (
    select(Topic.id)
    .where(
        Topic.event_id == bindparam("event_id"),
        Topic.author_hash == bindparam("author_hash"),
        Topic.status == "live",
    )
    .order_by(Topic.id)
)


def _cached(event_id: int, revision: int, created_at: datetime) -> Snapshot | None:
    snapshot = _snapshots.get((str(db.engine.url), event_id))
    if snapshot is not None and snapshot.revision == revision and snapshot.created_at == created_at:
        return snapshot
    return None


def snapshot_of(event: Event) -> Snapshot:
    """The event's wall at the event's revision (as loaded with it)."""
    snapshot = _cached(event.id, event.revision, event.created_at)
    if snapshot is None:
        snapshot = Snapshot(event.id, event.revision, event.created_at, _build_wall_state(event))
        _snapshots[(str(db.engine.url), event.id)] = snapshot
    return snapshot


def wall_state(event: Event) -> dict[str, Any]:
    """The whole wall as plain data: rendered by Jinja, returned by the API, re-rendered by the browser."""
    return snapshot_of(event).state


def snapshot_by_slug(slug: Any) -> Snapshot:
    """The current wall of the event at that address: one small query while nothing changed, else a rebuild."""
    row = find_by_slug(slug, lambda valid: db.session.execute(_EVENT_VERSION, {"slug": valid}).first())
    return _cached(*row) or snapshot_of(db.session.get(Event, row.id))


def _build_wall_state(event: Event) -> dict[str, Any]:
    zone = ZoneInfo(event.timezone)
    rooms = db.session.scalars(select(Room).where(Room.event_id == event.id).order_by(Room.position, Room.id))
    slots = db.session.scalars(select(Slot).where(Slot.event_id == event.id).order_by(Slot.starts_at, Slot.id))
    topics = db.session.scalars(
        select(Topic).where(Topic.event_id == event.id, Topic.status == "live").order_by(Topic.id)
    )
    return {
        "event": event_dict(event),
        "rooms": [room_dict(r) for r in rooms],
        "slots": [slot_dict(s, zone) for s in slots],
        "topics": [topic_dict(t) for t in topics],
        "revision": event.revision,
    }


def my_topic_ids(event_id: int, actor: Actor) -> list[int]:
    """Ids of the actor's own topics in the event (what their phone may edit)."""
    if actor.author_hash is None:
        return []
    return list(db.session.scalars(_MINE, {"event_id": event_id, "author_hash": actor.author_hash}))
